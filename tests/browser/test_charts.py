"""The charts page in a real browser: every figure loads and draws under the strict CSP."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_charts_draw_in_the_page(page, live_server, study, themed, owner):
    refused = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Charts").click()
    page.get_by_label("Group respondents by").select_option("Years of experience")
    page.get_by_role("button", name="Show").click()
    figures = page.locator("figure.chart img")
    expect(figures).to_have_count(3)
    for n in range(3):
        image = figures.nth(n)
        image.scroll_into_view_if_needed()
        # Each figure is drawn by a subprocess that imports matplotlib (themes/drawing.py):
        # seconds on a busy machine. What is tested here is that it draws, not how fast.
        expect(image).to_have_js_property("complete", True, timeout=30_000)
        assert image.evaluate("img => img.naturalWidth") > 300, "the SVG was drawn"
    alt = "Bar chart. Training: all (2 of 2); At work, under Training: one (1 of 2)."
    expect(figures.first).to_have_attribute("alt", alt)
    screenshot(page, "charts")
    assert refused == [], f"console errors (a CSP refusal shows here): {refused}"


def test_the_page_s_svg_lays_right_to_left_names_out_right_to_left(
    page, live_server, study, themed, owner
):
    """The SVG keeps each name as <text> in stored order (svg.fonttype "none"), and the
    browser orders it: a Hebrew or Arabic name's first letter is drawn right of its last, and
    in "R3 – ضغط" the R3 stays left of the Arabic word, and "טיפול CBT ותמיכה" runs right
    to left from its first word. Reordering the text before matplotlib writes it (as a PNG may
    need) would show it backwards here."""
    from themes import services as themes

    for name in ("תמיכה בצוות", "الدعم", "R3 – ضغط", "טיפול CBT ותמיכה"):
        themes.theme_create(study=study, name=name)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("chart_svg", args=[study.slug, "prevalence"]))
    # Each character's x where Chromium laid it out, for the <text> holding the name.
    starts = page.evaluate(
        """names => names.map(name => {
            // A right-to-left name is drawn in an isolate: its invisible marks around it.
            const text = [...document.querySelectorAll('text')]
                .find(t => t.textContent.replace(/[\u2068\u2069]/g, '') === name);
            const at = text.textContent.indexOf(name);
            return [...name].map((_, i) => text.getStartPositionOfChar(at + i).x);
        })""",
        ["תמיכה בצוות", "الدعم", "R3 – ضغط", "טיפול CBT ותמיכה"],
    )
    hebrew, arabic, mixed, words = starts
    assert hebrew[0] > hebrew[-1]
    assert hebrew == sorted(hebrew, reverse=True)
    assert arabic[0] > arabic[-1]
    # R, 3 left to right; then the Arabic word right to left, all of it right of the 3.
    assert mixed[0] < mixed[1] < min(mixed[5:])
    assert mixed[5] > mixed[6] > mixed[7]
    # A name of Hebrew and Latin words runs in the direction of its first word (the SVG
    # draws it as a first strong isolate): "טיפול" right of "CBT", "ותמיכה" left of it,
    # each Hebrew word right to left, CBT left to right. Laid out left to right, a reader
    # going right to left met "ותמיכה" first. The findings' PNG alike
    # (tests/themes/test_charts.py).
    first, cbt, last = words[:5], words[6:9], words[10:]
    assert min(first) > cbt[2] > cbt[1] > cbt[0] > max(last)
    assert first == sorted(first, reverse=True)
    assert last == sorted(last, reverse=True)


def test_a_right_to_left_group_keeps_its_count_after_it_in_the_caption(
    page, live_server, study, themed, owner
):
    """The by-attribute figure's caption names each group and its size: a Hebrew value took
    the ": 1" after it into its right-to-left run, so the count read before the value
    ("1 :סוכנות"). Each value is isolated (a <bdi>), its count laid out after it."""
    from interviews import services as interviews

    agency = "סוכנות הבריאות"
    interviews.attribute_add(study=study, name="Agency", kind="text")
    for respondent in study.respondents.filter(pseudonym__in=["R1", "R2"]):
        interviews.respondent_update(
            respondent=respondent,
            pseudonym=respondent.pseudonym,
            attributes={**respondent.attributes, "Agency": agency},
        )
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("charts", args=[study.slug]) + "?attribute=Agency")
    caption = page.locator("figcaption").nth(1)
    expect(caption).to_contain_text("2 respondents")
    # The x of each character of the value, and of the count's digit after it.
    value, count = caption.evaluate(
        """(caption, agency) => {
            const text = caption.textContent;
            const at = (i) => {
                let node, offset = i;
                const walker = document.createTreeWalker(caption, NodeFilter.SHOW_TEXT);
                while ((node = walker.nextNode())) {
                    if (offset < node.length) break;
                    offset -= node.length;
                }
                const range = document.createRange();
                range.setStart(node, offset);
                range.setEnd(node, offset + 1);
                return range.getBoundingClientRect().x;
            };
            const start = text.indexOf(agency);
            const digit = text.indexOf("2 respondents", start);
            return [[...agency].map((_, i) => at(start + i)), at(digit)];
        }""",
        agency,
    )
    assert count > max(value), (value, count)

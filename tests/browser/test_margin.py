"""The coding margin in Chromium: stripes beside the lines of their excerpts, labels, the
toggle and its memory; and a colour picked in the codebook reaching the highlights."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from coding import services as coding
from coding.palette import contrast_ratio
from tests.browser.conftest import log_in, screenshot
from tests.conftest import code_span, import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = (
    "We get support from colleagues at the agency, mostly in the hallway between visits, "
    "when someone has had a hard morning and needs to talk it through before the next "
    "client. The supervisors try, but they are stretched thin across three programmes, "
    "and the formal meetings happen once a month at best. Outside work my partner listens, "
    "though I keep the details of clients to myself, as I should."
)
TEXT = (
    "Interviewer: What sort of support do you get for your work?\n\n"
    f"R1: {LONG}\n"
    "Some weeks the team covers for each other without being asked. Other weeks nobody "
    "has the time, and you carry it home.\n\n"
    "Interviewer: Is it adequate?\n\n"
    "R1: Not really, no."
)


@pytest.fixture
def coded(study):
    interview = import_text(study, text=TEXT, name="R1-interview.txt")
    make = lambda name, colour: coding.code_create(study=study, name=name, colour=colour)  # noqa: E731
    peer = make("Peer support", "#e6194b")
    stress = make("Stress", "#3cb44b")
    training = make("Training", "#4363d8")
    supervision = make("Supervision", "#f58231")
    hostile = make('<b>Boss</b> & "co"', "#911eb4")
    excerpts = {
        "outer": code_span(
            interview,
            "when someone has had a hard morning and needs to talk it "
            "through before the next client. The supervisors try",
            [peer],
        ),
        "inner": code_span(interview, "needs to talk it through", [stress]),
        "across": code_span(
            interview,
            "though I keep the details of clients to myself, as I "
            "should.\nSome weeks the team covers",
            [training, supervision],
        ),
        "hostile": code_span(interview, "Not really", [hostile]),
    }
    return interview, excerpts


def open_transcript(page, live_server, interview):
    page.goto(
        live_server.url + reverse("interview_code", args=[interview.study.slug, interview.pk])
    )
    expect(page.locator("#transcript")).to_be_visible()


GEOMETRY = """(id) => {
    const marks = Array.from(document.querySelectorAll(`#transcript mark[data-x="${id}"]`));
    const box = (r) => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
    // The boxes of the excerpt's words (a mark's own box adds its underline's padding).
    const words = marks.flatMap((m) => {
        const walker = document.createTreeWalker(m, NodeFilter.SHOW_TEXT);
        const found = [];
        for (let n = walker.nextNode(); n; n = walker.nextNode()) found.push(n);
        return found;
    });
    const rects = words.flatMap((node) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return Array.from(range.getClientRects(), box);
    });
    // What shows of a stripe or a label is the ::before of its parts, absolutely placed
    // in the line: its box is where the resolved top and left put it in the line's box.
    const shown = (part) => {
        const style = getComputedStyle(part, "::before");
        // A part whose stripe or label is not displayed has no box (an empty one has one).
        if (part.getClientRects().length === 0) return {display: "none"};
        const line = part.closest("p").getBoundingClientRect();
        const left = line.left + parseFloat(style.left) + parseFloat(style.marginLeft);
        const top = line.top + parseFloat(style.top) + parseFloat(style.marginTop);
        return {left, top, right: left + parseFloat(style.width),
                bottom: top + parseFloat(style.height), display: style.display};
    };
    const parts = (kind) => Array.from(
        document.querySelectorAll(`#transcript ${kind}[data-for="${id}"] i:first-child`), shown);
    return {rects, stripes: parts(".stripe"), labels: parts(".stripe-label")};
}"""


def painted_rows(page, x: float, top: float, bottom: float, colours: list[str]) -> list[int]:
    """The rows (page y) of the column at `x` between `top` and `bottom` whose pixel is one
    of `colours` (#rrggbb), as Chromium painted them."""
    shot = page.screenshot(clip={"x": x, "y": top, "width": 1, "height": bottom - top})
    image = Image.open(BytesIO(shot)).convert("RGB")
    wanted = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in colours]
    return [
        int(top) + y
        for y in range(image.height)
        if any(
            all(abs(a - b) <= 6 for a, b in zip(image.getpixel((0, y)), w, strict=True))
            for w in wanted
        )
    ]


# A line box is taller than its words' box (the line height is 1.85): the stripe spans the
# excerpt's lines, so it starts up to half the leading (5.2 px) above its first words' box
# and ends as far below its last words' box; a pixel more for antialiasing at its ends.
LEADING = 7


def test_stripes_line_up_with_their_excerpts_lines(page, live_server, coded, owner):
    interview, excerpts = coded
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    screenshot(page, "coding-margin")
    colours = {
        "outer": ["#e6194b"],
        "inner": ["#3cb44b"],
        "across": ["#4363d8", "#f58231"],
        "hostile": ["#911eb4"],
    }
    lanes = {}
    for name, excerpt in excerpts.items():
        geometry = page.evaluate(GEOMETRY, excerpt.pk)
        rects, stripes = geometry["rects"], geometry["stripes"]
        first_top = min(r["top"] for r in rects)
        last_bottom = max(r["bottom"] for r in rects)
        # The stripe's box starts on the line of the excerpt's first words.
        assert first_top - LEADING <= stripes[0]["top"] <= first_top, name
        text_right = max(r["right"] for r in rects)
        assert stripes[0]["left"] > text_right, name
        lanes[name] = stripes[0]["left"]
        # What shows of it: from its first line to its last, unbroken, and nothing more.
        x = (stripes[0]["left"] + stripes[0]["right"]) / 2
        rows = painted_rows(page, x, first_top - 40, last_bottom + 40, colours[name])
        assert rows, name
        assert first_top - LEADING <= rows[0] <= first_top, (name, rows[0], first_top)
        assert last_bottom - 1 <= rows[-1] <= last_bottom + LEADING, (name, rows[-1], last_bottom)
        assert rows == list(range(rows[0], rows[-1] + 1)), f"{name}: a gap in its stripe"
    # The nested excerpt stands in its own lane; the others, not overlapping, share one.
    assert lanes["inner"] > lanes["outer"] == lanes["across"] == lanes["hostile"]
    # The excerpt with two codes shows both colours in turn.
    across = page.evaluate(GEOMETRY, excerpts["across"].pk)
    x = (across["stripes"][0]["left"] + across["stripes"][0]["right"]) / 2
    top = across["stripes"][0]["top"]
    for colour in colours["across"]:
        assert painted_rows(page, x, top, top + 40, [colour]), colour


VISUAL_LINES = """(phrase) => {
    // The words of `phrase` (in the transcript) that start a visual line, with their
    // offsets in the phrase and their tops.
    const p = Array.from(document.querySelectorAll("#transcript p")).find(
        (p) => p.textContent.includes(phrase));
    const node = Array.from(p.childNodes).find((n) => n.nodeType === 3 && n.data.includes(phrase));
    const base = node.data.indexOf(phrase);
    const out = [];
    let previous = null;
    for (const match of phrase.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, base + match.index);
        range.setEnd(node, base + match.index + match[0].length);
        const top = range.getClientRects()[0].top;
        if (previous !== null && top > previous + 5) out.push([match.index, match[0], top]);
        previous = top;
    }
    return out;
}"""


def test_stripes_start_and_end_on_the_right_line_at_soft_line_breaks(
    page, live_server, coded, owner
):
    interview, _ = coded
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    # The long answer is uncoded from "but they are stretched" to "listens,": find where
    # it wraps.
    tail = LONG[LONG.index("but they are stretched") : LONG.index("though I keep")]
    wraps = page.evaluate(VISUAL_LINES, tail)
    assert len(wraps) >= 2
    (first_at, _, first_top), (second_at, _, _) = wraps[:2]
    # One excerpt starts with the first word of a visual line, and ends with the last word
    # before the next wrap; another ends with the last word before the first wrap.
    before = tail[:first_at].rstrip()
    starts = tail[first_at:second_at].rstrip()
    # (In colours no excerpt next to them has.)
    stress, training = (interview.study.codes.get(name=name) for name in ("Stress", "Training"))
    starting = code_span(interview, starts, [stress])
    ending = code_span(
        interview, before[before.rindex(" ", 0, len(before) - 12) + 1 :], [training]
    )
    page.reload()
    for excerpt, colour in ((starting, "#3cb44b"), (ending, "#4363d8")):
        geometry = page.evaluate(GEOMETRY, excerpt.pk)
        rects = geometry["rects"]
        first = min(r["top"] for r in rects)
        last = max(r["bottom"] for r in rects)
        assert last - first < 30, "each excerpt here lies on one visual line"
        stripe = geometry["stripes"][0]
        assert first - LEADING <= stripe["top"] <= first, excerpt.text
        x = (stripe["left"] + stripe["right"]) / 2
        rows = painted_rows(page, x, first - 40, last + 40, [colour])
        assert first - LEADING <= rows[0] <= first, excerpt.text
        assert last - 1 <= rows[-1] <= last + LEADING, excerpt.text
    assert page.evaluate(GEOMETRY, starting.pk)["rects"][0]["top"] == first_top


def test_labels_name_the_codes_readably_and_escaped(page, live_server, coded, owner):
    interview, excerpts = coded
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    labels = page.evaluate(
        """(id) => Array.from(
            document.querySelectorAll(`.stripe-label[data-for="${id}"] i`),
            (i) => {
                const style = getComputedStyle(i, "::before");
                return {
                    name: JSON.parse(style.content),
                    color: style.color, background: style.backgroundColor,
                };
            })""",
        excerpts["across"].pk,
    )
    assert [label["name"] for label in labels] == ["Training", "Supervision"]
    for label in labels:
        ratio = contrast_ratio(css_rgb(label["color"]), css_rgb(label["background"]))
        assert ratio >= 4.5, label
    hostile = page.evaluate(
        """(id) => {
            const name = document.querySelector(`.stripe-label[data-for="${id}"] i`);
            return JSON.parse(getComputedStyle(name, "::before").content);
        }""",
        excerpts["hostile"].pk,
    )
    assert hostile == '<b>Boss</b> & "co"'
    assert page.locator("#transcript b:not(.who)").count() == 0
    # The margin adds nothing to the text the selection script counts in, nor to what is
    # copied or read out (its parts are inline and empty: no line breaks, no names).
    assert page.evaluate("document.getElementById('transcript').textContent").count("Boss") == 0
    inner_texts = page.evaluate(
        "Array.from(document.querySelectorAll('#transcript p'), (p) => p.innerText)"
    )
    assert "R1: Not really, no." in inner_texts
    assert f"R1: {LONG}" in inner_texts


def test_a_click_on_a_stripe_or_label_opens_its_own_excerpt(page, live_server, coded, owner):
    interview, excerpts = coded
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    inner = page.evaluate(GEOMETRY, excerpts["inner"].pk)
    label = inner["labels"][0]
    page.mouse.click(label["left"] + 10, label["top"] + 5)
    expect(page.locator("#excerpt-detail")).to_contain_text("Stress")
    outer = page.evaluate(GEOMETRY, excerpts["outer"].pk)["stripes"][0]
    page.mouse.click(outer["left"] + 2, outer["top"] + 10)
    expect(page.locator("#excerpt-detail")).to_contain_text("Peer support")
    expect(page.locator(f'mark[data-x="{excerpts["outer"].pk}"].on').first).to_be_visible()
    expect(page.locator(f'.stripe[data-for="{excerpts["outer"].pk}"]')).to_have_class(
        "stripe m0 open"
    )
    # Below where the nested one ends the margin is empty, and a click there opens nothing.
    below = max(r["bottom"] for r in inner["rects"]) + 12
    page.mouse.click(inner["stripes"][0]["left"] + 2, below)
    expect(page.locator("#excerpt-detail")).to_contain_text("Peer support")


def test_s_and_the_switch_hide_and_show_the_margin_and_a_reload_remembers(
    page, live_server, coded, owner
):
    interview, excerpts = coded
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    outer = excerpts["outer"].pk
    switch = page.locator("#margin-toggle")

    def shows() -> bool:
        geometry = page.evaluate(GEOMETRY, outer)
        stripe, label = geometry["stripes"][0], geometry["labels"][0]
        if "none" in (stripe["display"], label["display"]):
            return False
        assert stripe["display"] == label["display"] == "block"
        x = (stripe["left"] + stripe["right"]) / 2
        return bool(painted_rows(page, x, stripe["top"], stripe["top"] + 20, ["#e6194b"]))

    assert shows()
    # Measured after the focus: focusing the transcript may scroll it into view.
    page.locator("#transcript").focus()
    words = page.locator("#transcript mark.x").first.bounding_box()
    with page.expect_response(lambda r: r.url.endswith("/margin/")) as answer:
        page.keyboard.press("s")
    assert answer.value.status == 204
    expect(page.locator("#transcript")).to_have_class("transcript margin-off")
    assert not shows()
    expect(switch).to_have_attribute("aria-pressed", "false")
    # The text does not move when the margin goes.
    assert page.locator("#transcript mark.x").first.bounding_box() == words
    page.reload()
    expect(page.locator("#transcript")).to_have_class("transcript margin-off")
    assert not shows()
    expect(switch).to_have_attribute("aria-pressed", "false")
    with page.expect_response(lambda r: r.url.endswith("/margin/")):
        switch.click()
    expect(page.locator("#transcript")).to_have_class("transcript")
    assert shows()
    expect(switch).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("#transcript")).to_have_class("transcript")
    assert shows()
    # The key help lists the key.
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_contain_text("Show or hide the codes in the margin")


def test_a_colour_picked_in_the_codebook_colours_the_highlight(page, live_server, coded, owner):
    interview, excerpts = coded
    log_in(page, live_server, owner)
    code = interview.study.codes.get(name="Stress")
    page.goto(live_server.url + reverse("codebook", args=[interview.study.slug]))
    page.locator(f"#code-{code.pk} a", has_text="Edit").click()
    picker = page.locator("#code-editor input[type=color]")
    expect(picker).to_have_value("#3cb44b")
    picker.fill("#ff00aa")
    page.locator("#code-editor button[type=submit]", has_text="Save").click()
    expect(page.locator("#codebook-body .notice")).to_contain_text("Saved “Stress”")
    # The codebook shows the new colour at once (its stylesheet came with the answer).
    swatch = page.locator(f"#code-{code.pk} .swatch")
    expect(swatch).to_have_css("background-color", "rgb(255, 0, 170)")
    open_transcript(page, live_server, interview)
    mark = page.locator(f'mark[data-x="{excerpts["inner"].pk}"]')
    expect(mark).to_have_css("border-bottom-color", "rgb(255, 0, 170)")
    stripe = page.evaluate(
        """(id) => getComputedStyle(
            document.querySelector(`.stripe[data-for="${id}"] i`), "::before").backgroundColor""",
        excerpts["inner"].pk,
    )
    assert stripe == "rgb(255, 0, 170)"


def css_rgb(value: str) -> tuple[int, int, int]:
    r, g, b = (int(part) for part in value[value.index("(") + 1 : value.index(")")].split(",")[:3])
    return r, g, b

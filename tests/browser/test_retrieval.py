"""The retrieval page in Chromium: filter, follow a result into its transcript, come back."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.themes.retrieval_corpus import build_corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def results(page) -> list[str]:
    return page.locator("ol.retrieved li[data-x]").evaluate_all(
        "items => items.map(li => li.dataset.x)"
    )


def opened(page, live_server, study, owner, coder, url_name: str) -> dict:
    """The hand-worked corpus (retrieval_corpus), its owner logged in on the page named."""
    corpus = build_corpus(study, owner, coder)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse(url_name, args=[study.slug]))
    return corpus


def test_filter_by_two_codes_and_an_attribute_then_open_a_result_and_come_back(
    page, live_server, study, owner, coder
):
    corpus = opened(page, live_server, study, owner, coder, "retrieve")
    codes, e = corpus["codes"], corpus["excerpts"]
    expect(page.locator("[data-count=excerpts]")).to_have_text("7")

    page.select_option("#id_code", [str(codes["support"].pk), str(codes["stress"].pk)])
    page.select_option("#id_attribute", "Years of experience")
    page.fill("#id_at_least", "3")
    page.get_by_role("button", name="Show the excerpts").click()
    expect(page.locator("[data-count=excerpts]")).to_have_text("4")
    expect(page).to_have_url(re.compile(r"code=\d+&code=\d+&.*at_least=3"))
    filtered_url = page.url
    assert results(page) == [str(e[n].pk) for n in (5, 4, 7, 8)]
    expect(page.locator("[data-count=respondents]")).to_have_text("2")

    target = e[7]
    page.locator(f"#result-{target.pk}").get_by_role("link", name="Open in the transcript").click()
    mark = page.locator(f'#transcript mark[data-x="{target.pk}"]').first
    expect(mark).to_have_class(re.compile(r"\bon\b"))
    expect(mark).to_be_in_viewport()
    expect(page.locator("#excerpt-detail")).to_have_attribute("data-x", str(target.pk))

    page.go_back()
    expect(page).to_have_url(filtered_url)
    expect(page.locator("[data-count=excerpts]")).to_have_text("4")
    assert results(page) == [str(e[n].pk) for n in (5, 4, 7, 8)]
    expect(page.locator("#id_at_least")).to_have_value("3")


def test_a_co_occurrence_cell_opens_its_excerpts_and_back_returns_to_the_matrix(
    page, live_server, study, owner, coder
):
    e = opened(page, live_server, study, owner, coder, "matrix")["excerpts"]
    page.select_option("#id_by", "code")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#matrix-title")).to_have_text(
        "Codes by code (co-occurrence): number of excerpts"
    )
    expect(page).to_have_url(re.compile(r"by=code"))
    matrix_url = page.url

    row = page.locator("table.heat-table tbody tr", has=page.locator("th", has_text="Colleagues"))
    column = (
        page.locator("table.heat-table thead th")
        .evaluate_all("cells => cells.map(c => c.textContent)")
        .index("Stress")
    )
    cell = row.locator("td").nth(column - 1)
    expect(cell).to_have_text("2")
    cell.get_by_role("link").click()

    expect(page.locator("[data-count=excerpts]")).to_have_text("2")
    assert results(page) == [str(e[1].pk), str(e[2].pk)]
    expect(page.locator("#id_match")).to_have_value("together")
    chosen = page.locator("#id_code option:checked").all_text_contents()
    assert [name.strip() for name in chosen] == ["Colleagues", "Stress"]

    page.go_back()
    expect(page).to_have_url(matrix_url)
    expect(page.locator("#matrix-title")).to_contain_text("co-occurrence")


def test_two_attribute_conditions_hold_together_and_live_in_the_url(
    page, live_server, study, owner, coder
):
    e = opened(page, live_server, study, owner, coder, "retrieve")["excerpts"]
    page.select_option("#id_attribute", "Years of experience")
    page.fill("#id_at_least", "3")
    page.select_option("#id_attribute_2", "Agency")
    page.fill("#id_value_2", "north")
    page.get_by_role("button", name="Show the excerpts").click()
    # R2 has 9 years but is at South; R1 is at North with 2: only R10's excerpts.
    expect(page.locator("[data-count=excerpts]")).to_have_text("2")
    expect(page).to_have_url(re.compile(r"at_least=3&.*attribute_2=Agency&value_2=north"))
    assert results(page) == [str(e[7].pk), str(e[8].pk)]
    filtered_url = page.url

    # The address alone brings the same page back, both conditions filled in.
    page.goto(live_server.url + reverse("retrieve", args=[study.slug]))
    expect(page.locator("[data-count=excerpts]")).to_have_text("7")
    page.goto(filtered_url)
    expect(page.locator("[data-count=excerpts]")).to_have_text("2")
    expect(page.locator("#id_attribute_2")).to_have_value("Agency")
    expect(page.locator("#id_value_2")).to_have_value("north")

    page.select_option("#id_attribute_2", "")
    page.fill("#id_value_2", "")
    page.get_by_role("button", name="Show the excerpts").click()
    expect(page.locator("[data-count=excerpts]")).to_have_text("4")
    page.go_back()
    expect(page.locator("[data-count=excerpts]")).to_have_text("2")
    assert results(page) == [str(e[7].pk), str(e[8].pk)]


@pytest.mark.parametrize("width", [1024, 1440, 1920])
def test_the_filter_s_inputs_fit_their_column_beside_the_results(
    page, live_server, study, owner, coder, width
):
    """Every input, select and help text of the filter lies inside the sidebar and left
    of the results, with two attribute conditions shown (the widest the form gets)."""
    corpus = opened(page, live_server, study, owner, coder, "retrieve")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(
        live_server.url
        + reverse("retrieve", args=[study.slug])
        + f"?attribute=Years+of+experience&at_least=3&code={corpus['codes']['stress'].pk}"
    )
    expect(page.locator("[data-condition='2']")).to_be_visible()
    boxes = page.evaluate(
        """() => {
            const form = document.querySelector('form.filters').getBoundingClientRect();
            const results = document.querySelector('section.results').getBoundingClientRect();
            const items = [...document.querySelectorAll(
                'form.filters input:not([type=hidden]), form.filters select, form.filters .help'
            )].map(el => {
                const box = el.getBoundingClientRect();
                return {name: el.name || el.textContent.trim().slice(0, 30),
                        left: box.left, right: box.right};
            });
            return {form: {left: form.left, right: form.right}, results: results.left, items};
        }"""
    )
    assert len(boxes["items"]) > 20
    outside = [
        item["name"]
        for item in boxes["items"]
        if item["left"] < boxes["form"]["left"] - 0.5
        or item["right"] > boxes["form"]["right"] + 0.5
        or item["right"] > boxes["results"]
    ]
    assert outside == [], (f"at {width} px these run out of the filter's column", boxes)

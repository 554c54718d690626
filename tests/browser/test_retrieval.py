"""The retrieval page in Chromium: filter, follow a result into its transcript, come back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from coding import services as coding
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


@pytest.mark.parametrize("width", [1280, 800])
def test_each_filter_control_has_one_name_and_a_long_name_reads_whole(
    page, live_server, study, owner, coder, width
):
    """No name said twice ("Codes, Codes" was the legend and the list box's label), none
    alike in two attribute conditions; a long code's name and a long protocol question
    wrap inside their options instead of being cut at the list box's edge."""
    long_name = "Struggles with abstinence-based practice: harm reduction"
    coding.code_create(study=study, name=long_name)
    question = study.questions.get(number=2)
    question.text = (
        "In your experience, what type of client does harm reduction work best for, "
        "and why do you think that is?"
    )
    question.save(update_fields=["text"])
    opened(page, live_server, study, owner, coder, "retrieve")
    page.set_viewport_size({"width": width, "height": 900})
    form = page.get_by_role("form", name="Filter the excerpts")

    expected = [
        ("listbox", "Codes"),
        ("combobox", "Excerpts with"),
        ("listbox", "Themes"),
        ("listbox", "Respondents"),
        ("group", "Respondent attributes"),
        ("combobox", "Attribute 1"),
        ("textbox", "is (attribute 1's value)"),
        ("spinbutton", "at least (attribute 1)"),
        ("spinbutton", "at most (attribute 1)"),
        ("combobox", "and attribute 2"),
        ("textbox", "is (attribute 2's value)"),
        ("spinbutton", "at least (attribute 2)"),
        ("spinbutton", "at most (attribute 2)"),
        ("listbox", "Questions"),
        ("listbox", "Coded by"),
        ("textbox", "Coded from"),
        ("textbox", "to (the last day coded)"),
        ("combobox", "Memo"),
        ("checkbox", "Only excerpts marked for review"),
        ("textbox", "Words"),
    ]
    for role, name in expected:
        expect(form.get_by_role(role, name=name, exact=True)).to_have_count(1)
    # Nothing else is named "Codes": no group around the list box says it again.
    expect(form.get_by_role("group", name="Codes")).to_have_count(0)
    kinds = form.locator("fieldset, select, textarea, input:not([type=hidden])")
    expect(kinds).to_have_count(len(expected))

    for select, text in (("#id_code", long_name), ("#id_question", f"Q2. {question.text}")):
        option = page.locator(f"{select} option", has_text=text)
        expect(option).to_have_text(text)  # the whole name, not its first 80 characters
        option.scroll_into_view_if_needed()
        fits = option.evaluate(
            """(option) => {
                const box = option.getBoundingClientRect();
                const list = option.parentElement.getBoundingClientRect();
                return {whole: option.scrollWidth <= option.clientWidth,
                        inside: box.left >= list.left && box.right <= list.right};
            }"""
        )
        assert fits["whole"], (width, text, fits)
        assert fits["inside"], (width, text, fits)


def test_a_stale_question_in_the_filter_is_named_where_the_refusal_is(
    page, live_server, study, owner
):
    """Before: "The filter needs correcting (see above)" beside the results, while the error
    was further down the filter's column, out of view."""
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("retrieve", args=[study.slug]) + "?question=999999")
    refusal = page.locator(".results").get_by_role("alert")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("Questions: Select a valid choice.")
    expect(refusal).not_to_contain_text("see above")


def test_coded_by_a_second_coder_finds_the_codes_she_added_and_names_both_coders(
    page, live_server, study, owner, coder
):
    """cody adds Support to olive's e4: "Coded by cody" with Support finds it beside his
    own e3, the help under the field says what it finds, and the result names both
    coders who applied its codes and who made it."""
    corpus = build_corpus(study, owner, coder)
    e, support = corpus["excerpts"], corpus["codes"]["support"]
    coding.excerpt_codes_add(excerpt=e[4], codes=[support], coder=coder)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("retrieve", args=[study.slug]))
    expect(page.locator("#id_coder_helptext")).to_contain_text(
        "applied a code, whoever made the excerpt"
    )
    page.select_option("#id_coder", str(coder.pk))
    page.select_option("#id_code", str(support.pk))
    page.get_by_role("button", name="Show the excerpts").click()
    expect(page.locator("[data-count=excerpts]")).to_have_text("2")
    assert results(page) == [str(e[3].pk), str(e[4].pk)]
    attribution = page.locator(f"#result-{e[4].pk} .attribution")
    expect(attribution).to_contain_text("codes applied by cody, olive")
    expect(attribution).to_contain_text("excerpt made by olive,")


def test_coded_from_today_finds_the_code_a_second_coder_added_today_to_an_old_excerpt(
    page, live_server, study, owner, coder
):
    """Every excerpt and code made 30 days ago; cody adds Support to olive's e4 today:
    "Coded from" today finds e4 alone (before: nothing, the excerpt being 30 days old),
    and the help below the dates says what they select."""
    from coding.models import Coding, Excerpt

    corpus = build_corpus(study, owner, coder)
    e, support = corpus["excerpts"], corpus["codes"]["support"]
    earlier = timezone.now() - timedelta(days=30)
    ids = [excerpt.pk for excerpt in e.values()]
    Excerpt.all_objects.filter(pk__in=ids).update(created_at=earlier)
    Coding.objects.filter(excerpt_id__in=ids).update(created_at=earlier)
    coding.excerpt_codes_add(excerpt=e[4], codes=[support], coder=coder)
    # The day cody's Support was applied, read from its row: a run crossing midnight
    # after adding it still asks for that day.
    added = Coding.objects.get(excerpt=e[4], code=support).created_at
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("retrieve", args=[study.slug]))
    expect(page.locator("#coded_helptext")).to_contain_text(
        "a code was applied on these days, whenever the excerpt was made"
    )
    page.get_by_label("Coded from", exact=True).fill(timezone.localdate(added).isoformat())
    page.get_by_role("button", name="Show the excerpts").click()
    expect(page.locator("[data-count=excerpts]")).to_have_text("1")
    assert results(page) == [str(e[4].pk)]
    expect(page.locator(f"#result-{e[4].pk} .attribution")).to_contain_text(
        "codes applied by cody, olive"
    )

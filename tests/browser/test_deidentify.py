"""De-identification in a real browser: a name listed once, found in three transcripts,
replaced from the preview with one occurrence kept, and the excerpt on it marked."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Excerpt, ExcerptStatus
from interviews.models import IdentifierSkip, Interview, TypedKeep
from interviews.services import identifier_add
from tests.browser.conftest import log_in
from tests.conftest import code_span, import_text
from themes import services as themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = [
    "R1: My supervisor Maria Lopez trained me.\n\nR1: Maria was patient.",
    "R2: We called maria when things went wrong.",
    "R3: MARIA LOPEZ left last year. Ms Lopez is missed.",
]


def test_a_name_is_deidentified_across_three_transcripts_from_the_preview(
    page, live_server, study, owner, code
):
    interviews = [
        import_text(study, text=text, name=f"R{n}.txt") for n, text in enumerate(TEXTS, 1)
    ]
    excerpt = code_span(interviews[0], "My supervisor Maria Lopez trained me.", [code], owner)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("deidentify_list", args=[study.slug]))
    page.get_by_label("Identifying words").fill("Maria Lopez")
    page.get_by_label("Variants (one a line)").fill("Maria\nMs Lopez")
    page.get_by_label("Replace with").fill("[supervisor]")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#waiting")).to_contain_text("5 occurrences")

    page.get_by_role("link", name="Review the occurrences (5)").click()
    occurrences = page.locator(".occurrence")
    expect(occurrences).to_have_count(5)
    expect(page.locator(".occurrences h2")).to_have_count(3)
    expect(occurrences.nth(0).locator("mark")).to_have_text("Maria Lopez")
    # "maria" in lower case where the list has a capital: nothing is chosen for it.
    lower = occurrences.nth(2)
    expect(lower.locator("mark")).to_have_text("maria")
    expect(lower.get_by_label("Replace")).not_to_be_checked()
    expect(lower.get_by_label("Keep")).not_to_be_checked()
    expect(occurrences.nth(1).get_by_label("Replace")).to_be_checked()
    # Replace it, keep the last one ("Ms Lopez"): four replaced.
    lower.get_by_label("Replace").check()
    occurrences.nth(4).get_by_label("Keep").check()
    page.get_by_role("button", name="Apply: replace and keep as chosen").click()

    body = page.locator("body")
    expect(body).to_contain_text("4 occurrences replaced in 3 transcripts, 1 kept.")
    expect(body).to_contain_text("1 excerpt whose words changed is marked")
    expect(page.locator(".occurrence")).to_have_count(0)
    texts = [Interview.objects.get(pk=i.pk).text for i in interviews]
    assert texts == [
        "R1: My supervisor [supervisor] trained me.\n\nR1: [supervisor] was patient.",
        "R2: We called [supervisor] when things went wrong.",
        "R3: [supervisor] left last year. Ms Lopez is missed.",
    ]
    assert IdentifierSkip.objects.count() == 1
    marked = Excerpt.objects.get(pk=excerpt.pk)
    assert marked.status == ExcerptStatus.CHANGED
    assert marked.text == "My supervisor [supervisor] trained me."

    # The coding page shows the mark.
    page.goto(live_server.url + reverse("interview_code", args=[study.slug, interviews[0].pk]))
    expect(page.locator(f"#ex-{excerpt.pk} .review-flag")).to_have_text("words changed")


def test_an_ordinary_word_spelt_like_a_listed_name_is_not_replaced_unless_chosen(
    page, live_server, study, owner
):
    interview = import_text(
        study, text="R1: Will said we will manage. Nobody will judge.", name="R1.txt"
    )
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("deidentify_list", args=[study.slug]))
    page.get_by_label("Identifying words").fill("Will")
    page.get_by_label("Replace with").fill("[co-worker]")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("link", name="Review the occurrences (3)").click()
    expect(page.locator("body")).to_contain_text("2 occurrences are written in lower case")

    # Apply as presented: the name is replaced, the two ordinary words are left waiting.
    page.get_by_role("button", name="Apply: replace and keep as chosen").click()

    expect(page.locator("body")).to_contain_text("1 occurrence replaced in 1 transcript, 0 kept.")
    expect(page.locator(".occurrence")).to_have_count(2)
    assert Interview.objects.get(pk=interview.pk).text == (
        "R1: [co-worker] said we will manage. Nobody will judge."
    )
    assert IdentifierSkip.objects.count() == 0


def test_the_preview_lists_what_was_typed_and_leads_to_where_it_is_edited(
    page, live_server, study, owner
):
    """A listed name in a theme's description refuses the downloads that write it: the
    preview says so in its summary and names them in its own section, whose link opens the
    theme's form."""
    identifier_add(study=study, text="Acme Clinic", replacement="[agency]")
    theme = themes.theme_create(study=study, name="Training", description="Met at Acme Clinic.")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("deidentify_list", args=[study.slug]))
    expect(page.locator("#typed-waiting")).to_contain_text(
        "1 place in what was typed holds a listed string"
    )

    page.get_by_role("link", name="See where").click()
    expect(page.locator("#typed-summary")).to_contain_text(
        "each refuses the downloads that write it"
    )
    expect(page.locator("body")).not_to_contain_text("is waiting: each was replaced or kept")
    places = page.get_by_role("region", name="In what was typed").get_by_role("listitem")
    expect(places).to_have_count(1)
    expect(places.first).to_have_text(
        "The theme “Training”'s description holds “Acme Clinic”: refuses Findings (.docx),"
        " REFI-QDA project (.qdpx), Codebook (.qdc) Keep the theme “Training”'s description as"
        " it is"
    )

    # The owner's link opens the theme's form, its description ready to change.
    places.first.get_by_role("link").click()
    expect(page).to_have_url(live_server.url + reverse("theme_edit", args=[study.slug, theme.pk]))
    expect(page.get_by_label("Description")).to_have_value("Met at Acme Clinic.")


def test_a_false_match_typed_in_a_field_is_kept_and_the_keep_undone(
    page, live_server, study, owner
):
    """ "Hope" listed, and a theme named "Hope and recovery": the owner keeps the name as
    it is, the place is shown kept and the findings download; Undo in the message lists
    it again."""
    identifier_add(study=study, text="Hope", replacement="[co-worker]")
    themes.theme_create(study=study, name="Hope and recovery")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("deidentify_preview", args=[study.slug]))
    typed = page.get_by_role("region", name="In what was typed")
    expect(typed.locator(".typed-place")).to_have_text(
        "The theme “Hope and recovery”'s name holds “Hope”: refuses Findings (.docx), Codebook"
        " (.docx), Coded excerpts (.csv, and the Excerpts page's), Coded excerpts (.xlsx, and"
        " the Excerpts page's), Themes by respondent (.xlsx), REFI-QDA project (.qdpx), Codebook"
        " (.qdc) Keep the theme “Hope and recovery”'s name as it is"
    )

    typed.get_by_role("button", name="Keep the theme “Hope and recovery”'s name as it is").click()

    flash = page.locator("#flash")
    expect(flash).to_contain_text("Kept: the theme “Hope and recovery”'s name holds “Hope”")
    expect(typed.locator(".typed-place")).to_have_count(0)
    expect(typed.locator(".typed-kept")).to_contain_text("holds “Hope”: kept")
    expect(page.locator("#typed-summary")).to_have_count(0)
    findings = page.request.get(live_server.url + reverse("export_findings", args=[study.slug]))
    assert findings.headers["content-disposition"].startswith("attachment")

    flash.get_by_role("button", name="Undo").click()

    # The message's Undo is the history's, as every action's (and Ctrl+Z's).
    expect(page.locator("#flash")).to_contain_text("Undone: Kept: the theme “Hope and recovery”")
    expect(typed.locator(".typed-place")).to_have_count(1)
    expect(typed.locator(".typed-kept")).to_have_count(0)
    expect(page.locator("#typed-summary")).to_contain_text(
        "each refuses the downloads that write it"
    )


def test_ctrl_z_undoes_the_keep_of_a_typed_field(page, live_server, study, owner):
    """A Keep answers Ctrl+Z as every other action: the field is asked about again."""
    themes.theme_create(study=study, name="Hope and recovery")
    identifier_add(study=study, text="Hope", replacement="[co-worker]")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("deidentify_preview", args=[study.slug]))
    page.locator(".typed-place").get_by_role("button", name="Keep").click()
    expect(page.locator("#flash")).to_contain_text("Kept: the theme")
    expect(page.locator(".typed-kept")).to_have_count(1)
    assert TypedKeep.objects.exists()

    page.locator("h1").click()
    page.keyboard.press("Control+z")

    expect(page.locator("#flash")).to_contain_text("Undone: Kept: the theme")
    expect(page.locator(".typed-place")).to_have_count(1)
    assert not TypedKeep.objects.exists()

"""The de-identification pages: the list, its suggestions, and the preview where the owner
replaces or keeps each occurrence."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coding import services as coding
from coding.models import Excerpt, ExcerptStatus
from interviews import deidentify
from interviews import services as interviews
from interviews.models import Identifier, IdentifierSkip, Interview

from ..conftest import client_for, code_span, import_text

TEXT = (
    "R1: My supervisor Maria helped. Later maria left the Brookside shelter.\n\nR1: Maria again."
)


@pytest.fixture
def maria(study):
    return interviews.identifier_add(study=study, text="Maria", replacement="[supervisor]")


def test_an_owner_adds_a_string_and_sees_it_listed(study, owner):
    url = reverse("deidentify_list", args=[study.slug])
    response = client_for(owner).post(
        url, {"text": "Maria Lopez", "variants": "Maria\r\nMs Lopez", "replacement": "[sup]"}
    )
    assert response.status_code == 302
    identifier = Identifier.objects.get(study=study)
    assert identifier.forms == ["Maria Lopez", "Maria", "Ms Lopez"]
    page = client_for(owner).get(url).content.decode()
    assert "Maria Lopez" in page
    assert "[sup]" in page


def test_a_bad_entry_is_refused_with_its_reason_and_kept_in_the_form(study, owner, maria):
    url = reverse("deidentify_list", args=[study.slug])
    response = client_for(owner).post(url, {"text": "MARIA", "replacement": "[x]"})
    assert response.status_code == 400
    assert "“<bdi>MARIA</bdi>” is already in this study&#x27;s list." in response.content.decode()
    assert Identifier.objects.count() == 1


def test_a_reviewer_reads_the_list_without_forms_or_suggestions(study, reviewer, maria):
    import_text(study, TEXT)
    page = client_for(reviewer).get(reverse("deidentify_list", args=[study.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "[supervisor]" in html
    assert 'name="replacement"' not in html
    assert "Brookside" not in html  # suggestions are the owner's


def test_suggestions_show_names_the_transcripts_never_write_in_lower_case(study, owner, maria):
    import_text(study, TEXT)
    html = client_for(owner).get(reverse("deidentify_list", args=[study.slug])).content.decode()
    assert "?text=Brookside#add" in html
    assert "?text=Maria" not in html  # already listed


def test_suggestions_show_a_name_after_a_title_whole_and_an_agency_once(study, owner):
    import_text(
        study, "R1: I learned from my supervisor, Dr. Maria Lopez at Riverside Recovery Center."
    )
    html = client_for(owner).get(reverse("deidentify_list", args=[study.slug])).content.decode()
    suggested = re.findall(r'href="\?text=([^"]*)#add"', html)
    assert suggested == ["Maria%20Lopez", "Riverside%20Recovery%20Center"]


def test_user_text_is_escaped_in_the_preview(study, owner):
    import_text(study, "R1: I met <b>Bob</b> at work.")
    interviews.identifier_add(study=study, text="Bob", replacement="<script>x</script>")
    html = client_for(owner).get(reverse("deidentify_preview", args=[study.slug])).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x" not in html
    assert "&lt;b&gt;<mark>Bob</mark>&lt;/b&gt;" in html


def test_the_owner_replaces_some_and_keeps_others_in_one_post(study, owner, maria, code):
    interview = import_text(study, TEXT)
    excerpt = code_span(interview, "My supervisor Maria helped.", [code], owner)
    waiting = deidentify.study_occurrences(study=study)
    keep = waiting[1].key
    data = {f"o-{o.key}": "keep" if o.key == keep else "replace" for o in waiting}
    client = client_for(owner)
    response = client.post(reverse("deidentify_preview", args=[study.slug]), data)
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.text == TEXT.replace("Maria", "[supervisor]")
    assert IdentifierSkip.objects.count() == 1
    excerpt = Excerpt.objects.get(pk=excerpt.pk)
    assert excerpt.status == ExcerptStatus.CHANGED
    assert excerpt.text == "My supervisor [supervisor] helped."
    page = client.get(response["Location"]).content.decode()
    assert "2 occurrences replaced in 1 transcript, 1 kept." in page
    assert "1 excerpt whose words changed is marked for review" in page
    assert "No occurrence of the listed words is waiting" in page


def test_a_stale_choice_is_refused_and_nothing_is_replaced(study, owner, maria):
    interview = import_text(study, TEXT)
    data = {f"o-{o.key}": "replace" for o in deidentify.study_occurrences(study=study)}
    Interview.objects.filter(pk=interview.pk).update(version=5)
    response = client_for(owner).post(
        reverse("deidentify_preview", args=[study.slug]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert "nothing was replaced" in response.content.decode()
    assert Interview.objects.get(pk=interview.pk).text == TEXT


def test_applying_reads_the_transcripts_once(study, owner, maria):
    """The occurrences the choices are checked against are those replaced: one read of the
    transcripts' texts (held until the apply is saved), not one for the form, one for the
    check and one for the replacing."""
    for n in range(3):
        import_text(study, TEXT, name=f"R{n + 1}.txt")
    data = {f"o-{o.key}": "replace" for o in deidentify.study_occurrences(study=study)}
    with CaptureQueriesContext(connection) as queries:
        response = client_for(owner).post(reverse("deidentify_preview", args=[study.slug]), data)
    assert response.status_code == 302
    text = connection.ops.quote_name("text")
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and f'"interviews_interview".{text}' in q["sql"]
    ]
    assert len(reads) == 1, reads
    assert set(Interview.objects.values_list("text", flat=True)) == {
        TEXT.replace("Maria", "[supervisor]").replace("maria", "[supervisor]")
    }


def test_a_transcript_edited_since_the_preview_refuses_the_apply(study, owner, maria):
    interview = import_text(study, TEXT)
    data = {f"o-{o.key}": "replace" for o in deidentify.study_occurrences(study=study)}
    # Someone else corrects the transcript while the preview is open.
    edited = TEXT.replace("helped", "helped me")
    coding.transcript_edit(interview=interview, text=edited, version=interview.version)
    response = client_for(owner).post(
        reverse("deidentify_preview", args=[study.slug]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert (
        "The transcripts or the list changed since this page was shown, so nothing was "
        "replaced or skipped. Reload the page to see the occurrences as they are now."
    ) in response.content.decode()
    assert Interview.objects.get(pk=interview.pk).text == edited
    assert not IdentifierSkip.objects.exists()


def test_a_stale_apply_from_a_plain_form_goes_back_to_the_page_with_its_message(
    study, owner, maria
):
    """Apply in a second tab after the first applied: without htmx the refusal is the
    review page again with the message, not the bare message."""
    interview = import_text(study, TEXT)
    data = {f"o-{o.key}": "replace" for o in deidentify.study_occurrences(study=study)}
    Interview.objects.filter(pk=interview.pk).update(version=5)
    url = reverse("deidentify_preview", args=[study.slug])
    client = client_for(owner)
    response = client.post(url, data, headers={"Referer": f"http://testserver{url}"})
    assert response.status_code == 302
    assert response["Location"] == f"http://testserver{url}"
    page = client.get(response["Location"]).content.decode()
    assert 'class="topbar"' in page
    assert "nothing was replaced" in page
    assert Interview.objects.get(pk=interview.pk).text == TEXT


def test_an_empty_post_says_what_to_do(study, owner, maria):
    import_text(study, TEXT)
    response = client_for(owner).post(
        reverse("deidentify_preview", args=[study.slug]), {}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "Choose, for at least one occurrence" in response.content.decode()


def test_file_names_are_offered_to_writers_but_never_shown_to_reviewers(
    study, owner, reviewer, maria
):
    import_text(study, "R1: Nothing here.", name="R1 Maria.txt")
    url = reverse("deidentify_preview", args=[study.slug])
    assert "R1 <mark>Maria</mark>.txt" in client_for(owner).get(url).content.decode()
    assert "Maria" not in client_for(reviewer).get(url).content.decode()


@pytest.mark.parametrize("transcripts", [1, 4])
def test_the_preview_takes_the_same_queries_whatever_the_number_of_transcripts(
    study, owner, maria, transcripts, django_assert_num_queries
):
    for n in range(transcripts):
        import_text(study, TEXT, name=f"R{n + 1}.txt")
    client = client_for(owner)
    url = reverse("deidentify_preview", args=[study.slug])
    # Session, user, membership with study; the list, the skips, the transcripts; their
    # names (title, date, import date: Interview.display_name), and the import times of
    # their respondents' untitled, undated interviews (interviews_named: imported ones are);
    # the typed fields' UNION (themes.identifying.study_typed_places).
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.content.decode().count('<li class="occurrence') == 3 * transcripts


def test_an_import_is_checked_against_the_list_before_it_is_saved(study, owner, maria):
    client = client_for(owner)
    upload = SimpleUploadedFile("R2 Maria.txt", TEXT.encode())
    response = client.post(reverse("transcript_import", args=[study.slug]), {"files": upload})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "This file holds words on the study's de-identification list" in html
    assert "“<bdi>Maria</bdi>” 3 times in the text and in the file name" in html
    assert not Interview.objects.exists()


def test_excerpts_marked_by_a_deidentification_can_be_filtered(study, owner, maria, code):
    interview = import_text(study, TEXT)
    marked = code_span(interview, "My supervisor Maria helped.", [code], owner)
    other = code_span(interview, "the Brookside shelter", [code], owner)
    waiting = deidentify.study_occurrences(study=study)
    interviews.deidentification_apply(study=study, decisions={o.key: True for o in waiting})
    url = reverse("retrieve", args=[study.slug])
    shown = client_for(owner).get(url, {"review": "on"}).content.decode()
    assert f'id="result-{marked.pk}"' in shown
    assert f'id="result-{other.pk}"' not in shown
    every = client_for(owner).get(url, {"code": code.pk}).content.decode()
    assert f'id="result-{other.pk}"' in every


@pytest.mark.parametrize(
    ("listed", "words", "ordinary"),
    [
        (["Will"], "will", True),
        (["Will"], "Will", False),
        (["Will"], "WILL", False),
        (["maria"], "maria", False),  # typed in lower case: the researcher means it so
        (["Maria Lopez", "lopez"], "lopez", False),
        (["Maria Lopez", "Lopez"], "maria lopez", True),
        (["Straße"], "strasse", True),
    ],
)
def test_an_occurrence_in_lower_case_of_a_capitalised_form_may_be_an_ordinary_word(
    listed, words, ordinary
):
    assert deidentify.ordinary_word(words, listed) is ordinary


def test_the_preview_leaves_lower_case_occurrences_of_a_name_unchosen(study, owner):
    interviews.identifier_add(study=study, text="Will", replacement="[co-worker]")
    import_text(study, "R1: Will said we will manage.")
    html = client_for(owner).get(reverse("deidentify_preview", args=[study.slug])).content
    html = html.decode()
    assert html.count('value="replace" checked') == 1
    assert 'value="keep" checked' not in html
    assert "1 occurrence is written in lower case where the list has a capital" in html


@pytest.mark.parametrize("strings", [1, 4])
def test_the_preview_says_where_each_listed_string_is_found_or_that_it_is_nowhere(
    study, owner, maria, strings, django_assert_num_queries
):
    """ "Ms Jones", in no transcript but typed in two places (a code's name and a theme's
    description), had no count at all: a string found nowhere (a typo in the list?) did
    not show. Each listed string now says how often the transcripts hold it, how much of
    that waits, and in how many typed places, 0 said too; in the same queries whatever
    the number of strings."""
    from themes import services as themes

    import_text(study, TEXT, name="R1.txt")
    [first, *_] = deidentify.study_occurrences(study=study)
    interviews.deidentification_apply(study=study, decisions={first.key: False})
    interviews.identifier_add(study=study, text="Ms Jones", replacement="[teacher]")
    for n in range(strings - 1):
        interviews.identifier_add(study=study, text=f"Nobody{n}", replacement="[x]")
    coding.code_create(study=study, name="Ms Jones's class")
    themes.theme_create(study=study, name="Training", description="Taught by Ms Jones.")
    client = client_for(owner)
    # Session, user, membership with study; the list, the skips, the transcripts; their
    # names, and the import times of untitled, undated interviews; the typed fields'
    # UNION, and the fields kept (themes.identifying.typed_fields): as without the counts.
    with django_assert_num_queries(10):
        html = client.get(reverse("deidentify_preview", args=[study.slug])).content.decode()
    said = html[html.index('id="where-listed"') :]
    said = said[: said.index("</section>")]
    assert "“<bdi>Maria</bdi>”: 3 occurrences in 1 transcript, 2 of them waiting; in no " in said
    assert "“<bdi>Ms Jones</bdi>”: in no transcript; in 2 typed places." in said
    for n in range(strings - 1):
        assert f"“<bdi>Nobody{n}</bdi>”: in no transcript; in no typed place." in said

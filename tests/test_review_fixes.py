"""Defects found in review, each pinned by the behaviour a user relies on."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from coding import services as coding
from coding.models import Code, Excerpt
from interviews import services as interviews
from interviews.errors import Conflict
from interviews.models import Interview
from interviews.naming import tree_order
from interviews.views.transcripts import _contents
from tests.conftest import HTMX, client_for, code_span
from themes import services as themes
from themes.exports import findings_docx
from themes.models import Theme
from themes.rollup import study_rollup


def test_quote_order_buttons_move_the_quote_they_show(study, themed, owner):
    training = themed["training"]
    second = themed["excerpts"][1]
    themes.quote_add(theme=training, excerpt=second)
    client = client_for(owner)
    page = client.get(reverse("theme_detail", args=[study.slug, training.pk])).content.decode()
    # The last quote's "up" button, as the page renders it.
    actions = re.findall(r'hx-post="([^"]*/quotes/\d+/move/)"', page)
    client.post(actions[-1], {"to": "up"}, headers=HTMX)
    order = list(training.quotes.order_by("order").values_list("excerpt_id", flat=True))
    withdrawn = themed["excerpts"][2].pk  # left out of the findings, keeps its place
    assert [pk for pk in order if pk != withdrawn] == [second.pk, themed["excerpts"][0].pk]


def test_a_second_save_after_a_conflict_is_refused_too(study, code, owner, coder):
    edit = reverse("code_edit", args=[study.slug, code.pk])
    stale = code.revision
    client_for(coder).post(edit, {"name": "Theirs", "revision": stale}, headers=HTMX)
    mine = client_for(owner)
    first = mine.post(edit, {"name": "Mine", "revision": stale}, headers=HTMX).content.decode()
    assert f'name="revision" value="{stale}"' in first
    mine.post(edit, {"name": "Mine", "revision": stale}, headers=HTMX)
    assert Code.objects.get(pk=code.pk).name == "Theirs"


def test_a_second_theme_save_after_a_conflict_is_refused_too(study, themed, owner, coder):
    training = themed["training"]
    edit = reverse("theme_edit", args=[study.slug, training.pk])
    stale = training.revision
    client_for(coder).post(edit, {"name": "Theirs", "revision": stale}, headers=HTMX)
    for _ in range(2):
        client_for(owner).post(edit, {"name": "Mine", "revision": stale}, headers=HTMX)
    assert Theme.objects.get(pk=training.pk).name == "Theirs"


def test_a_second_transcript_save_after_a_conflict_is_refused_too(interview, owner):
    url = reverse("transcript_text", args=[interview.study.slug, interview.pk])
    coding.transcript_edit(interview=interview, text=interview.text + " Theirs.", version=1)
    client = client_for(owner)
    page = client.post(url, {"text": "Mine", "version": 1})
    assert page.status_code == 409
    html = page.content.decode()
    assert 'name="version" value="1"' in html
    assert "Theirs." in html, "the version saved meanwhile is shown"
    assert client.post(url, {"text": "Mine", "version": 1}).status_code == 409
    assert Interview.objects.get(pk=interview.pk).text.endswith("Theirs.")


def test_an_edit_of_the_text_between_check_and_write_is_caught(interview, code):
    """The version is checked again inside the transaction that writes the excerpt."""
    stale = Interview.objects.get(pk=interview.pk)
    coding.transcript_edit(interview=interview, text="Intro.\n" + interview.text, version=1)
    start = stale.text.index("Café")
    with pytest.raises(Conflict):
        coding.excerpt_create(
            interview=stale,
            coder=None,
            start=start,
            end=start + 4,
            seen_text="Café",
            version=stale.version,
            codes=[code],
        )
    assert not Excerpt.objects.exists()


def test_a_memo_saved_from_a_stale_panel_is_refused_and_the_draft_kept(excerpt, owner):
    url = reverse("excerpt_memo", args=[excerpt.interview.study.slug, excerpt.pk])
    stale = excerpt.revision
    coding.excerpt_memo_set(excerpt=excerpt, memo="Theirs", revision=stale)
    response = client_for(owner).post(url, {"memo": "My draft", "revision": stale}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "My draft</textarea>" in html
    assert "Saved meanwhile by someone else: <q>Theirs</q>" in html
    assert f'name="revision" value="{stale + 1}"' in html
    assert Excerpt.objects.get(pk=excerpt.pk).memo == "Theirs"


def test_coding_an_existing_span_again_does_not_duplicate_its_entry(interview, code, owner):
    url = reverse("excerpt_create", args=[interview.study.slug, interview.pk])
    start = interview.text.index("Café regulars")
    data = {"start": start, "end": start + 13, "text": "Café regulars", "version": 1}
    client = client_for(owner)
    first = client.post(url, {**data, "code": code.pk}, headers=HTMX).content.decode()
    assert "beforeend:#excerpt-list" in first
    other = coding.code_create(study=interview.study, name="Other")
    again = client.post(url, {**data, "code": other.pk}, headers=HTMX).content.decode()
    assert "beforeend:#excerpt-list" not in again
    assert 'hx-swap-oob="true"' in again


def test_a_refused_selection_creates_no_code(interview, owner):
    url = reverse("excerpt_create", args=[interview.study.slug, interview.pk])
    data = {"start": 0, "end": 5, "text": "wrong", "version": 1, "new_code": "Fresh"}
    response = client_for(owner).post(url, data, headers=HTMX)
    assert response.status_code == 409
    assert not Code.objects.filter(name="Fresh").exists()


def test_malformed_ids_are_refused_not_crashing(study, themed, code, owner):
    client = client_for(owner)
    merge = reverse("code_merge", args=[study.slug, code.pk])
    assert client.post(merge, {"into": "abc"}, headers=HTMX).status_code == 400
    attach = reverse("theme_codes", args=[study.slug, themed["training"].pk])
    assert client.post(attach, {"code": "abc"}, headers=HTMX).status_code == 400


def test_names_are_unique_whatever_the_case_beyond_ascii(study):
    coding.code_create(study=study, name="Émotion")
    with pytest.raises(ValidationError, match="already a code called “Émotion”"):
        coding.code_create(study=study, name="émotion")
    interviews.respondent_create(study=study, pseudonym="Ána")
    with pytest.raises(ValidationError, match="already has a respondent"):
        interviews.respondent_create(study=study, pseudonym="ána")
    assert coding.code_get_or_create(study=study, name="ÉMOTION").name == "Émotion"


def test_words_removed_from_a_transcript_are_never_counted_or_exported(study, themed):
    first = themed["excerpts"][0]
    interview = first.interview
    coding.transcript_edit(
        interview=interview, text=interview.text.replace("About six years now.", ""), version=1
    )
    first.refresh_from_db()
    assert (first.status, first.text) == ("orphaned", "")
    rollup = study_rollup(study)
    assert first.pk not in rollup.theme(themed["training"].pk).excerpt_ids
    document = docx.Document(io.BytesIO(findings_docx(study=study)))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "About six years" not in text


def test_a_quote_no_longer_under_its_theme_leaves_the_findings(study, themed, owner):
    training, learning = themed["training"], themed["codes"][0]
    themes.theme_code_detach(theme=training, code=learning)
    html = client_for(owner).get(reverse("theme_detail", args=[study.slug, training.pk]))
    assert "no longer carries any of the theme" in html.content.decode()
    document = docx.Document(io.BytesIO(findings_docx(study=study)))
    assert not [p for p in document.paragraphs if p.style.name == "Quote"]


def test_question_markers_stay_on_their_turn_after_an_edit(interview):
    text = interview.text.replace("Interviewer: What type", "[00:12:31] Interviewer: What type")
    coding.transcript_edit(interview=interview, text=text, version=1)
    second = interview.segments.get(question__number=2)
    assert interview.text[second.start :].startswith("[00:12:31] Interviewer: What type")
    assert second.start in {turn[0] for turn in interview.turns}


def test_deleted_excerpts_are_erased_after_the_bins_retention(interview, code, settings):
    old = code_span(interview, "About six years", [code])
    coding.excerpt_delete(excerpt=old)
    days = settings.EXCERPTA_BIN_DAYS + 1
    Excerpt.all_objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=days))
    recent = code_span(interview, "Café regulars", [code])
    coding.excerpt_delete(excerpt=recent)
    assert not Excerpt.all_objects.filter(pk=old.pk).exists()
    assert Excerpt.all_objects.filter(pk=recent.pk).exists()


def test_an_oversized_upload_is_refused_without_being_read(study, owner, settings):
    settings.EXCERPTA_MAX_UPLOAD_BYTES = 100
    client = client_for(owner)
    response = client.post(
        reverse("transcript_import", args=[study.slug]),
        {"files": [SimpleUploadedFile("R1.txt", b"x" * 500)]},
        headers=HTMX,
    )
    preview = client.get(response["HX-Redirect"]).content.decode()
    assert "R1.txt: refused: it is 0.0 MB, over the 0.0 MB limit" in preview

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("an upload over the limit must not be read")

    [(name, content)] = list(_contents([Unreadable("R2.txt", b"y" * 500)]))
    assert (name, content.size) == ("R2.txt", 500)


def test_trees_with_a_cycle_lose_no_node():
    items = [(1, 2), (2, 1), (3, None)]
    ordered = tree_order(items, id_of=lambda i: i[0], parent_of=lambda i: i[1])
    assert sorted(item[0] for item, _ in ordered) == [1, 2, 3]


def test_only_owners_remove_themes(study, themed, coder):
    training = themed["training"]
    response = client_for(coder).post(reverse("theme_delete", args=[study.slug, training.pk]))
    assert response.status_code == 403
    assert Theme.objects.filter(pk=training.pk).exists()

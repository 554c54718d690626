from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from interviews import services
from interviews.models import Interview, Study
from tests.conftest import HTMX, TRANSCRIPT, client_for, import_text


def test_the_home_page_lists_only_my_studies(
    study, other_study, owner, django_assert_max_num_queries
):
    client = client_for(owner)
    services.study_create(title="Second study", owner=owner)
    # session, user, memberships with their counts
    with django_assert_max_num_queries(3):
        html = client.get(reverse("study_list")).content.decode()
    assert "Harm reduction" in html
    assert "Second study" in html
    assert other_study.title not in html


def test_anyone_logged_in_can_start_a_study(stranger):
    client = client_for(stranger)
    response = client.post(reverse("study_create"), {"title": "My thesis"})
    study = Study.objects.get(title="My thesis")
    assert response["Location"] == reverse("protocol", args=[study.slug])
    assert study.memberships.get().user == stranger


def test_every_page_needs_a_login(study):
    response = Client().get(reverse("study_detail", args=[study.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_overview_lists_interviews_with_progress(
    study, interview, owner, django_assert_max_num_queries
):
    import_text(study, name="R2-interview.txt")
    client = client_for(owner)
    # session, user, study+role, interviews with counts, respondent counts, questions, codes
    with django_assert_max_num_queries(7):
        html = client.get(reverse("study_detail", args=[study.slug])).content.decode()
    assert "R1-interview.txt" in html
    assert "R2-interview.txt" in html
    assert "2 of 2" in html


def test_protocol_questions_are_added_edited_and_moved_in_place(study, owner):
    client = client_for(owner)
    url = reverse("protocol", args=[study.slug])
    fragment = client.post(url, {"text": "What support do you get?"}, headers=HTMX)
    html = fragment.content.decode()
    assert "<html" not in html
    assert "Q3" in html
    assert "What support do you get?" in html
    third = study.questions.get(number=3)
    edit = reverse("question_edit", args=[study.slug, third.pk])
    response = client.post(edit, {"text": "What support, from whom?"}, headers=HTMX)
    assert response["HX-Retarget"] == "#question-section"
    client.post(reverse("question_move", args=[study.slug, third.pk]), {"to": "up"}, headers=HTMX)
    assert study.questions.get(pk=third.pk).number == 2
    response = client.post(edit, {"text": "  "}, headers=HTMX)
    assert "This field is required." in response.content.decode()


def test_a_duplicate_pseudonym_is_refused_and_the_row_is_kept(study, owner):
    client = client_for(owner)
    url = reverse("respondents", args=[study.slug])
    client.post(url, {"pseudonym": "R1", "attr-0": "4"}, headers=HTMX)
    response = client.post(url, {"pseudonym": "r1", "attr-0": "12"}, headers=HTMX)
    html = response.content.decode()
    assert "already has a respondent called “r1”" in html
    assert 'value="r1"' in html
    assert 'value="12"' in html
    assert study.respondents.count() == 1


def test_respondents_are_edited_and_withdrawn_in_their_row(study, owner):
    respondent = services.respondent_create(study=study, pseudonym="R1")
    client = client_for(owner)
    edit = reverse("respondent_edit", args=[study.slug, respondent.pk])
    assert 'name="pseudonym"' in client.get(edit, headers=HTMX).content.decode()
    row = client.post(edit, {"pseudonym": "R1", "attr-0": "7"}, headers=HTMX).content.decode()
    assert row.lstrip().startswith(f'<tr id="respondent-{respondent.pk}"')
    respondent.refresh_from_db()
    assert respondent.attributes == {"Years of experience": 7}
    withdraw = reverse("respondent_withdraw", args=[study.slug, respondent.pk])
    assert "Withdrawn" in client.post(withdraw, headers=HTMX).content.decode()
    respondent.refresh_from_db()
    assert respondent.withdrawn_at is not None
    client.post(withdraw, {"reinstate": "1"}, headers=HTMX)
    respondent.refresh_from_db()
    assert respondent.withdrawn_at is None


def test_an_upload_imports_the_good_files_and_names_the_bad(study, owner):
    files = [
        SimpleUploadedFile("R2-interview.txt", TRANSCRIPT.encode("utf-16")),
        SimpleUploadedFile("R3.docx", b"not really a docx"),
        SimpleUploadedFile("R4.pdf", b"%PDF"),
    ]
    response = client_for(owner).post(
        reverse("transcript_import", args=[study.slug]), {"files": files}, headers=HTMX
    )
    html = response.content.decode()
    assert "1 imported, 2 refused" in html
    assert "R3.docx: refused: it is not a valid Word document" in html
    assert "R4.pdf: refused: it is not a .txt or .docx file." in html
    interview = Interview.objects.get()
    assert interview.respondent.pseudonym == "R2"
    assert interview.source_encoding == "UTF-16 LE"


def test_an_upload_without_files_says_so(study, owner):
    response = client_for(owner).post(
        reverse("transcript_import", args=[study.slug]), {}, headers=HTMX
    )
    assert "Choose at least one file to import." in response.content.decode()


def test_question_markers_are_corrected_by_hand(interview, owner, study):
    first, second = study.questions.all()
    url = reverse("interview_questions", args=[study.slug, interview.pk])
    client = client_for(owner)
    html = client.get(url).content.decode()
    assert "How long have you been implementing" in html
    second_turn = interview.turns[2][0]
    client.post(url, {"turn-0": str(second.pk), f"turn-{second_turn}": ""})
    assert [(s.question_id, s.start) for s in interview.segments.all()] == [(second.pk, 0)]
    response = client.post(url, {"turn-0": str(first.pk), f"turn-{second_turn}": str(first.pk)})
    assert response.status_code == 302
    assert [(s.question_id, s.start) for s in interview.segments.all()] == [(second.pk, 0)]


def test_deleting_an_interview_needs_the_pseudonym_typed(interview, owner, study):
    client = client_for(owner)
    url = reverse("interview_delete", args=[study.slug, interview.pk])
    client.post(url, {"confirm": "R2"})
    assert Interview.objects.filter(pk=interview.pk).exists()
    response = client.post(url, {"confirm": "R1"})
    assert response["Location"] == reverse("study_detail", args=[study.slug])
    assert not Interview.objects.filter(pk=interview.pk).exists()


@pytest.mark.parametrize("role", ["owner", "coder"])
def test_writers_see_the_forms_and_reviewers_do_not(study, role, owner, coder, reviewer):
    users = {"owner": owner, "coder": coder}
    url = reverse("respondents", args=[study.slug])
    assert "Add a respondent" in client_for(users[role]).get(url).content.decode()
    assert "Add a respondent" not in client_for(reviewer).get(url).content.decode()

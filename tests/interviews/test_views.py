from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from interviews import services
from interviews.models import Interview, Role, Study
from tests.conftest import HTMX, client_for, code_span, import_text, make_user
from themes import services as themes


def test_the_home_page_lists_only_my_studies(study, other_study, owner, django_assert_num_queries):
    client = client_for(owner)
    services.study_create(title="Second study", owner=owner)
    # session, user, invitations to answer, memberships, their studies' respondent and
    # interview counts (interviews.counts)
    with django_assert_num_queries(5):
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
    study, interview, owner, django_assert_num_queries
):
    import_text(study, name="R2-interview.txt")
    client = client_for(owner)
    # session, user, study+role, interviews with counts, respondent counts, questions, codes
    with django_assert_num_queries(7):
        html = client.get(reverse("study_detail", args=[study.slug])).content.decode()
    assert "R1-interview.txt" in html
    assert "R2-interview.txt" in html
    assert "2 of 2" in html


def test_reviewers_never_see_uploaded_file_names(study, reviewer, coder):
    """A file name may hold a participant's real name (issue 7, item 13)."""
    interview = import_text(study, name="R1 Maria Lopez 2026-03-02.txt")
    urls = [
        reverse("study_detail", args=[study.slug]),
        reverse("interview_edit", args=[study.slug, interview.pk]),
        reverse("interview_code", args=[study.slug, interview.pk]),
        reverse("interview_questions", args=[study.slug, interview.pk]),
    ]
    for url in urls:
        assert "Lopez" not in client_for(reviewer).get(url).content.decode(), url
    assert "Lopez" in client_for(coder).get(urls[1]).content.decode()


@pytest.mark.parametrize(
    "export",
    [
        "export_findings",
        "export_codebook",
        "export_excerpts_csv",
        "export_excerpts_xlsx",
        "export_matrix_xlsx",
    ],
)
def test_no_export_holds_an_uploaded_file_name(study, owner, code, export):
    interview = import_text(study, name="R1 Maria Lopez 2026-03-02.txt")
    code_span(interview, "the ones nobody else will see", [code], owner)
    # A theme gathering the code: without one, the findings have no theme to report and the
    # themes by respondent workbook is not served (nothing to count), so nothing is checked.
    themes.theme_code_attach(theme=themes.theme_create(study=study, name="Support"), code=code)
    response = client_for(owner).get(reverse(export, args=[study.slug]))
    assert response.status_code == 200
    raw = b"".join(response)
    if raw.startswith(b"PK"):  # .docx and .xlsx: every part of the zip, as text
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            raw = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Lopez" not in raw
    assert b"2026-03-02" not in raw


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


def test_a_question_the_protocol_asks_already_is_refused_keeping_what_was_typed(study, owner):
    """The same question twice (as names compare: case, spacing and look-alike letters
    aside) made an import count it twice ("10 of 13 protocol questions found")."""
    client = client_for(owner)
    url = reverse("protocol", args=[study.slug])
    typed = "  how LONG have you been implementing harm  reduction in your practice？"
    for headers in (HTMX, {}):
        response = client.post(url, {"text": typed, "topic": "Experience"}, headers=headers)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Q1 already asks this question: the protocol asks each question once." in html
        assert typed.strip() in html
        assert 'value="Experience"' in html
    assert study.questions.count() == 2


def test_a_question_edited_into_another_ones_words_is_refused_keeping_them(study, owner):
    first, second = study.questions.all()
    client = client_for(owner)
    edit = reverse("question_edit", args=[study.slug, second.pk])
    response = client.post(edit, {"text": first.text.upper(), "topic": "Clients"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Q1 already asks this question: the protocol asks each question once." in html
    assert f'<li id="question-{second.pk}" class="editing">' in html
    assert first.text.upper() in html
    assert 'value="Clients"' in html
    second.refresh_from_db()
    assert second.text.startswith("In your experience")
    # Its own words, in other letters' case, are its own: saved.
    client.post(edit, {"text": second.text.upper()}, headers=HTMX)
    second.refresh_from_db()
    assert second.text == second.text.upper()


def test_a_move_that_says_neither_up_nor_down_is_refused_with_a_message(study, owner):
    first, second = study.questions.all()
    url = reverse("question_move", args=[study.slug, second.pk])
    for data in ({}, {"to": "sideways"}):
        response = client_for(owner).post(url, data, headers=HTMX)
        assert response.status_code == 400
        assert "Say which way to move it: up or down." in response.content.decode()
    assert list(study.questions.all()) == [first, second]


def test_removing_a_column_the_study_does_not_record_says_so(study, owner):
    url = reverse("attribute_remove", args=[study.slug])
    response = client_for(owner).post(url, {"name": "Agency"}, headers=HTMX)
    assert response.status_code == 400
    assert "That column is no longer recorded." in response.content.decode()
    study.refresh_from_db()
    assert study.attribute_names == ["Years of experience"]
    # Without htmx, back to the table saying so: the column was picked, nothing typed.
    response = client_for(owner).post(url, {"name": "Agency"}, follow=True)
    assert response.redirect_chain == [(reverse("respondents", args=[study.slug]), 302)]
    assert "That column is no longer recorded." in response.content.decode()
    assert "What you typed was not saved" not in response.content.decode()


def test_a_respondent_row_with_a_value_too_long_keeps_what_was_typed(study, owner):
    url = reverse("respondents", args=[study.slug])
    data = {"pseudonym": "R1", "attr-0": "9" * 2001}
    html = client_for(owner).post(url, data, headers=HTMX).content.decode()
    assert "Ensure this value has at most 2000 characters" in html
    assert 'value="R1"' in html
    assert not study.respondents.exists()


@pytest.mark.parametrize("typed", ["R\u200b1", "R1\u200d", "R\u20601", "\u202eR1\u202c"])
def test_a_pseudonym_that_reads_as_one_there_is_refused(study, owner, typed):
    """Invisible characters do not make another pseudonym: the typed one reads "R1"."""
    client = client_for(owner)
    url = reverse("respondents", args=[study.slug])
    client.post(url, {"pseudonym": "R1"}, headers=HTMX)
    html = client.post(url, {"pseudonym": typed}, headers=HTMX).content.decode()
    assert "already has a respondent called “<bdi>R1</bdi>”" in html
    assert list(study.respondents.values_list("pseudonym", flat=True)) == ["R1"]


def test_a_duplicate_pseudonym_is_refused_and_the_row_is_kept(study, owner):
    client = client_for(owner)
    url = reverse("respondents", args=[study.slug])
    client.post(url, {"pseudonym": "R1", "attr-0": "4"}, headers=HTMX)
    response = client.post(url, {"pseudonym": "r1", "attr-0": "12"}, headers=HTMX)
    html = response.content.decode()
    assert "already has a respondent called “<bdi>r1</bdi>”" in html
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


def test_a_question_edited_without_javascript_stays_on_the_whole_protocol_page(study, owner):
    """The Edit link and the form posted without htmx: the protocol page with the form in
    the question's place (with its errors when refused), then back to the page with what
    was saved said in a flash, never the form's bare fragment."""
    question = study.questions.first()
    client = client_for(owner)
    edit = reverse("question_edit", args=[study.slug, question.pk])
    for response in (client.get(edit), client.post(edit, {"text": ""})):
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" in html
        assert f'<li id="question-{question.pk}" class="editing">' in html
        assert html.count('class="qnum"') == study.questions.count()
    assert "This field is required." in html
    response = client.post(edit, {"text": "How long, <b>really</b>?"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(reverse("protocol", args=[study.slug]), 302)]
    assert f"Q{question.number} saved." in html
    assert "How long, &lt;b&gt;really&lt;/b&gt;?" in html


def test_a_respondent_edited_without_javascript_stays_on_the_whole_table(study, owner):
    """The row's Edit link and form posted without htmx: the respondents page with the row
    as its form (with its errors when refused), then back to the table with a flash."""
    first = services.respondent_create(study=study, pseudonym="R1")
    services.respondent_create(study=study, pseudonym="R2")
    client = client_for(owner)
    edit = reverse("respondent_edit", args=[study.slug, first.pk])
    refused = client.post(edit, {"pseudonym": "r2"})
    for response in (client.get(edit), refused):
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" in html
        assert html.count('<form class="row-form"') == 1
        assert f'action="{edit}"' in html
        assert "R2</th>" in html  # the other rows are shown as they are
    assert "already has a respondent called “<bdi>r2</bdi>”" in refused.content.decode()
    response = client.post(edit, {"pseudonym": "<i>R1b</i>"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(reverse("respondents", args=[study.slug]), 302)]
    assert "<bdi>&lt;i&gt;R1b&lt;/i&gt;</bdi> saved." in html
    first.refresh_from_db()
    assert first.pseudonym == "<i>R1b</i>"


def plain_post(client, url, data=None) -> tuple[str, str]:
    """A form posted without htmx: (where it was sent back to, the page's text there)."""
    response = client.post(url, data or {}, follow=True)
    assert [status for _, status in response.redirect_chain] == [302]
    return response.redirect_chain[0][0], response.content.decode()


def test_the_protocol_s_forms_without_javascript_go_back_to_the_page_saying_what_was_done(
    study, owner
):
    client = client_for(owner)
    page = reverse("protocol", args=[study.slug])
    assert plain_post(client, page, {"text": "What else?"})[0] == page
    _, html = plain_post(client, page, {"text": "And then?"})
    assert "Q4 added." in html
    last = study.questions.get(number=4)
    _, html = plain_post(
        client, reverse("question_move", args=[study.slug, last.pk]), {"to": "up"}
    )
    assert "Q4 moved up." in html
    assert study.questions.get(pk=last.pk).number == 3
    _, html = plain_post(client, reverse("question_delete", args=[study.slug, last.pk]))
    assert "Q3 deleted; the questions after it are renumbered." in html
    assert [q.text for q in study.questions.all()][-1] == "What else?"


def test_the_respondents_forms_without_javascript_go_back_to_the_table_saying_what_was_done(
    study, owner
):
    client = client_for(owner)
    table = reverse("respondents", args=[study.slug])
    where, html = plain_post(client, table, {"pseudonym": "<b>R9</b>"})
    assert where == table
    assert "<bdi>&lt;b&gt;R9&lt;/b&gt;</bdi> added." in html
    r9 = study.respondents.get()
    withdraw = reverse("respondent_withdraw", args=[study.slug, r9.pk])
    assert "<bdi>&lt;b&gt;R9&lt;/b&gt;</bdi> withdrawn." in plain_post(client, withdraw)[1]
    reinstated = plain_post(client, withdraw, {"reinstate": "1"})[1]
    assert "<bdi>&lt;b&gt;R9&lt;/b&gt;</bdi> takes part again." in reinstated
    attributes = reverse("attribute_add", args=[study.slug])
    assert (
        "Attribute “<bdi>Agency</bdi>” added."
        in plain_post(client, attributes, {"name": "Agency", "type": "text"})[1]
    )
    # Refused, a plain form's errors are shown on the whole page, not lost in a redirect.
    refused = client.post(attributes, {"name": "agency", "type": "text"})
    assert refused.status_code == 200
    assert "<html" in refused.content.decode()
    assert "This study already records “<bdi>Agency</bdi>”." in refused.content.decode()
    remove = reverse("attribute_remove", args=[study.slug])
    assert (
        "Attribute “<bdi>Agency</bdi>” removed, with its values."
        in plain_post(client, remove, {"name": "Agency"})[1]
    )


def test_an_upload_without_files_says_so(study, owner):
    response = client_for(owner).post(
        reverse("transcript_import", args=[study.slug]), {}, headers=HTMX
    )
    assert "Choose at least one file to import." in response.content.decode()


def markers_post(rows: list[tuple[int, int | None]], **extra) -> dict:
    """The question-markers form as the page posts it: (turn start, question id) per row."""
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows))}
    for n, (start, question_id) in enumerate(rows):
        data[f"form-{n}-start"] = str(start)
        data[f"form-{n}-question"] = "" if question_id is None else str(question_id)
    return {**data, **extra}


def test_question_markers_are_corrected_by_hand(interview, owner, study):
    _, second = study.questions.all()
    url = reverse("interview_questions", args=[study.slug, interview.pk])
    client = client_for(owner)
    html = client.get(url).content.decode()
    assert "How long have you been implementing" in html
    second_turn = interview.turns[2][0]
    response = client.post(url, markers_post([(0, second.pk), (second_turn, None)]))
    assert response.status_code == 302
    assert [(s.question_id, s.start) for s in interview.segments.all()] == [(second.pk, 0)]


def test_a_refused_marker_keeps_her_edits_and_points_at_the_row(interview, owner, study):
    first, _ = study.questions.all()
    url = reverse("interview_questions", args=[study.slug, interview.pk])
    second_turn = interview.turns[2][0]
    before = [(s.question_id, s.start) for s in interview.segments.all()]
    # The same question at two marked turns in a row: one answer cut in two.
    response = client_for(owner).post(url, markers_post([(0, first.pk), (second_turn, first.pk)]))
    assert response.status_code == 200
    html = response.content.decode()
    # The second row carries the message, and both rows still show what she chose.
    rows = html.split("<tr")[2:]
    assert 'aria-invalid="true"' not in rows[0]
    assert 'aria-invalid="true"' in rows[1]
    assert "Q1 already starts at an earlier turn" in rows[1]
    # (Each option holds its question's whole text in its title, after.)
    assert f'<option value="{first.pk}" selected title=' in rows[0]
    assert f'<option value="{first.pk}" selected title=' in rows[1]
    assert [(s.question_id, s.start) for s in interview.segments.all()] == before


def test_a_question_can_be_marked_again_later_in_the_interview(study, owner):
    first, second = study.questions.all()
    interview = import_text(
        study,
        "Interviewer: First?\n\nR1: One.\n\nInterviewer: Second?\n\nR1: Two.\n\n"
        "Interviewer: Back to the first?\n\nR1: One again.",
    )
    starts = [turn[0] for turn in interview.turns if turn[3] == "i"]
    url = reverse("interview_questions", args=[study.slug, interview.pk])
    rows = list(zip(starts, [first.pk, second.pk, first.pk], strict=True))
    response = client_for(owner).post(url, markers_post(rows))
    assert response.status_code == 302
    assert [(s.start, s.question_id) for s in interview.segments.all()] == rows


def test_the_markers_page_shows_turns_a_page_at_a_time(study, owner):
    from interviews.views import transcripts

    text = "\n\n".join(f"Interviewer: Question {n}?\n\nR1: Answer {n}." for n in range(230))
    interview = import_text(study, text)
    url = reverse("interview_questions", args=[study.slug, interview.pk])
    client = client_for(owner)
    per_page = transcripts.MARKER_ROWS_PER_PAGE
    first = client.get(url).content.decode()
    assert first.count("<select ") == per_page
    assert "Turns 1–100 of 230" in first
    last = client.get(url + "?page=3").content.decode()
    assert last.count("<select ") == 230 - 2 * per_page
    assert "Question 229?" in last
    assert "Question 0?" not in last
    # Saving a page changes the turns of that page only.
    turn = interview.turns[2 * 220][0]
    question = study.questions.first()
    response = client.post(url + "?page=3", markers_post([(turn, question.pk)]))
    assert response["Location"].endswith("?page=3")
    assert interview.segments.filter(start=turn, question=question).exists()


def test_deleting_an_interview_needs_the_pseudonym_typed(interview, owner, study):
    client = client_for(owner)
    url = reverse("interview_delete", args=[study.slug, interview.pk])
    response = client.post(url, {"confirm": "R2"}, headers=HTMX)
    assert response.status_code == 400
    said = "Type the respondent&#x27;s pseudonym, <bdi>R1</bdi>, to confirm."
    assert said in response.content.decode()
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


# Query-count guards. Each page is built at two sizes and held to one bound, so that a query
# per row (an N+1) fails the test at the larger size.


WORDS = [
    "training",
    "supervision",
    "housing",
    "funding",
    "burnout",
    "outreach",
    "policing",
    "family",
]


def add_respondents(study, n):
    """n respondents, each with one interview, so the interview counts have rows to count."""
    for index in range(n):
        services.respondent_create(
            study=study, pseudonym=f"P{index}", attributes={"Years of experience": index}
        )
        import_text(study, name=f"P{index}-interview.txt")


@pytest.mark.parametrize("n", [2, 8])
def test_the_respondents_page_queries_do_not_grow(study, owner, n, django_assert_num_queries):
    add_respondents(study, n)
    client = client_for(owner)
    # session, user, study+role, respondents with their interview counts, the study's
    # respondent and interview counts (interviews.counts)
    with django_assert_num_queries(5):
        html = client.get(reverse("respondents", args=[study.slug])).content.decode()
    assert html.count('<tr id="respondent-') == n


@pytest.mark.parametrize("n", [2, 8])
def test_the_members_page_queries_do_not_grow(study, owner, n, django_assert_num_queries):
    for index in range(n):
        user = make_user(f"member{index}")
        services.membership_set(study=study, username=user.username, role=Role.CODER)
    client = client_for(owner)
    # session, user, study+role, memberships with their users
    with django_assert_num_queries(4):
        html = client.get(reverse("members", args=[study.slug])).content.decode()
    assert "member0" in html
    assert f"member{n - 1}" in html


@pytest.mark.parametrize("n", [2, 8])
def test_the_protocol_page_queries_do_not_grow(study, owner, n, django_assert_num_queries):
    for index in range(n):
        services.question_add(study=study, text=f"Extra question number {index}?")
    client = client_for(owner)
    # session, user, study+role, questions
    with django_assert_num_queries(4):
        html = client.get(reverse("protocol", args=[study.slug])).content.decode()
    assert f"Extra question number {n - 1}?" in html


@pytest.mark.parametrize("n", [2, 8])
def test_the_import_page_queries_do_not_grow(study, owner, n, django_assert_num_queries):
    add_respondents(study, n)
    client = client_for(owner)
    # session, user, study+role, uploads waiting to be confirmed: respondents are chosen in
    # the preview, not here
    with django_assert_num_queries(4):
        html = client.get(reverse("transcript_import", args=[study.slug])).content.decode()
    assert 'name="files"' in html


@pytest.mark.parametrize("n", [2, 8])
def test_the_question_markers_page_queries_do_not_grow(study, owner, n, django_assert_num_queries):
    texts = [f"Tell me about the {word} you had" for word in WORDS[:n]]
    for text in texts:
        services.question_add(study=study, text=text)
    transcript = "\n\n".join(
        f"Interviewer: {text}?\n\nR1: Answer {i}." for i, text in enumerate(texts)
    )
    interview = import_text(study, transcript)
    assert interview.segments.count() >= n
    client = client_for(owner)
    url = reverse("interview_questions", args=[study.slug, interview.pk])
    # session, user, the interview with its study and the user's role, questions, segments
    # with their questions
    with django_assert_num_queries(5):
        html = client.get(url).content.decode()
    assert html.count('<select id="id_form-') == n


@pytest.mark.parametrize("n", [2, 8])
def test_the_interview_edit_page_queries_do_not_grow(
    study, interview, owner, n, django_assert_num_queries
):
    add_respondents(study, n)
    client = client_for(owner)
    url = reverse("interview_edit", args=[study.slug, interview.pk])
    # session, user, the interview with its study and the user's role, its respondent,
    # respondents for the choice, and the respondents again: with no empty choice, the
    # select asks for its first option to decide on `required` (Django's
    # Select.use_required_attribute).
    with django_assert_num_queries(6):
        html = client.get(url).content.decode()
    assert f">P{n - 1}</option>" in html


@pytest.mark.parametrize(
    ("name", "section"),
    [
        ("members", '<section id="member-section">'),
        ("respondents", '<section id="respondent-section">'),
        ("transcript_import", '<section id="import-section">'),
    ],
)
def test_htmx_gets_the_fragment_and_a_browser_the_page(study, owner, name, section):
    client = client_for(owner)
    url = reverse(name, args=[study.slug])
    page = client.get(url).content.decode()
    assert "<html" in page
    assert section in page
    fragment = client.get(url, headers=HTMX).content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith(section)


@pytest.mark.django_db
def test_the_study_settings_choose_the_paper_of_the_findings(study, owner):
    assert study.page_size == "letter"
    client = client_for(owner)
    page = client.get(reverse("study_settings", args=[study.slug])).content.decode()
    assert 'name="page_size"' in page
    assert "A4 (210 × 297 mm)" in page
    client.post(
        reverse("study_settings", args=[study.slug]),
        {"title": "Harm\x0b reduction", "research_question": "", "page_size": "a4"},
    )
    study.refresh_from_db()
    assert study.page_size == "a4"
    # Word's line break (U+000B) is a break like any other, and a title is tidied as names
    # are (core.naming.tidy): one line, its spaces made one.
    assert study.title == "Harm reduction"


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_refused_row_edit_keeps_what_was_typed(study, owner, headers):
    first = services.respondent_create(study=study, pseudonym="R1")
    services.respondent_create(study=study, pseudonym="R2")
    edit = reverse("respondent_edit", args=[study.slug, first.pk])
    typed = {"pseudonym": "r2", "interviewed_on": "2025-03-03", "attr-0": "12 <years>"}
    html = client_for(owner).post(edit, typed, headers=headers).content.decode()
    assert "already has a respondent called “<bdi>r2</bdi>”" in html
    form = html[html.index('<form class="row-form"') :]
    form = form[: form.index("</form>")]
    assert 'name="pseudonym" value="r2"' in form
    assert 'name="interviewed_on" value="2025-03-03"' in form
    assert 'name="attr-0" value="12 &lt;years&gt;"' in form
    first.refresh_from_db()
    assert (first.pseudonym, first.attributes) == ("R1", {})


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_refused_attribute_keeps_its_name(study, owner, headers):
    add = reverse("attribute_add", args=[study.slug])
    typed = {"name": "YEARS of experience", "type": "text"}
    html = client_for(owner).post(add, typed, headers=headers)
    html = html.content.decode()
    assert "This study already records" in html
    assert '<input name="name" value="YEARS of experience"' in html


def test_a_question_deleted_meanwhile_shows_the_edit_that_was_refused(study, owner):
    question = study.questions.first()
    edit = reverse("question_edit", args=[study.slug, question.pk])
    services.question_delete(question=question)
    response = client_for(owner).post(edit, {"text": "How long, <b>really</b>?", "topic": "Time"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "What you typed was not saved" in html
    assert ">How long, &lt;b&gt;really&lt;/b&gt;?</textarea>" in html
    assert ">Time</textarea>" in html


def test_a_form_refused_for_its_expired_session_shows_what_was_typed(study, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    url = reverse("journal", args=[study.slug])
    data = {"body": "A long <entry>", "csrfmiddlewaretoken": "stale"}
    # Browsers send the Origin of the page a form was posted from.
    response = client.post(url, data, headers={"Origin": "http://testserver"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your session has expired" in html
    assert ">A long &lt;entry&gt;</textarea>" in html


@pytest.mark.parametrize("origin", [None, "https://elsewhere.example", "https://testserver"])
def test_a_form_posted_from_another_site_is_refused_without_its_words(study, owner, origin):
    # Any site can post here: what it posted must not appear on our page under our banner.
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    url = reverse("journal", args=[study.slug])
    headers = {"Origin": origin} if origin else {}
    data = {"body": "Call 555-0100 to restore your account", "csrfmiddlewaretoken": "x"}
    response = client.post(url, data, headers=headers)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your session has expired" in html
    assert "555-0100" not in html


def _question(study, owner):
    return services.question_add(study=study, text="How long?")


def _respondent(study, owner):
    return services.respondent_create(study=study, pseudonym="R9")


def _identifier(study, owner):
    return services.identifier_add(study=study, text="Riverside", replacement="[place]")


def _member(study, owner):
    coder = make_user("cleo")
    return services.membership_set(study=study, username=coder.username, role=Role.CODER)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize(
    ("page", "method", "make", "gone"),
    [
        ("question_edit", "get", _question, "That question no longer exists."),
        ("question_move", "post", _question, "That question no longer exists."),
        ("question_delete", "post", _question, "That question no longer exists."),
        ("respondent_edit", "get", _respondent, "That respondent no longer exists."),
        ("respondent_withdraw", "post", _respondent, "That respondent no longer exists."),
        ("respondent_erase", "get", _respondent, "That respondent no longer exists."),
        ("identifier_edit", "get", _identifier, "That identifier no longer exists."),
        ("identifier_delete", "post", _identifier, "That identifier no longer exists."),
        ("member_remove", "post", _member, "That member is no longer in the study."),
    ],
)
def test_a_row_deleted_in_another_tab_is_said_to_be_gone(
    study, owner, page, method, make, gone, htmx
):
    """A question, respondent, identifier or member deleted in another tab, then edited,
    moved or deleted in this one: the answer said "Not found, or you are not a member of
    the study it belongs to", to a member of the study, about a row she had just seen."""
    row = make(study, owner)
    url = reverse(page, args=[study.slug, row.pk])
    type(row).objects.filter(pk=row.pk).delete()
    client = client_for(owner)
    response = getattr(client, method)(url, {"to": "up"}, headers=HTMX if htmx else {})
    assert response.status_code == 404
    html = response.content.decode()
    assert f"{gone} Reload the page." in html
    assert "you are not a member" not in html


@pytest.mark.parametrize("answer", ["invitation_accept", "invitation_decline"])
def test_an_invitation_answered_in_another_tab_is_said_to_be_answered(study, owner, answer):
    """Accepted in one tab, then accepted or declined in another: the answer said "Not
    found, or you are not a member of the study it belongs to"."""
    invited = make_user("ines")
    services.member_add(study=study, username="ines", role=Role.CODER, invited_by=owner)
    invitation = invited.invitations.get()
    client = client_for(invited)
    client.post(reverse("invitation_accept", args=[invitation.pk]))
    response = client.post(reverse(answer, args=[invitation.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "That invitation is no longer open: it was answered, or withdrawn." in html
    assert "you are not a member" not in html

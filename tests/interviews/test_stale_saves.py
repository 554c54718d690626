"""Typed text saved from a stale tab is refused, never silently replacing what another tab
or window saved meanwhile (core.stale): the protocol's questions, the study's settings, the
respondent table and the de-identification list. Each case saves in tab B, then twice in
tab A with the token of the page A drew (A's text kept, B's kept, the message), then once
more with the token the refusal drew (A's text replaces B's)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from core.stale import fields_text, text_token
from interviews import services
from tests.conftest import HTMX, client_for

MEANWHILE = "Saved meanwhile, in another tab or window: "
IN_THE_BOX = "Your text is in the box; saving it replaces that."


def hidden_value(html: str, name: str = "seen") -> str:
    """The value the page drew in its edit form's field `name` (the token, "seen"; a
    code's or theme's "revision")."""
    start = html.index(f'name="{name}" value="') + len(f'name="{name}" value="')
    return html[start : html.index('"', start)]


_token = hidden_value


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_stale_question_edit_keeps_its_text_replaces_nothing_and_a_second_save_replaces(
    study, owner, htmx
):
    """The protocol's Q1 edited in two tabs: B saved, then A's save replaced B's question
    without a word. A is now refused, its text kept in the box under B's question; saving
    again replaces it."""
    question = study.questions.get(number=1)
    edit = reverse("question_edit", args=[study.slug, question.pk])
    client = client_for(owner)
    extra = {"headers": HTMX} if htmx else {}
    drawn = _token(client.get(edit, **extra).content.decode())
    assert drawn == text_token(fields_text(question.text, question.topic))
    b = {"text": "How long, <b>B</b>?", "topic": "B's <topic>", "seen": drawn}
    assert client.post(edit, b, **extra).status_code in (200, 302)

    for typed in ("How long, <i>A</i>?", "How long, A's second <try>?"):
        a = {"text": typed, "topic": "A's topic", "seen": drawn}
        response = client.post(edit, a, **extra)
        assert response.status_code == 200
        html = response.content.decode()
        row = html[html.index(f'<li id="question-{question.pk}" class="editing">') :]
        row = row[: row.index("</li>")]
        theirs = "<q>How long, &lt;b&gt;B&lt;/b&gt;?</q> (B&#x27;s &lt;topic&gt;)"
        assert f"{MEANWHILE}{theirs}. {IN_THE_BOX}" in row
        assert f">\n{escape(typed)}</textarea>" in row
        assert 'value="A&#x27;s topic"' in row
        question.refresh_from_db()
        assert (question.text, question.topic) == ("How long, <b>B</b>?", "B's <topic>")
        assert _token(row) == question.seen

    again = {"text": "How long, <i>A</i>?", "topic": "A's topic", "seen": _token(row)}
    assert client.post(edit, again, **extra).status_code in (200, 302)
    question.refresh_from_db()
    assert (question.text, question.topic) == ("How long, <i>A</i>?", "A's topic")


def test_a_question_edit_without_its_token_saves_as_before(study, owner):
    """An older page or a script posts no token: its save replaces, as it always did."""
    question = study.questions.get(number=1)
    edit = reverse("question_edit", args=[study.slug, question.pk])
    client = client_for(owner)
    client.post(edit, {"text": "First wording?"}, headers=HTMX)
    client.post(edit, {"text": "Second wording?"}, headers=HTMX)
    question.refresh_from_db()
    assert question.text == "Second wording?"


def test_a_question_edit_refused_for_its_text_still_checks_the_page_first_drawn(study, owner):
    """A save refused for an empty text, after another tab saved: the redrawn form keeps
    the token of the page first drawn, so the next save is told rather than replacing."""
    question = study.questions.get(number=1)
    edit = reverse("question_edit", args=[study.slug, question.pk])
    client = client_for(owner)
    drawn = question.seen
    client.post(edit, {"text": "Tab B's?", "seen": drawn}, headers=HTMX)
    refused = client.post(edit, {"text": " ", "seen": drawn}, headers=HTMX).content.decode()
    assert _token(refused) == drawn
    response = client.post(edit, {"text": "Tab A's?", "seen": _token(refused)}, headers=HTMX)
    assert MEANWHILE in response.content.decode()
    question.refresh_from_db()
    assert question.text == "Tab B's?"


@pytest.mark.parametrize(
    ("field", "label"),
    [("research_question", "Research question"), ("description", "Description")],
)
def test_a_stale_save_of_the_study_settings_keeps_its_text_and_a_second_save_replaces(
    study, owner, field, label
):
    """The settings page open in two tabs: B saved the research question (or the
    description), then A's save of the page replaced it without a word. A is now refused,
    every box keeping what A typed, B's words shown; saving again replaces them."""
    settings_url = reverse("study_settings", args=[study.slug])
    client = client_for(owner)
    drawn = _token(client.get(settings_url).content.decode())
    assert drawn == study.seen
    details = {"title": study.title, "research_question": "", "description": ""}
    client.post(settings_url, {**details, field: "Tab B's <words>", "seen": drawn})

    for typed in ("Tab A's <text>", "Tab A's second <try>"):
        a = {**details, "title": "Tab A's title", field: typed, "seen": drawn}
        response = client.post(settings_url, a)
        assert response.status_code == 200
        html = response.content.decode()
        # Each detail as it stands where it differs from what A typed (the title too).
        title = f"Title <q>{escape(details['title'])}</q>"
        theirs = f"{label} <q>Tab B&#x27;s &lt;words&gt;</q>"
        assert f"{MEANWHILE}{title}; {theirs}. {IN_THE_BOX}" in html
        assert f">\n{escape(typed)}</textarea>" in html
        assert 'value="Tab A&#x27;s title"' in html
        study.refresh_from_db()
        assert getattr(study, field) == "Tab B's <words>"
        assert study.title == details["title"]
        assert _token(html) == study.seen

    again = {**details, field: "Tab A's <text>", "seen": _token(html)}
    assert client.post(settings_url, again).status_code == 302
    study.refresh_from_db()
    assert getattr(study, field) == "Tab A's <text>"


def test_the_study_settings_saved_without_their_token_save_as_before(study, owner):
    settings_url = reverse("study_settings", args=[study.slug])
    client = client_for(owner)
    for words in ("First description.", "Second description."):
        client.post(settings_url, {"title": study.title, "description": words})
    study.refresh_from_db()
    assert study.description == "Second description."


def _row_form(html: str) -> str:
    form = html[html.index('<form class="row-form"') :]
    return form[: form.index("</form>")]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_stale_respondent_row_keeps_its_text_replaces_nothing_and_a_second_save_replaces(
    study, owner, htmx
):
    """R1's row edited in two tabs: B saved its years and date, then A's save of the row
    replaced them without a word. A is now refused, every box keeping what A typed, B's
    values shown where they differ from A's; saving again replaces them."""
    respondent = services.respondent_create(study=study, pseudonym="R1")
    edit = reverse("respondent_edit", args=[study.slug, respondent.pk])
    client = client_for(owner)
    extra = {"headers": HTMX} if htmx else {}
    drawn = _token(_row_form(client.get(edit, **extra).content.decode()))
    assert drawn == respondent.seen
    b = {"pseudonym": "R1", "interviewed_on": "2025-03-03", "attr-0": "12", "seen": drawn}
    assert client.post(edit, b, **extra).status_code in (200, 302)

    for typed in ("<R1a>", "<R1b>"):
        a = {"pseudonym": typed, "interviewed_on": "", "attr-0": "7", "seen": drawn}
        response = client.post(edit, a, **extra)
        assert response.status_code == 200
        form = _row_form(response.content.decode())
        theirs = (
            "Pseudonym <q>R1</q>; Interviewed on <q>3 Mar 2025</q>; Years of experience <q>12</q>"
        )
        assert f"{MEANWHILE}{theirs}. {IN_THE_BOX}" in form
        assert f'name="pseudonym" value="{escape(typed)}"' in form
        assert 'name="interviewed_on" value=""' in form
        assert 'name="attr-0" value="7"' in form
        respondent.refresh_from_db()
        assert respondent.pseudonym == "R1"
        assert respondent.attributes == {"Years of experience": 12}
        assert str(respondent.interviewed_on) == "2025-03-03"
        assert _token(form) == respondent.seen

    again = {"pseudonym": "<R1a>", "interviewed_on": "", "attr-0": "7", "seen": _token(form)}
    assert client.post(edit, again, **extra).status_code in (200, 302)
    respondent.refresh_from_db()
    assert (respondent.pseudonym, respondent.attributes) == ("<R1a>", {"Years of experience": 7})
    assert respondent.interviewed_on is None


def test_a_respondent_row_typed_as_another_tab_saved_it_is_no_conflict(study, owner):
    """Two tabs typing the same values: the second save is no conflict (nothing to say)."""
    respondent = services.respondent_create(study=study, pseudonym="R1")
    edit = reverse("respondent_edit", args=[study.slug, respondent.pk])
    client = client_for(owner)
    same = {"pseudonym": "R2", "attr-0": "4", "seen": respondent.seen}
    client.post(edit, same, headers=HTMX)
    html = client.post(edit, same, headers=HTMX).content.decode()
    assert MEANWHILE not in html
    assert 'name="pseudonym"' not in html  # saved: the row, no longer its form


def test_a_respondent_row_refused_for_its_text_still_checks_the_page_first_drawn(study, owner):
    respondent = services.respondent_create(study=study, pseudonym="R1")
    edit = reverse("respondent_edit", args=[study.slug, respondent.pk])
    client = client_for(owner)
    drawn = respondent.seen
    client.post(edit, {"pseudonym": "Tab B", "seen": drawn}, headers=HTMX)
    refused = client.post(edit, {"pseudonym": " ", "seen": drawn}, headers=HTMX)
    assert _token(refused.content.decode()) == drawn
    response = client.post(edit, {"pseudonym": "Tab A", "seen": drawn}, headers=HTMX)
    assert MEANWHILE in response.content.decode()
    respondent.refresh_from_db()
    assert respondent.pseudonym == "Tab B"


def test_a_stale_save_of_an_interview_s_details_keeps_its_text_and_a_second_save_replaces(
    study, interview, owner
):
    """The interview's details open in two tabs: B saved its title and date, then A's save
    replaced them without a word. A is now refused, every box keeping what A typed, B's
    details shown where they differ from A's; saving again replaces them."""
    client, mine = client_for(owner), interview.respondent_id
    other = services.respondent_create(study=study, pseudonym="R2")
    edit = reverse("interview_edit", args=[study.slug, interview.pk])
    assert _token(client.get(edit).content.decode()) == interview.seen
    drawn = interview.seen
    b = {"title": "B's <title>", "respondent": mine, "conducted_on": "2025-03-03", "seen": drawn}
    assert client.post(edit, b).status_code == 302

    a = {"title": "A's <title>", "respondent": other.pk, "conducted_on": "", "seen": drawn}
    response = client.post(edit, a)
    assert response.status_code == 200
    html = response.content.decode()
    title = "Title <q>B&#x27;s &lt;title&gt;</q>"
    theirs = f"{title}; Respondent <q>R1</q>; Interview date <q>3 Mar 2025</q>"
    assert f"{MEANWHILE}{theirs}. {IN_THE_BOX}" in html
    assert 'value="A&#x27;s &lt;title&gt;"' in html
    assert f'<option value="{other.pk}" selected>' in html
    interview.refresh_from_db()
    assert (interview.title, interview.respondent_id) == ("B's <title>", mine)
    assert _token(html) == interview.seen

    assert client.post(edit, {**a, "seen": _token(html)}).status_code == 302
    interview.refresh_from_db()
    assert (interview.title, interview.respondent_id) == ("A's <title>", other.pk)
    assert interview.conducted_on is None


def test_an_interview_s_details_typed_as_another_tab_saved_them_are_no_conflict(
    study, interview, owner
):
    edit = reverse("interview_edit", args=[study.slug, interview.pk])
    client = client_for(owner)
    same = {"title": "Same", "respondent": interview.respondent_id, "seen": interview.seen}
    assert client.post(edit, same).status_code == 302
    assert client.post(edit, same).status_code == 302


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_stale_save_of_a_listed_identifier_keeps_its_text_and_a_second_save_replaces(
    study, owner, htmx
):
    """One string of the de-identification list edited in two tabs: B saved its words and
    replacement, then A's save replaced them without a word. A is now refused, every box
    keeping what A typed, B's values shown where they differ from A's; saving again
    replaces them."""
    listed = services.identifier_add(study=study, text="Acme", replacement="[agency]")
    edit = reverse("identifier_edit", args=[study.slug, listed.pk])
    client = client_for(owner)
    extra = {"headers": HTMX} if htmx else {}
    drawn = _token(client.get(edit, **extra).content.decode())
    assert drawn == listed.seen
    b = {"text": "Acme <Clinic>", "variants": "", "replacement": "[B's clinic]", "seen": drawn}
    assert client.post(edit, b, **extra).status_code == 302

    a = {"text": "Acme", "variants": "ACME\nAcme Inc", "replacement": "[agency]", "seen": drawn}
    response = client.post(edit, a, **extra)
    assert response.status_code == 200
    html = response.content.decode()
    theirs = (
        "Identifying words <q>Acme &lt;Clinic&gt;</q>; Variants (one a line) left empty; "
        "Replace with <q>[B&#x27;s clinic]</q>"
    )
    assert f"{MEANWHILE}{theirs}. {IN_THE_BOX}" in html
    assert 'name="text" value="Acme"' in html
    assert 'name="replacement" value="[agency]"' in html
    assert ">\nACME\nAcme Inc</textarea>" in html
    listed.refresh_from_db()
    assert (listed.text, listed.variants, listed.replacement) == (
        "Acme <Clinic>",
        "",
        "[B's clinic]",
    )
    assert _token(html) == listed.seen

    assert client.post(edit, {**a, "seen": _token(html)}, **extra).status_code == 302
    listed.refresh_from_db()
    assert (listed.text, listed.variants, listed.replacement) == (
        "Acme",
        "ACME\nAcme Inc",
        "[agency]",
    )


def test_a_listed_identifier_typed_as_another_tab_saved_it_is_no_conflict(study, owner):
    listed = services.identifier_add(study=study, text="Acme", replacement="[agency]")
    edit = reverse("identifier_edit", args=[study.slug, listed.pk])
    client = client_for(owner)
    same = {"text": "Acme Clinic", "replacement": "[clinic]", "seen": listed.seen}
    assert client.post(edit, same).status_code == 302
    assert client.post(edit, same).status_code == 302
    listed.refresh_from_db()
    assert (listed.text, listed.replacement) == ("Acme Clinic", "[clinic]")

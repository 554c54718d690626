"""Names in messages are isolated (core.bidi): marked in Python, shown as <bdi>, escaped."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coding import services as coding
from core.bidi import bdi_html, bdi_html_led, isolated
from interviews import services as interviews
from interviews import staging
from interviews.models import Role
from tests.conftest import HTMX, TRANSCRIPT, client_for, import_text, make_user
from themes import services as themes

NAME = "<שלום & b>"
SHOWN = "<bdi>&lt;שלום &amp; b&gt;</bdi>"


def test_a_marked_name_becomes_bdi_and_everything_is_escaped():
    assert bdi_html(f"Coded as {isolated(NAME)}.") == f"Coded as {SHOWN}."
    assert bdi_html(f"{isolated('a')}, {isolated(NAME)} <i>") == (
        f"<bdi>a</bdi>, {SHOWN} &lt;i&gt;"
    )
    assert bdi_html("No name <b>here</b>.") == "No name &lt;b&gt;here&lt;/b&gt;."
    assert bdi_html("") == ""


def test_a_flash_names_a_hebrew_code_in_bdi_escaped(study, owner):
    client = client_for(owner)
    added = client.post(reverse("codebook", args=[study.slug]), {"name": NAME}, headers=HTMX)
    html = added.content.decode()
    assert f"Added “{SHOWN}”." in html
    assert "<שלום" not in html


def test_a_heading_and_a_confirmation_isolate_the_name(study, owner):
    theme = themes.theme_create(study=study, name=NAME)
    client = client_for(owner)
    editing = client.get(reverse("theme_edit", args=[study.slug, theme.pk]))
    assert f"Edit “{SHOWN}”" in editing.content.decode()
    removed = client.post(reverse("theme_delete", args=[study.slug, theme.pk]), headers=HTMX)
    assert f"Removed the theme “{SHOWN}”;" in removed.content.decode()


def test_a_quoted_name_of_an_unmarked_message_becomes_bdi_escaped():
    assert bdi_html(f"This study already records “{NAME}”.") == (
        f"This study already records “{SHOWN}”."
    )
    assert bdi_html(f"“a” on “{NAME}” for {isolated('b')}") == (
        f"“<bdi>a</bdi>” on “{SHOWN}” for <bdi>b</bdi>"
    )
    # A mark inside quotes stays one <bdi>; a lone quote isolates nothing.
    assert bdi_html(f"Added “{isolated(NAME)}”.") == f"Added “{SHOWN}”."
    assert bdi_html("A “quote <b>") == "A “quote &lt;b&gt;"


def test_a_services_refusal_names_a_hebrew_attribute_in_bdi_escaped(study, owner):
    interviews.attribute_add(study=study, name=NAME, kind="text")
    add = reverse("attribute_add", args=[study.slug])
    typed = {"name": NAME, "type": "text"}
    html = client_for(owner).post(add, typed, headers=HTMX).content.decode()
    assert f"This study already records “{SHOWN}”." in html
    assert "<שלום" not in html


def test_the_history_page_isolates_the_names_in_its_labels(study, owner, code):
    old = code.name
    coding.code_update(
        code=code, revision=code.revision, name=NAME, colour=code.colour, parent=None
    )
    interviews.respondent_create(study=study, pseudonym="ר1")
    html = client_for(owner).get(reverse("history", args=[study.slug])).content.decode()
    assert f"Code changed</strong>: “{SHOWN}”" in html
    assert f"<ins><bdi>{SHOWN[5:-6]}</bdi></ins>" in html
    assert f"<del><bdi>{old}</bdi></del>" in html
    assert "Respondent added</strong>: <bdi>ר1</bdi>" in html
    assert "<שלום" not in html


def test_a_file_refused_under_a_hebrew_name_has_it_in_bdi_escaped(study, owner):
    assert (
        bdi_html_led(f"{NAME}.txt: refused.", f"{NAME}.txt") == f"{SHOWN[:-6]}.txt</bdi>: refused."
    )
    assert bdi_html_led("Other: “a”.", "R1.txt") == "Other: “<bdi>a</bdi>”."
    batch = staging.staged_files_stage(study=study, user=owner, uploads=[(f"{NAME}.txt", b"")])
    html = client_for(owner).get(reverse("import_batch", args=[study.slug, batch])).content
    assert f"{SHOWN[:-6]}.txt</bdi>: refused: it is empty." in html.decode()


def test_an_import_names_its_hebrew_respondent_in_bdi_escaped(study, owner):
    respondent = interviews.respondent_create(study=study, pseudonym=NAME)
    client = client_for(owner)
    for attempt in ("imported for", "skipped: the same text is already imported for"):
        uploads = [SimpleUploadedFile("x.txt", TRANSCRIPT.encode())]
        start = reverse("transcript_import", args=[study.slug])
        batch = client.post(start, {"files": uploads}, headers=HTMX)["HX-Redirect"]
        client.post(batch, {"f0-respondent": str(respondent.pk)})
        html = client.get(batch).content.decode()
        assert f"<bdi>x.txt</bdi>: {attempt} {SHOWN}" in html
        assert "<שלום" not in html


def test_the_respondents_page_says_what_it_did_with_a_hebrew_pseudonym_in_bdi(study, owner):
    client = client_for(owner)
    table = reverse("respondents", args=[study.slug])
    added = client.post(table, {"pseudonym": NAME}, follow=True).content.decode()
    assert f"{SHOWN} added." in added
    respondent = study.respondents.get()
    withdraw = reverse("respondent_withdraw", args=[study.slug, respondent.pk])
    withdrawn = client.post(withdraw, follow=True).content.decode()
    assert f"{SHOWN} withdrawn." in withdrawn
    assert "<שלום" not in added + withdrawn


def test_deleting_an_interview_asks_for_its_hebrew_pseudonym_in_bdi(study, owner):
    interview = import_text(study, name="רות1-interview.txt")
    confirm = reverse("interview_delete", args=[study.slug, interview.pk])
    refused = client_for(owner).post(confirm, {"confirm": "no"}, headers=HTMX)
    said = "Type the respondent&#x27;s pseudonym, <bdi>רות1</bdi>, to confirm."
    assert said in refused.content.decode()


def test_the_members_page_names_a_hebrew_member_in_bdi(study, owner):
    member = make_user("שלום")
    study.memberships.create(user=member, role=Role.CODER)
    client = client_for(owner)
    role = reverse("members", args=[study.slug])
    said = client.post(role, {"username": "שלום", "role": Role.REVIEWER}, follow=True)
    assert "<bdi>שלום</bdi> is now Reviewer in this study." in said.content.decode()
    membership = study.memberships.get(user=member)
    remove = reverse("member_remove", args=[study.slug, membership.pk])
    gone = client.post(remove, follow=True).content.decode()
    assert "<bdi>שלום</bdi> is no longer a member of this study." in gone


def test_a_question_marker_refused_names_nothing_that_was_posted(interview, owner, study):
    url = reverse("interview_questions", args=[study.slug, interview.pk])
    posted = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-start": "0",
        "form-0-question": NAME,
    }
    response = client_for(owner).post(url, posted)
    html = response.content.decode()
    assert response.status_code == 200
    assert "That question is no longer in this study&#x27;s protocol; reload the page." in html
    assert "שלום" not in html

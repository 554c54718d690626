"""Names in messages are isolated (core.bidi): marked in Python, shown as <bdi>, escaped."""

from __future__ import annotations

from django.urls import reverse

from coding import services as coding
from core.bidi import bdi_html, bdi_html_led, isolated
from interviews import services as interviews
from interviews import staging
from tests.conftest import HTMX, client_for
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

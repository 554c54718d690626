"""Names in messages are isolated (core.bidi): marked in Python, shown as <bdi>, escaped."""

from __future__ import annotations

from django.urls import reverse

from core.bidi import bdi_html, isolated
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

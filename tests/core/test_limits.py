"""Every text box with a length limit says the limit and the length, and keeps the text
in its box to shorten: a memo of every kind (the journal, on a transcript, a code, a
theme, an excerpt), an edited memo, a comment, a code's definition and notes, a theme's
description. The Chromium side (the text still in the box) is
tests/browser/test_memos.py::test_a_memo_past_the_limit_stays_in_its_box_with_the_limit_said."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from coding.models import Code, CodeMemo
from core.limits import LONGEST, LimitedTextField, too_long
from interviews import memos
from interviews.models import InterviewMemo, JournalEntry
from tests.conftest import HTMX, client_for
from themes import services as themes
from themes.models import Comment, Theme, ThemeMemo

# 20,312 code points, with a mark that must not be escaped away or cut.
TEXT = "“Trust” <b>first</b> " + "x" * (LONGEST + 312 - 21)
SAID = "A memo holds at most 20,000 characters; this one has 20,312."


def test_the_message_names_the_limit_and_the_length():
    assert len(TEXT) == 20_312
    assert too_long("memo", LONGEST, len(TEXT)) == SAID
    assert too_long("example", 10, 11) == (
        "An example holds at most 10 characters; this one has 11."
    )
    field = LimitedTextField(noun="comment")
    # No maxlength: Chromium would cut a paste past it without a word.
    assert "maxlength" not in field.widget.render("body", "")
    with pytest.raises(Exception, match="A comment holds at most 20,000 characters"):
        field.clean(TEXT)
    assert field.clean("x" * LONGEST) == "x" * LONGEST


def _kept(response, said: str) -> None:
    """The answer says `said` and holds the text, escaped, in a box to shorten."""
    page = response.content.decode()
    assert response.status_code == 200
    # A quoted word in a message is isolated for right-to-left text (core.bidi): read the
    # sentence as shown.
    assert said in page.replace("<bdi>", "").replace("</bdi>", "")
    assert html.escape(TEXT, quote=False) in page
    assert "<b>first</b>" not in page


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_every_kind_of_memo_past_the_limit_keeps_its_text(study, owner, interview, code, headers):
    theme = themes.theme_create(study=study, name="Support")
    client = client_for(owner)
    for url in [
        reverse("journal", args=[study.slug]),
        reverse("memo_panel", args=[study.slug, "interview", interview.pk]),
        reverse("memo_panel", args=[study.slug, "code", code.pk]),
        reverse("memo_panel", args=[study.slug, "theme", theme.pk]),
    ]:
        _kept(client.post(url, {"body": TEXT}, headers=headers), SAID)
    assert not JournalEntry.objects.exists()
    assert not InterviewMemo.objects.exists()
    assert not CodeMemo.objects.exists()
    assert not ThemeMemo.objects.exists()


def test_an_edited_memo_past_the_limit_keeps_its_text(study, owner):
    memo = memos.memo_create(model=JournalEntry, author=owner, body="Short.", study=study)
    url = reverse("memo_edit", args=[study.slug, "journal", memo.pk])
    _kept(client_for(owner).post(url, {"body": TEXT}, headers=HTMX), SAID)
    memo.refresh_from_db()
    assert memo.body == "Short."


def test_an_excerpt_memo_past_the_limit_says_the_limit(study, owner, excerpt):
    # htmx keeps the box as it is (the answer swaps nothing but the message in).
    url = reverse("excerpt_memo", args=[study.slug, excerpt.pk])
    response = client_for(owner).post(
        url, {"memo": TEXT, "revision": excerpt.revision}, headers=HTMX
    )
    assert response.status_code == 400
    assert response["HX-Reswap"] == "none"
    assert SAID in response.content.decode()
    excerpt.refresh_from_db()
    assert excerpt.memo == ""


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_comment_past_the_limit_keeps_its_text(study, reviewer, headers):
    theme = themes.theme_create(study=study, name="Support")
    url = reverse("comment_add", args=[study.slug, theme.pk])
    said = "A comment holds at most 20,000 characters; this one has 20,312."
    _kept(client_for(reviewer).post(url, {"body": TEXT}, headers=headers), said)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("field", "noun"),
    [
        ("definition", "A definition"),
        ("inclusion", "A “Use when”"),
        ("exclusion", "A “Do not use when”"),
        ("example", "An example"),
    ],
)
def test_a_code_text_past_the_limit_keeps_its_text(study, owner, code, field, noun):
    said = f"{noun} holds at most 20,000 characters; this one has 20,312."
    client = client_for(owner)
    new = client.post(reverse("codebook", args=[study.slug]), {"name": "Fresh", field: TEXT})
    _kept(new, said)
    assert not Code.objects.filter(name="Fresh").exists()
    url = reverse("code_edit", args=[study.slug, code.pk])
    edited = client.post(url, {"name": code.name, "revision": code.revision, field: TEXT})
    _kept(edited, said)
    code.refresh_from_db()
    assert getattr(code, field) == ""


def test_a_theme_description_past_the_limit_keeps_its_text(study, owner):
    said = "A description holds at most 20,000 characters; this one has 20,312."
    client = client_for(owner)
    _kept(
        client.post(reverse("themes", args=[study.slug]), {"name": "New", "description": TEXT}),
        said,
    )
    assert not Theme.objects.filter(name="New").exists()
    theme = themes.theme_create(study=study, name="Support")
    url = reverse("theme_edit", args=[study.slug, theme.pk])
    data = {"name": "Support", "description": TEXT, "revision": theme.revision}
    _kept(client.post(url, data), said)
    theme.refresh_from_db()
    assert theme.description == ""

"""A quote's "Words to print" box on the theme page (themes.views.theme.quote_extract): a
save from a stale page is refused, keeping what was typed, and a save has its Undo."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils.html import escape, strip_tags

from core.stale import text_token
from tests.conftest import HTMX, client_for
from themes import services


def url(study, name, *args):
    return reverse(name, args=[study.slug, *args])


@pytest.fixture
def quote(themed):
    # "the ones nobody else will see"
    return services.quote_add(theme=themed["training"], excerpt=themed["excerpts"][1])


def _save(client, study, quote, words, seen, htmx):
    data = {"extract": words, "seen": seen, "page": "1"}
    return client.post(url(study, "quote_extract", quote.pk), data, headers=HTMX if htmx else {})


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_stale_save_of_the_words_to_print_keeps_them_and_a_second_save_replaces(
    study, themed, owner, quote, htmx
):
    """Two tabs on the theme page: tab B saved "the ones […] will see", then tab A's save
    replaced it without a word, and nothing could take that back."""
    client = client_for(owner)
    drawn = text_token(quote.extract)
    _save(client, study, quote, "the ones […] will see", drawn, htmx)

    for typed in ("the ones nobody […] see", "nobody else will see"):
        response = _save(client, study, quote, typed, drawn, htmx)
        assert response.status_code == 200
        html = response.content.decode()
        assert ("<html" in html) is not htmx
        box = html[html.index(f'id="extract-{quote.pk}"') :]
        assert box.split(">", 1)[1].startswith(f"{escape(typed)}</textarea>")
        assert "Saved meanwhile, in another tab or window: <q>the ones […] will see</q>" in html
        assert "Your text is in the box; saving it replaces that." in html
        assert '<details class="quote-extract" open>' in html
        assert f'name="seen" value="{text_token("the ones […] will see")}"' in html
        quote.refresh_from_db()
        assert quote.extract == "the ones […] will see"

    _save(client, study, quote, "nobody else will see", text_token(quote.extract), htmx)
    quote.refresh_from_db()
    assert quote.extract == "nobody else will see"


def test_saved_words_to_print_are_taken_back_by_their_undo(study, themed, owner, quote):
    client = client_for(owner)
    response = _save(client, study, quote, "the ones […] will see", text_token(""), True)
    html = response.content.decode()
    assert "Words to print saved." in html
    undo = html[html.index("Words to print saved.") :]
    action = undo[undo.index('hx-post="') + 9 :].split('"', 1)[0]
    client.post(action, headers=HTMX)
    quote.refresh_from_db()
    assert quote.extract == ""


@pytest.mark.parametrize(
    ("words", "why"),
    [
        ("the […] ones nobody", "Nothing is left out between “the” and “ones nobody”"),
        ("the ones[...]nobody", "Nothing is left out between “the ones” and “nobody”"),
        ("he ones nobody", "“he ones nobody” cuts a word of the excerpt in two"),
        ("the ones nob […] see", "“the ones nob” cuts a word of the excerpt in two"),
    ],
    ids=["mark-between-neighbours", "dots-between-neighbours", "cut-word-start", "cut-word-end"],
)
def test_words_to_print_never_mark_a_cut_that_was_not_made(
    study, themed, owner, quote, words, why
):
    """A "[…]" between words that follow each other in the excerpt, or a piece that begins
    or ends inside a word, printed a quote that misstates what the respondent said ("the
    […] ones nobody", with nothing left out; "he ones nobody" from "the ones nobody"). Both
    are refused, saying why, and the words saved before stay."""
    client = client_for(owner)
    _save(client, study, quote, "the ones […] will see", text_token(""), htmx=True)

    refused = _save(client, study, quote, words, text_token("the ones […] will see"), True)

    assert refused.status_code == 400
    assert why in html.unescape(strip_tags(refused.content.decode()))
    quote.refresh_from_db()
    assert quote.extract == "the ones […] will see"


@pytest.mark.parametrize("mark", ["[...]", "[ ... ]", "[ … ]", "[…]"])
def test_words_to_print_keep_the_one_omission_mark_whichever_was_typed(
    study, themed, owner, quote, mark
):
    """Three dots in brackets were kept as typed, so the box (and the history) showed
    "[...]" where the findings print "[…]": one quote, two ways of marking a cut."""
    client = client_for(owner)
    response = _save(client, study, quote, f"the ones {mark} will see", text_token(""), True)

    quote.refresh_from_db()
    assert quote.extract == "the ones […] will see"
    box = response.content.decode()
    box = box[box.index(f'id="extract-{quote.pk}"') :]
    assert box.split(">", 1)[1].startswith("the ones […] will see</textarea>")

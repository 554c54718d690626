"""The themes pages kept rendered (core.fragments): each reader gets the page their role
shows with their own CSRF token, and a change to the study's coding, themes, quotes or
comments is on the next page read. Every page read from the cache here is compared with the
same page drawn from nothing (all caches emptied)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from coding import services as coding
from tests.conftest import HTMX, client_for
from themes import services as themes

# The CSRF token is masked afresh in every response.
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"x-csrftoken": ")[^"]*"')
# The message region every htmx answer to an action swaps out of band (core.http): not a
# part of the region the answer redraws, so not in the page at that place.
_OOB_FLASH = re.compile(
    r'\s*<div id="flash-[a-z]+"[^>]*hx-swap-oob="innerHTML">.*?</div>\n?', re.S
)
# The screen readers' region (core.http.with_announcement), likewise.
_OOB_SAID = re.compile(r'<div id="announce" hx-swap-oob="innerHTML">.*?</div>', re.S)


def _region(response) -> str:
    """The region an htmx answer redraws, without its CSRF tokens and message region."""
    # The white space the regions' template leaves around them goes too.
    html = _OOB_SAID.sub("", _OOB_FLASH.sub("", _CSRF.sub(r"\1", response.content.decode())))
    return html.rstrip()


def url(study, name, *args):
    return reverse(name, args=[study.slug, *args])


@pytest.fixture
def read(django_capture_on_commit_callbacks):
    """Read a page as `user`, keeping what it caches as a request outside a test does
    (when its reads commit); returns the HTML without its CSRF tokens."""

    def read(user, path: str) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(user).get(path)
        assert response.status_code == 200
        return _CSRF.sub(r"\1", response.content.decode())

    return read


def from_nothing(read, user, path: str) -> str:
    for cache in caches.all():
        cache.clear()
    return read(user, path)


def pages_by_role(request, read, path: str, first: str) -> dict[str, str]:
    """The page at `path` as each role reads it, after `first` read it (and filled the
    cache); each checked against the same page read again and drawn from nothing."""
    read(request.getfixturevalue(first), path)
    pages = {}
    for role in ("owner", "coder", "reviewer"):
        user = request.getfixturevalue(role)
        pages[role] = read(user, path)
        assert read(user, path) == pages[role]
        assert from_nothing(read, user, path) == pages[role]
    return pages


@pytest.mark.parametrize("first", ["owner", "coder", "reviewer"])
def test_each_role_gets_its_own_themes_page_whoever_read_it_first(
    request, study, themed, read, first
):
    pages = pages_by_role(request, read, url(study, "themes"), first)
    # Owners remove themes; owners and coders attach codes; reviewers read.
    assert "Remove the theme “Training”" in pages["owner"]
    assert "Remove the theme" not in pages["coder"]
    take = "Take the code “Learning” out of the theme “Training”"
    assert take in pages["coder"]
    for button in (take, "Move the theme “Training” up", "Add a code"):
        assert button not in pages["reviewer"]


def _theme_codes_form_token(html: str, study, theme) -> str:
    action = re.escape(url(study, "theme_codes", theme.pk))
    form = re.search(rf'<form class="chip-form" [^>]*action="{action}".*?</form>', html, re.S)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', form.group(0)).group(1)


def test_a_cached_form_carries_the_readers_own_csrf_token(
    study, themed, owner, coder, django_capture_on_commit_callbacks
):
    training, learning = themed["training"], themed["codes"][0]
    path = url(study, "themes")
    browsers = {}
    for user in (owner, coder):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        browsers[user.username] = browser
        with django_capture_on_commit_callbacks(execute=True):
            html = browser.get(path).content.decode()
    # The coder's page came from the cache the owner's read filled.
    token = _theme_codes_form_token(html, study, training)
    assert "csrf-token-of-the-request" not in html
    response = browsers[coder.username].post(
        url(study, "theme_codes", training.pk),
        {"code": learning.pk, "detach": "1", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, "the coder's own token is accepted"
    assert not training.codes.filter(pk=learning.pk).exists()


def test_the_list_redrawn_after_a_write_shows_the_write(
    study, themed, owner, read, django_capture_on_commit_callbacks
):
    """The request that writes read the study's row before its write: its redrawn list is
    keyed by the revision after the write, not the one that row holds."""
    training, colleagues = themed["training"], themed["codes"][1]
    path = url(study, "themes")
    before = read(owner, path)
    assert "Take the code “Colleagues” out of the theme “Training”" not in before
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(
            url(study, "theme_codes", training.pk), {"code_name": "Colleagues"}, headers=HTMX
        )
    html = _region(response)
    assert "Take the code “Colleagues” out of the theme “Training”" in html
    assert html in from_nothing(read, owner, path)
    assert training.codes.filter(pk=colleagues.pk).exists()


def test_a_page_read_in_a_transaction_that_does_not_commit_leaves_nothing_cached(
    study, themed, owner
):
    # The test runs in a transaction that rolls back: the regions it drew are not kept.
    client = client_for(owner)
    assert client.get(url(study, "themes")).status_code == 200
    assert client.get(url(study, "theme_detail", themed["training"].pk)).status_code == 200
    assert not caches["fragments"]._cache


@pytest.mark.parametrize("first", ["owner", "coder", "reviewer"])
def test_each_role_gets_its_own_theme_page_whoever_read_it_first(
    request, study, themed, read, first
):
    pages = pages_by_role(request, read, url(study, "theme_detail", themed["training"].pk), first)
    assert "Review status" in pages["owner"]
    assert "Review status" not in pages["coder"]
    assert "Remove from quotes" in pages["coder"]
    for button in ("Remove from quotes", "Choose the words to print", "Move the quote"):
        assert button not in pages["reviewer"]


def _quote_of(theme, excerpt):
    return theme.quotes.get(excerpt=excerpt)


# Each write the theme page shows, and one of its words or marks the page gains by it. None
# of the quotes' or comments' writes moves the study's revision.
THEME_PAGE_CHANGES = {
    "quote_add": (
        lambda ctx: themes.quote_add(theme=ctx["training"], excerpt=ctx["excerpts"][1]),
        "chosen quote",
    ),
    "quote_remove": (
        lambda ctx: themes.quote_remove(quote=_quote_of(ctx["training"], ctx["excerpts"][0])),
        "No quotes chosen yet.",
    ),
    "quote_extract_set": (
        lambda ctx: themes.quote_extract_set(
            quote=_quote_of(ctx["training"], ctx["excerpts"][0]), extract="About six"
        ),
        "<blockquote>“<bdi>About six",
    ),
    "comment_add": (
        lambda ctx: themes.comment_add(theme=ctx["training"], author=ctx["owner"], body="Hm?"),
        "<p>Hm?</p>",
    ),
    "comment_resolve": (
        lambda ctx: themes.comment_resolve(
            comment=themes.comment_add(theme=ctx["training"], author=ctx["owner"], body="Hm?"),
            user=ctx["owner"],
        ),
        '<span class="badge">Resolved by ',
    ),
    "excerpt_codes_add": (
        lambda ctx: coding.excerpt_codes_add(
            excerpt=ctx["excerpts"][0], codes=[ctx["codes"][1]], coder=ctx["owner"]
        ),
        '<span class="chip c-',
    ),
    "theme_update": (
        lambda ctx: themes.theme_update(
            theme=ctx["training"],
            revision=ctx["training"].revision,
            name="Learning the work",
            description="Where it came from.",
            parent=None,
        ),
        "<h1>Learning the work</h1>",
    ),
    "code_update": (
        lambda ctx: coding.code_update(
            code=ctx["codes"][0],
            revision=ctx["codes"][0].revision,
            name="Learning",
            colour=ctx["codes"][0].colour,
            parent=None,
            definition="Anew.",
        ),
        "Anew.",
    ),
}


@pytest.mark.parametrize("change", sorted(THEME_PAGE_CHANGES))
def test_the_theme_page_read_after_a_change_shows_it(study, themed, owner, reviewer, read, change):
    write, shown = THEME_PAGE_CHANGES[change]
    path = url(study, "theme_detail", themed["training"].pk)
    before = {user: read(user, path) for user in (owner, reviewer)}
    write({**themed, "owner": owner})
    for user in (owner, reviewer):
        after = read(user, path)
        assert after != before[user]
        assert shown in after
        assert after == from_nothing(read, user, path)


def test_a_reply_redraws_its_thread_and_the_others_from_the_cache(
    study, themed, owner, reviewer, read, django_capture_on_commit_callbacks
):
    training = themed["training"]
    first = themes.comment_add(theme=training, author=owner, body="Why R1 only?")
    themes.comment_add(theme=training, author=owner, body="And the quotes?")
    path = url(study, "theme_detail", training.pk)
    read(reviewer, path)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(reviewer).post(
            url(study, "comment_add", training.pk),
            {"body": "R2 never said so.", "parent": first.pk},
            headers=HTMX,
        )
    region = _region(response)
    assert region.index("Why R1 only?") < region.index("R2 never said so.")
    assert region.index("R2 never said so.") < region.index("And the quotes?")
    assert region in from_nothing(read, reviewer, path)


@pytest.mark.parametrize("more", [0, 12])
def test_the_kept_pages_read_the_same_queries_at_any_size(
    study, themed, owner, read, more, django_assert_num_queries
):
    training = themed["training"]
    for n in range(more):
        themes.theme_create(study=study, name=f"Extra {n}")
        themes.comment_add(theme=training, author=owner, body=f"Comment {n}")
    client = client_for(owner)
    read(owner, url(study, "themes"))
    # session, user, study+role (its row holds the revision the sections are kept under),
    # parent choices of the new-theme form
    with django_assert_num_queries(4):
        assert client.get(url(study, "themes")).status_code == 200
    read(owner, url(study, "theme_detail", training.pk))
    # session, user, theme with its study and the user's role, quotes, comments (each
    # thread's HTML from the cache)
    with django_assert_num_queries(5):
        html = client.get(url(study, "theme_detail", training.pk)).content.decode()
    assert html.count('<article class="comment') == more

"""Every undoable action writes its undo entry in its own transaction: when the entry cannot
be written (a lost connection, a refused row), the action is rolled back with it and the
user is told that nothing was changed, never shown a 500 for a change that was kept without
its Undo (coding.views.undo.undoable, coding.undo.NotKept). A database busy past its
timeout (SQLite's "database is locked", at the action's BEGIN) is refused the same way
(core.http.RefusalMiddleware)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from coding import services as coding
from coding.models import Code, Coding, Excerpt, UndoEntry
from core.http import BUSY_MESSAGE
from interviews import memos
from interviews.models import Interview, InterviewMemo, Study
from tests.conftest import HTMX, client_for, code_span, selection
from themes import services as themes
from themes.models import Comment, Theme

REFUSAL = "Your change could not be saved: the database refused to keep its Undo."


@contextmanager
def _refused(starts: tuple[str, ...], *, once: bool):
    """Make the database refuse with "database is locked" each statement that starts with
    one of `starts` (ignoring case), or only the first of them when `once`; every other
    statement runs."""
    refused = []

    def refuse(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(starts) and not (once and refused):
            refused.append(sql)
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def undo_entries_refused():
    """Make the database refuse the INSERT of an undo entry (a lost connection, a refused
    row): every other statement runs."""
    return _refused(('INSERT INTO "CODING_UNDOENTRY"',), once=False)


def database_busy_at_the_start():
    """Make the database answer the action's first write (SQLite's BEGIN IMMEDIATE, asked
    for before anything is written; PostgreSQL's first write) as a SQLite file held by
    another writer past the connection's timeout does: "database is locked". The other
    writer is done by then: the refusal's message is kept in the session."""
    return _refused(("BEGIN", "INSERT", "UPDATE", "DELETE"), once=True)


# Where the database fails: (the failure, the answer's status, what the user reads).
FAILURES = {
    # The undo entry's INSERT refused: the action rolls back with it (coding.undo.NotKept).
    "undo entry refused": (undo_entries_refused, 409, REFUSAL),
    # The database busy before the action began (core.http.database_busy).
    "database busy": (database_busy_at_the_start, 503, BUSY_MESSAGE),
}


@dataclass
class Scene:
    """What the actions below act on: an excerpt of `code`, a second code, a theme that
    gathers `code`, a memo on the interview."""

    study: Study
    interview: Interview
    code: Code
    excerpt: Excerpt
    stress: Code
    theme: Theme
    memo: InterviewMemo

    def url(self, name: str, *args) -> str:
        return reverse(name, args=[self.study.slug, *args])


def _picked(scene: Scene) -> str:
    """The autocode preview's key of the passage "Café regulars"."""
    start = scene.interview.text.index("Café regulars")
    end = start + len("Café regulars")
    return f"{scene.interview.pk}:{start}:{end}:{scene.interview.version}"


# Each action as (URL, form data): at least one per service module that notes undo steps.
ACTIONS = {
    # coding.services, which keeps the entry itself (coding a selection, a similar passage)
    "code a selection": lambda s: (
        s.url("excerpt_create", s.interview.pk),
        {**selection(s.interview, "Café regulars"), "code": s.code.pk},
    ),
    "code a similar passage": lambda s: (
        s.url("code_similar_apply", s.interview.pk, s.code.pk),
        selection(s.interview, "Café regulars"),
    ),
    # coding.autocode
    "code from a search": lambda s: (
        s.url("autocode_apply"),
        {"pick": [_picked(s)], "code": s.code.pk},
    ),
    # coding.services: the excerpt's panel and the codebook
    "add a new code": lambda s: (
        s.url("excerpt_codes_add", s.excerpt.pk),
        {"new_code": "Regulars"},
    ),
    "delete an excerpt": lambda s: (s.url("excerpt_delete", s.excerpt.pk), {}),
    "create a code": lambda s: (s.url("codebook"), {"name": "Regulars"}),
    "merge codes": lambda s: (
        s.url("code_merge", s.code.pk),
        {"into": s.stress.pk, "confirm": "on"},
    ),
    # themes.services
    "delete a theme": lambda s: (s.url("theme_delete", s.theme.pk), {}),
    "take a code out of a theme": lambda s: (
        s.url("theme_codes", s.theme.pk),
        {"code": s.code.pk, "detach": "on"},
    ),
    "comment on a theme": lambda s: (s.url("comment_add", s.theme.pk), {"body": "Why R1?"}),
    # interviews.memos
    "delete a memo": lambda s: (s.url("memo_delete", "interview", s.memo.pk), {}),
    "write a memo": lambda s: (
        s.url("memo_panel", "interview", s.interview.pk),
        {"body": "Second thoughts."},
    ),
}


def _state():
    """What any of the actions above would change, as plain values."""
    return {
        "excerpts": sorted(Excerpt.all_objects.values_list("pk", "text", "deleted_at")),
        "codings": sorted(Coding.objects.values_list("excerpt_id", "code_id")),
        "codes": sorted(Code.objects.values_list("pk", "name")),
        "themes": sorted(
            (theme.pk, theme.name, tuple(theme.codes.values_list("pk", flat=True)))
            for theme in Theme.objects.all()
        ),
        "comments": sorted(Comment.objects.values_list("pk", "body")),
        "memos": sorted(InterviewMemo.objects.values_list("pk", "body", "deleted_at")),
        "revisions": sorted(Study.objects.values_list("pk", "revision")),
    }


# Real transactions, as on a server: the action's is the outermost, committed or rolled
# back for good (in the test's own transaction it would be a savepoint).
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
@pytest.mark.parametrize("failure", FAILURES)
def test_an_action_the_database_cannot_keep_changes_nothing_and_says_so(
    study, interview, code, owner, action, headers, failure
):
    """Before: a busy database (another writer past SQLite's 20 s) was a server error,
    "your last action may not have been saved"; an undo entry not written, a 500 with the
    change kept without its Undo. Now nothing is changed and the user reads why."""
    fail, status, told = FAILURES[failure]
    theme = themes.theme_create(study=study, name="Training")
    themes.theme_code_attach(theme=theme, code=code)
    scene = Scene(
        study=study,
        interview=interview,
        code=code,
        excerpt=code_span(interview, "the ones nobody else will see", [code], owner),
        stress=coding.code_create(study=study, name="Stress"),
        theme=theme,
        memo=memos.memo_create(
            model=InterviewMemo, author=owner, body="Noisy café", interview=interview
        ),
    )
    url, data = ACTIONS[action](scene)
    client = client_for(owner)
    # A server error is answered as a server would (500), not raised into the test: the
    # state is compared whatever the answer.
    client.raise_request_exception = False
    # The page a plain form was posted from: where a refusal sends it back.
    page = f"http://testserver{reverse('codebook', args=[study.slug])}"
    before = _state()
    with fail():
        response = client.post(url, data, headers={**headers, "Referer": page})
    assert _state() == before, "nothing was changed"
    assert not UndoEntry.objects.exists()
    if headers:
        # A refusal htmx swaps into the page's message region, as every other one.
        assert response.status_code == status
        assert told in response.content.decode()
    else:
        # A plain form: back where it was, with the refusal in its flash (core.http.refusal),
        # or the error page when the form held typed text a redirect would lose.
        assert response.status_code in (302, status)
        page = client.get(response["Location"]) if response.status_code == 302 else response
        assert told in page.content.decode()


def test_the_action_is_kept_with_its_entry_when_it_can_be_written(study, excerpt, owner):
    response = client_for(owner).post(
        reverse("excerpt_delete", args=[study.slug, excerpt.pk]), headers=HTMX
    )
    entry = UndoEntry.objects.get()
    assert reverse("undo_entry", args=[study.slug, entry.pk]) in response.content.decode()
    assert Excerpt.all_objects.get(pk=excerpt.pk).deleted_at is not None

"""Who may do what: every study URL, called by every role, and with another study's ids.

A reviewer's or a stranger's write must change nothing; a stranger must not even learn that
the study exists (404). The last test makes sure no study URL is missing from the table.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse

from coding import services as coding
from coding import undo
from coding.models import CodeMemo, DeletedCode, UndoEntry
from interviews import deidentify, memos, staging
from interviews import services as interviews
from interviews.access import NOT_A_MEMBER, REFUSALS
from interviews.models import JournalEntry, StagedFile
from tests.conftest import TRANSCRIPT, client_for, code_span, import_text
from tests.themes.exchange.qdpx_files import codebook_qdc
from themes import services as themes
from themes.identifying import text_digest
from themes.models import ThemeMemo

READ, WRITE, OWN = "read", "write", "own"
COMMENT = "comment"  # a write every member may make, reviewers included
AUTHOR = "author"  # a change to a memo, by its author only (here the coder)


def build(study, user_for_membership):
    """The objects the URLs of one study point at."""
    interview = import_text(study)
    # Its example and the theme's description hold the listed "Café" (typed fields: Keep).
    code = coding.code_create(study=study, name="Training", example="Café regulars")
    code2 = coding.code_create(study=study, name="Stress")
    excerpt = code_span(interview, "the ones nobody else will see", [code])
    deleted = code_span(interview, "never looked back", [code])
    coding.excerpt_delete(excerpt=deleted)
    theme = themes.theme_create(study=study, name="Training theme", description="At Café.")
    themes.theme_code_attach(theme=theme, code=code)
    quote = themes.quote_add(theme=theme, excerpt=excerpt)
    comment = themes.comment_add(theme=theme, author=user_for_membership, body="Why this code?")
    batch, queued = stage_for_every_member(study)
    binned = coding.code_create(study=study, name="Peer support")
    code_span(interview, "Café regulars", [binned])
    coding.code_delete(code=binned, force=True)
    writer = user_for_membership
    deleted_memo = memos.memo_create(model=ThemeMemo, author=writer, body="Gone", theme=theme)
    memos.memo_delete(memo=deleted_memo, author=writer)
    journal = undo.Journal()
    coding.excerpt_code_remove(excerpt=excerpt, code=code, journal=journal)
    entry = undo.keep(
        journal=journal, study=study, user=user_for_membership, session_key="-", label="Removed"
    )
    identifier = interviews.identifier_add(study=study, text="Café", replacement="[a bar]")
    typed_keep = themes.typed_field_keep(
        study=study, field=("theme", theme.pk, "description"), digest=text_digest("At Café.")
    )
    withdrawn = interviews.respondent_create(study=study, pseudonym="R7")
    interviews.respondent_withdraw(respondent=withdrawn)
    gone_theme = themes.theme_create(study=study, name="Deleted theme")
    themes.theme_delete(theme=gone_theme)
    return {
        "identifier": identifier,
        "typed_keep": SimpleNamespace(pk=typed_keep.kept),
        "gone_theme": gone_theme,
        "kind_restore_theme": SimpleNamespace(pk="theme"),
        "kind_restore_memo": SimpleNamespace(pk="memo-theme"),
        "withdrawn": withdrawn,
        "batch": SimpleNamespace(pk=batch),
        "queued": SimpleNamespace(pk=queued),
        "first_file": SimpleNamespace(pk=0),
        "slug": study.slug,
        "interview": interview,
        "respondent": interview.respondent,
        "question": study.questions.first() or interviews.question_add(study=study, text="Q?"),
        "membership": study.memberships.get(user=user_for_membership),
        "code": code,
        "code2": code2,
        "excerpt": excerpt,
        "deleted": deleted,
        "theme": theme,
        "quote": quote,
        "comment": comment,
        "binned": DeletedCode.objects.get(study=study),
        "entry": entry,
        "journal_entry": memos.memo_create(
            model=JournalEntry, author=writer, body="A doubt", study=study
        ),
        "code_memo": memos.memo_create(model=CodeMemo, author=writer, body="Why", code=code),
        "deleted_memo": deleted_memo,
        **{f"kind_{kind}": SimpleNamespace(pk=kind) for kind in ("journal", "code", "theme")},
    }


def _passage(interview, phrase: str) -> dict:
    """A suggested passage as the page of similar passages posts it."""
    start = interview.text.index(phrase)
    return {
        "start": start,
        "end": start + len(phrase),
        "version": interview.version,
        "text": phrase,
    }


def stage_for_every_member(study) -> tuple:
    """An import batch to confirm and one confirmed, under the same ids for every member:
    batches are private to their uploader, and each role must find its own."""
    batch, queued = uuid.uuid4(), uuid.uuid4()
    for membership in study.memberships.select_related("user"):
        for target in (batch, queued):
            staged = staging.staged_files_stage(
                study=study,
                user=membership.user,
                uploads=[("R5.txt", (TRANSCRIPT + "\n\nR5: Again.").encode())],
            )
            StagedFile.objects.filter(batch=staged).update(batch=target)
        rows = staging.staged_batch(study=study, user=membership.user, batch=queued)
        staging.staged_files_confirm(rows=rows, choices={rows[0].pk: staging.Choice()})
    return batch, queued


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    action: str
    objects: tuple[str, ...] = ()
    data: Callable[[dict], dict] = field(default=lambda o: {})
    kwargs: tuple[str, ...] = ("pk", "code_id")
    # An allowed POST writes something (a move of the only theme or quote changes nothing).
    changes: bool = True
    # Run with the client and its user before the request (for undo: the history is the
    # session's).
    prepare: Callable | None = None
    # URL arguments that are names, not ids of the study's objects (the same in any study).
    names: tuple[tuple[str, str], ...] = ()


def _recode(client, user, objects):
    coding.excerpt_codes_add(excerpt=objects["excerpt"], codes=[objects["code"]], coder=user)


def _questions_unmarked(client, user, objects):
    """Detecting the questions then finds them anew (found already, it changes nothing)."""
    objects["interview"].segments.all().delete()


def _own_history(client, user, objects):
    """Make the undo entry the client's own: its user's, in its session."""
    UndoEntry.objects.filter(pk=objects["entry"].pk).update(
        user=user, session_key=client.session.session_key
    )


def _excerpt_span(o):
    text = o["interview"].text
    start = text.index("Café")
    return {"start": start, "end": start + 4, "text": "Café", "version": o["interview"].version}


def _decisions(o):
    """Replace every occurrence the de-identification preview shows."""
    waiting = deidentify.study_occurrences(study=o["identifier"].study)
    return {f"o-{occurrence.key}": "replace" for occurrence in waiting}


def _typed_keep(o):
    """Keep the code's example as it is (build's "Café regulars")."""
    return {
        "kind": "code",
        "row": o["code"].pk,
        "field": "example",
        "digest": text_digest("Café regulars"),
    }


def _first_left_out(o):
    return {"f0-respondent": "skip"}


def _autocode_pick(o):
    span = _excerpt_span(o)
    key = f"{o['interview'].pk}:{span['start']}:{span['end']}:{span['version']}"
    return {"pick": [key], "code": o["code"].pk}


CASES = [
    Case("study_detail", "get", READ),
    Case("study_settings", "get", READ),
    Case("study_settings", "post", OWN, data=lambda o: {"title": "Renamed"}),
    Case("members", "get", READ),
    Case("members", "post", OWN, data=lambda o: {"username": "stan", "role": "coder"}),
    Case("member_remove", "post", OWN, ("membership",)),
    Case("member_leave", "get", READ),
    # The owner is the study's last: refused with a message (nothing changes).
    Case("member_leave", "post", COMMENT, changes=False),
    Case("protocol", "get", READ),
    Case("protocol", "post", WRITE, data=lambda o: {"text": "What else?"}),
    Case("question_edit", "get", WRITE, ("question",)),
    Case("question_edit", "post", WRITE, ("question",), lambda o: {"text": "Edited?"}),
    Case("question_move", "post", WRITE, ("question",), lambda o: {"to": "down"}),
    Case("question_delete", "post", WRITE, ("question",)),
    Case("respondents", "get", READ),
    Case("respondents", "post", WRITE, data=lambda o: {"pseudonym": "R9"}),
    Case("respondent_edit", "get", WRITE, ("respondent",)),
    Case("respondent_edit", "post", WRITE, ("respondent",), lambda o: {"pseudonym": "R1b"}),
    Case("respondent_withdraw", "post", WRITE, ("respondent",)),
    Case("respondent_erase", "get", OWN, ("withdrawn",)),
    Case("respondent_erase", "post", OWN, ("withdrawn",), lambda o: {"typed": "R7"}),
    Case("attribute_add", "post", WRITE, data=lambda o: {"name": "Agency", "type": "text"}),
    Case("attribute_remove", "post", OWN, data=lambda o: {"name": "Years of experience"}),
    Case("transcript_search", "get", READ),
    Case("deidentify_list", "get", READ),
    Case("deidentify_list", "post", OWN, data=lambda o: {"text": "Lopez", "replacement": "[x]"}),
    Case("identifier_edit", "get", OWN, ("identifier",)),
    Case(
        "identifier_edit",
        "post",
        OWN,
        ("identifier",),
        lambda o: {"text": "Café", "replacement": "[a diner]"},
    ),
    Case("identifier_delete", "post", OWN, ("identifier",)),
    Case("deidentify_preview", "get", READ),
    Case("deidentify_preview", "post", OWN, data=_decisions),
    Case("typed_keep", "post", WRITE, data=_typed_keep),
    Case("typed_keep_undo", "post", WRITE, ("typed_keep",)),
    Case("autocode", "get", WRITE),
    Case("autocode_apply", "post", WRITE, data=lambda o: _autocode_pick(o)),
    Case("transcript_import", "get", READ),
    Case(
        "transcript_import",
        "post",
        WRITE,
        data=lambda o: {"files": SimpleUploadedFile("R4.txt", TRANSCRIPT.encode())},
    ),
    Case("import_batch", "get", WRITE, ("batch",), kwargs=("batch",)),
    Case("import_batch", "post", WRITE, ("batch",), _first_left_out, kwargs=("batch",)),
    # Judging the choices as they change writes nothing: Import confirms them.
    Case(
        "import_judge",
        "post",
        WRITE,
        ("batch",),
        _first_left_out,
        kwargs=("batch",),
        changes=False,
    ),
    Case("import_step", "post", WRITE, ("queued",), kwargs=("batch",)),
    Case("import_lines", "get", WRITE, ("batch", "first_file"), kwargs=("batch", "position")),
    Case("interview_code", "get", READ, ("interview",)),
    Case("interview_edit", "get", READ, ("interview",)),
    Case(
        "interview_edit",
        "post",
        WRITE,
        ("interview",),
        lambda o: {"title": "First", "respondent": o["respondent"].pk},
    ),
    Case("interview_delete", "post", OWN, ("interview",), lambda o: {"confirm": "R1"}),
    Case("interview_questions", "get", READ, ("interview",)),
    Case(
        "interview_questions",
        "post",
        WRITE,
        ("interview",),
        lambda o: {"detect": "1"},
        prepare=_questions_unmarked,
    ),
    Case(
        "excerpt_create",
        "post",
        WRITE,
        ("interview",),
        lambda o: {**_excerpt_span(o), "code": o["code"].pk},
    ),
    Case("excerpt_detail", "get", READ, ("excerpt",)),
    Case("excerpt_codes_add", "post", WRITE, ("excerpt",), lambda o: {"code": o["code2"].pk}),
    # The excerpt carries the code again (build took it off for the undo entry): taking off
    # a code that is not there changes nothing, not even the study's revision.
    Case("excerpt_code_remove", "post", WRITE, ("excerpt", "code"), prepare=_recode),
    Case(
        "excerpt_memo",
        "post",
        WRITE,
        ("excerpt",),
        lambda o: {"memo": "Note", "revision": o["excerpt"].revision},
    ),
    Case(
        "excerpt_resize",
        "post",
        WRITE,
        ("excerpt",),
        lambda o: {**_excerpt_span(o), "revision": o["excerpt"].revision},
    ),
    Case("excerpt_review", "post", WRITE, ("excerpt",)),
    Case("excerpt_delete", "post", WRITE, ("excerpt",)),
    Case("transcript_text", "get", READ, ("interview",)),
    Case(
        "transcript_text",
        "post",
        WRITE,
        ("interview",),
        lambda o: {"text": o["interview"].text + " More.", "version": o["interview"].version},
    ),
    Case("excerpt_restore", "post", WRITE, ("deleted",)),
    Case("code_colours", "get", READ),
    # A preference of the user's session: every member may set it, and no table changes.
    Case("coding_margin", "post", READ, data=lambda o: {"shown": "0"}, changes=False),
    Case("codebook", "get", READ),
    Case("code_similar", "get", READ, ("code",)),
    Case(
        "code_similar_apply",
        "post",
        WRITE,
        ("interview", "code"),
        lambda o: _passage(o["interview"], "About six years now"),
    ),
    Case("codebook", "post", WRITE, data=lambda o: {"name": "New code"}),
    Case("codebook_upload", "get", WRITE),
    Case(
        "codebook_upload",
        "post",
        WRITE,
        data=lambda o: {"file": SimpleUploadedFile("tags.qdc", codebook_qdc())},
    ),
    Case("code_edit", "get", WRITE, ("code",)),
    Case(
        "code_edit",
        "post",
        WRITE,
        ("code",),
        lambda o: {"name": "Renamed", "colour": "#dc2626", "revision": o["code"].revision},
    ),
    Case(
        "code_merge", "post", WRITE, ("code",), lambda o: {"into": o["code2"].pk, "confirm": "yes"}
    ),
    Case("code_delete", "post", WRITE, ("code",), lambda o: {"confirm": "yes"}),
    Case("undo", "post", WRITE, prepare=_own_history),
    Case("undo_entry", "post", WRITE, ("entry",), prepare=_own_history),
    Case("bin", "get", READ),
    Case("history", "get", READ),
    Case(
        "history_restore",
        "post",
        WRITE,
        ("kind_restore_theme", "gone_theme"),
        kwargs=("kind", "pk"),
    ),
    Case("code_restore", "post", WRITE, ("binned",)),
    Case("themes", "get", READ),
    Case("charts", "get", READ),
    Case("chart_svg", "get", READ, names=(("name", "prevalence"),)),
    Case("themes", "post", WRITE, data=lambda o: {"name": "Another theme"}),
    Case("theme_edit", "get", WRITE, ("theme",)),
    Case(
        "theme_edit",
        "post",
        WRITE,
        ("theme",),
        lambda o: {"name": "Renamed", "revision": o["theme"].revision},
    ),
    Case("theme_move", "post", WRITE, ("theme",), lambda o: {"to": "down"}, changes=False),
    Case("theme_delete", "post", OWN, ("theme",)),
    Case("theme_codes", "post", WRITE, ("theme",), lambda o: {"code": o["code2"].pk}),
    Case("theme_detail", "get", READ, ("theme",)),
    Case("theme_status", "post", OWN, ("theme",), lambda o: {"status": "in_review"}),
    Case("quote_toggle", "post", WRITE, ("theme", "excerpt"), kwargs=("pk", "excerpt_id")),
    Case("quote_move", "post", WRITE, ("quote",), lambda o: {"to": "up"}, changes=False),
    Case("quote_extract", "post", WRITE, ("quote",), lambda o: {"extract": "the ones […]"}),
    Case("comment_add", "post", COMMENT, ("theme",), lambda o: {"body": "A remark"}),
    Case("comment_resolve", "post", COMMENT, ("comment",)),
    Case("excerpt_context", "get", READ, ("excerpt",)),
    Case("export_findings", "get", READ),
    Case("export_codebook", "get", READ),
    Case("export_excerpts_csv", "get", READ),
    Case("export_excerpts_xlsx", "get", READ),
    Case("export_matrix_xlsx", "get", READ),
    Case("retrieve", "get", READ),
    Case("retrieve_csv", "get", READ),
    Case("retrieve_xlsx", "get", READ),
    Case("matrix", "get", READ),
    Case("matrix_download", "get", READ),
    Case("export_memos_docx", "get", READ),
    Case("export_qdpx", "get", READ),
    Case("export_qdc", "get", READ),
    Case("memos", "get", READ),
    Case("journal", "get", READ),
    Case("journal", "post", WRITE, data=lambda o: {"body": "A decision"}),
    Case("memo_panel", "get", READ, ("kind_code", "code"), kwargs=("kind", "target_id")),
    Case(
        "memo_panel",
        "post",
        WRITE,
        ("kind_theme", "theme"),
        lambda o: {"body": "A thought"},
        kwargs=("kind", "target_id"),
    ),
    Case(
        "memo_edit",
        "post",
        AUTHOR,
        ("kind_journal", "journal_entry"),
        lambda o: {"body": "Edited"},
        kwargs=("kind", "pk"),
    ),
    Case("memo_delete", "post", AUTHOR, ("kind_code", "code_memo"), kwargs=("kind", "pk")),
    Case("memo_restore", "post", AUTHOR, ("kind_theme", "deleted_memo"), kwargs=("kind", "pk")),
    Case(
        "history_restore",
        "post",
        AUTHOR,
        ("kind_restore_memo", "deleted_memo"),
        kwargs=("kind", "pk"),
    ),
]


def snapshot():
    """Every row of every table of the app: a write that was refused must change none."""
    state = {}
    for app in ("interviews", "coding", "themes"):
        for model in apps.get_app_config(app).get_models():
            manager = getattr(model, "all_objects", model._default_manager)
            state[model.__name__] = sorted(map(repr, manager.values_list()))
    state["theme_codes"] = sorted(
        map(repr, apps.get_model("themes", "Theme").codes.through.objects.values_list())
    )
    return state


def url_for(case: Case, objects: dict, ids_from: dict | None = None) -> str:
    source = ids_from or objects
    kwargs = {"slug": objects["slug"], **dict(case.names)}
    for name, key in zip(case.kwargs, case.objects, strict=False):
        kwargs[name] = source[key].pk
    return reverse(case.name, kwargs=kwargs)


def call(client: Client, case: Case, url: str, objects: dict):
    if case.method == "get":
        return client.get(url)
    return client.post(url, case.data(objects))


EXPECTED = {
    # role: {action: allowed?}
    "owner": {READ: True, COMMENT: True, WRITE: True, OWN: True, AUTHOR: False},
    "coder": {READ: True, COMMENT: True, WRITE: True, OWN: False, AUTHOR: True},
    "reviewer": {READ: True, COMMENT: True, WRITE: False, OWN: False, AUTHOR: False},
}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method}-{c.name}")
@pytest.mark.parametrize("role", ["owner", "coder", "reviewer", "stranger", "anonymous"])
def test_role_matrix(case, role, study, owner, coder, reviewer, stranger):
    objects = build(study, coder)
    url = url_for(case, objects)
    users = {"owner": owner, "coder": coder, "reviewer": reviewer, "stranger": stranger}
    client = client_for(users[role]) if role in users else Client()
    if case.prepare and role in users:
        case.prepare(client, users[role], objects)
    before = snapshot()
    response = call(client, case, url, objects)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role == "stranger":
        assert response.status_code == 404
        assert study.title not in response.content.decode()
        # The true reason, not that the row "no longer exists" (it does).
        assert NOT_A_MEMBER in response.content.decode()
    elif EXPECTED[role][case.action]:
        assert response.status_code < 400, response.content[:300]
        if case.method == "post" and case.changes:
            assert snapshot() != before, "an allowed write must change something"
        return
    else:
        assert response.status_code == 403
        if role == "reviewer" and case.action == WRITE:
            # "Reviewers read, never write", not that the row "no longer exists".
            assert REFUSALS[WRITE] in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("case", [c for c in CASES if c.objects], ids=lambda c: c.name)
def test_another_studys_ids_are_never_found(case, study, owner, coder, other_study, stranger):
    objects = build(study, coder)
    others = build(other_study, stranger)
    interviews.membership_set(study=other_study, username=coder.username, role="coder")
    before = snapshot()
    response = call(client_for(owner), case, url_for(case, objects, ids_from=others), objects)
    assert response.status_code == 404
    assert snapshot() == before


POST_ONLY = sorted(
    {c.name for c in CASES if c.method == "post"} - {c.name for c in CASES if c.method == "get"}
)


@pytest.mark.parametrize("name", POST_ONLY)
def test_actions_refuse_get(name, study, owner, coder):
    objects = build(study, coder)
    case = next(c for c in CASES if c.name == name)
    before = snapshot()
    response = client_for(owner).get(url_for(case, objects))
    assert response.status_code == 405
    assert snapshot() == before


def test_every_study_url_is_in_the_matrix():
    covered = {case.name for case in CASES}
    study_urls = {
        pattern.name
        for pattern in get_resolver().url_patterns
        for pattern in getattr(pattern, "url_patterns", [pattern])
        if "<slug:slug>" in str(pattern.pattern)
    }
    assert study_urls - covered == set()

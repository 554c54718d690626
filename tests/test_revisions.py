"""Every write to what the roll-up counts moves the study's revision, and the themes page,
which reads the roll-up from the cache, then shows the new counts.

A wrong cached count is the worst bug the cache could bring: a researcher who finds one
stops trusting every count. So each service that writes coding data is walked here: the
page is read (and its roll-up cached), the service runs, and the page read again must be
the page computed from nothing. `test_every_service_is_walked` makes a new service fail
until it is walked here or said to leave the roll-up alone.
"""

from __future__ import annotations

import inspect
import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from coding import autocode, undo
from coding import bin as coding_bin
from coding import services as coding
from coding.models import DeletedCode
from coding.selectors import code_rows
from interviews import deidentify
from interviews import services as interviews
from interviews.models import Study
from themes import services as themes
from themes.exchange import qdpx_import
from themes.rollup import build_rollup, study_rollup
from themes.selectors import study_rows

from .conftest import TRANSCRIPT, client_for, code_span, import_text
from .themes.exchange.qdpx_files import codebook_qdc

R4_TEXT = TRANSCRIPT.replace("R1:", "R4:")


def _new_excerpt(ctx):
    r1 = ctx["interviews"][0]
    code_span(r1, "never looked back", [ctx["codes"][1]], ctx["owner"])


def _same_span_more_codes(ctx):
    # R1's excerpt gains Colleagues: "At work" now has R1 too.
    r1 = ctx["interviews"][0]
    code_span(r1, "About six years", [ctx["codes"][1]], ctx["owner"])


def _autocode(ctx):
    # R1's "never looked back" coded Colleagues from a search: "At work" gains R1.
    r1 = ctx["interviews"][0]
    start = r1.text.index("never looked back")
    picks = [(r1.pk, start, start + len("never looked back"), r1.version)]
    autocode.excerpts_autocode(
        study=ctx["study"], picks=picks, code=ctx["codes"][1], coder=ctx["owner"]
    )


def _code_picked(ctx):
    # A new excerpt in R1 with a code typed in the picker, gathered by no theme yet: the
    # roll-up's codebook gains it.
    r1 = ctx["interviews"][0]
    words = "never looked back"
    start = r1.text.index(words)
    coding.excerpt_code_picked(
        interview=r1,
        coder=ctx["owner"],
        start=start,
        end=start + len(words),
        seen_text=words,
        version=r1.version,
        choice=coding.CodeChoice(ids=[ctx["codes"][1].pk], new_name="Hope"),
        codes=code_rows(ctx["study"]),
    )


def _codes_add_picked(ctx):
    # R1's excerpt gains Colleagues: "At work" now has R1 too.
    coding.excerpt_codes_add_picked(
        excerpt=ctx["excerpts"][0],
        coder=ctx["owner"],
        choice=coding.CodeChoice(ids=[ctx["codes"][1].pk]),
        codes=code_rows(ctx["study"]),
    )


def _codes_add(ctx):
    first = ctx["excerpts"][0]
    coding.excerpt_codes_add(excerpt=first, codes=[ctx["codes"][1]], coder=ctx["owner"])


def _code_remove(ctx):
    coding.excerpt_code_remove(excerpt=ctx["excerpts"][1], code=ctx["codes"][1])


def _memo(ctx):
    first = ctx["excerpts"][0]
    coding.excerpt_memo_set(excerpt=first, memo="A memo.", revision=first.revision)


def _resize(ctx):
    # R1's excerpt moves from the answer to Q1 to the answer to Q2.
    first = ctx["excerpts"][0]
    r1 = first.interview
    words = "the ones nobody else will see"
    start = r1.text.index(words)
    coding.excerpt_resize(
        excerpt=first,
        start=start,
        end=start + len(words),
        seen_text=words,
        version=r1.version,
        revision=first.revision,
    )


def _review(ctx):
    r1 = ctx["interviews"][0]
    coding.transcript_edit(
        interview=r1, text=r1.text.replace("About six years", "About seven years"), version=1
    )
    first = ctx["excerpts"][0]
    first.refresh_from_db()
    coding.excerpt_review(excerpt=first)


def _delete(ctx):
    coding.excerpt_delete(excerpt=ctx["excerpts"][1])


def _restore(ctx):
    second = ctx["excerpts"][1]
    coding.excerpt_delete(excerpt=second)
    ctx["warm"]()
    second.refresh_from_db()
    coding.excerpt_restore(excerpt=second)


def _transcript_edit(ctx):
    # The words of R2's excerpt are removed: it is orphaned and counts nowhere.
    r2 = ctx["interviews"][1]
    text = r2.text.replace("the ones nobody else will see", "")
    coding.transcript_edit(interview=r2, text=text, version=r2.version)


def _code_create(ctx):
    coding.code_create(study=ctx["study"], name="Family")


def _code_get_or_create(ctx):
    coding.code_get_or_create(study=ctx["study"], name="Family")


def _code_update(ctx):
    learning = ctx["codes"][0]
    coding.code_update(
        code=learning,
        revision=learning.revision,
        name="Learning on the job",
        colour="teal",
        parent=None,
    )


def _code_move(ctx):
    # Colleagues goes under Learning: Training, which gathers Learning's branch, gains R2.
    learning, colleagues = ctx["codes"]
    coding.code_move(code=colleagues, parent=learning)


def _code_merge(ctx):
    learning, colleagues = ctx["codes"]
    coding.code_merge(source=colleagues, target=learning)


def _code_delete(ctx):
    coding.code_delete(code=ctx["codes"][1], force=True)


def _code_restore(ctx):
    coding.code_delete(code=ctx["codes"][1], force=True)
    ctx["warm"]()
    coding_bin.code_restore(item=DeletedCode.objects.get())


def _undo(ctx):
    journal = undo.Journal()
    coding.excerpt_delete(excerpt=ctx["excerpts"][1], journal=journal)
    undo.keep(journal=journal, study=ctx["study"], user=ctx["owner"], session_key="s", label="x")
    ctx["warm"]()
    undo.undo(study=ctx["study"], user=ctx["owner"], session_key="s")


def _theme_restore(ctx):
    themes.theme_delete(theme=ctx["at_work"])
    ctx["warm"]()
    themes.theme_restore(study=ctx["study"], theme_id=ctx["at_work"].pk)


def _theme_create(ctx):
    themes.theme_create(study=ctx["study"], name="Support")


def _theme_update(ctx):
    at_work = ctx["at_work"]
    themes.theme_update(
        theme=at_work,
        revision=at_work.revision,
        name="At the agency",
        description="",
        parent=None,
    )


def _theme_move(ctx):
    support = themes.theme_create(study=ctx["study"], name="Support")
    ctx["warm"]()
    themes.theme_move(theme=support, delta=-1)


def _theme_delete(ctx):
    themes.theme_delete(theme=ctx["at_work"])


def _theme_code_attach(ctx):
    themes.theme_code_attach(theme=ctx["at_work"], code=ctx["codes"][0])


def _theme_code_detach(ctx):
    themes.theme_code_detach(theme=ctx["at_work"], code=ctx["codes"][1])


def _theme_status(ctx):
    themes.theme_status_set(theme=ctx["training"], status="in_review")


def _question_add(ctx):
    interviews.question_add(study=ctx["study"], text="What support do you get?")


def _question_update(ctx):
    question = ctx["study"].questions.get(number=1)
    interviews.question_update(question=question, text="How long, in years?")


def _questions_reorder(ctx):
    ids = list(ctx["study"].questions.order_by("-number").values_list("pk", flat=True))
    interviews.questions_reorder(study=ctx["study"], order=ids)


def _question_move(ctx):
    interviews.question_move(question=ctx["study"].questions.get(number=2), delta=-1)


def _question_delete(ctx):
    interviews.question_delete(question=ctx["study"].questions.get(number=1))


def _attribute_remove(ctx):
    interviews.attribute_remove(study=ctx["study"], name="Years of experience")


def _respondent_create(ctx):
    interviews.respondent_create(study=ctx["study"], pseudonym="R9")


def _respondent_update(ctx):
    r1 = ctx["interviews"][0].respondent
    interviews.respondent_update(respondent=r1, pseudonym="R1a", attributes={})


def _respondent_withdraw(ctx):
    interviews.respondent_withdraw(respondent=ctx["interviews"][1].respondent)


def _respondent_reinstate(ctx):
    interviews.respondent_reinstate(respondent=ctx["interviews"][2].respondent)


def _respondent_delete(ctx):
    interviews.respondent_delete(respondent=ctx["interviews"][1].respondent)


def _interview_import(ctx):
    # A new respondent with a transcript: N goes from 2 to 3.
    import_text(ctx["study"], text=R4_TEXT, name="R4.txt")


def _interviews_import(ctx):
    files = [interviews.ImportFile(name="R4.txt", raw=R4_TEXT.encode())]
    assert all(o.ok for o in interviews.interviews_import(study=ctx["study"], files=files))


def _interviews_import_together(ctx):
    files = [interviews.ImportFile(name="R4.txt", raw=R4_TEXT.encode())]
    outcomes = interviews.interviews_import_together(study=ctx["study"], files=files)
    assert all(o.ok for o in outcomes)


def _interview_update(ctx):
    # R1's transcript goes to R2: R1 has none left, N goes from 2 to 1.
    r1, r2, _ = ctx["interviews"]
    interviews.interview_update(
        interview=r1, title="First", respondent=r2.respondent, conducted_on=None
    )


def _interview_delete(ctx):
    interviews.interview_delete(interview=ctx["interviews"][1])


def _segments_detect(ctx):
    r1 = ctx["interviews"][0]
    r1.segments.all().delete()
    ctx["warm"]()
    interviews.segments_detect(interview=r1)


def _segments_set(ctx):
    r1 = ctx["interviews"][0]
    first_turn = r1.turns[0][0]
    interviews.segments_set(interview=r1, markers={first_turn: None})


def _deidentify(ctx):
    # "Café" in R2's excerpt becomes "[place]": the excerpt's words change, in the roll-up's
    # quotes and counts of changed excerpts.
    study = ctx["study"]
    interviews.identifier_add(study=study, text="nobody", replacement="[no one]")
    waiting = deidentify.study_occurrences(study=study)
    r2 = ctx["interviews"][1]
    interviews.deidentification_apply(
        study=study, decisions={o.key: o.interview_id == r2.pk for o in waiting}
    )


def _excerpts_import(ctx):
    # A new transcript of a new respondent, R4, coded Learning: Training gains R4.
    r4 = import_text(ctx["study"], text=R4_TEXT, name="R4.txt")
    ctx["warm"]()
    words = "never looked back"
    start = r4.text.index(words)
    span = coding.SpanToCode(start, start + len(words), (ctx["codes"][0],))
    coding.excerpts_import(interview=r4, coder=ctx["owner"], spans=[span])


def _codebook_import(ctx):
    # A .qdc's codes merged in: Hope is new, so the roll-up's codebook gains it.
    qdpx_import.codebook_import(study=ctx["study"], name="tags.qdc", raw=codebook_qdc())


# Each service that writes what the roll-up is computed from, and one way to call it.
WALK = {
    "excerpt_code_selection": _new_excerpt,
    "excerpt_create": _same_span_more_codes,
    "excerpt_codes_add": _codes_add,
    "excerpt_code_picked": _code_picked,
    "excerpt_codes_add_picked": _codes_add_picked,
    "excerpts_autocode": _autocode,
    "excerpt_code_remove": _code_remove,
    "excerpt_memo_set": _memo,
    "excerpt_resize": _resize,
    "excerpt_review": _review,
    "excerpt_delete": _delete,
    "excerpt_restore": _restore,
    "transcript_edit": _transcript_edit,
    "code_create": _code_create,
    "code_get_or_create": _code_get_or_create,
    "code_update": _code_update,
    "code_move": _code_move,
    "code_merge": _code_merge,
    "code_delete": _code_delete,
    "code_to_bin": _code_delete,
    "code_restore": _code_restore,
    "undo": _undo,
    "theme_create": _theme_create,
    "theme_update": _theme_update,
    "theme_move": _theme_move,
    "theme_delete": _theme_delete,
    "theme_restore": _theme_restore,
    "theme_code_attach": _theme_code_attach,
    "theme_code_detach": _theme_code_detach,
    "theme_status_set": _theme_status,
    "question_add": _question_add,
    "question_update": _question_update,
    "questions_reorder": _questions_reorder,
    "question_move": _question_move,
    "question_delete": _question_delete,
    "attribute_remove": _attribute_remove,
    "respondent_create": _respondent_create,
    "respondent_update": _respondent_update,
    "respondent_withdraw": _respondent_withdraw,
    "respondent_reinstate": _respondent_reinstate,
    "respondent_delete": _respondent_delete,
    "interview_import": _interview_import,
    "interviews_import": _interviews_import,
    "interview_import_safely": _interviews_import,
    "interviews_import_together": _interviews_import_together,
    "interview_update": _interview_update,
    "interview_delete": _interview_delete,
    "interview_text_replace": _transcript_edit,
    "segments_detect": _segments_detect,
    "segments_set": _segments_set,
    "deidentification_apply": _deidentify,
    "codebook_import": _codebook_import,
    "excerpts_import": _excerpts_import,
}

# Services that write nothing the roll-up is computed from, or only read; and why.
LEAVES_ROLLUP = {
    # Studies, members and invitations: no count, no name in the roll-up.
    **dict.fromkeys(
        [
            "study_create",
            "study_update",
            "membership_set",
            "member_add",
            "invitation_accept",
            "invitation_decline",
            "membership_remove",
            # The list of attribute names lives on the study; no respondent changes.
            "attribute_add",
            # The list of identifying strings; applying it is walked above.
            "identifier_add",
            "identifier_update",
            "identifier_delete",
            # A typed field kept as it is, or asked about again: no count, no name changes.
            "typed_field_keep",
            "typed_keep_undo",
        ],
        "outside the roll-up",
    ),
    # Makes a new study (through study_create and the services walked here), whose own
    # revision it moves; the study the page shows is not touched.
    "study_import_qdpx": "a new study",
    # Quotes and comments are read apart from the roll-up (themes.review).
    **dict.fromkeys(["quote_add", "quote_extract_set", "quote_remove", "quote_move"], "quotes"),
    **dict.fromkeys(["comment_add", "comment_resolve"], "comments"),
    # Reads, checks and helpers that write nothing by themselves.
    **dict.fromkeys(
        [
            "clean_attributes",
            "pseudonym_from_filename",
            "respondent_guess",
            "guess_among",
            "checked_span",
            "outside_labels",
            "spans_merged",
            "span_trimmed",
            "parse_offsets",
            "codes_hold",
            "theme_snapshot",
            "changes_since_review",
            "retention",
            "code_state",
            "stamp",
            "code_links",
            "links_of",
            "codings_of",
            "bin_items",
            "deleted_excerpts",
            "excerpt_items",
            "code_items",
            "excerpt_state",
            "codings_state",
            "note",
            "note_excerpt",
            "note_code",
            "keep",
            # Sets aside an undo entry whose action was undone another way (a memo put back).
            "spend",
            "one_step",
            # Reads whether a comment is resolved, by whom and when, for its undo step.
            "comment_state",
            # Words what a restore left out.
            "quotes_left_out_note",
            # Run inside excerpt_restore and undo (walked above); take off only quotes,
            # which the roll-up does not read.
            "excerpt_came_back",
            "quotes_of_restored_excerpt",
            # Keeps the undo entry inside the coding's transaction (excerpt_code_selection,
            # walked above), which bumps the revision; the entry itself is no coding.
            "keep_noted",
            # Words a message and an undo entry's label; writes nothing.
            "coded_message",
            # The key two protocol questions are compared by (typed, or from a .qdpx).
            "question_key",
            # Registers how an app above coding undoes its own steps.
            "register",
            "widen",
            "autocode_preview",
            "parse_picks",
            # Writes through code_to_bin / code_restore, walked above.
            "link",
            "unlink",
            "recode",
            # Moves excerpts inside transcript_edit and deidentification_apply, walked above.
            "excerpts_follow",
        ],
        "writes nothing by itself",
    ),
    # Erases only what the roll-up never counts: deleted excerpts and codes past the bin's
    # days, and the undo history.
    "purge": "erases only what is already out of the roll-up",
    # Writes only the history's records of themes whose codes a code's deletion or merge
    # changed (walked in tests/test_history_services.py).
    "record_owners": "writes only history records",
    # A pure function: the name of a source's file inside the archive, made from its text.
    "source_file_name": "writes nothing",
}

# Walks whose write leaves the roll-up as it was: a memo (the roll-up holds none), a
# respondent without a transcript (counted once one is imported). The revision moves all
# the same: the service's one place of writing moves it.
ROLLUP_UNCHANGED = {"excerpt_memo_set", "respondent_create"}

SERVICE_MODULES = (interviews, coding, themes, coding_bin, undo, autocode, qdpx_import)


def test_every_service_is_walked():
    public = {
        name
        for module in SERVICE_MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }
    unknown = public - WALK.keys() - LEAVES_ROLLUP.keys()
    assert not unknown, f"walk these in WALK or say why in LEAVES_ROLLUP: {sorted(unknown)}"


# The CSRF token is masked afresh in every response.
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"x-csrftoken": ")[^"]*"')


def _themes_page(client, study) -> str:
    response = client.get(reverse("themes", args=[study.slug]))
    assert response.status_code == 200
    return _CSRF.sub(r"\1", response.content.decode())


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _revision(study) -> int:
    return Study.objects.values_list("revision", flat=True).get(pk=study.pk)


@pytest.mark.parametrize("service", sorted(WALK))
def test_the_write_moves_the_revision_and_the_page_shows_it(
    service, study, owner, themed, django_capture_on_commit_callbacks
):
    client = client_for(owner)

    def warm() -> str:
        # The roll-up is cached when the request's reads commit, as outside a test.
        with django_capture_on_commit_callbacks(execute=True):
            return _themes_page(client, study)

    revisions, rollups = [], []

    def warm_again():
        # Some walks write first (a deletion to restore, say), then read the page again.
        warm()
        revisions.append(_revision(study))
        rollups.append(build_rollup(study_rows(study)))

    warm_again()
    assert caches["rollup"].get(f"rollup:{study.pk}") is not None
    WALK[service]({**themed, "study": study, "owner": owner, "warm": warm_again})

    assert _revision(study) > revisions[-1]
    shown = warm()
    fresh = build_rollup(study_rows(study))
    # The walk changed the roll-up, so an entry left under the old revision would be wrong.
    assert (fresh != rollups[-1]) == (service not in ROLLUP_UNCHANGED)
    assert study_rollup(study) == fresh
    # Read again from the caches (the roll-up, the page's rendered sections), then from
    # nothing: the three are the same page.
    assert shown == _themes_page(client, study)
    for cache in caches.all():
        cache.clear()
    assert shown == _themes_page(client, study)


def test_a_page_read_after_a_write_is_never_served_from_the_old_entry(
    study, owner, themed, django_capture_on_commit_callbacks
):
    """The counts the themes page shows move with a coding, through the cache."""
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        before = _text(_themes_page(client, study))
    assert "(1 of 2) · 1 excerpt" in before  # At work: R2's excerpt
    coding.excerpt_codes_add(
        excerpt=themed["excerpts"][0], codes=[themed["codes"][1]], coder=owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        after = _text(_themes_page(client, study))
    assert "(2 of 2) · 2 excerpts" in after  # At work: R1's excerpt joins R2's

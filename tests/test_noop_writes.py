"""A write that changes nothing leaves the study's revision as it was, so that the roll-up
cached under it stays in use (recomputing it costs about 350 ms at the default scale):
removing what is not there, adding what is there, moving to where it is, setting what is
set. Each no-op is checked here, then the real write beside it moves the revision (so the
test would see a bump). The services still bump first, for the lock, and take the bump
back (interviews.revisions.study_revision_keep)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding import autocode, undo
from coding import services as coding
from coding.models import Excerpt
from coding.selectors import code_rows
from interviews import memos
from interviews import services as interviews
from interviews.models import Interview, JournalEntry, Respondent, Study
from tests.conftest import HTMX, TRANSCRIPT, client_for, code_span
from tests.themes.exchange.qdpx_files import codebook_qdc
from themes import services as themes
from themes.exchange import qdpx_import
from themes.memos import JOURNAL
from themes.models import ReviewStatus
from themes.undo import note_memo


def revision(study) -> int:
    return Study.objects.values_list("revision", flat=True).get(pk=study.pk)


# Each walk sets up what it needs, then returns (the write that changes nothing, a real
# write of the same service); each no-op checks that it indeed changed nothing.


def _remove_code_not_there(ctx):
    excerpt, (learning, colleagues) = ctx["excerpts"][0], ctx["codes"]

    def noop():
        assert coding.excerpt_code_remove(excerpt=excerpt, code=colleagues) is False

    return noop, lambda: coding.excerpt_code_remove(excerpt=excerpt, code=learning)


def _add_code_there(ctx):
    excerpt, (learning, colleagues) = ctx["excerpts"][0], ctx["codes"]

    def add(code):
        return coding.excerpt_codes_add(excerpt=excerpt, codes=[code], coder=ctx["owner"])

    def noop():
        assert add(learning) == 0

    return noop, lambda: add(colleagues)


def _code_the_same_words_again(ctx):
    r1, (learning, colleagues) = ctx["interviews"][0], ctx["codes"]

    def noop():
        excerpt = code_span(r1, "About six years", [learning], ctx["owner"])
        assert excerpt.pk == ctx["excerpts"][0].pk
        assert list(excerpt.codings.values_list("code_id", flat=True)) == [learning.pk]

    return noop, lambda: code_span(r1, "About six years", [colleagues], ctx["owner"])


def _pick_a_code_there(ctx):
    excerpt, (learning, colleagues) = ctx["excerpts"][0], ctx["codes"]

    def pick(code):
        return coding.excerpt_codes_add_picked(
            excerpt=excerpt,
            coder=ctx["owner"],
            choice=coding.CodeChoice(ids=[code.pk]),
            codes=code_rows(ctx["study"]),
        )

    def noop():
        assert pick(learning)[1] == []

    return noop, lambda: pick(colleagues)


def _autocode_passages_coded(ctx):
    r1, (learning, colleagues) = ctx["interviews"][0], ctx["codes"]
    start = r1.text.index("About six years")

    def run(code):
        picks = [(r1.pk, start, start + len("About six years"), r1.version)]
        return autocode.excerpts_autocode(
            study=ctx["study"], picks=picks, code=code, coder=ctx["owner"]
        )

    def noop():
        assert run(learning)[1:] == (0, 0)

    return noop, lambda: run(colleagues)


def _detach_a_code_not_gathered(ctx):
    training, (learning, colleagues) = ctx["training"], ctx["codes"]

    def noop():
        assert themes.theme_code_detach(theme=training, code=colleagues) is False

    return noop, lambda: themes.theme_code_detach(theme=training, code=learning)


def _attach_a_code_gathered(ctx):
    training, (learning, colleagues) = ctx["training"], ctx["codes"]

    def noop():
        themes.theme_code_attach(theme=training, code=learning)
        assert list(training.codes.all()) == [learning]

    return noop, lambda: themes.theme_code_attach(theme=training, code=colleagues)


def _move_a_theme_past_the_end(ctx):
    themes.theme_create(study=ctx["study"], name="Support")
    training = ctx["training"]

    def noop():
        themes.theme_move(theme=training, delta=-1)  # The first already.
        training.refresh_from_db()
        assert training.order == 1

    return noop, lambda: themes.theme_move(theme=training, delta=+1)


def _move_a_code_where_it_is(ctx):
    learning, colleagues = ctx["codes"]

    def noop():
        coding.code_move(code=learning, parent=None)
        learning.refresh_from_db()
        assert learning.parent_id is None

    return noop, lambda: coding.code_move(code=learning, parent=colleagues)


def _set_the_status_it_has(ctx):
    training = ctx["training"]

    def noop():
        themes.theme_status_set(theme=training, status=ReviewStatus.DRAFT)
        training.refresh_from_db()
        assert training.review_status == ReviewStatus.DRAFT

    return noop, lambda: themes.theme_status_set(theme=training, status=ReviewStatus.APPROVED)


def _reinstate_a_counted_respondent(ctx):
    r1, r3 = ctx["interviews"][0].respondent, ctx["interviews"][2].respondent

    def noop():
        interviews.respondent_reinstate(respondent=r1)
        r1.refresh_from_db()
        assert r1.withdrawn_at is None

    return noop, lambda: interviews.respondent_reinstate(respondent=r3)


def _saved_as_opened(row, update, fields: tuple[str, ...], change: dict):
    """(saving `row` with its `fields` as read, saving it with `change`) through `update`
    (code_update or theme_update), as an editor opened on it sends them."""
    model = type(row)

    def save(**changes):
        fresh = model.objects.get(pk=row.pk)
        values = {field: getattr(fresh, field) for field in fields}
        update(fresh, revision=fresh.revision, **{**values, **changes})

    def noop():
        revision = model.objects.get(pk=row.pk).revision
        save()
        assert model.objects.get(pk=row.pk).revision == revision

    return noop, lambda: save(**change)


def _save_a_code_as_opened(ctx):
    return _saved_as_opened(
        ctx["codes"][0],
        lambda code, **values: coding.code_update(code=code, **values),
        ("name", "colour", "parent", *coding.CODE_TEXT_FIELDS),
        {"definition": "How they learned it, and from whom."},
    )


def _save_a_theme_as_opened(ctx):
    return _saved_as_opened(
        ctx["training"],
        lambda theme, **values: themes.theme_update(theme=theme, **values),
        ("name", "description", "parent"),
        {"name": "Training and learning"},
    )


def _reorder_the_protocol_as_it_is(ctx):
    study = ctx["study"]
    for text in ("How long?", "What works?"):
        interviews.question_add(study=study, text=text)
    ids = list(study.questions.order_by("number").values_list("pk", flat=True))

    def noop():
        interviews.questions_reorder(study=study, order=ids)
        assert list(study.questions.order_by("number").values_list("pk", flat=True)) == ids

    return noop, lambda: interviews.questions_reorder(study=study, order=ids[::-1])


def _save_a_memo_as_it_is(ctx):
    excerpt = ctx["excerpts"][0]
    coding.excerpt_memo_set(excerpt=excerpt, memo="Key quote.", revision=excerpt.revision)

    def save(memo):
        fresh = Excerpt.objects.get(pk=excerpt.pk)
        coding.excerpt_memo_set(excerpt=fresh, memo=memo, revision=fresh.revision)

    def noop():
        save("Key quote.  ")  # Trimmed, the same words.
        assert Excerpt.objects.get(pk=excerpt.pk).memo == "Key quote."

    return noop, lambda: save("Key quote for Q2.")


def _save_a_question_as_it_is(ctx):
    question = ctx["study"].questions.order_by("number").first()

    def noop():
        interviews.question_update(question=question, text=question.text, topic=question.topic)

    return noop, lambda: interviews.question_update(question=question, text="How long, really?")


def _save_a_respondent_as_it_is(ctx):
    r1 = ctx["interviews"][0].respondent

    def save(pseudonym):
        fresh = Respondent.objects.get(pk=r1.pk)
        attributes = {name: str(value) for name, value in fresh.attributes.items()}
        interviews.respondent_update(respondent=fresh, pseudonym=pseudonym, attributes=attributes)

    return lambda: save("R1"), lambda: save("R1a")


def _save_a_transcript_as_it_is(ctx):
    r1 = ctx["interviews"][0]

    def save(title):
        fresh = Interview.objects.get(pk=r1.pk)
        interviews.interview_update(
            interview=fresh, title=title, respondent=fresh.respondent, conducted_on=None
        )

    return lambda: save(r1.title), lambda: save("First interview")


def _undo_outside_the_rollup(ctx):
    # Undoing a memo's deletion changes nothing the roll-up reads; an excerpt's does.
    study, owner = ctx["study"], ctx["owner"]
    journal = undo.Journal()
    coding.excerpt_delete(excerpt=ctx["excerpts"][1], journal=journal)
    undo.keep(journal=journal, study=study, user=owner, session_key="s", label="Deleted")
    memo = memos.memo_create(model=JournalEntry, author=owner, body="Hm.", study=study)
    memos.memo_delete(memo=memo, author=owner)
    journal = undo.Journal()
    note_memo(journal, JOURNAL, memo, {"body": "Hm.", "deleted": False})
    undo.keep(journal=journal, study=study, user=owner, session_key="s", label="Deleted")

    def noop():
        undo.undo(study=study, user=owner, session_key="s")
        memo.refresh_from_db()
        assert memo.deleted_at is None

    return noop, lambda: undo.undo(study=study, user=owner, session_key="s")


def _set_the_markers_it_has(ctx):
    r1 = Interview.objects.get(pk=ctx["interviews"][0].pk)
    had = list(r1.segments.values_list("start", "question_id"))
    assert had, "the import found R1's questions"

    def noop():
        interviews.segments_set(interview=r1, markers=dict(had))
        assert list(r1.segments.values_list("start", "question_id")) == had

    return noop, lambda: interviews.segments_set(interview=r1, markers={had[-1][0]: None})


def _detect_the_questions_found(ctx):
    r1 = ctx["interviews"][0]
    found = list(r1.segments.values_list("pk", "start", "end", "question_id", "score"))

    def noop():
        assert interviews.segments_detect(interview=r1) == 2
        # The very rows (their ids too): nothing was deleted and written again.
        assert list(r1.segments.values_list("pk", "start", "end", "question_id", "score")) == (
            found
        )

    def real():
        r1.segments.all().delete()
        interviews.segments_detect(interview=r1)

    return noop, real


def _remove_an_attribute_nobody_has(ctx):
    study = ctx["study"]
    interviews.attribute_add(study=study, name="Agency")

    def names():
        return [a["name"] for a in Study.objects.get(pk=study.pk).attribute_schema]

    def noop():
        interviews.attribute_remove(study=study, name="Not recorded")
        # Recorded, but of no respondent: it leaves the list, and nothing the roll-up reads.
        interviews.attribute_remove(study=study, name="Agency")
        assert names() == ["Years of experience"]

    def real():
        interviews.attribute_remove(study=study, name="Years of experience")
        assert names() == []
        assert not Respondent.objects.filter(attributes__has_key="Years of experience")

    return noop, real


def _import_a_transcript_imported(ctx):
    study = ctx["study"]

    def run(text):
        return interviews.interview_import(study=study, name="R1.txt", raw=text.encode())

    def noop():
        count = study.interviews.count()
        outcome = run(TRANSCRIPT)
        assert outcome.duplicate
        assert not outcome.ok
        assert study.interviews.count() == count

    return noop, lambda: run(TRANSCRIPT.replace("About six", "About seven"))


def _import_together_only_transcripts_imported(ctx):
    study = ctx["study"]
    context = interviews.ImportContext(study)

    def run(*texts):
        files = [interviews.ImportFile(name="R1.txt", raw=text.encode()) for text in texts]
        return interviews.interviews_import_together(study=study, files=files, context=context)

    def noop():
        count = study.interviews.count()
        outcomes = run(TRANSCRIPT, TRANSCRIPT)
        assert all(outcome.duplicate for outcome in outcomes)
        assert study.interviews.count() == count

    def real():
        # The batch's context still matches the study: read once, not again after the no-op.
        assert context.revision == revision(study)
        run(TRANSCRIPT.replace("About six", "About seven"))

    return noop, real


def _import_a_codebook_the_study_has(ctx):
    study = ctx["study"]

    def run(*names):
        raw = codebook_qdc("urn:QDA-XML:codebook:1.0", *names)
        return qdpx_import.codebook_import(study=study, name="tags.qdc", raw=raw)

    def noop():
        report = run("Learning", "colleagues")
        assert report.summary() == "nothing"
        assert report.kept() == "2 codes"

    return noop, lambda: run("Learning", "Hope")


def _save_a_transcript_text_as_it_is(ctx):
    r2 = ctx["interviews"][1]

    def save(text):
        fresh = Interview.objects.get(pk=r2.pk)
        return coding.transcript_edit(interview=fresh, text=text, version=fresh.version)

    def noop():
        # Normalised as it would be on save: line endings typed by Windows are the same text.
        report = save(r2.text.replace("\n", "\r\n"))
        assert report.message == "The transcript is as it was; nothing was changed."
        assert Interview.objects.get(pk=r2.pk).version == r2.version

    return noop, lambda: save(r2.text.replace("Café regulars", "Regulars"))


def _resize_to_the_words_it_holds(ctx):
    excerpt = ctx["excerpts"][0]
    r1, journal = excerpt.interview, undo.Journal()

    def resize(words):
        fresh = Excerpt.objects.get(pk=excerpt.pk)
        start = r1.text.index(words)
        span = {"start": start, "end": start + len(words), "seen_text": words}
        return coding.excerpt_resize(
            excerpt=fresh, **span, version=r1.version, revision=fresh.revision, journal=journal
        )

    def noop():
        assert resize(excerpt.text) == (excerpt.start, excerpt.end)
        assert journal.steps == []  # Nothing to undo.
        assert Excerpt.objects.get(pk=excerpt.pk).revision == excerpt.revision

    return noop, lambda: resize("About six years now")


NOOPS = {
    "excerpt_code_remove": _remove_code_not_there,
    "excerpt_codes_add": _add_code_there,
    "excerpt_code_selection": _code_the_same_words_again,
    "excerpt_codes_add_picked": _pick_a_code_there,
    "excerpts_autocode": _autocode_passages_coded,
    "theme_code_detach": _detach_a_code_not_gathered,
    "theme_code_attach": _attach_a_code_gathered,
    "theme_move": _move_a_theme_past_the_end,
    "code_move": _move_a_code_where_it_is,
    "theme_status_set": _set_the_status_it_has,
    "respondent_reinstate": _reinstate_a_counted_respondent,
    "undo": _undo_outside_the_rollup,
    "code_update": _save_a_code_as_opened,
    "theme_update": _save_a_theme_as_opened,
    "questions_reorder": _reorder_the_protocol_as_it_is,
    "excerpt_memo_set": _save_a_memo_as_it_is,
    "question_update": _save_a_question_as_it_is,
    "respondent_update": _save_a_respondent_as_it_is,
    "interview_update": _save_a_transcript_as_it_is,
    "segments_set": _set_the_markers_it_has,
    "segments_detect": _detect_the_questions_found,
    "attribute_remove": _remove_an_attribute_nobody_has,
    "interview_import": _import_a_transcript_imported,
    "interviews_import_together": _import_together_only_transcripts_imported,
    "codebook_import": _import_a_codebook_the_study_has,
    "transcript_edit": _save_a_transcript_text_as_it_is,
    "excerpt_resize": _resize_to_the_words_it_holds,
}


def test_deleting_a_question_still_numbers_the_rest_anew(study):
    """questions_reorder changes nothing for a protocol numbered so already; after a
    deletion (a gap in the numbers) it still renumbers."""
    interviews.question_add(study=study, text="How has it changed for you?")
    first = study.questions.order_by("number").first()
    rest = list(study.questions.exclude(pk=first.pk).order_by("number").values_list("pk"))
    assert len(rest) >= 2
    interviews.question_delete(question=first)
    numbers = study.questions.order_by("number").values_list("pk", "number")
    assert list(numbers) == [(pk, n) for n, (pk,) in enumerate(rest, start=1)]


@pytest.mark.parametrize("write", sorted(NOOPS))
def test_a_write_that_changes_nothing_leaves_the_revision(write, study, owner, themed):
    ctx = {**themed, "study": study, "owner": owner}
    noop, real = NOOPS[write](ctx)
    before = revision(study)
    noop()
    assert revision(study) == before, f"{write} changed nothing but moved the revision"
    real()
    assert revision(study) > before, f"{write}'s real write must move the revision"


@pytest.mark.django_db(transaction=True)
def test_removing_a_code_the_excerpt_lacks_leaves_the_revision_in_its_own_transaction(
    study, owner, themed
):
    """As a request runs it: the service's block is the outermost, not a savepoint."""
    excerpt, colleagues = themed["excerpts"][0], themed["codes"][1]
    client = client_for(owner)
    before = revision(study)
    url = reverse("excerpt_code_remove", args=[study.slug, excerpt.pk, colleagues.pk])
    response = client.post(url, headers=HTMX)
    assert "nothing was changed" in response.content.decode()
    assert revision(study) == before
    learning = themed["codes"][0]
    url = reverse("excerpt_code_remove", args=[study.slug, excerpt.pk, learning.pk])
    client.post(url, headers=HTMX)
    assert revision(study) > before
    assert not excerpt.codings.exists()

"""The queries of a project's import do not grow with its size (issue 11: qdpx_import).

A project of `n` of everything (codes in a tree, cases with attributes, transcripts with
selections and memos, sets in a tree with their codes and memos, journal notes) imports in
the same number of queries at two sizes: every kind of row is written at once. Past a few
hundred rows of a kind (about 70 interviews on SQLite, whose statements take at most 999
values) a statement is split in batches; both sizes here are under that.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from coding.models import Code, CodeMemo, Coding, Excerpt
from interviews import history
from interviews.models import (
    Interview,
    InterviewMemo,
    JournalEntry,
    QuestionSegment,
    Respondent,
)
from themes.exchange.qdpx_import import study_import_qdpx
from themes.models import Theme, ThemeMemo

from .qdpx_files import PROJECT_NS


def _guid(kind: int, n: int) -> str:
    return f"{kind:08d}-{n:04d}-4000-8000-000000000000"


def _text(n: int) -> str:
    return (
        f"Interviewer: How did you start, {n}?\n"
        "R: At the shelter, and never looked back.\n"
        "Interviewer: What support do you get?\n"
        "R: My colleagues, every day, and my family.\n"
    )


def project(n: int) -> bytes:
    """A project of `n` codes (every other one under the first), a protocol of two
    questions, a variable, `n` cases each with a transcript of three coded selections
    (one with a memo, two on the same words), a memo on each transcript, each code and
    each set, `n` sets (each after the first under the first) and `n` journal notes."""
    codes = "".join(
        f'<Code guid="{_guid(1, i)}" name="Code {i}" isCodable="true">'
        f'<NoteRef targetGUID="{_guid(6, i)}"/></Code>'
        for i in range(1, n, 2)
    )
    codes = f'<Code guid="{_guid(1, 0)}" name="Code 0" isCodable="true">{codes}</Code>' + "".join(
        f'<Code guid="{_guid(1, i)}" name="Code {i}" isCodable="true"/>' for i in range(2, n, 2)
    )
    cases = "".join(
        f'<Case guid="{_guid(5, i)}" name="R{i}"><VariableValue>'
        f'<VariableRef targetGUID="{_guid(4, 0)}"/><IntegerValue>{i}</IntegerValue>'
        f'</VariableValue><SourceRef targetGUID="{_guid(3, i)}"/></Case>'
        for i in range(n)
    )
    sources = []
    for i in range(n):
        text = _text(i)
        start = text.index("never looked back")
        span = f'startPosition="{start}" endPosition="{start + len("never looked back")}"'
        other = text.index("My colleagues")
        sources.append(
            f'<TextSource guid="{_guid(3, i)}" name="Interview {i}">'
            f"<Description>On interview {i}.</Description>"
            f"<PlainTextContent>{escape(text)}</PlainTextContent>"
            f'<PlainTextSelection guid="{_guid(8, 3 * i)}" {span}>'
            f"<Description>Turning point {i}.</Description>"
            f'<Coding guid="{_guid(9, 3 * i)}"><CodeRef targetGUID="{_guid(1, i)}"/></Coding>'
            "</PlainTextSelection>"
            f'<PlainTextSelection guid="{_guid(8, 3 * i + 1)}" {span}>'
            f'<Coding guid="{_guid(9, 3 * i + 1)}"><CodeRef targetGUID="{_guid(1, 0)}"/>'
            "</Coding></PlainTextSelection>"
            f'<PlainTextSelection guid="{_guid(8, 3 * i + 2)}" startPosition="{other}" '
            f'endPosition="{other + 13}"><Coding guid="{_guid(9, 3 * i + 2)}">'
            f'<CodeRef targetGUID="{_guid(1, i)}"/></Coding></PlainTextSelection>'
            "</TextSource>"
        )
    notes = "".join(
        f'<Note guid="{_guid(kind, i)}" name="Note {kind}.{i}">'
        f"<PlainTextContent>Words {kind}.{i}.</PlainTextContent></Note>"
        for kind in (6, 7, 2)
        for i in range(n)
    )
    sets = "".join(
        f'<Set guid="{_guid(7, 100 + i)}" name="Set {i}">'
        + (
            f"<Description>Description:\nSet {i}.\n\nSub-theme of:\nSet 0</Description>"
            if i
            else ""
        )
        + f'<MemberCode targetGUID="{_guid(1, i)}"/><MemberCode targetGUID="{_guid(1, 0)}"/>'
        f'<MemberNote targetGUID="{_guid(7, i)}"/></Set>'
        for i in range(n)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{PROJECT_NS}" '
        f'name={quoteattr(f"Project of {n}")} origin="Some tool">'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook>"
        f'<Variables><Variable guid="{_guid(4, 0)}" name="Years" typeOfVariable="Integer"/>'
        "</Variables>"
        f"<Cases>{cases}</Cases><Sources>{''.join(sources)}</Sources><Notes>{notes}</Notes>"
        f"<Sets>{sets}</Sets><Description>Description:\nImported.\n\nProtocol:\n"
        "Q1. How did you start?\nQ2. What support do you get?</Description></Project>"
    ).encode()


def _made(study) -> dict[str, int]:
    return {
        "codes": Code.objects.filter(study=study).count(),
        "code parents": Code.objects.filter(study=study, parent__isnull=False).count(),
        "respondents": Respondent.objects.filter(study=study).count(),
        "interviews": Interview.objects.filter(study=study).count(),
        "excerpts": Excerpt.objects.filter(interview__study=study).count(),
        "codings": Coding.objects.filter(interview__study=study).count(),
        "themes": Theme.objects.filter(study=study).count(),
        "theme parents": Theme.objects.filter(study=study, parent__isnull=False).count(),
        "question sections": QuestionSegment.objects.filter(interview__study=study).count(),
        "memos": sum(
            model.objects.filter(**{lookup: study}).count()
            for model, lookup in (
                (JournalEntry, "study"),
                (InterviewMemo, "interview__study"),
                (CodeMemo, "code__study"),
                (ThemeMemo, "theme__study"),
            )
        ),
    }


# The queries of an import, whatever its size (inside the test's transaction):
#  2 the import's savepoint and its release;
#  the study (study_create): 2 its savepoint and release, 1 its address taken?, 3 its row
#    in a savepoint of its own, 1 its owner's membership; 1 the revision bump; 1 its
#    protocol's questions;
#  codes: 1 the study's codes, 1 INSERT, 1 their parents, 1 their records;
#  1 the attributes' list saved;
#  1 the withdrawn respondents of the importer's studies (the file has cases);
#  respondents: 1 INSERT, 1 records; interviews: 1 INSERT, 1 records, 1 their question
#    sections;
#  excerpts: 1 INSERT (executemany), 1 their ids read, 1 codings INSERT (executemany),
#    2 records (INSERT ... SELECT);
#  themes: 1 INSERT, 1 their codes, 1 their parents, 1 records, 1 their codes read, 1 the
#    records of their codes;
#  memos, for each of the four kinds: 1 INSERT, 1 records.
# (A file that names users reads their accounts here too: one more; these name none.)
QUERIES = 41


def test_an_import_makes_as_many_queries_at_two_sizes(owner, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        small = study_import_qdpx(name="small.qde", raw=project(4), owner=owner).study
    with django_assert_num_queries(QUERIES):
        large = study_import_qdpx(name="large.qde", raw=project(12), owner=owner).study

    # The comparison compares something: three times the rows, in as many queries (the
    # first transcript's two selections on the same words both carry Code 0: one coding).
    assert _made(small) == {
        "codes": 4,
        "code parents": 2,
        "respondents": 4,
        "interviews": 4,
        "excerpts": 8,
        "codings": 11,
        "themes": 4,
        "theme parents": 3,
        "memos": 4 * 4,
        "question sections": 2 * 4,
    }
    assert _made(large) == {
        "codes": 12,
        "code parents": 6,
        "respondents": 12,
        "interviews": 12,
        "excerpts": 24,
        "codings": 35,
        "themes": 12,
        "theme parents": 11,
        "memos": 4 * 12,
        "question sections": 2 * 12,
    }


def test_every_row_it_writes_has_its_record(owner):
    study = study_import_qdpx(name="p.qde", raw=project(4), owner=owner).study

    checked = 0
    for model in history.recorded_models():
        fields = [field.attname for field in model.history.model.tracked_fields]
        records = model.history.filter(history_study_id=study.pk)
        by_row = {}
        for record in records:
            assert record.id not in by_row, f"{model.__name__} {record.id}: two records"
            by_row[record.id] = record
        rows = model._base_manager.filter(
            pk__in=[*by_row, *[r.pk for r in _rows_of(model, study)]]
        ).values(*fields)
        for row in rows:
            record = by_row.get(row["id"])
            assert record is not None, f"{model.__name__} {row['id']} has no record"
            assert record.history_type == "+"
            assert record.history_user_id is None  # no request: a command's import
            assert {name: getattr(record, name) for name in fields} == row, model.__name__
            checked += 1
        assert len(rows) == len(by_row), model.__name__
    # The themes' records hold their codes as they are.
    for theme in Theme.objects.filter(study=study).prefetch_related("codes"):
        record = Theme.history.get(id=theme.pk)
        assert {link.code_id for link in record.codes.all()} == {c.pk for c in theme.codes.all()}
        checked += 1
    assert checked == 4 + 4 + 4 + 8 + 11 + 4 + 16 + 4


def _rows_of(model, study):
    """`model`'s rows of `study`, by the lookup its study is reached through."""
    lookups = {
        Code: "study",
        Respondent: "study",
        Interview: "study",
        Excerpt: "interview__study",
        Coding: "interview__study",
        Theme: "study",
        JournalEntry: "study",
        InterviewMemo: "interview__study",
        CodeMemo: "code__study",
        ThemeMemo: "theme__study",
    }
    if model not in lookups:
        return model._base_manager.none()
    return model._base_manager.filter(**{lookups[model]: study})

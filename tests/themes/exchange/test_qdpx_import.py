"""Importing a REFI-QDA project as a new study, and a codebook into an existing one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from coding.models import Code, CodeMemo, Coding, Excerpt
from interviews.models import (
    Interview,
    InterviewMemo,
    JournalEntry,
    ProtocolQuestion,
    Respondent,
    Role,
    Study,
)
from interviews.text import ImportRejected
from themes.exchange.qdpx_import import codebook_import, study_import_qdpx
from themes.models import Theme

from .qdpx_files import (
    G_SOURCE,
    TRANSCRIPT,
    codebook_qdc,
    coded_project,
    nvivo_qdpx,
    point_span,
    project_xml,
    qdpx,
    samples,
    selection,
)


def test_it_imports_a_project_as_a_new_study_owned_by_the_importer(owner):
    report = study_import_qdpx(name="peer.qdpx", raw=nvivo_qdpx(), owner=owner)

    study = report.study
    assert study.title == "Peer support"
    assert study.description == "An imported project."
    assert list(study.memberships.values_list("user", "role")) == [(owner.pk, Role.OWNER)]
    assert Study.objects.get(pk=study.pk).revision > 0
    codes = {c.name: c for c in Code.objects.filter(study=study)}
    assert set(codes) == {"Support", "Colleagues", "Start"}
    assert codes["Colleagues"].parent == codes["Support"]
    assert codes["Support"].definition == "Help from anyone."
    assert codes["Support"].colour == "#ff0000"
    assert codes["Start"].colour == "#00aa00"
    # R1's case holds the source: the interview is R1's, with the attribute.
    respondent = Respondent.objects.get(study=study)
    assert respondent.pseudonym == "R1"
    assert respondent.attributes == {"Years": 6}
    interview = Interview.objects.get(study=study)
    assert interview.title == "First interview"
    assert interview.respondent == respondent
    assert interview.text == TRANSCRIPT.replace("\r\n", "\n").strip()
    # Positions were UTF-16 units over CRLF text with two emoji before them: the excerpts
    # land on the same words in the normalised transcript.
    excerpts = {e.text: e for e in Excerpt.objects.filter(interview=interview)}
    assert set(excerpts) == {"never looked back", "My colleagues, every day."}
    assert excerpts["never looked back"].memo == "Turning point."
    assert [c.code.name for c in excerpts["never looked back"].codings.all()] == ["Start"]
    assert all(e.coder == owner for e in excerpts.values())
    assert list(
        InterviewMemo.objects.filter(interview=interview).values_list("body", flat=True)
    ) == ["On the interview\n\nTired voice."]
    assert list(JournalEntry.objects.filter(study=study).values_list("body", flat=True)) == [
        "Journal\n\nDay one."
    ]
    theme = Theme.objects.get(study=study)
    assert theme.name == "Work life"
    assert list(theme.codes.values_list("name", flat=True)) == ["Colleagues"]
    assert report.counts == {
        "codes": 3,
        "respondents": 1,
        "interviews": 1,
        "excerpts": 2,
        "memos": 2,
        "themes": 1,
    }


def test_the_report_names_each_adjustment(owner):
    report = study_import_qdpx(name="peer.qdpx", raw=nvivo_qdpx(), owner=owner)

    adjusted = "\n".join(report.adjusted)
    assert "UTF-16 code units" in adjusted
    assert "“rgb(1,2,3)”" in adjusted  # Colleagues' colour, unreadable: a palette one
    assert "(“Support”) became ordinary codes (Excerpta has no folders)" in adjusted
    assert "“Ann Coder”" in adjusted  # the file's coder has no account here
    assert report.dropped == []


def test_it_reports_each_item_it_drops(owner):
    extra_sources = (
        '<PictureSource guid="91111111-1111-4111-8111-111111111111" name="photo.jpg"/>'
        '<AudioSource guid="92222222-2222-4222-8222-222222222222" name="call.m4a"/>'
    )
    graphs = '<Graphs><Graph guid="93333333-3333-4333-8333-333333333333" name="Map"/></Graphs>'
    off_text = selection(
        "84444444-4444-4444-8444-444444444444", (500, 900), "23333333-3333-4333-8333-333333333333"
    )
    xml = project_xml(selections=off_text, extra_sources=extra_sources, extra=graphs)
    # A Graph sits after Sets: the reader matches by name, so the order does not matter.
    report = study_import_qdpx(name="p.qdpx", raw=nvivo_qdpx(xml), owner=owner)

    dropped = "\n".join(report.dropped)
    assert "“photo.jpg”, an image" in dropped
    assert "“call.m4a”, an audio recording" in dropped
    assert "the graph “Map”" in dropped
    assert "at 500–900 (it does not land on the text)" in dropped
    assert Excerpt.objects.filter(interview__study=report.study).count() == 0


def test_the_same_span_coded_twice_is_one_excerpt_with_both_codes(owner):
    # NVivo writes one selection per coding, even for the same words.
    span = point_span(TRANSCRIPT.replace("\r\n", "\n"), "never looked back")
    xml = project_xml(
        origin="Some tool",
        selections=selection(
            "85555555-5555-4555-8555-555555555555", span, "23333333-3333-4333-8333-333333333333"
        )
        + selection(
            "86666666-6666-4666-8666-666666666666", span, "22222222-2222-4222-8222-222222222222"
        ),
        # The text inline: XML has already made its line breaks LF.
        source_path="",
    ).replace(
        b'plainTextPath=""><',
        b"><PlainTextContent>"
        + TRANSCRIPT.replace("\r\n", "\n").encode()
        + b"</PlainTextContent><",
    )
    report = study_import_qdpx(name="p.qde", raw=xml, owner=owner)

    excerpt = Excerpt.objects.get(interview__study=report.study)
    assert excerpt.text == "never looked back"
    assert sorted(c.code.name for c in excerpt.codings.all()) == ["Colleagues", "Start"]
    assert report.counts["excerpts"] == 1


def test_a_source_that_cannot_be_read_leaves_nothing_behind(owner):
    studies, codes = Study.objects.count(), Code.objects.count()
    archive = qdpx(
        {
            "project.qde": coded_project(),
            # UTF-16 without a byte-order mark: not text Excerpta can read as UTF-8.
            f"sources/{G_SOURCE}.txt": TRANSCRIPT.encode("utf-16-le"),
        }
    )
    with pytest.raises(ImportRejected, match="“First interview”, which cannot be read"):
        study_import_qdpx(name="p.qdpx", raw=archive, owner=owner)

    assert (Study.objects.count(), Code.objects.count()) == (studies, codes)


def test_a_codebook_merges_into_a_study_by_name(study, owner):
    from coding.services import code_create

    code_create(study=study, name="support")
    revision = Study.objects.get(pk=study.pk).revision

    report = codebook_import(study=study, name="tags.qdc", raw=codebook_qdc())

    assert sorted(study.codes.values_list("name", flat=True)) == ["Hope", "support"]
    assert report.counts == {"codes kept": 1, "codes": 1}
    # What was made and what was kept are told apart, whatever order the file had them in.
    assert (report.summary(), report.kept()) == ("1 code", "1 code")
    assert Study.objects.get(pk=study.pk).revision > revision


def test_a_project_s_codebook_merges_and_the_rest_is_reported(study):
    report = codebook_import(study=study, name="p.qdpx", raw=nvivo_qdpx())

    assert sorted(study.codes.values_list("name", flat=True)) == ["Colleagues", "Start", "Support"]
    assert study.interviews.count() == 0
    assert any("only its codebook" in line for line in report.dropped)


def test_a_codebook_that_fails_midway_adds_no_code(study, monkeypatch):
    from interviews import history

    def record(objs, history_type):
        # The codes' rows and parents are written; their records fail.
        assert Code.objects.filter(study=study).count() == 2
        raise ValidationError("refused")

    monkeypatch.setattr(history, "record", record)
    with pytest.raises(ValidationError):
        codebook_import(study=study, name="tags.qdc", raw=codebook_qdc())

    assert study.codes.count() == 0


def test_a_project_that_fails_at_its_last_step_leaves_nothing(owner, monkeypatch):
    from coding.models import CodeMemo
    from themes.exchange import qdpx_import

    tables = (Study, Code, Respondent, Interview, Excerpt, Coding, Theme, JournalEntry, CodeMemo)

    def counts():
        return {model.__name__: model._base_manager.count() for model in tables} | {
            f"{model.__name__} records": model.history.count()
            for model in (Code, Respondent, Interview, Excerpt, Coding, Theme, JournalEntry)
        }

    before = counts()

    def memos_insert(writer):
        # Everything but the memos is written by now: the excerpts and their records too.
        assert Excerpt.objects.filter(interview__study=writer.study).count() == 2
        assert Excerpt.history.filter(history_study_id=writer.study.pk).count() == 2
        raise ImportRejected("refused at the end")

    monkeypatch.setattr(qdpx_import._ProjectWriter, "_memos_insert", memos_insert)
    with pytest.raises(ImportRejected, match="refused at the end"):
        study_import_qdpx(name="peer.qdpx", raw=nvivo_qdpx(), owner=owner)

    assert counts() == before


def test_every_sample_from_other_tools_imports(owner):
    for path in samples():
        report = study_import_qdpx(name=path.name, raw=path.read_bytes(), owner=owner)
        assert report.counts.get("codes", 0) > 0, path.name


def test_the_nvivo_sample_s_excerpts_land_on_words(owner):
    path = next((p for p in samples() if p.name.startswith("nvivo-win")), None)
    if path is None:
        pytest.skip("the NVivo for Windows sample is not among the samples")
    report = study_import_qdpx(name=path.name, raw=path.read_bytes(), owner=owner)

    excerpts = list(
        Excerpt.objects.filter(interview__study=report.study).select_related("interview")
    )
    # 303 selections of one code each over 188 spans (NVivo writes one selection per
    # coding): one excerpt per span, every coding kept.
    assert len(excerpts) == 188
    assert Coding.objects.filter(excerpt__in=excerpts).count() == 303
    # NOTES.md: 295 of 303 selections on word boundaries under the UTF-16 reading, about 80
    # under code points.
    on_words = sum(
        (e.start == 0 or not e.interview.text[e.start - 1].isalnum())
        and (e.end == len(e.interview.text) or not e.interview.text[e.end].isalnum())
        for e in excerpts
    )
    assert on_words >= 0.95 * len(excerpts)
    assert any("UTF-16" in line for line in report.adjusted)
    assert CodeMemo.objects.filter(code__study=report.study).count() == 0


def test_a_note_longer_than_a_memo_becomes_several_in_order(owner):
    from interviews.memos import LONGEST

    long_text = "word " * (LONGEST // 5) + "the end"
    xml = coded_project().replace(b"Day one.", long_text.encode())
    report = study_import_qdpx(name="p.qdpx", raw=nvivo_qdpx(xml), owner=owner)

    parts = list(JournalEntry.objects.filter(study=report.study).order_by("pk"))
    # The journal note's name comes first ("Journal"), then its text, split at LONGEST.
    assert "".join(p.body for p in parts) == f"Journal\n\n{long_text}"
    assert len(parts) == 2
    assert any("became 2 memos" in line for line in report.adjusted)


def _import_protocol(owner, lines: str):
    """A .qdpx whose project Description gives `lines` as Excerpta's protocol, imported:
    its report, and the questions (number, text) the study asks."""
    protocol = f"Description:\nImported.\n\nProtocol:\n{lines}"
    xml = project_xml().replace(
        b"<Description>An imported project.</Description>",
        f"<Description>{protocol}</Description>".encode(),
    )
    report = study_import_qdpx(name="peer.qdpx", raw=nvivo_qdpx(xml), owner=owner)
    questions = ProtocolQuestion.objects.filter(study=report.study).order_by("number")
    return report, list(questions.values_list("number", "text"))


def test_a_question_the_protocol_asks_twice_is_imported_once_and_said(owner):
    # Excerpta's own layout of the project's Description; the third line asks the first
    # question again in other capitals and spacing, as a typed question is refused for.
    report, questions = _import_protocol(
        owner,
        "Q1. How did you start?\nQ2. What support do you get?\nQ3. how did  you START?\n"
        "Q4. What would you change?",
    )
    assert questions == [
        (1, "How did you start?"),
        (2, "What support do you get?"),
        (3, "What would you change?"),
    ]
    assert "the protocol asked “how did  you START?” more than once: it asks it once, as Q1" in (
        report.adjusted
    )
    assert report.dropped == []


def test_a_protocol_line_of_invisible_characters_asks_no_question(owner):
    # It was imported as a question that shows as nothing, and the next such line was
    # said to ask it again.
    report, questions = _import_protocol(owner, "Q1. \u200b\nQ2. How did you start?\nQ3. \u2060")
    assert questions == [(1, "How did you start?")]
    assert not any("more than once" in line for line in report.adjusted)


def test_excerpts_codings_and_notes_keep_the_dates_the_file_gives(owner):
    """An import dated every excerpt, coding and memo at the moment of the import: the
    "Coded from/to" filter, the journal's days and the methods appendix then said the
    study was coded today. The file's dates stand; the same span coded twice is made when
    its first selection was, each code applied when its own Coding was."""
    span = point_span(TRANSCRIPT.replace("\r\n", "\n"), "never looked back")
    start, colleagues = (
        "23333333-3333-4333-8333-333333333333",
        "22222222-2222-4222-8222-222222222222",
    )
    first = selection("85555555-5555-4555-8555-555555555555", span, start).replace(
        '<PlainTextSelection guid="85555555-5555-4555-8555-555555555555"',
        '<PlainTextSelection guid="85555555-5555-4555-8555-555555555555"'
        ' creationDateTime="2019-05-01T09:30:00Z" modifiedDateTime="2019-05-03T10:00:00Z"',
    )
    # A second selection of the same words, a day later, its Coding dated with an offset;
    # a date without an offset is read as UTC.
    second = (
        selection("86666666-6666-4666-8666-666666666666", span, colleagues)
        .replace(
            '<PlainTextSelection guid="86666666-6666-4666-8666-666666666666"',
            '<PlainTextSelection guid="86666666-6666-4666-8666-666666666666"'
            ' creationDateTime="2019-05-02T08:00:00"',
        )
        .replace(
            '<Coding guid="86666666-6666-4666-8666-66666666',
            "<Coding creationDateTime="
            '"2019-05-02T12:15:00+02:00" guid="86666666-6666-4666-8666-66666666',
        )
    )
    xml = (
        project_xml(origin="Some tool", selections=first + second, source_path="")
        .replace(
            b'plainTextPath=""><',
            b"><PlainTextContent>"
            + TRANSCRIPT.replace("\r\n", "\n").encode()
            + b"</PlainTextContent><",
        )
        .replace(b'<Note guid="', b'<Note creationDateTime="2018-03-27T16:01:02.5Z" guid="', 1)
        .replace(b'name="Journal">', b'name="Journal" creationDateTime="yesterday">')
    )
    report = study_import_qdpx(name="p.qde", raw=xml, owner=owner)

    excerpt = Excerpt.objects.get(interview__study=report.study)
    assert (excerpt.created_at, excerpt.updated_at) == (
        datetime(2019, 5, 1, 9, 30, tzinfo=UTC),
        datetime(2019, 5, 3, 10, 0, tzinfo=UTC),
    )
    assert {c.code.name: c.created_at for c in excerpt.codings.all()} == {
        "Start": datetime(2019, 5, 1, 9, 30, tzinfo=UTC),
        "Colleagues": datetime(2019, 5, 2, 10, 15, tzinfo=UTC),
    }
    memo = InterviewMemo.objects.get(interview__study=report.study)
    assert memo.created_at == datetime(2018, 3, 27, 16, 1, 2, 500000, tzinfo=UTC)
    # A date that is no date is named, and the import's time stands in for it.
    journal = JournalEntry.objects.get(study=report.study)
    assert journal.created_at > datetime(2026, 1, 1, tzinfo=UTC)
    assert (
        "1 date the file wrote could not be read as a date and time (“yesterday”): the time "
        "of the import stands in for it"
    ) in report.adjusted

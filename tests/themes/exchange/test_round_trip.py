"""Round trip (issue 11, item 7): export a study, import the file as a new study, export
that again: the two projects hold the same codes, texts, selections, cases, notes and sets.

The projects are compared by what they say, not by bytes: GUIDs are the new study's own,
so they are replaced by the names of what they point at, and users and dates are left out
of that comparison. The imported study itself is then compared with the exported one:
settings, withdrawal windows, interview dates, attributes, transcripts and each excerpt's
coder (test_the_round_trip_keeps_settings_windows_dates_attributes_and_coders).
"""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

from coding.models import Excerpt
from core.bidi import isolated
from interviews import services as interviews
from interviews.consent import WindowState, with_interview_dates, withdrawal_window
from interviews.models import PageSize
from themes.exchange.qdpx_import import study_import_qdpx

from .everything import NS, R2_TEXT, export, make_everything, members


def _summary(data: bytes) -> dict:
    """What a project says, by names: every reference resolved to the name it points at."""
    files = members(data)
    root = ElementTree.fromstring(files["project.qde"])
    names = {e.get("guid"): e.get("name") for e in root.iter() if e.get("guid") and e.get("name")}

    def text(element, tag: str) -> str:
        found = element.find(f"p:{tag}", NS)
        return (found.text or "") if found is not None else ""

    def codes(parent, path=()):
        found = []
        for code in parent.findall("p:Code", NS):
            here = (*path, code.get("name"))
            notes = sorted(names[n.get("targetGUID")] for n in code.findall("p:NoteRef", NS))
            found.append((here, code.get("color"), text(code, "Description"), notes))
            found.extend(codes(code, here))
        return found

    sources, selections = {}, []
    for source in root.iterfind("p:Sources/p:TextSource", NS):
        path = source.get("plainTextPath").removeprefix("internal://")
        sources[source.get("name")] = (
            files[f"sources/{path}"].decode(),
            text(source, "Description"),
        )
        for selection in source.findall("p:PlainTextSelection", NS):
            coded = sorted(
                names[ref.get("targetGUID")]
                for ref in selection.iterfind("p:Coding/p:CodeRef", NS)
            )
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            selections.append(
                (
                    source.get("name"),
                    start,
                    end,
                    selection.get("name"),
                    text(selection, "Description"),
                    coded,
                )
            )
    variables = {
        v.get("guid"): (v.get("name"), v.get("typeOfVariable"))
        for v in root.iterfind("p:Variables/p:Variable", NS)
    }
    cases = []
    for case in root.iterfind("p:Cases/p:Case", NS):
        values = sorted(
            (
                *variables[value.find("p:VariableRef", NS).get("targetGUID")],
                value[1].tag,
                value[1].text,
            )
            for value in case.findall("p:VariableValue", NS)
        )
        refs = sorted(names[r.get("targetGUID")] for r in case.findall("p:SourceRef", NS))
        cases.append((case.get("name"), values, refs))
    notes = sorted(
        (note.get("name"), text(note, "PlainTextContent"))
        for note in root.iterfind("p:Notes/p:Note", NS)
    )
    sets = [
        (
            s.get("name"),
            text(s, "Description"),
            [names[m.get("targetGUID")] for m in s.findall("p:MemberCode", NS)],
            [names[m.get("targetGUID")] for m in s.findall("p:MemberNote", NS)],
        )
        for s in root.iterfind("p:Sets/p:Set", NS)
    ]
    journal = sorted(names[n.get("targetGUID")] for n in root.findall("p:NoteRef", NS))
    return {
        "project": (root.get("name"), text(root, "Description"), journal),
        "variables": sorted(variables.values()),
        "codes": codes(root.find("p:CodeBook/p:Codes", NS)),
        "sources": sources,
        "selections": sorted(selections),
        "cases": cases,
        "notes": notes,
        "sets": sets,
    }


def test_export_import_export_keeps_every_code_text_selection_case_note_and_set(
    study, owner, coder, stranger
):
    made = make_everything(study, owner, coder)
    first = export(study)

    report = study_import_qdpx(name="study.qdpx", raw=first, owner=stranger)
    second = export(report.study)

    before, after = _summary(first), _summary(second)
    # The comparison compares something: the study's content is all there.
    assert len(before["selections"]) == len(made["excerpts"])
    assert len(before["codes"]) == len(made["codes"])
    assert len(before["notes"]) == len(made["memos"])
    assert [s[0] for s in before["sets"]] == ["Relationships", "At work"]
    for part in before:
        assert after[part] == before[part], part
    assert report.dropped == []


def test_the_imported_study_has_the_same_things_as_the_exported_one(study, owner, coder, stranger):
    make_everything(study, owner, coder)

    imported = study_import_qdpx(name="study.qdpx", raw=export(study), owner=stranger).study

    assert imported.research_question == study.research_question
    assert list(imported.questions.values_list("text", flat=True)) == list(
        study.questions.values_list("text", flat=True)
    )
    stigma = imported.codes.get(name="Stigma & <shame>")
    assert (stigma.definition, stigma.inclusion, stigma.exclusion, stigma.example) == (
        "Being looked down on.",
        "Said of clients.",
        "Said of the worker.",
        "“the ones nobody else will see”",
    )
    at_work = imported.themes.get(name="At work")
    assert at_work.parent.name == "Relationships"
    assert str(imported.interviews.get(respondent__pseudonym="R2").conducted_on) == "2026-03-02"
    # The withdrawn respondent was never exported, so never imported.
    assert not imported.respondents.filter(pseudonym="R3").exists()


def _people(study) -> list[tuple]:
    """Every respondent taking part as the respondents page reads them: pseudonym,
    attributes, interview date and withdrawal window (state, closing day) on 1 June 2026."""
    rows = [
        (
            respondent.pseudonym,
            respondent.attributes,
            respondent.interviewed_on,
            (window.state, window.closes_on),
        )
        for respondent in with_interview_dates(study.respondents.filter(withdrawn_at=None))
        for window in [
            withdrawal_window(respondent=respondent, study=study, today=date(2026, 6, 1))
        ]
    ]
    return sorted(rows, key=lambda row: row[0])


def _transcripts(study) -> list[tuple]:
    return sorted(
        (i.respondent.pseudonym, i.title, i.conducted_on, i.text)
        for i in study.interviews.filter(respondent__withdrawn_at=None).select_related(
            "respondent"
        )
    )


def _excerpts(study) -> list[tuple]:
    return sorted(
        (e.interview.respondent.pseudonym, e.start, e.end, e.memo, e.coder.username)
        for e in Excerpt.objects.filter(
            interview__study=study, interview__respondent__withdrawn_at=None
        ).select_related("interview__respondent", "coder")
    )


def test_the_round_trip_keeps_settings_windows_dates_attributes_and_coders(
    study, owner, coder, stranger
):
    """The README's way to move a study between SQLite and PostgreSQL lost the withdrawal
    window (7 → none: every "closed / open until" gone), the paper size and respondents'
    interview dates; stored a source of "<b>bold</b>" as the file "b>.txt"; and gave every
    excerpt to the importer though its coders had accounts here."""
    made = make_everything(study, owner, coder)
    interviews.study_update(
        study=study,
        title=study.title,
        research_question=study.research_question,
        description=study.description,
        page_size=PageSize.A4,
        withdrawal_days=7,
    )
    r1 = study.respondents.get(pseudonym="R1")
    interviews.respondent_update(
        respondent=r1, pseudonym="R1", attributes=r1.attributes, interviewed_on=date(2026, 5, 28)
    )
    bold = interviews.respondent_create(
        study=study, pseudonym="<b>bold</b>", interviewed_on=date(2026, 5, 1)
    )
    interviews.interview_import(study=study, name="b.txt", raw=R2_TEXT.encode(), respondent=bold)
    study.refresh_from_db()

    report = study_import_qdpx(name="study.qdpx", raw=export(study), owner=stranger)
    imported = report.study

    assert (imported.withdrawal_days, imported.page_size) == (7, PageSize.A4)
    before, after = _people(study), _people(imported)
    assert len(before) == 4
    assert ("R1", r1.attributes, date(2026, 5, 28), (WindowState.OPEN, date(2026, 6, 4))) in after
    assert after == before
    # An untitled interview comes back under the name its source had ("Interview with R2").
    assert _transcripts(imported) == [
        (pseudonym, title or f"Interview with {pseudonym}", conducted_on, text)
        for pseudonym, title, conducted_on, text in _transcripts(study)
    ]
    # Each excerpt keeps its coder: the file's users have accounts here, by username.
    assert {owner.username, coder.username} <= {row[-1] for row in _excerpts(study)}
    assert _excerpts(imported) == _excerpts(study)
    assert len(_excerpts(imported)) == len(made["excerpts"])
    assert not [line for line in report.adjusted if "account" in line]
    # A source's name made a file name whole: no path piece, no half of a tag.
    names = list(imported.interviews.values_list("source_name", flat=True))
    assert "Interview with b bold b.txt" in names
    for name in names:
        assert name.endswith(".txt")
        assert not set(name) & set('/\\<>:"|?*'), name


def test_a_coder_without_an_account_here_is_named_and_the_rest_keep_theirs(
    study, owner, coder, stranger
):
    make_everything(study, owner, coder)
    data = export(study)
    kept = {row[-1] for row in _excerpts(study)} - {coder.username}
    gone = coder.username
    coder.username = "left-the-lab"
    coder.save()

    report = study_import_qdpx(name="study.qdpx", raw=data, owner=stranger)

    coders = {row[-1] for row in _excerpts(report.study)}
    assert coders == kept | {stranger.username}
    assert report.adjusted[-1] == (
        f"the excerpts of “{gone}” are coded by {isolated(stranger.username)} "
        "(this user has no account here)"
    )

"""Round trip (issue 11, item 7): export a study, import the file as a new study, export
that again: the two projects hold the same codes, texts, selections, cases, notes and sets.

The projects are compared by what they say, not by bytes: GUIDs are the new study's own,
and every excerpt of the import is coded by the importing user (the exported coders have no
account in it), so users and dates are left out of the comparison and GUIDs are replaced by
the names of what they point at.
"""

from __future__ import annotations

from xml.etree import ElementTree

from themes.exchange.qdpx_import import study_import_qdpx

from .everything import NS, export, make_everything, members


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

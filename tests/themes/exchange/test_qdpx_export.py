"""The REFI-QDA export (themes.exchange.qdpx_export): valid, complete, stable, bounded."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from coding import services as coding
from coding.models import Code, Excerpt
from core.sanitise import sanitise_text
from interviews import memos
from interviews.models import InterviewMemo, JournalEntry, Respondent
from tests.conftest import code_span, import_text
from themes import services as themes
from themes.exchange.guids import StudyGuids
from themes.exchange.layout import CODE_SECTIONS, THEME_SECTIONS, sections_read
from themes.exchange.qdpx_export import ExportRefused, study_export_qdpx
from themes.models import Theme

from .everything import NS, export, make_everything, members, project_of, schema


@pytest.fixture
def everything(study, owner, coder):
    return make_everything(study, owner, coder)


def test_it_writes_a_project_valid_against_the_refi_qda_schema(study, everything):
    project = schema("Project-mrt2019.xsd")
    errors = [str(error) for error in project.iter_errors(members(export(study))["project.qde"])]
    assert errors == []


def test_it_writes_a_codebook_valid_against_the_codebook_schema(study, everything):
    codebook = schema("Codebook-mrt2019.xsd")
    data = export(study, codebook_only=True)
    assert [str(error) for error in codebook.iter_errors(data)] == []
    root = ElementTree.fromstring(data)
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    # A .qdc has no notes; its Sets name codes by `guid`, not `targetGUID`.
    assert {key for m in root.iterfind(".//c:MemberCode", NS) for key in m.attrib} == {"guid"}


def test_an_empty_study_still_makes_a_valid_project(study):
    project = schema("Project-mrt2019.xsd")
    data = members(export(study))
    assert list(data) == ["project.qde"]
    assert [str(error) for error in project.iter_errors(data["project.qde"])] == []


def test_a_codebook_of_no_codes_is_refused_with_a_reason(study):
    out = io.BytesIO()
    with pytest.raises(ExportRefused, match="no codes yet"):
        study_export_qdpx(study=study, out=out, codebook_only=True)
    assert out.getvalue() == b""


def test_the_code_tree_keeps_nesting_colours_and_the_description_layout(study, everything):
    support, _, _, stigma = everything["codes"]
    guids = StudyGuids(study.pk)
    codes = project_of(export(study)).find("p:CodeBook/p:Codes", NS)
    top = {code.get("name"): code for code in codes.findall("p:Code", NS)}
    assert set(top) == {"Support", "Stigma & <shame>"}
    assert top["Support"].get("color") == "#1F77B4"
    assert top["Support"].get("guid") == guids.of("code", support.pk)
    assert all(code.get("isCodable") == "true" for code in codes.iter(f"{{{NS['p']}}}Code"))
    nested = top["Support"].find("p:Code/p:Code", NS)
    assert nested.get("name") == "Supervisor"
    description = top["Stigma & <shame>"].find("p:Description", NS).text
    assert description == (
        "Definition:\nBeing looked down on.\n\n"
        "Inclusion criteria:\nSaid of clients.\n\n"
        "Exclusion criteria:\nSaid of the worker.\n\n"
        "Example:\n“the ones nobody else will see”"
    )
    assert sections_read(CODE_SECTIONS, description) == {
        "definition": stigma.definition,
        "inclusion": stigma.inclusion,
        "exclusion": stigma.exclusion,
        "example": stigma.example,
    }


def test_themes_are_sets_of_their_codes_with_their_parent_named(study, everything):
    support, colleagues, _, stigma = everything["codes"]
    guids = StudyGuids(study.pk)
    sets = project_of(export(study)).findall("p:Sets/p:Set", NS)
    assert [s.get("name") for s in sets] == ["Relationships", "At work"]
    members_of = [[m.get("targetGUID") for m in s.findall("p:MemberCode", NS)] for s in sets]
    assert members_of == [
        [guids.of("code", support.pk), guids.of("code", stigma.pk)],
        [guids.of("code", colleagues.pk)],
    ]
    described = [sections_read(THEME_SECTIONS, s.find("p:Description", NS).text) for s in sets]
    assert described == [
        {"description": "Who they work with & for.", "parent": ""},
        {"description": "", "parent": "Relationships"},
    ]


def test_selections_are_code_points_of_the_source_text_end_exclusive(study, everything):
    data = export(study)
    files, project = members(data), project_of(data)
    sources = project.findall("p:Sources/p:TextSource", NS)
    checked = 0
    for source in sources:
        path = source.get("plainTextPath")
        assert path == f"internal://{source.get('guid')}.txt"
        raw = files[f"sources/{source.get('guid')}.txt"]
        assert not raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8")
        for selection in source.findall("p:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert text[start:end] == selection.get("name")
            checked += 1
    assert checked == 5
    # The first interview has emoji before its excerpts: UTF-16 units would be off.
    r1 = everything["interviews"][0]
    seen = everything["excerpts"][0]
    assert len(r1.text[: seen.start].encode("utf-16-le")) // 2 > seen.start


def test_each_excerpt_carries_its_codings_coders_and_memo(study, everything, owner, coder):
    seen, years, mates, *_ = everything["excerpts"]
    support, _, _, stigma = everything["codes"]
    former = everything["former"]
    guids = StudyGuids(study.pk)
    project = project_of(export(study))
    selections = {s.get("guid"): s for s in project.iter(f"{{{NS['p']}}}PlainTextSelection")}
    chosen = selections[guids.of("excerpt", seen.pk)]
    assert chosen.find("p:Description", NS).text == "Key passage; <b>bold</b> & true."
    codings = chosen.findall("p:Coding", NS)
    assert sorted(c.find("p:CodeRef", NS).get("targetGUID") for c in codings) == sorted(
        [guids.of("code", stigma.pk), guids.of("code", support.pk)]
    )
    assert {c.get("creatingUser") for c in codings} == {guids.of("user", owner.pk)}
    assert selections[guids.of("excerpt", years.pk)].get("creatingUser") == guids.of(
        "user", coder.pk
    )
    # A coder who left the study is still named as the coder of what they coded.
    users = {u.get("guid"): u.get("name") for u in project.findall("p:Users/p:User", NS)}
    assert users[guids.of("user", former.pk)] == "former"
    assert selections[guids.of("excerpt", mates.pk)].get("creatingUser") in users


def test_respondents_are_cases_with_typed_variables(study, everything):
    r1_interview, r2_interview, _ = everything["interviews"]
    guids = StudyGuids(study.pk)
    project = project_of(export(study))
    variables = {
        v.get("guid"): (v.get("name"), v.get("typeOfVariable"))
        for v in project.findall("p:Variables/p:Variable", NS)
    }
    assert sorted(variables.values()) == [
        ("Agency", "Text"),
        ("Caseload", "Float"),
        ("Years of experience", "Integer"),
    ]
    cases = {case.get("name"): case for case in project.findall("p:Cases/p:Case", NS)}
    assert list(cases) == ["R1", "R2", "R4"]

    def values(case):
        return {
            variables[value.find("p:VariableRef", NS).get("targetGUID")][0]: (
                value[1].tag.split("}")[1],
                value[1].text,
            )
            for value in case.findall("p:VariableValue", NS)
        }

    assert values(cases["R1"]) == {
        "Years of experience": ("IntegerValue", "9"),
        "Caseload": ("FloatValue", "12.5"),
        "Agency": ("TextValue", "Agency C"),
    }
    assert values(cases["R2"]) == {
        "Years of experience": ("IntegerValue", "2"),
        "Caseload": ("FloatValue", "0.0000001"),
    }
    assert values(cases["R4"]) == {}
    assert [ref.get("targetGUID") for ref in cases["R1"].findall("p:SourceRef", NS)] == [
        guids.of("interview", r1_interview.pk)
    ]
    assert cases["R2"].find("p:SourceRef", NS).get("targetGUID") == guids.of(
        "interview", r2_interview.pk
    )


def test_memos_and_the_journal_are_notes_referred_to_from_what_they_are_about(study, everything):
    journal, interview_memo, code_memo, theme_memo = everything["memos"]
    guids = StudyGuids(study.pk)
    project = project_of(export(study))
    notes = {n.get("guid"): n for n in project.findall("p:Notes/p:Note", NS)}
    bodies = {guid: n.find("p:PlainTextContent", NS).text for guid, n in notes.items()}
    assert sorted(bodies.values()) == sorted(
        [journal.body, interview_memo.body, code_memo.body, theme_memo.body]
    )
    journal_guid = guids.of("journal", journal.pk)
    assert [r.get("targetGUID") for r in project.findall("p:NoteRef", NS)] == [journal_guid]
    source = project.find("p:Sources/p:TextSource", NS)
    assert [r.get("targetGUID") for r in source.findall("p:NoteRef", NS)] == [
        guids.of("interview-memo", interview_memo.pk)
    ]
    support = project.find("p:CodeBook/p:Codes/p:Code[@name='Support']", NS)
    assert [r.get("targetGUID") for r in support.findall("p:NoteRef", NS)] == [
        guids.of("code-memo", code_memo.pk)
    ]
    theme = project.find("p:Sets/p:Set[@name='Relationships']", NS)
    assert [r.get("targetGUID") for r in theme.findall("p:MemberNote", NS)] == [
        guids.of("theme-memo", theme_memo.pk)
    ]
    assert notes[guids.of("code-memo", code_memo.pk)].get("name") == "Memo on the code “Support”"
    assert notes[journal_guid].get("creatingUser") == guids.of("user", journal.author_id)


def test_withdrawn_respondents_deleted_things_and_file_names_are_left_out(study, everything):
    data = export(study)
    everything_written = b"".join(members(data).values())
    assert b"WITHDRAWN-MARKER" not in everything_written
    assert b"R3" not in members(data)["project.qde"]
    assert b"DELETED-MEMO" not in everything_written
    assert b"Maria Lopez" not in everything_written
    assert "Two years" not in [
        s.get("name") for s in project_of(data).iter(f"{{{NS['p']}}}PlainTextSelection")
    ]
    # Two live sources (R1, R2), each with its text file, the project document last.
    assert len(members(data)) == 3


def test_the_same_study_gives_the_same_bytes_wherever_written(study, everything, tmp_path):
    first = export(study)
    path = tmp_path / "study.qdpx"
    with path.open("wb") as out:
        study_export_qdpx(study=study, out=out)
    assert path.read_bytes() == first
    assert export(study) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_guids_stay_the_same_when_the_study_changes_around_them(study, everything, owner):
    before = project_of(export(study))
    r2 = everything["interviews"][1]
    extra = coding.code_create(study=study, name="Extra")
    code_span(r2, "Training was thin", [extra], owner)
    after = project_of(export(study))
    guids_before = {e.get("guid") for e in before.iter() if e.get("guid")}
    guids_after = {e.get("guid") for e in after.iter() if e.get("guid")}
    assert guids_before < guids_after
    assert len(guids_after - guids_before) == 3  # the code, its excerpt and the coding
    assert len(guids_after) == len(list(e for e in after.iter() if e.get("guid")))


def test_two_studies_never_share_a_guid(study, other_study, everything):
    import_text(other_study, name="R1.txt")
    coding.code_create(study=other_study, name="Support")
    mine = {e.get("guid") for e in project_of(export(study)).iter() if e.get("guid")}
    theirs = {e.get("guid") for e in project_of(export(other_study)).iter() if e.get("guid")}
    assert theirs
    assert not mine & theirs


def _grow(study, owner, interviews: int, per_interview: int) -> None:
    """`interviews` respondents with an interview each, `per_interview` excerpts on each
    with a code of their own and a memo on the interview, a theme per code."""
    words = ["About six years", "the ones nobody else will see", "Café regulars"]
    for n in range(interviews):
        interview = import_text(study, name=f"R{n + 1}.txt")
        memos.memo_create(model=InterviewMemo, author=owner, body="A memo.", interview=interview)
        for k, phrase in enumerate(words[:per_interview]):
            code = coding.code_create(study=study, name=f"Code {n}.{k}")
            themes.theme_code_attach(
                theme=themes.theme_create(study=study, name=f"Theme {n}.{k}"), code=code
            )
            code_span(interview, phrase, [code], owner)


@pytest.mark.parametrize(("interviews", "per_interview"), [(1, 1), (6, 3)])
def test_a_project_takes_the_same_queries_whatever_its_size(
    study, owner, django_assert_num_queries, interviews, per_interview
):
    _grow(study, owner, interviews, per_interview)
    # the de-identification list (empty); interviews with their texts; codes, themes,
    # theme codes; protocol questions, respondents, excerpts, codings, journal, interview
    # memos, code memos, theme memos, users; what the project does not carry (one query
    # of counts, left_out.py).
    with django_assert_num_queries(15):
        export(study)


@pytest.mark.parametrize(("interviews", "per_interview"), [(1, 1), (6, 3)])
def test_a_codebook_takes_the_same_queries_whatever_its_size(
    study, owner, django_assert_num_queries, interviews, per_interview
):
    _grow(study, owner, interviews, per_interview)
    # the de-identification list (empty: nothing typed is looked for); codes, themes,
    # theme codes.
    with django_assert_num_queries(4):
        export(study, codebook_only=True)


@given(value=st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_stored_text_leaves_a_valid_project_that_reads_back(study, everything, value):
    """Hypothesis: whatever a code's definition, a theme's name, a memo, an excerpt's memo
    or an attribute hold (anything a database stores, controls included), the project is
    valid and each reads back as the export's sanitised text."""
    value = value.replace("\x00", "")  # neither database stores NUL
    assume(sanitise_text(value).strip())
    support = everything["codes"][0]
    relationships = everything["themes"][0]
    seen = everything["excerpts"][0]
    journal = everything["memos"][0]
    r1 = everything["respondents"][0]
    Code.objects.filter(pk=support.pk).update(definition=value)
    Theme.objects.filter(pk=relationships.pk).update(name=value)
    Excerpt.objects.filter(pk=seen.pk).update(memo=value)
    JournalEntry.objects.filter(pk=journal.pk).update(body=value)
    Respondent.objects.filter(pk=r1.pk).update(attributes={"Agency": value})
    data = members(export(study))["project.qde"]
    assert [str(error) for error in schema("Project-mrt2019.xsd").iter_errors(data)] == []

    guids, clean = StudyGuids(study.pk), sanitise_text(value)
    root = ElementTree.fromstring(data)
    code = root.find(f".//p:Code[@guid='{guids.of('code', support.pk)}']", NS)
    assert sections_read(CODE_SECTIONS, code.find("p:Description", NS).text)["definition"] == (
        clean.strip()
    )
    theme = root.find(f".//p:Set[@guid='{guids.of('theme', relationships.pk)}']", NS)
    assert theme.get("name") == clean
    selection = root.find(f".//p:PlainTextSelection[@guid='{guids.of('excerpt', seen.pk)}']", NS)
    assert selection.find("p:Description", NS).text == clean
    note = root.find(f".//p:Note[@guid='{guids.of('journal', journal.pk)}']", NS)
    assert note.find("p:PlainTextContent", NS).text == clean
    case = root.find(f".//p:Case[@guid='{guids.of('respondent', r1.pk)}']", NS)
    assert case.find(".//p:TextValue", NS).text == clean.strip()

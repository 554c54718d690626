"""The project document (project.qde) of a REFI-QDA export: users, the codebook, the
respondents as Cases, the interviews as TextSources with their excerpts, the memos as
Notes, the themes as Sets.

- **Respondents are Cases** (name: the pseudonym), each referring to its interviews
  (SourceRef) and holding its attribute values (VariableValue). Each attribute the study
  records is a Variable: a text attribute is `Text`; a number attribute is `Integer` when
  every exported value is a whole number, else `Float` (written as a plain decimal, as
  xsd:decimal wants: 0.0000001, never 1e-07). A respondent without a value for an
  attribute has no VariableValue for it.
- **Interviews are TextSources** named by their title (or "Interview with R3"; never the
  uploaded file's name, which may hold a participant's real name), their text in
  `sources/<GUID>.txt` (`plainTextPath="internal://<GUID>.txt"`, UTF-8 without a BOM,
  line feeds only), the date conducted in their Description ("Conducted on 2026-03-02.").
- **Excerpts are PlainTextSelections**: `[startPosition, endPosition)` in code points of
  that text, end exclusive; named by their words; one Coding per code on them (with its
  coder and date); **the excerpt's memo is the selection's Description**, where every tool
  that reads REFI-QDA looks for a selection's comment (its author and date are not kept:
  REFI-QDA has no place for them there).
- **Memos are Notes** (`PlainTextContent`, author as creatingUser, dates), one per memo:
  journal entries are referred to from the Project (project-level NoteRef), memos on an
  interview from its TextSource, on a code from its Code, on a theme from its Set
  (MemberNote). A Note's name says what it is ("Journal entry", "Memo on the code
  “Stigma”").
- The protocol, the research question and the study's description are the Project's
  Description: "Research question:", "Description:", "Protocol:" sections (one "Q3. …"
  line per question), as in layout.py; then the study's settings REFI-QDA has no place
  for, in sections of their own: "Withdrawal window (days):" (a whole number; absent when
  the study promised no window) and "Paper size of the findings:" ("letter" or "a4");
  last, "Not in this file:", one sentence a line naming what of the study the project does
  not carry, counted (left_out.py; absent when everything travels).
  A respondent's interview date (their withdrawal window's start) is their Case's
  Description: "Interviewed on 2026-03-02.". Quotes, comments, review statuses and marks,
  the de-identification list and the members have no place in REFI-QDA: they are named in
  "Not in this file:" (left_out.py lists every model of a study and where it goes).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import IO

from core.naming import name_key

from .codebook import write_codes, write_sets
from .guids import StudyGuids
from .layout import sections_write
from .reading import MemoRow, StudyContent
from .xml import XmlWriter, escape_attribute, fit, xml_datetime

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
PROJECT_SECTIONS = (
    ("research_question", "Research question"),
    ("description", "Description"),
    ("protocol", "Protocol"),
    ("withdrawal_days", "Withdrawal window (days)"),
    ("page_size", "Paper size of the findings"),
    # Last: what the project does not carry, one sentence a line (left_out.py).
    ("left_out", "Not in this file"),
)
# A respondent's interview date, the start of their withdrawal window, as their Case's
# Description (REFI-QDA has no field for it); read back by qdpx_import.
INTERVIEWED_ON = "Interviewed on {}."
# The name an untitled interview's TextSource is given, with its respondent's pseudonym:
# other tools list sources by name. It is no title the researcher gave, and qdpx_import
# reads it back from Excerpta's own files as untitled.
UNTITLED_SOURCE = "Interview with {}"


def source_path(guid: str) -> str:
    """The archive member holding the text of the source `guid`."""
    return f"sources/{guid}.txt"


def _decimal(number: float | int) -> str:
    # repr gives the shortest digits that read back as the same float; Decimal writes
    # them without an exponent.
    return format(Decimal(repr(number)), "f")


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class ProjectWriter:
    """Writes one study's project.qde (see the module's docstring) to a binary stream."""

    def __init__(
        self,
        content: StudyContent,
        guids: StudyGuids,
        origin: str,
        left_out: Sequence[str] = (),
    ) -> None:
        self.content, self.guids, self.origin = content, guids, origin
        self.left_out = left_out
        # Computed once each: every excerpt and coding names its coder, and its code.
        self.user_guids = {user_id: guids.of("user", user_id) for user_id, _ in content.users}
        pseudonyms = {row[0]: row[1] for row in content.respondents}
        # Never the uploaded file's name: it may hold a participant's real name.
        self.source_names = {
            source.id: source.title or UNTITLED_SOURCE.format(pseudonyms.get(source.respondent_id))
            for source in content.sources
        }
        self.kinds = {
            "journal": ("journal", None),
            "interview": ("interview-memo", self.source_names),
            "code": ("code-memo", {row[0]: row[2] for row in content.codes}),
            "theme": ("theme-memo", {row[0]: row[2] for row in content.themes}),
        }

    def user(self, user_id: int | None) -> str | None:
        return self.user_guids.get(user_id)

    def note_refs(self, kind: str) -> dict[int, list[str]]:
        """The GUIDs of the Notes of `kind`, by the id of what each is about."""
        prefix, _ = self.kinds[kind]
        refs: dict[int, list[str]] = {}
        for memo in self.content.memos.get(kind, []):
            refs.setdefault(memo.target_id, []).append(self.guids.of(prefix, memo.id))
        return refs

    def write(self, out: IO[bytes]) -> None:
        content, xml = self.content, XmlWriter(out)
        with xml.element(
            "Project",
            xmlns=PROJECT_NAMESPACE,
            name=content.study.title,
            origin=self.origin,
            creationDateTime=content.study.created_at,
        ):
            self.users_xml(xml)
            if content.codes:
                with xml.element("CodeBook"):
                    write_codes(xml, content, self.guids, self.note_refs("code"))
            variables = self.variables_xml(xml)
            self.cases_xml(xml, variables)
            self.sources_xml(xml)
            self.notes_xml(xml)
            write_sets(
                xml, content, self.guids, member="targetGUID", notes=self.note_refs("theme")
            )
            description = self.description()
            if description:
                xml.text("Description", description)
            for note in self.note_refs("journal").get(content.study.pk, []):
                xml.empty("NoteRef", targetGUID=note)
        xml.end()

    def users_xml(self, xml: XmlWriter) -> None:
        if not self.content.users:
            return
        with xml.element("Users"):
            for user_id, username in self.content.users:
                xml.empty("User", guid=self.guids.of("user", user_id), name=username)

    def variables_xml(self, xml: XmlWriter) -> list[tuple[str, str, str]]:
        """Writes `<Variables>`; returns (attribute name, GUID, REFI type) of each."""
        variables = []
        for attribute in self.content.study.attribute_schema:
            name = attribute["name"]
            kind = "Text"
            if attribute.get("type") == "number":
                values = [
                    attributes[name]
                    for _, _, attributes, _ in self.content.respondents
                    if _is_number(attributes.get(name))
                ]
                whole = all(float(value).is_integer() for value in values)
                kind = "Integer" if whole else "Float"
            variables.append((name, self.guids.of("variable", name_key(name)), kind))
        if variables:
            with xml.element("Variables"):
                for name, guid, kind in variables:
                    xml.empty("Variable", guid=guid, name=name, typeOfVariable=kind)
        return variables

    def cases_xml(self, xml: XmlWriter, variables: list[tuple[str, str, str]]) -> None:
        content = self.content
        if not content.respondents:
            return
        sources: dict[int, list[int]] = {}
        for source in content.sources:
            sources.setdefault(source.respondent_id, []).append(source.id)
        with xml.element("Cases"):
            for respondent_id, pseudonym, attributes, interviewed_on in content.respondents:
                with xml.element(
                    "Case", guid=self.guids.of("respondent", respondent_id), name=pseudonym
                ):
                    if interviewed_on:
                        xml.text("Description", INTERVIEWED_ON.format(interviewed_on))
                    for name, guid, kind in variables:
                        self.value_xml(xml, guid, kind, attributes.get(name))
                    for interview_id in sources.get(respondent_id, []):
                        xml.empty("SourceRef", targetGUID=self.guids.of("interview", interview_id))

    @staticmethod
    def value_xml(xml: XmlWriter, guid: str, kind: str, value) -> None:
        if kind == "Text":
            # Made fit for XML first: a control character can become a line break.
            text = "" if value is None else fit(str(value)).strip()
            if not text:
                return
            written = ("TextValue", text)
        else:
            # Numbers are checked on entry; anything else (a value from before the
            # attribute was a number) is not one and is left out rather than made invalid.
            if not _is_number(value):
                return
            written = (
                ("IntegerValue", str(int(value)))
                if kind == "Integer"
                else ("FloatValue", _decimal(value))
            )
        with xml.element("VariableValue"):
            xml.empty("VariableRef", targetGUID=guid)
            xml.text(*written)

    def sources_xml(self, xml: XmlWriter) -> None:
        content, guids = self.content, self.guids
        if not content.sources:
            return
        excerpts: dict[int, list[tuple]] = {}
        for excerpt in content.excerpts:
            excerpts.setdefault(excerpt[1], []).append(excerpt)
        codes = {row[0]: guids.of("code", row[0]) for row in content.codes}
        notes = self.note_refs("interview")
        with xml.element("Sources"):
            for source in content.sources:
                guid = guids.of("interview", source.id)
                with xml.element(
                    "TextSource",
                    guid=guid,
                    name=self.source_names[source.id],
                    plainTextPath=f"internal://{guid}.txt",
                    creatingUser=self.user(source.imported_by_id),
                    creationDateTime=source.imported_at,
                ):
                    if source.conducted_on:
                        xml.text("Description", f"Conducted on {source.conducted_on}.")
                    for excerpt in excerpts.get(source.id, []):
                        self.selection_xml(xml, excerpt, codes)
                    for note in notes.get(source.id, []):
                        xml.empty("NoteRef", targetGUID=note)

    def selection_xml(self, xml: XmlWriter, excerpt: tuple, codes: dict[int, str]) -> None:
        """One excerpt with its codings. Written from templates rather than through
        `xml.element`: a study has tens of thousands of them, and this is most of an
        export's time. The attributes are those `element` would write, in the same order."""
        excerpt_id, _, coder_id, start, end, text, memo, created_at, updated_at = excerpt
        of, user_guids = self.guids.of, self.user_guids
        coder = user_guids.get(coder_id)
        xml.put(
            f'<PlainTextSelection guid="{of("excerpt", excerpt_id)}" '
            f'name="{escape_attribute(text)}" startPosition="{start}" endPosition="{end}"'
            + (f' creatingUser="{coder}"' if coder else "")
            + f' creationDateTime="{xml_datetime(created_at)}"'
            f' modifiedDateTime="{xml_datetime(updated_at)}">'
        )
        if memo.strip():
            xml.text("Description", memo)
        for coding_id, code_id, coding_coder_id, coded_at in self.content.codings.get(
            excerpt_id, []
        ):
            # A code deleted while the export read (a moment between two queries) is not
            # in the codebook written: no reference may point nowhere.
            code = codes.get(code_id)
            if code is None:
                continue
            coding_coder = user_guids.get(coding_coder_id)
            xml.put(
                f'<Coding guid="{of("coding", coding_id)}"'
                + (f' creatingUser="{coding_coder}"' if coding_coder else "")
                + f' creationDateTime="{xml_datetime(coded_at)}">'
                f'<CodeRef targetGUID="{code}"/></Coding>'
            )
        xml.put("</PlainTextSelection>")

    def note_name(self, kind: str, memo: MemoRow) -> str:
        """ "Journal entry", or "Memo on the code “Stigma”" (the interview, the theme)."""
        _, names = self.kinds[kind]
        if names is None:
            return "Journal entry"
        return f"Memo on the {kind} “{names.get(memo.target_id, '')}”"

    def notes_xml(self, xml: XmlWriter) -> None:
        memos = [(kind, memo) for kind in self.kinds for memo in self.content.memos.get(kind, [])]
        if not memos:
            return
        with xml.element("Notes"):
            for kind, memo in memos:
                prefix, _ = self.kinds[kind]
                with xml.element(
                    "Note",
                    guid=self.guids.of(prefix, memo.id),
                    name=self.note_name(kind, memo),
                    creatingUser=self.user(memo.author_id),
                    creationDateTime=memo.created_at,
                    modifiedDateTime=memo.updated_at,
                ):
                    xml.text("PlainTextContent", memo.body)

    def description(self) -> str:
        study = self.content.study
        protocol = "\n".join(f"Q{number}. {text}" for number, text in self.content.questions)
        return sections_write(
            PROJECT_SECTIONS,
            {
                "research_question": study.research_question,
                "description": study.description,
                "protocol": protocol,
                "withdrawal_days": (
                    "" if study.withdrawal_days is None else str(study.withdrawal_days)
                ),
                "page_size": study.page_size,
                "left_out": "\n".join(f"{sentence}." for sentence in self.left_out),
            },
        )

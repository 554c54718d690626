"""Importing REFI-QDA projects and codebooks from other tools (NVivo, ATLAS.ti, MAXQDA,
QualCoder, Taguette, and Excerpta's own exports).

`study_import_qdpx` makes a new study of a project, all of it in one transaction: a file
that cannot be read, or any part that cannot be written, leaves nothing behind.
`codebook_import` merges a codebook (.qdc, or the codebook of a project) into an existing
study by name. Both write through the app's own services (study_create, code_create,
respondent_create, interview_import, excerpt_code_selection, theme_create, memo_create), so
every rule and every revision bump of the app applies, and both return an ImportReport that
lists each item dropped or adjusted on the way, for the page and the command to show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from django.db import transaction
from django.template.defaultfilters import pluralize

from coding.models import Code, CodeMemo
from coding.services import SpanToCode, code_create, excerpts_import
from core.naming import find_by_name, name_key, tidy
from interviews.memos import LONGEST, memo_create
from interviews.models import Interview, InterviewMemo, JournalEntry, Respondent, Study
from interviews.revisions import study_revision_bump
from interviews.services import (
    ImportContext,
    attribute_add,
    interview_import,
    interview_update,
    question_add,
    respondent_create,
    study_create,
)
from interviews.text import ImportRejected
from interviews.textdiff import OffsetMap
from themes.models import Theme, ThemeMemo
from themes.services import theme_code_attach, theme_create, theme_update

from . import qdpx_read
from .layout import CODE_SECTIONS, THEME_SECTIONS, sections_read
from .project import PROJECT_SECTIONS
from .qdpx_read import Exchange, read_exchange

# Excerpta's export writes the date an interview was conducted as its source's Description.
_CONDUCTED = re.compile(r"^Conducted on (\d{4}-\d{2}-\d{2})\.$")
# ... and the protocol as one "Q3. text" line per question in the project's Description.
_QUESTION = re.compile(r"^Q\d+\.\s+(.+)$")


@dataclass
class ImportReport:
    """What an import brought in and what it could not.

    study: the study written to. counts: what was made, by kind ("codes", "interviews",
    "respondents", "excerpts", "memos", "themes"; codebook merges also "codes kept").
    dropped / adjusted: one sentence each, in the order met.
    """

    study: Study | None = None
    counts: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    adjusted: list[str] = field(default_factory=list)

    def add(self, kind: str, n: int = 1) -> None:
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n

    def summary(self) -> str:
        """ "12 codes, 2 interviews, 40 excerpts": what was made (kinds with nothing made are
        left out; what was kept as the study had it is in `kept`)."""
        return self._phrase(lambda kind: not kind.endswith(" kept")) or "nothing"

    def kept(self) -> str:
        """ "1 code": what the file named that the study already had and kept as it was
        (codebook merges); "" when nothing."""
        return self._phrase(lambda kind: kind.endswith(" kept"))

    def _phrase(self, wanted) -> str:
        made = []
        for kind, n in self.counts.items():
            if not wanted(kind):
                continue
            noun = kind.removesuffix(" kept")
            if n == 1:
                noun = noun.removesuffix("s")
            made.append(f"{n} {noun}")
        return ", ".join(made)


# Names that must be unique in a study, made unique by a number: "Support (2)".
def _unique(name: str, taken: set[str], longest: int) -> str:
    name = tidy(name)[:longest] or "Unnamed"
    candidate, n = name, 1
    while name_key(candidate) in taken:
        n += 1
        suffix = f" ({n})"
        candidate = name[: longest - len(suffix)] + suffix
    taken.add(name_key(candidate))
    return candidate


def _renamed(report: ImportReport, what: str, old: str, new: str, why: str) -> None:
    if new != old:
        report.adjusted.append(f"the {what} “{old}” was named “{new}” ({why})")


def study_import_qdpx(*, name: str, raw: bytes, owner) -> ImportReport:
    """A new study, owned by `owner`, from a REFI-QDA file (.qdpx, .qde or .qdc).

    name: the uploaded file's name (the study's title when the project has none). raw: the
    file's bytes. Codes keep their tree, colours and descriptions (as definitions); text
    sources become interviews of the respondent their Case names (else of a new respondent
    "S1", "S2"...); selections become excerpts coded by `owner`, positions mapped onto the
    normalised transcript; Variables become attributes, Sets of codes themes, Notes memos
    (of a code, an interview or an excerpt when something refers to them, else journal
    entries). Returns the ImportReport. Raises ImportRejected (message for the researcher)
    when the file cannot be read or a source cannot become a transcript; ValidationError
    when a name or memo breaks the app's rules in a way that cannot be adjusted. Either
    way nothing is written.
    """
    exchange = read_exchange(name, raw)
    report = ImportReport(dropped=list(exchange.dropped), adjusted=list(exchange.adjusted))
    title = tidy(exchange.name or PurePath(name).stem)[:200] or "Imported project"
    # study_create is the app's, and so is every service below: each bumps the study's
    # revision inside this one transaction.
    about = _study_texts(exchange.description)
    with transaction.atomic():
        study = study_create(
            title=title,
            owner=owner,
            research_question=about["research_question"],
            description=about["description"],
        )
        study_revision_bump(study.pk)
        report.study = study
        for line in about["protocol"].splitlines():
            question = _QUESTION.match(line.strip())
            if question:
                question_add(study=study, text=question.group(1))
        codes = _codes_into(study, exchange, report, existing=False)
        writer = _ProjectWriter(study=study, exchange=exchange, owner=owner, report=report)
        writer.codes = codes
        writer.write()
    return report


def _study_texts(description: str) -> dict[str, str]:
    """research_question, description and protocol from Excerpta's layout of the project's
    Description ("Research question:", "Description:", "Protocol:"); another tool's
    description is all the study's description."""
    text = description.strip()
    if any(text.startswith(f"{heading}:\n") for _, heading in PROJECT_SECTIONS):
        return sections_read(PROJECT_SECTIONS, text)
    return {"research_question": "", "description": text, "protocol": ""}


def codebook_import(*, study: Study, name: str, raw: bytes) -> ImportReport:
    """Merge the codebook of a REFI-QDA file (.qdc, or a .qdpx/.qde's codebook) into `study`.

    A code whose name the study already has (compared as core.naming.name_key does) is kept
    as it is, and its sub-codes from the file go under it; every other code is added under
    its parent. Sources, selections and the rest of a project are left out (and reported).
    Returns the ImportReport ("codes" added, "codes kept"). Raises ImportRejected for a file
    that cannot be read; nothing is written then, nor when any code fails to save.
    """
    exchange = read_exchange(name, raw)
    report = ImportReport(study=study, dropped=[], adjusted=list(exchange.adjusted))
    report.dropped.extend(line for line in exchange.dropped if "code" in line)
    if not exchange.codebook_only:
        report.dropped.append(
            "the project's sources, excerpts, cases and notes (only its codebook was imported)"
        )
    if exchange.sets:
        report.dropped.append(
            f"{len(exchange.sets)} set{pluralize(len(exchange.sets))}"
            f" of codes (a codebook brings codes; make themes of "
            "them on the themes page)"
        )
    with transaction.atomic():
        study_revision_bump(study.pk)
        _codes_into(study, exchange, report, existing=True)
    return report


def _codes_into(
    study: Study, exchange: Exchange, report: ImportReport, *, existing: bool
) -> dict[str, Code]:
    """Make the codes of `exchange` in `study`, parents first; returns guid -> Code.

    With `existing`, a code named as one of the study's is that code (kept, not changed).
    """
    taken = {name_key(n) for n in study.codes.values_list("name", flat=True)}
    made: dict[str, Code] = {}
    folders: list[str] = []
    parents: dict[str, Code | None] = {code.guid: None for code in exchange.codes}

    def walk(code: qdpx_read.Code) -> None:
        parent = parents[code.guid]
        found = find_by_name(study.codes, code.name) if existing else None
        if found is not None:
            made[code.guid] = study.codes.get(pk=found)
            report.add("codes kept")
        else:
            name = _unique(code.name, taken, 120)
            _renamed(report, "code", code.name, name, "the name was taken or too long")
            # Excerpta writes a code's four texts as labelled sections (layout.py); any
            # other tool's description is all the definition.
            texts = sections_read(CODE_SECTIONS, code.description)
            made[code.guid] = code_create(
                study=study, name=name, parent=parent, colour=code.colour, **texts
            )
            report.add("codes")
            if not code.codable:
                folders.append(name)
        for child in code.children:
            parents[child.guid] = made[code.guid]
            walk(child)

    for code in exchange.codes:
        walk(code)
    if folders:
        shown = ", ".join(f"“{n}”" for n in folders[:5])
        more = f" and {len(folders) - 5} more" if len(folders) > 5 else ""
        report.adjusted.append(
            f"{len(folders)} folder{pluralize(len(folders))}"
            f" that could not be coded in the file ({shown}{more}) "
            "became ordinary codes (Excerpta has no folders)"
        )
    return made


@dataclass
class _ProjectWriter:
    """Writes the rest of a project, after its codes, inside study_import_qdpx's
    transaction."""

    study: Study
    exchange: Exchange
    owner: object
    report: ImportReport
    codes: dict[str, Code] = field(default_factory=dict)
    interviews: dict[str, Interview] = field(default_factory=dict)
    notes_used: set[str] = field(default_factory=set)
    # name keys of the pseudonyms given so far
    pseudonyms: set[str] = field(default_factory=set)

    def write(self) -> None:
        variables = self._attributes()
        respondents = self._respondents(variables)
        self._interviews(respondents)
        # Themes before the notes: a note a set names is the theme's memo, not the journal's.
        self._themes()
        self._notes()
        self._coders()

    def _attributes(self) -> dict[str, tuple[str, str]]:
        """Variables as the study's attributes; returns guid -> (name, kind)."""
        taken: set[str] = set()
        found = {}
        for variable in self.exchange.variables:
            name = _unique(variable.name or "Attribute", taken, 100)
            _renamed(self.report, "variable", variable.name, name, "the name was taken")
            attribute_add(study=self.study, name=name, kind=variable.kind)
            found[variable.guid] = (name, variable.kind)
        self.study.refresh_from_db(fields=["attribute_schema"])
        return found

    def _respondents(self, variables) -> dict[str, Respondent]:
        """A respondent for each Case; returns source guid -> respondent."""
        taken = self.pseudonyms
        by_source: dict[str, Respondent] = {}
        for n, case in enumerate(self.exchange.cases, 1):
            pseudonym = _unique(case.name or f"Case {n}", taken, 40)
            _renamed(self.report, "case", case.name, pseudonym, "a pseudonym is unique, 40 long")
            values = {}
            for guid, value in case.values.items():
                if guid not in variables:
                    continue
                attribute, kind = variables[guid]
                if kind == "number" and not _is_number(value):
                    self.report.adjusted.append(
                        f"“{value}” of {pseudonym} is not a number: “{attribute}” left blank"
                    )
                    continue
                values[attribute] = value
            respondent = respondent_create(
                study=self.study, pseudonym=pseudonym, attributes=values
            )
            self.report.add("respondents")
            for guid in case.source_guids:
                by_source.setdefault(guid, respondent)
        return by_source

    def _interviews(self, respondents: dict[str, Respondent]) -> None:
        context = ImportContext(self.study)
        n = 0
        for source in self.exchange.sources:
            if source.text is None:
                continue
            respondent = respondents.get(source.guid)
            if respondent is None:
                n += 1
                while name_key(f"S{n}") in self.pseudonyms:
                    n += 1
                pseudonym = _unique(f"S{n}", self.pseudonyms, 40)
                respondent = respondent_create(study=self.study, pseudonym=pseudonym)
                self.report.add("respondents")
                self.report.adjusted.append(
                    f"the source “{source.name}” belongs to no case: it is the interview of "
                    f"a new respondent, {pseudonym}"
                )
            if source.values:
                self.report.dropped.append(
                    f"the variables of the source “{source.name}” (Excerpta keeps "
                    "attributes on respondents)"
                )
            interview = self._interview(source, respondent, context)
            self._excerpts(source, interview)

    def _interview(self, source, respondent: Respondent, context: ImportContext) -> Interview:
        file_name = source.name if source.name.lower().endswith(".txt") else f"{source.name}.txt"
        outcome = interview_import(
            study=self.study,
            name=file_name,
            raw=source.text.encode("utf-8"),
            user=self.owner,
            respondent=respondent,
            import_duplicate=True,
            context=context,
        )
        if outcome.error:
            # One transcript that cannot be had refuses the project: a study missing one
            # of its interviews would count wrongly without anyone noticing.
            raise ImportRejected(f"its source “{source.name}” cannot be imported: {outcome.error}")
        interview = outcome.interview
        interview_update(
            interview=interview,
            title=source.name,
            respondent=respondent,
            conducted_on=self._conducted_on(source),
        )
        self.interviews[source.guid] = interview
        self.report.add("interviews")
        if source.description:
            self._memo(InterviewMemo, source.description, interview=interview)
        return interview

    @staticmethod
    def _conducted_on(source) -> date | None:
        """The date of Excerpta's "Conducted on 2026-03-02." Description, which is then
        no memo (the description is emptied)."""
        match = _CONDUCTED.match(source.description)
        if match is None:
            return None
        try:
            conducted = date.fromisoformat(match.group(1))
        except ValueError:
            return None
        source.description = ""
        return conducted

    def _excerpts(self, source, interview: Interview) -> None:
        """Each selection as an excerpt, all of the source's at once (excerpts_import); the
        same span coded twice (NVivo writes one selection per coding) is one excerpt with
        both codes."""
        moved = OffsetMap(source.text, interview.text)
        spans, where = [], {}
        for selection in source.selections:
            codes = tuple(self.codes[g] for g in selection.code_guids if g in self.codes)
            place = f"a selection of “{source.name}” at {selection.start}–{selection.end}"
            if len(codes) < len(selection.code_guids):
                self.report.dropped.append(f"a coding of {place} (its code is not in the file)")
            span = SpanToCode(
                start=moved.start(selection.start),
                end=moved.end(selection.end),
                codes=codes,
                memo=self._selection_memo(selection),
            )
            spans.append(span)
            where[id(span)] = place
        made, refused = excerpts_import(interview=interview, coder=self.owner, spans=spans)
        self.report.add("excerpts", made)
        for span, why in refused:
            self.report.dropped.append(f"{where[id(span)]} ({why})")

    def _selection_memo(self, selection) -> str:
        parts = [selection.description] if selection.description else []
        notes = {note.guid: note for note in self.exchange.notes}
        linked = [
            g for g, targets in self.exchange.note_links.items() if selection.guid in targets
        ]
        for guid in [*selection.note_guids, *linked]:
            if guid in notes and notes[guid].text and guid not in self.notes_used:
                parts.append(notes[guid].text)
                self.notes_used.add(guid)
        return "\n\n".join(parts)

    def _notes(self) -> None:
        """Notes a code or a source refers to become their memos; the rest (the project's
        and free-standing ones) entries of the study's journal."""
        notes = {note.guid: note for note in self.exchange.notes}
        codes_by_guid = {c.guid: c for c in self.exchange.all_codes()}
        for guid, code in self.codes.items():
            for note_guid in codes_by_guid[guid].note_guids:
                self._note_memo(notes.get(note_guid), CodeMemo, code=code)
        for source in self.exchange.sources:
            if source.guid in self.interviews:
                for note_guid in source.note_guids:
                    interview = self.interviews[source.guid]
                    self._note_memo(notes.get(note_guid), InterviewMemo, interview=interview)
        for note_guid, targets in self.exchange.note_links.items():
            for target in targets:
                if target in self.codes:
                    self._note_memo(notes.get(note_guid), CodeMemo, code=self.codes[target])
                elif target in self.interviews:
                    interview = self.interviews[target]
                    self._note_memo(notes.get(note_guid), InterviewMemo, interview=interview)
        for note in self.exchange.notes:
            if note.guid not in self.notes_used:
                self._note_memo(note, JournalEntry, study=self.study)

    def _note_memo(self, note, model, **target) -> None:
        if note is None or note.guid in self.notes_used:
            return
        self.notes_used.add(note.guid)
        if not note.text:
            self.report.dropped.append(f"the note “{note.name or note.guid}” (it has no text)")
            return
        body = note.text
        # Another tool's note name says what the note is; Excerpta's ("Journal entry",
        # "Memo on the code “Stigma”") only says where it belongs, which the memo's kind
        # says again.
        if note.name and note.name not in note.text and not self._from_excerpta:
            body = f"{note.name}\n\n{note.text}"
        self._memo(model, body, **target)

    @property
    def _from_excerpta(self) -> bool:
        return self.exchange.origin.startswith("Excerpta")

    def _memo(self, model, body: str, **target) -> None:
        # A memo holds LONGEST characters; a longer note (another tool has no such limit)
        # becomes several memos in order rather than a refused project or a cut text.
        parts = [body[i : i + LONGEST] for i in range(0, len(body), LONGEST)] or [body]
        if len(parts) > 1:
            self.report.adjusted.append(
                f"a note of {len(body):,} characters became {len(parts)} memos (a memo holds "
                f"{LONGEST:,})"
            )
        for part in parts:
            memo_create(model=model, author=self.owner, body=part, **target)
            self.report.add("memos")

    def _themes(self) -> None:
        """Sets as themes gathering their codes (a theme gathers codes, not sources), with
        their memos (MemberNote) and, from Excerpta's layout, their parent theme."""
        taken: set[str] = set()
        made: dict[str, Theme] = {}
        parents: list[tuple[Theme, str]] = []
        notes = {note.guid: note for note in self.exchange.notes}
        for code_set in self.exchange.sets:
            codes = [self.codes[g] for g in code_set.code_guids if g in self.codes]
            if code_set.sources and not codes:
                self.report.dropped.append(
                    f"the set “{code_set.name}” (it gathers sources; a theme gathers codes)"
                )
                continue
            texts = sections_read(THEME_SECTIONS, code_set.description)
            name = _unique(code_set.name, taken, 120)
            _renamed(self.report, "set", code_set.name, name, "a theme's name is unique")
            theme = theme_create(study=self.study, name=name, description=texts["description"])
            made[name_key(code_set.name)] = theme
            if texts["parent"]:
                parents.append((theme, texts["parent"]))
            for code in codes:
                theme_code_attach(theme=theme, code=code)
            for guid in code_set.note_guids:
                self._note_memo(notes.get(guid), ThemeMemo, theme=theme)
            self.report.add("themes")
            if code_set.sources:
                self.report.dropped.append(
                    f"{code_set.sources} source{pluralize(code_set.sources)}"
                    f" of the set “{code_set.name}” (its theme "
                    "gathers its codes only)"
                )
        for theme, parent_name in parents:
            parent = made.get(name_key(parent_name))
            if parent is None or parent == theme:
                self.report.adjusted.append(
                    f"the theme “{theme.name}” is not under “{parent_name}” (no such set)"
                )
                continue
            theme_update(
                theme=theme,
                revision=theme.revision,
                name=theme.name,
                description=theme.description,
                parent=parent,
            )

    def _coders(self) -> None:
        if not self.report.counts.get("excerpts"):
            return
        names = sorted({n for n in self.exchange.users.values() if n})
        if names:
            self.report.adjusted.append(
                f"every excerpt is coded by {getattr(self.owner, 'username', 'you')} (the file's "
                f"coders, {_listed(names)}, have no account here)"
            )


def _listed(names: Iterable[str]) -> str:
    names = [f"“{n}”" for n in names]
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", "."))
    except ValueError:
        return False
    return True

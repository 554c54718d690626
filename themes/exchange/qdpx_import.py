"""Importing REFI-QDA projects and codebooks from other tools (NVivo, ATLAS.ti, MAXQDA,
QualCoder, Taguette, and Excerpta's own exports).

`study_import_qdpx` makes a new study of a project, all of it in one transaction: a file
that cannot be read, or any part that cannot be written, leaves nothing behind.
`codebook_import` merges a codebook (.qdc, or the codebook of a project) into an existing
study by name. Both decide every row in memory with the app's own rules (unique names,
colours, pseudonyms, attributes, transcripts read and normalised as interview_import reads
them, excerpts trimmed as excerpts_import trims them, memos' texts), then write each kind
of row at once (bulk.py) after one revision bump: the number of queries does not grow with
the number of codes, transcripts or excerpts (tests/themes/exchange/test_qdpx_import_queries.py).
Both return an ImportReport that lists each item dropped or adjusted on the way, for the
page and the command to show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.defaultfilters import pluralize

from coding.models import Code, CodeMemo
from coding.palette import next_colour, parse_colour
from coding.services import CODE_TEXT_FIELDS, SpanToCode, span_trimmed, spans_merged
from core.bidi import isolated
from core.naming import name_key, tidy
from interviews import consent
from interviews.importers import read_transcript
from interviews.memos import LONGEST, memo_text
from interviews.models import (
    Interview,
    InterviewMemo,
    JournalEntry,
    Memo,
    PageSize,
    ProtocolQuestion,
    Respondent,
    Study,
)
from interviews.revisions import study_revision_bump, study_revision_keep
from interviews.services import clean_attributes, question_key, study_create
from interviews.text import ImportRejected
from interviews.textdiff import OffsetMap
from interviews.turns import turns_from_json
from themes.models import Theme, ThemeMemo

from . import bulk, qdpx_read
from .bulk import Transcript
from .guids import StudyGuids
from .layout import CODE_SECTIONS, THEME_SECTIONS, sections_read
from .project import PROJECT_SECTIONS, UNTITLED_SOURCE
from .qdpx_read import Exchange, read_exchange

# Excerpta's export writes the date an interview was conducted as its source's Description.
_CONDUCTED = re.compile(r"^Conducted on (\d{4}-\d{2}-\d{2})\.$")
# ... and the day a respondent was interviewed as their Case's Description.
# (project.INTERVIEWED_ON's format).
_INTERVIEWED = re.compile(r"^Interviewed on (\d{4}-\d{2}-\d{2})\.$")
# What a file name must not hold: path separators, markup's brackets, the characters
# Windows refuses, controls. A source named "Interview with <b>R1</b>" was stored as the
# file "b>.txt" (the last piece after "/"); now "Interview with b R1 b.txt".
_NOT_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
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
    "S1", "S2"...); selections become excerpts coded by the account whose username the
    file's user has (else by `owner`), positions mapped onto the normalised transcript;
    the study's withdrawal window and paper size, and each respondent's interview date,
    come back from where Excerpta's export writes them (project.py); Variables become
    attributes, Sets of codes themes, Notes memos (of a code, an interview or an excerpt
    when something refers to them, else journal entries). The Case of a respondent who
    withdrew from one of the importer's studies (a project exported before she withdrew)
    is left out with its sources and their notes, and named with the reason. Returns the
    ImportReport.
    Raises ImportRejected (message for the researcher) when the file cannot be read or a
    source cannot become a transcript; ValidationError when a name or memo breaks the
    app's rules in a way that cannot be adjusted. Either way nothing is written.

    Queries: about 40 whatever the project's size (the study, its one revision bump, the
    accounts of the file's users, the withdrawn respondents of the importer's studies,
    then a few statements per kind of row: see bulk.py), plus one per batch where a kind
    has more rows than one statement takes (from about 70 interviews or 140 respondents on
    SQLite, whose statements take at most 999 values).
    """
    exchange = read_exchange(name, raw)
    report = ImportReport(dropped=list(exchange.dropped), adjusted=list(exchange.adjusted))
    title = tidy(exchange.name or PurePath(name).stem)[:200] or "Imported project"
    about = _study_texts(exchange.description)
    settings = _settings(about, report)
    # What the exporting study held that its file does not (Excerpta's "Not in this
    # file:"): the report names it, never "Nothing was left out".
    report.dropped.extend(
        line.strip().removesuffix(".")
        for line in about.get("left_out", "").splitlines()
        if line.strip()
    )
    with transaction.atomic():
        study = study_create(
            title=title,
            owner=owner,
            research_question=about["research_question"],
            description=about["description"],
            **settings,
        )
        # The import's one revision bump: every row below is written in this transaction,
        # into a study nobody else can see before it commits.
        study_revision_bump(study.pk)
        report.study = study
        questions = [
            ProtocolQuestion(study=study, number=number, text=text)
            for number, text in enumerate(_protocol(about["protocol"], report), start=1)
        ]
        ProtocolQuestion.objects.bulk_create(questions)
        codes = _codes_into(study, exchange, report, existing=False)
        writer = _ProjectWriter(study=study, exchange=exchange, owner=owner, report=report)
        writer.codes = codes
        writer.questions = questions
        writer.write()
    return report


def _protocol(text: str, report: ImportReport) -> list[str]:
    """The questions of Excerpta's "Q3. text" protocol lines, in order, each once: a
    question the protocol asks already (compared as a typed one is: question_key) is left
    out and said in `report` (a protocol asks each question once, or an import of a
    transcript counts it twice)."""
    found = (_QUESTION.match(line.strip()) for line in text.splitlines())
    questions: list[str] = []
    numbers: dict[str, int] = {}
    for match in found:
        question = match.group(1).strip() if match else ""
        key = question_key(question)
        if not key:
            # No words, or only characters that show as nothing: no question asked.
            continue
        if key in numbers:
            report.adjusted.append(
                f"the protocol asked “{question}” more than once: it asks it once, as "
                f"Q{numbers[key]}"
            )
            continue
        questions.append(question)
        numbers[key] = len(questions)
    return questions


def _study_texts(description: str) -> dict[str, str]:
    """research_question, description and protocol from Excerpta's layout of the project's
    Description ("Research question:", "Description:", "Protocol:"); another tool's
    description is all the study's description."""
    text = description.strip()
    if any(text.startswith(f"{heading}:\n") for _, heading in PROJECT_SECTIONS):
        return sections_read(PROJECT_SECTIONS, text)
    return {"research_question": "", "description": text, "protocol": ""}


def _settings(about: dict[str, str], report: ImportReport) -> dict:
    """study_create's page_size and withdrawal_days from the sections of Excerpta's project
    Description (project.PROJECT_SECTIONS); a value that is not one is left at the default,
    and said in `report`."""
    settings = {}
    days = about.get("withdrawal_days", "").strip()
    if days:
        if days.isascii() and days.isdigit() and int(days) <= 32767:
            settings["withdrawal_days"] = int(days)
        else:
            report.adjusted.append(f"the withdrawal window “{days}” is not a number of days: none")
    paper = about.get("page_size", "").strip().lower()
    if paper:
        if paper in PageSize.values:
            settings["page_size"] = paper
        else:
            report.adjusted.append(f"the paper size “{paper}” is unknown: US Letter")
    return settings


def codebook_import(*, study: Study, name: str, raw: bytes) -> ImportReport:
    """Merge the codebook of a REFI-QDA file (.qdc, or a .qdpx/.qde's codebook) into `study`.

    A code whose name the study already has (compared as core.naming.name_key does) is kept
    as it is, and its sub-codes from the file go under it; every other code is added under
    its parent. Sources, selections and the rest of a project are left out (and reported).
    Returns the ImportReport ("codes" added, "codes kept"). Raises ImportRejected for a file
    that cannot be read; nothing is written then, nor when any code fails to save. Six
    queries however many codes: the revision bump (which holds the study while its codes
    are read), the study's codes, then the new codes, their parents and their records
    (tree_insert).
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
        if not report.counts.get("codes"):
            # Every code of the file is one the study has: nothing was written.
            study_revision_keep()
    return report


def _codes_into(
    study: Study, exchange: Exchange, report: ImportReport, *, existing: bool
) -> dict[str, Code]:
    """Make the codes of `exchange` in `study`, parents first; returns guid -> Code.

    With `existing`, a code named as one of the study's is that code (kept, not changed).
    Inside the caller's transaction, after its revision bump: the study's codes are read
    once, as they are under that hold, and the new ones written at once (tree_insert).
    """
    present = list(study.codes.all())
    by_key = {code.name_key: code for code in present}
    taken = set(by_key)
    colours = [code.colour for code in present]
    last = max((code.order for code in present), default=0)
    made: dict[str, Code] = {}
    new: list[tuple[Code, Code | None]] = []
    folders: list[str] = []
    parents: dict[str, Code | None] = {}
    for code in exchange.all_codes():
        found = by_key.get(name_key(code.name)) if existing else None
        if found is not None:
            made[code.guid] = found
            report.add("codes kept")
        else:
            name = _unique(code.name, taken, 120)
            _renamed(report, "code", code.name, name, "the name was taken or too long")
            # Excerpta writes a code's four texts as labelled sections (layout.py); any
            # other tool's description is all the definition.
            texts = sections_read(CODE_SECTIONS, code.description)
            # A colour the file gives, else the first palette colour the study (with the
            # codes made before this one) does not use yet, as code_create chooses.
            colour = parse_colour(code.colour) if code.colour else next_colour(colours)
            colours.append(colour)
            last += 1
            made[code.guid] = Code(
                study=study,
                name=name,
                colour=colour,
                order=last,
                **{field: texts.get(field, "").strip() for field in CODE_TEXT_FIELDS},
            )
            new.append((made[code.guid], parents.get(code.guid)))
            # A second code of the same name further on is this one, as the database
            # would have found it.
            by_key.setdefault(name_key(name), made[code.guid])
            report.add("codes")
            if not code.codable:
                folders.append(name)
        for child in code.children:
            parents[child.guid] = made[code.guid]
    bulk.tree_insert(Code, new)
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
    transaction: every row decided first, then each kind written at once."""

    study: Study
    exchange: Exchange
    owner: object
    report: ImportReport
    codes: dict[str, Code] = field(default_factory=dict)
    questions: list[ProtocolQuestion] = field(default_factory=list)
    interviews: dict[str, Interview] = field(default_factory=dict)
    notes_used: set[str] = field(default_factory=set)
    # name keys of the pseudonyms given so far
    pseudonyms: set[str] = field(default_factory=set)
    # Memos of every kind, unsaved, in the order met (saved at the end, by kind).
    memos: list[Memo] = field(default_factory=list)
    # Respondents to save, in the order met.
    respondents: list[Respondent] = field(default_factory=list)
    # guid -> note; the guid of what a Link ties notes to -> those notes' guids (ATLAS.ti's
    # memos on quotations).
    notes: dict[str, qdpx_read.Note] = field(default_factory=dict)
    linked: dict[str, list[str]] = field(default_factory=dict)
    # The file's users (GUID, upper case as qdpx_read gives a selection's coder) -> the id
    # of the account here of that username; users with no account here are not in it.
    accounts: dict[str, int] = field(default_factory=dict)
    # The sources of cases of respondents who withdrew: left out with all of theirs.
    withdrawn_sources: set[str] = field(default_factory=set)

    def write(self) -> None:
        self.notes = {note.guid: note for note in self.exchange.notes}
        self.accounts = self._accounts()
        # Read once for every selection, not once per selection: a project of 20,000
        # selections and 1,000 notes would otherwise scan 20 million pairs.
        for note_guid, targets in self.exchange.note_links.items():
            for target in targets:
                self.linked.setdefault(target, []).append(note_guid)
        variables = self._attributes()
        respondents = self._respondents(variables)
        self._interviews(respondents)
        # Themes before the notes: a note a set names is the theme's memo, not the journal's.
        self._themes()
        self._notes()
        self._memos_insert()
        self._coders()

    def _accounts(self) -> dict[str, int]:
        """Each user of the file whose name is a username here, by GUID (upper case): their
        excerpts stay theirs (Excerpta's export names each user by username). One query,
        none when the file names no user."""
        names = {guid.upper(): name for guid, name in self.exchange.users.items() if name}
        if not names:
            return {}
        ids = dict(
            get_user_model()
            .objects.filter(username__in=set(names.values()))
            .values_list("username", "pk")
        )
        return {guid: ids[name] for guid, name in names.items() if name in ids}

    def _attributes(self) -> dict[str, tuple[str, str]]:
        """Variables as the study's attributes (one save of the study's list); returns
        guid -> (name, kind)."""
        taken: set[str] = set()
        found = {}
        schema = []
        for variable in self.exchange.variables:
            name = _unique(variable.name or "Attribute", taken, 100)
            _renamed(self.report, "variable", variable.name, name, "the name was taken")
            schema.append({"name": name, "type": variable.kind})
            found[variable.guid] = (name, variable.kind)
        if schema:
            self.study.attribute_schema = schema
            self.study.save(update_fields=["attribute_schema"])
        return found

    def _withdrawn(self) -> dict[str, Respondent]:
        """The respondents who withdrew from a study the importer is a member of, by the
        GUID its Case has in that study's exports (guids.py), for the Cases of a project
        exported before they withdrew. Only the importer's studies: a stranger's file must
        not tell them who withdrew where. One query, none when the file has no case."""
        if not self.exchange.cases:
            return {}
        withdrawn = Respondent.objects.filter(
            withdrawn_at__isnull=False, study__memberships__user=self.owner
        ).only("pk", "study_id", "pseudonym", "withdrawn_at")
        return {
            StudyGuids(respondent.study_id).of("respondent", respondent.pk): respondent
            for respondent in withdrawn
        }

    def _respondents(self, variables) -> dict[str, Respondent]:
        """A respondent for each Case (unsaved; saved with those of sources without a case
        by _interviews), but the Case of a respondent who withdrew (see _withdrawn: left
        out, with its sources, and said); returns source guid -> respondent."""
        taken = self.pseudonyms
        by_source: dict[str, Respondent] = {}
        withdrawn = self._withdrawn()
        for n, case in enumerate(self.exchange.cases, 1):
            if case.guid in withdrawn:
                self._withdrawn_case(case, withdrawn[case.guid])
                continue
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
            respondent = self._respondent(pseudonym, clean_attributes(self.study, values))
            respondent.interviewed_on = _interviewed_on(case.description)
            for guid in case.source_guids:
                by_source.setdefault(guid, respondent)
        return by_source

    def _withdrawn_case(self, case, respondent: Respondent) -> None:
        """Leave out the case of `respondent`, who withdrew, with its sources, their
        selections and every note on them (never a journal entry instead), and say why:
        a withdrawal is a person's wish, and an import must not undo it."""
        sources = [s for s in self.exchange.sources if s.guid in set(case.source_guids)]
        for source in sources:
            self.withdrawn_sources.add(source.guid)
            self.notes_used.update(source.note_guids)
            for selection in source.selections:
                self.notes_used.update(selection.note_guids)
                self.notes_used.update(self.linked.get(selection.guid, []))
        n = len(sources)
        self.report.dropped.append(
            f"the case “{case.name}” with {n} source{pluralize(n)} and "
            f"{'its' if n == 1 else 'their'} selections "
            f"({consent.withdrawn_refusal(respondent)})"
        )

    def _respondent(self, pseudonym: str, attributes: dict | None = None) -> Respondent:
        respondent = Respondent(study=self.study, pseudonym=pseudonym, attributes=attributes or {})
        self.respondents.append(respondent)
        self.report.add("respondents")
        return respondent

    def _interviews(self, respondents: dict[str, Respondent]) -> None:
        """Every text source as an interview with its excerpts: the respondents, the
        interviews with their question sections, the excerpts with their codings, each
        kind written at once."""
        n = 0
        transcripts: list[tuple[qdpx_read.Source, Transcript]] = []
        for source in self.exchange.sources:
            if source.text is None or source.guid in self.withdrawn_sources:
                continue
            respondent = respondents.get(source.guid)
            if respondent is None:
                n += 1
                while name_key(f"S{n}") in self.pseudonyms:
                    n += 1
                pseudonym = _unique(f"S{n}", self.pseudonyms, 40)
                respondent = self._respondent(pseudonym)
                self.report.adjusted.append(
                    f"the source “{source.name}” belongs to no case: it is the interview of "
                    f"a new respondent, {pseudonym}"
                )
            if source.values:
                self.report.dropped.append(
                    f"the variables of the source “{source.name}” (Excerpta keeps "
                    "attributes on respondents)"
                )
            transcripts.append((source, self._transcript(source, respondent)))
        Respondent.objects.bulk_create(self.respondents)
        bulk.interviews_insert(
            study=self.study,
            transcripts=[transcript for _, transcript in transcripts],
            questions=self.questions,
            user=self.owner,
        )
        excerpts = []
        for source, transcript in transcripts:
            interview = transcript.interview
            self.interviews[source.guid] = interview
            self.report.add("interviews")
            excerpts.extend(self._excerpts(source, interview))
        bulk.excerpts_insert(study=self.study, coder=self.owner, excerpts=excerpts)
        self.report.add("excerpts", len(excerpts))

    def _transcript(self, source, respondent: Respondent) -> Transcript:
        """The source's text read as interview_import reads a .txt file (decoded,
        normalised, within the transcript limits), and its memo (its description)."""
        file_name = source_file_name(source.name)
        try:
            read = read_transcript(file_name, source.text.encode("utf-8"))
        except ImportRejected as rejected:
            # One transcript that cannot be had refuses the project: a study missing one
            # of its interviews would count wrongly without anyone noticing.
            raise ImportRejected(
                f"its source “{source.name}” cannot be imported: {rejected}"
            ) from None
        transcript = Transcript(
            respondent=respondent,
            read=read,
            file_name=file_name,
            title=self._title(source, respondent),
            conducted_on=self._conducted_on(source),
        )
        if source.description:
            self._memo(InterviewMemo, source.description, interview=transcript)
        return transcript

    def _title(self, source, respondent: Respondent) -> str:
        """The interview's title: its source's name (qdpx_read trimmed it), "" for the name
        Excerpta's export gives an untitled interview ("Interview with R2"), which would
        otherwise come back as a title she never gave. Another tool's names are titles."""
        if self._from_excerpta and source.name == UNTITLED_SOURCE.format(respondent.pseudonym):
            return ""
        return source.name

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

    def _excerpts(self, source, interview: Interview) -> list[bulk.ExcerptToInsert]:
        """Each selection as an excerpt to write: trimmed and merged as excerpts_import
        does (spans_merged); the same span coded twice (NVivo writes one selection per
        coding) is one excerpt with both codes. The coder is the account of the first
        selection's user (None: the importer). An excerpt was made when the first of its
        selections was, last changed when the last was; a code applied when the first
        Coding of it was (else when its selection was made): the file's dates, so that a
        project comes back with the days it was coded on."""
        # A source's text is most often already normalised (Excerpta's own exports are):
        # then positions need no diff of the two texts.
        same = source.text == interview.text
        moved = None if same else OffsetMap(source.text, interview.text)
        spans, where = [], {}
        for selection in source.selections:
            codes = tuple(self.codes[g] for g in selection.code_guids if g in self.codes)
            place = f"a selection of “{source.name}” at {selection.start}–{selection.end}"
            if len(codes) < len(selection.code_guids):
                self.report.dropped.append(f"a coding of {place} (its code is not in the file)")
            span = SpanToCode(
                start=selection.start if same else moved.start(selection.start),
                end=selection.end if same else moved.end(selection.end),
                codes=codes,
                memo=self._selection_memo(selection),
            )
            spans.append(span)
            where[id(span)] = place
        merged, refused = spans_merged(interview=interview, spans=spans)
        for span, why in refused:
            self.report.dropped.append(f"{where[id(span)]} ({why})")
        left_out = {id(span) for span, _ in refused}
        dates = _Dates()
        turns = turns_from_json(interview.turns)
        for span, selection in zip(spans, source.selections, strict=True):
            if id(span) not in left_out:
                key = span_trimmed(interview.text, turns, span.start, span.end)
                dates.add(key, selection, self.codes)
        # A merged excerpt lies within the selections it was made of (trimmed, never
        # widened): its coder is the first such selection's.
        coders = [
            (span.start, span.end, self.accounts.get(selection.coder_guid))
            for span, selection in zip(spans, source.selections, strict=True)
        ]
        # One coder for the whole source (one user in the file, or none known here) is
        # every excerpt's, without looking among all its selections for each (a source of
        # 100 excerpts took 5,000 comparisons).
        one = len({by for _, _, by in coders}) == 1
        return [
            bulk.ExcerptToInsert(
                interview=interview,
                start=start,
                end=end,
                memo="\n\n".join(memos),
                code_ids=list(codes),
                coder_id=coders[0][2] if one else _first_coder(coders, start, end),
                created=dates.created.get((start, end)),
                modified=dates.modified.get((start, end)),
                coded=dates.coded.get((start, end), {}),
            )
            for (start, end), (codes, memos) in merged.items()
        ]

    def _selection_memo(self, selection) -> str:
        parts = [selection.description] if selection.description else []
        notes = self.notes
        for guid in [*selection.note_guids, *self.linked.get(selection.guid, [])]:
            if guid in notes and notes[guid].text and guid not in self.notes_used:
                parts.append(notes[guid].text)
                self.notes_used.add(guid)
        return "\n\n".join(parts)

    def _notes(self) -> None:
        """Notes a code or a source refers to become their memos; the rest (the project's
        and free-standing ones) entries of the study's journal."""
        notes = self.notes
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
        self._memo(model, body, written=(note.created, note.modified), **target)

    @property
    def _from_excerpta(self) -> bool:
        return self.exchange.origin.startswith("Excerpta")

    def _memo(self, model, body: str, written=(None, None), **target) -> None:
        """A memo of `model` on `target` (a Transcript stands for its interview until it is
        saved), by the importer, its text checked as memo_create checks it; `written`, when
        the note was made and last changed as the file says (None: now)."""
        # A memo holds LONGEST characters; a longer note (another tool has no such limit)
        # becomes several memos in order rather than a refused project or a cut text.
        parts = [body[i : i + LONGEST] for i in range(0, len(body), LONGEST)] or [body]
        if len(parts) > 1:
            self.report.adjusted.append(
                f"a note of {len(body):,} characters became {len(parts)} memos (a memo holds "
                f"{LONGEST:,})"
            )
        for part in parts:
            memo = model(author=self.owner, body=memo_text(part))
            made, changed = written
            if made is not None:
                memo.created_at = memo.updated_at = made
            if changed is not None:
                memo.updated_at = changed
            memo._target = target
            self.memos.append(memo)
            self.report.add("memos")

    def _memos_insert(self) -> None:
        """Every memo, by kind, in the order met: one INSERT and its records per kind."""
        by_model: dict[type[Memo], list[Memo]] = {}
        for memo in self.memos:
            for name, target in memo._target.items():
                if isinstance(target, Transcript):
                    target = target.interview
                setattr(memo, name, target)
            by_model.setdefault(type(memo), []).append(memo)
        for model, memos in by_model.items():
            model.objects.bulk_create(memos)

    def _themes(self) -> None:
        """Sets as themes gathering their codes (a theme gathers codes, not sources), with
        their memos (MemberNote) and, from Excerpta's layout, their parent theme."""
        taken: set[str] = set()
        made: dict[str, Theme] = {}
        themes: list[Theme] = []
        links: list[tuple[Theme, Code]] = []
        parents: list[tuple[Theme, str]] = []
        notes = self.notes
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
            theme = Theme(
                study=self.study,
                name=name,
                description=texts["description"].strip(),
                order=len(themes) + 1,
            )
            themes.append(theme)
            made.setdefault(name_key(code_set.name), theme)
            if texts["parent"]:
                parents.append((theme, texts["parent"]))
            links.extend((theme, code) for code in codes)
            for guid in code_set.note_guids:
                self._note_memo(notes.get(guid), ThemeMemo, theme=theme)
            self.report.add("themes")
            if code_set.sources:
                self.report.dropped.append(
                    f"{code_set.sources} source{pluralize(code_set.sources)}"
                    f" of the set “{code_set.name}” (its theme "
                    "gathers its codes only)"
                )
        parent_of: dict[int, Theme] = {}
        for theme, parent_name in parents:
            parent = made.get(name_key(parent_name))
            if parent is None or parent is theme:
                self.report.adjusted.append(
                    f"the theme “{theme.name}” is not under “{parent_name}” (no such set)"
                )
                continue
            if _inside(parent, theme, parent_of):
                self.report.adjusted.append(
                    f"the theme “{theme.name}” is not under “{parent_name}”, which is inside it"
                )
                continue
            parent_of[id(theme)] = parent
        nodes = [(theme, parent_of.get(id(theme))) for theme in themes]
        bulk.tree_insert(Theme, nodes, links=links)

    def _coders(self) -> None:
        """Says whose excerpts became the importer's: those of the file's users who have no
        account here (only when some selection named one)."""
        if not self.report.counts.get("excerpts"):
            return
        named = {s.coder_guid for source in self.exchange.sources for s in source.selections}
        users = {guid.upper(): name for guid, name in self.exchange.users.items() if name}
        missing = sorted({users[g] for g in named if g in users and g not in self.accounts})
        if missing:
            who = "this user has" if len(missing) == 1 else "these users have"
            self.report.adjusted.append(
                f"the excerpts of {_listed(missing)} are coded by "
                f"{isolated(getattr(self.owner, 'username', 'you'))} ({who} no account here)"
            )


@dataclass
class _Dates:
    """The dates of the excerpts an import makes, by (start, end) of each, from the
    selections merged into it: the earliest made, the latest changed, and for each code id
    the earliest Coding of it (or its selection's making where the Coding has no date)."""

    created: dict[tuple[int, int], datetime] = field(default_factory=dict)
    modified: dict[tuple[int, int], datetime] = field(default_factory=dict)
    coded: dict[tuple[int, int], dict[int, datetime]] = field(default_factory=dict)

    def add(self, key: tuple[int, int], selection, codes: dict) -> None:
        made, changed = selection.created, selection.modified or selection.created
        if made is not None and (key not in self.created or made < self.created[key]):
            self.created[key] = made
        if changed is not None and (key not in self.modified or changed > self.modified[key]):
            self.modified[key] = changed
        applied = self.coded.setdefault(key, {})
        for guid in selection.code_guids:
            when = selection.coded.get(guid) or made
            if guid in codes and when is not None:
                code_id = codes[guid].id
                if code_id not in applied or when < applied[code_id]:
                    applied[code_id] = when


def _first_coder(coders: list[tuple[int, int, int | None]], start: int, end: int) -> int | None:
    """The account of the first of `coders` ((start, end, account id) of each selection,
    in the file's order) whose span holds [start, end); None when none does."""
    return next((by for a, b, by in coders if a <= start and end <= b), None)


def source_file_name(name: str) -> str:
    """The file name an imported source's text is kept under (Interview.source_name), made
    from its `name` in the project: every run of characters no file name may hold (see
    _NOT_IN_FILE_NAMES) is a space, no dot or space at either end, at most 200 characters
    with ".txt" at the end (added unless there); "source.txt" when nothing is left."""
    stem = " ".join(_NOT_IN_FILE_NAMES.sub(" ", name).split()).strip(". ")
    if stem.lower().endswith(".txt"):
        stem = stem[:-4].rstrip(". ")
    return f"{stem[:196].rstrip('. ') or 'source'}.txt"


def _interviewed_on(description: str) -> date | None:
    """The day of Excerpta's "Interviewed on 2026-03-02." Case Description; None for any
    other description or an impossible day."""
    match = _INTERVIEWED.match(description.strip())
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _inside(node: Theme, ancestor: Theme, parent_of: dict[int, Theme]) -> bool:
    """Whether `ancestor` is `node` or above it in the parents given so far (by id())."""
    seen = set()
    while node is not None and id(node) not in seen:
        if node is ancestor:
            return True
        seen.add(id(node))
        node = parent_of.get(id(node))
    return False


def _listed(names: Iterable[str]) -> str:
    names = [f"“{n}”" for n in names]
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", "."))
    except ValueError:
        return False
    return True

"""Tables for spreadsheets: the coded excerpts (.csv, .xlsx) and the theme-by-respondent
matrix (.xlsx), built as plain rows of safe cells and written by the csv module and
openpyxl. (pandas did this once; a worker that never imports it holds about 40 MB less,
issue 9.)

Every cell is user text or a number. Text passes `sanitise_text` (an export must hold whatever
was stored, control characters included); a cell starting with =, +, - or @ would run as a
formula when the file is opened in a spreadsheet, so every such cell is prefixed with an
apostrophe; a whole number is written as one ("7", never "7.0").
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from coding.models import Coding, Excerpt, ExcerptStatus
from core.sanitise import sanitise_text
from interviews.models import Interview, Study

from .memos import MemoFilter, memo_rows, study_memos
from .rollup import RollUp, study_rollup

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def plain_number(value):
    """A float that holds a whole number as that int (7.0 -> 7); any other value as it is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def cell(value):
    """What one cell of a .csv or .xlsx holds for `value`: safe text or a plain number."""
    if isinstance(value, str):
        return neutralise(sanitise_text(value))
    return plain_number(value)


@dataclass(frozen=True)
class Table:
    """A table of safe cells (see `cell`): its column titles and its rows, each as long."""

    columns: list[str]
    rows: list[list]


def _table(rows: list[list], columns: list[str]) -> Table:
    """`rows` under `columns`, every value made a safe cell. Each cell keeps its own type:
    a column holding 7 and 7.5 prints "7" and "7.5"."""
    return Table(
        columns=[cell(str(column)) for column in columns],
        rows=[[cell(value) for value in row] for row in rows],
    )


def _csv(table: Table) -> bytes:
    """The table as .csv bytes: UTF-8 with a byte-order mark (Excel then reads accents and
    emoji correctly), a title row, fields quoted only where they must be, lines ended by
    "\n", an empty field for None."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8-sig")


# The columns of an excerpt table after the respondent's attributes: the same in every
# file of excerpts (the study's, and a retrieval's), so that the two can be read alike.
EXCERPT_COLUMNS = [
    "Interview",
    "Question",
    "Codes",
    "Themes",
    "Interviewer’s words",
    "Text",
    "Memo",
    "Codes applied by",
    "First coded on",
    "Last coded on",
    "Excerpt made on",
]

# What the date columns hold, as a note on their heading in a workbook. "Coded" is when a
# code was applied (Coding.created_at), as the Excerpts page's "Coded from/to" reads it
# (retrieval.CODED_RULE): a row found by those dates has one of them from its first to
# its last coded day. An excerpt is made once, and may take codes long after.
COLUMN_NOTES = {
    "First coded on": "The day the earliest of this row's codes was applied, "
    "as the Excerpts page's “Coded from” and “to” read it.",
    "Last coded on": "The day the latest of this row's codes was applied, "
    "as the Excerpts page's “Coded from” and “to” read it.",
    "Excerpt made on": "The day the passage was first selected as an excerpt; "
    "its codes may have been applied since.",
    # The row names the respondent whose transcript holds the words, so a reader sorting
    # by respondent would take the interviewer's question for their answer without it.
    "Interviewer’s words": "“yes”: the excerpt holds only the interviewer’s words (on a line "
    "that opens with an interviewer label). It is listed under the respondent interviewed "
    "but counts for no respondent. Empty: the respondent's words.",
}


def coder_names(names) -> list[str]:
    """Who applied an excerpt's codes (`names`: usernames of Coding.coder, repeated or
    None where the account is gone), each once, by username whatever the case ("adam",
    "Bea", "cody"): the order of the Excerpts page's "Coded by" (sql.study_coders). A
    coder is who applied a code, as the methods appendix counts coders (61ba190)."""
    return sorted({name for name in names if name}, key=lambda name: (name.casefold(), name))


def excerpt_columns(attribute_names: list[str]) -> list[str]:
    """The column titles of an excerpt table: Respondent, one per attribute of the study
    (marked "(attribute)" where one reads like another title), then EXCERPT_COLUMNS."""
    fixed = ["Respondent", *EXCERPT_COLUMNS]
    return ["Respondent", *_titles(attribute_names, "attribute", fixed), *EXCERPT_COLUMNS]


def excerpt_row(
    *,
    pseudonym: str,
    attributes: dict,
    attribute_names: list[str],
    interview: str,
    question: int | None,
    codes: list[str],
    themes: list[str],
    interviewer: bool,
    text: str,
    memo: str,
    coders: list[str],
    coded_at: list[datetime],
    made_at: datetime,
) -> list:
    """One excerpt as a row under excerpt_columns(attribute_names), in the values a
    spreadsheet keeps: an attribute as stored (a number stays a number; None, an empty
    cell, when not recorded), the question as "Q3", codes and themes joined by "; ",
    "yes" when the excerpt holds only the `interviewer`'s words (Excerpt.interviewer_only;
    an empty cell when not), the first and last day a code was applied (`coded_at`:
    Coding.created_at of each code in `codes`; empty cells when it has none) and the day
    the excerpt was made (`made_at`: Excerpt.created_at), each a date in the app's time
    zone (COLUMN_NOTES)."""
    days = sorted(timezone.localtime(moment).date() for moment in coded_at)
    return [
        pseudonym,
        *(attributes.get(name) for name in attribute_names),
        interview,
        f"Q{question}" if question else "",
        "; ".join(codes),
        "; ".join(themes),
        "yes" if interviewer else None,
        text,
        memo,
        "; ".join(coders),
        days[0] if days else None,
        days[-1] if days else None,
        timezone.localtime(made_at).date(),
    ]


def without_question_column(columns: list[str], rows: list[list]) -> tuple[list[str], list]:
    """(columns, rows) of an excerpt table (excerpt_columns, excerpt_row) without its
    Question column, the other columns in their order. For a study whose excerpts cannot
    answer a protocol question (rollup.why_no_answers: no protocol, or one marked in no
    transcript), where the column would be blank in every row of every export. Decided by
    the study, never by the rows exported: a filtered download has the study's columns."""
    where = len(columns) - len(EXCERPT_COLUMNS) + EXCERPT_COLUMNS.index("Question")
    return (
        [*columns[:where], *columns[where + 1 :]],
        [[*row[:where], *row[where + 1 :]] for row in rows],
    )


def interview_labels(interviews: list[dict], pseudonym_of: dict[int, str]) -> dict[int, str]:
    """{interview id: "R1 interview 2"}: each respondent's interviews numbered from 1 in
    the order given (`interviews`: dicts with "id" and "respondent_id", in reading order;
    `pseudonym_of`: {respondent id: pseudonym}). Not the uploaded file's name, which may
    hold a real name; the same number whatever excerpts a file holds."""
    seen: dict[int, int] = defaultdict(int)
    labels = {}
    for interview in interviews:
        seen[interview["respondent_id"]] += 1
        pseudonym = pseudonym_of.get(interview["respondent_id"], "")
        labels[interview["id"]] = f"{pseudonym} interview {seen[interview['respondent_id']]}"
    return labels


def excerpts_table(study: Study, rollup: RollUp | None = None) -> Table:
    """The study's excerpts (see study_excerpt_rows) as safe cells."""
    columns, rows = study_excerpt_rows(study, rollup)
    return _table(rows, columns)


def study_excerpt_rows(study: Study, rollup: RollUp | None = None) -> tuple[list[str], list]:
    """(columns, rows) of the study's excerpts, one row per excerpt of a counted respondent
    (see excerpt_row): who, what question (the column left out when the study's excerpts
    cannot answer one: without_question_column), which codes and themes, whether the
    words are the interviewer's alone, the text, who
    applied its codes, when they were applied and when it was made. Three queries beyond
    the roll-up's (excerpts, codings with their coders and times, interviews)."""
    rollup = rollup or study_rollup(study)
    counted = {respondent["id"]: respondent for respondent in rollup.respondents}
    excerpts = list(
        Excerpt.objects.filter(interview__study=study, interview__respondent_id__in=list(counted))
        .exclude(status=ExcerptStatus.ORPHANED)
        .order_by(
            "interview__respondent__pseudonym_order",
            "interview__respondent_id",
            "interview_id",
            "start",
        )
        .values(
            "id",
            "text",
            "start",
            "created_at",
            "interview_id",
            "interview__respondent_id",
            "interview__title",
            "memo",
            "interviewer_only",
        )
    )
    codes_of: dict[int, list[str]] = {}
    coders_of: dict[int, list[str | None]] = defaultdict(list)
    coded_at: dict[int, list[datetime]] = defaultdict(list)
    # By study, not by a list of excerpt ids: SQLite refuses more than 32,766 parameters.
    for excerpt_id, code_id, coder, moment in (
        Coding.objects.filter(interview__study=study)
        .order_by("code__order", "code__name")
        .values_list("excerpt_id", "code_id", "coder__username", "created_at")
    ):
        codes_of.setdefault(excerpt_id, []).append(rollup.codes[code_id]["name"])
        coders_of[excerpt_id].append(coder)
        coded_at[excerpt_id].append(moment)
    theme_names = {summary.id: summary.name for summary in rollup.themes}
    labels = interview_labels(
        list(
            Interview.objects.filter(study=study, respondent_id__in=list(counted))
            .order_by("conducted_on", "id")
            .values("id", "respondent_id")
        ),
        {respondent_id: respondent["pseudonym"] for respondent_id, respondent in counted.items()},
    )
    attributes = study.attribute_names
    rows = []
    for excerpt in excerpts:
        respondent = counted[excerpt["interview__respondent_id"]]
        rows.append(
            excerpt_row(
                pseudonym=respondent["pseudonym"],
                attributes=respondent["attributes"],
                attribute_names=attributes,
                interview=excerpt["interview__title"] or labels[excerpt["interview_id"]],
                question=rollup.question_at(excerpt["interview_id"], excerpt["start"]),
                codes=codes_of.get(excerpt["id"], []),
                themes=[theme_names[t] for t in rollup.excerpt_themes.get(excerpt["id"], [])],
                interviewer=excerpt["interviewer_only"],
                text=excerpt["text"],
                memo=excerpt["memo"],
                coders=coder_names(coders_of[excerpt["id"]]),
                coded_at=coded_at[excerpt["id"]],
                made_at=excerpt["created_at"],
            )
        )
    if rollup.why_no_answers:
        return without_question_column(excerpt_columns(attributes), rows)
    return excerpt_columns(attributes), rows


def matrix_table(rollup: RollUp) -> Table:
    """Themes down, respondents across, excerpts in the cells; then n of N and the word."""
    fixed = ["Theme", "Respondents", "Prevalence"]
    pseudonyms = [respondent["pseudonym"] for respondent in rollup.respondents]
    rows = [
        [
            "    " * summary.depth + summary.name,
            *counts,
            f"{summary.n} of {summary.total}",
            summary.word,
        ]
        for summary, counts, _ in rollup.matrix_rows()
    ]
    columns = ["Theme", *_titles(pseudonyms, "respondent", fixed), "Respondents", "Prevalence"]
    return _table(rows, columns)


def _titles(names: list[str], kind: str, fixed: list[str]) -> list[str]:
    """Titles for columns the study names (attributes, pseudonyms), marked with their kind
    where one reads like another column's title: a respondent called "Theme" must not pass
    for the theme column, nor one called "Theme (respondent)" for that respondent."""
    clashing = {title.casefold() for title in fixed}
    taken = clashing | {name.casefold() for name in names}
    titles = []
    for name in names:
        title, n = name, 1
        if name.casefold() in clashing:
            title = f"{name} ({kind})"
            while title.casefold() in taken:
                n += 1
                title = f"{name} ({kind} {n})"
            taken.add(title.casefold())
        titles.append(title)
    return titles


def excerpts_csv(*, study: Study) -> bytes:
    return _csv(excerpts_table(study))


def _xlsx(sheets: dict[str, Table]) -> bytes:
    """A workbook with one sheet per table: a bold, frozen header row and columns as wide as
    their first 200 values. openpyxl's write-only mode streams the rows, over twice as fast
    as keeping every cell as an object (pandas' to_excel did) on 20,000 excerpts."""
    # openpyxl is imported here, not at start-up: it weighs 13 MB in a worker, and only
    # the .xlsx downloads need it.
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for name, table in sheets.items():
        sheet = book.create_sheet(name)
        sheet.freeze_panes = "A2"
        head = table.rows[:200]
        for n, column in enumerate(table.columns, start=1):
            values = ("" if row[n - 1] is None else row[n - 1] for row in head)
            width = max([len(str(column)), *(len(str(value)) for value in values)])
            sheet.column_dimensions[get_column_letter(n)].width = min(max(width, 8), 60)
        sheet.append([_header(sheet, column) for column in table.columns])
        # None is written as an empty cell.
        for row in table.rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header(sheet, title: str):
    """A column's bold title, with its note (COLUMN_NOTES) where it has one."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value=title)
    cell.font = Font(bold=True)
    if title in COLUMN_NOTES:
        cell.comment = Comment(COLUMN_NOTES[title], "Excerpta")
    return cell


def memos_table(study: Study) -> Table:
    """One row per memo of the study (themes.memos), oldest first: its kind, what it is
    about, who wrote it and when, its text. Nothing of a withdrawn respondent."""
    rows = memo_rows(
        study_memos(study, MemoFilter(counted_only=True)).order_by("m_written", "m_kind", "m_id")
    )
    table = [
        [
            row.kind.label,
            row.target.strip(),
            row.author,
            # A date and time a spreadsheet can sort and compute with, to the minute
            # (openpyxl refuses a time zone: the app's local time, as the pages show).
            timezone.localtime(row.written).replace(tzinfo=None, second=0, microsecond=0),
            row.body,
        ]
        for row in rows
    ]
    return _table(table, ["Kind", "About", "Author", "Written", "Memo"])


def excerpts_xlsx(*, study: Study) -> bytes:
    """The study's excerpts (with their memos), and every memo of the study on a sheet of
    its own (see excerpts_workbook)."""
    columns, rows = study_excerpt_rows(study)
    return excerpts_workbook(study=study, rows=rows, columns=columns)


def excerpts_workbook(*, study: Study, rows: list[list], columns: list[str]) -> bytes:
    """The one way an excerpt table leaves as .xlsx, for the study's coded excerpts and a
    retrieval's alike: sheet "Excerpts" holds `rows` (each made by excerpt_row) under
    `columns` (excerpt_columns), as safe cells; sheet "Memos" every memo of the study
    (memos_table). Both files thus have the same sheets, columns and cell types."""
    return _xlsx({"Excerpts": _table(rows, columns), "Memos": memos_table(study)})


def matrix_xlsx(*, study: Study, rollup: RollUp | None = None) -> bytes:
    """The themes by respondent (matrix_table) of `study`'s roll-up as an .xlsx workbook;
    `rollup` is that roll-up when the caller has it (a worker's cached one), else it is
    computed here."""
    rollup = rollup if rollup is not None else study_rollup(study)
    return _xlsx({"Themes by respondent": matrix_table(rollup)})


def rows_csv(rows: list[list], columns: list[str]) -> bytes:
    """Any table as .csv bytes (UTF-8 with a byte-order mark), through the same safe cells
    as the study's own tables."""
    return _csv(_table(rows, columns))


def rows_xlsx(sheet: str, rows: list[list], columns: list[str]) -> bytes:
    """Any table as an .xlsx workbook of one sheet named `sheet` (at most 31 characters),
    through the same safe cells as the study's own tables."""
    return _xlsx({sheet[:31]: _table(rows, columns)})


def titled_columns(names: list[str], kind: str, fixed: list[str]) -> list[str]:
    """Column titles for names the study chose (see _titles): public for other tables."""
    return _titles(names, kind, fixed)

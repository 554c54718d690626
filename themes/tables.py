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

from django.utils import timezone

from coding.models import Coding, Excerpt, ExcerptStatus
from core.sanitise import sanitise_text
from interviews.models import Study

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


def excerpts_table(study: Study, rollup: RollUp | None = None) -> Table:
    """One row per excerpt of a counted respondent: who, what question, which codes and
    themes, the text, who coded it and when."""
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
            "coder__username",
            "memo",
        )
    )
    codes_of: dict[int, list[str]] = {}
    # By study, not by a list of excerpt ids: SQLite refuses more than 32,766 parameters.
    for excerpt_id, code_id in (
        Coding.objects.filter(interview__study=study)
        .order_by("code__order", "code__name")
        .values_list("excerpt_id", "code_id")
    ):
        codes_of.setdefault(excerpt_id, []).append(rollup.codes[code_id]["name"])
    theme_names = {summary.id: summary.name for summary in rollup.themes}
    numbers: dict[int, dict[int, int]] = defaultdict(dict)

    def _numbered(excerpt, respondent) -> str:
        seen = numbers[respondent["id"]]
        seen.setdefault(excerpt["interview_id"], len(seen) + 1)
        return f"{respondent['pseudonym']} interview {seen[excerpt['interview_id']]}"

    attributes = study.attribute_names
    rows = []
    for excerpt in excerpts:
        respondent = counted[excerpt["interview__respondent_id"]]
        question = rollup.question_at(excerpt["interview_id"], excerpt["start"])
        rows.append(
            [
                respondent["pseudonym"],
                *(respondent["attributes"].get(name, "") for name in attributes),
                # Not the uploaded file's name, which may hold a real name.
                excerpt["interview__title"] or _numbered(excerpt, respondent),
                f"Q{question}" if question else "",
                "; ".join(codes_of.get(excerpt["id"], [])),
                "; ".join(theme_names[t] for t in rollup.excerpt_themes.get(excerpt["id"], [])),
                excerpt["text"],
                excerpt["memo"],
                excerpt["coder__username"] or "",
                excerpt["created_at"].date().isoformat(),
            ]
        )
    after = ["Interview", "Question", "Codes", "Themes", "Text", "Memo", "Coder", "Coded on"]
    columns = ["Respondent", *_titles(attributes, "attribute", ["Respondent", *after]), *after]
    return _table(rows, columns)


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
        for summary, counts in rollup.matrix_rows()
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
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value=title)
    cell.font = Font(bold=True)
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
            timezone.localtime(row.written).strftime("%Y-%m-%d %H:%M"),
            row.body,
        ]
        for row in rows
    ]
    return _table(table, ["Kind", "About", "Author", "Written", "Memo"])


def excerpts_xlsx(*, study: Study) -> bytes:
    """The excerpts (with their memos), and every memo of the study on a sheet of its own."""
    return _xlsx({"Excerpts": excerpts_table(study), "Memos": memos_table(study)})


def matrix_xlsx(*, study: Study) -> bytes:
    return _xlsx({"Themes by respondent": matrix_table(study_rollup(study))})


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

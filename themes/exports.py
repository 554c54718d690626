"""The Word documents a study produces: the findings and the codebook.

Pure functions returning bytes (STYLE.md, rule 28), fed by the same roll-up as the pages.
Confidentiality: pseudonyms only; withdrawn respondents never reach the roll-up or the quote
rows; no user name is written anywhere, the document's own properties included.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import defaultdict
from datetime import date
from typing import NamedTuple
from weakref import WeakKeyDictionary

from django.utils import timezone
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Inches, Length, Mm, Pt
from docx.text.paragraph import Paragraph

from coding.models import Excerpt
from coding.selectors import codebook as codebook_nodes
from core.bidi import marked_parts, plain, right_to_left
from core.sanitise import sanitise_text
from interviews.models import PageSize, Study

from . import selectors
from .appendix import MethodsAppendix, count_of, methods_appendix
from .charts import Chart, findings_figures
from .grouping import NOT_RECORDED, group_key, group_respondents
from .memos import KINDS, MemoFilter, memo_rows, study_memos
from .quoting import quote_text, quoted
from .review import attribution
from .rollup import RollUp, ThemeSummary, number_word, study_rollup
from .tables import plain_number

TABLE_STYLE = "Light Grid Accent 1"
QUOTES_IN_TABLE = 3
# The paper a study chose, and one-inch margins on every side (the usual thesis margins):
# text 6.5 in wide on US Letter, 6.27 in on A4.
PAGE_SIZES = {
    PageSize.LETTER: (Inches(8.5), Inches(11)),
    PageSize.A4: (Mm(210), Mm(297)),
}
MARGIN = Inches(1)
# Each column's share of the text width: theme, description, respondents, quotes.
COLUMN_SHARES = (0.19, 0.23, 0.14, 0.44)
TABLE_FONT = Pt(9)
# A theme's name is set in the table's bold TABLE_FONT. In a column narrower than its
# longest word, Word and LibreOffice break the word anywhere ("multidisciplina / ry"), so
# the findings' theme column widens to that word (findings_shares). A letter is taken as
# 0.62 em: bold DejaVu Sans, which LibreOffice puts in Calibri's place where Carlito is
# missing, averages 0.56-0.62 em on such words; bold Calibri and Arial are narrower.
LETTER_EM = 0.62
CELL_PADDING = Inches(0.16)  # Word's default cell margins: 0.08 in on each side
THEME_SHARE_MOST = 0.3
# The space above each quote after the first in a cell of the findings table, and above
# each paragraph of a description after the first: two-thirds of a line of TABLE_FONT,
# enough to see where one ends and the next begins.
QUOTE_GAP = Pt(6)
# Put for the spaces of a quote's attribution, so that Word and LibreOffice never end a line
# inside it ("(R1," on one line, "Q3)" on the next): both honour it and show a space.
NO_BREAK_SPACE = "\u00a0"
# The longest attribution kept whole on a line: what a line of the table's quotes column
# holds at its narrowest (its share after the widest theme column, A4: about 137 pt of
# TABLE_FONT, 24 letters at LETTER_EM). A longer one ("(The case manager from the fourth
# agency, Q3)") kept whole was cut where the column ended, inside a word.
ATTRIBUTION_WHOLE_MOST = 24


def _clean(text) -> str:
    """Every text the documents print passes here: stored text may hold what Word's XML
    cannot (it was typed before the forms sanitised, or arrived another way). The marks
    that isolate a name on the page (core.bidi.isolated) are left out: Word shows them as
    nothing, but a search, a copy or another program meets invisible characters (_runs
    writes a right-to-left name as Word does instead)."""
    return plain(sanitise_text(str(text)))


def _paragraph(container, text: str = "", style: str | None = None):
    """A paragraph of `text` (cleaned) added to `container` (a document, a cell), in the
    paragraph style named `style` (the default when None): what `add_paragraph(text,
    style)` makes, byte for byte, with the style's id looked up once per document.

    python-docx resolves a style name on every paragraph, and each resolution reads every
    style of the document to find the default one (about 200): most of the 16 s the memos
    document of a large study took (4,300 styled paragraphs)."""
    paragraph, text = _empty_paragraph(container), _clean(text)
    if text:
        paragraph.add_run(text)
    if style is not None:
        # What Paragraph.style's setter does, with the id from the cache.
        paragraph._p.style = _style_id(paragraph.part, style)
    return paragraph


# A blank line, or several (white space on them too), between two paragraphs a user typed.
_PARAGRAPH_END = re.compile(r"\n[^\S\n]*\n\s*")


def paragraphs_of(text: str) -> list[str]:
    """The paragraphs of text a user typed (a memo, a description, a code's definition, a
    transcript's words), cleaned: cut at each blank line, a single line break kept inside its
    paragraph (python-docx writes it as Word's line break). Shape: a non-empty list of str,
    [""] for text without a word; never raises.

    Written as one paragraph, a memo's paragraphs became line breaks and an empty line: Word
    and LibreOffice then apply none of the paragraph style's spacing, keeping or indents
    between them, and a reader's "next paragraph" skips the whole memo."""
    parts = [part.strip("\n") for part in _PARAGRAPH_END.split(_clean(text))]
    return [part for part in parts if part.strip()] or [""]


def _paragraphs(container, text: str, style: str | None = None) -> list:
    """Each of paragraphs_of(`text`) as a paragraph of `style` added to `container` (see
    _paragraph); returns them in order, at least one."""
    return [_paragraph(container, part, style) for part in paragraphs_of(text)]


def _empty_paragraph(container):
    """A new empty paragraph at the end of `container` (a document, a cell).

    At the end of a document's body it is put before the section's properties directly:
    python-docx finds them by reading every paragraph already there, which made the
    thousands of paragraphs of a large study's memos quadratic (1 s of the 2.5 s left)."""
    body = container.element.body if isinstance(container, DocxDocument) else None
    properties = body.sectPr if body is not None else None
    if properties is None:
        return container.add_paragraph()
    paragraph = OxmlElement("w:p")
    properties.addprevious(paragraph)
    return Paragraph(paragraph, container)


def _heading(document, text: str, level: int):
    """A heading of `level` (1 to 9): `document.add_heading(text, level)`, through
    `_paragraph`'s cached style ids."""
    return _paragraph(document, text, style=f"Heading {level}")


# The style ids of each document's part, by style name (see _paragraph).
_STYLE_IDS: WeakKeyDictionary = WeakKeyDictionary()


def _style_id(part, name: str) -> str | None:
    """The id of paragraph style `name` in the document `part` belongs to (None for the
    default style, as python-docx gives it). Raises KeyError for a style it lacks."""
    ids = _STYLE_IDS.setdefault(part, {})
    if name not in ids:
        ids[name] = part.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH)
    return ids[name]


def _run(paragraph, text: str):
    return paragraph.add_run(_clean(text))


def _runs(paragraph, text: str) -> None:
    """`text` added to `paragraph`, each name it marks with core.bidi.isolated in a run of
    its own, laid out right to left (w:rtl) when it reads so: Word's way of the page's
    <bdi>, which keeps the words after a Hebrew or Arabic name after it."""
    for part, marked in marked_parts(text):
        run = _run(paragraph, part)
        if marked and right_to_left(part):
            run.font.rtl = True


def _document(title: str, page_size: str = PageSize.LETTER) -> Document:
    document = Document()
    properties = document.core_properties
    # python-docx would sign the file "python-docx"; a user name must never appear instead.
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.title = _clean(title).replace("\n", " ")
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_SIZES.get(
        page_size, PAGE_SIZES[PageSize.LETTER]
    )
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = MARGIN
    _page_numbers(section)
    return document


def text_width(document: Document) -> Length:
    """The width between the margins of the document's (only) section, in EMU."""
    section = document.sections[0]
    return Emu(section.page_width - section.left_margin - section.right_margin)


def text_height(document: Document) -> Length:
    """The height between the margins of the document's (only) section, in EMU."""
    section = document.sections[0]
    return Emu(section.page_height - section.top_margin - section.bottom_margin)


# Below a figure, on its page: its caption (up to three lines of Word's 9-point Caption
# style with its spacing) and the empty paragraph Word keeps after a picture.
CAPTION_ROOM = Inches(1)


def figure_size(png: bytes, width: Length, height: Length) -> tuple[Length, Length]:
    """(width, height) in EMU at which a PNG image (its first bytes: the signature, then the
    IHDR chunk's width and height in pixels) fills at most `width` by `height`, keeping its
    aspect ratio. ValueError when `png` is not a PNG image."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    pixels_wide = int.from_bytes(png[16:20], "big")
    pixels_high = int.from_bytes(png[20:24], "big")
    scale = min(width / pixels_wide, height / pixels_high)
    return Emu(int(pixels_wide * scale)), Emu(int(pixels_high * scale))


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, SEQ …) with the result shown until the reader updates fields;
    Word and LibreOffice compute PAGE as they lay out the pages."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None)):
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
    paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _page_numbers(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE", "1")


def _bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def prevalence_sentence(summary: ThemeSummary) -> str:
    if summary.n == 0:
        return f"Not raised by any respondent (0 of {summary.total})."
    if summary.word == "one":
        return f"Raised by one respondent (1 of {summary.total})."
    return f"Raised by {summary.word} of the respondents ({summary.n} of {summary.total})."


def method_paragraph(study: Study, rollup: RollUp) -> str:
    """A short account of who was interviewed with what, computed from the study's data.

    A study without protocol questions (interviews coded free-form, or a protocol not
    entered yet) is said to draw on interviews, with no word of a protocol: "a protocol of
    no open questions (see the appendix)" stood over an appendix the document leaves out."""
    total = rollup.total
    questions = len(rollup.questions)
    respondents = f"{number_word(total)} respondent{'s' if total != 1 else ''}"
    if questions:
        interviews = (
            f"semi-structured interviews with {respondents}, conducted with a protocol of "
            f"{number_word(questions)} open question{'s' if questions != 1 else ''} "
            "(see the appendix)"
        )
    else:
        interviews = f"interviews with {respondents}"
    sentences = [f"The findings draw on {interviews}. Respondents are named by pseudonym only."]
    for attribute in study.attribute_schema:
        values = [
            respondent["attributes"][attribute["name"]]
            for respondent in rollup.respondents
            if group_key(respondent["attributes"].get(attribute["name"])) != NOT_RECORDED
        ]
        if total:
            # Those without a value are said, so that the parts add up to N.
            sentences.append(_describe(attribute, values, missing=total - len(values)))
    return " ".join(sentences)


def _describe(attribute: dict, values: list, *, missing: int) -> str:
    """One sentence on an attribute's `values` among the counted respondents, `missing`
    of whom have none: "Gender: Man (3), Woman (4), not recorded (3)."."""
    name = attribute["name"]
    absent = f"not recorded ({missing})" if missing else ""
    if not values:
        return f"{name}: {absent}."
    if attribute["type"] == "number":
        low, high = plain_number(min(values)), plain_number(max(values))
        middle = statistics.median(values)
        middle = int(middle) if float(middle).is_integer() else round(middle, 1)
        more = f"; {absent}" if missing else ""
        return f"{name} ranged from {low} to {high} (median {middle}{more})."
    # Grouped as the matrices, the charts and the excerpt filter group them ("county" and
    # "County" one group), so that the method text and a matrix give one size for a group.
    groups = group_respondents(enumerate(values))
    if len(groups) > 8:
        listed = f"{len(groups)} different values"
    else:
        listed = ", ".join(f"{g.label} ({len(g.members)})" for g in groups)
    return f"{name}: {listed}{', ' + absent if missing else ''}."


def unbroken(source: str) -> str:
    """A quote's attribution (str, "(R1, Q3)") with no-break spaces where Word and
    LibreOffice must not end a line: every space when it has at most ATTRIBUTION_WHOLE_MOST
    characters, else only the one before its question (", Q3)" stays with the pseudonym's
    last word; a longer one may end a line between the pseudonym's words, never inside one).
    Never raises."""
    if len(source) <= ATTRIBUTION_WHOLE_MOST:
        return source.replace(" ", NO_BREAK_SPACE)
    head, comma, question = source.rpartition(", Q")
    return f"{head}{comma.replace(' ', NO_BREAK_SPACE)}{question}" if comma else source


class PrintedQuote(NamedTuple):
    """A chosen quote as the findings print it."""

    text: str  # the excerpt or the extract chosen (themes.quoting), without quote marks
    source: str  # its attribution, "(R1, Q3)" or "(R1)" (see unbroken)
    question: int | None  # the number of the protocol question it answers, if any


def _quotes(study: Study, rollup: RollUp) -> dict[int, list[PrintedQuote]]:
    """The chosen quotes of each theme (PrintedQuote), in the researcher's order; the
    attribution's spaces no-break spaces where it must not be broken (unbroken)."""
    under = {summary.id: set(summary.excerpt_ids) for summary in rollup.themes}
    quotes = defaultdict(list)
    for row in selectors.quote_rows(study):
        if row["excerpt_id"] not in under.get(row["theme_id"], ()):
            continue  # no longer under the theme: the theme page shows it for removal
        question = rollup.question_at(row["interview_id"], row["start"])
        # A quote chosen on the interviewer's words alone (before they could not be) is
        # printed as theirs, never as the respondent's.
        source = unbroken(
            attribution(row["pseudonym"], question, interviewer=row["interviewer_only"])
        )
        text = quote_text(row["text"], row["extract"])
        quotes[row["theme_id"]].append(PrintedQuote(text, source, question))
    return quotes


def table_quotes(
    summary: ThemeSummary, rollup: RollUp, quotes: dict[int, list[PrintedQuote]]
) -> tuple[list[PrintedQuote], str]:
    """The quotes the findings table shows for a theme, and why there are none if so.

    A theme's own chosen quotes; failing those, those chosen on its sub-themes (in tree
    order), since the theme gathers their excerpts. Shape: ([PrintedQuote, ...] at most
    QUOTES_IN_TABLE long, "" or the reason the cell is empty).
    """
    chosen = list(quotes.get(summary.id, []))
    branch = _branch(summary, rollup)
    if not chosen:
        for sub in branch[1:]:
            chosen.extend(quotes.get(sub.id, []))
    if chosen:
        return chosen[:QUOTES_IN_TABLE], ""
    if not any(sub.code_ids for sub in branch):
        return [], "No code attached yet."
    if not summary.excerpt_ids:
        # Not "coded yet": its excerpts may be a withdrawn respondent's, or have lost their
        # words (a chosen quote among them): none counts, whatever the reason.
        return [], "No excerpt counts under this theme."
    return [], "No quote chosen yet."


def _branch(summary: ThemeSummary, rollup: RollUp) -> list[ThemeSummary]:
    """The theme and its sub-themes at every depth, in tree order."""
    inside, branch = {summary.id}, [summary]
    for other in rollup.themes:  # tree order: a parent comes before its sub-themes
        if other.parent_id in inside and other.id not in inside:
            inside.add(other.id)
            branch.append(other)
    return branch


def findings_docx(
    *,
    study: Study,
    today: date | None = None,
    methods: bool = False,
    rollup: RollUp | None = None,
    figures: list[tuple[Chart, bytes]] | None = None,
) -> bytes:
    """The findings: title block, method, the findings table, a section per theme, the
    protocol as an appendix (when the study has one), and with `methods` a methods appendix
    (themes.appendix). Real Word styles, so that it drops into a thesis template; laid out
    on the study's paper size, with page numbers in the footer.

    `rollup` (the study's, themes.rollup.study_rollup) and `figures` (themes.charts.
    findings_figures: each chart with its PNG) are what a gunicorn worker has cached, given to the
    process that makes the file (themes.views.exports.from_caches); each is read here when
    None. Raises ChartError when the charts must be drawn and cannot be."""
    rollup = rollup if rollup is not None else study_rollup(study)
    quotes = _quotes(study, rollup)
    document = _document(f"Findings: {study.title}", study.page_size)
    _paragraph(document, study.title, style="Title")
    if study.research_question:
        _paragraphs(document, f"Research question: {study.research_question}", "Subtitle")
    day = today or timezone.localdate()
    _paragraph(document, f"Findings as of {day.day} {day:%B %Y}.")

    _heading(document, "Method", 1)
    _paragraph(document, method_paragraph(study, rollup))

    _heading(document, "Findings", 1)
    _findings_table(document, rollup, quotes)
    _figures(document, figures if figures is not None else findings_figures(study, rollup))

    for summary in rollup.themes:
        _heading(document, summary.name, min(1 + summary.depth, 3))
        if summary.description:
            _paragraphs(document, summary.description)
        _paragraph(document, prevalence_sentence(summary))
        for text, source, _ in quotes.get(summary.id, []):
            # A quote is not split over two pages, away from its attribution at its end:
            # each of its paragraphs kept whole, and on the page of the next.
            *within, last = _paragraphs(document, f"{quoted(text)} {source}", style="Quote")
            for paragraph in within:
                paragraph.paragraph_format.keep_together = True
                paragraph.paragraph_format.keep_with_next = True
            last.paragraph_format.keep_together = True

    if rollup.questions:  # no empty appendix for a study without a protocol
        _heading(document, "Appendix: interview protocol", 1)
    for question in rollup.questions:
        _paragraph(document, question["text"], style="List Number")
    if methods:
        printed = [quote for chosen in quotes.values() for quote in chosen]
        answering = sum(1 for quote in printed if quote.question)
        appendix = methods_appendix(
            study, rollup, quotes=len(printed), answering=answering, today=day
        )
        _methods(document, appendix)
    return _bytes(document)


def _methods(document, appendix: MethodsAppendix) -> None:
    _heading(document, "Appendix: methods", 1)
    for heading, paragraphs in appendix.sections:
        _heading(document, heading, 2)
        rules = heading == "Counting rules"
        for text in paragraphs:
            _paragraph(document, text, style="List Bullet" if rules else None)
        if rules:
            _paragraph(
                document,
                "How many respondents raised a theme is said in words, the first of these "
                "that holds:",
            )
            _table(
                document,
                ("Word", "When", f"Respondents of {appendix.total}"),
                appendix.prevalence,
                (0.2, 0.45, 0.35),
            )
    _heading(document, "Reporting checklist (COREQ)", 2)
    _paragraph(
        document,
        "The items of the COREQ checklist (Tong, Sainsbury and Craig, 2007) that the study's "
        "data answers; the other items need the researcher's own account.",
    )
    _table(document, ("No.", "Item", "In this study"), appendix.coreq, (0.1, 0.35, 0.55))


def _table(document, header: tuple[str, ...], rows, shares: tuple[float, ...]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = TABLE_STYLE
    table.autofit = False
    for cell, heading in zip(table.rows[0].cells, header, strict=True):
        cell.text = heading
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = _clean(value)
    _fit(table, text_width(document), shares)


def _caption(document, rollup: RollUp) -> None:
    """ "Table 1. Themes, …" in Word's Caption style, numbered by a SEQ field so that a
    thesis template's list of tables finds it; kept on the table's page."""
    paragraph = document.add_paragraph(style="Caption")
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run("Table ")
    _field(paragraph, "SEQ Table \\* ARABIC", "1")
    total = rollup.total
    paragraph.add_run(
        f". Themes, the number of respondents who raised each (of {total} "
        f"respondent{'s' if total != 1 else ''}), and illustrative quotes."
    )


def _figures(document, figures: list[tuple[Chart, bytes]]) -> None:
    """The study's charts as numbered figures with captions (themes.charts.findings_figures)."""
    # A figure fits the page between its margins, with its caption: a tall chart is scaled
    # down whole rather than cut off at the foot of the page (themes.charts also draws
    # charts no taller than MAX_HEIGHT_IN).
    room = (text_width(document), Emu(text_height(document) - CAPTION_ROOM))
    for number, (chart, png) in enumerate(figures, start=1):
        picture = document.add_paragraph()
        picture.paragraph_format.keep_with_next = True
        width, height = figure_size(png, *room)
        picture.add_run().add_picture(io.BytesIO(png), width=width, height=height)
        caption = document.add_paragraph(style="Caption")
        caption.add_run("Figure ")
        _field(caption, "SEQ Figure \\* ARABIC", str(number))
        _runs(caption, f". {chart.caption}")


def _findings_table(document, rollup: RollUp, quotes) -> None:
    _caption(document, rollup)
    table = document.add_table(rows=1, cols=4)
    table.style = TABLE_STYLE
    table.autofit = False
    header = table.rows[0]
    for cell, heading in zip(
        header.cells,
        ("Theme", "Description", "Raised by", "Illustrative quotes"),
        strict=True,
    ):
        cell.text = heading
    # Repeated at the top of every page the table runs onto.
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(flag)
    for summary in rollup.themes:
        row = table.add_row()
        # A theme's row stays on one page (Word still splits a row taller than a page).
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        theme, description, respondents, examples = row.cells
        theme.text = _clean(summary.name)
        if summary.depth:
            theme.paragraphs[0].paragraph_format.left_indent = Cm(0.3 * summary.depth)
        # The table's style spaces no paragraphs: without a gap, a description's next
        # paragraph read as a line break inside the one before.
        for paragraph in _cell_paragraphs(description, summary.description)[1:]:
            paragraph.paragraph_format.space_before = QUOTE_GAP
        # Two short lines that fit the narrow column, rather than one that wraps anywhere.
        respondents.text = f"{summary.n} of {summary.total}\n({summary.word})"
        chosen, why_empty = table_quotes(summary, rollup, quotes)
        for index, (text, source, _) in enumerate(chosen):
            # Each quote is a paragraph of its own (or several, as its words are), with its
            # attribution at its end: with no space between them, one quote's last line ran
            # into the next one's first and a reader could not tell where one ended (the
            # table's style adds none).
            parts = _cell_paragraphs(examples, f"{quoted(text)} ", fresh=index > 0, italic=True)
            if index:
                parts[0].paragraph_format.space_before = QUOTE_GAP
            for paragraph in parts:
                paragraph.paragraph_format.keep_together = True
            _run(parts[-1], source)
        if why_empty:
            _run(examples.paragraphs[0], why_empty).italic = True
    _fit(table, text_width(document), findings_shares(rollup, text_width(document)))


def _cell_paragraphs(cell, text: str, *, fresh: bool = False, italic: bool = False) -> list:
    """Each of paragraphs_of(`text`) as a paragraph of the table `cell`, in italics if
    `italic`: the first in the cell's first (empty) paragraph unless `fresh`, the others
    added after it. Returns them in order, at least one."""
    paragraphs: list = []
    for part in paragraphs_of(text):
        paragraph = cell.add_paragraph() if fresh or paragraphs else cell.paragraphs[0]
        if part:
            _run(paragraph, part).italic = italic or None
        paragraphs.append(paragraph)
    return paragraphs


def findings_shares(rollup: RollUp, width: Length) -> tuple[float, ...]:
    """The findings table's column shares (COLUMN_SHARES' shape) for text `width` (EMU):
    the theme column as wide as the widest word of a theme's name, with its indent as a
    sub-theme, needs (LETTER_EM a letter, at most THEME_SHARE_MOST of the width), the room
    taken from the quotes' column."""
    need = max(
        (
            len(word) * LETTER_EM * TABLE_FONT + Cm(0.3 * summary.depth) + CELL_PADDING
            for summary in rollup.themes
            for word in _clean(summary.name).split()
        ),
        default=0,
    )
    theme, description, respondents, quotes = COLUMN_SHARES
    wider = min(max(theme, need / width), THEME_SHARE_MOST)
    return (wider, description, respondents, quotes - (wider - theme))


def _fit(table, width: Length, shares: tuple[float, ...] = COLUMN_SHARES) -> None:
    """Make the table exactly as wide as the text: Word reads each cell's width and the
    table's, LibreOffice the grid's; all are set, and the layout fixed so neither widens a
    column to fit a long word."""
    widths = [Emu(int(width * share)) for share in shares]
    widths[-1] = Emu(width - sum(widths[:-1]))
    properties = table._tbl.tblPr
    table_width = properties.find(qn("w:tblW"))
    if table_width is None:
        table_width = OxmlElement("w:tblW")
        properties.append(table_width)
    table_width.set(qn("w:w"), str(Emu(width).twips))
    table_width.set(qn("w:type"), "dxa")
    for column, column_width in zip(table.columns, widths, strict=True):
        column.width = column_width
    for row in table.rows:
        for cell, column_width in zip(row.cells, widths, strict=True):
            cell.width = column_width
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = TABLE_FONT


def codebook_docx(*, study: Study, rollup: RollUp | None = None) -> bytes:
    """Every code in tree order with its themes, definition, criteria, example and counts.
    `rollup`: the study's (themes.rollup.study_rollup), read here when None; a gunicorn
    worker gives its cached one to the process that makes the file."""
    themes_of = defaultdict(list)
    rollup = rollup if rollup is not None else study_rollup(study)
    for summary in rollup.themes:
        for code_id in summary.code_ids:
            themes_of[code_id].append(summary.name)
    document = _document(f"Codebook: {study.title}", study.page_size)
    _paragraph(document, f"Codebook: {study.title}", style="Title")
    nodes = codebook_nodes(study)
    # As the Codebook page counts them: a code's own use, and a parent's with its sub-codes
    # besides, where its own alone read "0 excerpts" for a branch in use.
    parents = {node.code.parent_id for node in nodes}
    for node in nodes:
        code = node.code
        used = _used(node.excerpts, node.respondents)
        if code.pk in parents:
            used += f"; with its sub-codes, {_used(node.branch_excerpts, node.branch_respondents)}"
        _heading(document, code.name, min(2 + node.depth, 4))
        fields = [
            ("Themes", "; ".join(themes_of.get(code.pk, [])) or "none"),
            ("Definition", code.definition),
            ("Use when", code.inclusion),
            ("Do not use when", code.exclusion),
            # One pair of quote marks, whether or not the researcher typed her own.
            ("Example", quoted(code.example) if any(paragraphs_of(code.example)) else ""),
            ("Used", used),
        ]
        for label, value in fields:
            # Text of nothing to print (white space, what _clean removes) has no label.
            if any(paragraphs_of(value)):
                first, *rest = paragraphs_of(value)
                paragraph = _paragraph(document)
                paragraph.add_run(f"{label}: ").bold = True
                _run(paragraph, first)
                for part in rest:
                    _paragraph(document, part)
    return _bytes(document)


def _used(excerpts: int, respondents: int) -> str:
    """ "3 excerpts from 1 respondent" """
    return f"{count_of(excerpts, 'excerpt')} from {count_of(respondents, 'respondent')}"


def _day(moment) -> str:
    day = timezone.localtime(moment).date() if hasattr(moment, "hour") else moment
    return f"{day.day} {day:%B %Y}"


def memos_docx(*, study: Study) -> bytes:
    """Every memo of the study, by kind: the journal in the order written, then the memos on
    each interview, code, theme and excerpt (an excerpt's words above its memo), each dated.

    Like the other documents it holds no user names, and nothing of a withdrawn respondent.
    """
    rows = memo_rows(
        study_memos(study, MemoFilter(counted_only=True)).order_by(
            "m_target", "m_target_id", "m_written", "m_id"
        )
    )
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row.kind.name].append(row)
    excerpt_ids = [row.target_id for row in by_kind["excerpt"]]
    words = (
        dict(
            Excerpt.objects.filter(interview__study=study, pk__in=excerpt_ids).values_list(
                "pk", "text"
            )
        )
        if excerpt_ids
        else {}
    )
    document = _document(f"Memos: {study.title}", study.page_size)
    _paragraph(document, f"Memos: {study.title}", style="Title")
    if not rows:
        _paragraph(document, "No memos have been written in this study yet.")
    for name, kind in KINDS.items():
        memos = by_kind.get(name)
        if not memos:
            continue
        _heading(document, kind.plural if name != "journal" else "Study journal", 1)
        about = None
        for row in memos:
            if name != "journal" and (row.target, row.target_id) != about:
                about = (row.target, row.target_id)
                label = row.target.strip() or f"{kind.label} {row.target_id}"
                _heading(document, label, 2)
            if name == "excerpt":
                quoting = quoted(words.get(row.target_id, ""))
                for quote in _paragraphs(document, quoting, style="Quote"):
                    # The excerpt's words stay whole, on the page of the memo written on them.
                    quote.paragraph_format.keep_together = True
                    quote.paragraph_format.keep_with_next = True
            # A memo's first paragraph after its date; each other one a paragraph of its own,
            # in the same (default) style.
            first, *rest = paragraphs_of(row.body)
            paragraph = _paragraph(document)
            paragraph.add_run(f"{_day(row.written)}. ").bold = True
            _run(paragraph, first)
            for part in rest:
                _paragraph(document, part)
    return _bytes(document)

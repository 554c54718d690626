"""The findings document as a reader sees it: laid out by LibreOffice into PDF pages, read
back with poppler's pdftotext. `make test` installs both (Debian's libreoffice-writer-nogui
and poppler-utils) where they are missing."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
from html import unescape

import pytest
from django.core.management import call_command

from interviews import services as interviews
from interviews.models import PageSize, Study
from tests.conftest import code_span
from themes import services as themes
from themes.exports import findings_docx

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

POINTS_PER_INCH = 72
MARGIN = 1 * POINTS_PER_INCH  # themes.exports.MARGIN
# Paper in points: (width, height).
PAPER = {PageSize.LETTER: (612, 792), PageSize.A4: (595.3, 841.9)}
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: `make test` installs LibreOffice and poppler-utils")
    return path


def render(content: bytes, tmp_path) -> list[dict]:
    """The pages of a .docx as LibreOffice lays them out: size in points, words with boxes,
    and the page's text in reading layout."""
    source = tmp_path / "findings.docx"
    source.write_bytes(content)
    subprocess.run(
        [
            _tool("soffice"),
            # A profile of its own: another LibreOffice running on the machine holds the
            # default profile's lock and would swallow the conversion.
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "findings.pdf"
    assert pdf.exists(), "LibreOffice wrote no PDF"
    boxes = subprocess.run(
        [_tool("pdftotext"), "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for number, (width, height, body) in enumerate(PAGE.findall(boxes), start=1):
        layout = subprocess.run(
            ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        words = [
            (float(x0), float(y0), float(x1), float(y1), unescape(text))
            for x0, y0, x1, y1, text in WORD.findall(body)
        ]
        pages.append({"size": (float(width), float(height)), "words": words, "text": layout})
    return pages


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    return Study.objects.get()


def _on_paper(study: Study, page_size: str) -> None:
    """The study's findings laid out on `page_size` (a PageSize)."""
    interviews.study_update(
        study=study,
        title=study.title,
        research_question=study.research_question,
        description=study.description,
        page_size=page_size,
    )


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("page_size", [PageSize.LETTER, PageSize.A4])
def test_the_findings_table_fits_the_page_repeats_its_header_and_pages_are_numbered(
    demo, page_size, tmp_path
):
    _on_paper(demo, page_size)
    pages = render(findings_docx(study=demo), tmp_path)

    assert len(pages) >= 3, "the demo's table runs over more than one page"
    width, height = PAPER[page_size]
    for number, page in enumerate(pages, start=1):
        assert page["size"] == pytest.approx((width, height), abs=1)
        # Every word lies between the margins (a point of slack for rounding): a table wider
        # than the text pushes its last column's words past the right margin.
        outside = [w for w in page["words"] if w[0] < MARGIN - 1 or w[2] > width - MARGIN + 1]
        assert not outside, f"page {number}: words outside the margins: {outside[:5]}"
        # The lowest word on the page is its number, in the footer.
        lowest = max(page["words"], key=lambda w: w[1])
        assert lowest[4] == str(number)
        assert lowest[1] > height - MARGIN

    first = _lines(pages[0]["text"])
    assert any(line.startswith("Table 1. Themes, the number of respondents") for line in first)
    header = "Theme Description Raised by Illustrative quotes"
    assert header in first
    # The table continues on page 2, and its header row comes first there.
    second = _lines(pages[1]["text"])
    assert second[0] == header
    assert "Training" not in second[0]


def test_the_methods_appendix_renders_inside_the_margins(demo, tmp_path):
    pages = render(findings_docx(study=demo, methods=True), tmp_path)
    width, _ = PAPER[PageSize.LETTER]
    for number, page in enumerate(pages, start=1):
        outside = [w for w in page["words"] if w[0] < MARGIN - 1 or w[2] > width - MARGIN + 1]
        assert not outside, f"page {number}: words outside the margins: {outside[:5]}"
    text = [" ".join(_lines(page["text"])) for page in pages]
    start = next(n for n, page in enumerate(text) if "Appendix: methods" in page)
    appendix = " ".join(text[start:])
    assert "Eight respondents with a transcript counted (N = 8)" in appendix
    assert "Counting rules" in appendix
    assert "over half more than half 5" in appendix, "the prevalence table, for N = 8"
    assert "Reporting checklist (COREQ)" in appendix
    assert "Number of data coders" in appendix


@pytest.mark.parametrize("page_size", [PageSize.LETTER, PageSize.A4])
def test_every_figure_lies_whole_on_a_page_above_its_caption(demo, page_size, tmp_path):
    """Figure 2 (by Years of experience) was 14.8 inches tall on a page with 9 inches of
    room: LibreOffice cut it at the page's foot, without its axis or legend. Each image of
    the PDF (pdfimages: its pixels and resolution) now lies between the margins, on the
    page of its caption."""
    _on_paper(demo, page_size)
    pages = render(findings_docx(study=demo), tmp_path)
    listed = subprocess.run(
        [_tool("pdfimages"), "-list", str(tmp_path / "findings.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[2:]  # below the column titles and their rule
    # page num type width height color comp bpc enc interp object ID x-ppi y-ppi ...
    figures = [line.split() for line in listed if line.split()[2] == "image"]
    assert len(figures) == 3
    width, height = PAPER[page_size]
    for number, figure in enumerate(figures, start=1):
        page, pixels_wide, pixels_high = int(figure[0]), int(figure[3]), int(figure[4])
        x_ppi, y_ppi = float(figure[12]), float(figure[13])
        shown = (pixels_wide / x_ppi * POINTS_PER_INCH, pixels_high / y_ppi * POINTS_PER_INCH)
        assert shown[0] <= width - 2 * MARGIN + 1, f"figure {number} is {shown[0]} pt wide"
        assert shown[1] <= height - 2 * MARGIN + 1, f"figure {number} is {shown[1]} pt tall"
        caption = " ".join(_lines(pages[page - 1]["text"]))
        assert f"Figure {number}." in caption, f"figure {number}'s caption is on another page"


def test_quotes_in_one_cell_of_the_table_have_space_between_them(demo, tmp_path):
    """Training's two quotes shared their cell with nothing between them: the first one's
    last line sat as close to the second one's first line as any two lines of a quote. On
    the page there is now more than a line's spacing above the second quote."""
    [first_page, *_] = render(findings_docx(study=demo), tmp_path)
    # The quotes column: from its heading's first word on.
    header = next(w for w in first_page["words"] if w[4] == "Illustrative")
    left = header[0] - 1
    column = [w for w in first_page["words"] if w[0] > left and w[1] > header[3]]
    lines = sorted({round(w[1], 1) for w in column})
    starts = {round(w[1], 1): w[4] for w in sorted(column, key=lambda w: w[0], reverse=True)}
    openings = [n for n, top in enumerate(lines) if starts[top].startswith("“")]
    assert len(openings) == 2, [starts[top] for top in lines]
    pitch = lines[1] - lines[0]
    within = lines[: openings[1]]
    assert all(b - a == pytest.approx(pitch, abs=0.5) for a, b in itertools.pairwise(within))
    gap = lines[openings[1]] - lines[openings[1] - 1]
    assert gap >= pitch + 5, f"{gap} pt from the first quote's last line to the second's"


@pytest.mark.parametrize("page_size", [PageSize.LETTER, PageSize.A4])
def test_no_word_of_a_theme_s_name_is_broken_across_lines(demo, page_size, tmp_path):
    """The theme column was narrower than "multidisciplinary" in bold: LibreOffice set
    "Struggles with multidisciplina / ry teams". The column now widens to the longest word
    of a theme's name: every word of every name is whole on the page."""
    _on_paper(demo, page_size)
    long = themes.theme_create(study=demo, name="Interprofessionalisation", description="")
    pages = render(findings_docx(study=demo), tmp_path)
    header = next(w for w in pages[0]["words"] if w[4] == "Description")
    theme_column = {
        w[4] for page in pages for w in page["words"] if w[0] < header[0] and w[1] > MARGIN
    }
    names = [theme.name for theme in demo.themes.all()]
    assert long.name in names
    assert "Struggles with multidisciplinary teams" in names
    for name in names:
        missing = [word for word in name.split() if word not in theme_column]
        assert not missing, f"“{name}”: {missing} broken across lines"


def test_an_attribution_is_never_broken_across_lines(demo, tmp_path):
    """A quote's attribution "(R1, Q3)" could end one line with "(R1," and begin the next
    with "Q3)". Forty quotes of Training, each one word longer than the one before, put
    the end of a line at every place in and around an attribution: on the page, each
    attribution lies whole on one line, in the theme's section as in the table."""
    theme = demo.themes.get(name="Training")
    code = theme.codes.order_by("pk").first()
    [respondent] = demo.respondents.filter(pseudonym="R1")
    interview = respondent.interviews.get()
    segment = interview.segments.order_by("start")[1]
    # From the line after the question's: R1's words. The interviewer's line alone is no
    # respondent's quote (services.quote_add refuses it).
    answer = interview.text.index("\n", segment.start)
    words = [m for m in re.finditer(r"\S+", interview.text) if m.start() >= answer]
    owner = demo.memberships.get(role="owner").user
    number = segment.question.number
    for word in words[5:45]:
        excerpt = code_span(interview, (words[0].start(), word.end()), [code], owner)
        themes.quote_add(theme=theme, excerpt=excerpt)

    pages = render(findings_docx(study=demo), tmp_path)

    seen = 0
    for page in pages:
        for before, after in itertools.pairwise(page["words"]):
            if before[4].endswith("(R1,"):
                # The words of one line share their top; "Q3)" is the next word on it.
                assert re.match(r"Q\d+\)", after[4]), (before, after)
                assert after[1] == pytest.approx(before[1], abs=0.5), (before, after)
                seen += after[4].startswith(f"Q{number})")
    assert seen >= 40, "every added quote of the section and the table's three were read"


def test_a_long_pseudonym_s_attribution_is_broken_between_words_not_inside_one(demo, tmp_path):
    """Every space of an attribution was a no-break space (so that "(R1," never ends a line
    before "Q3)"): a pseudonym of several words made it longer than a line of the table's
    quotes column, and LibreOffice cut it where the column ended, inside a word ("(The case
    manager from the four / th agency, Q3)"). Such an attribution may end a line between
    its pseudonym's words, never inside one, and its ", Q3)" stays with the last. Eight
    pseudonyms one letter apart put the column's end at every place in one."""
    _on_paper(demo, PageSize.A4)
    firsts = ["A", "An", "The", "Then", "Their", "Theirs", "Whereas", "Whatever"]
    for first, respondent in zip(firsts, demo.respondents.order_by("pk"), strict=True):
        interviews.respondent_update(
            respondent=respondent,
            pseudonym=f"{first} manager from the fourth agency",
            attributes=respondent.attributes,
        )
    pages = render(findings_docx(study=demo), tmp_path)
    allowed = {*firsts, "manager", "from", "the", "fourth", "agency,"}
    seen = 0
    for page in pages:
        words = page["words"]
        for at, box in enumerate(words):
            if box[4].removeprefix("(") not in firsts or not box[4].startswith("("):
                continue
            end = next(n for n in range(at, len(words)) if re.fullmatch(r"Q\d+\)", words[n][4]))
            inside = [w[4].removeprefix("(") for w in words[at:end]]
            assert set(inside) <= allowed, f"a word broken across lines: {inside}"
            assert words[end][1] == pytest.approx(words[end - 1][1], abs=0.5), words[at : end + 1]
            seen += 1
    assert seen >= 16, "the table's quotes and the sections' were read"

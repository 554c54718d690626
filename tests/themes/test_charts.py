"""Charts of the roll-up: what each counts, that it is drawn, and that it reaches the pages
and the findings document."""

from __future__ import annotations

import dataclasses
import io
import itertools

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from docx.shared import Emu, Inches
from lxml import etree

from coding import services as coding
from core import processes
from core.bidi import isolated
from interviews import services as interviews
from interviews.models import Study
from tests.conftest import HTMX, client_for, code_span, import_text
from themes import charts
from themes import services as themes
from themes.charts import (
    LABEL_WIDTH,
    LEGEND_WIDTH,
    attribute_groups,
    code_question_counts,
    codes_by_question,
    prevalence,
    prevalence_by_attribute,
    wrapped,
)
from themes.drawing import INDENT
from themes.exports import CAPTION_ROOM, figure_size, findings_docx
from themes.rollup import study_rollup

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(content: bytes) -> list[str]:
    """Every text the SVG shows (matplotlib writes text as <text> with svg.fonttype none)."""
    root = etree.fromstring(content)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_prevalence_draws_every_theme_with_its_count(study, themed):
    chart = prevalence(study_rollup(study))
    texts = svg_texts(chart.svg())
    assert "Training" in texts
    assert any(text.strip() == "At work" for text in texts)
    # R1 raised Training (R3 withdrew); R2 raised At work, which Training contains.
    assert "all (2 of 2)" in texts
    assert "one (1 of 2)" in texts
    assert "Respondents who raised the theme (of 2)" in texts
    assert chart.alt == (
        "Bar chart. Training: all (2 of 2); At work, under Training: one (1 of 2)."
    )


def _inked(png: bytes):
    """(ink(x, y), width, height) of a chart's PNG: ink is black text and lines, not the
    blue bars nor the white."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = image.load()

    def ink(x, y):
        return max(pixels[x, y]) < 110

    return ink, width, height


def _y_axis(png: bytes):
    """(ink(x, y), height, the y axis's x): the column with the most ink, a line the axes'
    height."""
    ink, width, height = _inked(png)
    return ink, height, max(range(width), key=lambda x: sum(ink(x, y) for y in range(height)))


def label_starts(png: bytes) -> list[int]:
    """The x (pixels) where each label left of the y axis starts, top to bottom: the
    leftmost dark pixel of each band of rows holding any, within the axis's height."""
    ink, height, axis = _y_axis(png)
    rows = [y for y in range(height) if ink(axis, y)]
    starts, band = [], None
    for y in range(rows[0], rows[-1] + 1):
        # Left of the tick marks (3.5 points, 7 pixels at 150 dpi).
        found = [x for x in range(axis - 12) if ink(x, y)]
        if found and band is None:
            band = found[0]
        elif found:
            band = min(band, found[0])
        elif band is not None:
            starts.append(band)
            band = None
    return starts


def test_a_sub_theme_is_drawn_indented_under_its_theme(study, owner):
    """The labels were right-aligned, so a sub-theme's indent (leading spaces) never showed:
    "At work with clients each day" under "Work" read as a theme of its own, in the page's
    charts and the findings' figures. Drawn, a sub-theme's label starts to the right of its
    theme's, and main themes start at one edge, in both charts of themes."""
    import_text(study, name="R1.txt")
    interviews.respondent_update(
        respondent=study.respondents.get(), pseudonym="R1", attributes={"Years": 3}
    )
    work = themes.theme_create(study=study, name="Work")
    themes.theme_create(study=study, name="At work with clients each day", parent=work)
    themes.theme_create(study=study, name="Stress")
    rollup = study_rollup(study)
    for chart in (prevalence(rollup), prevalence_by_attribute(rollup, "Years")):
        theme, sub_theme, other = label_starts(chart.png())
        assert theme == other, chart.name
        assert sub_theme > theme + 20, chart.name


def _ticks(png: bytes):
    """(ink(x, y), the y axis's x, the y of each tick mark left of it top to bottom, the
    image's height)."""
    ink, height, axis = _y_axis(png)
    # The tick marks, 3.5 points (7 pixels) left of the axis, a row or two each, along it
    # (not the x axis's "0" under it, nor the spines' corner).
    along = [y for y in range(height) if ink(axis, y)]
    marked = [y for y in range(along[0], along[-1]) if ink(axis - 4, y)]
    ticks = [y for y in marked if y - 1 not in marked and y + 3 not in marked]
    return ink, axis, ticks, height


def label_columns(png: bytes) -> list[list[int]]:
    """Each label left of the y axis, top to bottom, as its columns of ink: how many dark
    pixels each column of the label's rows (half way to its neighbours' tick marks) holds,
    from its first column to its last."""
    ink, axis, ticks, height = _ticks(png)
    edges = [0] + [(a + b) // 2 for a, b in itertools.pairwise(ticks)] + [height]
    labels = []
    for top, bottom in itertools.pairwise(edges):
        columns = [sum(ink(x, y) for y in range(top, bottom)) for x in range(axis - 12)]
        inked = [x for x, count in enumerate(columns) if count]
        labels.append(columns[inked[0] : inked[-1] + 1])
    return labels


def row_bands(chart) -> list[list[int]]:
    """Each row's band left of the y axis, top to bottom, as the dark pixels of each of its
    pixel rows (first and last included), in `chart` as the drawing process lays it out
    and draws it at PNG_DPI (uncut). The bands are read off the axis: the first starts at
    its top, each is centred on its tick (so it ends as far below it as it starts above)
    and the next starts where it ends; the last must end at the axis's bottom, the rows
    filling the axis. (The axis and ticks are read from the figure: in the PNG's pixels a
    tick is moved to a whole pixel, and over many rows those errors added up.)"""
    import numpy
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from themes.drawing import laid_out

    figure = laid_out(chart.request(), dpi=charts.PNG_DPI)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = numpy.asarray(canvas.buffer_rgba())[:, :, :3]
    axes = figure.axes[0]
    bottom, top = axes.get_ylim()
    edges = [top]
    for tick in axes.get_yticks():
        edges.append(2 * tick - edges[-1])
    assert edges[-1] == pytest.approx(bottom), "the rows do not fill the axis"
    # Display y counts up from the figure's bottom; the image's rows down from its top.
    rows = [pixels.shape[0] - axes.transData.transform((0, edge))[1] for edge in edges]
    # Left of the tick marks (3.5 points, 7 pixels at 150 dpi).
    inked = (pixels[:, : int(axes.get_window_extent().x0) - 12].max(axis=2) < 110).sum(axis=1)
    return [[int(n) for n in inked[round(a) : round(b) + 1]] for a, b in itertools.pairwise(rows)]


def _unlike(part: list[int], letter: list[int]) -> int:
    return sum(abs(a - b) for a, b in zip(part, letter, strict=False))


def test_right_to_left_names_read_right_to_left_in_the_png(study, owner):
    """In the findings' figures (PNG), a Hebrew or Arabic name's first letter is drawn at its
    right and Arabic letters are joined. matplotlib before 3.11 drew a name's letters in
    stored order, left to right and unjoined, so "תמיכה בצוות" read backwards; 3.11 lays text
    out with libraqm (bidi and shaping), which pyproject.toml now requires. The labels are
    compared with the lone letters drawn in the same chart: in "אב" (alef, bet) the left
    letter is the bet; in "اد" (alef, dal) the dal; "بب" is two joined beh, narrower than two
    lone ones and with no blank column between them."""
    import_text(study, name="R1.txt")
    names = ["אב", "א", "ב", "اد", "ا", "د", "بب", "ب"]
    for name in names:
        themes.theme_create(study=study, name=name)
    drawn = dict(zip(names, label_columns(prevalence(study_rollup(study)).png()), strict=True))
    for pair, first, second in (("אב", "א", "ב"), ("اد", "ا", "د")):
        left, right = drawn[pair][: len(drawn[second])], drawn[pair][-len(drawn[first]) :]
        assert _unlike(left, drawn[second]) < _unlike(left, drawn[first]), pair
        assert _unlike(right[::-1], drawn[first][::-1]) < _unlike(
            right[::-1], drawn[second][::-1]
        ), pair
    joined, lone = drawn["بب"], drawn["ب"]
    assert 0 not in joined
    assert len(joined) < 2 * len(lone)


MIXED = "טיפול CBT ותמיכה"


def test_a_name_mixing_hebrew_and_latin_reads_in_the_direction_of_its_first_word(study, owner):
    """ "טיפול CBT ותמיכה" begins with a Hebrew word: read right to left, "טיפול" first, then
    "CBT", then "ותמיכה", as HTML's dir="auto" shows it. Drawn as a left-to-right line (the
    SVG's direction in Chromium, and the PNG made to match it), a reader met "ותמיכה" first.
    The PNG (the findings' figure) draws its label's right part as the lone "טיפול" in the
    same chart, its left part as "ותמיכה" (tests/browser/test_charts.py: the SVG alike)."""
    import_text(study, name="R1.txt")
    first, last = MIXED.split(" CBT ")
    for name in (MIXED, first, last):
        themes.theme_create(study=study, name=name)
    labels = label_columns(prevalence(study_rollup(study)).png())
    drawn = dict(zip((MIXED, first, last), labels, strict=True))
    mixed = drawn[MIXED]
    left, right = mixed[: len(drawn[last])], mixed[-len(drawn[first]) :]
    assert _unlike(left, drawn[last]) < _unlike(left, drawn[first][: len(left)])
    assert _unlike(right[::-1], drawn[first][::-1]) < _unlike(right[::-1], drawn[last][::-1])


LONG = (
    "How case managers who work with chemically addicted clients describe the support they "
    "receive from colleagues in their agency and from their families at home"
)


def test_a_long_name_is_wrapped_on_lines_of_whole_words():
    lines = wrapped(LONG).split("\n")
    assert len(lines) == 4
    assert all(len(line) <= LABEL_WIDTH for line in lines)
    assert " ".join(lines) == LONG
    # A word longer than a line is broken; a short name stays on one line.
    word = "Supercalifragilisticexpialidociousness-and-more-of-it"
    assert len(word) > LABEL_WIDTH
    assert wrapped(f"At {word}").split("\n") == [
        "At " + word[: LABEL_WIDTH - 3],
        word[LABEL_WIDTH - 3 :],
    ]
    assert wrapped("Stress") == "Stress"
    assert wrapped("") == ""


def image_width(png: bytes) -> int:
    from PIL import Image

    return Image.open(io.BytesIO(png)).size[0]


def plot_width(png: bytes) -> int:
    """The plot's width in pixels: the longest line of dark pixels across the image (the x
    axis, or the heat map's edge)."""
    ink, width, height = _inked(png)
    longest = 0
    for y in range(height):
        run = 0
        for x in range(width):
            run = run + 1 if ink(x, y) else 0
            longest = max(longest, run)
    return longest


def _with_long_names(study, names: list[str], codes: list[str]):
    """The charts of `study` with one respondent (Years: 3), the theme "Training" with
    `names` as its sub-themes, and `codes`."""
    import_text(study, name="R1.txt")
    interviews.respondent_update(
        respondent=study.respondents.get(), pseudonym="R1", attributes={"Years": 3}
    )
    training = themes.theme_create(study=study, name="Training")
    return _charts_with(study, names, codes, "Years", parent=training)


def _charts_with(study, names: list[str], codes: list[str], attribute: str, parent=None):
    """The charts of `study` (prevalence, by `attribute`, codes by question) once it has the
    themes `names` (under `parent`) and the top-level codes `codes`."""
    for name in names:
        themes.theme_create(study=study, name=name, parent=parent)
    for name in codes:
        coding.code_create(study=study, name=name)
    rollup = study_rollup(study)
    return [
        prevalence(rollup),
        prevalence_by_attribute(rollup, attribute),
        codes_by_question(study, rollup),
    ]


def _study_like(study, title: str) -> Study:
    """A new study of `study`'s owner with its protocol questions and attributes: its
    charts are drawn with the same columns and groups."""
    owner = study.memberships.get(role="owner").user
    like = interviews.study_create(title=title, owner=owner)
    for question in study.questions.order_by("number"):
        interviews.question_add(study=like, text=question.text)
    for attribute in study.attribute_schema:
        interviews.attribute_add(study=like, name=attribute["name"], kind=attribute["type"])
    return like


def test_a_long_name_takes_rows_not_the_plot_s_width(study, owner):
    """A theme or code of 160 characters was drawn on one line: its label took half the
    chart's width and the plot shrank to the rest. It is now wrapped on lines of LABEL_WIDTH
    characters, in a row tall enough for them: each plot is as wide as in a chart whose
    names are those lines, each a short name of its own; every line of a sub-theme is
    indented; no label reaches into its neighbours' rows."""
    lines = wrapped(LONG).split("\n")
    # A code's name has at most 120 characters: the long name's words up to them.
    code = LONG[: LONG.rfind(" ", 0, 121)]
    code_lines = wrapped(code).split("\n")
    drawn = _with_long_names(study, [LONG], [code])
    alike = _with_long_names(_study_like(study, "Short names"), lines, code_lines)
    for chart, baseline, shown in zip(drawn, alike, [lines, lines, code_lines], strict=True):
        png, short_png = chart.png(), baseline.png()
        # The image is cut to what was drawn: a name on one line made it wider, to be scaled
        # down to the page's width (the plot with it), as well as narrowing the plot.
        assert image_width(png) <= image_width(short_png) + 2, chart.name
        # Within 3%: one tall row is laid out a few pixels apart from several short ones
        # (the heat map's plot 207 pixels wide against 211, its colour bar beside it).
        assert plot_width(png) >= 0.97 * plot_width(short_png), chart.name
        texts = [text.strip() for text in svg_texts(chart.svg())]
        assert all(line in texts for line in shown), chart.name
        # Each label wholly in its row's band.
        for rows in row_bands(chart):
            assert rows[0] == 0, chart.name
            assert rows[-1] == 0, chart.name
    sub_theme = [t for t in svg_texts(drawn[0].svg()) if t.strip() in lines]
    assert len(sub_theme) == len(lines)
    assert all(text.startswith(INDENT) for text in sub_theme)


def test_a_theme_name_is_text_in_the_svg_never_markup(study, owner):
    import_text(study, name="R1.txt")
    themes.theme_create(study=study, name="<script>alert(1)</script> & co")
    content = prevalence(study_rollup(study)).svg()
    assert b"<script>" not in content
    assert "<script>alert(1)</script> & co" in svg_texts(content)


def test_the_png_is_an_image(study, themed):
    assert prevalence(study_rollup(study)).png().startswith(b"\x89PNG\r\n\x1a\n")


def respondents(*values):
    return [
        {"id": n, "pseudonym": f"R{n}", "attributes": {} if v is None else {"Years": v}}
        for n, v in enumerate(values, start=1)
    ]


class Roll:
    def __init__(self, people):
        self.respondents = people


def test_few_numbers_group_by_value_and_missing_ones_are_said():
    groups = attribute_groups(Roll(respondents(3, 1, 3, None, 10)), "Years")
    assert groups == {"1": [2], "3": [1, 3], "10": [5], "not recorded": [4]}


def test_many_numbers_group_into_ranges_of_about_as_many_respondents():
    groups = attribute_groups(Roll(respondents(*range(1, 13))), "Years")
    assert groups == {f"{n}–{n + 1}": [n, n + 1] for n in range(1, 13, 2)}


def test_text_values_group_by_value_the_rarest_together():
    values = ["A", "B", "C", "D", "E", "F", "G", "A", "b"]
    groups = attribute_groups(Roll(respondents(*values)), "Years")
    # The six most common (ties: the first met), then the rest; "b" is in the group of "B"
    # (themes.grouping: case-blind, as the matrices group it).
    assert list(groups) == ["A", "B", "C", "D", "E", "F", "other"]
    assert groups["A"] == [1, 8]
    assert groups["B"] == [2, 9]
    assert groups["other"] == [7]


def test_prevalence_by_attribute_gives_each_groups_share(study, themed):
    chart = prevalence_by_attribute(study_rollup(study), "Years of experience")
    texts = svg_texts(chart.svg())
    assert "2 (1 respondent)" in texts
    assert "9 (1 respondent)" in texts
    assert chart.caption.endswith(f"({isolated(2)}: 1 respondent; {isolated(9)}: 1 respondent).")


def test_codes_by_question_counts_each_excerpt_once_per_top_level_code(study, owner):
    interview = import_text(study)
    support = coding.code_create(study=study, name="Support")
    peers = coding.code_create(study=study, name="Peers", parent=support)
    stress = coding.code_create(study=study, name="Stress")
    # Q1's answer: one excerpt carrying a code and its own sub-code counts once for Support.
    code_span(interview, "About six years", [support, peers], owner)
    code_span(interview, "never looked back", [peers, stress], owner)
    # Q2's answer.
    code_span(interview, "Café regulars", [stress], owner)
    withdrawn = import_text(study, name="R9.txt")
    code_span(withdrawn, "Café regulars", [stress], owner)
    interviews.respondent_withdraw(respondent=withdrawn.respondent)
    roots, numbers, counts = code_question_counts(study, study_rollup(study))
    # In codebook order.
    assert [root["name"] for root in roots] == ["Support", "Stress"]
    assert numbers == [1, 2]
    assert counts == [[2, 0], [1, 1]]
    chart = codes_by_question(study, study_rollup(study))
    assert {"Q1", "Q2", "Support", "Stress"} <= set(svg_texts(chart.svg()))


def test_an_empty_study_has_nothing_to_draw(study):
    rollup = study_rollup(study)
    assert prevalence(rollup).empty
    assert codes_by_question(study, rollup).empty


def test_the_findings_document_holds_the_figures_with_captions(study, themed):
    document = Document(io.BytesIO(findings_docx(study=study)))
    assert len(document.inline_shapes) == 3
    captions = [p.text for p in document.paragraphs if p.text.startswith("Figure ")]
    assert captions == [
        "Figure 1. Theme prevalence: the number of respondents who raised each theme, of 2 "
        "respondents.",
        # Plain text: a right-to-left value would be a run of its own, laid out right to
        # left (tests/themes/test_exports_plain_names.py), never marked with isolates.
        "Figure 2. Theme prevalence by Years of experience: the share of each group of "
        "respondents who raised each theme (2: 1 respondent; 9: 1 respondent).",
        "Figure 3. Codes by question: the number of excerpts under each top-level code (its "
        "sub-codes included) in the answers to each protocol question.",
    ]


@pytest.fixture
def demo(db):
    """The demo study: 17 themes, respondents in five groups of Years of experience (one of
    them "not recorded"), eleven questions: the charts a fresh eye found cut off."""
    call_command("seed_demo", stdout=io.StringIO())
    return Study.objects.get()


def _margins(image) -> dict[str, bool]:
    """Whether each edge of an RGB(A) PIL image holds anything but white: something drawn
    there was cut off by the edge."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    edges = {
        "left": [(0, y) for y in range(height)],
        "right": [(width - 1, y) for y in range(height)],
        "top": [(x, 0) for x in range(width)],
        "bottom": [(x, height - 1) for x in range(width)],
    }
    return {
        edge: any(rgb.getpixel(xy) != (255, 255, 255) for xy in points)
        for edge, points in edges.items()
    }


def test_the_demo_study_s_names_are_each_on_one_line(demo):
    """LABEL_WIDTH was 32: seven of the demo study's twelve theme names and five of its
    top-level codes took two lines, broken mid-phrase ("Struggles with abstinence-based" /
    "practice"). Each is now drawn on one line, in the charts and the findings' figures, and
    a sentence-long name is still wrapped (test_a_long_name_is_wrapped_on_lines_of_whole_words)."""
    rollup = study_rollup(demo)
    drawn = charts.study_charts(demo, rollup, "Years of experience")
    labels = [label for chart in drawn for label in chart.data.get("labels", [])]
    rows = drawn[-1].data["rows"]
    assert len(labels) == 2 * len(rollup.themes)
    assert len(rows) == 20
    assert [label for label in labels + rows if "\n" in label] == []
    texts = [text.strip() for text in svg_texts(drawn[0].svg())]
    assert "Struggles with abstinence-based practice" in texts
    assert "Co-workers or supervisors need more training" in texts


def test_no_chart_cuts_off_its_legend_or_labels(demo):
    """Figure 2's legend ran past both sides of the image ("–3 (2 respondents)", "not
    recorded (3 respon"): now every chart is cut to what it drew, with white around it."""
    from PIL import Image

    rollup = study_rollup(demo)
    for chart in charts.study_charts(demo, rollup, "Years of experience"):
        image = Image.open(io.BytesIO(chart.png()))
        assert not any(_margins(image).values()), f"{chart.name}: {_margins(image)}"


def test_every_figure_fits_the_page_between_its_margins_keeping_its_shape(demo):
    """Figure 2 was placed 14.8 inches tall on a page with 9 between its margins. Each
    figure of the findings, reopened, fits the section's usable width and height (less its
    caption's room) and has its image's aspect ratio."""
    from PIL import Image

    document = Document(io.BytesIO(findings_docx(study=demo)))
    section = document.sections[0]
    usable_width = section.page_width - section.left_margin - section.right_margin
    usable_height = section.page_height - section.top_margin - section.bottom_margin
    shapes = list(document.inline_shapes)
    assert len(shapes) == 3
    for shape in shapes:
        assert 0 < shape.width <= usable_width
        assert 0 < shape.height <= usable_height - CAPTION_ROOM
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        image = Image.open(io.BytesIO(document.part.related_parts[blip].blob))
        pixels_wide, pixels_high = image.size
        assert shape.width / shape.height == pytest.approx(pixels_wide / pixels_high, rel=0.01)
    # The grouped chart is drawn in a shape that fits, not shrunk to a sliver.
    assert shapes[1].width > usable_width * 0.6


def test_a_figure_is_scaled_to_the_room_it_has():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + (700).to_bytes(4, "big")
    tall = png + (2200).to_bytes(4, "big")
    assert figure_size(tall, Inches(6.5), Inches(8)) == (
        Emu(int(700 * Inches(8) / 2200)),
        Emu(Inches(8)),
    )
    wide = png + (100).to_bytes(4, "big")
    assert figure_size(wide, Inches(6.5), Inches(8)) == (
        Emu(Inches(6.5)),
        Emu(int(100 * Inches(6.5) / 700)),
    )
    with pytest.raises(ValueError, match="not a PNG image"):
        figure_size(b"GIF89a" + bytes(30), Inches(6.5), Inches(8))


# The pages ----------------------------------------------------------------------------------


def test_the_charts_page_shows_each_figure_for_a_reviewer(study, themed, reviewer):
    client = client_for(reviewer)
    page = client.get(reverse("charts", args=[study.slug]), {"attribute": "Years of experience"})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<img ") == 3
    assert "Figure 2. Theme prevalence by <bdi>Years of experience</bdi>" in html
    svg = client.get(
        reverse("chart_svg", args=[study.slug, "attribute"]),
        {"attribute": "Years of experience"},
    )
    assert svg["Content-Type"] == "image/svg+xml"
    assert "9 (1 respondent)" in svg_texts(svg.content)


@pytest.mark.parametrize("name", ["nonsense", "attribute"])
def test_a_chart_that_is_not_there_is_a_404(study, themed, owner, name):
    # "attribute" without an attribute chosen is not drawn.
    response = client_for(owner).get(reverse("chart_svg", args=[study.slug, name]))
    assert response.status_code == 404


def test_an_unknown_attribute_is_refused_by_the_form_and_not_drawn(study, themed, owner):
    page = client_for(owner).get(reverse("charts", args=[study.slug]), {"attribute": "Agency"})
    assert page.status_code == 200
    assert page.content.decode().count("<img ") == 2
    assert "Select a valid choice" in page.content.decode()


def test_a_stranger_sees_no_chart(study, themed, stranger):
    client = client_for(stranger)
    assert client.get(reverse("charts", args=[study.slug])).status_code == 404
    svg = client.get(reverse("chart_svg", args=[study.slug, "prevalence"]), headers=HTMX)
    assert svg.status_code == 404


def test_a_chart_is_drawn_once_while_its_figures_stay_the_same(study, themed, monkeypatch):
    real_run, runs = processes.subprocess.run, []

    def counted(*args, **kwargs):
        runs.append(args)
        return real_run(*args, **kwargs)

    monkeypatch.setattr(processes.subprocess, "run", counted)
    first = prevalence(study_rollup(study)).svg()
    assert prevalence(study_rollup(study)).svg() == first
    assert len(runs) == 1
    # Other figures, another drawing.
    themes.theme_create(study=study, name="Stress and self-care")
    assert prevalence(study_rollup(study)).svg() != first
    assert len(runs) == 2


def test_a_drawing_that_fails_says_why(study, themed):
    chart = dataclasses.replace(prevalence(study_rollup(study)), kind="pie")
    with pytest.raises(charts.ChartError, match=r"(?s)Drawing the charts failed.*KeyError: 'pie'"):
        chart.svg()


def _drawing_fails(monkeypatch):
    """Every drawing process exits with an error, as one out of memory would."""
    real_run = processes.subprocess.run

    def failing(command, **kwargs):
        return real_run([command[0], "-c", "import sys; sys.exit('no memory left')"], **kwargs)

    monkeypatch.setattr(processes.subprocess, "run", failing)


def test_a_chart_that_cannot_be_drawn_shows_so_in_its_place(study, themed, owner, monkeypatch):
    _drawing_fails(monkeypatch)
    response = client_for(owner).get(reverse("chart_svg", args=[study.slug, "prevalence"]))

    assert response.status_code == 503
    assert response["Content-Type"] == "image/svg+xml"
    assert "could not be drawn this time" in " ".join(svg_texts(response.content))
    assert b"no memory left" not in response.content


def test_findings_whose_charts_cannot_be_drawn_are_refused_with_a_reason(
    study, themed, owner, monkeypatch
):
    _drawing_fails(monkeypatch)
    response = client_for(owner).get(reverse("export_findings", args=[study.slug]), follow=True)

    assert response.redirect_chain == [(reverse("themes", args=[study.slug]), 302)]
    page = response.content.decode()
    assert "The findings could not be made: their charts could not be drawn" in page
    assert "no memory left" not in page


UNMARKED = "R1: About six years now. I started at the shelter and never looked back."


def test_codes_by_question_is_left_out_where_no_excerpt_answers_a_question(study, owner):
    """Without a protocol, or with one asked nowhere a transcript shows, every excerpt fell
    "before Q1": the chart was one column of them (over Q1, Q2 at 0), in the findings too."""
    support = coding.code_create(study=study, name="Support")
    code_span(import_text(study, UNMARKED), "About six years", [support], owner)
    theme = themes.theme_create(study=study, name="Support")
    themes.theme_code_attach(theme=theme, code=support)
    rollup = study_rollup(study)
    assert rollup.questions
    assert not any(rollup.segments.values())
    chart = codes_by_question(study, rollup)
    assert chart.empty
    assert "no transcript has its protocol questions marked" in chart.why_empty
    captions = [
        p.text
        for p in Document(io.BytesIO(findings_docx(study=study))).paragraphs
        if p.text.startswith("Figure ")
    ]
    assert captions[0].startswith("Figure 1. Theme prevalence: the number of respondents")
    assert not [caption for caption in captions if "Codes by question" in caption]
    page = client_for(owner).get(reverse("charts", args=[study.slug])).content.decode()
    assert page.count("<img ") == 1  # the prevalence only: no attribute chosen
    assert "Codes by question: nothing to draw: no transcript has its protocol" in page

    for question in list(study.questions.all()):
        interviews.question_delete(question=question)
    chart = codes_by_question(study, study_rollup(study))
    assert chart.empty
    assert "the study has no protocol questions" in chart.why_empty
    page = client_for(owner).get(reverse("charts", args=[study.slug])).content.decode()
    assert "Codes by question: nothing to draw: the study has no protocol questions" in page


def test_an_empty_chart_says_why_once_without_a_figure_s_caption(study, themed, owner):
    """Before: with no protocol, "Figure 2. Codes by question: the number of excerpts..."
    sat under the "nothing to draw" box, a caption of a figure that is not there. Now the
    reason is said once, and the figures that are drawn are numbered as the findings
    document numbers them."""
    for question in list(study.questions.all()):
        interviews.question_delete(question=question)
    html = client_for(owner).get(reverse("charts", args=[study.slug])).content.decode()
    assert html.count("Codes by question") == 1
    assert "Codes by question: nothing to draw: the study has no protocol questions." in html
    assert html.count("<figcaption>") == html.count("<img ") == 1
    assert "Figure 1. Theme prevalence" in html
    assert "Figure 2." not in html


def test_an_empty_chart_s_address_goes_to_the_page_that_says_why(study, owner):
    """Before: charts/questions.svg was served from its address with no protocol (axes
    without a question, and no reason). Now the address goes to the chart's place on the
    Charts page, which says why; a chart with something to draw is still an SVG."""
    support = coding.code_create(study=study, name="Support")
    code_span(import_text(study, UNMARKED), "About six years", [support], owner)
    for question in list(study.questions.all()):
        interviews.question_delete(question=question)
    client = client_for(owner)
    url = reverse("chart_svg", args=[study.slug, "questions"])
    response = client.get(url, follow=True)
    page = reverse("charts", args=[study.slug])
    assert response.redirect_chain == [(f"{page}#chart-questions", 302)]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert html.count("nothing to draw: the study has no protocol questions") == 1
    # Nothing in a theme yet: the prevalence has nothing to draw either, and says so.
    response = client.get(reverse("chart_svg", args=[study.slug, "prevalence"]))
    assert response["Location"] == f"{page}#chart-prevalence"
    theme = themes.theme_create(study=study, name="Support")
    themes.theme_code_attach(theme=theme, code=support)
    response = client.get(reverse("chart_svg", args=[study.slug, "prevalence"]))
    assert response["Content-Type"] == "image/svg+xml"


def _study_named(study, names: list[str], codes: list[str]):
    """The charts (prevalence, by Years of experience, codes by question) of a study like
    `study` whose themes are `names` and top-level codes `codes`, with R1 (2 years of
    experience) and R2 (9)."""
    study = _study_like(study, "Named")
    for pseudonym, years in (("R1", 2), ("R2", 9)):
        interviews.respondent_create(
            study=study, pseudonym=pseudonym, attributes={"Years of experience": years}
        )
        import_text(study, name=f"{pseudonym}.txt")
    return _charts_with(study, names, codes, "Years of experience")


# Names of one to six lines (at any LABEL_WIDTH from 24 to 60), a code's at most 120.
MIDDLING = "Struggles with abstinence-based practice in the agency"
CODE = LONG[: LONG.rfind(" ", 0, 121)]


@pytest.mark.parametrize(
    ("names", "codes"),
    [
        (
            [LONG, "Stress", MIDDLING, "Training", CODE],
            [CODE, "Stress", MIDDLING, "Support", CODE[:-20]],
        ),
        # More rows than the tallest chart holds at their height: the rows are thinner,
        # the long names' still as tall as their lines.
        (
            [f"Theme {n}" for n in range(24)] + [LONG, MIDDLING, CODE],
            [f"Code {n}" for n in range(24)] + [CODE, MIDDLING],
        ),
    ],
    ids=["long-names-first-and-last", "more-rows-than-fit"],
)
def test_every_row_s_band_holds_its_label_wholly(study, names, codes):
    """A row's height was guessed before the chart was laid out (its lines at 0.15 inch, the
    axes as tall as the figure less a guess), and the y axis ran as far as the bars: a label
    of several lines first or last stuck out of the axis, and where the rows were thinner
    than guessed, into its neighbours'. Each row's band now holds its label, whatever its
    lines, in every chart, the rows filling the axis."""
    for chart in _study_named(study, names, codes):
        bands = row_bands(chart)
        assert len(bands) == len(codes if chart.name == "questions" else names), chart.name
        for index, rows in enumerate(bands):
            assert rows[0] == 0, f"{chart.name}: row {index} starts in ink"
            assert rows[-1] == 0, f"{chart.name}: row {index} ends in ink"
            assert any(rows), f"{chart.name}: row {index} holds no label"


AGENCIES = [
    "Community mental health and addiction services of the metropolitan area",
    "Harm reduction outreach programme for people who use drugs downtown",
    "Supportive housing agency for formerly homeless adults",
]


def test_a_long_attribute_value_is_wrapped_in_the_legend(study):
    """A group's label in the by-attribute chart's legend (an attribute's value and its
    count) was drawn on one line: three agencies of about 70 characters made the image
    2,700 pixels wide, scaled down to the page with its plot. Each is now wrapped on lines
    of LEGEND_WIDTH characters: the image is as wide as with short values, every line of
    each label in the SVG, its count on the last."""

    def chart(values):
        like = _study_like(study, "Agencies")
        interviews.attribute_add(study=like, name="Agency", kind="text")
        for n, value in enumerate(values, start=1):
            interviews.respondent_create(
                study=like, pseudonym=f"R{n}", attributes={"Agency": value}
            )
            import_text(like, name=f"R{n}.txt")
        return _charts_with(like, ["Training", "Stress"], [], "Agency")[1]

    long, short = chart(AGENCIES), chart(["Agency A", "Agency B", "Agency C"])
    assert image_width(long.png()) <= image_width(short.png()) + 2
    texts = [text.strip() for text in svg_texts(long.svg())]
    for value in AGENCIES:
        lines = [*wrapped(value, LEGEND_WIDTH).split("\n"), "(1 respondent)"]
        assert all(line in texts for line in lines), value


def column_bands(chart) -> list[list[int]]:
    """Each column's band of the heat map above its plot, left to right, as the dark pixels
    of each of its pixel columns (first and last included): as wide as the plot's columns,
    each centred on its tick, in `chart` as the drawing process lays it out at PNG_DPI."""
    import numpy
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from themes.drawing import laid_out

    figure = laid_out(chart.request(), dpi=charts.PNG_DPI)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = numpy.asarray(canvas.buffer_rgba())[:, :, :3]
    axes = figure.axes[0]
    box = axes.get_window_extent()
    # Above the tick marks (3.5 points, 7 pixels at 150 dpi) over the plot's top edge.
    top = pixels.shape[0] - int(box.y1) - 10
    inked = (pixels[:top].max(axis=2) < 110).sum(axis=0)
    ticks = axes.get_xticks()
    edges = [axes.transData.transform((tick - 0.5, 0))[0] for tick in ticks]
    edges.append(axes.transData.transform((ticks[-1] + 0.5, 0))[0])
    return [[int(n) for n in inked[round(a) : round(b) + 1]] for a, b in itertools.pairwise(edges)]


QUESTIONS = [f"Question {n}, asked as the protocol has it?" for n in range(3, 12)]
BEFORE = (
    "R1: Before we start, I want to say that this work matters to me.\n\n"
    "Interviewer: How long have you been implementing harm reduction in your practice?\n\n"
    "R1: About six years now."
)


def test_the_heat_map_s_column_labels_are_wrapped_and_never_overlap(study, owner):
    """With eleven questions and excerpts before the first, the heat map's columns were as
    narrow as the names of its codes left them: "before Q1" ran over "Q1". Column labels
    are now wrapped ("before" / "Q1") and the columns made as wide as their labels: each
    column's band above the plot holds its label, clear of its neighbours'."""
    for text in QUESTIONS:
        interviews.question_add(study=study, text=text)
    code = coding.code_create(study=study, name="Co-workers or supervisors need more training")
    coding.code_create(study=study, name="Moving from abstinence to harm reduction")
    interview = import_text(study, BEFORE)
    code_span(interview, "Before we start", [code], owner)
    code_span(interview, "About six years", [code], owner)
    chart = codes_by_question(study, study_rollup(study))
    assert chart.data["columns"][:2] == ["before\nQ1", "Q1"]
    assert len(chart.data["columns"]) == 12
    bands = column_bands(chart)
    assert len(bands) == 12
    for index, columns in enumerate(bands):
        assert columns[0] == 0, f"column {index} starts in ink"
        assert columns[-1] == 0, f"column {index} ends in ink"
        assert any(columns), f"column {index} holds no label"
    texts = svg_texts(chart.svg())
    assert "before" in texts
    assert "Q1" in texts


LONG_ATTRIBUTE = (
    "Years in case management at the current agency, as the respondent gave them "
    "at the start of the first interview"
)


def test_a_long_attribute_name_is_wrapped_in_the_legend_title(study):
    """The legend's title (the attribute the respondents are grouped by) was drawn on one
    line: an attribute named in a sentence, as an imported sheet's column may be, made the
    image wider than the chart, scaled down to the page with its plot. It is wrapped on
    lines of LABEL_WIDTH characters: the image is as wide as with a short name, every line
    of the title in the SVG."""

    def chart(attribute):
        like = _study_like(study, attribute[:40])
        interviews.attribute_add(study=like, name=attribute, kind="text")
        for n, value in enumerate(["Agency A", "Agency B"], start=1):
            interviews.respondent_create(
                study=like, pseudonym=f"R{n}", attributes={attribute: value}
            )
            import_text(like, name=f"R{n}.txt")
        return _charts_with(like, ["Training", "Stress"], [], attribute)[1]

    long, short = chart(LONG_ATTRIBUTE), chart("Agency")
    assert image_width(long.png()) <= image_width(short.png()) + 2
    texts = [text.strip() for text in svg_texts(long.svg())]
    lines = wrapped(LONG_ATTRIBUTE).split("\n")
    assert len(lines) > 1
    assert all(line in texts for line in lines), texts

"""Drawing the study's charts (themes.charts) with matplotlib, in a short-lived process of
its own: `python -m themes.drawing` reads a request as JSON on stdin and writes the images
as JSON on stdout.

Why a process: matplotlib, once it has drawn a chart, holds about 46 MB in the process that
imported it (its modules, fonts and caches), and a gunicorn worker never gives memory back
to the system. Drawn here, the worker never imports it (issue 9: a worker under 160 MB after
every page and export); a chart costs the start of this process (about half a second, see
themes.charts.images, which caches what it drew).

This module imports no Django and reads no database: everything a chart shows comes in the
request, as themes.charts computed it from the roll-up.

Request: {"format": "svg" | "png", "dpi": int, "charts": [chart, ...]}, each chart a dict
{"kind": one of KINDS, "name": str, "size": [width, height] in inches, "data": {...}}.
Answer: {"images": [base64 of each image, in the request's order]}.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import sys
import unicodedata

# One blue for single-series bars (white text on it is 5.2:1), and Okabe and Ito's palette,
# told apart with the common kinds of colour blindness, for the groups of respondents.
BAR = "#2563eb"
GROUPS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
FONT_SIZE = 9
# White around what was drawn, in inches.
PAD_IN = 0.1
# A sub-theme's label is indented this much a level under its theme's, as on the themes
# page: em spaces, which SVG keeps (it collapses plain spaces) and DejaVu Sans draws.
INDENT = "\u2003\u2003"
# Between the labels' column and the axis, in points.
LABEL_GAP_PT = 6
# The room kept between two rows' labels, in inches.
LABEL_GAP_IN = 0.05
# A line of text holding Hebrew or Arabic is drawn as a FIRST STRONG ISOLATE: its words
# run in the direction of its first letter, as HTML's dir="auto" lays a name out. Without
# it, Chromium lays each line of the SVG out left to right (SVG's direction), so that in
# "טיפול CBT ותמיכה" a reader going right to left met "ותמיכה" first; and libraqm (the
# PNG) takes a line's direction from its first letter, which puts an indent (a sub-theme's
# em spaces) at the right of a right-to-left name. In an isolate both draw the name in its
# own order, after its indent on the left, and the characters themselves draw nothing.
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"
# Times a chart is laid out again for its rows to fit their labels (the second time is
# the last but where the figure had to grow).
FITTINGS = 3


def _row_middles(axes, spans: list[float]) -> list[float]:
    """The middle of each row, in rows from the top, the rows `spans` high (a label of
    several lines makes its row taller, see _fitted_spans): the y axis is set to hold the
    rows exactly, so that each row's band of the plot is its own, its label wholly in it."""
    middles, top = [], 0.0
    for span in spans:
        middles.append(top + span / 2)
        top += span
    axes.set_ylim(top, 0)
    return middles


def _fitted_spans(figure, axes) -> tuple[list[float], float]:
    """(each row's height in rows, the inches the figure lacks) for the rows of `axes` as
    laid out: every row as tall as the others, but a row whose label (its lines, as drawn,
    and LABEL_GAP_IN) needs more gets that, the others sharing the rest of the axes' height.
    When the labels need more than that height, the rows are their labels' heights and the
    second value says how much taller the figure must be (else 0)."""
    dpi = figure.dpi
    height = axes.get_window_extent().height / dpi
    needs = [
        tick.get_window_extent().height / dpi + LABEL_GAP_IN for tick in axes.get_yticklabels()
    ]
    if not needs:
        return [], 0.0
    if sum(needs) >= height:
        row = min(needs)
        return [need / row for need in needs], sum(needs) - height
    # The height of an ordinary row, `row`: the rows, each max(row, its need), fill the
    # axes. sum(max(row, need)) grows with row, so halving the interval finds it.
    low, high = 0.0, height
    for _ in range(50):
        row = (low + high) / 2
        if sum(max(row, need) for need in needs) > height:
            high = row
        else:
            low = row
    return [max(low, need) / low for need in needs], 0.0


def _columns_lacking(figure, axes) -> float:
    """The inches the figure lacks for each of the heat map's columns to be as wide as the
    widest column label (its widest line) and LABEL_GAP_IN: its labels ran into each other
    ("before Q1" over "Q1") where the row labels left the columns narrow. 0 when none."""
    labels = axes.get_xticklabels()
    if not labels:
        return 0.0
    column = axes.get_window_extent().width / figure.dpi / len(labels)
    widest = max(label.get_window_extent().width for label in labels) / figure.dpi
    return max(0.0, widest + LABEL_GAP_IN - column) * len(labels)


def _theme_ticks(figure, axes, positions, labels: list[str], depths: list[int]) -> None:
    """Theme names as the y axis's tick labels, sub-themes indented under their theme:
    the labels are aligned on their left (an indent shows only there: right-aligned, every
    name ends at the axis, and a sub-theme reads as a theme of its own), and main themes are
    bold when there are sub-themes, as a list's headings."""
    # Every line of a wrapped name is indented, so that it reads as one name.
    indented = [
        "\n".join(INDENT * depth + line for line in label.split("\n"))
        for label, depth in zip(labels, depths, strict=True)
    ]
    axes.set_yticks(positions, indented)
    ticks = axes.get_yticklabels()
    nested = any(depths)
    for tick, depth in zip(ticks, depths, strict=True):
        tick.set_horizontalalignment("left")
        if nested and depth == 0:
            tick.set_fontweight("bold")
    # The labels start where the widest one must start to end LABEL_GAP_PT off the axis.
    widest = max((tick.get_window_extent().width for tick in ticks), default=0)
    axes.tick_params(axis="y", pad=widest * 72 / figure.dpi + LABEL_GAP_PT)


def _prevalence(figure, data: dict):
    """data: labels (themes, wrapped), spans (each row's height in rows), depths (each
    theme's, 0 for a main theme), values (respondents per theme), words (the label on each
    bar), total. Returns the axes (as _attribute and _questions do)."""
    labels, values, total = data["labels"], data["values"], data["total"]
    axes = figure.subplots()
    positions = _row_middles(axes, data["spans"])
    axes.barh(positions, values, color=BAR)
    _theme_ticks(figure, axes, positions, labels, data["depths"])
    axes.set_xlim(0, max(total, 1))
    axes.set_xlabel(f"Respondents who raised the theme (of {total})")
    axes.xaxis.get_major_locator().set_params(integer=True)
    for position, value, word in zip(positions, values, data["words"], strict=True):
        axes.annotate(
            word, (value, position), xytext=(4, 0), textcoords="offset points", va="center"
        )
    axes.spines[["top", "right"]].set_visible(False)
    return axes


def _attribute(figure, data: dict):
    """data: labels (themes, wrapped), spans (each row's height in rows), depths (each
    theme's, 0 for a main theme), groups (legend labels), shares (per group, per theme, in
    %), title (the legend's: the attribute)."""
    labels, groups = data["labels"], data["groups"]
    axes = figure.subplots()
    height = 0.8 / max(len(groups), 1)
    middles = _row_middles(axes, data["spans"])
    for index, (label, values) in enumerate(zip(groups, data["shares"], strict=True)):
        # The groups' bars one under the other, 0.8 of a row together, about its middle.
        positions = [middle - 0.4 + (index + 0.5) * height for middle in middles]
        axes.barh(positions, values, height=height, color=GROUPS[index % len(GROUPS)], label=label)
    _theme_ticks(figure, axes, middles, labels, data["depths"])
    axes.set_xlim(0, 100)
    axes.set_xlabel("Respondents in the group who raised the theme (%)")
    # Below the plot, never over a bar.
    # At most three columns: four groups' labels ("not recorded (3 respondents)") are wider
    # than the chart's 7 inches.
    legend = figure.legend(
        title=data["title"], loc="outside lower center", ncols=min(len(groups), 3), frameon=False
    )
    # A title on several lines (themes.charts wraps a long attribute) centred over the groups.
    legend.get_title().set_multialignment("center")
    axes.spines[["top", "right"]].set_visible(False)
    return axes


def _questions(figure, data: dict):
    """data: counts (rows of codes, columns of questions), columns, rows (labels,
    wrapped), spans (each row's height in rows), highest (the largest count)."""
    from matplotlib.ticker import MaxNLocator

    counts, columns, highest = data["counts"], data["columns"], data["highest"]
    axes = figure.subplots()
    # A mesh rather than an image: its rows may differ in height (a code's name on several
    # lines), each cell still centred on its column's and row's tick.
    edges = list(itertools.accumulate(data["spans"], initial=0.0))
    columns_at = [index - 0.5 for index in range(len(columns) + 1)]
    image = axes.pcolormesh(columns_at, edges, counts, cmap="Blues", vmin=0, vmax=max(highest, 1))
    middles = _row_middles(axes, data["spans"])
    axes.set_xticks(range(len(columns)), columns)
    axes.set_yticks(middles, data["rows"])
    axes.xaxis.tick_top()
    for middle, row in zip(middles, counts, strict=True):
        for j, value in enumerate(row):
            if value:
                # Dark text on the pale cells, white on the dark ones.
                colour = "white" if value > 0.55 * highest else "#1f2933"
                axes.text(j, middle, str(value), ha="center", va="center", color=colour)
    bar = figure.colorbar(image, ax=axes, label="Excerpts", shrink=0.6)
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    return axes


KINDS = {"prevalence": _prevalence, "attribute": _attribute, "questions": _questions}


def _isolated(text: str) -> str:
    """`text` with each of its lines that holds a right-to-left letter in a first strong
    isolate (see FIRST_STRONG_ISOLATE)."""
    return "\n".join(
        FIRST_STRONG_ISOLATE + line + POP_DIRECTIONAL_ISOLATE
        if any(unicodedata.bidirectional(letter) in ("R", "AL") for letter in line)
        else line
        for line in text.split("\n")
    )


def _bidi_text(data: dict) -> dict:
    """A chart's data with every text in it (its labels, legend, words and titles) laid
    out in its own direction, in the SVG and the PNG alike (see FIRST_STRONG_ISOLATE)."""

    def marked(value):
        if isinstance(value, str):
            return _isolated(value)
        if isinstance(value, list):
            return [marked(item) for item in value]
        return value

    return {key: marked(value) for key, value in data.items()}


def _settings(chart: dict) -> dict:
    # svg.hashsalt: the ids matplotlib writes are the same for the same chart every time.
    return {"font.size": FONT_SIZE, "svg.fonttype": "none", "svg.hashsalt": chart["name"]}


def laid_out(chart: dict, dpi: int = 100):
    """One chart (see the module's docstring) as a matplotlib Figure of `dpi` dots per
    inch, laid out, each row as tall as its label needs (see _fitted_spans): the figure
    taller than chart["size"] where the labels need it, and a heat map wider where its
    columns' labels need it (see _columns_lacking). KeyError for an unknown kind."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    width, height = chart["size"]
    data = chart["data"]
    with matplotlib.rc_context(_settings(chart)):
        # themes.charts guessed each row's height (its spans); how tall the axes are, and
        # each label, is known only once the chart is laid out: the chart is drawn again
        # with the rows that fit, on a taller figure where the labels need it.
        for _ in range(FITTINGS):
            figure = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
            axes = KINDS[chart["kind"]](figure, data)
            figure.draw_without_rendering()
            spans, lacking = _fitted_spans(figure, axes)
            narrow = _columns_lacking(figure, axes) if chart["kind"] == "questions" else 0.0
            if (
                not lacking
                and not narrow
                and all(abs(a - b) < 0.01 for a, b in zip(spans, data["spans"], strict=True))
            ):
                return figure
            data = data | {"spans": spans}
            height += lacking
            width += narrow
        figure = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
        KINDS[chart["kind"]](figure, data)
    return figure


def draw(chart: dict, *, format: str, dpi: int) -> bytes:
    """One chart (see the module's docstring) as SVG (text as <text>: searchable, read by
    screen readers, no date stamped) or PNG bytes. KeyError for an unknown kind."""
    import matplotlib

    figure = laid_out(chart | {"data": _bidi_text(chart["data"])})
    options = {"metadata": {"Date": None}} if format == "svg" else {"dpi": dpi}
    # The image is cut to what was drawn, with room for every label and the legend: the
    # constrained layout alone keeps the axes in the figure but lets a legend or a long
    # tick label run past its edges, where they were cut off ("–3 (2 respondents)").
    options |= {"bbox_inches": "tight", "pad_inches": PAD_IN}
    buffer = io.BytesIO()
    with matplotlib.rc_context(_settings(chart)):
        figure.savefig(buffer, format=format, **options)
    return buffer.getvalue()


def main() -> None:
    request = json.load(sys.stdin)
    images = [
        base64.b64encode(draw(chart, format=request["format"], dpi=request["dpi"])).decode()
        for chart in request["charts"]
    ]
    json.dump({"images": images}, sys.stdout)


if __name__ == "__main__":
    main()

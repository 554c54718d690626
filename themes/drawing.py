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


def _row_bases(spans: list[float]) -> list[float]:
    """Where each row's bars are drawn, in rows: row i at i when every row is one row high;
    a taller row (a label of several lines, themes.charts.row_spans) pushes the rows after
    it down, its bars in its middle."""
    bases, top = [], 0.0
    for span in spans:
        bases.append(top + (span - 1) / 2)
        top += span
    return bases


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


def _prevalence(figure, data: dict) -> None:
    """data: labels (themes, wrapped), spans (each row's height in rows), depths (each
    theme's, 0 for a main theme), values (respondents per theme), words (the label on each
    bar), total."""
    labels, values, total = data["labels"], data["values"], data["total"]
    axes = figure.subplots()
    positions = _row_bases(data["spans"])
    axes.barh(positions, values, color=BAR)
    _theme_ticks(figure, axes, positions, labels, data["depths"])
    axes.invert_yaxis()
    axes.set_xlim(0, max(total, 1))
    axes.set_xlabel(f"Respondents who raised the theme (of {total})")
    axes.xaxis.get_major_locator().set_params(integer=True)
    for position, value, word in zip(positions, values, data["words"], strict=True):
        axes.annotate(
            word, (value, position), xytext=(4, 0), textcoords="offset points", va="center"
        )
    axes.spines[["top", "right"]].set_visible(False)


def _attribute(figure, data: dict) -> None:
    """data: labels (themes, wrapped), spans (each row's height in rows), depths (each
    theme's, 0 for a main theme), groups (legend labels), shares (per group, per theme, in
    %), title (the legend's: the attribute)."""
    labels, groups = data["labels"], data["groups"]
    axes = figure.subplots()
    height = 0.8 / max(len(groups), 1)
    bases = _row_bases(data["spans"])
    for index, (label, values) in enumerate(zip(groups, data["shares"], strict=True)):
        positions = [base + index * height for base in bases]
        axes.barh(positions, values, height=height, color=GROUPS[index % len(GROUPS)], label=label)
    centres = [base + 0.4 - height / 2 for base in bases]
    _theme_ticks(figure, axes, centres, labels, data["depths"])
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("Respondents in the group who raised the theme (%)")
    # Below the plot, never over a bar.
    # At most three columns: four groups' labels ("not recorded (3 respondents)") are wider
    # than the chart's 7 inches.
    figure.legend(
        title=data["title"], loc="outside lower center", ncols=min(len(groups), 3), frameon=False
    )
    axes.spines[["top", "right"]].set_visible(False)


def _questions(figure, data: dict) -> None:
    """data: counts (rows of codes, columns of questions), columns, rows (labels,
    wrapped), spans (each row's height in rows), highest (the largest count)."""
    from matplotlib.ticker import MaxNLocator

    counts, columns, highest = data["counts"], data["columns"], data["highest"]
    axes = figure.subplots()
    # A mesh rather than an image: its rows may differ in height (a code's name on several
    # lines), each cell still centred on its column's and row's tick.
    edges = [-0.5]
    for span in data["spans"]:
        edges.append(edges[-1] + span)
    middles = [(top + bottom) / 2 for top, bottom in itertools.pairwise(edges)]
    columns_at = [index - 0.5 for index in range(len(columns) + 1)]
    image = axes.pcolormesh(columns_at, edges, counts, cmap="Blues", vmin=0, vmax=max(highest, 1))
    axes.invert_yaxis()
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


KINDS = {"prevalence": _prevalence, "attribute": _attribute, "questions": _questions}


def draw(chart: dict, *, format: str, dpi: int) -> bytes:
    """One chart (see the module's docstring) as SVG (text as <text>: searchable, read by
    screen readers, no date stamped) or PNG bytes. KeyError for an unknown kind."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    # svg.hashsalt: the ids matplotlib writes are the same for the same chart every time.
    settings = {"font.size": FONT_SIZE, "svg.fonttype": "none", "svg.hashsalt": chart["name"]}
    options = {"metadata": {"Date": None}} if format == "svg" else {"dpi": dpi}
    # The image is cut to what was drawn, with room for every label and the legend: the
    # constrained layout alone keeps the axes in the figure but lets a legend or a long
    # tick label run past its edges, where they were cut off ("–3 (2 respondents)").
    options |= {"bbox_inches": "tight", "pad_inches": PAD_IN}
    with matplotlib.rc_context(settings):
        figure = Figure(figsize=tuple(chart["size"]), layout="constrained")
        KINDS[chart["kind"]](figure, chart["data"])
        buffer = io.BytesIO()
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

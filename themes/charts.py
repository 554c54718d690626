"""Charts of the roll-up: theme prevalence by respondent and by an attribute, codes by question.

Every number comes from the roll-up (themes.rollup), so a chart always agrees with the
tables. This module decides what each chart shows; themes.drawing draws it with matplotlib
(as SVG for the pages and PNG for the findings document) in a short-lived process of its
own, so that no worker ever imports matplotlib (it holds about 46 MB once it has drawn).
What was drawn is kept in the "charts" cache (settings.CACHES), keyed by what the chart
shows: a chart is drawn again only when its figures change.
"""

from __future__ import annotations

import base64
import hashlib
import json
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import caches

from coding.models import Coding
from core.bidi import isolated
from core.naming import branches
from core.processes import child_output
from core.sanitise import sanitise_text
from interviews.models import Study

from .grouping import NOT_RECORDED, group_key, group_respondents
from .rollup import RollUp, number_word

MAX_GROUPS = 6
# The tallest chart drawn, in inches: a findings page (US Letter or A4, 1-inch margins) has
# 9 to 9.7 inches between its margins, and the caption needs its lines below the chart. A
# chart with more rows is drawn with thinner bars, down to ROW_MIN_IN a row of labels
# (9-point text needs 0.125 inch); a taller one still is scaled down in the document.
MAX_HEIGHT_IN = 7.5
ROW_MIN_IN = 0.16
PNG_DPI = 150
# A theme's or code's name (up to 160 characters) is drawn on lines of at most this many
# characters, so that a long name takes rows, not the plot's width. At 44 a name a reader
# takes in at a glance stays on one line: every theme and code of the demo study (the
# longest 40 to 44 characters: "Struggles with abstinence-based practice", "Co-workers or
# supervisors need more training"), where 32 broke seven of its twelve theme names in the
# middle of a phrase; a sentence-long name (80 to 160 characters) is still wrapped, on two
# to four lines. The labels' column is then at most about 3.3 of the chart's 7 inches (a
# sub-theme's indent included), the plot keeping the rest.
LABEL_WIDTH = 44
# A legend's label (a group of respondents: an attribute's value and its count) is drawn on
# lines of at most this many characters: three columns of them fit the chart's 7 inches
# (three of 28 did not), where a long value on one line widened the chart beyond the page,
# to be scaled down with its plot.
LEGEND_WIDTH = 24
# A heat map's column label ("before Q1") is wrapped on lines of at most this many
# characters, and the columns made as wide as their labels (themes.drawing).
COLUMN_WIDTH = 6
# A line of those labels, in inches (9 points at matplotlib's line spacing of 1.2), and
# the room kept between two labels of several lines.
LINE_IN = 9 * 1.2 / 72
LABEL_GAP_IN = 0.05
# Drawing three charts takes about a second on a loaded machine; a stuck drawing process is
# stopped well before a proxy would give up on the request.
DRAWING_TIMEOUT_S = 60


class ChartError(RuntimeError):
    """The drawing process failed (the message holds the end of what it wrote on stderr)."""


@dataclass(frozen=True)
class Chart:
    """A chart to draw: themes.drawing draws `kind` from `data` (JSON-able) on a figure of
    `size` (width, height in inches)."""

    name: str
    title: str
    caption: str  # one sentence, for the page's <figcaption> and the document's caption
    alt: str  # what the chart shows, for screen readers
    size: tuple[float, float]
    kind: str
    data: dict = field(repr=False)
    empty: bool = False
    why_empty: str = ""  # when empty for a reason coding alone will not change, the reason

    def svg(self) -> bytes:
        """The chart as an SVG document (UTF-8). Raises ChartError."""
        return images([self], format="svg")[0]

    def png(self, dpi: int = PNG_DPI) -> bytes:
        """The chart as a PNG image of `dpi` dots per inch. Raises ChartError."""
        return images([self], format="png", dpi=dpi)[0]

    def request(self) -> dict:
        return {"kind": self.kind, "name": self.name, "size": list(self.size), "data": self.data}


def images(charts: list[Chart], *, format: str, dpi: int = PNG_DPI) -> list[bytes]:
    """Each chart as `format` ("svg" or "png") bytes, in order: from the "charts" cache, the
    others drawn together in one drawing process (themes.drawing). Raises ChartError when
    that process fails or takes over DRAWING_TIMEOUT_S seconds."""
    cache = caches["charts"]
    keys = [_cache_key(chart, format, dpi) for chart in charts]
    found = cache.get_many(keys)
    missing = [(key, chart) for key, chart in zip(keys, charts, strict=True) if key not in found]
    if missing:
        drawn = _draw([chart for _, chart in missing], format, dpi)
        made = {key: image for (key, _), image in zip(missing, drawn, strict=True)}
        cache.set_many(made)
        found |= made
    return [found[key] for key in keys]


def _cache_key(chart: Chart, format: str, dpi: int) -> str:
    request = json.dumps([chart.request(), format, dpi], sort_keys=True, ensure_ascii=True)
    return "chart:" + hashlib.sha256(request.encode()).hexdigest()


def _draw(charts: list[Chart], format: str, dpi: int) -> list[bytes]:
    request = {"format": format, "dpi": dpi, "charts": [chart.request() for chart in charts]}
    answer = child_output(
        ["-m", "themes.drawing"],
        stdin=json.dumps(request).encode(),
        timeout=DRAWING_TIMEOUT_S,
        doing="Drawing the charts",
        error=ChartError,
    )
    return [base64.b64decode(image) for image in json.loads(answer)["images"]]


def _label(text) -> str:
    """A name on one line, without the controls no font has a glyph for (a theme name may
    hold a line break typed with Shift+Enter)."""
    return " ".join(sanitise_text(str(text)).split())


def wrapped(text: str, width: int = LABEL_WIDTH) -> str:
    """`text` (a name on one line, see _label) on lines of at most `width` characters,
    joined by "\n": broken between words, and a word longer than `width` broken inside.
    Empty text stays empty."""
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def row_spans(labels: list[str], row_in: float) -> list[float]:
    """Each row's height in rows of `row_in` inches: one, or more when its label's lines
    (wrapped) and a gap need more than `row_in`. A guess, for the chart's height: how tall
    the rows are drawn, themes.drawing decides once the chart is laid out."""
    return [
        max(1.0, ((label.count("\n") + 1) * LINE_IN + LABEL_GAP_IN) / row_in) for label in labels
    ]


def _lines(labels: list[str]) -> int:
    return sum(label.count("\n") + 1 for label in labels)


def chart_height(fixed: float, per_row: float, rows: float, labels: int) -> float:
    """A chart's height in inches: `fixed` plus `per_row` for each of its `rows` of bars (a
    row whose label has several lines counts as more, see row_spans), but no more than
    MAX_HEIGHT_IN unless its `labels` (lines of tick labels) need ROW_MIN_IN each."""
    wanted = fixed + per_row * max(rows, 1)
    return min(wanted, max(MAX_HEIGHT_IN, fixed + ROW_MIN_IN * max(labels, 1)))


def _respondents(n: int) -> str:
    return f"{n} respondent{'s' if n != 1 else ''}"


def _theme_labels(rollup: RollUp) -> list[str]:
    """Each theme's name, wrapped on lines of LABEL_WIDTH characters."""
    return [wrapped(_label(summary.name)) for summary in rollup.themes]


def _theme_depths(rollup: RollUp) -> list[int]:
    """Each theme's depth (0 for a main theme), for themes.drawing to indent its sub-themes
    under it, as the themes page does."""
    return [summary.depth for summary in rollup.themes]


def _theme_said(rollup: RollUp) -> list[str]:
    """Each theme's name as a chart's alt text says it: a sub-theme with its theme ("At
    work, under Training"), which the image shows by indenting it."""
    names = {summary.id: _label(summary.name) for summary in rollup.themes}
    return [
        f"{names[s.id]}, under {names[s.parent_id]}" if s.parent_id in names else names[s.id]
        for s in rollup.themes
    ]


def prevalence(rollup: RollUp) -> Chart:
    """How many respondents raised each theme (of N), with the prevalence word on each bar."""
    total = rollup.total
    labels = _theme_labels(rollup)
    spans = row_spans(labels, 0.32)
    values = [summary.n for summary in rollup.themes]
    words = [summary.label for summary in rollup.themes]

    return Chart(
        name="prevalence",
        title="Theme prevalence",
        caption=(
            f"Theme prevalence: the number of respondents who raised each theme, of "
            f"{_respondents(total)}."
        ),
        alt=(
            "Bar chart. "
            + "; ".join(
                f"{name}: {s.label}"
                for name, s in zip(_theme_said(rollup), rollup.themes, strict=True)
            )
            + "."
        ),
        size=(7, chart_height(1, 0.32, sum(spans), _lines(labels))),
        kind="prevalence",
        data={
            "labels": labels,
            "spans": spans,
            "depths": _theme_depths(rollup),
            "values": values,
            "words": words,
            "total": total,
        },
        empty=not labels or not total,
    )


def attribute_groups(rollup: RollUp, attribute: str) -> dict[str, list[int]]:
    """{group label: respondent ids}: the counted respondents grouped by `attribute`.

    Numbers are grouped by value while there are at most MAX_GROUPS values, else into
    MAX_GROUPS ranges of about as many respondents each; text by value (the rarest values
    together as "other" beyond MAX_GROUPS). Respondents without a value: "not recorded".
    """
    values = {r["id"]: (r.get("attributes") or {}).get(attribute) for r in rollup.respondents}
    recorded = {rid: v for rid, v in values.items() if group_key(v) != NOT_RECORDED}
    groups: dict[str, list[int]] = defaultdict(list)
    numbers = all(isinstance(v, int | float) for v in recorded.values())
    if recorded and numbers and len(set(recorded.values())) > MAX_GROUPS:
        ordered = sorted(recorded, key=recorded.get)
        size = -(-len(ordered) // MAX_GROUPS)
        for index in range(0, len(ordered), size):
            chunk = ordered[index : index + size]
            low, high = recorded[chunk[0]], recorded[chunk[-1]]
            label = f"{_number(low)}–{_number(high)}" if low != high else _number(low)
            groups[label] += chunk
    else:
        # Grouped as the matrices and the excerpt filter group them (case-blind, one label
        # per group), so that a chart's caption and a matrix give one size for a group.
        found = group_respondents(
            ((rid, v) for rid, v in values.items() if rid in recorded), number=numbers
        )
        kept = {id(g) for g in sorted(found, key=lambda g: -len(g.members))[:MAX_GROUPS]}
        for group in found:
            if id(group) in kept:
                groups[_label(group.label)] = group.members
        if others := [rid for g in found if id(g) not in kept for rid in g.members]:
            groups["other"] = others
    missing = [rid for rid, v in values.items() if rid not in recorded]
    if missing:
        groups[NOT_RECORDED] = missing
    return dict(groups)


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _group_label(value: str, n: int) -> str:
    """A group's label in the legend: its value and its count ("Agency A (2
    respondents)"), on one line when they fit LEGEND_WIDTH, else the value wrapped and the
    count on a line of its own."""
    label = f"{value} ({_respondents(n)})"
    if len(label) <= LEGEND_WIDTH:
        return label
    return f"{wrapped(value, LEGEND_WIDTH)}\n({_respondents(n)})"


def prevalence_by_attribute(rollup: RollUp, attribute: str) -> Chart:
    """For each theme, the share of each group of respondents (by `attribute`) who raised
    it, in per cent of the group; the legend gives each group's size."""
    groups = attribute_groups(rollup, attribute)
    labels = _theme_labels(rollup)
    # A theme's row holds a bar of 0.22 inches for each group.
    spans = row_spans(labels, 0.22 * max(len(groups), 1))
    shares = []
    for members in groups.values():
        inside = set(members)
        shares.append(
            [100 * len(inside.intersection(s.respondent_ids)) / len(inside) for s in rollup.themes]
        )

    # Each value and the attribute's name isolated (core.bidi): a Hebrew or Arabic value
    # drew the count after it into its right-to-left run ("הגדול 3 :… respondents").
    described = "; ".join(
        f"{isolated(label)}: {_respondents(len(m))}" for label, m in groups.items()
    )
    name = isolated(attribute)
    return Chart(
        name="attribute",
        title=f"Theme prevalence by {attribute}",
        caption=(
            f"Theme prevalence by {name}: the share of each group of respondents who "
            f"raised each theme ({described})."
        ),
        alt=f"Grouped bar chart of theme prevalence by {name}. Groups: {described}.",
        size=(7, chart_height(1.6, 0.22, sum(spans) * max(len(groups), 1), _lines(labels))),
        kind="attribute",
        data={
            "labels": labels,
            "spans": spans,
            "depths": _theme_depths(rollup),
            "groups": [_group_label(label, len(m)) for label, m in groups.items()],
            "shares": shares,
            # Wrapped as the themes' names: an attribute named in a sentence (an imported
            # sheet's column) widened the image past the chart's 7 inches.
            "title": wrapped(_label(attribute)),
        },
        empty=not labels or not groups,
    )


def code_question_counts(study: Study, rollup: RollUp) -> tuple[list[dict], list, list]:
    """(top-level codes, question numbers, counts): counts[i][j] is the number of excerpts
    of counted respondents under code i's branch in the part of the interview that answers
    question j (None: before the first marked question). An excerpt counts once per code."""
    pairs = [(code["id"], code["parent_id"]) for code in rollup.codes.values()]
    branch = branches(pairs)
    roots = [code for code in rollup.codes.values() if code["parent_id"] not in rollup.codes]
    root_of = {member: root["id"] for root in roots for member in branch.get(root["id"], ())}
    numbers = [q["number"] for q in rollup.questions]
    if any(rollup.excerpt_question.get(e) is None for e in rollup.excerpt_question):
        numbers = [None, *numbers]
    column = {number: index for index, number in enumerate(numbers)}
    counted = rollup.excerpt_question
    seen = set()
    counts = [[0] * len(numbers) for _ in roots]
    row = {root["id"]: index for index, root in enumerate(roots)}
    # The whole study's codings, filtered here: an IN list of every excerpt id would pass
    # SQLite's limit on parameters in a large study.
    codings = Coding.objects.filter(interview__study=study).values_list("excerpt_id", "code_id")
    for excerpt_id, code_id in codings:
        root = root_of.get(code_id)
        if root is None or excerpt_id not in counted or (excerpt_id, root) in seen:
            continue
        seen.add((excerpt_id, root))
        counts[row[root]][column[counted[excerpt_id]]] += 1
    return roots, numbers, counts


def codes_by_question(study: Study, rollup: RollUp) -> Chart:
    """A heat map of excerpts per top-level code (its branch included) and question."""
    roots, numbers, counts = code_question_counts(study, rollup)
    columns = ["before Q1" if n is None else f"Q{n}" for n in numbers]
    highest = max((max(row) for row in counts if row), default=0)
    # Excerpts that fall in no question's answer are drawn only beside those that do: alone
    # (no protocol, or one marked in no transcript) they made a chart of one "before Q1"
    # column, captioned as the answers to each protocol question.
    answered = any(
        count
        for row in counts
        for number, count in zip(numbers, row, strict=True)
        if number is not None
    )
    why = rollup.why_no_answers
    rows = [wrapped(_label(root["name"])) for root in roots]
    spans = row_spans(rows, 0.3)

    return Chart(
        name="questions",
        title="Codes by question",
        caption=(
            "Codes by question: the number of excerpts under each top-level code (its "
            "sub-codes included) in the answers to each protocol question."
        ),
        alt=(
            f"Heat map of {len(roots)} codes by {len(columns)} questions; the largest count "
            f"is {number_word(highest)}."
        ),
        size=(max(5, 1.6 + 0.55 * len(columns)), chart_height(1, 0.3, sum(spans), _lines(rows))),
        kind="questions",
        data={
            "counts": counts,
            "columns": [wrapped(column, COLUMN_WIDTH) for column in columns],
            "rows": rows,
            "spans": spans,
            "highest": highest,
        },
        empty=not roots or not columns or not highest or not answered,
        why_empty=why,
    )


def findings_figures(study: Study, rollup: RollUp) -> list[tuple[Chart, bytes]]:
    """The charts the findings document shows, none empty, each with its PNG: prevalence,
    prevalence by the first numeric attribute the study records, codes by question. The
    images come from the "charts" cache, the others drawn together by one drawing process
    (images). Raises ChartError."""
    numeric = [a["name"] for a in study.attribute_schema if a.get("type") == "number"]
    charts = study_charts(study, rollup, numeric[0] if numeric else None)
    charts = [chart for chart in charts if not chart.empty]
    return list(zip(charts, images(charts, format="png"), strict=True))


def study_charts(study: Study, rollup: RollUp, attribute: str | None = None) -> list[Chart]:
    """The charts of a study, in the order the pages and the findings document show them:
    prevalence, prevalence by `attribute` (when given and recorded), codes by question."""
    charts = [prevalence(rollup)]
    if attribute and attribute in study.attribute_names:
        charts.append(prevalence_by_attribute(rollup, attribute))
    charts.append(codes_by_question(study, rollup))
    return charts

"""Charts of the roll-up: theme prevalence by respondent and by an attribute, codes by question.

Drawn on the server with matplotlib (its object API, no pyplot: no global state shared
between a worker's threads), as SVG for the pages and PNG for the findings document. Every
number comes from the roll-up (themes.rollup), so a chart always agrees with the tables.
matplotlib is imported when a chart is drawn, not at start-up: it adds about 35 MB to a
worker, which most requests never need.
"""

from __future__ import annotations

import gc
import io
from collections import Counter, defaultdict
from dataclasses import dataclass

from coding.models import Coding
from core.naming import branches
from core.sanitise import sanitise_text
from interviews.models import Study

from .rollup import RollUp, number_word

# One blue for single-series bars (white text on it is 5.2:1), and Okabe and Ito's palette,
# told apart with the common kinds of colour blindness, for the groups of respondents.
BAR = "#2563eb"
GROUPS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
MAX_GROUPS = 6
FONT_SIZE = 9


@dataclass(frozen=True)
class Chart:
    """A chart to draw: `draw(figure)` fills a matplotlib Figure of `size` (inches)."""

    name: str
    title: str
    caption: str  # one sentence, for the page's <figcaption> and the document's caption
    alt: str  # what the chart shows, for screen readers
    size: tuple[float, float]
    draw: object  # Callable[[Figure], None]
    empty: bool = False

    def svg(self) -> bytes:
        """The chart as an SVG document (UTF-8): text as <text> (searchable, readable by
        screen readers), without the date matplotlib would stamp."""
        return self._save(format="svg", metadata={"Date": None})

    def png(self, dpi: int = 150) -> bytes:
        return self._save(format="png", dpi=dpi)

    def _save(self, **options) -> bytes:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure

        # The settings hold while drawing and saving; rc_context restores them after.
        settings = {"font.size": FONT_SIZE, "svg.fonttype": "none", "svg.hashsalt": self.name}
        with matplotlib.rc_context(settings):
            figure = Figure(figsize=self.size, layout="constrained")
            self.draw(figure)
            buffer = io.BytesIO()
            figure.savefig(buffer, **options)
        # A figure's objects refer to each other in cycles that only the cyclic collector
        # frees, and it runs rarely: a worker that drew a few findings documents held
        # 36 MB more each time (measured). Collecting now keeps it at matplotlib's own size.
        figure.clear()
        del figure
        gc.collect()
        return buffer.getvalue()


def _label(text) -> str:
    """A name on one line, without the controls no font has a glyph for (a theme name may
    hold a line break typed with Shift+Enter)."""
    return " ".join(sanitise_text(str(text)).split())


def _respondents(n: int) -> str:
    return f"{n} respondent{'s' if n != 1 else ''}"


def _theme_labels(rollup: RollUp) -> list[str]:
    # Sub-themes indented under their theme, as on the themes page.
    return ["    " * summary.depth + _label(summary.name) for summary in rollup.themes]


def prevalence(rollup: RollUp) -> Chart:
    """How many respondents raised each theme (of N), with the prevalence word on each bar."""
    total = rollup.total
    labels = _theme_labels(rollup)
    values = [summary.n for summary in rollup.themes]
    words = [summary.label for summary in rollup.themes]

    def draw(figure) -> None:
        axes = figure.subplots()
        positions = range(len(labels))
        axes.barh(positions, values, color=BAR)
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_xlim(0, max(total, 1))
        axes.set_xlabel(f"Respondents who raised the theme (of {total})")
        axes.xaxis.get_major_locator().set_params(integer=True)
        for position, value, word in zip(positions, values, words, strict=True):
            axes.annotate(
                word, (value, position), xytext=(4, 0), textcoords="offset points", va="center"
            )
        axes.spines[["top", "right"]].set_visible(False)

    return Chart(
        name="prevalence",
        title="Theme prevalence",
        caption=(
            f"Theme prevalence: the number of respondents who raised each theme, of "
            f"{_respondents(total)}."
        ),
        alt="Bar chart. " + "; ".join(f"{_label(s.name)}: {s.label}" for s in rollup.themes) + ".",
        size=(7, 1 + 0.32 * max(len(labels), 1)),
        draw=draw,
        empty=not labels or not total,
    )


def attribute_groups(rollup: RollUp, attribute: str) -> dict[str, list[int]]:
    """{group label: respondent ids}: the counted respondents grouped by `attribute`.

    Numbers are grouped by value while there are at most MAX_GROUPS values, else into
    MAX_GROUPS ranges of about as many respondents each; text by value (the rarest values
    together as "other" beyond MAX_GROUPS). Respondents without a value: "not recorded".
    """
    values = {r["id"]: (r.get("attributes") or {}).get(attribute) for r in rollup.respondents}
    recorded = {rid: v for rid, v in values.items() if v not in (None, "")}
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
        counts = Counter(recorded.values())
        kept = {v for v, _ in counts.most_common(MAX_GROUPS)}
        key = (lambda v: (v, "")) if numbers else (lambda v: (0, str(v).casefold()))
        for value in sorted(kept, key=key):
            label = _number(value) if numbers else _label(value)
            groups[label] = [rid for rid, v in recorded.items() if v == value]
        if others := [rid for rid, v in recorded.items() if v not in kept]:
            groups["other"] = others
    missing = [rid for rid, v in values.items() if v in (None, "")]
    if missing:
        groups["not recorded"] = missing
    return dict(groups)


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def prevalence_by_attribute(rollup: RollUp, attribute: str) -> Chart:
    """For each theme, the share of each group of respondents (by `attribute`) who raised
    it, in per cent of the group; the legend gives each group's size."""
    groups = attribute_groups(rollup, attribute)
    labels = _theme_labels(rollup)
    shares = []
    for members in groups.values():
        inside = set(members)
        shares.append(
            [100 * len(inside.intersection(s.respondent_ids)) / len(inside) for s in rollup.themes]
        )

    def draw(figure) -> None:
        axes = figure.subplots()
        height = 0.8 / max(len(groups), 1)
        rows = zip(groups.items(), shares, strict=True)
        for index, ((label, members), values) in enumerate(rows):
            positions = [row + index * height for row in range(len(labels))]
            axes.barh(
                positions,
                values,
                height=height,
                color=GROUPS[index % len(GROUPS)],
                label=f"{label} ({_respondents(len(members))})",
            )
        axes.set_yticks([row + 0.4 - height / 2 for row in range(len(labels))], labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.set_xlabel("Respondents in the group who raised the theme (%)")
        # Below the plot, never over a bar.
        figure.legend(
            title=_label(attribute),
            loc="outside lower center",
            ncols=min(len(groups), 4),
            frameon=False,
        )
        axes.spines[["top", "right"]].set_visible(False)

    described = "; ".join(f"{label}: {_respondents(len(m))}" for label, m in groups.items())
    return Chart(
        name="attribute",
        title=f"Theme prevalence by {attribute}",
        caption=(
            f"Theme prevalence by {attribute}: the share of each group of respondents who "
            f"raised each theme ({described})."
        ),
        alt=f"Grouped bar chart of theme prevalence by {attribute}. Groups: {described}.",
        size=(7, 1.6 + 0.22 * max(len(labels), 1) * max(len(groups), 1)),
        draw=draw,
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

    def draw(figure) -> None:
        from matplotlib.ticker import MaxNLocator

        axes = figure.subplots()
        image = axes.imshow(counts, cmap="Blues", aspect="auto", vmin=0, vmax=max(highest, 1))
        axes.set_xticks(range(len(columns)), columns)
        axes.set_yticks(range(len(roots)), [_label(root["name"]) for root in roots])
        axes.xaxis.tick_top()
        for i, row in enumerate(counts):
            for j, value in enumerate(row):
                if value:
                    # Dark text on the pale cells, white on the dark ones.
                    dark = value > 0.55 * highest
                    colour = "white" if dark else "#1f2933"
                    axes.text(j, i, str(value), ha="center", va="center", color=colour)
        bar = figure.colorbar(image, ax=axes, label="Excerpts", shrink=0.6)
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()

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
        size=(max(5, 1.6 + 0.55 * len(columns)), 1 + 0.3 * max(len(roots), 1)),
        draw=draw,
        empty=not roots or not columns or not highest,
    )


def study_charts(study: Study, rollup: RollUp, attribute: str | None = None) -> list[Chart]:
    """The charts of a study, in the order the pages and the findings document show them:
    prevalence, prevalence by `attribute` (when given and recorded), codes by question."""
    charts = [prevalence(rollup)]
    if attribute and attribute in study.attribute_names:
        charts.append(prevalence_by_attribute(rollup, attribute))
    charts.append(codes_by_question(study, rollup))
    return charts

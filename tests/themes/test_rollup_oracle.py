"""The roll-up's counts checked against pandas on random studies.

The roll-up (themes.rollup.build_rollup) groups in plain Python since a worker's memory
counted (issue 9); pandas, which did it before, is kept as the independent reckoning here:
the counting rules written once more as joins and group-bys over data frames, and the two
must give the same excerpts, respondents and theme-by-respondent matrix for every theme of
any codebook, theme tree and coding.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from themes.rollup import build_rollup
from themes.selectors import StudyRows


def _forest(draw, n: int, prefix: str) -> list[dict]:
    """n nodes, each under one of those made before it or at the top."""
    nodes = []
    for i in range(n):
        parent = draw(st.one_of(st.none(), st.sampled_from(range(1, i + 1)))) if i else None
        nodes.append({"id": i + 1, "parent_id": parent, "name": f"{prefix}{i + 1}"})
    return nodes


@st.composite
def study_rows(draw) -> StudyRows:
    codes = [
        {**code, "colour": "teal", "definition": ""}
        for code in _forest(draw, draw(st.integers(1, 8)), "code ")
    ]
    themes = [
        {**theme, "description": "", "order": theme["id"], "review_status": "draft"}
        for theme in _forest(draw, draw(st.integers(1, 6)), "theme ")
    ]
    code_ids = [code["id"] for code in codes]
    theme_codes = sorted(
        draw(
            st.sets(
                st.tuples(st.sampled_from([t["id"] for t in themes]), st.sampled_from(code_ids)),
                max_size=12,
            )
        )
    )
    respondents = [
        {"id": r, "pseudonym": f"R{r}", "attributes": {}}
        for r in range(1, draw(st.integers(1, 6)) + 1)
    ]
    # One interview per respondent (id 100 + r); each excerpt carries one or more codes.
    codings = []
    for excerpt_id in range(1, draw(st.integers(0, 30)) + 1):
        respondent = draw(st.sampled_from(respondents))["id"]
        start = draw(st.integers(0, 500))
        for code_id in draw(st.sets(st.sampled_from(code_ids), min_size=1, max_size=3)):
            codings.append((excerpt_id, code_id, 100 + respondent, respondent, start))
    return StudyRows(
        themes=themes,
        theme_codes=theme_codes,
        codes=codes,
        codings=codings,
        segments=[],
        respondents=respondents,
        questions=[],
    )


def _descendants(nodes: list[dict]) -> pd.DataFrame:
    """(ancestor, node) for every node and each of its ancestors, itself included: walked
    by repeated joins, as a data frame does it, not by the module's tree helpers."""
    edges = pd.DataFrame(nodes)[["id", "parent_id"]]
    pairs = pd.DataFrame({"ancestor": edges["id"], "node": edges["id"]})
    frontier = pairs
    while True:
        up = frontier.merge(edges, left_on="ancestor", right_on="id").dropna(subset=["parent_id"])
        if up.empty:
            return pairs.astype(int)
        frontier = pd.DataFrame({"ancestor": up["parent_id"].astype(int), "node": up["node"]})
        pairs = pd.concat([pairs, frontier], ignore_index=True)


def _pandas_counts(rows: StudyRows) -> dict[int, tuple[list[int], list[int], list[int]]]:
    """theme id: (its excerpts' ids, its respondents' ids, its excerpts per respondent)."""
    theme_tree = _descendants(rows.themes).rename(columns={"ancestor": "theme", "node": "sub"})
    code_tree = _descendants(rows.codes).rename(columns={"ancestor": "attached", "node": "code"})
    attached = pd.DataFrame(rows.theme_codes, columns=["sub", "attached"])
    # A theme gathers its sub-themes' codes, and each attached code with its whole branch.
    links = theme_tree.merge(attached, on="sub").merge(code_tree, on="attached")
    codings = pd.DataFrame(
        rows.codings, columns=["excerpt", "code", "interview", "respondent", "start"]
    )
    under = links.merge(codings, on="code")[["theme", "excerpt", "respondent"]]
    under = under.drop_duplicates(["theme", "excerpt"])  # an excerpt counts once per theme
    respondent_ids = [r["id"] for r in rows.respondents]
    counts = {}
    for theme in rows.themes:
        mine = under[under["theme"] == theme["id"]]
        per_respondent = mine.groupby("respondent")["excerpt"].nunique()
        counts[theme["id"]] = (
            sorted(mine["excerpt"].unique().tolist()),
            sorted(mine["respondent"].unique().tolist()),
            [int(per_respondent.get(r, 0)) for r in respondent_ids],
        )
    return counts


@settings(max_examples=300, deadline=None)
@given(study_rows())
def test_the_rollup_counts_as_pandas_does(rows):
    rollup = build_rollup(rows)
    expected = _pandas_counts(rows)

    for summary, matrix_row in zip(rollup.themes, rollup.matrix, strict=True):
        excerpts, respondents, per_respondent = expected[summary.id]
        assert summary.excerpt_ids == excerpts
        assert summary.respondent_ids == respondents
        assert summary.total == len(rows.respondents)
        assert matrix_row == per_respondent

"""The memos page in the benchmark: its fill step and its key
(devtools/benchmark/themes_memos.py)."""

from __future__ import annotations

import random

from coding.models import CodeMemo, Excerpt
from devtools.benchmark import registry
from devtools.benchmark.scratch import Scratch, Sizes
from interviews import memos
from interviews.models import InterviewMemo, JournalEntry
from tests.conftest import client_for
from themes.models import ThemeMemo


def test_the_memos_page_is_measured_after_the_themes_are_filled():
    # As the benchmark loads the areas: every module of the package, by name.
    registry.load_areas()
    assert "memos_page" in registry.REQUESTS
    steps = [f"{step.__module__}.{step.__name__}" for step in registry.FILL_STEPS]
    # Theme memos need the themes: the themes' step runs first.
    assert steps.index("devtools.benchmark.themes.themes") < steps.index(
        "devtools.benchmark.themes_memos.memos"
    )


def test_the_fill_step_writes_every_kind_of_memo(study, themed, owner):
    registry.load_areas()
    from devtools.benchmark.themes_memos import EXCERPT_SHARE, memos

    excerpts = Excerpt.objects.filter(interview__study=study).count()
    scratch = Scratch(
        sizes=Sizes(),
        rng=random.Random(1),
        study=study,
        owner=owner,
        code_ids=list(study.codes.values_list("id", flat=True)),
        interviews=list(study.interviews.all()),
        taken={},
    )
    memos(scratch)
    assert JournalEntry.objects.filter(study=study).count() == 3
    assert InterviewMemo.objects.count() == 3
    assert CodeMemo.objects.count() == 2 * 2
    assert ThemeMemo.objects.count() == 2 * 2
    memoed = Excerpt.objects.exclude(memo="")
    assert memoed.count() == excerpts // EXCERPT_SHARE
    # R3 is withdrawn in `themed`: the page leaves out its interview's memo (3 + 2) and any
    # memo on its excerpts, as the exports do.
    counted = memoed.filter(interview__respondent__withdrawn_at__isnull=True).count()
    html = client_for(owner).get(f"/studies/{study.slug}/memos/").content.decode()
    assert f"<strong>{3 + 2 + 4 + 4 + counted}</strong> memos" in html


def test_the_memos_document_is_measured_by_itself(study, themed, owner):
    registry.load_areas()
    from devtools.benchmark.themes_memos import measure_memos_docx
    from themes.exports import memos_docx

    memos.memo_create(model=JournalEntry, author=owner, body="Decided to merge.", study=study)
    assert "memos_docx" in registry.ONCE
    result = measure_memos_docx(study, runs=2)
    assert result["bytes"] == len(memos_docx(study=study))
    # the UNION of the five kinds of memo (no excerpt has a memo: no words to read)
    assert result["queries"] == 1
    assert 0 < result["median_ms"] <= result["p95_ms"]
    assert result["target_ms"] == 5000

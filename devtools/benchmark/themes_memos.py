"""The memos page's measurements: the page of a study full of memos (memos_page) and its
memos .docx (memos_docx).

Named to sort after themes.py: fill steps run in the order of the modules' names, and the
memos on themes need the themes that step makes.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from coding.models import CodeMemo, Excerpt
from devtools.benchmark.measuring import Session, time_call
from devtools.benchmark.registry import fill_step, once, page
from devtools.benchmark.scratch import Scratch, study_in_subprocess
from interviews.models import InterviewMemo, JournalEntry
from themes.models import Theme, ThemeMemo

# What a researcher's memos say, in turn (words to search, of the lengths memos have).
SAYINGS = [
    "Decided to split support into colleagues and supervisors after the third interview.",
    "I expected burnout here; check whether that expectation shaped the follow-up questions.",
    "Doubt: is stigma a theme of its own, or part of the relationships with clients?",
    "Respondent hesitated before answering; note the long pause and the change of topic.",
    "Compare with the abstinence-based programme described earlier; same agency, other team.",
    "This passage is the clearest statement of harm reduction as meeting people where they are.",
]
# One excerpt in this many carries a memo; each interview one memo and a journal entry;
# each code and theme two memos.
EXCERPT_SHARE = 10


def _memos(model, scratch: Scratch, name: str, targets, per_target: int) -> None:
    """`per_target` memos of `model` on each of `targets` (its field `name`)."""
    rng, now = scratch.rng, timezone.now()
    model.objects.bulk_create(
        model(
            author=scratch.owner,
            body=rng.choice(SAYINGS),
            created_at=now - timedelta(minutes=rng.randrange(60 * 24 * 180)),
            **{name: target},
        )
        for target in targets
        for _ in range(per_target)
    )


@fill_step
def memos(scratch: Scratch) -> None:
    """Memos of every kind, in the proportions of a well-kept study: a memo on one excerpt
    in ten (2,000 at the default scale), a journal entry and a memo per interview, two memos
    per code and per theme; written over half a year, newest first on the page."""
    study, rng = scratch.study, scratch.rng
    _memos(JournalEntry, scratch, "study", [study] * len(scratch.interviews), 1)
    _memos(InterviewMemo, scratch, "interview", scratch.interviews, 1)
    _memos(CodeMemo, scratch, "code_id", scratch.code_ids, 2)
    _memos(ThemeMemo, scratch, "theme", list(Theme.objects.filter(study=study)), 2)
    excerpt_ids = list(Excerpt.objects.filter(interview__study=study).values_list("id", flat=True))
    chosen = rng.sample(excerpt_ids, len(excerpt_ids) // EXCERPT_SHARE)
    # One UPDATE per saying, in slices: SQLite allows at most 32,766 parameters.
    for n, saying in enumerate(SAYINGS):
        ids = chosen[n :: len(SAYINGS)]
        for start in range(0, len(ids), 10_000):
            Excerpt.objects.filter(pk__in=ids[start : start + 10_000]).update(
                memo=saying, memo_by=scratch.owner, memo_at=timezone.now()
            )


page("memos_page", "memos")


# The memos .docx at the default scale: 16 to 18 s under a load of 6 before its paragraphs
# were added without python-docx's per-paragraph style lookup (themes.exports._paragraph).
DOCX_TARGET_MS = 5000
DOCX_RUNS = 3


def measure_memos_docx(study, runs: int = DOCX_RUNS) -> dict:
    """`runs` builds of the study's memos .docx (themes.exports.memos_docx) after a warm-up:
    median and p95 ms, queries and peak MB of one build (measuring.time_call), the file's
    size in bytes and the target in ms."""
    # Imported here: the benchmark's other processes need nothing of python-docx.
    from themes.exports import memos_docx

    sizes = []

    def build(study) -> None:
        sizes.append(len(memos_docx(study=study)))

    return {**time_call(build, study, runs), "bytes": max(sizes), "target_ms": DOCX_TARGET_MS}


@once("memos_docx")
def memos_document(session: Session) -> dict:
    """The scratch study's memos .docx, built in a subprocess of its own (a few times only:
    one takes seconds, and the pages are timed hundreds of times)."""
    target = "devtools.benchmark.themes_memos.measure_memos_docx"
    return study_in_subprocess(session.env, session.workdir, "memos_docx", target)

"""The scratch study the benchmark measures: its sizes, its environment, and filling it.

A scratch SQLite file in a temporary directory is migrated and filled by subprocesses that
read its path from EXCERPTA_SQLITE_PATH (settings are read once per process, so a subprocess
is the clean way to point Django at another file); the user's database is never touched.
`fill` creates the study, its codebook, interviews and excerpts in bulk, in the shapes the
importer and the coding page produce, then runs every area's registered fill step
(registry.py), each with a random generator of its own so that one area's step never
changes another's data. The plan it returns (a JSON-able dict) is what the requests need.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from coding.models import Code, Coding, Excerpt
from coding.palette import PALETTE
from devtools.benchmark import registry
from interviews.models import (
    Interview,
    Membership,
    ProtocolQuestion,
    QuestionSegment,
    Respondent,
    Role,
    Study,
)
from interviews.segmentation import find_segments
from interviews.text import normalise
from interviews.turns import Turn, find_turns

# Requests sent before timing each measurement: they load templates, fill Django's caches
# and SQLite's page cache, so the timed requests see a warmed-up server as users do.
WARMUP = 20
# Untimed requests, after the timed ones, that report the peak memory (tracing slows Python
# down several times over, so it never runs while timing). They are sent to a server of
# their own (measuring.trace_memory), warmed up first by TRACE_WARMUP requests of each.
MEMORY_REQUESTS = 3
TRACE_WARMUP = 2
SEED = 20250303


USERNAME = "bench-owner"
PASSWORD = "bench-owner-password"
SLUG = "benchmark"
# Fixed so that the settings never generate one under var/; it protects nothing.
SECRET_KEY = "benchmark-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

# Ordinary words, plus some whose code points differ from their UTF-16 units or UTF-8 bytes
# (é, ñ, an emoji outside the BMP, CJK), so that offsets are exercised as real data does.
_VOCABULARY_TEXT = """
a about after again agency all also always and anything are around as at back because been
before being bed better but by call can case caseload change client clients colleagues come
could day days did didn't do doing don't done drinking every everybody family feel felt first
for from get give go going good got had harm has have he help her here him his home honestly
housed how i i'm if in into is it it's just keep kind know last like little look lot made
make maybe me meeting more most much my need never next nobody not now of okay on one only or
other our out over people place plan pretty really reduction right said same say see she
should since so some someone something staff start still stress support sure talk team tell
than that that's the their them then there they thing things think this time to told too
treatment trust try two up us used using very visit want was way we week well went were what
when where which who why will with work worked working would yeah year years yes you your
"""
VOCABULARY = _VOCABULARY_TEXT.split()
SPECIAL_WORDS = ["café", "niño", "señora", "résumé", "naïve", "Zürich", "😀", "日本語"]
# The protocol, fixed here rather than read from the demo study so that results stay
# comparable when the demo changes. Its own words are what segmentation matches on.
PROTOCOL = [
    "How long have you been implementing harm reduction in your practice?",
    "In your experience, what type of client does harm reduction work best for?",
    "How did you get involved in using harm reduction with clients? What is it like for you?",
    "How has your use of harm reduction strategies evolved over time?",
    "What sort of support do you get for your work, from colleagues or outside work?",
    "Do you find this support adequate? How is it helpful? How is it lacking?",
    "How do you find harm reduction different from abstinence-based strategies?",
    "How much contact do you have with your clients, face to face or by phone?",
    "How does your agency measure client success in regards to chemical addiction?",
    "Does using harm reduction affect your level of stress?",
    "What are your personal ethics regarding harm reduction?",
]
PROBES = [
    "Can you say more about that?",
    "What happened then?",
    "Could you give me an example?",
    "And how did that go?",
    "Mm-hm. Go on.",
    "What was that like for you?",
]
ANSWER_PARAGRAPHS = (1, 4)
PARAGRAPH_WORDS = (15, 70)
EXCERPT_WORDS = (2, 40)
SELECTION_WORDS = (2, 6)
_WORD = re.compile(r"\S+")
_ALL_WORDS = VOCABULARY + SPECIAL_WORDS
_CUMULATIVE_WEIGHTS = list(
    accumulate(
        [1.0] * len(VOCABULARY) + [len(VOCABULARY) / 30 / len(SPECIAL_WORDS)] * len(SPECIAL_WORDS)
    )
)


class BenchmarkError(Exception):
    """The benchmark could not run; the message says why."""


Log = Callable[[str], None]


def stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Sizes:
    interviews: int = 200
    words: int = 8000
    excerpts: int = 20000
    codes: int = 60
    requests: int = 200

    def check(self) -> None:
        if self.interviews < 3:
            raise BenchmarkError("--interviews must be at least 3: two measured, one to code.")
        if self.excerpts < self.interviews:
            raise BenchmarkError("--excerpts must be at least --interviews.")
        if self.words < 100:
            raise BenchmarkError("--words must be at least 100.")
        if self.codes < 1 or self.requests < 1:
            raise BenchmarkError("--codes and --requests must be at least 1.")

    @property
    def measured(self) -> tuple[int, int]:
        """Excerpts in the two measured interviews: 100 and 400, scaled down for tiny runs."""
        return min(100, self.excerpts // 4), min(400, self.excerpts // 2)

    def excerpt_counts(self) -> list[int]:
        """Excerpts per interview: the measured two first, the rest spread evenly."""
        small, large = self.measured
        rest, others = self.excerpts - small - large, self.interviews - 2
        return [small, large] + [rest // others + int(i < rest % others) for i in range(others)]


def scratch_env(workdir: Path) -> dict[str, str]:
    """The environment of every subprocess: the scratch database and nothing of the user's.

    Every EXCERPTA_* variable and DATABASE_URL is dropped (a PostgreSQL URL from the test
    suite, or EXCERPTA_SECURE=1 from a server, would measure something else), then only what
    the benchmark needs is set. EXCERPTA_VAR_DIR keeps even stray writes out of var/.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("EXCERPTA_") and name != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        EXCERPTA_SQLITE_PATH=str(workdir / "benchmark.sqlite3"),
        EXCERPTA_VAR_DIR=str(workdir),
        EXCERPTA_SECRET_KEY=SECRET_KEY,
        EXCERPTA_DEVTOOLS="1",
        EXCERPTA_MEASUREMENT_HEADERS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


# Building the scratch study -------------------------------------------------------------


@dataclass
class Scratch:
    """The study being filled, as fill steps receive it. A step adds rows in bulk and writes
    what its requests need into `plan` (ids and strings only: it is saved as JSON)."""

    sizes: Sizes
    rng: random.Random
    study: Study
    owner: object
    code_ids: list[int]
    interviews: list[Interview]
    # The (start, end) spans of the excerpts already made, by interview id: a new excerpt on
    # one of them would add codes to it rather than create one.
    taken: dict[int, set[tuple[int, int]]]
    plan: dict = field(default_factory=dict)

    @property
    def requests_per_measurement(self) -> int:
        """Warm-up, timed and memory-traced requests (with their server's warm-up): what a
        request measurement sends."""
        return WARMUP + self.sizes.requests + TRACE_WARMUP + MEMORY_REQUESTS


def build(sizes: Sizes, workdir: Path, env: dict[str, str], log: Log) -> dict:
    """Migrate the scratch database and fill it, each in a subprocess; returns the plan."""
    started = time.perf_counter()
    log(f"Migrating a scratch database in {workdir}")
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    run_subprocess([sys.executable, manage, "migrate", "--noinput", "-v", "0"], env, "migrate")
    log(
        f"Filling it: {sizes.interviews} interviews of {sizes.words} words, "
        f"{sizes.excerpts} excerpts, {sizes.codes} codes"
    )
    plan_path = workdir / "plan.json"
    # Django must be set up before this module is imported (it imports models).
    code = (
        "import django; django.setup(); "
        "from devtools.benchmark.scratch import fill_main; fill_main()"
    )
    arguments = [json.dumps(asdict(sizes)), str(plan_path)]
    run_subprocess([sys.executable, "-c", code, *arguments], env, "fill")
    log(f"Built in {time.perf_counter() - started:.1f} s")
    return json.loads(plan_path.read_text())


def run_subprocess(command: list[str], env: dict[str, str], name: str) -> None:
    """Run `command` in the project's directory; BenchmarkError with its stderr if it fails."""
    done = subprocess.run(
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchmarkError(f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}")


def study_in_subprocess(env: dict[str, str], workdir: Path, key: str, target: str) -> dict:
    """Run `target` ("package.module.function": a function of the scratch Study returning a
    JSON-able dict) once, in a subprocess of its own on the scratch database; returns its
    dict. For measurements too slow to time as often as the calls (an export, an import).
    Raises BenchmarkError with the subprocess's stderr when it fails."""
    out = workdir / f"{key}.json"
    code = (
        "import django; django.setup(); "
        "from devtools.benchmark.scratch import study_main; study_main()"
    )
    run_subprocess([sys.executable, "-c", code, target, str(out)], env, key)
    return json.loads(out.read_text())


def study_main() -> None:
    """Entry point of study_in_subprocess: the function's dotted name, where to write."""
    module, _, function = sys.argv[1].rpartition(".")
    result = getattr(importlib.import_module(module), function)(Study.objects.get(slug=SLUG))
    Path(sys.argv[2]).write_text(json.dumps(result))


def fill_main() -> None:
    """Entry point of the fill subprocess: sizes as JSON, then where to write the plan."""
    registry.load_areas()
    sizes = Sizes(**json.loads(sys.argv[1]))
    plan = fill(sizes, random.Random(SEED))
    Path(sys.argv[2]).write_text(json.dumps(plan))


@transaction.atomic
def fill(sizes: Sizes, rng: random.Random) -> dict:
    """Create the study in bulk, then run every registered fill step; returns the plan."""
    owner = get_user_model().objects.create_user(username=USERNAME, password=PASSWORD)
    study = Study.objects.create(
        title="Benchmark study",
        slug=SLUG,
        attribute_schema=[{"name": "Years of experience", "type": "number"}],
    )
    Membership.objects.create(study=study, user=owner, role=Role.OWNER)
    questions = ProtocolQuestion.objects.bulk_create(
        ProtocolQuestion(study=study, number=n, text=text)
        for n, text in enumerate(PROTOCOL, start=1)
    )
    code_ids = _codes(study, sizes.codes, rng)
    interviews = _interviews(study, owner, questions, sizes, rng)
    taken = _excerpts(interviews, sizes.excerpt_counts(), code_ids, owner, rng)
    plan = {"slug": study.slug, "username": USERNAME, "password": PASSWORD}
    for step in registry.FILL_STEPS:
        step_rng = random.Random(f"{SEED}:{step.__module__}.{step.__qualname__}")
        scratch = Scratch(sizes, step_rng, study, owner, code_ids, interviews, taken, plan)
        step(scratch)
    return plan


def _codes(study: Study, count: int, rng: random.Random) -> list[int]:
    """The codebook: a quarter top-level codes, the rest nested under an earlier code."""
    colours = list(PALETTE.values())
    ids: list[int] = []
    for n in range(count):
        parent = rng.choice(ids) if n >= max(1, count // 4) else None
        code = Code.objects.create(
            study=study,
            parent_id=parent,
            name=f"Code {n + 1:03d} {rng.choice(VOCABULARY)}",
            colour=colours[n % len(colours)],
            definition=sentence(rng, 20),
            order=n + 1,
        )
        ids.append(code.pk)
    return ids


def _interviews(study, owner, questions, sizes: Sizes, rng: random.Random) -> list[Interview]:
    respondents = Respondent.objects.bulk_create(
        Respondent(
            study=study,
            pseudonym=f"R{n}",
            attributes={"Years of experience": rng.randint(1, 30)},
        )
        for n in range(1, sizes.interviews + 1)
    )
    texts = [q.text for q in questions]
    interviews = [
        _interview(study, owner, respondent, texts, sizes.words, n, rng)
        for n, respondent in enumerate(respondents)
    ]
    Interview.objects.bulk_create(interviews)
    QuestionSegment.objects.bulk_create(
        QuestionSegment.of(interview, questions, span)
        for interview in interviews
        for span in find_segments(interview.text, _turns(interview), texts)
    )
    return interviews


def _interview(study, owner, respondent, questions, words, n, rng) -> Interview:
    """One interview as interviews.services.interview_import would store it."""
    text = normalise(_transcript(rng, respondent.pseudonym, questions, words))
    interview = Interview(
        study=study,
        respondent=respondent,
        conducted_on=date(2025, 3, 3) + timedelta(days=n),
        source_name=f"{respondent.pseudonym}-interview.txt",
        source_encoding="UTF-8",
        imported_by=owner,
    )
    interview.set_text(text)
    interview.turns = [list(t) for t in find_turns(text, [respondent.pseudonym])]
    return interview


def _turns(interview: Interview) -> list[Turn]:
    return [Turn(*row) for row in interview.turns]


def _transcript(rng: random.Random, pseudonym: str, questions: list[str], words: int) -> str:
    """Alternating turns of `words` words in all (labels included, as word_count counts
    them): each question once, in order, with probes between, answers of a few paragraphs."""
    turns, count, asked = [], 0, 0
    while count < words:
        # Question k is due once k/len(questions) of the words are written.
        if asked < len(questions) and count >= asked * words / len(questions):
            question, asked = questions[asked], asked + 1
        else:
            question = rng.choice(PROBES)
        budget = max(1, words - count - len(question.split()) - 2)
        answer = _answer(rng, budget)
        turns += [f"Interviewer: {question}", f"{pseudonym}: {answer}"]
        count += len(question.split()) + len(answer.split()) + 2
    return "\n\n".join(turns)


def _answer(rng: random.Random, budget: int) -> str:
    """A few paragraphs, at most `budget` words: the last answer fills the transcript up."""
    paragraphs = []
    for _ in range(rng.randint(*ANSWER_PARAGRAPHS)):
        size = min(rng.randint(*PARAGRAPH_WORDS), budget)
        paragraphs.append(sentence(rng, size))
        budget -= size
        if budget <= 0:
            break
    return "\n\n".join(paragraphs)


def sentence(rng: random.Random, count: int) -> str:
    """A sentence of `count` words; one word in about 30 is one of SPECIAL_WORDS."""
    words = rng.choices(_ALL_WORDS, cum_weights=_CUMULATIVE_WEIGHTS, k=count)
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def answer_words(interview: Interview) -> list[list[tuple[int, int]]]:
    """The (start, end) of every word of every answer: where excerpts begin and end."""
    answers = []
    for turn in _turns(interview):
        if not turn.is_interviewer:
            spans = [m.span() for m in _WORD.finditer(interview.text, turn.label_end, turn.end)]
            if spans:
                answers.append(spans)
    return answers


def _excerpts(interviews, counts, code_ids, owner, rng) -> dict[int, set]:
    """Bulk-create the excerpts with 1 to 3 codes each; returns the spans taken, by interview."""
    taken, excerpts = {}, []
    for interview, count in zip(interviews, counts, strict=True):
        spans = _excerpt_spans(rng, answer_words(interview), count)
        taken[interview.pk] = set(spans)
        excerpts += [
            Excerpt(interview=interview, coder=owner, start=s, end=e, text=interview.text[s:e])
            for s, e in spans
        ]
    Excerpt.objects.bulk_create(excerpts, batch_size=2000)
    Coding.objects.bulk_create(
        (
            Coding.of(excerpt=excerpt, code_id=code_id, coder=owner)
            for excerpt in excerpts
            for code_id in rng.sample(code_ids, rng.randint(1, min(3, len(code_ids))))
        ),
        batch_size=2000,
    )
    return taken


def _excerpt_spans(rng: random.Random, answers: list, count: int) -> list[tuple[int, int]]:
    """`count` distinct word-aligned spans inside answers; a third of them nested in or
    crossing an earlier one, as coders' excerpts overlap."""
    chosen: list[tuple[int, int, int]] = []  # (answer, first word, last word)
    spans: dict[tuple[int, int], None] = {}
    for _ in range(count * 100):
        if len(chosen) == count:
            return list(spans)
        if chosen and rng.random() < 1 / 3:
            a, i, j = _overlapping(rng, answers, rng.choice(chosen))
        else:
            a = rng.randrange(len(answers))
            i = rng.randrange(len(answers[a]))
            j = min(len(answers[a]) - 1, i + rng.randint(*EXCERPT_WORDS) - 1)
        span = (answers[a][i][0], answers[a][j][1])
        if span not in spans:
            spans[span] = None
            chosen.append((a, i, j))
    raise BenchmarkError(f"Could not place {count} distinct excerpts; use more --words.")


def _overlapping(rng, answers, excerpt) -> tuple[int, int, int]:
    """A span nested in `excerpt`, or one that starts inside it and ends after it."""
    a, i, j = excerpt
    first = rng.randint(i, j)
    if rng.random() < 0.5:
        return a, first, rng.randint(first, j)
    return a, first, min(len(answers[a]) - 1, j + rng.randint(1, 15))


def free_span(rng: random.Random, answers, taken: set) -> tuple[int, int]:
    """A new span of a few words (SELECTION_WORDS) in one of `answers` (answer_words), not
    in `taken`; added to `taken`. Raises BenchmarkError when none can be found."""
    # A selection equal to an existing excerpt would add codes to it rather than create one.
    for _ in range(1000):
        words = rng.choice(answers)
        i = rng.randrange(len(words))
        j = min(len(words) - 1, i + rng.randint(*SELECTION_WORDS) - 1)
        span = (words[i][0], words[j][1])
        if span not in taken:
            taken.add(span)
            return span
    raise BenchmarkError("Could not find a new selection for apply_code; use more --words.")

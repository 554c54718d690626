"""`manage.py benchmark`: time the pages that matter on a big synthetic study, over HTTP.

The run has four stages, each in its own process so that the user's database is never
touched: a scratch SQLite file is migrated and filled by subprocesses that read its path
from EXCERPTA_SQLITE_PATH (settings are read once per process, so a subprocess is the clean
way to point Django at another file); gunicorn serves it exactly as `make run` serves the
real one; this process drives gunicorn over HTTP as a browser would, timing each request
and reading the number of SQL queries and the peak memory from the headers that
config/measurement.py adds; and a last subprocess times the roll-up function by itself.

Adding a measurement is one entry in MEASUREMENTS: a key and a function that makes one
request. Anything that function needs from the study goes into the plan written by `fill`.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from itertools import accumulate
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse

from coding.models import Code, Coding, Excerpt
from coding.palette import PALETTE
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
from themes.models import Quote, Theme
from themes.rollup import study_rollup

# Requests sent before timing each measurement: they load templates, fill Django's caches
# and SQLite's page cache, so the timed requests see a warmed-up server as users do.
WARMUP = 20
# Untimed requests, after the timed ones, that report the peak memory (tracing slows Python
# down several times over, so it never runs while timing).
MEMORY_REQUESTS = 3
# The roll-up is a function call without templates to load: a few calls warm it up.
ROLLUP_WARMUP = 3
# apply_code spreads its new excerpts over this many interviews (the measured pages excluded).
APPLY_CODE_INTERVIEWS = 8
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


def _stderr(message: str) -> None:
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


# The whole run --------------------------------------------------------------------------


def run(sizes: Sizes, *, keep: bool = False, log: Log = _stderr) -> dict[str, dict]:
    """Build the scratch study, serve it, measure it; returns the results by measurement."""
    sizes.check()
    workdir = Path(tempfile.mkdtemp(prefix="excerpta-benchmark-"))
    try:
        with _sigterm_as_exit():
            env = scratch_env(workdir)
            plan = build(sizes, workdir, env, log)
            with served(workdir, env, log) as port:
                results = measure(Browser(port), plan, sizes.requests, log)
            results["rollup"] = measure_rollup(workdir, env, sizes.requests, log)
            return results
    finally:
        if keep:
            log(f"Kept the scratch study in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """Turn SIGTERM into SystemExit, so that `finally` stops gunicorn when we are killed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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
        EXCERPTA_MEASUREMENT_HEADERS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


# Building the scratch study -------------------------------------------------------------


@dataclass
class Plan:
    """What the requests need to know about the study `fill` made."""

    slug: str
    username: str
    password: str
    transcript_100: int
    transcript_400: int
    theme: int
    selections: list[dict]
    urls: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.urls = {
            "transcript_100": reverse("interview_code", args=[self.slug, self.transcript_100]),
            "transcript_400": reverse("interview_code", args=[self.slug, self.transcript_400]),
            "codebook": reverse("codebook", args=[self.slug]),
            "themes_page": reverse("themes", args=[self.slug]),
            "theme_page": reverse("theme_detail", args=[self.slug, self.theme]),
            "findings_docx": reverse("export_findings", args=[self.slug]),
            "excerpts_xlsx": reverse("export_excerpts_xlsx", args=[self.slug]),
        }


def build(sizes: Sizes, workdir: Path, env: dict[str, str], log: Log) -> Plan:
    """Migrate the scratch database and fill it, each in a subprocess."""
    started = time.perf_counter()
    log(f"Migrating a scratch database in {workdir}")
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    _subprocess([sys.executable, manage, "migrate", "--noinput", "-v", "0"], env, "migrate")
    log(
        f"Filling it: {sizes.interviews} interviews of {sizes.words} words, "
        f"{sizes.excerpts} excerpts, {sizes.codes} codes"
    )
    plan_path = workdir / "plan.json"
    # Django must be set up before themes.benchmark is imported (it imports models).
    code = "import django; django.setup(); from themes.benchmark import fill_main; fill_main()"
    arguments = [json.dumps(asdict(sizes)), str(plan_path)]
    _subprocess([sys.executable, "-c", code, *arguments], env, "fill")
    log(f"Built in {time.perf_counter() - started:.1f} s")
    return Plan(**json.loads(plan_path.read_text()))


def _subprocess(command: list[str], env: dict[str, str], name: str) -> None:
    done = subprocess.run(
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchmarkError(f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}")


def fill_main() -> None:
    """Entry point of the fill subprocess: sizes as JSON, then where to write the plan."""
    sizes = Sizes(**json.loads(sys.argv[1]))
    plan = fill(sizes, random.Random(SEED))
    Path(sys.argv[2]).write_text(json.dumps(plan))


@transaction.atomic
def fill(sizes: Sizes, rng: random.Random) -> dict:
    """Create the study in bulk, in the shapes the importer and the coding page produce."""
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
    theme = _themes(study, code_ids, rng)
    count = WARMUP + sizes.requests + MEMORY_REQUESTS
    selections = _selections(interviews[2:], taken, code_ids, count, rng)
    return {
        "slug": study.slug,
        "username": USERNAME,
        "password": PASSWORD,
        "transcript_100": interviews[0].pk,
        "transcript_400": interviews[1].pk,
        "theme": theme.pk,
        "selections": selections,
    }


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
            definition=_words(rng, 20),
            order=n + 1,
        )
        ids.append(code.pk)
    return ids


def _themes(study: Study, code_ids: list[int], rng: random.Random) -> Theme:
    """Five themes of three sub-themes each; every code serves one or two of them, and each
    theme has three chosen quotes (as the demo study has). Returns the first theme, whose
    page is measured: it gathers the excerpts of its sub-themes' codes as well as its own."""
    themes = []
    for n in range(5):
        theme = Theme.objects.create(study=study, name=f"Theme {n + 1}", order=n + 1)
        themes.append(theme)
        themes += [
            Theme.objects.create(study=study, parent=theme, name=f"Theme {n + 1}.{k}", order=k)
            for k in range(1, 4)
        ]
    links = {(rng.choice(themes).pk, code_id) for code_id in code_ids}
    links |= {
        (rng.choice(themes).pk, code_id) for code_id in rng.sample(code_ids, len(code_ids) // 3)
    }
    Theme.codes.through.objects.bulk_create(
        Theme.codes.through(theme_id=theme_id, code_id=code_id) for theme_id, code_id in links
    )
    excerpt_ids = list(Excerpt.objects.filter(interview__study=study).values_list("id", flat=True))
    Quote.objects.bulk_create(
        Quote(theme=theme, excerpt_id=excerpt_id, order=k)
        for theme in themes
        for k, excerpt_id in enumerate(rng.sample(excerpt_ids, 3), start=1)
    )
    return themes[0]


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
        paragraphs.append(_words(rng, size))
        budget -= size
        if budget <= 0:
            break
    return "\n\n".join(paragraphs)


def _words(rng: random.Random, count: int) -> str:
    """A sentence of `count` words; one word in about 30 is one of SPECIAL_WORDS."""
    words = rng.choices(_ALL_WORDS, cum_weights=_CUMULATIVE_WEIGHTS, k=count)
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _answer_words(interview: Interview) -> list[list[tuple[int, int]]]:
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
        spans = _excerpt_spans(rng, _answer_words(interview), count)
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


def _selections(interviews, taken, code_ids, count: int, rng) -> list[dict]:
    """New selections of a few words for apply_code, round-robin over a few interviews."""
    targets = interviews[:APPLY_CODE_INTERVIEWS]
    answers = {interview.pk: _answer_words(interview) for interview in targets}
    selections = []
    for n in range(count):
        interview = targets[n % len(targets)]
        start, end = _free_span(rng, answers[interview.pk], taken[interview.pk])
        selections.append(
            {
                "interview": interview.pk,
                "version": interview.version,
                "start": start,
                "end": end,
                "text": interview.text[start:end],
                "code": rng.choice(code_ids),
            }
        )
    return selections


def _free_span(rng, answers, taken: set) -> tuple[int, int]:
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


# Serving it ------------------------------------------------------------------------------


@contextmanager
def served(workdir: Path, env: dict[str, str], log: Log, *, workers: int = 2) -> Iterator[int]:
    """gunicorn on the scratch database, as `make run` starts it (with `workers` processes;
    the load test runs more); stopped however we leave."""
    port = _free_port()
    log_path = workdir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    # The threads of `make run` also give keep-alive: gunicorn's sync worker closes the
    # connection after every response, which no browser would see.
    command += ["--workers", str(workers), "--threads", "4", "--keep-alive", "30"]
    command += ["--log-level", "warning"]
    with open(log_path, "wb") as output:
        # A session of its own: Ctrl+C reaches only us, and we stop it in order below.
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_up(process, port, log_path)
            log(f"gunicorn is serving it on 127.0.0.1:{port} (pid {process.pid})")
            yield port
        finally:
            _stop(process)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise BenchmarkError(f"gunicorn exited ({process.returncode}):\n{tail}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", reverse("login"))
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise BenchmarkError("gunicorn did not answer within 60 seconds.")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM lets the gunicorn master stop its workers; SIGKILL the group if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# Browsing it -----------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float
    queries: int | None
    peak_mb: float | None


class Browser:
    """One keep-alive connection with a cookie jar: what a browser tab does, minus the JS."""

    def __init__(self, port: int) -> None:
        self.origin = f"http://127.0.0.1:{port}"
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, None, headers)

    def post(self, path: str, fields: dict, referer: str, **headers: str) -> Response:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": self.origin + referer,
            "Origin": self.origin,
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
            **headers,
        }
        return self.request("POST", path, urlencode(fields), headers)

    def request(self, method: str, path: str, body: str | None, headers: dict) -> Response:
        headers = {**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        started = time.perf_counter()
        try:
            response, data = self._send(method, path, body, headers)
        except (ConnectionError, http.client.BadStatusLine):
            # The server dropped the idle connection; a browser would reconnect silently.
            self.connection.close()
            response, data = self._send(method, path, body, headers)
        seconds = time.perf_counter() - started
        self._remember(response.headers.get_all("Set-Cookie") or [])
        count, peak = response.getheader("X-Query-Count"), response.getheader("X-Peak-MB")
        return Response(
            response.status,
            data,
            seconds,
            int(count) if count else None,
            float(peak) if peak else None,
        )

    def _send(self, method, path, body, headers):
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response, response.read()

    def _remember(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def login(self, username: str, password: str) -> None:
        path = reverse("login")
        _check("login page", self.get(path))
        fields = {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
        }
        response = self.post(path, fields, referer=path)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise BenchmarkError(f"Logging in failed: HTTP {response.status}.")


def _check(key: str, response: Response) -> Response:
    if response.status != 200:
        start = response.body[:800].decode("utf-8", errors="replace")
        raise BenchmarkError(f"{key}: HTTP {response.status}:\n{start}")
    return response


# Measuring it ----------------------------------------------------------------------------


def apply_code(browser: Browser, plan: Plan, n: int, **headers: str) -> Response:
    """Code a new selection with one code, as the coding page's picker does (htmx)."""
    selection = plan.selections[n]
    coding_page = reverse("interview_code", args=[plan.slug, selection["interview"]])
    fields = {key: selection[key] for key in ("start", "end", "text", "version", "code")}
    path = reverse("excerpt_create", args=[plan.slug, selection["interview"]])
    return browser.post(path, fields, referer=coding_page, **{"HX-Request": "true"}, **headers)


def page(name: str) -> Callable[..., Response]:
    """A full-page GET (or a download) of one of the plan's URLs."""
    return lambda browser, plan, n, **headers: browser.get(plan.urls[name], **headers)


MEASUREMENTS: list[tuple[str, Callable[..., Response]]] = [
    ("apply_code", apply_code),
    ("transcript_100", page("transcript_100")),
    ("transcript_400", page("transcript_400")),
    ("codebook", page("codebook")),
    ("themes_page", page("themes_page")),
    ("theme_page", page("theme_page")),
    ("findings_docx", page("findings_docx")),
    ("excerpts_xlsx", page("excerpts_xlsx")),
]


def measure(browser: Browser, plan: Plan, requests: int, log: Log) -> dict[str, dict]:
    """Warm every measurement up, then time them in rounds, one request of each per round,
    then send a few untimed requests of each that report their peak memory.

    Interleaving keeps the figures comparable on a machine whose speed drifts (a shared
    virtual machine can halve its speed for a minute): a slow spell slows every measurement
    alike instead of whichever one happened to be running.
    """
    browser.login(plan.username, plan.password)
    log(f"Warming up: {WARMUP} requests of each measurement")
    for n in range(WARMUP):
        for key, make_request in MEASUREMENTS:
            _check(key, make_request(browser, plan, n))
    log(f"Timing {requests} rounds of {', '.join(key for key, _ in MEASUREMENTS)}")
    timed: dict[str, list[Response]] = {key: [] for key, _ in MEASUREMENTS}
    for n in range(requests):
        for key, make_request in MEASUREMENTS:
            timed[key].append(_check(key, make_request(browser, plan, WARMUP + n)))
    log(f"Tracing the memory of {MEMORY_REQUESTS} more requests of each")
    peaks: dict[str, list[float]] = {key: [] for key, _ in MEASUREMENTS}
    for n in range(WARMUP + requests, WARMUP + requests + MEMORY_REQUESTS):
        for key, make_request in MEASUREMENTS:
            response = _check(key, make_request(browser, plan, n, **{"X-Measure-Memory": "1"}))
            if response.peak_mb is None:
                raise BenchmarkError(f"{key}: no X-Peak-MB header; is the middleware enabled?")
            peaks[key].append(response.peak_mb)
    return {key: summarise(key, responses, peaks[key], log) for key, responses in timed.items()}


def summarise(key: str, responses: list[Response], peaks: list[float], log: Log) -> dict:
    """Median and 95th percentile (nearest rank) in ms, the largest query count, and the
    largest peak of memory allocated while serving one request."""
    counts = [response.queries for response in responses]
    if None in counts:
        raise BenchmarkError(f"{key}: no X-Query-Count header; is the middleware enabled?")
    if len(set(counts)) > 1:
        log(f"warning: {key}: the number of queries varied: {sorted(set(counts))}")
    return {
        **_timings([r.seconds for r in responses]),
        "queries": max(counts),
        "peak_mb": max(peaks),
    }


def _timings(seconds: list[float]) -> dict:
    times = sorted(s * 1000 for s in seconds)
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[math.ceil(0.95 * len(times)) - 1], 2),
    }


# Timing the roll-up by itself -------------------------------------------------------------


def measure_rollup(workdir: Path, env: dict[str, str], requests: int, log: Log) -> dict:
    """Time `study_rollup` in a subprocess on the scratch database, as the pages call it."""
    log(f"Timing {requests} calls of the roll-up function")
    out = workdir / "rollup.json"
    code = "import django; django.setup(); from themes.benchmark import rollup_main; rollup_main()"
    _subprocess([sys.executable, "-c", code, str(requests), str(out)], env, "rollup")
    return json.loads(out.read_text())


def rollup_main() -> None:
    """Entry point of the roll-up subprocess: how many calls to time, where to write them."""
    requests, out = int(sys.argv[1]), Path(sys.argv[2])
    study = Study.objects.get(slug=SLUG)
    for _ in range(ROLLUP_WARMUP):
        study_rollup(study)
    seconds, counts = [], set()
    for _ in range(requests):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            study_rollup(study)
            seconds.append(time.perf_counter() - started)
        counts.add(count)
    peaks = []
    for _ in range(MEMORY_REQUESTS):
        tracemalloc.start()
        try:
            study_rollup(study)
            peaks.append(round(tracemalloc.get_traced_memory()[1] / 2**20, 2))
        finally:
            tracemalloc.stop()
    result = {**_timings(seconds), "queries": max(counts), "peak_mb": max(peaks)}
    out.write_text(json.dumps(result))

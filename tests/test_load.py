"""The races of a team server, fired at a real one: gunicorn with several worker processes
on a free loopback port, serving the test database (PostgreSQL under ./.ci/with-postgres,
else the SQLite file), and many identical requests sent at the same moment by threads with
logged-in sessions.

Any answer of 500 or more fails, and so does any lost or doubled write: the final state
must be the one a single user would have left. The short run (REQUESTS each) is part of
`make test`; the full size (FULL_REQUESTS, as measured in issue #8) is marked slow:

    ./.ci/with-postgres .venv/bin/pytest -m slow tests/test_load.py
"""

from __future__ import annotations

import statistics
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from coding import services as coding
from coding.models import Code, Coding, Excerpt
from devtools.benchmark.scratch import scratch_env
from devtools.benchmark.serving import Browser, Response, served
from interviews import services as interviews
from interviews.models import ProtocolQuestion, Role
from tests.conftest import make_user
from themes.models import Quote, Theme

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 16
FULL_REQUESTS = 80
# Several processes, so that the races cross processes and connections, not only threads.
WORKERS = 4


@dataclass
class Race:
    """`requests` identical (or numbered) POSTs sent at once, and the check of what they
    left: `lost` returns a sentence for each write that is missing or doubled."""

    name: str
    path: str
    referer: str
    fields: object  # a dict, or a function of the request's number giving one
    lost: object


def server_env(workdir: Path) -> dict[str, str]:
    """The server's environment: the test database and the test's secret key (the sessions
    made here are signed with it), nothing else of the caller's."""
    env = scratch_env(workdir)
    env.pop("EXCERPTA_MEASUREMENT_HEADERS")
    env["EXCERPTA_SECRET_KEY"] = settings.SECRET_KEY
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        env["EXCERPTA_SQLITE_PATH"] = str(database["NAME"])
    else:
        user = quote(database["USER"] or "", safe="")
        password = quote(database["PASSWORD"] or "", safe="")
        login = f"{user}:{password}" if password else user
        host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
        env["DATABASE_URL"] = f"postgres://{login}@{host}/{quote(database['NAME'], safe='')}"
    return env


def sessions(users) -> list[dict[str, str]]:
    """Cookies of a logged-in session per user, with a CSRF token the POSTs repeat."""
    jars = []
    for user in users:
        client = Client()
        client.force_login(user)
        jars.append(
            {
                settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
                settings.CSRF_COOKIE_NAME: get_random_string(32),
            }
        )
    return jars


def fire(port: int, jars: list[dict], race: Race, requests: int) -> list[Response]:
    """Send the race's requests all at once, each on its own keep-alive connection."""
    browsers = []
    for n in range(requests):
        browser = Browser(port)
        browser.cookies = dict(jars[n % len(jars)])
        browser.connection.connect()
        browsers.append(browser)
    barrier = threading.Barrier(requests)

    def send(n: int) -> Response:
        fields = race.fields(n) if callable(race.fields) else race.fields
        barrier.wait(timeout=60)
        try:
            return browsers[n].post(race.path, fields, race.referer, **{"HX-Request": "true"})
        finally:
            browsers[n].connection.close()

    with ThreadPoolExecutor(max_workers=requests) as pool:
        return list(pool.map(send, range(requests)))


def races(study, themed) -> list[Race]:
    """The races issue #8 measured, and their relatives: one coding, one excerpt, one quote,
    every question and code saved with a number of its own."""
    slug = study.slug
    first, second, _ = themed["excerpts"]
    r1 = themed["interviews"][0]
    coding_page = reverse("interview_code", args=[slug, r1.pk])
    extra = coding.code_create(study=study, name="Peer support")
    phrase = "They come back"
    start = r1.text.index(phrase)
    selection = {
        "start": start,
        "end": start + len(phrase),
        "text": phrase,
        "version": r1.version,
        "code": extra.pk,
    }
    training = themed["training"]
    questions_before = ProtocolQuestion.objects.filter(study=study).count()
    codes_before = Code.objects.filter(study=study).count()
    themes_before = Theme.objects.filter(study=study).count()

    def one_coding():
        count = Coding.objects.filter(excerpt=first, code=extra).count()
        return [] if count == 1 else [f"the excerpt carries the code {count} times, not once"]

    def one_excerpt():
        made = Excerpt.objects.filter(interview=r1, start=start, end=start + len(phrase))
        codings = Coding.objects.filter(excerpt__in=made, code=extra).count()
        if made.count() == 1 and codings == 1:
            return []
        return [f"{made.count()} excerpts with {codings} codings, not one of each"]

    def one_quote():
        count = Quote.objects.filter(theme=training, excerpt=second).count()
        return [] if count == 1 else [f"the quote was chosen {count} times, not once"]

    def numbered(model, before, noun, field="order"):
        def check(requests):
            rows = model.objects.filter(study=study)
            numbers = list(rows.values_list(field, flat=True))
            problems = []
            if len(numbers) != before + requests:
                problems.append(f"{before + requests - len(numbers)} {noun}s were not saved")
            if len(set(numbers)) != len(numbers):
                problems.append(f"{len(numbers) - len(set(numbers))} {noun}s share a number")
            return problems

        return check

    return [
        Race(
            "the same code added to one excerpt",
            reverse("excerpt_codes_add", args=[slug, first.pk]),
            coding_page,
            {"code": extra.pk},
            lambda requests: one_coding(),
        ),
        Race(
            "the same selection coded",
            reverse("excerpt_create", args=[slug, r1.pk]),
            coding_page,
            selection,
            lambda requests: one_excerpt(),
        ),
        Race(
            "a protocol question added",
            reverse("protocol", args=[slug]),
            reverse("protocol", args=[slug]),
            lambda n: {"text": f"Load question {n}?"},
            numbered(ProtocolQuestion, questions_before, "question", field="number"),
        ),
        Race(
            "the same quote chosen",
            reverse("quote_toggle", args=[slug, training.pk, second.pk]),
            reverse("theme_detail", args=[slug, training.pk]),
            {"choose": "1"},
            lambda requests: one_quote(),
        ),
        Race(
            "a code created",
            reverse("codebook", args=[slug]),
            reverse("codebook", args=[slug]),
            # Confirmed: "Load code 2" looks like "Load code 1", and the codebook asks about
            # a name like another code's first; the race is about making them at once.
            lambda n: {"name": f"Load code {n}", "confirm_new": "on"},
            numbered(Code, codes_before, "code"),
        ),
        Race(
            "a theme created",
            reverse("themes", args=[slug]),
            reverse("themes", args=[slug]),
            lambda n: {"name": f"Load theme {n}"},
            numbered(Theme, themes_before, "theme"),
        ),
    ]


def run_load(study, themed, owner, coder, tmp_path, requests: int) -> None:
    others = [make_user(f"loader{n}") for n in range(2)]
    for user in others:
        interviews.membership_set(study=study, username=user.username, role=Role.CODER)
    jars = sessions([owner, coder, *others])
    planned = races(study, themed)
    failures, lines = [], []
    with served(tmp_path, server_env(tmp_path), lambda line: None, workers=WORKERS) as port:
        for race in planned:
            answers = fire(port, jars, race, requests)
            errors = [a for a in answers if a.status >= 500]
            lost = race.lost(requests)
            times = sorted(a.seconds * 1000 for a in answers)
            lines.append(
                f"{race.name}: {requests} requests, {len(errors)} answered 5xx, "
                f"writes: {'; '.join(lost) or 'none lost or doubled'}, "
                f"median {statistics.median(times):.0f} ms, slowest {times[-1]:.0f} ms"
            )
            if errors:
                body = errors[0].body[:600].decode("utf-8", errors="replace")
                failures.append(f"{race.name}: {len(errors)} answered 5xx, first:\n{body}")
            unexpected = sorted({a.status for a in answers} - {200})
            if unexpected:
                failures.append(f"{race.name}: answers with status {unexpected}")
            failures += [f"{race.name}: {problem}" for problem in lost]
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    # The figures, for the record of a run (pytest -s shows them).
    print(f"\nLoad on {vendor}, gunicorn {WORKERS} workers:", *lines, sep="\n  ", file=sys.stderr)
    if failures:
        log = (tmp_path / "gunicorn.log").read_text(errors="replace")[-3000:]
        pytest.fail("\n".join(failures) + "\n\ngunicorn's log ends:\n" + log)


def test_identical_requests_at_once_on_a_real_server(study, themed, owner, coder, tmp_path):
    run_load(study, themed, owner, coder, tmp_path, REQUESTS)


@pytest.mark.slow
def test_identical_requests_at_once_on_a_real_server_full_size(
    study, themed, owner, coder, tmp_path
):
    run_load(study, themed, owner, coder, tmp_path, FULL_REQUESTS)

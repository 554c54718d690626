"""Fixtures shared by the whole suite: users in every role, a small study, a coded interview.

Test data is made through the services, the same path the app takes (STYLE.md, rule 18).
"""

from __future__ import annotations

import hypothesis
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import Client

from coding import services as coding
from interviews import services as interviews
from interviews.models import Role
from themes import review
from themes import services as themes

# Property tests check what a function returns, not how fast: on a shared two-core machine
# (and in CI) one example can take ten times its usual time, and Hypothesis's default 200 ms
# deadline then fails a correct test. Speed is measured by `manage.py benchmark` instead.
hypothesis.settings.register_profile(
    "excerpta", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("excerpta")

TRANSCRIPT = """Interviewer: How long have you been implementing harm reduction in your practice?

R1: About six years now. I started at the shelter 😀 and never looked back.

Interviewer: What type of client does it work best for?

R1: Honestly, the ones nobody else will see. Café regulars, people like that.
They come back because we don't judge them."""


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_caches():
    """Every test starts with empty caches: a roll-up cached by an earlier test could carry
    the same study id and revision (the test database is rolled back, ids are used again)."""
    for cache in caches.all():
        cache.clear()


def make_user(username: str):
    return get_user_model().objects.create_user(username=username, password="pw-" + username)


@pytest.fixture
def owner(db):
    return make_user("olive")


@pytest.fixture
def coder(db):
    return make_user("cody")


@pytest.fixture
def reviewer(db):
    return make_user("rita")


@pytest.fixture
def stranger(db):
    return make_user("stan")


@pytest.fixture
def study(owner, coder, reviewer):
    study = interviews.study_create(
        title="Harm reduction", owner=owner, research_question="How do case managers cope?"
    )
    interviews.membership_set(study=study, username=coder.username, role=Role.CODER)
    interviews.membership_set(study=study, username=reviewer.username, role=Role.REVIEWER)
    interviews.question_add(
        study=study, text="How long have you been implementing harm reduction in your practice?"
    )
    interviews.question_add(
        study=study,
        text="In your experience, what type of client does harm reduction work best for?",
    )
    interviews.attribute_add(study=study, name="Years of experience", kind="number")
    return study


@pytest.fixture
def other_study(stranger):
    """A study the users of `study` are not in, owned by `stranger`."""
    return interviews.study_create(title="Someone else's study", owner=stranger)


def import_text(study, text=TRANSCRIPT, name="R1-interview.txt"):
    outcome = interviews.interview_import(study=study, name=name, raw=text.encode("utf-8"))
    assert outcome.ok, outcome.error
    return outcome.interview


@pytest.fixture
def interview(study):
    return import_text(study)


@pytest.fixture
def code(study):
    return coding.code_create(study=study, name="Training", colour="teal")


def span_of(interview, where: str | tuple[int, int]) -> tuple[int, int]:
    """`where` as [start, end) in code points: a phrase (its first occurrence) or the pair."""
    if isinstance(where, str):
        start = interview.text.index(where)
        return start, start + len(where)
    return where


def selection(interview, where: str | tuple[int, int]) -> dict:
    """The fields the coding page posts for a selection of `where` (see span_of)."""
    start, end = span_of(interview, where)
    return {
        "start": start,
        "end": end,
        "text": interview.text[start:end],
        "version": interview.version,
    }


def code_span(
    interview, where: str | tuple[int, int], codes, coder=None, *, seen_text=None, version=None
):
    """The one way tests make an excerpt: code `where` (a phrase or a span, see span_of)
    with `codes` through the coding service, as the browser's selection would. `seen_text`
    and `version` default to what the page would show; tests of refusals override them."""
    start, end = span_of(interview, where)
    return coding.excerpt_create(
        interview=interview,
        coder=coder,
        start=start,
        end=end,
        seen_text=interview.text[start:end] if seen_text is None else seen_text,
        version=interview.version if version is None else version,
        codes=codes,
    )


@pytest.fixture
def excerpt(interview, code, owner):
    return code_span(interview, "the ones nobody else will see", [code], owner)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


HTMX = {"HX-Request": "true"}


@pytest.fixture
def themed(study, owner):
    """R1 and R2 counted, R3 withdrawn. "Training" gathers the code Learning and has the
    sub-theme "At work" gathering Colleagues; R1's and R3's excerpts are chosen as quotes."""
    interviews.respondent_create(
        study=study, pseudonym="R1", attributes={"Years of experience": 2}
    )
    interviews.respondent_create(
        study=study, pseudonym="R2", attributes={"Years of experience": 9}
    )
    r1 = import_text(study, name="R1.txt")
    r2 = import_text(study, name="R2.txt")
    r3 = import_text(study, name="R3.txt")
    learning = coding.code_create(study=study, name="Learning", definition="How they learned.")
    colleagues = coding.code_create(study=study, name="Colleagues")
    training = themes.theme_create(study=study, name="Training", description="Where it came from.")
    at_work = themes.theme_create(study=study, name="At work", parent=training)
    themes.theme_code_attach(theme=training, code=learning)
    themes.theme_code_attach(theme=at_work, code=colleagues)
    first = code_span(r1, "About six years", [learning], owner)
    second = code_span(r2, "the ones nobody else will see", [colleagues], owner)
    secret = code_span(r3, "Café regulars", [learning], owner)
    themes.quote_add(theme=training, excerpt=first)
    themes.quote_add(theme=training, excerpt=secret)
    interviews.respondent_withdraw(respondent=r3.respondent)
    return {
        "training": training,
        "at_work": at_work,
        "excerpts": (first, second, secret),
        "interviews": (r1, r2, r3),
        "codes": (learning, colleagues),
    }


@pytest.fixture
def long_theme(study, owner, monkeypatch):
    """A theme of eight excerpts shown three to a page. R2's interview is coded first and
    each interview from its end backwards, so excerpt ids run against reading order."""
    monkeypatch.setattr(review, "EXCERPTS_PER_PAGE", 3)
    r2 = import_text(study, name="R2.txt")
    r1 = import_text(study, name="R1.txt")
    learning = coding.code_create(study=study, name="Learning")
    theme = themes.theme_create(study=study, name="Training")
    themes.theme_code_attach(theme=theme, code=learning)
    phrases = ["we don't judge them", "Café regulars", "never looked back", "About six years"]
    made = [code_span(interview, p, [learning], owner) for interview in (r2, r1) for p in phrases]
    reading = sorted(made, key=lambda e: (e.interview.respondent.pseudonym, e.start))
    return theme, [excerpt.pk for excerpt in reading]


@pytest.fixture
def branched(study, owner):
    """A theme that gathers a parent code whose excerpts all sit on its sub-codes.

    Codes: Support > Colleagues > Supervisor, and Support > Family. The theme "Support"
    gathers the code Support only. R1 has an excerpt coded Colleagues and one coded both
    Support and Family (one excerpt, counted once); R2 one coded Supervisor (a grandchild),
    chosen as the theme's quote; R3, withdrawn, one coded Colleagues. N is 2 (R1, R2).
    """
    r1 = import_text(study, name="R1.txt")
    r2 = import_text(study, name="R2.txt")
    r3 = import_text(study, name="R3.txt")
    support = coding.code_create(study=study, name="Support")
    colleagues = coding.code_create(study=study, name="Colleagues", parent=support)
    supervisor = coding.code_create(study=study, name="Supervisor", parent=colleagues)
    family = coding.code_create(study=study, name="Family", parent=support)
    theme = themes.theme_create(study=study, name="Support at work")
    themes.theme_code_attach(theme=theme, code=support)
    excerpts = [
        code_span(r1, "About six years", [colleagues], owner),
        code_span(r1, "the ones nobody else will see", [support, family], owner),
        code_span(r2, "Café regulars", [supervisor], owner),
    ]
    themes.quote_add(theme=theme, excerpt=excerpts[2])
    code_span(r3, "never looked back", [colleagues], owner)
    interviews.respondent_withdraw(respondent=r3.respondent)
    return {
        "theme": theme,
        "codes": (support, colleagues, supervisor, family),
        "excerpts": excerpts,
        "respondents": (r1.respondent, r2.respondent),
    }


def run_manage(*args: str, env: dict, check: bool = False):
    """`manage.py ARGS` in a process of its own with ENV, its output captured (text)."""
    import subprocess
    import sys

    from django.conf import settings

    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a database file, as the app runs, not in Django's shared in-memory
    database: there, concurrent connections fail at once with "database table is locked"
    instead of waiting for the write lock, so the race tests could not run."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("sqlite")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")

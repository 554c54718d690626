"""The demo study: the harm-reduction study's structure with invented transcripts.

Built only through the same services a researcher's clicks go through, so the demo is also a
walk through the whole import-and-code path. The data lives beside this file in data/:
study.json (protocol, respondents, themes and sub-themes with their chosen quotes, codebook),
transcripts/R*.txt and excerpts/R*.json (each excerpt as an exact quote of its transcript,
with its codes and memo).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from coding import services as coding
from interviews import services as interviews
from interviews.history import acting_as
from interviews.models import Role, Study
from themes import services as themes

DEMO_DIR = Path(__file__).resolve().parent / "data"
DEMO_SLUG = "harm-reduction"
OWNER, REVIEWER = "researcher", "committee"
FIRST_INTERVIEW = date(2025, 3, 3)


@dataclass
class DemoResult:
    study: Study
    created: bool
    passwords: dict[str, str] = field(default_factory=dict)  # only those set by this run


def load_spec() -> dict:
    return json.loads((DEMO_DIR / "study.json").read_text(encoding="utf-8"))


def seed_demo(*, password: str | None = None, reset_passwords: bool = False) -> DemoResult:
    """Create the demo study and its two users, unless they exist.

    A user this run creates gets `password` (or a generated one). Running it again changes
    nothing: a password the user has changed in the app since stays, unless
    `reset_passwords` (then the existing users get `password`, or a generated one).
    """
    with transaction.atomic():
        users, passwords = {}, {}
        for username in (OWNER, REVIEWER):
            user, created = get_user_model().objects.get_or_create(username=username)
            if created or reset_passwords:
                chosen = password or secrets.token_urlsafe(9)
                user.set_password(chosen)
                user.save(update_fields=["password"])
                passwords[username] = chosen
            users[username] = user
        study = Study.objects.filter(slug=DEMO_SLUG).first()
        if study is not None:
            return DemoResult(study=study, created=False, passwords=passwords)
        # The history says who made each change, as the researcher's own would.
        with acting_as(users[OWNER]):
            study = _build(load_spec(), users[OWNER], users[REVIEWER])
    return DemoResult(study=study, created=True, passwords=passwords)


def _build(spec: dict, owner, reviewer) -> Study:
    study = interviews.study_create(
        title=spec["title"],
        slug=spec["slug"],
        owner=owner,
        research_question=spec["research_question"],
        description=spec["description"],
        # The consent form's promise: anyone could withdraw up to a week after the interview.
        withdrawal_days=spec["withdrawal_days"],
    )
    interviews.membership_set(study=study, username=reviewer.username, role=Role.REVIEWER)
    for attribute in spec["attributes"]:
        interviews.attribute_add(study=study, name=attribute["name"], kind=attribute["type"])
    study.refresh_from_db()
    for text in spec["protocol"]:
        interviews.question_add(study=study, text=text)
    respondents = {
        item["pseudonym"]: interviews.respondent_create(
            study=study, pseudonym=item["pseudonym"], attributes=item["attributes"]
        )
        for item in spec["respondents"]
    }
    theme_by_name = {}
    for item in spec["themes"]:  # parents come before their sub-themes
        theme_by_name[item["name"]] = themes.theme_create(
            study=study,
            name=item["name"],
            description=item["description"],
            parent=theme_by_name.get(item.get("parent")),
        )
    codes = {}
    for item in spec["codes"]:
        code = coding.code_create(
            study=study,
            name=item["name"],
            parent=codes.get(item.get("parent")),
            colour=item.get("colour", ""),
            **{key: item[key] for key in coding.CODE_TEXT_FIELDS},
        )
        codes[code.name] = code
        for theme_name in item["themes"]:
            themes.theme_code_attach(theme=theme_by_name[theme_name], code=code)
    excerpts = {
        pseudonym: _import_and_code(study, owner, respondents[pseudonym], codes, index)
        for index, pseudonym in enumerate(sorted(respondents))
    }
    for item in spec["themes"]:
        for pseudonym, opening in item["quotes"]:
            [excerpt] = [e for e in excerpts[pseudonym] if e.text.startswith(opening)]
            themes.quote_add(theme=theme_by_name[item["name"]], excerpt=excerpt)
    return study


def _import_and_code(study, owner, respondent, codes, index) -> list:
    path = DEMO_DIR / "transcripts" / f"{respondent.pseudonym}.txt"
    outcome = interviews.interview_import(
        study=study,
        name=f"{respondent.pseudonym}-interview.txt",
        raw=path.read_bytes(),
        user=owner,
        respondent=respondent,
        conducted_on=FIRST_INTERVIEW + timedelta(days=9 * index),
    )
    if not outcome.ok:
        raise RuntimeError(f"Demo transcript {path.name} was refused: {outcome.error}")
    interview = outcome.interview
    excerpts = json.loads(
        (DEMO_DIR / "excerpts" / f"{respondent.pseudonym}.json").read_text(encoding="utf-8")
    )
    created = []
    for item in excerpts:
        start = interview.text.find(item["quote"])
        if start < 0:
            raise RuntimeError(f"Demo quote not found in {path.name}: {item['quote'][:60]!r}")
        end = start + len(item["quote"])
        excerpt = coding.excerpt_create(
            interview=interview,
            coder=owner,
            start=start,
            end=end,
            seen_text=interview.text[start:end],
            version=interview.version,
            codes=[codes[name] for name in item["codes"]],
            memo=item.get("memo", ""),
        )
        created.append(excerpt)
    return created

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from coding.models import Code, Coding, Excerpt
from interviews.history import REGISTRY
from interviews.models import Interview, Role, Study
from themes.rollup import study_rollup

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return [m.objects.count() for m in (Study, Interview, Code, Excerpt, Coding)]


def test_the_demo_study_is_the_harm_reduction_study():
    output = seed()
    study = Study.objects.get(slug="harm-reduction")
    assert "Created the demo study" in output
    assert study.questions.count() == 11
    # The consent form's promise: withdrawal up to a week after the interview.
    assert study.withdrawal_days == 7
    assert list(study.themes.filter(parent=None).values_list("name", flat=True)) == [
        "Training",
        "Struggles with abstinence-based practice",
        "Relationships with clients",
        "Struggles with multidisciplinary teams",
        "Stress and self-care",
    ]
    respondents = list(study.respondents.all())
    assert [r.pseudonym for r in respondents] == [f"R{n}" for n in range(1, 9)]
    years = sorted(r.attributes["Years of experience"] for r in respondents)
    assert years[0] == 1
    assert all(y >= 3 for y in years[1:])
    agencies = {r.attributes["Agency"] for r in respondents}
    assert agencies == {f"Agency {letter}" for letter in "ABCDE"}
    assert 18 <= study.codes.count() <= 25
    assert all(code.themes.exists() for code in study.codes.all())


def test_its_transcripts_are_coded_and_segmented():
    seed()
    interviews = list(Interview.objects.all())
    assert len(interviews) == 8
    for interview in interviews:
        assert 1200 <= interview.word_count <= 2500
        assert interview.segments.count() == 11
    assert 100 <= Excerpt.objects.count() <= 150
    for excerpt in Excerpt.objects.select_related("interview"):
        assert excerpt.interview.text[excerpt.start : excerpt.end] == excerpt.text
    nested = [
        (a.pk, b.pk)
        for a in Excerpt.objects.all()
        for b in Excerpt.objects.filter(interview=a.interview, start__gte=a.start, end__lte=a.end)
        if a.pk != b.pk
    ]
    assert nested, "the demo shows overlapping excerpts"


def test_its_users_and_their_roles():
    output = seed("--password", "demo-password-1")
    study = Study.objects.get()
    roles = dict(study.memberships.values_list("user__username", "role"))
    assert roles == {"researcher": Role.OWNER, "committee": Role.REVIEWER}
    assert "researcher: password demo-password-1" in output
    assert get_user_model().objects.get(username="committee").check_password("demo-password-1")


def test_a_second_run_keeps_a_password_changed_in_the_app():
    # `make run` seeds with var/demo-password every time: a password the researcher chose
    # in the app since must survive it.
    seed("--password", "first-password")
    before = counts()
    researcher = get_user_model().objects.get(username="researcher")
    researcher.set_password("chosen-in-the-app")
    researcher.save()
    second = seed("--password", "first-password")
    assert "already there" in second
    assert "researcher: password unchanged" in second
    assert counts() == before
    researcher.refresh_from_db()
    assert researcher.check_password("chosen-in-the-app")
    third = seed("--password", "another-password", "--reset-passwords")
    assert "researcher: password another-password" in third
    researcher.refresh_from_db()
    assert researcher.check_password("another-password")
    assert counts() == before


def test_the_demo_rolls_up_the_way_the_paper_reports():
    seed()
    themes = {summary.name: summary for summary in study_rollup(Study.objects.get()).themes}
    assert themes["Training"].label == "all (8 of 8)"
    assert themes["Co-workers or supervisors need more training"].label == "over half (5 of 8)"
    assert themes["Formal training at their own agency"].label == "one (1 of 8)"
    assert themes["Learned in school, too abstractly"].n in (2, 3)
    assert themes["Learned in school, too abstractly"].word == "some"
    assert themes["Uses harm reduction in their own life"].n in (3, 4)
    assert themes["Harm reduction lowers their stress"].word in ("all", "most")
    for name in ("Struggles with abstinence-based practice", "Relationships with clients"):
        assert themes[name].word in ("all", "most")


def test_the_demo_studys_history_says_the_researcher_made_each_change():
    seed()
    study = Study.objects.get(slug="harm-reduction")
    researcher = get_user_model().objects.get(username="researcher")
    authors = {}
    for recorded in REGISTRY.values():
        model = recorded.cls.history.model
        for user_id in model.objects.filter(history_study_id=study.pk).values_list(
            "history_user_id", flat=True
        ):
            authors[user_id] = authors.get(user_id, 0) + 1
    assert list(authors) == [researcher.pk], authors
    assert authors[researcher.pk] > 100

"""Every page that counts a study's respondents and interviews counts them on one basis, the
findings' N (interviews/counts.py): the list of studies, the study's page, the respondents
page and the themes page say the same figures."""

from __future__ import annotations

import re

from django.urls import reverse

from interviews import services as interviews
from interviews.counts import StudyCounts, study_counts
from tests.conftest import TRANSCRIPT, client_for, import_text
from themes import services as themes

COUNTS = re.compile(r'<span class="counts"[^>]*>(.*?)</span>', re.S)


def _import(study):
    """R1's two transcripts (a repeat interview), R2's and R3's."""
    for n, name in enumerate(("R1-a.txt", "R1-b.txt", "R2.txt", "R3.txt")):
        import_text(study, text=f"{TRANSCRIPT}\n\nInterviewer: Thanks ({n}).", name=name)


def test_the_counts_are_on_one_basis_and_add_up(study, other_study):
    """R1 (two transcripts) and R2 count; R3 withdrew after their interview, R4 withdrew
    before any transcript, R5 waits for theirs."""
    for pseudonym in ("R1", "R2", "R3", "R4", "R5"):
        interviews.respondent_create(study=study, pseudonym=pseudonym)
    _import(study)
    for pseudonym in ("R3", "R4"):
        interviews.respondent_withdraw(respondent=study.respondents.get(pseudonym=pseudonym))
    assert study_counts([study.pk, other_study.pk]) == {
        study.pk: StudyCounts(respondents=2, interviews=3, withdrawn=2, awaiting=1),
        other_study.pk: StudyCounts(),
    }


def test_every_page_says_the_same_counts(study, owner):
    for pseudonym in ("R1", "R2", "R3", "R4"):
        interviews.respondent_create(study=study, pseudonym=pseudonym)
    _import(study)
    interviews.respondent_withdraw(respondent=study.respondents.get(pseudonym="R3"))
    themes.theme_create(study=study, name="Training")
    client = client_for(owner)
    said = {}
    for page, url in (
        ("study list", reverse("study_list")),
        ("study page", reverse("study_detail", args=[study.slug])),
        ("respondents", reverse("respondents", args=[study.slug])),
        ("themes", reverse("themes", args=[study.slug])),
    ):
        html = client.get(url).content.decode()
        said[page] = [" ".join(found.split()) for found in COUNTS.findall(html)]
    expected = (
        "2 respondents with a transcript, 3 interviews · 1 withdrawn · 1 awaiting a transcript"
    )
    assert said == {page: [expected] for page in said}
    themes_page = client.get(reverse("themes", args=[study.slug])).content.decode()
    assert "N counts the 2 respondents who have a transcript" in themes_page


def _text(html: str) -> str:
    """The page's text as a reader sees it: tags out (the counts line is an inline span, which
    adds no space), any run of white space one space."""
    return " ".join(re.sub(r"<[^>]*>", "", html).split())


def test_the_counts_line_leaves_no_space_before_what_follows(study, owner):
    """The themes page read "4 interviews ." (the line's template ended with a newline, which
    a browser shows as a space): it reads "4 interviews.", and on no page that counts is the
    line followed by white space and then punctuation."""
    for pseudonym in ("R1", "R2", "R3"):
        interviews.respondent_create(study=study, pseudonym=pseudonym)
    _import(study)
    client = client_for(owner)
    themes_page = client.get(reverse("themes", args=[study.slug])).content.decode()
    assert "3 respondents with a transcript, 4 interviews." in _text(themes_page)
    for url in (
        reverse("study_list"),
        reverse("study_detail", args=[study.slug]),
        reverse("respondents", args=[study.slug]),
        reverse("themes", args=[study.slug]),
    ):
        html = client.get(url).content.decode()
        assert re.search(r"<span class=\"counts\"[^>]*>[^<]*</span>\s+[.,;:]", html) is None, url

"""A small coded study for the retrieval page and the matrices, where each filter and each
matrix cell has an answer worked out by hand (see `corpus`)."""

from __future__ import annotations

from coding import services as coding
from interviews import services as interviews
from tests.conftest import import_text
from themes import services as themes


def coded(interview, phrase, codes, coder=None, memo=""):
    """An excerpt over the first occurrence of `phrase`, as the browser would make it."""
    start = interview.text.index(phrase)
    return coding.excerpt_create(
        interview=interview,
        coder=coder,
        start=start,
        end=start + len(phrase),
        seen_text=phrase,
        version=interview.version,
        codes=codes,
        memo=memo,
    )


def build_corpus(study, owner, coder) -> dict:
    """Codes Support > Colleagues, and Stress; the theme Training gathers Support.
    R1 (2 years, North), R2 (9, south), R10 (3, North) count; R3 (5 years) withdrew.

    e1 R1 "About six years" Colleagues, memo    Q1
    e2 R1 "About six years now" Stress          Q1 (overlaps e1)
    e3 R1 "Café regulars" Support + Stress      Q2, coded by `coder`
    e5 R2 "never looked back" Colleagues, memo  Q1
    e4 R2 "the ones nobody else will see" Stress Q2
    e7 R10 "Café regulars, people like that" Support Q2
    e8 R10 "we don't judge them" Stress          Q2
    R3's "About six years" (Colleagues + Stress) counts nowhere.
    """
    interviews.attribute_add(study=study, name="Agency")
    years = "Years of experience"
    people = {
        "R1": {years: 2, "Agency": "North"},
        "R2": {years: 9, "Agency": "south"},
        "R10": {years: 3, "Agency": "North"},
        "R3": {years: 5, "Agency": "North"},
    }
    for pseudonym, attributes in people.items():
        interviews.respondent_create(study=study, pseudonym=pseudonym, attributes=attributes)
    r1, r2, r10, r3 = (import_text(study, name=f"{p}.txt") for p in people)
    support = coding.code_create(study=study, name="Support")
    colleagues = coding.code_create(study=study, name="Colleagues", parent=support)
    stress = coding.code_create(study=study, name="Stress")
    training = themes.theme_create(study=study, name="Training")
    themes.theme_code_attach(theme=training, code=support)
    e = {
        1: coded(r1, "About six years", [colleagues], owner, memo="=SUM(A1) was it?"),
        2: coded(r1, "About six years now", [stress], owner),
        3: coded(r1, "Café regulars", [support, stress], coder),
        4: coded(r2, "the ones nobody else will see", [stress], owner),
        5: coded(r2, "never looked back", [colleagues], owner, memo="Turning point"),
        7: coded(r10, "Café regulars, people like that", [support], owner),
        8: coded(r10, "we don't judge them", [stress], owner),
    }
    coded(r3, "About six years", [colleagues, stress], owner)
    interviews.respondent_withdraw(respondent=r3.respondent)
    return {
        "excerpts": e,
        "codes": {"support": support, "colleagues": colleagues, "stress": stress},
        "theme": training,
        "respondents": {p: i.respondent for p, i in zip(people, (r1, r2, r10, r3), strict=True)},
        "questions": {q.number: q for q in study.questions.all()},
    }

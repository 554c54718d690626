"""The theme-by-respondent table is HTML built in Python: theme names and pseudonyms are
user text, and must come back out of it as text, never as markup."""

from __future__ import annotations

from coding import services as coding
from interviews import services as interviews
from tests.coding.test_fragments import HOSTILE, assert_inert, parse
from tests.conftest import TRANSCRIPT, code_span
from themes import services as themes
from themes.matrix import render_matrix
from themes.rollup import study_rollup

# A pseudonym has at most 40 characters.
HOSTILE_PSEUDONYM = '<img src=x onerror=alert(1)>&"R1'


def test_the_matrix_escapes_theme_names_and_pseudonyms(study):
    respondent = interviews.respondent_create(study=study, pseudonym=HOSTILE_PSEUDONYM)
    outcome = interviews.interview_import(
        study=study, name="x.txt", raw=TRANSCRIPT.encode(), respondent=respondent
    )
    code = coding.code_create(study=study, name="Learning")
    theme = themes.theme_create(study=study, name=HOSTILE)
    themes.theme_code_attach(theme=theme, code=code)
    code_span(outcome.interview, "About six years", [code])

    parsed = parse(render_matrix(study_rollup(study)))

    assert_inert(parsed, {"table", "thead", "tbody", "tr", "th", "td"})
    assert HOSTILE in parsed.text, "the theme, as its row's title"
    assert HOSTILE_PSEUDONYM in parsed.text, "the respondent, as a column's title"
    assert "1 of 1" in parsed.text

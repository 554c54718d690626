"""Every count in a message takes Django's plural forms: "1 excerpt", "2 excerpts", never
"excerpt(s)" nor "1 now hold … are"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from coding import services as coding
from coding.services import EditReport
from core.bidi import isolated
from interviews.services import ImportOutcome
from tests.conftest import client_for, code_span

ROOT = Path(settings.BASE_DIR)


@pytest.mark.parametrize(
    ("report", "message"),
    [
        (
            EditReport(moved=1, changed=1, orphaned=1),
            "Transcript saved: 1 excerpt kept its words; 1 now holds changed words and is "
            "marked for review; 1 lost all its words and is marked for review; nothing was "
            "deleted.",
        ),
        (
            EditReport(moved=2, changed=3, orphaned=2),
            "Transcript saved: 2 excerpts kept their words; 3 now hold changed words and are "
            "marked for review; 2 lost all their words and are marked for review; nothing "
            "was deleted.",
        ),
        (EditReport(moved=0), "Transcript saved: 0 excerpts kept their words."),
    ],
)
def test_the_edit_report_agrees_with_its_counts(report, message):
    assert report.message == message


def test_an_import_outcome_agrees_with_its_counts(interview):
    interview.word_count, interview.turns = 1, [[0, 3, 10, "r"]]
    outcome = ImportOutcome(
        name="R1.txt", interview=interview, questions_found=1, questions_total=1
    )
    assert outcome.message == (
        f"R1.txt: imported for {isolated('R1')}, 1 word, 1 speaker turn, 1 of 1 protocol "
        "question found."
    )
    interview.word_count = 1200
    outcome.questions_total = 2
    assert "1,200 words" in outcome.message
    assert "1 of 2 protocol questions found" in outcome.message


def test_deleting_a_code_in_use_names_the_checkbox(study, interview, code):
    code_span(interview, "About six years", [code])
    with pytest.raises(ValidationError) as refused:
        coding.code_delete(code=code)
    assert refused.value.messages == [
        "“Training” is applied to 1 excerpt. To delete it anyway, tick “Also remove it from "
        "the excerpts that carry it”; or merge it into another code instead."
    ]
    code_span(interview, "the ones nobody", [code])
    with pytest.raises(ValidationError, match="is applied to 2 excerpts"):
        coding.code_delete(code=code)


def test_the_checkbox_a_refusal_names_is_on_the_page(study, code, owner):
    url = reverse("code_edit", args=[study.slug, code.pk])
    html = client_for(owner).get(url).content.decode()
    checkbox = '<input type="checkbox" name="confirm" value="yes">'
    assert f"{checkbox} Also remove it from the excerpts that carry it" in html


SOURCES = [
    path
    for folder in ("interviews", "coding", "themes", "templates", "static/js")
    for path in (ROOT / folder).rglob("*")
    if path.suffix in {".py", ".html", ".js"} and "migrations" not in path.parts
]


STRING = re.compile(r"([\"'`])(.*?)\1")


def _texts(path: Path, line: str) -> list[str]:
    """What a reader may see of a line: its string literals, or all of a template's."""
    if path.suffix == ".html":
        return [line]
    return [match[2] for match in STRING.finditer(line)]


def test_no_message_says_s_in_brackets():
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in SOURCES
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if any(re.search(r"\w\(s\)", text) for text in _texts(path, line))
    ]
    assert found == [], "use ngettext, {% blocktranslate count %} or |pluralize"


# A word ending in "s" after a variable, but not the short words that end so without being
# a plural ("Keep {{ field.where }} as it is", "{{ name }} is", "{{ theme }} has").
WORDS_COUNTED = re.compile(
    r"\{\{ *([\w.|]+) *\}\} +(?!(?:as|is|was|has|its|this|his|thus)\b)([a-z]+s)\b"
)


def test_no_template_writes_a_count_before_a_fixed_plural():
    """ "{{ n }} words" reads "1 words": the noun takes |pluralize (or blocktranslate)."""
    found = [
        f"{path.relative_to(ROOT)}:{n}: {match[0]}"
        for path in SOURCES
        if path.suffix == ".html"
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        for match in WORDS_COUNTED.finditer(line)
    ]
    assert found == []

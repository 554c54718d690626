"""excerpts_import: many passages of a freshly imported interview coded at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coding.models import Coding, Excerpt
from coding.services import SpanToCode, code_create, excerpts_import
from tests.conftest import code_span, span_of


def test_it_makes_one_excerpt_per_span_with_all_its_codes(
    interview, owner, django_assert_num_queries
):
    support = code_create(study=interview.study, name="Support")
    hope = code_create(study=interview.study, name="Hope")
    start, end = span_of(interview, "never looked back")
    spans = [
        SpanToCode(start, end, (support,), "First."),
        # The same words with a space around: trimmed, the same excerpt.
        SpanToCode(start - 1, end, (hope,), "Second."),
        SpanToCode(*span_of(interview, "Café regulars"), (hope,)),
    ]
    # savepoint, the revision bump, the interview's lock, any excerpt yet, the codes' hold,
    # the excerpts' INSERT and their history records', the codings' INSERT and theirs,
    # release
    with django_assert_num_queries(10):
        made, refused = excerpts_import(interview=interview, coder=owner, spans=spans)

    assert (made, refused) == (2, [])
    looked_back = Excerpt.objects.get(text="never looked back")
    assert looked_back.memo == "First.\n\nSecond."
    assert sorted(c.code.name for c in looked_back.codings.all()) == ["Hope", "Support"]
    assert Coding.objects.filter(coder=owner).count() == 3


def test_it_leaves_out_spans_off_the_text_of_a_label_or_without_codes(interview, owner):
    support = code_create(study=interview.study, name="Support")
    label = interview.text.index("R1:")
    spans = [
        SpanToCode(0, len(interview.text) + 5, (support,)),
        SpanToCode(label, label + 3, (support,)),
        SpanToCode(*span_of(interview, "never looked back"), ()),
    ]
    made, refused = excerpts_import(interview=interview, coder=owner, spans=spans)

    assert made == 0
    assert [why for _, why in refused] == [
        "it is outside the transcript",
        "it holds only spaces or a speaker label",
        "it carries no code",
    ]
    assert not Excerpt.objects.exists()


def test_it_refuses_an_interview_that_has_excerpts(interview, code, owner):
    code_span(interview, "never looked back", [code], owner)
    with pytest.raises(ValidationError, match="already has excerpts"):
        excerpts_import(
            interview=interview,
            coder=owner,
            spans=[SpanToCode(*span_of(interview, "Café regulars"), (code,))],
        )
    assert Excerpt.objects.count() == 1


def test_it_refuses_a_code_of_another_study(interview, other_study, owner):
    stranger_code = code_create(study=other_study, name="Elsewhere")
    with pytest.raises(ValidationError, match="another study"):
        excerpts_import(
            interview=interview,
            coder=owner,
            spans=[SpanToCode(*span_of(interview, "Café regulars"), (stranger_code,))],
        )
    assert not Excerpt.objects.exists()

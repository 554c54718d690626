"""The one rule for typed and uploaded text: what it keeps, what it turns into a line break."""

from __future__ import annotations

import io
import re

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.naming import tidy
from core.sanitise import SanitisedCharField, sanitise_text, typed_text

# Characters XML 1.0 (and so Word) refuses.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("one\x0btwo", "one\ntwo"),  # Word's Shift+Enter
        ("one\u2028two\u2029three", "one\ntwo\nthree"),
        ("one\r\ntwo\rthree\x0cfour\x85five", "one\ntwo\nthree\nfour\nfive"),
        ("tab\tstays\nand newline", "tab\tstays\nand newline"),
        ("nul\x00bell\x07esc\x1bdel\x7fcsi\x9b", "nulbellescdelcsi"),
        ("non\ufffechar\uffff", "nonchar"),
        ("lone \ud800surrogate\udfff", "lone surrogate"),
        ("a pair \ud83d\ude00 joins", "a pair 😀 joins"),
        ("Émotion 😀 \u200f\u05e9\u05dc\u05d5\u05dd", "Émotion 😀 \u200f\u05e9\u05dc\u05d5\u05dd"),
    ],
)
def test_it_keeps_line_breaks_and_drops_what_an_export_cannot_hold(typed, kept):
    assert sanitise_text(typed) == kept


# Any code point, surrogates included, with the troublesome ones made frequent.
ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=()),
        st.sampled_from(list("\x00\x0b\x0c\r\n\t\x85\x9b\u2028\ud83d\ude00\udfff\ufffe")),
    )
)


@given(ANY_TEXT)
@settings(deadline=None)  # the machine is shared: time is not what is tested
def test_what_it_returns_word_can_hold(text):
    clean = sanitise_text(text)
    assert not NOT_XML.search(clean)
    assert not re.search("[\x7f-\x9f\r\u2028\u2029]", clean)
    assert len(clean) <= len(text)
    assert sanitise_text(clean) == clean, "applying it twice changes nothing more"
    document = docx.Document()
    document.add_paragraph(clean)  # would raise ValueError on a character XML refuses
    document.save(io.BytesIO())


@given(st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"])))
@settings(deadline=None)
def test_text_without_controls_is_left_as_it_is(text):
    assert sanitise_text(text) == text.replace("\ufffe", "").replace("\uffff", "")


def test_the_form_field_cleans_what_was_typed():
    field = SanitisedCharField(required=False)
    assert field.clean("\x01 Peer\x0bsupport \x00") == "Peer\nsupport"


def test_the_form_field_drops_bidirectional_overrides_and_keeps_right_to_left_text():
    # A committee comment must read as it was typed: an override would show "\u202eevitisop"
    # as "positive". Hebrew, its marks (U+200F) and isolates (U+2067..U+2069) stay.
    field = SanitisedCharField(required=False)
    assert field.clean("\u202eevitisop\u202c and \u202dthat") == "evitisop\u202c and that"
    hebrew = "\u2067שלום\u2069 \u200fעולם"
    assert field.clean(hebrew) == hebrew


def test_names_and_typed_text_drop_overrides_where_transcripts_keep_them():
    # A pseudonym or code name typed with an override would sort and read as another.
    assert tidy("\u202e1R") == "1R"
    assert typed_text("memo \u202dtext") == "memo text"
    # A transcript's characters are counted by excerpts' offsets: sanitise_text keeps it.
    assert sanitise_text("a\u202eb") == "a\u202eb"

"""The stated layout of exported descriptions (themes.exchange.layout), read back."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from themes.exchange.layout import CODE_SECTIONS, THEME_SECTIONS, sections_read, sections_write

# What a form lets through (core.sanitise): no CR, no surrogates, no C0 controls but \t \n.
TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from(["\n", ":"]),
    max_size=60,
)
FIELDS = st.fixed_dictionaries({field: TEXT for field, _ in CODE_SECTIONS})


def _holds_a_heading(values: dict, sections) -> bool:
    """The layout's known limit: a field holding a heading line after a blank line."""
    return any(
        f"\n\n{heading}:\n" in f"\n\n{value.strip()}\n"
        for value in values.values()
        for _, heading in sections
    )


@given(values=FIELDS)
def test_a_codes_four_texts_read_back_as_written(values):
    assume(not _holds_a_heading(values, CODE_SECTIONS))
    written = sections_write(CODE_SECTIONS, values)
    assert sections_read(CODE_SECTIONS, written) == {k: v.strip() for k, v in values.items()}


def test_the_layout_is_headed_sections_empty_ones_left_out():
    values = {"definition": "Being looked down on.", "exclusion": " Of the worker.\nOnly. "}
    assert sections_write(CODE_SECTIONS, values) == (
        "Definition:\nBeing looked down on.\n\nExclusion criteria:\nOf the worker.\nOnly."
    )
    assert sections_write(CODE_SECTIONS, {}) == ""


def test_another_tools_description_is_all_the_first_field():
    text = "Anything NVivo wrote.\n\nExample:\nnot one of ours, since it does not start so"
    assert sections_read(CODE_SECTIONS, text)["definition"] == text
    assert sections_read(THEME_SECTIONS, "A plain description.") == {
        "description": "A plain description.",
        "parent": "",
    }


def test_a_sub_themes_parent_reads_back():
    written = sections_write(THEME_SECTIONS, {"description": "", "parent": "Relationships"})
    assert written == "Sub-theme of:\nRelationships"
    assert sections_read(THEME_SECTIONS, written) == {"description": "", "parent": "Relationships"}

"""Code colours: a palette of distinct colours, any picked colour accepted, and text over
every colour that meets WCAG AA.

ColorAide (a colour library independent of ours) is the second opinion on contrast ratios
and colour differences, so that these tests do not check palette.py against itself.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from coloraide import Color
from django.conf import settings
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coding import palette
from coding.palette import (
    AA_TEXT,
    INK,
    PALETTE,
    STACKED_TINTS,
    composite,
    contrast_ratio,
    next_colour,
    parse_colour,
    stylesheet,
    text_colour,
    tint_alphas,
)

colours = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


def wcag(a, b) -> float:
    """The contrast ratio as ColorAide computes it (WCAG 2.1)."""
    return Color(a).contrast(Color(b), method="wcag21")


def rgb(channels) -> str:
    return "rgb({} {} {})".format(*channels)


# -- The contrast formula ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [
        ("#ffffff", "#000000", 21.0),
        ("#2563eb", "#2563eb", 1.0),
        # The lightest grey that passes AA on white, and the next one up that fails.
        ("#767676", "#ffffff", 4.54),
        ("#777777", "#ffffff", 4.48),
    ],
)
def test_contrast_ratio_of_known_pairs(a, b, ratio):
    assert contrast_ratio(a, b) == pytest.approx(ratio, abs=0.005)
    assert contrast_ratio(b, a) == contrast_ratio(a, b)


@hypothesis_settings(max_examples=300)
@given(colours, colours)
def test_contrast_ratio_agrees_with_coloraide(a, b):
    assert contrast_ratio(a, b) == pytest.approx(wcag(a, b), rel=1e-3)


# -- Text over code colours ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "colour"), PALETTE.items())
def test_label_text_over_every_palette_colour_meets_aa(name, colour):
    text = text_colour(colour)
    assert wcag(text, colour) >= AA_TEXT, (name, text)


@hypothesis_settings(max_examples=500)
@given(colours)
def test_label_text_over_any_picked_colour_meets_aa(colour):
    assert wcag(text_colour(colour), colour) >= AA_TEXT


def test_label_text_prefers_white_or_the_ink_to_black():
    assert text_colour("#2563eb") == "#ffffff"
    assert text_colour("#fde68a") == INK
    # A mid tone where neither white nor the ink reaches 4.5:1.
    assert wcag("#ffffff", "#e0592a") < AA_TEXT
    assert wcag(INK, "#e0592a") < AA_TEXT
    assert text_colour("#e0592a") == "#000000"


def _highlight_backgrounds(layers):
    """Every background the stylesheet can put under highlighted text, given the colours
    of the excerpts covering it, outermost first: up to STACKED_TINTS tints (deeper marks
    draw none), and the open excerpt's stronger tint at any depth."""
    tints = [(colour, tint_alphas(colour)[0]) for colour in layers[:STACKED_TINTS]]
    yield composite(tints)
    for open_index in range(len(layers)):
        stack = [
            (c, tint_alphas(c)[1] if i == open_index else tint_alphas(c)[0])
            for i, c in enumerate(layers)
            if i < STACKED_TINTS or i == open_index
        ]
        yield composite(stack)


@pytest.mark.parametrize(("name", "colour"), PALETTE.items())
def test_highlighted_text_over_stacked_palette_tints_meets_aa(name, colour):
    for depth in range(1, 5):
        for background in _highlight_backgrounds([colour] * depth):
            assert wcag(INK, rgb(background)) >= AA_TEXT, (name, depth)


@hypothesis_settings(max_examples=400)
@given(st.lists(colours, min_size=1, max_size=5))
def test_highlighted_text_over_tints_of_any_picked_colours_meets_aa(layers):
    for background in _highlight_backgrounds(layers):
        assert wcag(INK, rgb(background)) >= AA_TEXT


@hypothesis_settings(max_examples=200)
@given(colours)
def test_chips_text_over_their_light_tint_meets_aa(colour):
    # static/excerpta.css: .chip mixes 14% of the colour into white, with the ink on top.
    assert wcag(INK, rgb(composite([(colour, 0.14)]))) >= AA_TEXT


def test_dark_colours_get_lighter_tints_and_light_ones_keep_the_usual():
    assert tint_alphas("#fde68a") == (palette.TINT_ALPHA, palette.TINT_ON_ALPHA)
    tint, tint_on = tint_alphas("#000000")
    assert 0 < tint < palette.TINT_ALPHA
    assert tint < tint_on < palette.TINT_ON_ALPHA


def test_the_stylesheet_ink_is_the_ink_contrast_is_computed_for():
    css = (Path(settings.BASE_DIR) / "static" / "excerpta.css").read_text()
    assert re.search(r"--ink:\s*(#[0-9a-f]{6})", css).group(1) == INK
    assert re.search(r"\bmark\.x \{ color: var\(--ink\);", css)
    # Deeper highlights than STACKED_TINTS draw no tint of their own.
    assert "mark.x " * (STACKED_TINTS + 1) in css.replace(":not(.on)", " ")


# -- The palette -------------------------------------------------------------------------------


def test_palette_colours_are_distinct_and_show_on_the_page():
    values = list(PALETTE.values())
    assert len(set(values)) == len(values) == 24
    assert all(re.fullmatch(r"#[0-9a-f]{6}", value) for value in values)
    for value in values:
        # WCAG 1.4.11: graphics that carry meaning (underlines, stripes) hold 3:1.
        assert wcag(value, "#ffffff") >= 3, value


@pytest.mark.parametrize(("first", "least"), [(8, 11.5), (16, 11.5), (24, 9.0)])
def test_the_first_colours_new_codes_take_are_far_apart(first, least):
    values = list(PALETTE.values())[:first]
    closest = min(
        Color(a).delta_e(Color(b), method="2000") for a, b in itertools.combinations(values, 2)
    )
    assert closest >= least


def test_a_new_code_takes_the_first_colour_its_study_does_not_use():
    values = list(PALETTE.values())
    assert next_colour([]) == values[0]
    assert next_colour([values[0], values[2]]) == values[1]
    # A picked colour outside the palette takes no palette colour's turn.
    assert next_colour(["#123456"]) == values[0]
    # Stored colours are lower case; a stray upper-case one still counts.
    assert next_colour([values[0].upper()]) == values[1]


def test_once_every_palette_colour_is_used_the_least_used_comes_first():
    values = list(PALETTE.values())
    used = values * 2 + [values[0]]
    assert next_colour(used) == values[1]
    assert next_colour(values) == values[0]


@pytest.mark.parametrize(
    ("value", "stored"),
    [("#AbCdEf", "#abcdef"), (" #123456 ", "#123456"), ("teal", PALETTE["teal"])],
)
def test_a_colour_is_stored_as_lower_case_hex(value, stored):
    assert parse_colour(value) == stored


@pytest.mark.parametrize("value", ["", "red;", "#12345", "#1234567", "#gggggg", "12345f"])
def test_anything_else_is_refused(value):
    with pytest.raises(ValidationError, match="#rrggbb"):
        parse_colour(value)


def test_the_stylesheet_has_a_rule_per_colour_and_nothing_else():
    css = stylesheet(["#ab12cd", "#ab12cd", "x;}body{display:none", '"><script>'])
    rules = css.splitlines()
    assert len(rules) == len(PALETTE) + 2  # the palette, "no codes", one picked colour
    assert rules[0].startswith(".c-none{--shade:#94a3b8;")
    picked = next(rule for rule in rules if "ab12cd" in rule)
    assert picked.startswith(".c-\\#ab12cd{--shade:#ab12cd;--on-shade:#ffffff;")
    assert "--tint:rgb(171 18 205 / 0." in picked
    assert "body" not in css
    assert "<" not in css
    for rule in rules:
        assert re.fullmatch(
            r"\.c-(none|\\#[0-9a-f]{6})\{--shade:#[0-9a-f]{6};--on-shade:#[0-9a-f]{6};"
            r"--tint:rgb\(\d+ \d+ \d+ / [\d.]+\);--tint-on:rgb\(\d+ \d+ \d+ / [\d.]+\)\}",
            rule,
        ), rule

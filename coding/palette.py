"""The code colours: a palette new codes take from, any colour a researcher picks, and the
colours of text drawn over them.

A code's colour is stored as `#rrggbb` (lower case). Markup names it by the class
`c-#rrggbb` (a `#` is valid in a class name; CSS escapes it as `.c-\\#rrggbb`), so every
template can write `c-{{ code.colour }}`. The rules behind those classes are not in the
static stylesheet: `stylesheet()` writes them, for the palette and for every colour a study
uses, into the stylesheet each study page links (coding/views/colours.py), because strict
CSP forbids inline styles and a picked colour can be any of sixteen million.

Each rule sets four custom properties that static/excerpta.css uses:
- `--shade`: the colour itself (underlines, margin stripes, swatches);
- `--on-shade`: the text colour over the full colour (margin labels), chosen for contrast;
- `--tint` and `--tint-on`: the translucent highlight behind coded text, and behind the open
  excerpt, made lighter for dark colours so that text over them stays readable.

Contrast is WCAG 2.x contrast ratio (see `contrast_ratio`); AA asks 4.5:1 for body text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from django.core.exceptions import ValidationError

# name: colour, in the order new codes take them. The order spreads the first codes of a
# study far apart (the first 16 are at least 11.5 apart in CIEDE2000, all 24 at least 9;
# tests/coding/test_palette.py measures it). Every colour holds 3:1 against the white page,
# as WCAG asks of graphics that carry meaning (1.4.11), so underlines and stripes show.
PALETTE = {
    "blue": "#2563eb",
    "orange": "#ea580c",
    "green": "#16a34a",
    "purple": "#9333ea",
    "red": "#dc2626",
    "teal": "#0d9488",
    "amber": "#d97706",
    "pink": "#db2777",
    "navy": "#3730a3",
    "lime": "#65a30d",
    "brown": "#854d0e",
    "cyan": "#0891b2",
    "plum": "#86198f",
    "olive": "#3f6212",
    "slate": "#475569",
    "wine": "#9d174d",
    "sky": "#0284c7",
    "pine": "#115e59",
    "ochre": "#b45309",
    "indigo": "#4f46e5",
    "emerald": "#047857",
    "rose": "#e11d48",
    "maroon": "#991b1b",
    "petrol": "#155e75",
}
DEFAULT_COLOUR = PALETTE["blue"]
# The colour of an excerpt without codes; not offered to codes.
NONE = "none"
NONE_COLOUR = "#94a3b8"

# The text colours drawn over code colours: the page's ink (static/excerpta.css's --ink,
# which highlighted text always takes; a test keeps the two in step), white, and black for
# labels where neither ink nor white reaches AA.
WHITE = "#ffffff"
BLACK = "#000000"
INK = "#1f2933"
AA_TEXT = 4.5

# A highlight's tint is the colour at this opacity, and at the second for the open excerpt.
# Overlapping excerpts stack their tints; the stylesheet draws at most STACKED_TINTS tints
# under any piece of text, plus the open one's.
TINT_ALPHA = 0.16
TINT_ON_ALPHA = 0.38
STACKED_TINTS = 2
# Tints are chosen against a slightly higher target than AA, so that stacking tints of
# different colours (each chosen against a stack of its own) still reaches AA.
TINT_TARGET = 4.9

_HEX = re.compile(r"#[0-9a-f]{6}")


def parse_colour(value: str) -> str:
    """A colour as stored: `#rrggbb` in lower case, from `#rrggbb` in any case or the name
    of a palette colour ("teal"). Raises ValidationError for anything else."""
    value = (value or "").strip().lower()
    value = PALETTE.get(value, value)
    if not _HEX.fullmatch(value):
        raise ValidationError(
            "Enter a colour as #rrggbb, for example #2563eb.", code="invalid_colour"
        )
    return value


def validate_colour(value: str) -> None:
    """Model field validator: a stored colour is `#rrggbb` in lower case."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ValidationError(
            "Enter a colour as #rrggbb, for example #2563eb.", code="invalid_colour"
        )


def next_colour(used: Iterable[str]) -> str:
    """The colour for a new code, given the colours of the study's codes: the first palette
    colour no code uses; once every one is taken, the first of the least used."""
    counts = Counter(colour.lower() for colour in used)
    return min(PALETTE.values(), key=lambda colour: counts[colour])


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _channel(value: float) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """Relative luminance of an sRGB colour (channels 0-255, fractions allowed), 0 to 1.

    WCAG 2.x, definition of "relative luminance"
    (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance): each channel is linearised
    (c/12.92 up to 0.04045, else ((c+0.055)/1.055)^2.4, with c in 0-1), then
    L = 0.2126 R + 0.7152 G + 0.0722 B. WCAG 2.0 printed the threshold as 0.03928; the
    two agree on every 8-bit value.
    """
    r, g, b = (_channel(value) for value in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str | tuple, b: str | tuple) -> float:
    """The WCAG 2.x contrast ratio of two colours (`#rrggbb` or RGB tuples), 1 to 21.

    (L1 + 0.05) / (L2 + 0.05), L1 the relative luminance of the lighter colour
    (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio). AA asks 4.5 for body text.
    """
    la, lb = (relative_luminance(_rgb(c) if isinstance(c, str) else c) for c in (a, b))
    lighter, darker = max(la, lb), min(la, lb)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour(background: str) -> str:
    """The colour of text over `background` (`#rrggbb`): white or the page's ink, whichever
    contrasts more; black or white when neither reaches 4.5:1 (one of them always does:
    at worst 4.58:1)."""
    best = max((WHITE, INK), key=lambda text: contrast_ratio(text, background))
    if contrast_ratio(best, background) >= AA_TEXT:
        return best
    return max((WHITE, BLACK), key=lambda text: contrast_ratio(text, background))


def composite(layers: Iterable[tuple[str, float]]) -> tuple[float, float, float]:
    """The colour (RGB, 0-255) of translucent layers of (`#rrggbb`, opacity) painted in order
    over the white page, blended in sRGB as browsers do."""
    out = [255.0, 255.0, 255.0]
    for colour, alpha in layers:
        out = [alpha * c + (1 - alpha) * o for c, o in zip(_rgb(colour), out, strict=True)]
    return out[0], out[1], out[2]


def _ink_contrast_over_stack(colour: str, tint: float, tint_on: float) -> float:
    stack = [(colour, tint)] * STACKED_TINTS + [(colour, tint_on)]
    return contrast_ratio(_rgb(INK), composite(stack))


@lru_cache(maxsize=4096)
def tint_alphas(colour: str) -> tuple[float, float]:
    """(tint, open tint) opacities for highlights in `colour`: TINT_ALPHA and TINT_ON_ALPHA,
    scaled down as far as needed for the ink of highlighted text to keep TINT_TARGET
    contrast over the most tints the stylesheet stacks. Rounded down to three decimals."""
    if _ink_contrast_over_stack(colour, TINT_ALPHA, TINT_ON_ALPHA) >= TINT_TARGET:
        return TINT_ALPHA, TINT_ON_ALPHA
    low, high = 0.0, 1.0  # the scale of both opacities; contrast falls as it grows
    for _ in range(30):
        middle = (low + high) / 2
        if _ink_contrast_over_stack(colour, TINT_ALPHA * middle, TINT_ON_ALPHA * middle) >= (
            TINT_TARGET
        ):
            low = middle
        else:
            high = middle
    return (int(TINT_ALPHA * low * 1000) / 1000, int(TINT_ON_ALPHA * low * 1000) / 1000)


def _rule(name: str, colour: str) -> str:
    r, g, b = _rgb(colour)
    tint, tint_on = tint_alphas(colour)
    # Only #rrggbb and "none" reach here, so the selector needs no escaping beyond the #.
    selector = name.replace("#", "\\#")
    return (
        f".c-{selector}{{--shade:{colour};--on-shade:{text_colour(colour)};"
        f"--tint:rgb({r} {g} {b} / {tint});--tint-on:rgb({r} {g} {b} / {tint_on})}}"
    )


def stylesheet(colours: Iterable[str]) -> str:
    """The CSS rules of the palette, of "no codes", and of `colours` (the study's codes'
    colours; anything not `#rrggbb` is left out), one rule per line."""
    wanted = dict.fromkeys([*PALETTE.values(), *(c for c in colours if _HEX.fullmatch(c))])
    rules = [_rule(NONE, NONE_COLOUR), *(_rule(colour, colour) for colour in wanted)]
    return "\n".join(rules) + "\n"

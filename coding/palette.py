"""The code colours: a fixed palette chosen so that highlighted text stays legible.

A closed list (rather than any hex value) keeps the contrast of highlighted text under
control and lets the stylesheet own the look: each name is a class `.c-<name>` there.
"""

from __future__ import annotations

# name: the strong shade, used for underlines and swatches; static/excerpta.css derives the
# translucent highlight tint from it (and must list the same names).
PALETTE = {
    "blue": "#2563eb",
    "teal": "#0d9488",
    "green": "#16a34a",
    "lime": "#65a30d",
    "amber": "#d97706",
    "orange": "#ea580c",
    "red": "#dc2626",
    "rose": "#e11d48",
    "purple": "#9333ea",
    "indigo": "#4f46e5",
    "cyan": "#0891b2",
    "slate": "#475569",
}
COLOUR_CHOICES = [(name, name.capitalize()) for name in PALETTE]
DEFAULT_COLOUR = "blue"


def next_colour(used: list[str]) -> str:
    """The least-used colour, so that new codes spread over the palette."""
    counts = {name: 0 for name in PALETTE}
    for colour in used:
        if colour in counts:
            counts[colour] += 1
    return min(PALETTE, key=lambda name: counts[name])

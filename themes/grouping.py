"""How respondents are grouped by the value of one attribute: the one rule that every summary
by an attribute (matrices, the excerpt filter, charts, the findings' method text) uses, so
that one study gives the committee one size for each group.

Values are grouped as people read them: "county", "County" and " County " are one group.
Plain functions of plain values (no queries), so that the chart process can use them too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

# The value that selects the respondents who lack an attribute's value: the "not recorded"
# group of every summary by an attribute (matrices, charts, the findings' method), so that
# a matrix's cell of that group opens exactly its excerpts. Compared case-blind; a value
# typed as "not recorded" says the same and falls in the same group.
NOT_RECORDED = "not recorded"


def natural_key(text: str) -> tuple:
    """A sort key that reads numbers as numbers ("R2" before "R10"), case-blind."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", text.casefold())
        if part
    )


def attribute_text(value) -> str:
    """An attribute's value as the pages show it and the filter matches it: a whole number
    without ".0" (9.0 reads "9"), text as typed; "" when not recorded."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def attribute_group(value) -> str:
    """The group a respondent's attribute `value` puts them in, as the summaries by an
    attribute count them: its attribute_text, or NOT_RECORDED when that is empty."""
    return attribute_text(value) or NOT_RECORDED


def _spoken(value) -> str:
    """attribute_text in NFC with runs of white space as one space, none at the ends."""
    return " ".join(unicodedata.normalize("NFC", attribute_text(value)).split())


def group_key(value) -> str:
    """The key two values share when they fall in one group: attribute_text, Unicode NFC,
    runs of white space as one space and none at the ends, case-folded ("County",
    " county " and "COUNTY" give "county"; 9, 9.0 and "9.0" give "9"); NOT_RECORDED for None, ""
    or blanks, and for a value typed as "Not recorded". A str; raises nothing."""
    text = _spoken(value).casefold()
    # "9.0" and "9.50" typed as text say 9 and 9.5, as a number 9.0 reads "9"; digits
    # without a point are left as typed ("02139" is not 2139).
    if decimal := _DECIMAL.fullmatch(text):
        text = decimal[1] + (f".{decimal[2]}" if decimal[2] else "")
    return text or NOT_RECORDED


_DECIMAL = re.compile(r"([+-]?\d+)\.(\d*?)0*")


@dataclass
class AttributeGroup:
    """One group of respondents by an attribute's value. Shape: `key` (group_key), `label`
    (the spelling it is shown by), `members` (respondent ids, in the order given)."""

    key: str
    label: str
    members: list[int] = field(default_factory=list)


def group_respondents(values: Iterable[tuple[int, object]], *, number: bool = False):
    """The groups of respondents by one attribute. `values`: (respondent id, value) pairs
    in respondent order (pseudonym order); `number`: the attribute is a Number.

    Returns a list of AttributeGroup: one per group_key, ordered by value (numbers by their
    value when `number`, a text among them after; text as people read it: natural_key,
    "R2" before "R10"), the NOT_RECORDED group last. Every respondent given falls in
    exactly one group, so that the sizes add up to N.

    A group is labelled by its most frequent spelling (without the spaces at its ends); on
    a tie, by the spelling of the first respondent in the order given.
    Rule from the matrices by an attribute and the excerpt filter, which match case-blind
    (issue found in stop 32: charts and the findings grouped "county" and "County" apart).
    """
    groups: dict[str, AttributeGroup] = {}
    spellings: dict[str, dict[str, int]] = {}
    for respondent_id, value in values:
        key = group_key(value)
        group = groups.setdefault(key, AttributeGroup(key, NOT_RECORDED))
        group.members.append(respondent_id)
        if key != NOT_RECORDED:
            seen = spellings.setdefault(key, {})
            # A dict keeps the first spelling first: max() then picks it on a tie.
            # Labelled as typed but for the spaces at its ends: a line break typed inside
            # stays one (the exports print it as such).
            spelling = attribute_text(value).strip()
            seen[spelling] = seen.get(spelling, 0) + 1
    for key, seen in spellings.items():
        groups[key].label = max(seen, key=seen.__getitem__)
    recorded = sorted(
        (g for g in groups.values() if g.key != NOT_RECORDED),
        key=lambda g: value_order(g.key, number),
    )
    return recorded + ([groups[NOT_RECORDED]] if NOT_RECORDED in groups else [])


def value_order(text: str, number: bool) -> tuple:
    """A sort key for a group's value: numbers by their value (a text among them after)
    when `number`, text as people read it (natural_key)."""
    if number:
        try:
            return (0, float(text), text)
        except ValueError:
            return (1, 0.0, text)
    return (0, 0.0, natural_key(text))

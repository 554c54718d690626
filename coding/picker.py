"""The coding page's picker: which codes a new name looks like ("Peer suport" when "Peer
support" exists). Its markup is partials of coding/interview.html (see workspace.py)."""

from __future__ import annotations

from collections.abc import Iterable

from core.naming import name_key

from .selectors import CodeRow

# rapidfuzz's ratio (0-100, the Levenshtein similarity of two strings) from which a new name
# is taken for a slip of an existing one: "peer suport" / "peer support" scores 96,
# "stress" / "stretch" 77.
SIMILAR_FROM = 85


def similar_codes(name: str, codes: Iterable[CodeRow], *, limit: int = 3) -> list[CodeRow]:
    """The codes (at most `limit`, most alike first; CodeRows or Codes, anything with a
    `name`) whose names look like `name` without
    being it: names compared by their keys (NFC after case folding), a ratio of at least
    SIMILAR_FROM. A code whose key equals `name`'s is the same code, not a similar one."""
    # rapidfuzz (4 MB) is imported by the first new name typed, not as a worker loads the
    # app (issue 9: a worker under 160 MB).
    from rapidfuzz import fuzz, process

    rows = list(codes)
    keys = [name_key(code.name) for code in rows]
    wanted = name_key(name)
    found = process.extract(
        wanted, keys, scorer=fuzz.ratio, score_cutoff=SIMILAR_FROM, limit=limit + 1
    )
    return [rows[index] for key, _score, index in found if key != wanted][:limit]

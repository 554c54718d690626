"""GUIDs of a study's things in a REFI-QDA export, the same in every export of the study.

Each GUID is a version 5 UUID (SHA-1 of a name) under a namespace of its own study, the
name being the kind of thing and its primary key ("code:12"): the same database state
gives the same GUIDs, a restored backup gives its original's (primary keys are kept), and
two studies never share one. Nothing random, nothing secret: a GUID reveals only that two
exports hold the same thing, which anyone holding both sees anyway.
"""

from __future__ import annotations

import hashlib
import uuid

# The root of every study's namespace; fixed forever, or every exported GUID would change.
EXCERPTA = uuid.UUID("6f1d7c5e-2b7a-4c43-9d0e-3a6b1f4e8c21")


class StudyGuids:
    """The GUIDs of one study's things: `guids.of("code", 12)` -> "8C1E…-…" (upper case,
    8-4-4-4-12 hex digits, as the schemas' GUIDType takes and every tool reads)."""

    def __init__(self, study_id: int) -> None:
        self.namespace = uuid.uuid5(EXCERPTA, f"study:{study_id}")
        # uuid5 is SHA-1 over the namespace's bytes then the name: the namespace is hashed
        # once here, and each GUID goes on from a copy (an export makes 100,000 of them).
        self._hashed = hashlib.sha1(self.namespace.bytes, usedforsecurity=False)

    def of(self, kind: str, key: int | str) -> str:
        """The GUID of the thing of `kind` ("code", "excerpt", ...) whose key is `key` (its
        primary key, or a name where it has none, as an attribute): the same as
        `str(uuid.uuid5(namespace, f"{kind}:{key}")).upper()`."""
        sha = self._hashed.copy()
        sha.update(f"{kind}:{key}".encode())
        digest = bytearray(sha.digest()[:16])
        digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
        digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
        hexa = digest.hex().upper()
        return f"{hexa[:8]}-{hexa[8:12]}-{hexa[12:16]}-{hexa[16:20]}-{hexa[20:]}"

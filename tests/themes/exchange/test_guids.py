"""Stable GUIDs (themes.exchange.guids)."""

from __future__ import annotations

import re
import uuid

from hypothesis import given
from hypothesis import strategies as st

from themes.exchange.guids import EXCERPTA, StudyGuids


@given(study_id=st.integers(min_value=1), kind=st.sampled_from(["code", "excerpt"]), key=st.text())
def test_a_guid_is_the_uuid5_of_its_kind_and_key_under_its_studys_namespace(study_id, kind, key):
    namespace = uuid.uuid5(EXCERPTA, f"study:{study_id}")
    expected = str(uuid.uuid5(namespace, f"{kind}:{key}")).upper()
    guid = StudyGuids(study_id).of(kind, key)
    assert guid == expected
    assert re.fullmatch(
        r"[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", guid
    )

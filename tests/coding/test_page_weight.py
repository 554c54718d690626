"""What the coding page weighs on the wire: a 400-excerpt transcript under 100 KB gzipped."""

from __future__ import annotations

import gzip

from django.urls import reverse

from tests.conftest import client_for

from .heavy import coded_transcript

GZIP = {"Accept-Encoding": "gzip"}


def test_a_400_excerpt_coding_page_is_under_100_kb_on_the_wire(study, owner):
    # About 8,000 words, as the benchmark's 400-excerpt transcript.
    interview = coded_transcript(study, owner, excerpts=400, turns=230, words_per_turn=35)

    response = client_for(owner).get(
        reverse("interview_code", args=[study.slug, interview.pk]), headers=GZIP
    )

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.content)
    print(f"\n400-excerpt coding page: {len(page)} bytes, {len(response.content)} gzipped")
    assert page.count(b"<mark ") >= 400
    assert len(response.content) < 100_000

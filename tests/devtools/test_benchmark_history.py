"""The benchmark's history_last_page asks for the history's last page, as its Older links
reach it (themes.history.Key), not a page number."""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse

from coding import services as coding
from devtools.benchmark.history import _oldest_page_key
from interviews import services as interviews
from tests.conftest import client_for
from tests.themes.test_views_history import _link, _pages, events


def test_the_last_page_key_leads_to_the_oldest_fifty_records(study, owner):
    for n in range(70):
        coding.code_create(study=study, name=f"Code {n:02}")
        interviews.respondent_create(study=study, pseudonym=f"R{n:02}")
    key = _oldest_page_key(SimpleNamespace(study=study))
    client = client_for(owner)
    last = client.get(reverse("history", args=[study.slug]) + f"?older={key}")
    assert _link(last, "next") is None
    # The same records as the last page the Older links reach, 50 of them.
    pages = _pages(client, study)
    assert len(pages[-1]) < 50
    assert events(last) == [*pages[-2], *pages[-1]][-50:]


def test_a_history_of_one_page_has_no_key(study, owner):
    coding.code_create(study=study, name="Learning")
    assert _oldest_page_key(SimpleNamespace(study=study)) == ""

"""A saved link that filters by a respondent no longer counted says why, not Django's
"Select a valid choice. 8 is not one of the available choices." (themes.filters
.RespondentsField, the one field every filter by respondent uses)."""

from __future__ import annotations

from django.urls import reverse

from interviews import services as interviews
from interviews.erasure import respondent_erase
from tests.conftest import client_for


def retrieve(client, study, respondent_id) -> str:
    url = reverse("retrieve", args=[study.slug])
    return client.get(url, {"respondent": respondent_id}).content.decode()


def test_a_filter_by_a_respondent_gone_says_why(study, themed, owner):
    client = client_for(owner)
    r1, r3 = themed["interviews"][0].respondent, themed["interviews"][2].respondent
    waiting = interviews.respondent_create(study=study, pseudonym="R9")

    gone = "That respondent is no longer in the study&#x27;s findings: they withdrew"
    assert gone in retrieve(client, study, r3.pk)
    assert gone in retrieve(client, study, waiting.pk)
    erased_id = r3.pk  # a saved link's id; the row goes
    respondent_erase(respondent=r3, typed="R3")
    html = retrieve(client, study, erased_id)
    assert gone in html
    assert "not one of the available choices" not in html
    assert "About six years" in retrieve(client, study, r1.pk), "a counted one still filters"

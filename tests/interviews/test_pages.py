"""interviews/ links to the pages of a study and of an interview without knowing which app
shows them: coding/ registers its own (interviews.pages), and without it they are
interviews' own pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from interviews import pages
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

OWN_PAGES = {"study": "study_settings", "interview": "interview_edit", "code_search": ""}


def test_interviews_links_to_the_pages_coding_registers(study, owner, interview):
    assert pages.study_url(study.slug) == reverse("study_detail", args=[study.slug])
    assert interview.get_absolute_url() == reverse(
        "interview_code", args=[study.slug, interview.pk]
    )
    html = client_for(owner).get(reverse("study_list")).content.decode()
    assert f'href="{reverse("study_detail", args=[study.slug])}"' in html
    search = reverse("transcript_search", args=[study.slug]) + "?q=shelter"
    html = client_for(owner).get(search).content.decode()
    assert f'href="{reverse("interview_code", args=[study.slug, interview.pk])}"' in html
    assert reverse("autocode", args=[study.slug]) in html


def test_without_an_app_to_show_them_interviews_links_to_its_own_pages(
    study, owner, interview, monkeypatch
):
    monkeypatch.setattr(pages, "_URL_NAMES", dict(OWN_PAGES))
    html = client_for(owner).get(reverse("study_list")).content.decode()
    assert f'href="{reverse("study_settings", args=[study.slug])}"' in html
    search = reverse("transcript_search", args=[study.slug]) + "?q=shelter"
    html = client_for(owner).get(search).content.decode()
    assert f'href="{reverse("interview_edit", args=[study.slug, interview.pk])}"' in html
    assert reverse("autocode", args=[study.slug]) not in html

"""The REFI-QDA downloads on the themes page (themes.views.exchange)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from interviews.services import identifier_add
from tests.conftest import client_for
from themes.exchange.qdpx_export import study_export_qdpx

from .everything import make_everything


@pytest.fixture
def everything(study, owner, coder):
    return make_everything(study, owner, coder)


def url(study, name="export_qdpx", **query):
    path = reverse(name, args=[study.slug])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("user", ["owner", "coder", "reviewer"])
def test_every_member_downloads_the_project_a_reviewer_too(study, everything, user, request):
    response = client_for(request.getfixturevalue(user)).get(url(study))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        'attachment; filename="harm-reduction-project.qdpx"'
    )
    assert response["Cache-Control"] == "private, no-store"
    expected = io.BytesIO()
    study_export_qdpx(study=study, out=expected)
    assert response.content == expected.getvalue()


def test_the_codebook_downloads_as_qdc(study, everything, reviewer):
    response = client_for(reviewer).get(url(study, "export_qdc"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-codebook.qdc"')
    assert b"<CodeBook" in response.content


def test_the_page_offers_the_tick_to_owners_only(study, everything, owner, coder):
    page = client_for(owner).get(reverse("themes", args=[study.slug])).content.decode()
    assert url(study) in page
    assert 'name="identifying"' in page
    assert url(study, "export_qdc") in page
    assert (
        'name="identifying"'
        not in client_for(coder).get(reverse("themes", args=[study.slug])).content.decode()
    )


@pytest.mark.parametrize("user", ["coder", "reviewer"])
def test_only_an_owner_may_include_text_that_is_not_de_identified(
    study, everything, user, request
):
    response = client_for(request.getfixturevalue(user)).get(url(study, identifying=1))
    assert response.status_code == 403


def test_a_refused_export_returns_to_the_themes_page_with_its_reason(study, everything, owner):
    identifier_add(study=study, text="years", replacement="[time]")
    client = client_for(owner)
    response = client.get(url(study), follow=True)
    assert response.redirect_chain == [(reverse("themes", args=[study.slug]), 302)]
    # R1's and R2's "years"; withdrawn R3's is in no export, so it is not counted.
    assert "Not exported: 2 places in the transcripts" in response.content.decode()
    # The owner's tick exports all the same.
    ticked = client.get(url(study, identifying=1))
    assert ticked.status_code == 200
    with zipfile.ZipFile(io.BytesIO(ticked.content)) as archive:
        assert "project.qde" in archive.namelist()


def test_a_codebook_of_no_codes_is_refused_with_its_reason(study, owner):
    response = client_for(owner).get(url(study, "export_qdc"), follow=True)
    assert "no codes yet" in response.content.decode()

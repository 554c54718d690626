"""The import pages: a project as a new study, a codebook into a study."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coding.models import Code
from interviews.models import Study
from tests.conftest import HTMX, client_for
from themes.services import comment_add, theme_create

from .everything import export
from .qdpx_files import codebook_qdc, nvivo_qdpx, project_xml


def _upload(name: str, data: bytes) -> dict:
    return {"file": SimpleUploadedFile(name, data)}


def test_the_project_page_shows_the_form(owner, django_assert_num_queries):
    client = client_for(owner)
    # session, user
    with django_assert_num_queries(2):
        response = client.get(reverse("project_import"))
    html = response.content.decode()
    assert "<h1>Import a project from another tool</h1>" in html
    assert 'enctype="multipart/form-data"' in html
    fragment = client.get(reverse("project_import"), headers=HTMX).content.decode()
    assert "<html" not in fragment
    assert 'id="import-section"' in fragment


def test_the_list_of_studies_links_to_it(owner):
    html = client_for(owner).get(reverse("study_list")).content.decode()
    assert f'href="{reverse("project_import")}"' in html


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_project_becomes_a_study_and_the_report_shows(owner, headers):
    response = client_for(owner).post(
        reverse("project_import"), _upload("peer.qdpx", nvivo_qdpx()), headers=headers
    )

    study = Study.objects.get()
    assert study.memberships.get().user == owner
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("themes", args=[study.slug])}"><bdi>Peer support</bdi></a>' in html
    assert "Made: 3 codes, 1 respondent, 1 interview, 2 excerpts, 1 theme, 2 memos." in html
    assert "were counted in UTF-16 code units" in html
    assert ("<html" in html) == (not headers)


def test_what_is_dropped_is_listed_and_user_text_is_escaped(owner):
    extra = '<PictureSource guid="91111111-1111-4111-8111-111111111111" name="&lt;b&gt;x.jpg"/>'
    response = client_for(owner).post(
        reverse("project_import"), _upload("p.qdpx", nvivo_qdpx(project_xml(extra_sources=extra)))
    )

    html = response.content.decode()
    assert "<h3>Not imported</h3>" in html
    assert "the source “<bdi>&lt;b&gt;x.jpg</bdi>”, an image" in html
    assert "<b>x.jpg" not in html


def test_a_refused_file_says_why_and_makes_nothing(owner):
    response = client_for(owner).post(
        reverse("project_import"), _upload("p.qdpx", b"PK\x03\x04 damaged"), headers=HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<bdi>p.qdpx</bdi>: it is not a valid REFI-QDA project" in html
    assert "Nothing was imported." in html
    assert not Study.objects.exists()


def test_a_qdpx_that_is_not_a_zip_is_refused_as_not_a_project(owner):
    """Not "its XML is damaged: Start tag expected": a .qdpx is a zip archive."""
    response = client_for(owner).post(
        reverse("project_import"), _upload("x.qdpx", b"Interview with R1\n"), headers=HTMX
    )

    html = response.content.decode()
    assert (
        "<bdi>x.qdpx</bdi>: it is not a REFI-QDA project (a .qdpx file is a zip archive, "
        "this is not). Nothing was imported."
    ) in html
    assert "XML" not in html
    assert not Study.objects.exists()


@pytest.mark.parametrize("page", ["project_import", "codebook_upload"])
def test_an_empty_file_is_refused_by_its_name(study, owner, page):
    url = reverse(page, args=[study.slug] if page == "codebook_upload" else [])
    response = client_for(owner).post(url, _upload("x.qdpx", b""), headers=HTMX)

    assert "<bdi>x.qdpx</bdi>: it is empty. Nothing was imported." in response.content.decode()
    assert Study.objects.count() == 1
    assert not Code.objects.exists()


def test_no_file_is_a_message(owner):
    response = client_for(owner).post(reverse("project_import"), {}, headers=HTMX)
    assert "Choose the file to import." in response.content.decode()


def test_only_those_who_may_create_studies_import_one(owner, settings):
    settings.EXCERPTA_STUDY_CREATORS = "staff"
    client = client_for(owner)
    assert client.get(reverse("project_import")).status_code == 403
    response = client.post(reverse("project_import"), _upload("peer.qdpx", nvivo_qdpx()))
    assert response.status_code == 403
    assert not Study.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("project_import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_codebook_merges_into_the_study(study, coder, django_assert_num_queries):
    client = client_for(coder)
    url = reverse("codebook_upload", args=[study.slug])
    # session, user, study+role
    with django_assert_num_queries(3):
        page = client.get(url)
    assert f"Import a codebook into <bdi>{study.title}</bdi>" in page.content.decode()

    response = client.post(url, _upload("tags.qdc", codebook_qdc()), headers=HTMX)

    assert "Made: 2 codes." in response.content.decode()
    assert sorted(study.codes.values_list("name", flat=True)) == ["Hope", "Support"]


def test_a_reviewer_imports_no_codebook(study, reviewer):
    url = reverse("codebook_upload", args=[study.slug])
    response = client_for(reviewer).post(url, _upload("tags.qdc", codebook_qdc()))
    assert response.status_code == 403
    assert not Code.objects.exists()


def test_the_themes_page_links_to_the_codebook_import_for_writers(study, owner, reviewer):
    link = f'href="{reverse("codebook_upload", args=[study.slug])}"'
    assert link in client_for(owner).get(reverse("themes", args=[study.slug])).content.decode()
    assert (
        link not in client_for(reviewer).get(reverse("themes", args=[study.slug])).content.decode()
    )


def test_a_file_over_the_limit_is_refused_unread(owner, settings, monkeypatch):
    from themes.views import exchange_import

    settings.EXCERPTA_MAX_UPLOAD_BYTES = 1000
    monkeypatch.setattr(exchange_import, "study_import_qdpx", None)  # never reached
    response = client_for(owner).post(
        reverse("project_import"), _upload("big.qdpx", bytes(2000)), headers=HTMX
    )

    said = "<bdi>big.qdpx</bdi>: it is 0.002 MB, over the 0.001 MB limit. Nothing was imported."
    assert said in response.content.decode()
    assert not Study.objects.exists()


def test_an_excerpta_project_names_what_it_did_not_carry_never_nothing_left_out(study, owner):
    """The round trip's page said "Nothing was left out" while the study's quotes, review
    marks and comments stayed behind: it now lists what the file says it does not carry."""
    relationships = theme_create(study=study, name="Relationships")
    comment_add(theme=relationships, author=owner, body="Which agencies?")

    response = client_for(owner).post(reverse("project_import"), _upload("s.qdpx", export(study)))

    html = response.content.decode()
    assert "<h3>Not imported</h3>" in html
    assert (
        "<li>1 comment on themes and 2 other members with their roles are not part of a "
        "REFI-QDA project and were not exported</li>"
    ) in html
    assert "Nothing was left out" not in html

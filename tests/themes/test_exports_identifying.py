"""No download that quotes the transcripts is made while a string of the study's
de-identification list is unreviewed in them (themes.identifying); the files of counts and
of the researcher's own words are."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from interviews import deidentify
from interviews.services import deidentification_apply, identifier_add
from tests.conftest import client_for
from tests.themes.test_exports import FINDINGS, reopened_text

QUOTING = ["export_findings", "export_memos_docx", "export_excerpts_csv", "export_excerpts_xlsx"]
RETRIEVED = ["retrieve_csv", "retrieve_xlsx"]
REFUSED = "Not exported: 2 places in the transcripts still hold"


def _listed(study):
    # "six" stands in R1's excerpt "About six years", a chosen quote of "Training", and in
    # R2's transcript (the same text); withdrawn R3's is in no file and not counted.
    identifier_add(study=study, text="six", replacement="[number]")


@pytest.mark.parametrize("user", ["owner", "reviewer"])
@pytest.mark.parametrize("name", QUOTING)
def test_a_file_that_quotes_the_transcripts_waits_for_their_review(
    study, themed, name, user, request
):
    _listed(study)
    client = client_for(request.getfixturevalue(user))

    response = client.get(reverse(name, args=[study.slug]), follow=True)

    assert response.redirect_chain == [(reverse("themes", args=[study.slug]), 302)]
    assert "Content-Disposition" not in response
    assert REFUSED in response.content.decode()
    assert "Review them on the de-identification page first." in response.content.decode()


@pytest.mark.parametrize("name", RETRIEVED)
def test_the_excerpts_page_s_download_waits_too_and_keeps_its_filter(study, themed, owner, name):
    _listed(study)
    learning = themed["codes"][0]
    query = f"code={learning.pk}"

    response = client_for(owner).get(f"{reverse(name, args=[study.slug])}?{query}", follow=True)

    assert response.redirect_chain == [(f"{reverse('retrieve', args=[study.slug])}?{query}", 302)]
    assert REFUSED in response.content.decode()


def _texts(name: str, content: bytes) -> str:
    """All the text of the download `name` (a URL name, or "csv" or "docx"), reopened as
    the exports' tests reopen theirs."""
    kind = "csv" if name.endswith("csv") else "xlsx" if name.endswith("xlsx") else FINDINGS
    return reopened_text(kind, content)


def test_once_replaced_every_file_is_made_without_the_listed_words(study, themed, owner):
    _listed(study)
    waiting = deidentify.study_occurrences(study=study)
    assert len(waiting) == 3  # the page lists withdrawn R3's too, to be replaced as well
    deidentification_apply(study=study, decisions={each.key: True for each in waiting})
    client = client_for(owner)

    for name in QUOTING + RETRIEVED:
        response = client.get(reverse(name, args=[study.slug]))
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment"), name
        if name != "export_memos_docx":  # no memo in this study: nothing quoted
            text = _texts(name, response.content)
            assert "About [number] years" in text, name
            assert "six" not in text, name


def test_kept_occurrences_let_the_files_be_made_with_them(study, themed, owner):
    _listed(study)
    waiting = deidentify.study_occurrences(study=study)
    deidentification_apply(study=study, decisions={each.key: False for each in waiting})

    response = client_for(owner).get(reverse("export_excerpts_csv", args=[study.slug]))

    assert response.status_code == 200
    assert "About six years" in _texts("csv", response.content)


@pytest.mark.parametrize("name", ["export_codebook", "export_matrix_xlsx"])
def test_files_of_counts_and_the_researcher_s_words_are_made_meanwhile(study, themed, owner, name):
    _listed(study)
    response = client_for(owner).get(reverse(name, args=[study.slug]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_the_findings_command_waits_for_the_review_unless_told(study, themed, tmp_path):
    _listed(study)
    target = tmp_path / "findings.docx"

    with pytest.raises(CommandError, match=REFUSED):
        call_command(
            "export_findings", "--study", study.slug, "--output", str(target), stdout=io.StringIO()
        )
    assert not target.exists()

    call_command(
        "export_findings",
        "--study",
        study.slug,
        "--output",
        str(target),
        "--include-identifying",
        stdout=io.StringIO(),
    )
    assert "About six years" in _texts("docx", target.read_bytes())

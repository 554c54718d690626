"""A damaged archive in a batch is refused by name; the files around it import (issue 8, 2)."""

from __future__ import annotations

from interviews import services
from interviews.models import Interview
from tests.conftest import client_for

from .test_import_views import upload
from .test_importers import make_docx
from .test_importers_fuzz import first_central_record

GOOD = ["Interviewer: How long have you worked here?", "R1: Six years, more or less."]


def damaged_docx() -> bytes:
    """A .docx with one byte set: the "version needed" of its first central-directory record,
    which made zipfile raise NotImplementedError and the batch answer 500."""
    raw = bytearray(make_docx(GOOD))
    raw[first_central_record(bytes(raw)) + 6] = 0xFF
    return bytes(raw)


def test_good_damaged_good_through_the_import_service(study):
    outcomes = list(
        services.interviews_import(
            study=study,
            files=[
                services.ImportFile("R1.docx", make_docx(GOOD), pseudonym="R1"),
                services.ImportFile("R2.docx", damaged_docx(), pseudonym="R2"),
                services.ImportFile("R3.docx", make_docx(GOOD), pseudonym="R3"),
            ],
        )
    )
    assert [outcome.ok for outcome in outcomes] == [True, False, True]
    assert outcomes[1].message.startswith("R2.docx: refused: it is not a valid Word document (")
    assert "unexpected" not in outcomes[1].message
    assert sorted(Interview.objects.values_list("respondent__pseudonym", flat=True)) == [
        "R1",
        "R3",
    ]


def test_good_damaged_good_through_the_import_pages(study, owner):
    client = client_for(owner)
    url = upload(
        client,
        study,
        ("R1.docx", make_docx(GOOD)),
        ("R2.docx", damaged_docx()),
        ("R3.docx", make_docx(GOOD)),
    )
    html = client.get(url).content.decode()
    assert "<bdi>R2.docx</bdi>: refused: it is not a valid Word document (" in html
    confirm = {
        "f0-respondent": "new",
        "f0-pseudonym": "R1",
        "f2-respondent": "new",
        "f2-pseudonym": "R3",
    }
    response = client.post(url, confirm)
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "2 imported, 1 refused" in html
    assert sorted(Interview.objects.values_list("respondent__pseudonym", flat=True)) == [
        "R1",
        "R3",
    ]

"""A damaged archive in a batch is refused by name; the files around it import (issue 8, 2)."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from core.bidi import isolated, plain
from interviews import services
from interviews.models import Interview
from tests.conftest import client_for

from .test_import_views import upload
from .test_importers import make_docx
from .test_importers_fuzz import first_central_record
from .zips import damaged_zip

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


# A part's name as a hostile file may spell it: a right-to-left override that shows what
# follows backwards, an isolate's end that would close the name's own, a line break and a
# C1 control (CSI, which a terminal may read as the start of an escape).
HOSTILE_PART = "word/\u202elmx.tnemucod\u2069\n\x9b2J"
# What of it a refusal shows: the name's printable characters, quoted and isolated.
SHOWN_PART = "word/lmx.tnemucod 2J"


def hostile_docx() -> bytes:
    """A .docx whose relationships name its main document HOSTILE_PART, damaged."""
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
        '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        f"Target={quoteattr(HOSTILE_PART)}/></Relationships>"
    )
    document = make_docx(GOOD)
    return damaged_zip({"_rels/.rels": rels.encode(), HOSTILE_PART: document}, HOSTILE_PART)


def test_a_refusal_names_a_hostile_part_printably_and_isolated(study):
    """A damaged part was named as the file spelled it: its override turned the rest of the
    message round on the page, and its control characters reached a command's terminal."""
    [outcome] = services.interviews_import(
        study=study, files=[services.ImportFile("R2.docx", hostile_docx(), pseudonym="R2")]
    )
    assert outcome.message == (
        "R2.docx: refused: it is not a valid Word document (the part "
        f"“{isolated(SHOWN_PART)}” is damaged: its compressed data does not check out)."
    )
    # What the import command prints.
    assert plain(outcome.message) == (
        f"R2.docx: refused: it is not a valid Word document (the part “{SHOWN_PART}” is "
        "damaged: its compressed data does not check out)."
    )


def test_the_import_page_shows_a_hostile_parts_name_isolated(study, owner):
    client = client_for(owner)
    url = upload(client, study, ("R2.docx", hostile_docx()))
    html = client.get(url).content.decode()
    assert (
        "<bdi>R2.docx</bdi>: refused: it is not a valid Word document (the part "
        f"“<bdi>{SHOWN_PART}</bdi>” is damaged" in html
    )
    for character in "\u202e\u2069\x9b":
        assert character not in html

"""Hostile REFI-QDA files: each is a clear refusal (ImportRejected, a sentence for the
researcher) and leaves nothing behind. Hypothesis builds the variants."""

from __future__ import annotations

import dataclasses
import logging

import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from coding.models import Code
from interviews.models import Study
from interviews.text import ImportRejected
from tests.interviews.zips import Member, build_zip, zeros_bomb
from themes.exchange import qdpx_read
from themes.exchange.qdpx_import import study_import_qdpx
from themes.exchange.qdpx_read import read_exchange

from .qdpx_files import G_SOURCE, TRANSCRIPT, codebook_qdc, coded_project, nvivo_qdpx, qdpx

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + ']><Project xmlns="urn:QDA-XML:project:1.0" name="&i;"/>'
).encode()
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>'
)
NETWORK_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE Project SYSTEM "http://127.0.0.1:9/project.dtd">'
    b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'
)


def _source(data: bytes) -> bytes:
    return qdpx({"project.qde": coded_project(), f"sources/{G_SOURCE}.txt": data})


def _bomb() -> bytes:
    bomb = dataclasses.replace(zeros_bomb(60), name=f"sources/{G_SOURCE}.txt")
    return build_zip([Member.of("project.qde", coded_project()), bomb])


# Each hostile kind: the file, and words the refusal must hold.
HOSTILE = {
    "entity expansion": (lambda: BILLION_LAUGHS, "declares a DTD"),
    "entity expansion in a .qdpx": (lambda: qdpx({"project.qde": BILLION_LAUGHS}), "DTD"),
    "external entity": (lambda: EXTERNAL_ENTITY, "declares a DTD"),
    "external DTD over the network": (lambda: NETWORK_ENTITY, "declares a DTD"),
    "zip bomb": (_bomb, "zip bomb"),
    "path traversal": (
        lambda: qdpx({"project.qde": coded_project(), "../../etc/cron.d/x": b"x"}),
        "outside the archive",
    ),
    "absolute path": (
        lambda: qdpx({"project.qde": coded_project(), "/etc/passwd": b"x"}),
        "outside the archive",
    ),
    "source in UTF-16 without a BOM": (
        lambda: _source(TRANSCRIPT.encode("utf-16-le")),
        "“First interview”, which cannot be read",
    ),
    "XML in the wrong encoding": (
        lambda: qdpx(
            {"project.qde": coded_project().replace(b"Peer support", "Café".encode("cp1252"))}
        ),
        "its XML is damaged",
    ),
    "not XML at all": (lambda: qdpx({"project.qde": b"\x89PNG\r\n\x1a\n"}), "its XML"),
    "XML of another kind": (lambda: b"<html><body>hi</body></html>", "not a REFI-QDA project"),
    "no project file": (lambda: qdpx({"sources/a.txt": b"hello"}), "no .qde project file"),
    "not a zip": (lambda: b"PK\x03\x04" + bytes(100), "not a valid REFI-QDA project"),
    "neither a zip nor XML": (
        lambda: b"Interview with R1\n",
        r"not a REFI-QDA project \(a \.qdpx file is a zip archive, this is not\)",
    ),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_file_is_refused_and_leaves_nothing(kind, owner):
    build, words = HOSTILE[kind]
    with pytest.raises(ImportRejected, match=words):
        study_import_qdpx(name="p.qdpx", raw=build(), owner=owner)

    assert not Study.objects.exists()
    assert not Code.objects.exists()


def test_a_source_path_that_climbs_out_is_never_read(owner, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the password")
    xml = coded_project(source_path=f"internal://../../../../{secret}")
    archive = qdpx({"project.qde": xml, "sources/x.txt": b"x"})

    report = study_import_qdpx(name="p.qdpx", raw=archive, owner=owner)

    assert any("“First interview” (its text file is missing" in line for line in report.dropped)
    assert not report.study.interviews.exists()


def test_an_absolute_source_path_is_never_read(owner):
    xml = coded_project(source_path="absolute:///etc/passwd")

    report = study_import_qdpx(name="p.qdpx", raw=qdpx({"project.qde": xml}), owner=owner)

    assert any("its text file is outside the project" in line for line in report.dropped)
    assert not report.study.interviews.exists()


def test_an_upload_over_the_limit_is_refused_unread(settings):
    settings.EXCERPTA_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ImportRejected, match=r"it is 0\.\d+ MB, over the 0\.001 MB limit"):
        read_exchange("p.qdpx", nvivo_qdpx() + bytes(1000))


@hypothesis.settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_archives_are_read_or_refused_never_crash(data):
    """Any byte of a real .qdpx changed, cut or inserted: the reader returns what it read
    or refuses it; it never raises anything else."""
    raw = bytearray(nvivo_qdpx())
    at = data.draw(st.integers(0, len(raw) - 1), label="at")
    how = data.draw(st.sampled_from(["flip", "cut", "insert"]), label="how")
    if how == "flip":
        raw[at] ^= data.draw(st.integers(1, 255))
    elif how == "cut":
        del raw[at:]
    else:
        raw[at:at] = data.draw(st.binary(min_size=1, max_size=64))
    try:
        read_exchange("p.qdpx", bytes(raw))
    except ImportRejected as rejected:
        message = str(rejected)
        assert message.startswith("it "), message


@hypothesis.settings(max_examples=60)
@given(
    xml=st.text(
        alphabet=st.sampled_from(list('<>/="&;!?[] ProjectCodeSourceguidname\u00e9\U0001f600')),
        max_size=300,
    ),
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]),
)
def test_malformed_xml_in_any_encoding_is_refused_never_crashes(xml, encoding):
    raw = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p">'
        + xml
    ).encode(encoding, "replace")
    try:
        read_exchange("p.qde", raw)
    except ImportRejected as rejected:
        message = str(rejected)
        assert message.startswith("it "), message


@hypothesis.settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(sorted(HOSTILE)), min_size=1, max_size=1))
def test_any_hostile_kind_leaves_the_database_as_it_was(kinds, owner):
    build, _ = HOSTILE[kinds[0]]
    before = (Study.objects.count(), Code.objects.count())
    with pytest.raises(ImportRejected):
        study_import_qdpx(name="p.qdpx", raw=build(), owner=owner)
    assert (Study.objects.count(), Code.objects.count()) == before


def test_a_project_of_more_codes_than_any_real_one_is_refused(owner, monkeypatch):
    monkeypatch.setitem(qdpx_read.LIMITS, "codes", 2)
    with pytest.raises(ImportRejected, match="it holds 3 codes, more than the 2 Excerpta takes"):
        study_import_qdpx(name="p.qdpx", raw=nvivo_qdpx(), owner=owner)
    assert not Study.objects.exists()


def test_a_codebook_of_more_codes_than_any_real_one_is_refused(monkeypatch):
    monkeypatch.setitem(qdpx_read.LIMITS, "codes", 1)
    with pytest.raises(ImportRejected, match="it holds 2 codes"):
        read_exchange("tags.qdc", codebook_qdc())


def test_damaged_xml_is_said_in_the_researchers_words_not_lxmls(caplog):
    raw = coded_project().replace(b"</Codes>", b"</Code>", 1)
    with (
        caplog.at_level(logging.INFO, logger="themes.exchange.qdpx_read"),
        pytest.raises(ImportRejected) as refused,
    ):
        read_exchange("p.qde", raw)
    assert str(refused.value) == (
        "it is not a valid REFI-QDA project (its XML is damaged: it was not saved whole, or "
        "was changed by hand)"
    )
    # lxml's own words are kept for whoever reads the log.
    assert "Opening and ending tag mismatch" in caplog.text

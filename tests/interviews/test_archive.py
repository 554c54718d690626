from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from interviews.archive import ArchiveLimits, open_archive
from interviews.text import ImportRejected

from .test_importers import make_docx
from .zips import Member, build_zip, zeros_bomb

GIBIBYTE_IN_MIB = 1024


def docx_members(paragraphs=("Interviewer: How long?", "R1: Six years.")) -> list[Member]:
    """The members of a real .docx made by python-docx, as honest Members."""
    with zipfile.ZipFile(io.BytesIO(make_docx(paragraphs))) as archive:
        return [Member.of(name, archive.read(name)) for name in archive.namelist()]


def with_document(document: Member) -> bytes:
    members = [m for m in docx_members() if m.name != "word/document.xml"]
    return build_zip([*members, document])


# Peak memory of a fresh process reading one file: growth of its peak (tests.peak, MB) over
# what the process held before the read, with every module already imported.
_MEASURE = """
import json, sys
import django
django.setup()
from interviews.importers import read_transcript
from interviews.text import ImportRejected
raw = open(sys.argv[1], "rb").read()
from tests.peak import peak_mb, reset_peak, resident_mb
reset_peak()
before = resident_mb()
try:
    read_transcript("R1.docx", raw)
    outcome = "read"
except ImportRejected as refused:
    outcome = str(refused)
after = peak_mb()
print(json.dumps({"outcome": outcome, "growth_mb": after - before}))
"""


def measure_read(tmp_path: Path, raw: bytes) -> dict:
    path = tmp_path / "R1.docx"
    path.write_bytes(raw)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_the_bomb_really_inflates_to_what_it_says():
    # The construction the memory tests rely on, checked at a size a test can afford.
    with zipfile.ZipFile(io.BytesIO(build_zip([zeros_bomb(8)]))) as archive:
        assert len(archive.read("word/document.xml")) == 8 << 20


@pytest.mark.parametrize(
    ("claimed_size", "claimed_compressed"),
    [(1000, None), (GIBIBYTE_IN_MIB << 20, 20 << 20), (30 << 20, None)],
    ids=["claims-1000-bytes", "claims-a-loose-ratio", "claims-under-the-limit"],
)
def test_it_refuses_a_gibibyte_bomb_whose_headers_lie_in_little_memory(
    tmp_path, claimed_size, claimed_compressed
):
    bomb = zeros_bomb(GIBIBYTE_IN_MIB)
    bomb.claimed_size, bomb.claimed_compressed = claimed_size, claimed_compressed
    raw = with_document(bomb)
    assert len(raw) < 2 << 20
    measured = measure_read(tmp_path, raw)
    assert measured["outcome"] != "read"
    assert "Word document" in measured["outcome"] or "MB" in measured["outcome"]
    assert measured["growth_mb"] < 50, measured


@pytest.mark.parametrize(
    ("claimed_size", "message"),
    [
        # The part's name quoted and isolated (interviews.archive.part_named).
        (1000, "the part “\u2068word/document.xml\u2069” is damaged"),
        (8 << 20, "more than 2 MB"),
        (1 << 20, "damaged"),
    ],
)
def test_it_stops_inflating_a_member_at_the_cap_whatever_its_header_says(claimed_size, message):
    bomb = zeros_bomb(8)
    bomb.claimed_size = claimed_size
    archive = open_archive(
        build_zip([bomb]), limits=ArchiveLimits(total_bytes=2 << 20, ratio_floor=16 << 20)
    )
    with pytest.raises(ImportRejected, match=message):
        archive.read("word/document.xml")


def test_it_refuses_a_member_over_the_total_with_the_limit_in_the_message():
    data = os.urandom(3 << 20)
    archive = open_archive(
        build_zip([Member.of("word/document.xml", data)]),
        limits=ArchiveLimits(total_bytes=2 << 20),
    )
    with pytest.raises(ImportRejected, match="more than 2 MB, over the limit"):
        archive.read("word/document.xml")
    assert archive.inflated == 0


def test_it_counts_every_member_read_against_the_total():
    one = os.urandom(600 << 10)
    archive = open_archive(
        build_zip([Member.of("a.xml", one), Member.of("b.xml", one)]),
        limits=ArchiveLimits(total_bytes=1 << 20),
    )
    assert archive.read("a.xml") == one
    with pytest.raises(ImportRejected, match="over the limit"):
        archive.read("b.xml")


def test_it_refuses_a_declared_ratio_beyond_the_bound_before_inflating():
    bomb = zeros_bomb(4)
    with pytest.raises(ImportRejected, match="zip bomb"):
        open_archive(build_zip([bomb]), limits=ArchiveLimits(ratio_floor=1 << 20))


@pytest.mark.parametrize(
    "name",
    ["../word/document.xml", "/etc/passwd", "word/../../x.xml", "C:\\x.xml", "..\\..\\x.xml"],
)
def test_it_refuses_names_outside_the_archive(name):
    raw = build_zip([Member.of("word/document.xml", b"<x/>"), Member.of(name, b"x")])
    with pytest.raises(ImportRejected, match="named outside the archive"):
        open_archive(raw, limits=ArchiveLimits())


def test_it_refuses_too_many_members_before_reading_their_directory():
    raw = build_zip([Member.of(f"part{n}.xml", b"") for n in range(21)])
    with pytest.raises(ImportRejected, match="more than 20 parts"):
        open_archive(raw, limits=ArchiveLimits(members=20))
    assert open_archive(raw, limits=ArchiveLimits(members=21)).names[0] == "part0.xml"


def test_it_refuses_a_file_that_is_not_a_zip():
    with pytest.raises(ImportRejected, match="not a zip archive"):
        open_archive(b"PK but nothing else", limits=ArchiveLimits())


def test_a_docx_read_through_it_gives_its_text():
    raw = build_zip(docx_members(["Interviewer: Ready?", "R1: Yes."]))
    from interviews.importers import read_transcript

    assert read_transcript("R1.docx", raw).text == "Interviewer: Ready?\n\nR1: Yes."


def test_an_encrypted_member_is_refused_as_such():
    # Bit 0 of a member's flags says its data is encrypted (a password-protected file, or a
    # damaged bit): zipfile asked for a password, and the import said only that the file
    # "could not be read".
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    raw = bytearray(buffer.getvalue())
    central = raw.index(b"PK\x01\x02")
    raw[central + 8] |= 0x1  # the central directory's general purpose flags
    raw[8] |= 0x1  # the local header's
    with pytest.raises(ImportRejected, match="is encrypted: save the file without a password"):
        open_archive(bytes(raw), limits=ArchiveLimits()).read("word/document.xml")

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from interviews.models import Study
from tests.interviews.zips import damaged_zip

from .qdpx_files import TRANSCRIPT, codebook_qdc, coded_project, nvivo_qdpx, project_xml


def run(*args) -> str:
    out = StringIO()
    call_command("import_qdpx", *args, stdout=out)
    return out.getvalue()


def test_it_imports_a_project_and_prints_the_report(owner, tmp_path):
    path = tmp_path / "peer.qdpx"
    path.write_bytes(nvivo_qdpx())

    output = run(str(path), "--owner", owner.username)

    study = Study.objects.get()
    assert study.memberships.get().user == owner
    lines = output.splitlines()
    assert lines[0] == (
        f"peer.qdpx: imported into “Peer support” ({study.slug}): 3 codes, 1 respondent, "
        "1 interview, 2 excerpts, 1 theme, 2 memos."
    )
    assert any(line.startswith("  adjusted: the positions in “First interview”") for line in lines)


def test_it_prints_each_dropped_item(owner, tmp_path):
    path = tmp_path / "p.qde"
    extra = '<PictureSource guid="91111111-1111-4111-8111-111111111111" name="photo.jpg"/>'
    path.write_bytes(project_xml(extra_sources=extra))

    output = run(str(path), "--owner", owner.username)

    assert "  dropped: the source “photo.jpg”, an image (Excerpta holds text only)" in output
    # A bare .qde: its internal:// text file is not there.
    assert "  dropped: the source “First interview” (its text file is missing" in output


def test_it_merges_a_codebook_into_a_study(study, tmp_path):
    path = tmp_path / "tags.qdc"
    path.write_bytes(codebook_qdc())

    output = run(str(path), "--codebook-into", study.slug)

    assert output.startswith(f"tags.qdc: imported into “{study.title}” ({study.slug}): 2 codes.")
    assert "already in the study" not in output
    assert sorted(study.codes.values_list("name", flat=True)) == ["Hope", "Support"]
    # Again: both codes are there now, and the command says so.
    output = run(str(path), "--codebook-into", study.slug)
    assert output.startswith(f"tags.qdc: imported into “{study.title}” ({study.slug}): nothing.")
    assert "  already in the study, left as they were: 2 codes" in output


def test_a_refused_file_imports_nothing_and_fails(owner, tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_bytes(b"PK\x03\x04 not a zip")

    with pytest.raises(
        CommandError, match=r"p\.qdpx: refused: it is not a valid REFI-QDA project"
    ) as error:
        run(str(path), "--owner", owner.username)

    assert error.value.returncode == 1
    assert not Study.objects.exists()


def test_it_needs_an_owner_when_there_is_no_single_superuser(owner, tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_bytes(nvivo_qdpx())

    with pytest.raises(CommandError, match="--owner USERNAME"):
        run(str(path))
    with pytest.raises(CommandError, match="No user called “nobody”"):
        run(str(path), "--owner", "nobody")


def test_a_refusal_prints_a_hostile_part_name_printably(owner, tmp_path):
    """The source's text file is damaged, under a name with a right-to-left override and a
    C1 control (CSI, which a terminal may read as an escape's start): the refusal printed
    them as they were."""
    name = "\u202etxt.ssecca\x9b2J"
    member = f"sources/{name}"
    project = coded_project(source_path=f"internal://{name}")
    path = tmp_path / "p.qdpx"
    path.write_bytes(damaged_zip({"project.qde": project, member: TRANSCRIPT.encode()}, member))

    with pytest.raises(CommandError) as refused:
        run(str(path), "--owner", owner.username)

    assert str(refused.value) == (
        "p.qdpx: refused: it holds the source “First interview”, which cannot be read (it is "
        "not a valid REFI-QDA project (the part “sources/txt.ssecca2J” is damaged: its "
        "compressed data does not check out)); nothing was imported."
    )
    assert not Study.objects.exists()

"""python manage.py export_qdpx."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from interviews.services import identifier_add

from .everything import export, make_everything


@pytest.fixture
def everything(study, owner, coder):
    return make_everything(study, owner, coder)


def test_it_writes_the_project(study, everything, tmp_path):
    target = tmp_path / "study.qdpx"
    printed = run(study, target)
    assert "Wrote the project of “Harm reduction”" in printed
    assert target.read_bytes() == export(study)
    # What the project does not carry is said, as the file's description says it.
    assert printed.splitlines()[1:] == [
        "2 other members with their roles are not part of a REFI-QDA project and were not "
        "exported.",
        "1 withdrawn respondent and all of theirs were left out, as in every export.",
    ]


def run(study, target, *flags: str) -> str:
    """What `export_qdpx --study STUDY --output TARGET FLAGS…` prints."""
    out = io.StringIO()
    call_command("export_qdpx", "--study", study.slug, "--output", str(target), *flags, stdout=out)
    return out.getvalue()


def test_it_writes_the_codebook_alone(study, everything, tmp_path):
    target = tmp_path / "codes.qdc"
    run(study, target, "--codebook-only")
    assert target.read_bytes() == export(study, codebook_only=True)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--study", "nope", "--output", "x.qdpx"], "No study with the slug “nope”"),
        (["--output", "x.docx"], "must end in .qdpx"),
        (["--output", "x.qdpx", "--codebook-only"], "must end in .qdc"),
        (["--output", "/nonexistent-folder/x.qdpx"], "Cannot write"),
    ],
)
def test_it_refuses_bad_arguments_with_a_message(study, arguments, message):
    if "--study" not in arguments:
        arguments = ["--study", study.slug, *arguments]
    with pytest.raises(CommandError, match=message):
        call_command("export_qdpx", *arguments)


def test_a_refusal_leaves_no_file_and_keeps_the_old_one(study, everything, tmp_path):
    identifier_add(study=study, text="shelter", replacement="[a refuge]")
    target = tmp_path / "study.qdpx"
    target.write_bytes(b"the previous export")
    with pytest.raises(CommandError, match="Not exported: 1 place in the transcripts"):
        run(study, target)
    assert target.read_bytes() == b"the previous export"
    assert [path.name for path in tmp_path.iterdir()] == ["study.qdpx"]
    run(study, target, "--include-identifying")
    assert target.read_bytes() == export(study, include_identifying=True)

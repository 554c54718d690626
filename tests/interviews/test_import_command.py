from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from interviews.models import Interview
from interviews.services import respondent_create
from tests.conftest import TRANSCRIPT


def run(*args) -> str:
    out = StringIO()
    call_command("import_transcripts", *args, stdout=out)
    return out.getvalue()


def test_it_imports_files_and_prints_a_line_for_each(study, tmp_path):
    (tmp_path / "R1-interview.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "R2_followup.txt").write_bytes(TRANSCRIPT.encode("cp1252", "replace"))
    output = run("--study", study.slug, *(str(p) for p in sorted(tmp_path.iterdir())))
    lines = output.splitlines()
    assert lines[0].startswith("R1-interview.txt: imported for R1 (new respondent)")
    assert lines[1].startswith("R2_followup.txt: imported for R2 (new respondent)")
    assert Interview.objects.count() == 2


def test_it_imports_the_rest_and_fails_when_a_file_is_refused(study, tmp_path):
    good = tmp_path / "R1.txt"
    good.write_text(TRANSCRIPT, encoding="utf-8")
    bad = tmp_path / "R2.docx"
    bad.write_bytes(b"nope")
    out = StringIO()
    with pytest.raises(CommandError, match="2 of 3 file") as error:
        call_command(
            "import_transcripts",
            "--study",
            study.slug,
            str(bad),
            str(good),
            str(tmp_path / "missing.txt"),
            stdout=out,
        )
    assert error.value.returncode == 1
    output = out.getvalue()
    assert "R2.docx: refused: it is not a valid Word document" in output
    assert "missing.txt: refused: it cannot be read" in output
    assert Interview.objects.get().respondent.pseudonym == "R1"


def test_it_can_assign_every_file_to_one_respondent(study, tmp_path):
    respondent_create(study=study, pseudonym="Maria")
    path = tmp_path / "transcript.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    run("--study", study.slug, "--respondent", "maria", str(path))
    assert Interview.objects.get().respondent.pseudonym == "Maria"
    with pytest.raises(CommandError, match="no respondent called “Nobody”"):
        run("--study", study.slug, "--respondent", "Nobody", str(path))
    with pytest.raises(CommandError, match="No study with the slug “nope”"):
        run("--study", "nope", str(path))

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
    output = run("--study", study.slug, "--yes", *(str(p) for p in sorted(tmp_path.iterdir())))
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
            "--yes",
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


def test_a_new_respondent_from_a_file_name_needs_yes(study, tmp_path):
    path = tmp_path / "R3-interview.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("import_transcripts", "--study", study.slug, str(path), stdout=out)
    assert "“R3” would be a new respondent: run again with --yes" in out.getvalue()
    assert not study.respondents.exists()
    assert "imported for R3 (new respondent)" in run("--study", study.slug, "--yes", str(path))


@pytest.mark.parametrize("name", ["Maria Lopez 2026-03-02.txt", "interview-notes.txt"])
def test_a_name_that_is_not_a_pseudonym_never_makes_a_respondent(study, tmp_path, name):
    path = tmp_path / name
    path.write_text(TRANSCRIPT, encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_transcripts", "--study", study.slug, "--yes", str(path), stdout=out)
    assert "give --respondent or --new-respondent" in out.getvalue()
    assert not study.respondents.exists()
    output = run("--study", study.slug, "--new-respondent", "P4", str(path))
    assert f"{name}: imported for P4 (new respondent)" in output


def test_an_existing_respondent_needs_no_flag_and_the_same_text_is_skipped(study, tmp_path):
    respondent_create(study=study, pseudonym="R1")
    path = tmp_path / "r1-first.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    # Joined R1 whatever the case, and says so (the import page says the same).
    said = "imported for R1 (an existing respondent; its file's name says “r1”),"
    assert said in run("--study", study.slug, str(path))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_transcripts", "--study", study.slug, str(path), stdout=out)
    assert "skipped: the same text is already imported for R1" in out.getvalue()
    run("--study", study.slug, "--import-duplicates", str(path))
    assert Interview.objects.count() == 2


def test_an_unreadable_decoding_needs_an_encoding(study, tmp_path):
    path = tmp_path / "R5.txt"
    path.write_bytes("Ερευνητής: Πώς ήταν η πρώτη μέρα;\n\nR5: Δύσκολη.".encode("iso8859-7"))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_transcripts", "--study", study.slug, "--yes", str(path), stdout=out)
    assert "read as Windows-1252 it is not readable text" in out.getvalue()
    assert not Interview.objects.exists()
    run("--study", study.slug, "--yes", "--encoding", "iso8859-7", str(path))
    assert "Πώς ήταν" in Interview.objects.get().text

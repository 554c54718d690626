"""The two-step import: upload, then a preview of every file to confirm (issue 7, 12-14)."""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews import encodings, services, staging
from interviews.models import Interview, QuestionSegment, StagedFile
from interviews.views.transcripts import _contents
from tests.conftest import HTMX, TRANSCRIPT, client_for, import_text

GREEK = "Ερευνητής: Πώς ήταν η πρώτη μέρα;\n\nR6: Καλημέρα, ήταν δύσκολη αλλά ενδιαφέρουσα."
R22 = Path(settings.BASE_DIR).parent / "shared" / "cases" / "R22-greek-iso8859-7.txt"


def upload(client, study, *files):
    """Post files to the import page; returns the batch page's URL it sends the browser to."""
    uploads = [SimpleUploadedFile(name, raw) for name, raw in files]
    response = client.post(
        reverse("transcript_import", args=[study.slug]), {"files": uploads}, headers=HTMX
    )
    assert response.status_code == 200, response.content[:300]
    return response["HX-Redirect"]


def test_every_file_is_judged_on_its_own_and_nothing_is_created_before_confirming(study, owner):
    client = client_for(owner)
    url = upload(
        client,
        study,
        ("R2-interview.txt", codecs.BOM_UTF16_LE + TRANSCRIPT.encode("utf-16-le")),
        ("R3.docx", b"PK\x03\x04 not really a docx"),
        ("R4.pdf", b"%PDF"),
        ("R5.txt", b""),
    )
    html = client.get(url).content.decode()
    assert "<bdi>R3.docx</bdi>: refused: it is not a valid Word document" in html
    assert "<bdi>R4.pdf</bdi>: refused: it is not a .txt or .docx file." in html
    assert "<bdi>R5.txt</bdi>: refused: it is empty." in html
    assert "“<bdi>R2</bdi>” would be a new respondent" in html
    assert "About six years now." in html  # the first lines, decoded
    assert not Interview.objects.exists()
    assert not study.respondents.exists()

    response = client.post(url, {"f0-respondent": "new", "f0-pseudonym": "R2"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "1 imported, 3 refused" in html
    assert "<bdi>R2-interview.txt</bdi>: imported for <bdi>R2</bdi> (new respondent)" in html
    interview = Interview.objects.get()
    assert interview.respondent.pseudonym == "R2"
    assert interview.source_encoding == "UTF-16 (with byte-order mark)"
    # The bytes are not kept once the batch is imported.
    assert all(bytes(row.data) == b"" for row in StagedFile.objects.all())


def file_messages(html: str) -> dict[str, list[str]]:
    """Each staged file's messages (its errors, warnings and notes), by file name."""
    files = {}
    for chunk in html.split('<li class="staged-file" data-file="')[1:]:
        name, _, body = chunk.partition('"')
        files[name] = re.findall(r'<p class="(?:error|warn|muted)"[^>]*>(.*?)</p>', body, re.S)
    return files


def summary(html: str) -> str:
    return re.search(r'<p class="import-summary"[^>]*>(.*?)</p>', html).group(1)


def test_the_preview_sums_up_the_batch_and_says_each_files_message_once(study, owner):
    client = client_for(owner)
    ready = [(f"R{n}.txt", (TRANSCRIPT + f"\n\nR{n}: Mine.").encode()) for n in range(1, 11)]
    url = upload(client, study, *ready, ("Maria Lopez.txt", TRANSCRIPT.encode()), ("e.txt", b""))
    expected = "12 files: 10 ready, 1 needs a respondent, 1 refused (empty)"
    assert summary(client.get(url).content.decode()) == expected
    # Import pressed before choosing Maria Lopez's respondent: the others' proposals stand.
    choices = {f"f{n - 1}-respondent": "new" for n in range(1, 11)}
    choices |= {f"f{n - 1}-pseudonym": f"R{n}" for n in range(1, 11)}
    for response in (client.post(url, choices), client.post(url, choices, headers=HTMX)):
        html = response.content.decode()
        assert summary(html) == expected
        messages = file_messages(html)
        assert messages["Maria Lopez.txt"].count("Choose who this file belongs to.") == 1
        for name, said in messages.items():
            assert len(said) == len(set(said)), (name, said)
    assert not Interview.objects.exists()


def test_the_summary_counts_each_file_once_whatever_it_lacks(study, owner):
    client = client_for(owner)
    url = upload(
        client,
        study,
        ("R1.txt", TRANSCRIPT.encode()),
        ("R1 again.txt", TRANSCRIPT.encode()),
        ("notes.txt", GREEK.encode("iso8859-7")),
        ("R3.docx", b"PK\x03\x04 not really a docx"),
        ("R4.pdf", b"%PDF"),
        ("R5.txt", b""),
        ("R6.txt", b"   "),
    )
    assert summary(client.get(url).content.decode()) == (
        "7 files: 1 ready, 1 needs a respondent and an encoding, 1 to be skipped (same text), "
        "4 refused (2 empty, 1 damaged, 1 wrong type)"
    )
    choices = {"f0-respondent": "new", "f0-pseudonym": "R1", "f1-respondent": "skip"}
    choices |= {"f2-respondent": "new", "f2-pseudonym": "R9", "f2-encoding": "iso8859-7"}
    choices |= {"f2-conducted_on": "1800-01-01"}
    assert summary(client.post(url, choices).content.decode()) == (
        "7 files: 1 ready, 1 needs a correction, 1 left out, "
        "4 refused (2 empty, 1 damaged, 1 wrong type)"
    )


def test_htmx_imports_one_file_per_request_and_shows_progress(study, owner):
    client = client_for(owner)
    url = upload(
        client,
        study,
        ("R1.txt", TRANSCRIPT.encode()),
        ("R2.docx", b"broken"),
        ("R3.txt", (TRANSCRIPT + "\n\nR3: More.").encode()),
    )
    confirm = {
        "f0-respondent": "new",
        "f0-pseudonym": "R1",
        "f2-respondent": "new",
        "f2-pseudonym": "R3",
    }
    html = client.post(url, confirm, headers=HTMX).content.decode()
    assert "Importing: 1 of 3 files done" in html  # the refused file is done already
    step = reverse("import_step", args=[study.slug, url.split("/")[-2]])
    assert f'hx-post="{step}"' in html
    assert not Interview.objects.exists()
    html = client.post(step, headers=HTMX).content.decode()
    assert "Importing: 2 of 3 files done" in html
    assert Interview.objects.count() == 1
    html = client.post(step, headers=HTMX).content.decode()
    assert "2 imported, 1 refused" in html
    assert "hx-post" not in html
    assert Interview.objects.count() == 2


def test_a_plain_post_of_the_next_step_imports_the_rest_and_goes_back_to_the_batch(study, owner):
    """A step posted without htmx (JavaScript off, or htmx not yet loaded): nothing would
    post the next one, so the rest is imported and the batch's page shown, not the bare
    progress bar."""
    client = client_for(owner)
    url = upload(
        client,
        study,
        ("R1.txt", TRANSCRIPT.encode()),
        ("R3.txt", (TRANSCRIPT + "\n\nR3: More.").encode()),
    )
    confirm = {"f0-respondent": "new", "f0-pseudonym": "R1"}
    confirm |= {"f1-respondent": "new", "f1-pseudonym": "R3"}
    client.post(url, confirm, headers=HTMX)
    step = reverse("import_step", args=[study.slug, url.split("/")[-2]])
    response = client.post(step)
    assert response.status_code == 302
    assert response["Location"] == url
    assert Interview.objects.count() == 2
    html = client.get(url).content.decode()
    assert "<html" in html
    assert "2 imported" in html


@pytest.mark.parametrize(
    "name", ["Maria Lopez 2026-03-02.txt", "interview-notes.txt", "Jonas_2.txt"]
)
def test_a_name_that_is_not_a_pseudonym_makes_no_respondent_without_asking(study, owner, name):
    client = client_for(owner)
    url = upload(client, study, (name, TRANSCRIPT.encode()))
    html = client.get(url).content.decode()
    assert "choose its respondent" in html
    assert '<option value="" selected>Choose…</option>' in html
    html = client.post(url, {}).content.decode()
    assert "Choose who this file belongs to." in html
    assert not study.respondents.exists()
    client.post(url, {"f0-respondent": "new", "f0-pseudonym": "R9"})
    assert list(study.respondents.values_list("pseudonym", flat=True)) == ["R9"]


def test_a_date_in_the_file_name_is_proposed_as_the_interview_date(study, owner):
    client = client_for(owner)
    url = upload(client, study, ("P1 2026-03-02.txt", TRANSCRIPT.encode()))
    assert 'value="2026-03-02"' in client.get(url).content.decode()


def test_an_existing_respondent_is_proposed_whatever_the_case(study, owner):
    respondent = services.respondent_create(study=study, pseudonym="R1")
    client = client_for(owner)
    url = upload(client, study, ("r1_followup.txt", TRANSCRIPT.encode()))
    html = client.get(url).content.decode()
    assert f'<option value="{respondent.pk}" selected>R1</option>' in html
    # And the import's result says the file joined R1 though its name says r1.
    client.post(url, {"f0-respondent": str(respondent.pk)})
    assert Interview.objects.get().respondent == respondent
    assert (
        "<bdi>r1_followup.txt</bdi>: imported for <bdi>R1</bdi> (an existing respondent; its "
        "file&#x27;s name says “<bdi>r1</bdi>”)"
    ) in client.get(url).content.decode()


def test_the_same_text_again_is_flagged_and_skipped_unless_ticked(study, owner):
    import_text(study, name="R1.txt")
    client = client_for(owner)
    url = upload(client, study, ("R1-again.txt", TRANSCRIPT.encode()))
    html = client.get(url).content.decode()
    assert "The same text is already imported for this respondent" in html
    respondent = study.respondents.get()
    client.post(url, {"f0-respondent": str(respondent.pk)})
    skipped = "skipped: the same text is already imported for <bdi>R1</bdi>."
    assert f"<bdi>R1-again.txt</bdi>: {skipped}" in client.get(url).content.decode()
    assert Interview.objects.count() == 1

    url = upload(client, study, ("R1-again.txt", TRANSCRIPT.encode()))
    client.post(url, {"f0-respondent": str(respondent.pk), "f0-import_duplicate": "on"})
    assert Interview.objects.count() == 2


def test_an_unreadable_decoding_must_be_replaced_by_a_chosen_encoding(study, owner):
    client = client_for(owner)
    url = upload(client, study, ("R6.txt", GREEK.encode("iso8859-7")))
    html = client.get(url).content.decode()
    assert "read as Western European (Windows-1252) it is not readable text" in html
    assert '<option value="" selected>Choose the encoding…</option>' in html
    html = client.post(url, {"f0-respondent": "new", "f0-pseudonym": "R6"}).content.decode()
    assert "Choose the encoding in which the first lines read right." in html
    assert not Interview.objects.exists()

    batch = url.split("/")[-2]
    lines = reverse("import_lines", args=[study.slug, batch, 0])
    fragment = client.get(lines, {"f0-encoding": "iso8859-7"}, headers=HTMX).content.decode()
    assert "<html" not in fragment
    assert "Πώς ήταν η πρώτη μέρα;" in fragment
    fragment = client.get(lines, {"f0-encoding": "cp1252"}, headers=HTMX).content.decode()
    assert "Ðþò Þôáí" in fragment  # what the researcher sees, and why she chooses

    client.post(url, {"f0-respondent": "new", "f0-pseudonym": "R6", "f0-encoding": "iso8859-7"})
    interview = Interview.objects.get()
    assert "Καλημέρα" in interview.text
    assert interview.source_encoding == "Greek (ISO-8859-7)"


@pytest.mark.skipif(not R22.exists(), reason="../shared/cases is not beside this checkout")
def test_the_greek_case_is_never_imported_as_windows_1252(study, owner):
    client = client_for(owner)
    url = upload(client, study, (R22.name, R22.read_bytes()))
    html = client.get(url).content.decode()
    assert "not readable text" in html
    client.post(url, {"f0-respondent": "new", "f0-pseudonym": "R22"})
    assert not Interview.objects.exists()
    client.post(url, {"f0-respondent": "new", "f0-pseudonym": "R22", "f0-encoding": "iso8859-7"})
    assert "Καλημέρα" in Interview.objects.get().text


def test_a_file_can_be_left_out(study, owner):
    client = client_for(owner)
    url = upload(client, study, ("notes.txt", b"Notes."), ("R1.txt", TRANSCRIPT.encode()))
    client.post(url, {"f0-respondent": "skip", "f1-respondent": "new", "f1-pseudonym": "R1"})
    assert "<bdi>notes.txt</bdi>: left out." in client.get(url).content.decode()
    assert Interview.objects.get().respondent.pseudonym == "R1"


def test_a_batch_is_private_to_the_user_who_uploaded_it(study, owner, coder, reviewer, stranger):
    url = upload(client_for(owner), study, ("R1.txt", TRANSCRIPT.encode()))
    batch = url.split("/")[-2]
    step = reverse("import_step", args=[study.slug, batch])
    lines = reverse("import_lines", args=[study.slug, batch, 0])
    assert client_for(coder).get(url).status_code == 404
    assert client_for(coder).get(lines).status_code == 404
    assert client_for(coder).post(step).status_code == 404
    for target in (url, lines):
        assert client_for(reviewer).get(target).status_code == 403
        assert client_for(stranger).get(target).status_code == 404
    assert client_for(reviewer).post(step).status_code == 403
    assert client_for(stranger).post(step).status_code == 404
    assert StagedFile.objects.get().status == StagedFile.Status.STAGED


def test_an_upload_without_files_keeps_the_form(study, owner):
    response = client_for(owner).post(
        reverse("transcript_import", args=[study.slug]), {}, headers=HTMX
    )
    assert "Choose at least one file to import." in response.content.decode()
    assert not StagedFile.objects.exists()


@pytest.mark.parametrize("n", [1, 6])
def test_the_preview_queries_do_not_grow(study, owner, n, django_assert_num_queries):
    client = client_for(owner)
    url = upload(
        client,
        study,
        *((f"R{i}.txt", f"{TRANSCRIPT}\n\nR{i}: {i}".encode()) for i in range(n)),
    )
    # session, user, study+role, the batch's files, respondents, the de-identification
    # list, texts already imported
    with django_assert_num_queries(7):
        html = client.get(url).content.decode()
    assert len(re.findall(r'class="staged-file"', html)) == n


def test_the_same_text_twice_in_one_upload_is_flagged_and_imported_once(study, owner):
    client = client_for(owner)
    url = upload(
        client, study, ("R1.txt", TRANSCRIPT.encode()), ("R1-copy.txt", TRANSCRIPT.encode())
    )
    html = client.get(url).content.decode()
    assert html.count("The same text comes earlier in this upload") == 1
    client.post(
        url,
        {
            "f0-respondent": "new",
            "f0-pseudonym": "R1",
            "f1-respondent": "new",
            "f1-pseudonym": "R1",
        },
    )
    skipped = "skipped: the same text is already imported for <bdi>R1</bdi>."
    assert f"<bdi>R1-copy.txt</bdi>: {skipped}" in client.get(url).content.decode()
    assert Interview.objects.count() == 1


def test_uploads_left_unconfirmed_are_listed_on_the_import_page(study, owner, coder):
    url = upload(client_for(owner), study, ("R1.txt", TRANSCRIPT.encode()))
    page = reverse("transcript_import", args=[study.slug])
    assert f'href="{url}">1 file uploaded' in client_for(owner).get(page).content.decode()
    assert url not in client_for(coder).get(page).content.decode()


def test_a_refused_confirmation_shows_the_lines_in_the_encoding_chosen(study, owner):
    client = client_for(owner)
    url = upload(client, study, ("notes.txt", GREEK.encode("iso8859-7")))
    html = client.post(url, {"f0-encoding": "iso8859-7"}).content.decode()
    assert "Choose who this file belongs to." in html
    assert "Πώς ήταν η πρώτη μέρα;" in html
    assert '<option value="iso8859-7" selected>' in html


def test_an_oversized_upload_is_refused_without_being_read(study, owner, settings):
    settings.EXCERPTA_MAX_UPLOAD_BYTES = 100
    client = client_for(owner)
    response = client.post(
        reverse("transcript_import", args=[study.slug]),
        {"files": [SimpleUploadedFile("R1.txt", b"x" * 500)]},
        headers=HTMX,
    )
    preview = client.get(response["HX-Redirect"]).content.decode()
    assert "<bdi>R1.txt</bdi>: refused: it is 0.0005 MB, over the 0.0001 MB limit" in preview

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("an upload over the limit must not be read")

    [(name, content)] = list(_contents([Unreadable("R2.txt", b"y" * 500)]))
    assert (name, content.size) == ("R2.txt", 500)


def _upload_and_confirm(client, study, names, assert_num_queries):
    """Upload transcripts of new respondents R<n> (n in `names`) in one request, then
    confirm them all without htmx, which imports the batch in the confirming request."""
    files = len(names)
    uploads = [
        SimpleUploadedFile(f"R{n}.txt", f"{TRANSCRIPT}\n\nR{n}: file {n}".encode()) for n in names
    ]
    # session, user, study+role, purge of day-old uploads, the study's pseudonyms, one
    # INSERT of every file
    with assert_num_queries(6):
        response = client.post(reverse("transcript_import", args=[study.slug]), {"files": uploads})
    url = response["Location"]
    confirm = {}
    for position, n in enumerate(names):
        confirm[f"f{position}-respondent"] = "new"
        confirm[f"f{position}-pseudonym"] = f"R{n}"
    # Once: session, user, study+role, the batch's files, the study's respondents (for the
    # forms), savepoint, one UPDATE of every file's choice, release, the queued files; the
    # study's revision, protocol questions, respondents and the texts imported (read before
    # the first chunk's transaction). Per chunk of files (10), whatever its number of files:
    # their claim, savepoint, the revision bump, the new respondents and their history
    # records, the interviews and theirs (interviews.history), their question sections,
    # release (on a server, BEGIN and COMMIT are not queries), their rows' outcomes.
    chunks = -(-files // staging.CHUNK)
    with assert_num_queries(13 + 10 * chunks):
        response = client.post(url, confirm)
    assert response.status_code == 302
    rows = StagedFile.objects.filter(pseudonym__in=[f"R{n}" for n in names])
    assert [row.status for row in rows] == [StagedFile.Status.IMPORTED] * files
    assert all(row.interview_id and not bytes(row.data) for row in rows)


def test_importing_more_files_costs_no_query_more_per_file(
    study, owner, django_assert_num_queries
):
    """An upload of 3 transcripts and one of 12 make the same queries: the files of a chunk
    are written together (the issue measured 12 queries a file, then 7)."""
    client = client_for(owner)
    _upload_and_confirm(client, study, range(10, 13), django_assert_num_queries)
    _upload_and_confirm(client, study, range(20, 32), django_assert_num_queries)
    assert Interview.objects.count() == 15
    assert study.respondents.count() == 15
    assert QuestionSegment.objects.filter(interview__study=study).exists()


def test_a_batch_of_several_chunks_costs_a_few_queries_per_chunk(
    study, owner, django_assert_num_queries, monkeypatch
):
    """The queries grow by a fixed few per chunk of files, never per file (chunks made
    small here, so that the second upload takes two)."""
    monkeypatch.setattr(staging, "CHUNK", 4)
    client = client_for(owner)
    _upload_and_confirm(client, study, range(10, 13), django_assert_num_queries)
    _upload_and_confirm(client, study, range(20, 26), django_assert_num_queries)
    assert Interview.objects.count() == 9
    assert study.respondents.count() == 9


def test_a_stray_windows_1252_byte_in_a_utf8_file_garbles_nothing_and_is_named(study, owner):
    """A UTF-8 transcript into which an apostrophe was pasted from Word (byte 0x92): read
    as Windows-1252 whole, every accented letter became mojibake ("CafÃ©") without a word."""
    raw = "Interviewer: Café o señor?\n\nR1: Sí, the café.\n".encode() + b"R1: It\x92s fine.\n"
    client = client_for(owner)
    url = upload(client, study, ("R1.txt", raw))
    preview = client.get(url).content.decode()
    assert "Café o señor?" in preview
    # Proposed, sure, as UTF-8 with that byte in Windows-1252.
    guessed = encodings.guess(raw)
    assert (guessed.encoding, guessed.sure) == ("utf-8+cp1252", True)
    client.post(url, {"f0-respondent": "new", "f0-pseudonym": "R1", "f0-encoding": "utf-8+cp1252"})
    interview = Interview.objects.get()
    assert interview.text == "Interviewer: Café o señor?\n\nR1: Sí, the café.\nR1: It’s fine."
    assert interview.source_encoding == "UTF-8 (a few bytes in Windows-1252)"
    html = client.get(url).content.decode()
    assert (
        "1 byte is not UTF-8 and was read as Windows-1252: line 4 (0x92, read as ’); check "
        "that line."
    ) in html


def test_a_quote_in_a_file_name_keeps_its_quote(study, owner):
    # What Chromium and Firefox send for the file `R1 "final".txt` (the HTML standard's
    # multipart/form-data encoding: `"` becomes %22).
    client = client_for(owner)
    url = upload(client, study, ("R1 %22final%22.txt", TRANSCRIPT.encode()))
    assert StagedFile.objects.get().name == 'R1 "final".txt'
    client.post(url, {"f0-respondent": "new", "f0-pseudonym": "R1"})
    assert Interview.objects.get().source_name == 'R1 "final".txt'
    html = client.get(url).content.decode()
    assert "<bdi>R1 &quot;final&quot;.txt</bdi>: imported for <bdi>R1</bdi>" in html


def test_a_file_with_no_name_before_its_kind_is_read_and_asks_for_its_respondent(study, owner):
    # ".txt" is, to pathlib, a hidden file of no kind: it was refused as "not a .txt file".
    client = client_for(owner)
    url = upload(client, study, (".txt", TRANSCRIPT.encode()), (".DOCX", b""))
    html = client.get(url).content.decode()
    assert "About six years now." in html
    assert "<bdi>.DOCX</bdi>: refused: it is empty." in html
    assert "choose its respondent" in html
    assert [row.status for row in StagedFile.objects.order_by("position")] == [
        StagedFile.Status.STAGED,
        StagedFile.Status.REFUSED,
    ]


def test_two_files_of_the_same_name_are_told_apart(study, owner):
    # Chosen from two folders: two rows and two results named alike could not be told apart.
    client = client_for(owner)
    second = (TRANSCRIPT + "\n\nR1: Another day.").encode()
    url = upload(client, study, ("R1.txt", TRANSCRIPT.encode()), ("r1.TXT", second))
    confirm = {"f0-respondent": "new", "f0-pseudonym": "R1", "f1-respondent": "new"}
    client.post(url, confirm | {"f1-pseudonym": "R1"})
    html = client.get(url).content.decode()
    assert "<bdi>R1.txt</bdi>: imported for <bdi>R1</bdi> (new respondent)" in html
    assert "<bdi>r1 (2).TXT</bdi>: imported for <bdi>R1</bdi>" in html
    assert sorted(Interview.objects.values_list("source_name", flat=True)) == [
        "R1.txt",
        "r1 (2).TXT",
    ]


def test_a_preview_of_as_many_files_as_an_upload_takes_fits_in_one_request(study, owner, settings):
    """The preview posts every file's choices at once: five fields a file with its copy
    ticked to import again. At Django's default of 1,000 fields, a 200-file batch so posted
    was refused ("more than 1,000 fields"), with no smaller part to send."""
    client = client_for(owner)
    url = upload(client, study, ("R1.txt", TRANSCRIPT.encode()))
    # The page's form sends its CSRF token too (this client checks none).
    fields = {"csrfmiddlewaretoken": "token", "f0-respondent": "new", "f0-pseudonym": "R1"}
    for position in range(1, settings.DATA_UPLOAD_MAX_NUMBER_FILES):
        # The other files' fields as the preview's forms post them (their files are not in
        # this batch: the view reads only its own), encoding and "import it again" included.
        fields |= {
            f"f{position}-respondent": "new",
            f"f{position}-pseudonym": f"R{position + 1}",
            f"f{position}-encoding": "utf-8",
            f"f{position}-conducted_on": "",
            f"f{position}-import_duplicate": "on",
        }
    fields |= {"f0-encoding": "utf-8", "f0-conducted_on": "", "f0-import_duplicate": "on"}
    response = client.post(url, fields, follow=True)
    assert "more than one request takes" not in response.content.decode()
    assert Interview.objects.get().respondent.pseudonym == "R1"


def _withdrawn_r3(study):
    """R1, and R3 who withdrew on 3 Mar 2025 (noon: the same day in any zone near UTC)."""
    r1 = services.respondent_create(study=study, pseudonym="R1")
    r3 = services.respondent_create(study=study, pseudonym="R3")
    services.respondent_withdraw(respondent=r3)
    r3.withdrawn_at = datetime(2025, 3, 3, 12, tzinfo=UTC)
    r3.save(update_fields=["withdrawn_at"])
    return r1, r3


WITHDRAWN = (
    "<bdi>R3</bdi> withdrew from the study on 3 Mar 2025: their transcripts are not imported "
    "(reinstate them on the Respondents page first if that was a mistake). Choose another "
    "respondent, or leave this file out."
)


def test_the_preview_says_a_file_for_a_withdrawn_respondent_would_be_refused(
    study, owner, django_assert_num_queries
):
    """Whichever way a file goes to a respondent who withdrew (its name, her row chosen, her
    pseudonym typed), its row says so in the import's words before Import is pressed, it is
    not counted ready, and nothing is imported until it goes to someone else or is left
    out."""
    r1, r3 = _withdrawn_r3(study)
    client = client_for(owner)
    url = upload(
        client,
        study,
        ("R3.txt", f"{TRANSCRIPT}\nby name".encode()),
        ("notes-a.txt", f"{TRANSCRIPT}\nchosen".encode()),
        ("notes-b.txt", f"{TRANSCRIPT}\ntyped".encode()),
        ("R1.txt", TRANSCRIPT.encode()),
    )
    # session, user, study+role, the batch's files, respondents, the de-identification
    # list, texts already imported: the respondents as read once tell who withdrew.
    with django_assert_num_queries(7):
        html = client.get(url).content.decode()
    assert [WITHDRAWN in said for said in file_messages(html)["R3.txt"]].count(True) == 1
    assert f'<option value="{r3.pk}" selected>R3 (withdrew)</option>' in html
    assert summary(html) == "4 files: 1 ready, 1 needs another respondent, 2 need a respondent"

    choices = {"f0-respondent": str(r3.pk), "f1-respondent": str(r3.pk)}
    choices |= {"f2-respondent": "new", "f2-pseudonym": "r3", "f3-respondent": str(r1.pk)}
    for headers in ({}, HTMX):
        html = client.post(url, choices, headers=headers).content.decode()
        messages = file_messages(html)
        for name in ("R3.txt", "notes-a.txt", "notes-b.txt"):
            assert [WITHDRAWN in said for said in messages[name]].count(True) == 1, name
        assert not any(WITHDRAWN in said for said in messages["R1.txt"])
        assert summary(html) == "4 files: 1 ready, 3 need another respondent"
    assert not Interview.objects.exists()
    assert set(StagedFile.objects.values_list("status", flat=True)) == {StagedFile.Status.STAGED}

    # Left out, or sent to someone else: the rest imports.
    choices |= {"f0-respondent": "skip", "f1-respondent": "skip", "f2-pseudonym": "R9"}
    assert client.post(url, choices).status_code == 302
    imported = study.interviews.values_list("respondent__pseudonym", flat=True)
    assert sorted(imported) == ["R1", "R9"]


def test_the_preview_refuses_an_encoding_the_whole_file_is_not_in(study, owner):
    """An encoding is offered when the file's first pages decode in it; the preview says,
    before Import, that the whole file does not, as the import would refuse it."""
    # Prose without speaker turns, as long as need be (the limit of turns is not the point).
    greek = "Καλημέρα, ήταν δύσκολη αλλά ενδιαφέρουσα μέρα.\n".encode("iso8859-7")
    # 0xAE is no character in ISO-8859-7: past the pages the encodings are judged on.
    raw = greek * (-(-encodings._SAMPLE_BYTES // len(greek)) + 1) + b"\xae\n"
    client = client_for(owner)
    url = upload(client, study, ("R6.txt", raw))
    html = client.get(url).content.decode()
    assert '<option value="iso8859-7">' in html
    choices = {"f0-respondent": "new", "f0-pseudonym": "R6", "f0-encoding": "iso8859-7"}
    html = client.post(url, choices).content.decode()
    assert "it is not valid Greek (ISO-8859-7) text" in html
    assert summary(html) == "1 file: 1 needs another encoding"
    assert not Interview.objects.exists()


def test_the_preview_flags_a_copy_for_the_respondent_chosen_not_only_the_one_proposed(
    study, owner
):
    """A file whose name proposes no one, sent in the preview to a respondent who already
    has its text, is said to be skipped before Import, as the import skips it."""
    import_text(study, name="R1.txt")
    r1 = study.respondents.get()
    client = client_for(owner)
    url = upload(client, study, ("notes.txt", TRANSCRIPT.encode()), ("memo.txt", b"Other."))
    # memo.txt's respondent is not chosen yet: the preview is shown again.
    html = client.post(url, {"f0-respondent": str(r1.pk)}).content.decode()
    said = file_messages(html)["notes.txt"]
    assert "The same text is already imported for this respondent" in " ".join(said)
    assert summary(html) == "2 files: 1 needs a respondent, 1 to be skipped (same text)"


def test_a_file_named_for_a_respondent_in_other_forms_of_her_letters_is_proposed_for_her(
    study, owner
):
    """The preview proposes the respondent the import sends a file to: a full-width "Ｒ１"
    is R1's name to the import (core.naming.name_key), so the preview must not call it a
    new respondent."""
    r1 = services.respondent_create(study=study, pseudonym="R1")
    client = client_for(owner)
    url = upload(client, study, ("Ｒ１-interview.txt", TRANSCRIPT.encode()))
    html = client.get(url).content.decode()
    assert "would be a new respondent" not in html
    assert f'<option value="{r1.pk}" selected>R1</option>' in html
    client.post(url, {"f0-respondent": str(r1.pk)})
    assert Interview.objects.get().respondent == r1
    assert study.respondents.count() == 1
    html = client.get(url).content.decode()
    assert "its file&#x27;s name says “<bdi>Ｒ１</bdi>”" in html


@pytest.mark.parametrize("typed", ["\u200b", "\u200e\ufeff"])
def test_a_pseudonym_of_invisible_characters_is_asked_for_again_before_the_import(
    study, owner, typed
):
    """A pseudonym pasted as characters that show nothing (a zero-width space, a direction
    mark) is no pseudonym to the import ("A respondent needs a pseudonym."): the preview
    asks for it, and nothing is imported, rather than let the import refuse the file."""
    client = client_for(owner)
    url = upload(client, study, ("notes.txt", TRANSCRIPT.encode()))
    response = client.post(url, {"f0-respondent": "new", "f0-pseudonym": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give the new respondent&#x27;s pseudonym." in html
    assert summary(html) == "1 file: 1 needs a respondent"
    assert StagedFile.objects.get().status == StagedFile.Status.STAGED


def test_the_notes_on_a_files_respondent_follow_the_choice_not_the_files_name(study, owner):
    """Shown again after a refused Import, a file's note speaks of the respondent chosen:
    none that "would be a new respondent" when an existing one was chosen, and the new
    pseudonym typed when it was changed."""
    r1 = services.respondent_create(study=study, pseudonym="R1")
    client = client_for(owner)
    url = upload(client, study, ("R21.txt", TRANSCRIPT.encode()), ("memo.txt", b"Other."))
    assert "“<bdi>R21</bdi>” would be a new respondent" in client.get(url).content.decode()
    # memo.txt's respondent is not chosen: the preview is shown again.
    html = client.post(url, {"f0-respondent": str(r1.pk)}).content.decode()
    assert not any("would be a new respondent" in said for said in file_messages(html)["R21.txt"])
    html = client.post(url, {"f0-respondent": "new", "f0-pseudonym": "R30"}).content.decode()
    said = " ".join(file_messages(html)["R21.txt"])
    assert "“<bdi>R30</bdi>” would be a new respondent" in said
    assert "R21" not in said


RUSSIAN = "Интервьюер: Как прошла ваша первая неделя?\n\nР1: Тяжело, но коллеги очень помогли."


def test_the_preview_names_each_encoding_as_a_researcher_reads_it_never_its_codec(study, owner):
    """The choices, the notes, the refusal and the interview's record name an encoding by
    its language and its name ("Cyrillic (Windows-1251)"); the codec is only the value
    the form posts."""
    client = client_for(owner)
    url = upload(client, study, ("R7.txt", RUSSIAN.encode("cp1251")))
    html = client.get(url).content.decode()
    note = (
        "This file is not in UTF-8, and read as Western European (Windows-1252) it is not "
        "readable text. It may be Cyrillic (Windows-1251): choose the encoding"
    )
    assert note in html
    assert '<option value="cp1251">Cyrillic (Windows-1251)</option>' in html
    assert '<option value="koi8-r">Russian (KOI8-R)</option>' in html
    assert '<option value="cp1252">Western European (Windows-1252)</option>' in html
    # No codec name is shown as text: each is an option's value only.
    assert not re.search(r">[^<]*\b(cp|iso|koi)[0-9-]", html)

    choices = {"f0-respondent": "new", "f0-pseudonym": "R7"}
    choices["f0-encoding"] = "cp1251"
    client.post(url, choices)
    interview = Interview.objects.get()
    assert interview.source_encoding == "Cyrillic (Windows-1251)"
    edit = reverse("interview_edit", args=[study.slug, interview.pk])
    assert "(Cyrillic (Windows-1251))" in client.get(edit).content.decode()


def test_an_encoding_refused_past_the_first_pages_is_named_as_a_researcher_reads_it(study, owner):
    greek = "Καλημέρα, ήταν δύσκολη αλλά ενδιαφέρουσα μέρα.\n".encode("iso8859-7")
    # 0xAE is no character in ISO-8859-7: past the pages the encodings are judged on.
    raw = greek * (-(-encodings._SAMPLE_BYTES // len(greek)) + 1) + b"\xae\n"
    client = client_for(owner)
    url = upload(client, study, ("R6.txt", raw))
    choices = {"f0-respondent": "new", "f0-pseudonym": "R6", "f0-encoding": "iso8859-7"}
    html = client.post(url, choices).content.decode()
    assert "it is not valid Greek (ISO-8859-7) text. Choose another encoding." in html


def test_a_windows_1252_file_keeps_the_name_a_researcher_reads(study, owner):
    client = client_for(owner)
    url = upload(client, study, ("R8.txt", "R8: Sí, señora, ça va.\n".encode("cp1252")))
    client.post(url, {"f0-respondent": "new", "f0-pseudonym": "R8"})
    assert Interview.objects.get().source_encoding == "Western European (Windows-1252)"


def test_a_short_greek_file_is_proposed_as_greek(study, owner):
    client = client_for(owner)
    raw = "Καλημέρα, ήταν δύσκολη αλλά ενδιαφέρουσα μέρα.\n".encode("iso8859-7")
    html = client.get(upload(client, study, ("R6.txt", raw))).content.decode()
    assert "It may be Greek (ISO-8859-7): choose the encoding" in html


def test_the_summary_and_notes_are_judged_again_as_the_choices_change(study, owner):
    """htmx posts the preview's choices as each changes: the summary and each file's notes
    come back as Import would judge them, and nothing is confirmed or imported."""
    client = client_for(owner)
    url = upload(
        client, study, ("R1.txt", TRANSCRIPT.encode()), ("notes.txt", TRANSCRIPT.encode())
    )
    judge = reverse("import_judge", args=[study.slug, url.split("/")[-2]])
    assert summary(client.get(url).content.decode()) == "2 files: 1 ready, 1 needs a respondent"

    choices = {"f0-respondent": "new", "f0-pseudonym": "R1", "f1-respondent": "new"}
    choices["f1-pseudonym"] = "R5"
    html = client.post(judge, choices, headers=HTMX).content.decode()
    assert "<html" not in html
    assert summary(html) == "2 files: 2 ready"
    assert 'id="import-summary" hx-swap-oob="innerHTML"' in html
    notes = re.search(
        r'<div id="notes-1" class="file-notes" hx-swap-oob="true">(.*?)</div>', html, re.S
    )
    assert "“<bdi>R5</bdi>” would be a new respondent" in notes.group(1)

    choices["f0-respondent"] = "skip"
    choices["f1-pseudonym"] = "R1"
    html = client.post(judge, choices, headers=HTMX).content.decode()
    assert summary(html) == "2 files: 1 ready, 1 left out"
    choices["f0-respondent"] = "new"
    html = client.post(judge, choices, headers=HTMX).content.decode()
    # Both to a new R1 with the same text: the second is a copy, and says so.
    assert summary(html) == "2 files: 1 ready, 1 to be skipped (same text)"
    assert "The same text comes earlier in this upload" in html

    assert not Interview.objects.exists()
    assert set(StagedFile.objects.values_list("status", flat=True)) == {StagedFile.Status.STAGED}
    # Without htmx nothing posts here: the batch's page judges on Import.
    assert client.post(judge, choices)["Location"] == url


def test_the_judgement_refuses_an_encoding_as_import_would(study, owner):
    greek = "Καλημέρα, ήταν δύσκολη αλλά ενδιαφέρουσα μέρα.\n".encode("iso8859-7")
    raw = greek * (-(-encodings._SAMPLE_BYTES // len(greek)) + 1) + b"\xae\n"
    client = client_for(owner)
    url = upload(client, study, ("R6.txt", raw))
    judge = reverse("import_judge", args=[study.slug, url.split("/")[-2]])
    choices = {"f0-respondent": "new", "f0-pseudonym": "R6"}
    html = client.post(judge, choices, headers=HTMX).content.decode()
    assert summary(html) == "1 file: 1 needs an encoding"
    choices["f0-encoding"] = "iso8859-7"
    html = client.post(judge, choices, headers=HTMX).content.decode()
    assert summary(html) == "1 file: 1 needs another encoding"


def test_a_czech_file_is_previewed_with_its_encoding_offered_not_refused(study, owner):
    # ý, a Czech letter, is also what Greek bytes make in Windows-1252: the file is not
    # imported as Windows-1252 unasked; Windows-1250 is proposed, and she confirms it.
    czech = (
        "R1: Bylo to těžké. Ťuknout na dveře šéfa nebylo snadné, pomohl mi vedoucí a kolegyně.\n"
    )
    czech += "R1: Týden byl dlouhý.\n"
    client = client_for(owner)
    url = upload(client, study, ("R1.txt", czech.encode("cp1250")))
    html = client.get(url).content.decode()
    assert "refused" not in html
    assert '<option value="cp1250">Central European (Windows-1250)</option>' in html
    assert "It may be Central European (Windows-1250):" in html
    client.post(url, {"f0-respondent": "new", "f0-pseudonym": "R1", "f0-encoding": "cp1250"})
    assert Interview.objects.get().text == czech.strip()

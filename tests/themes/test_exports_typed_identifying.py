"""No download leaves with a string of the study's de-identification list typed into a field
it writes (themes.identifying.typed_places): a theme's description, a memo, a code's example,
a respondent's attribute, the study's title... The researcher is told where; once the field
no longer holds it, the file is made, without it."""

from __future__ import annotations

import html
import io
import re

import docx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from coding.models import CodeMemo
from core.bidi import plain
from interviews import services as interviews
from interviews.models import InterviewMemo, JournalEntry, Respondent
from interviews.services import identifier_add
from tests.conftest import client_for
from tests.themes.test_exports import CSV, EXPORT_URLS, FINDINGS, TEXT_FIELDS, reopened_text
from themes.exchange.qdpx_export import ExportRefused, study_qdpx_bytes
from themes.identifying import unreviewed_refusal
from themes.models import ThemeMemo

NAME = "Acme Clinic"
MEMOS = "memos"


def _memo(model, where):
    return lambda s, t, v: model.objects.update_or_create(**where(s, t), defaults={"body": v})


def _attribute_value(study, themed, value):
    if "Agency" not in study.attribute_names:
        interviews.attribute_add(study=study, name="Agency")
    r1 = themed["interviews"][0].respondent
    Respondent.objects.filter(pk=r1.pk).update(
        attributes={"Years of experience": 2, "Agency": value}
    )


# field: (how it is stored, the exports that write it, where the refusal says it is).
# test_exports.TEXT_FIELDS's fields and exports, with the memos of every kind (the memos'
# .docx writes them all, the excerpts' .xlsx on its Memos sheet).
FIELDS = {
    "study title": ("the study's title", None),
    "research question": ("the study's research question", None),
    "code name": ("the code “Acme Clinic code name”'s name", None),
    "code definition": ("the code “Learning”'s definition", None),
    "code inclusion": ("the code “Learning”'s “use when”", None),
    "code exclusion": ("the code “Learning”'s “do not use when”", None),
    "code example": ("the code “Learning”'s example", None),
    "theme name": ("the theme “Acme Clinic theme name”'s name", None),
    "theme description": ("the theme “Training”'s description", None),
    "memo": ("the memo on an excerpt of R1", {CSV, "xlsx", MEMOS}),
    "attribute value": ("R1's attribute “Agency”", None),
    "pseudonym": ("the pseudonym “Acme Clinic pseudonym”", None),
    "attribute name": ("the attribute name “Acme Clinic attribute name”", None),
    "interview title": ("the title of an interview of R1", {CSV, "xlsx"}),
    "quote": ("a quote chosen for the theme “Training”", {FINDINGS}),
    "protocol question": ("protocol question 1's text", None),
    "journal entry": ("a journal entry", {"xlsx", MEMOS}),
    "interview memo": ("a memo on an interview of R1", {"xlsx", MEMOS}),
    "code memo": ("a memo on the code “Learning”", {"xlsx", MEMOS}),
    "theme memo": ("a memo on the theme “Training”", {"xlsx", MEMOS}),
}
STORE = {
    "journal entry": _memo(JournalEntry, lambda s, t: {"study": s}),
    "interview memo": _memo(InterviewMemo, lambda s, t: {"interview": t["interviews"][0]}),
    "code memo": _memo(CodeMemo, lambda s, t: {"code": t["codes"][0]}),
    "theme memo": _memo(ThemeMemo, lambda s, t: {"theme": t["training"]}),
    "attribute value": _attribute_value,
}
URLS = {**EXPORT_URLS, MEMOS: "export_memos_docx"}


def _exports(field):
    listed = FIELDS[field][1]
    if listed is None:
        listed = set(TEXT_FIELDS[field][1])
    if field == "study title":
        # Its file name, whatever the file.
        listed = set(URLS)
    return listed


CASES = [(field, export) for field in FIELDS for export in sorted(_exports(field))]


def _store(study, themed, field, value):
    store = STORE[field] if field in STORE else TEXT_FIELDS[field][0]
    store(study, themed, value)
    study.refresh_from_db()


def _refusal(response) -> str:
    # The names are isolated (core.bidi), as <bdi> in the page.
    return plain(re.sub("</?bdi>", "", html.unescape(response.content.decode())))


@pytest.mark.parametrize(("field", "export"), CASES)
def test_a_listed_name_typed_into_a_field_keeps_the_file_in_until_changed(
    study, themed, owner, field, export
):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    _store(study, themed, field, f"{NAME} {field}")
    client = client_for(owner)
    url = reverse(URLS[export], args=[study.slug])

    response = client.get(url, follow=True)

    assert response.redirect_chain == [(reverse("themes", args=[study.slug]), 302)]
    assert "Content-Disposition" not in response
    where = FIELDS[field][0]
    said = f"Not exported: {where[0].upper()}{where[1:]} holds “{NAME}”, a string on the study's"
    assert said in _refusal(response)

    _store(study, themed, field, f"[agency] {field}")
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    if export == MEMOS:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    else:
        text = reopened_text(export, response.content)
    if field != "study title" or export in (FINDINGS, "codebook", MEMOS):
        assert "[agency]" in text
    assert NAME.casefold() not in text.casefold()


def test_it_is_matched_as_the_transcripts_are(study, themed, owner):
    """Case folded, a line break for a space, whole words only: the same matcher."""
    identifier_add(study=study, text=NAME, replacement="[agency]")
    client = client_for(owner)
    url = reverse("export_findings", args=[study.slug])
    _store(study, themed, "theme description", "They left ACME\nclinic.")

    assert "holds “ACME\nclinic”" in _refusal(client.get(url, follow=True))

    _store(study, themed, "theme description", "They left AcmeClinic and Acme Clinics.")

    assert client.get(url).status_code == 200


def test_a_withdrawn_respondent_s_fields_hold_no_file_back(study, themed, owner):
    """Nothing of theirs is written: their attributes and interview titles are not read."""
    identifier_add(study=study, text=NAME, replacement="[agency]")
    r3 = themed["interviews"][2]
    type(r3).objects.filter(pk=r3.pk).update(title=NAME)
    type(r3.respondent).objects.filter(pk=r3.respondent_id).update(attributes={"Agency": NAME})

    response = client_for(owner).get(reverse("export_excerpts_csv", args=[study.slug]))

    assert response.status_code == 200


@pytest.mark.parametrize("export", [FINDINGS, CSV, "xlsx", "matrix"])
def test_a_pseudonym_holding_a_listed_name_keeps_the_file_in_and_is_named(
    study, themed, owner, export
):
    """ "Maria" on the list, pseudonym "Maria G.": every download names the respondent."""
    identifier_add(study=study, text="Maria", replacement="[co-worker]")
    r1 = themed["interviews"][0].respondent
    Respondent.objects.filter(pk=r1.pk).update(pseudonym="Maria G.")
    client = client_for(owner)
    url = reverse(URLS[export], args=[study.slug])

    response = client.get(url, follow=True)

    assert "Content-Disposition" not in response
    assert "Not exported: The pseudonym “Maria G.” holds “Maria”" in _refusal(response)

    Respondent.objects.filter(pk=r1.pk).update(pseudonym="R1")

    assert client.get(url).status_code == 200


def test_a_withdrawn_respondent_s_pseudonym_holds_no_file_back(study, themed, owner):
    """Hers is written nowhere, as her attributes are not (R3 withdrew)."""
    identifier_add(study=study, text="Maria", replacement="[co-worker]")
    r3 = themed["interviews"][2].respondent
    Respondent.objects.filter(pk=r3.pk).update(pseudonym="Maria G.")
    client = client_for(owner)

    for name in ("export_findings", "export_excerpts_csv", "export_memos_docx"):
        assert client.get(reverse(name, args=[study.slug])).status_code == 200


def test_the_memos_name_the_respondents_of_their_memos_only(study, themed, owner):
    """The memos' .docx heads an interview's memos and an excerpt's with her pseudonym: a
    respondent without either is not in it."""
    identifier_add(study=study, text="Maria", replacement="[co-worker]")
    r2 = themed["interviews"][1].respondent
    Respondent.objects.filter(pk=r2.pk).update(pseudonym="Maria G.")
    client = client_for(owner)
    url = reverse("export_memos_docx", args=[study.slug])

    assert client.get(url).status_code == 200

    _store(study, themed, "interview memo", "Nothing to hide.")
    InterviewMemo.objects.update(interview=themed["interviews"][1])

    assert "The pseudonym “Maria G.” holds “Maria”" in _refusal(client.get(url, follow=True))


def test_the_refusal_names_three_places_and_counts_the_others(study, themed, owner):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    for field in ("journal entry", "code memo", "theme memo", "interview memo"):
        _store(study, themed, field, NAME)

    response = client_for(owner).get(
        reverse("export_excerpts_xlsx", args=[study.slug]), follow=True
    )

    said = _refusal(response)
    assert "; and 1 more place in what was typed, strings on the study's de-" in said
    assert "Change them." in said


@pytest.mark.parametrize("field", ["code memo", "theme memo", "interview memo"])
def test_the_memos_heading_holds_the_name_of_what_they_are_about(study, themed, owner, field):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    _store(study, themed, field, "Nothing to hide.")
    about = {"code memo": "code name", "theme memo": "theme name"}.get(field, "interview title")
    _store(study, themed, about, NAME)
    client = client_for(owner)
    url = reverse("export_memos_docx", args=[study.slug])

    assert f"holds “{NAME}”" in _refusal(client.get(url, follow=True))

    _store(study, themed, about, "[agency]")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(client.get(url).content)).paragraphs)

    assert "[agency]" in text


def test_the_findings_command_is_refused_too(study, themed, tmp_path):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    _store(study, themed, "theme description", f"From {NAME}.")
    target = tmp_path / "findings.docx"

    with pytest.raises(CommandError, match="The theme “Training”'s description holds “Acme"):
        call_command(
            "export_findings", "--study", study.slug, "--output", str(target), stdout=io.StringIO()
        )
    assert not target.exists()


@pytest.mark.parametrize("field", ["theme description", "code example", "journal entry"])
def test_the_refi_qda_project_is_refused_unless_the_owner_ticks(study, themed, field):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    _store(study, themed, field, f"From {NAME}.")

    with pytest.raises(ExportRefused, match="include text that is not de-identified"):
        study_qdpx_bytes(study=study)

    assert study_qdpx_bytes(study=study, include_identifying=True)


@pytest.mark.parametrize(
    ("what", "queries"),
    [
        # The list, the skips, the counted transcripts, the excerpts' former words
        # (interviews.deidentify.study_unreviewed_count), then the typed fields' UNION.
        ("findings", 5),
        ("excerpts_xlsx", 5),
        # The list, then the typed fields' UNION.
        ("codebook", 2),
        ("matrix_xlsx", 2),
    ],
)
def test_the_check_reads_the_typed_fields_in_one_query(
    study, themed, what, queries, django_assert_num_queries
):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    for field in ("journal entry", "code memo", "theme memo", "interview memo", "memo"):
        _store(study, themed, field, "Nothing to hide.")

    with django_assert_num_queries(queries):
        assert unreviewed_refusal(study, what) == ""


def test_an_empty_list_costs_its_one_query(study, themed, django_assert_num_queries):
    # No respondent withdrew (R3 takes part again): the list, with whether one withdrew.
    interviews.respondent_reinstate(respondent=themed["interviews"][2].respondent)
    with django_assert_num_queries(1):
        assert unreviewed_refusal(study, "findings") == ""


def test_a_withdrawal_costs_the_typed_fields_one_query(study, themed, django_assert_num_queries):
    # R3 withdrew: the list (with whether one withdrew), then the typed fields' UNION, in
    # which their pseudonym and transcripts are read (themes.identifying._withdrawn).
    with django_assert_num_queries(2):
        assert unreviewed_refusal(study, "findings") == ""


def test_a_field_is_one_place_named_once_with_its_strings(study, themed, owner):
    """The refusal counts as the de-identification page does (themes.identifying.by_field):
    a journal entry holding "Acme Clinic" twice and "Maria" is one place, named once with
    both strings; with a memo on a code, two places, not four."""
    identifier_add(study=study, text=NAME, replacement="[agency]")
    identifier_add(study=study, text="Maria", replacement="[co-worker]")
    _store(study, themed, "journal entry", f"{NAME} sent Maria to {NAME}.")
    _store(study, themed, "code memo", f"Met {NAME}.")
    client = client_for(owner)

    said = _refusal(client.get(reverse("export_excerpts_xlsx", args=[study.slug]), follow=True))
    page = _refusal(client.get(reverse("deidentify_preview", args=[study.slug])))

    assert (
        f"Not exported: A journal entry holds “{NAME}”, “Maria”; A memo on the code "
        f"“Learning” holds “{NAME}”, strings on the study's de-identification list. "
        "Change them."
    ) in said
    assert "more place" not in said
    assert "2 places in what was typed hold a listed string" in page


def test_one_field_with_two_strings_is_one_place_to_change(study, themed, owner):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    identifier_add(study=study, text="Maria", replacement="[co-worker]")
    _store(study, themed, "theme description", f"Maria at {NAME}.")

    said = _refusal(
        client_for(owner).get(reverse("export_findings", args=[study.slug]), follow=True)
    )

    assert (
        f"Not exported: The theme “Training”'s description holds “Maria”, “{NAME}”, strings "
        "on the study's de-identification list. Change it."
    ) in said


# The fields the codebook as REFI-QDA (.qdc) writes: every text of a code, a theme's name
# and description (themes.exchange.codebook).
QDC_FIELDS = [
    "code name",
    "code definition",
    "code inclusion",
    "code exclusion",
    "code example",
    "theme name",
    "theme description",
]


@pytest.mark.parametrize("field", QDC_FIELDS)
def test_the_refi_qda_codebook_is_refused_while_a_code_or_theme_text_holds_a_listed_name(
    study, themed, field
):
    """The codebook (.qdc) was never checked: with "Acme Clinic" listed and written in a
    code's example, it downloaded with the name inside while the Codebook (.docx) was
    refused."""
    identifier_add(study=study, text=NAME, replacement="[agency]")
    _store(study, themed, field, f"{NAME} {field}")

    where = FIELDS[field][0]
    with pytest.raises(ExportRefused) as refused:
        study_qdpx_bytes(study=study, codebook_only=True)
    assert f"{where[0].upper()}{where[1:]} holds “{NAME}”" in plain(str(refused.value))

    assert NAME.encode() in study_qdpx_bytes(
        study=study, codebook_only=True, include_identifying=True
    )


@pytest.mark.parametrize("field", ["journal entry", "memo", "pseudonym", "protocol question"])
def test_the_refi_qda_codebook_is_not_refused_for_what_it_does_not_write(study, themed, field):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    _store(study, themed, field, f"{NAME} {field}")

    assert NAME.encode() not in study_qdpx_bytes(study=study, codebook_only=True)


@pytest.mark.parametrize(
    ("field", "memo"), [("theme name", "theme memo"), ("code name", "code memo")]
)
def test_the_memos_are_refused_for_a_name_only_when_a_memo_is_headed_by_it(
    study, themed, field, memo
):
    """A theme named "Acme Clinic …" with no memo on it refused the Memos (.docx), which
    writes no heading for it (a LEFT JOIN's NULL read as a live memo)."""
    identifier_add(study=study, text=NAME, replacement="[agency]")
    _store(study, themed, field, f"{NAME} {field}")

    assert unreviewed_refusal(study, "memos_docx") == ""

    _store(study, themed, memo, "Nothing to hide.")
    assert f"{NAME} {field}" in plain(unreviewed_refusal(study, "memos_docx"))

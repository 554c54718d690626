"""A withdrawn respondent appears nowhere (README): a memo of another respondent's that
names them or quotes their words ("compare R3's 'the night shift'") keeps every download that
writes it in, as a listed name does (themes.identifying, interviews.mentions), until it is
edited or kept; the withdrawal says where such text is."""

from __future__ import annotations

import html
import io
import re
import zipfile

import docx
import pytest
from django.urls import reverse

from core.bidi import plain
from interviews import services as interviews
from interviews.models import Interview, ProtocolQuestion
from tests.conftest import client_for
from tests.themes.test_exports import CSV, XLSX, reopened_text
from tests.themes.test_exports_typed_identifying import URLS, _refusal, _store
from tests.themes.test_typed_keep import _keep, _keep_form, _page_text, _preview
from themes.exchange.qdpx_export import ExportRefused, study_qdpx_bytes

MEMOS = "memos"
# R3 withdrew (conftest.themed); "the night shift" is in R3's lines alone (_r3_s_own_words).
MEMO = "Detox as a revolving door; compare R3's 'the night shift'."
SAID = (
    "The memo on an excerpt of R1 holds “R3” (withdrawn), “the night shift” (words of R3, "
    "withdrawn)"
)
EDITED = "Detox as a revolving door."
# A line of R3's that no one else said.
OWN = "\n\nR3: We called them the night shift."


@pytest.fixture(autouse=True)
def _r3_s_own_words(themed):
    """conftest.TRANSCRIPT is R1's, R2's and R3's: words of it are no one's own
    (interviews.mentions). R3 gets a line of their own, added at the end (no excerpt
    moves)."""
    r3 = themed["interviews"][2]
    Interview.objects.filter(pk=r3.pk).update(text=r3.text + OWN)


def _text(export: str, content: bytes) -> str:
    if export == MEMOS:
        return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    return reopened_text(export, content)


def _project_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as project:
        return project.read("project.qde").decode()


@pytest.mark.parametrize("export", [CSV, XLSX, MEMOS])
def test_a_memo_naming_or_quoting_a_withdrawn_respondent_keeps_the_file_in_until_edited(
    study, themed, owner, export
):
    _store(study, themed, "memo", MEMO)
    client = client_for(owner)
    url = reverse(URLS[export], args=[study.slug])

    response = client.get(url, follow=True)

    assert "Content-Disposition" not in response
    said = _refusal(response)
    assert f"Not exported: {SAID}. A withdrawn respondent appears nowhere: change it" in said

    _store(study, themed, "memo", EDITED)
    response = client.get(url)

    assert response.status_code == 200
    text = _text(export, response.content)
    assert EDITED in text
    assert "night shift" not in text


@pytest.mark.parametrize("export", [CSV, XLSX, MEMOS])
def test_a_kept_mention_lets_the_file_out_with_it(study, themed, owner, export):
    """ "R3 withdrew on 3 May" says nothing of them: the owner keeps it."""
    _store(study, themed, "memo", MEMO)
    client = client_for(owner)

    assert _keep(client, study, "R1").status_code == 302
    response = client.get(reverse(URLS[export], args=[study.slug]))

    assert response.status_code == 200
    assert "the night shift" in _text(export, response.content)


@pytest.mark.parametrize(
    ("field", "export"),
    [
        ("theme memo", XLSX),
        ("theme memo", MEMOS),
        ("journal entry", MEMOS),
        ("interview memo", MEMOS),
        ("code memo", MEMOS),
        ("theme description", "findings"),
        ("code definition", "codebook"),
    ],
)
def test_every_kind_of_memo_and_description_is_looked_in(study, themed, owner, field, export):
    _store(study, themed, field, "Same gap as R3")
    client = client_for(owner)
    url = reverse(URLS[export], args=[study.slug])

    assert "holds “R3” (withdrawn)" in _refusal(client.get(url, follow=True))

    _store(study, themed, field, "Same gap as R30, or r3")

    assert client.get(url).status_code == 200


def test_the_project_is_refused_unless_the_owner_ticks_and_then_after_the_edit(study, themed):
    _store(study, themed, "memo", MEMO)

    with pytest.raises(ExportRefused, match=r"\(words of .R3., withdrawn\)"):
        study_qdpx_bytes(study=study)
    assert "the night shift" in _project_text(
        study_qdpx_bytes(study=study, include_identifying=True)
    )

    _store(study, themed, "memo", EDITED)

    assert "night shift" not in _project_text(study_qdpx_bytes(study=study))


def test_reinstating_the_respondent_lets_the_files_out(study, themed, owner):
    _store(study, themed, "memo", MEMO)
    client = client_for(owner)
    url = reverse("export_memos_docx", args=[study.slug])
    assert client.get(url).status_code == 302

    interviews.respondent_reinstate(respondent=themed["interviews"][2].respondent)

    assert client.get(url).status_code == 200


def test_the_de_identification_page_lists_the_place_with_its_link(study, themed, owner):
    _store(study, themed, "memo", MEMO)

    response = client_for(owner).get(_preview(study))
    page = _page_text(response)

    assert (
        "The memo on an excerpt of R1 holds “ R3 ”, “ the night shift ” (naming or quoting R3, "
        "withdrawn) : refuses Coded excerpts (.csv" in page
    )
    first = themed["excerpts"][0]
    link = reverse("interview_code", args=[study.slug, first.interview_id]) + f"#ex-{first.pk}"
    assert f'href="{link}"' in response.content.decode()


def test_a_reviewer_cannot_keep_it(study, themed, owner, reviewer):
    _store(study, themed, "memo", MEMO)
    form_from = client_for(owner)
    reviewer_client = client_for(reviewer)
    data = _keep_form(form_from.get(_preview(study)), "R1")
    response = reviewer_client.post(reverse("typed_keep", args=[study.slug]), data)

    assert response.status_code == 403
    url = reverse("export_memos_docx", args=[study.slug])
    assert "words of R3, withdrawn" in _refusal(reviewer_client.get(url, follow=True))
    # The same Keep by the owner is taken.
    assert form_from.post(reverse("typed_keep", args=[study.slug]), data).status_code == 302
    assert reviewer_client.get(url).status_code == 200


def _withdraw_r3(owner, study, themed, **headers):
    r3 = themed["interviews"][2].respondent
    interviews.respondent_reinstate(respondent=r3)
    url = reverse("respondent_withdraw", args=[study.slug, r3.pk])
    return client_for(owner).post(url, headers=headers, follow=not headers)


WARNED = (
    "2 places in what was typed name R3 or quote R3’s words: the memo on an excerpt of R1 "
    "(“R3”, “the night shift”); a memo on the theme “Training” (“R3”). Edit them before "
    "sharing anything, or keep those that tell nothing of them on the de-identification "
    "page: until then the downloads that write them are refused."
)


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_the_withdrawal_says_where_they_are_still_named_or_quoted(study, themed, owner, headers):
    _store(study, themed, "memo", MEMO)
    _store(study, themed, "theme memo", "Same gap as R3")

    response = _withdraw_r3(owner, study, themed, **headers)

    said = _refusal(response)
    assert f"R3 withdrawn. {WARNED}" in said
    if headers:
        assert 'hx-swap-oob="true"' in response.content.decode()


def test_a_withdrawal_that_nothing_names_says_only_that(study, themed, owner):
    _store(study, themed, "memo", "Same gap as R30")

    said = _refusal(_withdraw_r3(owner, study, themed))

    assert "R3 withdrawn." in said
    assert "in what was typed" not in said


def test_the_confirmation_says_what_a_mention_will_do(study, themed, owner):
    interviews.respondent_reinstate(respondent=themed["interviews"][2].respondent)

    page = client_for(owner).get(reverse("respondents", args=[study.slug])).content.decode()

    assert "A memo or description that names them or quotes their words then holds back" in page


def test_a_kept_mention_stays_kept_when_the_list_changes(study, themed, owner):
    """The list's edits prune the Keeps of strings no longer listed: a withdrawn
    respondent's pseudonym or words were never the list's."""
    listed = interviews.identifier_add(study=study, text="Acme Clinic", replacement="[agency]")
    _store(study, themed, "memo", MEMO)
    client = client_for(owner)
    assert _keep(client, study, "R1").status_code == 302

    interviews.identifier_update(identifier=listed, text="Acme Clinic", replacement="[clinic]")

    assert client.get(reverse(URLS[CSV], args=[study.slug])).status_code == 200


def _said_in(response, region: str) -> str:
    """The words of the page's paragraph `region` (its id), as read."""
    found = re.search(rf'<p [^>]*id="{region}"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    assert found, f"no #{region}"
    return " ".join(plain(html.unescape(re.sub("<[^>]+>", "", found[1]))).split())


# What each page says of the places waiting: (the fields stored, with "Acme Clinic" listed
# or not; how the summary begins). R3 withdrew (conftest.themed).
SUMMARIES = [
    ({"memo": "Same gap as R3"}, False, "1 place in what was typed names or quotes a withdrawn"),
    (
        {"memo": "Same gap as R3", "theme memo": "R3 again", "journal entry": "R3 too"},
        False,
        "3 places in what was typed name or quote a withdrawn respondent:",
    ),
    ({"memo": "Met at Acme Clinic"}, True, "1 place in what was typed holds a listed string:"),
    (
        {"memo": "Met at Acme Clinic", "theme memo": "R3 again", "journal entry": "R3 too"},
        True,
        "3 places in what was typed (1 holds a listed string, 2 name or quote a withdrawn "
        "respondent):",
    ),
    (
        {"memo": "Met R3 at Acme Clinic"},
        True,
        "1 place in what was typed holds a listed string and names or quotes a withdrawn "
        "respondent:",
    ),
]


@pytest.mark.parametrize(("stored", "listed", "said"), SUMMARIES)
def test_the_pages_say_how_many_places_hold_a_listed_string_and_how_many_name_someone(
    study, themed, owner, stored, listed, said
):
    if listed:
        interviews.identifier_add(study=study, text="Acme Clinic", replacement="[agency]")
    for field, text in stored.items():
        _store(study, themed, field, text)
    client = client_for(owner)

    listing = client.get(reverse("deidentify_list", args=[study.slug]))
    preview = client.get(_preview(study))

    assert _said_in(listing, "typed-waiting").startswith(said)
    assert _said_in(preview, "typed-summary").startswith(said)


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        (
            ["memo"],
            "A withdrawn respondent appears nowhere: change it, or keep it on the "
            "de-identification page if it tells nothing of them.",
        ),
        (
            ["memo", "theme memo", "journal entry"],
            "A withdrawn respondent appears nowhere: change them, or keep on the "
            "de-identification page those that tell nothing of them.",
        ),
    ],
)
def test_the_refusal_agrees_with_the_number_of_places(study, themed, owner, fields, said):
    for field in fields:
        _store(study, themed, field, "Same gap as R3")
    url = reverse("export_memos_docx", args=[study.slug])

    assert said in _refusal(client_for(owner).get(url, follow=True))


# Quoted phrases that are not R3's own words (interviews.mentions): the protocol's question,
# which the interviewer asks in every interview (in R3's transcript too); a phrase R1's and
# R2's transcripts hold too; the interviewer's line in R3's transcript alone.
NOT_THEIRS = {
    "the protocol": "As asked: 'How long have you been' doing this.",
    "shared with a respondent still in": "They said 'we don't judge them' too.",
    "the interviewer's line": "We asked 'where did you start'.",
}


@pytest.mark.parametrize("memo", NOT_THEIRS.values(), ids=NOT_THEIRS.keys())
def test_a_quoted_phrase_that_is_not_their_own_words_refuses_nothing(study, themed, owner, memo):
    r3 = Interview.objects.get(pk=themed["interviews"][2].pk)
    asked = "\n\nInterviewer: And where did you start?\n\nR3: At the shelter."
    Interview.objects.filter(pk=r3.pk).update(text=r3.text + asked)
    _store(study, themed, "memo", memo)
    client = client_for(owner)

    response = client.get(reverse(URLS[CSV], args=[study.slug]))

    assert response.status_code == 200
    assert "Content-Disposition" in response
    assert "in what was typed" not in _page_text(client.get(_preview(study)))


def test_a_protocol_question_s_words_are_no_one_s_even_if_no_one_else_was_interviewed(
    study, themed, owner
):
    """R3's transcript alone holds the protocol's words, in a line with no interviewer's
    label (a turn going on): still no one's own."""
    Interview.objects.exclude(pk=themed["interviews"][2].pk).update(text="R1: Nothing.")
    r3 = Interview.objects.get(pk=themed["interviews"][2].pk)
    question = ProtocolQuestion.objects.get(study=study, number=1)
    Interview.objects.filter(pk=r3.pk).update(text=f"{r3.text}\n\n{question.text}")
    _store(study, themed, "memo", "As asked: 'How long have you been' doing this.")

    assert client_for(owner).get(reverse(URLS[CSV], args=[study.slug])).status_code == 200


# The study's fields and the interviews' titles, which the findings, the .qdpx and the
# tables write (themes.identifying.WRITTEN, _STUDY_FIELDS): (field, a download that writes
# it, its words naming or quoting R3, how the refusal names it).
TYPED_ELSEWHERE = [
    ("research question", "findings", "Why did R3 leave?", "The study's research question"),
    ("research question", "findings", "What is 'the night shift'?", "The study's research"),
    ("study title", "codebook", "After R3", "The study's title"),
    ("interview title", CSV, "Second talk (see R3)", "The title of an interview of R1"),
]


@pytest.mark.parametrize(("field", "export", "typed", "where"), TYPED_ELSEWHERE)
def test_the_study_s_fields_and_the_interview_titles_are_looked_in(
    study, themed, owner, field, export, typed, where
):
    _store(study, themed, field, typed)
    client = client_for(owner)
    url = reverse(URLS[export], args=[study.slug])

    said = _refusal(client.get(url, follow=True))

    assert f"Not exported: {where}" in said
    assert "A withdrawn respondent appears nowhere" in said

    _store(study, themed, field, "Edited to name no one")
    response = client.get(url)

    assert response.status_code == 200
    text = _text(export, response.content)
    if field != "study title":  # the codebook's title is its own ("Codebook: …")
        assert "Edited to name no one" in text
    assert typed not in text


def test_the_study_s_description_refuses_the_project_until_edited(study, themed):
    _store(study, themed, "study description", "Begun after R3's 'the night shift' story.")

    with pytest.raises(ExportRefused, match=r"The study's description holds “.R3.” "):
        study_qdpx_bytes(study=study)

    _store(study, themed, "study description", "Begun in May.")
    project = _project_text(study_qdpx_bytes(study=study))

    assert "Begun in May." in project
    assert "night shift" not in project


def test_the_withdrawn_respondent_s_own_interview_title_is_not_counted_again(study, themed, owner):
    """Their interview leaves every file with them: its title names them, but only R1's
    interview's title is a place to change."""
    r1, r3 = themed["interviews"][0], themed["interviews"][2]
    Interview.objects.filter(pk__in=[r1.pk, r3.pk]).update(title="R3, 'the night shift'")

    page = client_for(owner).get(_preview(study))

    assert _said_in(page, "typed-summary").startswith(
        "1 place in what was typed names or quotes a withdrawn respondent:"
    )
    assert "The title of an interview of R1 holds" in _page_text(page)


# Seven fields naming R3: more than the withdrawal's message names (interviews.mentions.SHOWN).
SEVEN = [
    "memo",
    "theme memo",
    "journal entry",
    "interview memo",
    "code memo",
    "theme description",
    "code definition",
]


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_the_withdrawal_names_the_first_five_places_and_links_to_the_rest(
    study, themed, owner, headers
):
    for field in SEVEN:
        _store(study, themed, field, "Same gap as R3")

    response = _withdraw_r3(owner, study, themed, **headers)

    said = _refusal(response)
    assert "R3 withdrawn. 7 places in what was typed name R3 or quote R3’s words: " in said
    assert said.count(" (“R3”)") == 5
    assert "(“R3”); and 2 more, listed on the de-identification page. Edit them" in said
    listing = reverse("deidentify_preview", args=[study.slug]) + "#typed"
    assert f'<a class="link" href="{listing}">See the whole list</a>' in response.content.decode()

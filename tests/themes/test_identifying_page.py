"""The de-identification page lists what the researcher typed that holds a listed string
(themes.identifying.typed_fields): each refuses the downloads that write it while it holds
one, so the page says which, counts them, and links each to where it is edited."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from core.bidi import plain
from interviews.models import ProtocolQuestion, Respondent
from interviews.services import identifier_add
from tests.conftest import client_for
from tests.themes.test_exports_typed_identifying import FIELDS, NAME, _store
from themes.models import Theme

# A field of test_exports_typed_identifying.FIELDS: the page where an owner edits it (from
# the study and the themed fixture): the field's own form where it has one.
PAGES = {
    "study title": lambda s, t: reverse("study_settings", args=[s.slug]),
    "research question": lambda s, t: reverse("study_settings", args=[s.slug]),
    "code name": lambda s, t: _code(s, t),
    "code definition": lambda s, t: _code(s, t),
    "code inclusion": lambda s, t: _code(s, t),
    "code exclusion": lambda s, t: _code(s, t),
    "code example": lambda s, t: _code(s, t),
    "theme name": lambda s, t: reverse("theme_edit", args=[s.slug, t["training"].pk]),
    "theme description": lambda s, t: reverse("theme_edit", args=[s.slug, t["training"].pk]),
    "memo": lambda s, t: (
        reverse("interview_code", args=[s.slug, t["interviews"][0].pk])
        + f"#ex-{t['excerpts'][0].pk}"
    ),
    "attribute value": lambda s, t: _respondent(s, t),
    "attribute name": lambda s, t: reverse("respondents", args=[s.slug]),
    "pseudonym": lambda s, t: _respondent(s, t),
    "interview title": lambda s, t: reverse(
        "interview_edit", args=[s.slug, t["interviews"][0].pk]
    ),
    "quote": lambda s, t: reverse("theme_detail", args=[s.slug, t["training"].pk]),
    "protocol question": lambda s, t: reverse(
        "question_edit", args=[s.slug, ProtocolQuestion.objects.get(study=s, number=1).pk]
    ),
    "journal entry": lambda s, t: reverse("journal", args=[s.slug]),
    "interview memo": lambda s, t: reverse(
        "memo_panel", args=[s.slug, "interview", t["interviews"][0].pk]
    ),
    "code memo": lambda s, t: reverse("memo_panel", args=[s.slug, "code", t["codes"][0].pk]),
    "theme memo": lambda s, t: reverse("memo_panel", args=[s.slug, "theme", t["training"].pk]),
}
# Where a reviewer, who writes nothing, is sent instead: the page that shows the field.
READ_PAGES = {
    "code": lambda s, t: reverse("codebook", args=[s.slug]) + f"#code-{t['codes'][0].pk}",
    "theme": lambda s, t: reverse("theme_detail", args=[s.slug, t["training"].pk]),
}


def _code(study, themed):
    return reverse("code_edit", args=[study.slug, themed["codes"][0].pk])


def _respondent(study, themed):
    respondent = themed["interviews"][0].respondent_id
    return reverse("respondent_edit", args=[study.slug, respondent])


def _section(response) -> str:
    """The page's "In what was typed" section, as text with its links' targets."""
    page = response.content.decode()
    match = re.search(r'<section class="typed".*?</section>', page, re.S)
    assert match, "no section of typed places"
    return match.group()


def _text(markup: str) -> str:
    return plain(html.unescape(re.sub("<[^>]+>", "", markup)))


def _places(section: str) -> list[tuple[str, str]]:
    """[(link's target, the item's text, its Keep's form left out), ...]"""
    return [
        (
            html.unescape(href),
            " ".join(_text(re.sub("<form.*?</form>", "", item, flags=re.S)).split()),
        )
        for href, item in re.findall(
            r'<li class="typed-place"><a class="link" href="([^"]*)">(.*?)</li>', section, re.S
        )
    ]


@pytest.mark.parametrize("field", sorted(PAGES))
def test_each_typed_place_is_listed_with_where_it_is_edited(study, themed, owner, field):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    _store(study, themed, field, f"{NAME} {field}")
    url = reverse("deidentify_preview", args=[study.slug])

    client = client_for(owner)
    places = _places(_section(client.get(url)))

    where = FIELDS[field][0]
    said = f"{where[0].upper()}{where[1:]} holds “{NAME}”"
    # What it refuses follows (test_each_typed_place_names_exactly_the_downloads_it_refuses).
    assert [(url, text.split(": refuses ")[0]) for url, text in places] == [
        (PAGES[field](study, themed), said)
    ]
    # Each with its Keep (test_typed_keep.py).
    assert _section(client.get(url)).count("Keep<span") == 1
    assert client.get(places[0][0].split("#")[0]).status_code == 200


def test_a_place_several_downloads_write_is_listed_once_with_each_string_it_holds(
    study, themed, owner
):
    """A code's name is in the codebook, the excerpts' tables and (with a memo on it) the
    memos' headings: one field, one line, its two listed strings."""
    identifier_add(study=study, text=NAME, replacement="[agency]")
    identifier_add(study=study, text="Maria", replacement="[co-worker]")
    _store(study, themed, "code name", f"{NAME} and Maria")
    _store(study, themed, "code memo", "Nothing to hide.")

    places = _places(
        _section(client_for(owner).get(reverse("deidentify_preview", args=[study.slug])))
    )

    assert [text for _url, text in places] == [
        f"The code “{NAME} and Maria”'s name holds “{NAME}”, “Maria”: refuses Findings (.docx), "
        "Codebook (.docx), Coded excerpts (.csv, and the Excerpts page's), Coded excerpts "
        "(.xlsx, and the Excerpts page's), Memos (.docx), REFI-QDA project (.qdpx), Codebook "
        "(.qdc)"
    ]


def test_the_summary_counts_them_and_never_says_all_is_reviewed(study, themed, owner):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    client = client_for(owner)
    preview = reverse("deidentify_preview", args=[study.slug])
    listing = reverse("deidentify_list", args=[study.slug])
    assert "each was replaced or kept" in client.get(preview).content.decode()

    _store(study, themed, "theme description", f"From {NAME}.")
    _store(study, themed, "journal entry", f"Met {NAME}.")
    page = _text(client.get(preview).content.decode())

    assert (
        "2 places in what was typed hold a listed string: each refuses the downloads that "
        "write it, named below, until it is changed or kept." in page
    )
    assert (
        "No replacement reaches them: change each where it is edited, or keep it as it is "
        "when what it holds is no name (“Hope” as a word): kept, it refuses no download "
        "until its text is edited." in page
    )
    assert "No occurrence of the listed words is waiting: each was" not in page
    assert "is waiting in the transcripts: each was replaced or kept." in page
    assert "2 places in what was typed hold a listed string" in _text(
        client.get(listing).content.decode()
    )


def test_a_withdrawn_respondent_s_fields_are_not_listed(study, themed, owner):
    """Nothing of hers is written: her pseudonym and attributes refuse nothing."""
    identifier_add(study=study, text=NAME, replacement="[agency]")
    r3 = themed["interviews"][2].respondent
    Respondent.objects.filter(pk=r3.pk).update(pseudonym=NAME, attributes={"Agency": NAME})

    page = client_for(owner).get(reverse("deidentify_preview", args=[study.slug]))

    assert 'class="typed"' not in page.content.decode()


def test_a_reviewer_sees_the_places_with_their_links_and_no_form(study, themed, reviewer):
    """Every page linked to is one a reviewer reads (tests/test_access_matrix.py)."""
    identifier_add(study=study, text=NAME, replacement="[agency]")
    _store(study, themed, "theme description", f"From {NAME}.")
    _store(study, themed, "code example", f"Met {NAME}.")
    _store(study, themed, "code memo", f"Met {NAME}.")
    client = client_for(reviewer)

    section = _section(client.get(reverse("deidentify_preview", args=[study.slug])))

    assert "<form" not in section
    assert "<button" not in section
    # She is not told to change what she cannot: who can is named.
    assert "a member who writes in the study changes each where it is edited" in _text(section)
    assert "No replacement reaches them: change each" not in _text(section)
    urls = [url for url, _said in _places(section)]
    assert urls == [
        READ_PAGES["theme"](study, themed),
        READ_PAGES["code"](study, themed),
        PAGES["code memo"](study, themed),
    ]
    for url in urls:
        assert client.get(url.split("#")[0]).status_code == 200


def test_what_was_typed_is_escaped(study, themed, owner):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    Theme.objects.filter(pk=themed["training"].pk).update(name=f"<b>{NAME}</b>")

    section = _section(client_for(owner).get(reverse("deidentify_preview", args=[study.slug])))

    assert "<b>" not in section
    assert "&lt;b&gt;" in section


@pytest.mark.parametrize("places", [1, 5])
def test_the_places_take_one_query_whatever_their_number(
    study, themed, owner, places, django_assert_num_queries
):
    identifier_add(study=study, text=NAME, replacement="[agency]")
    fields = ["theme description", "journal entry", "code memo", "pseudonym", "memo"]
    for field in fields[:places]:
        _store(study, themed, field, f"{NAME} {places}")
    client = client_for(owner)
    # Session, user, membership with study; the list, the skips, the transcripts (none
    # holds a listed string: no names to read); the typed fields' UNION
    # (themes.identifying.study_typed_places), the kept ones (test_typed_keep.py).
    with django_assert_num_queries(8):
        response = client.get(reverse("deidentify_preview", args=[study.slug]))
    assert len(_places(_section(response))) == places


# Every download a typed field may refuse, by the name the page gives it, with each address
# that makes it (the Excerpts page's files are the coded excerpts' table too).
DOWNLOADS = {
    "Findings (.docx)": ["export_findings"],
    "Codebook (.docx)": ["export_codebook"],
    "Coded excerpts (.csv, and the Excerpts page's)": ["export_excerpts_csv", "retrieve_csv"],
    "Coded excerpts (.xlsx, and the Excerpts page's)": ["export_excerpts_xlsx", "retrieve_xlsx"],
    "Themes by respondent (.xlsx)": ["export_matrix_xlsx"],
    "Memos (.docx)": ["export_memos_docx"],
    "REFI-QDA project (.qdpx)": ["export_qdpx"],
    "Codebook (.qdc)": ["export_qdc"],
}


def _refused(client, study, name: str) -> bool:
    response = client.get(reverse(name, args=[study.slug]), follow=True)
    if "Content-Disposition" in response:
        return False
    assert "Not exported: " in _text(response.content.decode()), name
    return True


@pytest.mark.parametrize("field", sorted(PAGES))
def test_each_typed_place_names_exactly_the_downloads_it_refuses(study, themed, owner, field):
    """The page said "every download is refused" for any typed place, while a code's
    example refuses only the codebook and the project, a quote only the findings: each
    place now names the downloads it refuses, and those are the ones that are refused
    when each is tried."""
    identifier_add(study=study, text=NAME, replacement="[agency]")
    _store(study, themed, field, f"{NAME} {field}")
    client = client_for(owner)

    refused = []
    for title, names in DOWNLOADS.items():
        outcomes = {name: _refused(client, study, name) for name in names}
        assert len(set(outcomes.values())) == 1, outcomes  # the page's files as the study's
        if outcomes[names[0]]:
            refused.append(title)
    page = client.get(reverse("deidentify_preview", args=[study.slug]))
    [(_url, said)] = _places(_section(page))

    assert refused, "each field some download writes"
    assert said.endswith(f"holds “{NAME}”: refuses {', '.join(refused)}")
    assert "every download is refused" not in _text(page.content.decode())

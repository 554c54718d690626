"""A listed string that is also a common word ("Hope") in a field the researcher typed can
be kept, for the field's text she read (themes.services.typed_field_keep): the downloads
go through, the de-identification page shows it kept with its Undo, and an edit of the
field, or another listed string found in it, asks again."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from coding.models import UndoEntry
from core.bidi import plain
from interviews.access import REFUSALS, WRITE
from interviews.models import TypedKeep
from interviews.services import identifier_add, identifier_delete, identifier_update
from tests.conftest import client_for
from tests.themes.test_exports import reopened_text
from tests.themes.test_exports_typed_identifying import _store
from themes.identifying import unreviewed_refusal

WORD = "Hope"
TEXT = "Hope and recovery"
WHERE = "the theme “Hope and recovery”'s name"
# The field kept: every download that names the themes writes it.
FIELD = "theme name"


@pytest.fixture
def listed(study, themed):
    """ "Hope" on the list, and in a theme's name as a word ("Training" renamed)."""
    identifier_add(study=study, text=WORD, replacement="[co-worker]")
    _store(study, themed, FIELD, TEXT)
    return themed


def _preview(study) -> str:
    return reverse("deidentify_preview", args=[study.slug])


def _page_text(response) -> str:
    return " ".join(
        plain(
            html.unescape(re.sub("<[^>]+>", " ", re.sub("</?bdi>", "", response.content.decode())))
        ).split()
    )


def _keep_form(response, which: str = "") -> dict:
    """The hidden inputs of the page's first Keep form (of a field whose line holds
    `which`), as a browser posts them."""
    page = response.content.decode()
    forms = re.findall(r'<li class="typed-place">(.*?)(<form.*?</form>)', page, re.S)
    form = next((form for where, form in forms if which in where), None)
    assert form, "no Keep on the page"
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', form)
        if name != "csrfmiddlewaretoken"
    }


def _keep(client, study, which: str = "") -> object:
    return client.post(
        reverse("typed_keep", args=[study.slug]), _keep_form(client.get(_preview(study)), which)
    )


def _downloads(client, study) -> dict[str, int]:
    return {
        what: client.get(reverse(f"export_{what}", args=[study.slug])).status_code
        for what in ("findings", "excerpts_xlsx")
    }


@pytest.mark.parametrize("member", ["owner", "coder"])
def test_a_writer_keeps_a_false_match_and_the_downloads_go_through(study, listed, member, request):
    client = client_for(request.getfixturevalue(member))
    assert _downloads(client, study) == {"findings": 302, "excerpts_xlsx": 302}

    response = _keep(client, study)

    assert response.status_code == 302
    assert response["Location"] == _preview(study) + "#typed"
    keep = TypedKeep.objects.get()
    assert (keep.kind, keep.row, keep.field, keep.words) == (
        "theme",
        listed["training"].pk,
        "name",
        ["hope"],
    )
    page = client.get(response["Location"])
    said = _page_text(page)
    assert f"Kept: {WHERE} holds “{WORD}”, no name to change" in said
    # The place's Undo posts to the Keep's undo; the message's is the history's (Ctrl+Z).
    undo = reverse("typed_keep_undo", args=[study.slug, keep.pk])
    assert page.content.decode().count(f'action="{undo}"') == 1
    assert 'class="typed-place"' not in page.content.decode()
    assert f"{WHERE[0].upper()}{WHERE[1:]} holds “{WORD}”: kept" in said
    assert "every download is refused" not in said
    assert unreviewed_refusal(study, "findings") == ""
    excerpts = client.get(reverse("export_excerpts_xlsx", args=[study.slug]))
    assert excerpts.status_code == 200
    assert "Café" not in reopened_text("xlsx", excerpts.content)  # R3 withdrew
    assert client.get(reverse("export_findings", args=[study.slug])).status_code == 200


def test_a_reviewer_has_no_keep_and_hers_is_refused(study, listed, owner, reviewer):
    client = client_for(reviewer)
    page = client.get(_preview(study))
    assert (
        "<form"
        not in re.search(
            r'<section class="typed".*?</section>', page.content.decode(), re.S
        ).group()
    )
    data = _keep_form(client_for(owner).get(_preview(study)))

    response = client.post(reverse("typed_keep", args=[study.slug]), data)

    assert response.status_code == 403
    assert REFUSALS[WRITE] in response.content.decode()
    assert not TypedKeep.objects.exists()


def test_a_kept_place_is_shown_kept_to_a_reviewer_without_undo(study, listed, owner, reviewer):
    _keep(client_for(owner), study)
    keep = TypedKeep.objects.get()
    client = client_for(reviewer)

    page = client.get(_preview(study))

    assert f"holds “{WORD}”: kept" in _page_text(page)
    assert reverse("typed_keep_undo", args=[study.slug, keep.pk]) not in page.content.decode()
    response = client.post(reverse("typed_keep_undo", args=[study.slug, keep.pk]))
    assert response.status_code == 403
    assert TypedKeep.objects.exists()


@pytest.mark.parametrize(
    "edited",
    [
        # The same word brought in again elsewhere: the text is not the one kept.
        "Hope and recovery, with Hope",
        "Recovery and hope",
    ],
)
def test_an_edit_of_the_kept_field_asks_again(study, listed, owner, edited):
    client = client_for(owner)
    _keep(client, study)
    assert unreviewed_refusal(study, "codebook") == ""

    _store(study, listed, FIELD, edited)

    refusal = plain(unreviewed_refusal(study, "codebook"))
    assert f"Not exported: The theme “{edited}”'s name holds" in refusal
    assert client.get(reverse("export_findings", args=[study.slug])).status_code == 302
    assert 'class="typed-place"' in client.get(_preview(study)).content.decode()


def test_a_string_listed_later_in_the_kept_text_is_asked_about(study, listed, owner):
    """ "Hope" kept in "Hope and Grace": Grace put on the list later is no decision taken."""
    client = client_for(owner)
    _store(study, listed, FIELD, "Hope and Grace")
    _keep(client, study)

    identifier_add(study=study, text="Grace", replacement="[nurse]")

    refusal = plain(unreviewed_refusal(study, "findings"))
    assert "holds “Grace”" in refusal
    assert "“Hope”" not in refusal
    page = client.get(_preview(study)).content.decode()
    assert re.search(
        r'<li class="typed-place">.*?“<mark><bdi>Grace</bdi></mark>”'
        r'<span class="refuses">[^<]*</span>\s*<form',
        page,
        re.S,
    )

    # Kept again, it keeps both.
    _keep(client, study)
    assert TypedKeep.objects.get().words == ["grace", "hope"]
    assert unreviewed_refusal(study, "findings") == ""


def test_undo_asks_again(study, listed, owner):
    client = client_for(owner)
    _keep(client, study)
    undo = reverse("typed_keep_undo", args=[study.slug, TypedKeep.objects.get().pk])

    response = client.post(undo, follow=True)

    assert response.redirect_chain == [(_preview(study) + "#typed", 302)]
    assert "Undone: the field is listed again" in _page_text(response)
    assert 'class="typed-place"' in response.content.decode()
    assert not TypedKeep.objects.exists()
    assert client.get(reverse("export_findings", args=[study.slug])).status_code == 302

    # Pressed again (another tab): said, nothing changed.
    again = client.post(undo)
    assert again.status_code == 404
    assert "That field is not kept (its Keep was undone already)" in _page_text(again)


def test_a_keep_of_a_text_changed_since_the_page_is_refused(study, listed, owner):
    client = client_for(owner)
    data = _keep_form(client.get(_preview(study)))
    _store(study, listed, FIELD, "Hope and healing")

    response = client.post(reverse("typed_keep", args=[study.slug]), data, follow=True)

    said = _page_text(response)
    assert (
        "The theme “Hope and healing”'s name was changed since the page showed it: nothing" in said
    )
    assert not TypedKeep.objects.exists()

    _store(study, listed, FIELD, "Healing")
    response = client.post(reverse("typed_keep", args=[study.slug]), data, follow=True)

    assert "That field no longer holds a string of the de-identification list" in _page_text(
        response
    )
    assert not TypedKeep.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"kind": "theme", "row": "x", "field": "description", "digest": "0" * 64}],
)
def test_a_keep_that_cannot_be_read_is_said_so(study, listed, owner, data):
    response = client_for(owner).post(reverse("typed_keep", args=[study.slug]), data, follow=True)

    assert "That Keep could not be read; nothing was kept." in _page_text(response)
    assert not TypedKeep.objects.exists()


@pytest.mark.parametrize(
    ("what", "queries"),
    [
        # The list, the skips, the counted transcripts, the excerpts' former words
        # (interviews.deidentify.study_unreviewed_count), the typed fields' UNION, the
        # study's kept fields (read only when a field holds a listed string).
        ("findings", 6),
        ("excerpts_xlsx", 6),
        # The list, the UNION, the kept fields.
        ("codebook", 3),
        ("matrix_xlsx", 3),
    ],
)
def test_a_kept_field_costs_the_check_one_query(
    study, listed, owner, what, queries, django_assert_num_queries
):
    _keep(client_for(owner), study)

    with django_assert_num_queries(queries):
        assert unreviewed_refusal(study, what) == ""


def test_the_page_reads_the_kept_fields_in_one_query(
    study, listed, owner, django_assert_num_queries
):
    client = client_for(owner)
    _keep(client, study)
    _store(study, listed, "journal entry", "Hope, again.")
    client.get(_preview(study))  # Shows the Keep's message, read from the session.
    # Session, user, membership with study; the list, the skips, the transcripts; the
    # typed fields' UNION, the kept fields.
    with django_assert_num_queries(8):
        page = client.get(_preview(study))
    assert page.content.decode().count('class="typed-place"') == 1
    assert page.content.decode().count('class="typed-kept"') == 1


def test_a_string_taken_off_the_list_and_put_back_is_asked_about_again(study, listed, owner):
    """The keep of "Hope" goes with "Hope": listed again (she may know it for a name now),
    it is no longer kept by the decision taken before."""
    _keep(client_for(owner), study)
    identifier_delete(identifier=study.identifiers.get())

    assert not TypedKeep.objects.exists()
    identifier_add(study=study, text=WORD, replacement="[co-worker]")
    assert "holds “Hope”" in plain(unreviewed_refusal(study, "findings"))


def test_a_variant_taken_off_its_string_leaves_the_others_kept(study, listed, owner):
    """ "Hope and Grace" kept; "Grace" a variant taken off, then put back: Hope stays kept,
    Grace is asked about again."""
    identifier_add(study=study, text="Grace Lee", variants="Grace", replacement="[nurse]")
    _store(study, listed, FIELD, "Hope and Grace")
    _keep(client_for(owner), study)
    grace = study.identifiers.get(text="Grace Lee")

    identifier_update(identifier=grace, text="Grace Lee", replacement="[nurse]", variants="")

    assert TypedKeep.objects.get().words == ["hope"]
    assert unreviewed_refusal(study, "findings") == ""
    identifier_update(identifier=grace, text="Grace Lee", replacement="[nurse]", variants="Grace")
    refusal = plain(unreviewed_refusal(study, "findings"))
    assert "holds “Grace”" in refusal
    assert "“Hope”" not in refusal


def test_taking_a_string_off_the_list_says_its_keeps_go_with_it(study, listed, owner):
    _keep(client_for(owner), study)
    identifier = study.identifiers.get()
    url = reverse("identifier_delete", args=[study.slug, identifier.pk])
    html = client_for(owner).post(url, follow=True).content.decode()
    assert (
        f"“<bdi>{WORD}</bdi>” is off the list; no transcript or typed field was changed. A "
        "field kept for it will be asked about again if it is listed again."
    ) in html
    assert not TypedKeep.objects.exists()


@pytest.mark.parametrize("edited", ["Hope and healing", "Healing"])
def test_a_keep_of_a_field_edited_since_goes_at_the_next_keep(study, listed, owner, edited):
    """A keep whose field was edited (its text is no longer the one kept), or no longer
    holds a listed string, keeps nothing: it does not stay in the table for good."""
    client = client_for(owner)
    _keep(client, study)
    _store(study, listed, FIELD, edited)
    _store(study, listed, "journal entry", "Hope, again.")

    _keep(client, study, "journal entry")

    assert list(TypedKeep.objects.values_list("kind", flat=True)) == ["journal"]


def test_a_keep_is_undone_by_ctrl_z_as_every_action(study, listed, owner):
    """The Keep's message carries the history's Undo, and the page answers Ctrl+Z: the
    newest action undone is the Keep, and the field is asked about again."""
    client = client_for(owner)
    _keep(client, study)
    page = client.get(_preview(study)).content.decode()
    assert f'data-undo-url="{reverse("undo", args=[study.slug])}"' in page
    entry = UndoEntry.objects.get()
    assert reverse("undo_entry", args=[study.slug, entry.pk]) in page

    response = client.post(reverse("undo", args=[study.slug]), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert not TypedKeep.objects.exists()
    page = client.get(_preview(study))
    assert "Undone: Kept: the theme" in _page_text(page)
    assert 'class="typed-place"' in page.content.decode()

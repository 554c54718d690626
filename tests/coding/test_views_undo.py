"""The undo endpoint (Undo buttons, Ctrl+Z) and the bin (on the history page)."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coding import services
from coding.models import Code, DeletedCode, Excerpt, UndoEntry
from interviews import services as interviews
from interviews.models import Role
from tests.conftest import HTMX, client_for, code_span
from themes.history import BIN_PER_PAGE

from .heavy import coded_transcript

# A bin entry's Restore button: its visible word, then hidden words naming the entry.
RESTORE_BUTTON = '<button type="submit">Restore'


def remove_url(excerpt, code):
    return reverse("excerpt_code_remove", args=[excerpt.interview.study.slug, excerpt.pk, code.pk])


def on_coding_page(interview) -> dict:
    page = reverse("interview_code", args=[interview.study.slug, interview.pk])
    return {**HTMX, "HX-Current-URL": f"http://testserver{page}"}


def test_removing_a_code_offers_undo_and_ctrl_z_undoes_it(study, excerpt, code, owner):
    client = client_for(owner)
    html = client.post(remove_url(excerpt, code), headers=HTMX).content.decode()
    entry = UndoEntry.objects.get()
    assert f'hx-post="{reverse("undo_entry", args=[study.slug, entry.pk])}"' in html
    assert not excerpt.codings.exists()
    # Ctrl+Z posts to the study's undo URL: the newest action of this user's session.
    response = client.post(
        reverse("undo", args=[study.slug]), headers=on_coding_page(excerpt.interview)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Undone: Removed <bdi>Training</bdi>." in html
    assert f'id="ex-{excerpt.pk}"' in html, "the excerpt's entry is redrawn"
    assert list(excerpt.codings.values_list("code_id", flat=True)) == [code.pk]


def test_an_undo_from_elsewhere_reloads_the_page_with_its_message(study, excerpt, code, owner):
    client = client_for(owner)
    client.post(remove_url(excerpt, code), headers=HTMX)
    response = client.post(reverse("undo", args=[study.slug]), headers=HTMX)
    assert response["HX-Refresh"] == "true"
    page = client.get(reverse("codebook", args=[study.slug])).content.decode()
    assert "Undone: Removed <bdi>Training</bdi>." in page


def test_a_stale_undo_says_so_and_changes_nothing(study, excerpt, code, owner, coder):
    client = client_for(owner)
    client.post(remove_url(excerpt, code), headers=HTMX)
    services.excerpt_codes_add(excerpt=excerpt, codes=[code], coder=coder)
    revision = Excerpt.objects.get(pk=excerpt.pk).revision
    response = client.post(reverse("undo", args=[study.slug]), headers=HTMX)
    assert response.status_code == 409
    assert "cannot be undone: the excerpt was changed since" in response.content.decode()
    assert Excerpt.objects.get(pk=excerpt.pk).revision == revision
    assert excerpt.codings.get().coder == coder


def test_nothing_to_undo_is_said_plainly(study, owner):
    response = client_for(owner).post(reverse("undo", args=[study.slug]), headers=HTMX)
    assert response.status_code == 409
    assert "There is nothing left to undo from this session in this study." in (
        response.content.decode()
    )


def test_an_action_is_undone_only_in_the_session_that_made_it(study, excerpt, code, owner):
    client_for(owner).post(remove_url(excerpt, code), headers=HTMX)
    entry = UndoEntry.objects.get()
    other_login = client_for(owner)
    response = other_login.post(reverse("undo_entry", args=[study.slug, entry.pk]), headers=HTMX)
    assert response.status_code == 409
    assert not excerpt.codings.exists()


def test_logging_out_ends_the_history(study, excerpt, code, owner):
    client = client_for(owner)
    client.post(remove_url(excerpt, code), headers=HTMX)
    client.post(reverse("logout"))
    client.force_login(owner)
    response = client.post(reverse("undo", args=[study.slug]), headers=HTMX)
    assert response.status_code == 409
    assert not excerpt.codings.exists()


def test_a_reviewer_cannot_undo_or_restore(study, excerpt, code, owner, reviewer):
    client = client_for(reviewer)
    services.code_delete(code=code, force=True)
    item = DeletedCode.objects.get()
    response = client.post(reverse("undo", args=[study.slug]), headers=HTMX)
    assert response.status_code == 403
    response = client.post(reverse("code_restore", args=[study.slug, item.pk]))
    assert response.status_code == 403
    assert DeletedCode.objects.exists()
    page = client.get(reverse("history", args=[study.slug])).content.decode()
    assert "Code “<bdi>Training</bdi>”" in page
    assert "Restore" not in page


def bin_of(html: str) -> str:
    """The bin's part of the history page."""
    return html[html.index('<section id="bin"') : html.index('id="changes-heading"')]


def test_the_bin_restores_a_code_and_an_excerpt(study, interview, excerpt, code, owner):
    client = client_for(owner)
    client.post(reverse("excerpt_delete", args=[study.slug, excerpt.pk]), headers=HTMX)
    client.post(reverse("code_delete", args=[study.slug, code.pk]), {"confirm": "yes"})
    page = bin_of(client.get(reverse("history", args=[study.slug])).content.decode())
    assert "Code “<bdi>Training</bdi>”" in page
    assert "Excerpt of R1: “<bdi>the ones nobody else will see</bdi>”" in page
    assert page.count(f">{owner.username}<") == 2
    item = DeletedCode.objects.get()
    response = client.post(reverse("code_restore", args=[study.slug, item.pk]), follow=True)
    assert "Restored “<bdi>Training</bdi>” with its excerpts" in response.content.decode()
    response = client.post(reverse("excerpt_restore", args=[study.slug, excerpt.pk]), follow=True)
    assert "Excerpt restored with its codes and memo." in response.content.decode()
    assert list(Excerpt.objects.get().codings.values_list("code__name", flat=True)) == ["Training"]
    assert Code.objects.filter(name="Training").exists()


def test_the_bin_reads_the_same_queries_however_full(study, interview, owner):
    kept = services.code_create(study=study, name="Training")
    client = client_for(owner)
    url = reverse("history", args=[study.slug])
    counts = []
    for phrases in (["About six years"], ["never looked back", "the ones nobody else"]):
        for n, phrase in enumerate(phrases):
            code = services.code_create(study=study, name=f"{phrase} {n}")
            excerpt = code_span(interview, phrase, [code, kept])
            services.excerpt_delete(excerpt=excerpt, actor=owner)
            services.code_delete(code=code, force=True, actor=owner)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        counts.append(len(captured))
    assert bin_of(html).count(RESTORE_BUTTON) == 6
    # Deleted excerpts with their interview, respondent and who deleted them, their
    # codings, the codes of those, deleted codes with who deleted them: the same queries.
    assert counts[0] == counts[1]


def test_the_old_bin_address_leads_to_the_bin_on_the_history_page(study, owner):
    response = client_for(owner).get(reverse("bin", args=[study.slug]))
    assert response.url == reverse("history", args=[study.slug]) + "#bin"


def test_the_bin_lists_one_page_at_a_time_and_a_restore_comes_back_to_it(study, owner):
    total = BIN_PER_PAGE + 13
    interview = coded_transcript(study, owner, excerpts=total, turns=40, words_per_turn=40)
    excerpts = list(Excerpt.objects.filter(interview=interview))
    for excerpt in excerpts:
        services.excerpt_delete(excerpt=excerpt, actor=owner)
    url = reverse("history", args=[study.slug])
    client = client_for(owner)

    first = bin_of(client.get(url).content.decode())
    second = bin_of(client.get(url, {"bin_page": 2}).content.decode())

    assert first.count(RESTORE_BUTTON) == BIN_PER_PAGE
    assert f"Deleted 1–{BIN_PER_PAGE} of {total}, newest first" in first
    assert first.index(f'id="bin-excerpt-{excerpts[-1].pk}"') < first.index(
        f'id="bin-excerpt-{excerpts[-2].pk}"'
    )
    assert second.count(RESTORE_BUTTON) == 13
    assert f"Deleted {BIN_PER_PAGE + 1}–{total} of {total}, newest first" in second
    # The oldest deleted is on the second page; restoring it returns there.
    oldest = excerpts[0]
    assert f'id="bin-excerpt-{oldest.pk}"' in second
    response = client.post(reverse("excerpt_restore", args=[study.slug, oldest.pk]), {"page": "2"})
    assert response.url == f"{url}?bin_page=2#bin"


def test_every_page_whose_messages_offer_undo_names_ctrl_zs_endpoint_to_writers_only(
    study, themed, owner, reviewer
):
    """Ctrl+Z (static/js/undo.js) posts to the endpoint the page names in data-undo-url: on
    every page whose messages can carry an Undo button, for those who may write only."""
    slug = study.slug
    named = f'data-undo-url="{reverse("undo", args=[slug])}"'
    pages = [
        reverse("interview_code", args=[slug, themed["interviews"][0].pk]),
        reverse("codebook", args=[slug]),
        reverse("code_similar", args=[slug, themed["codes"][0].pk]),
        reverse("autocode", args=[slug]),
        reverse("themes", args=[slug]),
        reverse("theme_detail", args=[slug, themed["training"].pk]),
        # A memo or journal entry written, edited or deleted there is in the history too.
        reverse("memos", args=[slug]),
    ]
    # Coding from a search is for writers only: a reviewer is refused the page.
    refused = {reverse("autocode", args=[slug])}
    writer, reader = client_for(owner), client_for(reviewer)
    for url in pages:
        assert named in writer.get(url).content.decode(), url
        response = reader.get(url)
        assert response.status_code == (403 if url in refused else 200), url
        assert "data-undo-url" not in response.content.decode(), url


# A kept message's Undo after a plain form: its own form, outside the message's paragraph
# (a form cannot sit inside a <p>), its button inside it by the form attribute.
UNDO_FORM = re.compile(
    r'<form id="(undo-\d+)" method="post" action="([^"]+)" hidden>\s*'
    r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">\s*'
    r'<input type="hidden" name="next" value="([^"]+)">'
)


def test_a_plain_form_s_message_offers_undo_as_a_plain_form(study, excerpt, code, owner):
    """After a form posted without JavaScript, the message said what was done with no Undo
    button (only the bin restored); it now has one, a plain form: no JavaScript needed."""
    client = client_for(owner)
    page = reverse("interview_code", args=[study.slug, excerpt.interview_id])
    response = client.post(remove_url(excerpt, code), follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert not excerpt.codings.exists()
    html = response.content.decode()
    entry = UndoEntry.objects.get()
    (form_id, action, back) = UNDO_FORM.search(html).groups()
    assert (action, back) == (reverse("undo_entry", args=[study.slug, entry.pk]), page)
    assert f'<button type="submit" form="{form_id}" class="undo" data-undo>Undo</button>' in html
    # Shown once: the next page has no message, and no Undo.
    assert UNDO_FORM.search(client.get(page).content.decode()) is None

    response = client.post(action, {"next": back}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert "Undone: " in response.content.decode()
    assert list(excerpt.codings.values_list("code_id", flat=True)) == [code.pk]
    # A page of another site is no way back: the codebook.
    client.post(remove_url(excerpt, code))
    entry = UndoEntry.objects.latest("pk")
    response = client.post(
        reverse("undo_entry", args=[study.slug, entry.pk]), {"next": "https://example.com/"}
    )
    assert response.url == reverse("codebook", args=[study.slug])


def test_a_reviewer_is_never_offered_a_plain_undo(study, excerpt, code, coder):
    """A coder made a reviewer between the action and the page after it: no Undo shown,
    and its address refused."""
    client = client_for(coder)
    client.post(remove_url(excerpt, code))
    interviews.membership_set(study=study, username=coder.username, role=Role.REVIEWER)
    page = reverse("interview_code", args=[study.slug, excerpt.interview_id])
    html = client.get(page).content.decode()
    # The message still says what was done, with no Undo.
    assert f"Removed <bdi>{code.name}</bdi>." in html
    assert UNDO_FORM.search(html) is None
    assert ">Undo</button>" not in html
    entry = UndoEntry.objects.get()
    response = client.post(reverse("undo_entry", args=[study.slug, entry.pk]), {"next": page})
    assert response.status_code == 403
    assert not excerpt.codings.exists()


def flash_texts(html: str) -> list[str]:
    return re.findall(r'<span class="flash-text">(.*?)</span>', html, re.S)


def test_a_stale_plain_undo_says_what_happened_on_its_page(study, excerpt, code, owner):
    """The message's Undo pressed again (twice, or in a tab kept from before) went to the
    codebook, or, for a page kept from an earlier login, to an error page saying the action
    was "not in your history": it comes back to its page, saying what happened."""
    client = client_for(owner)
    page = reverse("interview_code", args=[study.slug, excerpt.interview_id])
    client.post(remove_url(excerpt, code), follow=True)
    url = reverse("undo_entry", args=[study.slug, UndoEntry.objects.get().pk])
    client.post(url, {"next": page}, follow=True)
    assert list(excerpt.codings.values_list("code_id", flat=True)) == [code.pk]

    response = client.post(url, {"next": page}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert flash_texts(response.content.decode()) == [
        "That action was undone already; nothing was changed."
    ]
    assert list(excerpt.codings.values_list("code_id", flat=True)) == [code.pk]

    # The same Undo in a page kept from before logging in again.
    response = client_for(owner).post(url, {"next": page}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert flash_texts(response.content.decode()) == [
        "That action can no longer be undone: it was undone already, or done before you "
        "last logged in (each login has its own Undo history). Nothing was changed."
    ]
    assert list(excerpt.codings.values_list("code_id", flat=True)) == [code.pk]


def test_a_stale_htmx_undo_says_what_happened(study, excerpt, code, owner):
    client = client_for(owner)
    client.post(remove_url(excerpt, code), headers=HTMX)
    url = reverse("undo_entry", args=[study.slug, UndoEntry.objects.get().pk])
    client.post(url, headers=HTMX)
    response = client.post(url, headers=HTMX)
    assert response.status_code == 409
    assert flash_texts(response.content.decode()) == [
        "That action was undone already; nothing was changed."
    ]
    response = client_for(owner).post(url, headers=HTMX)
    assert response.status_code == 409
    assert "it was undone already, or done before you last logged in" in (
        response.content.decode()
    )
    assert list(excerpt.codings.values_list("code_id", flat=True)) == [code.pk]

"""The undo endpoint (Undo buttons, Ctrl+Z) and the bin page."""

from __future__ import annotations

from django.urls import reverse

from coding import services
from coding.models import Code, DeletedCode, Excerpt, UndoEntry
from coding.views.undo import BIN_ITEMS_PER_PAGE
from tests.conftest import HTMX, client_for, code_span

from .heavy import coded_transcript


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
    assert "Undone: Removed Training." in html
    assert f'id="ex-{excerpt.pk}"' in html, "the excerpt's entry is redrawn"
    assert list(excerpt.codings.values_list("code_id", flat=True)) == [code.pk]


def test_an_undo_from_elsewhere_reloads_the_page_with_its_message(study, excerpt, code, owner):
    client = client_for(owner)
    client.post(remove_url(excerpt, code), headers=HTMX)
    response = client.post(reverse("undo", args=[study.slug]), headers=HTMX)
    assert response["HX-Refresh"] == "true"
    page = client.get(reverse("codebook", args=[study.slug])).content.decode()
    assert "Undone: Removed Training." in page


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
    assert "nothing left to undo" in response.content.decode()


def test_an_action_is_undone_only_in_the_session_that_made_it(study, excerpt, code, owner):
    client_for(owner).post(remove_url(excerpt, code), headers=HTMX)
    entry = UndoEntry.objects.get()
    other_login = client_for(owner)
    response = other_login.post(reverse("undo_entry", args=[study.slug, entry.pk]), headers=HTMX)
    assert response.status_code == 404
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
    page = client.get(reverse("bin", args=[study.slug])).content.decode()
    assert "Training" in page
    assert "Restore" not in page


def test_the_bin_page_restores_a_code_and_an_excerpt(study, interview, excerpt, code, owner):
    client = client_for(owner)
    client.post(reverse("excerpt_delete", args=[study.slug, excerpt.pk]), headers=HTMX)
    client.post(reverse("code_delete", args=[study.slug, code.pk]), {"confirm": "yes"})
    page = client.get(reverse("bin", args=[study.slug])).content.decode()
    assert "Code “Training”" in page
    assert "Excerpt of R1: “the ones nobody else will see”" in page
    assert page.count(f">{owner.username}<") == 2
    item = DeletedCode.objects.get()
    response = client.post(reverse("code_restore", args=[study.slug, item.pk]), follow=True)
    assert "Restored “Training” with its excerpts" in response.content.decode()
    response = client.post(reverse("excerpt_restore", args=[study.slug, excerpt.pk]), follow=True)
    assert "Excerpt restored with its codes and memo." in response.content.decode()
    assert list(Excerpt.objects.get().codings.values_list("code__name", flat=True)) == ["Training"]
    assert Code.objects.filter(name="Training").exists()


def test_the_bin_page_reads_in_a_fixed_number_of_queries(
    study, interview, owner, django_assert_num_queries
):
    kept = services.code_create(study=study, name="Training")
    for name, phrase in (("Stress", "About six years"), ("Support", "never looked back")):
        code = services.code_create(study=study, name=name)
        services.excerpt_delete(excerpt=code_span(interview, phrase, [code, kept]), actor=owner)
        services.code_delete(code=code, force=True, actor=owner)
    client = client_for(owner)
    # session, user, study+role, deleted excerpts with their interview, respondent and who
    # deleted them, their codings, the codes of those, deleted codes with who deleted them
    with django_assert_num_queries(7):
        html = client.get(reverse("bin", args=[study.slug])).content.decode()
    assert html.count("Restore</button>") == 4


def test_the_bin_page_lists_one_page_at_a_time_and_a_restore_comes_back_to_it(
    study, owner, django_assert_num_queries
):
    interview = coded_transcript(study, owner, excerpts=130, turns=40, words_per_turn=40)
    excerpts = list(Excerpt.objects.filter(interview=interview))
    for excerpt in excerpts:
        services.excerpt_delete(excerpt=excerpt, actor=owner)
    url = reverse("bin", args=[study.slug])
    client = client_for(owner)

    first = client.get(url).content.decode()
    # Paging with htmx: the list alone; the same queries as the whole page.
    with django_assert_num_queries(7):
        second = client.get(url, {"page": 2}, headers=HTMX)

    assert first.count("Restore</button>") == BIN_ITEMS_PER_PAGE
    assert "Deleted 1–100 of 130, newest first" in first
    html = second.content.decode()
    assert html.lstrip().startswith('<div id="bin-list">')
    assert "<html" not in html
    assert html.count("Restore</button>") == 30
    assert "HX-Request" in second["Vary"]
    # Back after paging (a history restore) gets the whole page.
    restored = client.get(url, {"page": 2}, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restored.content.decode()
    # The oldest deleted is on the second page; restoring it returns there.
    oldest = excerpts[0]
    assert f'id="bin-excerpt-{oldest.pk}"' in html
    response = client.post(reverse("excerpt_restore", args=[study.slug, oldest.pk]), {"page": "2"})
    assert response.url == f"{url}?page=2"

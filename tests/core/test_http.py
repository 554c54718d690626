"""Every view that serves both a page and an htmx fragment answers through one helper
(`render_page_or_fragment`): the fragment to htmx, the full page to a plain load and to
htmx's history restore (the Back button), and always `Vary: HX-Request`."""

from __future__ import annotations

import pytest
from django.urls import reverse

from interviews import staging
from tests.conftest import HTMX, client_for
from themes import services as themes

RESTORE = {**HTMX, "HX-History-Restore-Request": "true"}
CHROME = 'class="topbar"'


def _views(study, owner):
    """(name, url, id of the fragment's root element) for each page-or-fragment view."""
    theme = themes.theme_create(study=study, name="Training")
    batch = staging.staged_files_stage(
        study=study, user=owner, uploads=[("R9.txt", b"Interviewer: Hello?\n\nR9: Hello.")]
    )
    slug = study.slug
    return [
        ("themes", reverse("themes", args=[slug]), "theme-list"),
        ("theme", reverse("theme_detail", args=[slug, theme.pk]), "theme-body"),
        ("codebook", reverse("codebook", args=[slug]), "codebook-body"),
        ("code editor", reverse("codebook", args=[slug]) + "?new=1", "code-editor"),
        ("members", reverse("members", args=[slug]), "member-section"),
        ("protocol", reverse("protocol", args=[slug]), "question-section"),
        ("respondents", reverse("respondents", args=[slug]), "respondent-section"),
        ("import", reverse("transcript_import", args=[slug]), "import-section"),
        ("import batch", reverse("import_batch", args=[slug, batch]), "batch-section"),
    ]


@pytest.mark.django_db
def test_each_view_answers_htmx_with_its_fragment_and_everything_else_with_the_page(study, owner):
    client = client_for(owner)
    for name, url, root in _views(study, owner):
        fragment = client.get(url, headers=HTMX)
        page = client.get(url)
        restored = client.get(url, headers=RESTORE)
        for response in (fragment, page, restored):
            assert response.status_code == 200, name
            assert "HX-Request" in response["Vary"], name
        fragment_html = fragment.content.decode()
        assert f'id="{root}"' in fragment_html, name
        assert CHROME not in fragment_html, name
        assert "<html" not in fragment_html, name
        for response in (page, restored):
            html = response.content.decode()
            assert CHROME in html, name
            assert f'id="{root}"' in html, name


@pytest.mark.django_db
def test_a_history_restore_of_a_later_page_of_excerpts_is_that_page_in_full(
    study, owner, long_theme
):
    theme, reading = long_theme
    url = reverse("theme_detail", args=[study.slug, theme.pk]) + "?page=2"
    html = client_for(owner).get(url, headers=RESTORE).content.decode()
    assert CHROME in html
    assert "<h1>Training</h1>" in html
    assert f'id="support-{reading[3]}"' in html
    assert f'id="support-{reading[0]}"' not in html


def test_malformed_ids_are_refused_not_crashing(study, themed, code, owner):
    client = client_for(owner)
    merge = reverse("code_merge", args=[study.slug, code.pk])
    assert client.post(merge, {"into": "abc"}, headers=HTMX).status_code == 400
    attach = reverse("theme_codes", args=[study.slug, themed["training"].pk])
    assert client.post(attach, {"code": "abc"}, headers=HTMX).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("referer", "redirected"),
    [("http://testserver/studies/", True), ("https://elsewhere.example/", False), ("", False)],
)
def test_a_refusal_to_a_plain_post_is_always_a_whole_page(rf, owner, referer, redirected):
    """Back to the page the form was on (of this site only) with the message as a flash;
    else the site's error page around the message, never the bare flash fragment."""
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django_htmx.middleware import HtmxDetails

    from core.http import refusal

    request = rf.post("/anywhere/", headers={"Referer": referer} if referer else {})
    request.user, request.session = owner, {}
    request._messages = FallbackStorage(request)
    request.htmx = HtmxDetails(request)
    response = refusal(request, "Not <b>now</b>.", status=409)
    if redirected:
        assert (response.status_code, response["Location"]) == (302, referer)
        assert [str(m) for m in get_messages(request)] == ["Not <b>now</b>."]
    else:
        page = response.content.decode()
        assert response.status_code == 409
        assert CHROME in page
        assert "Not &lt;b&gt;now&lt;/b&gt;." in page


# The polite message region, in every answer that sets the regions' content (_flash.html).
FLASH = 'id="flash-status"'


@pytest.mark.django_db
def test_every_answer_to_an_htmx_action_replaces_the_message_region(study, themed, owner):
    """A refusal shows its error there; a later success that says nothing clears it (an
    empty region, swapped out of band), so that the old error does not stay up as if it
    were the success's answer. A GET (a panel, a page of results) leaves the region alone,
    and a plain POST is redirected as before."""
    client = client_for(owner)
    training = themed["training"]
    codes = reverse("theme_codes", args=[study.slug, training.pk])

    refused = client.post(codes, {"code_name": "No such code"}, headers=HTMX)
    assert refused.status_code == 400
    assert refused.content.decode().count(FLASH) == 1
    assert "There is no code called “<bdi>No such code</bdi>”." in refused.content.decode()

    done = client.post(codes, {"code_name": "Colleagues"}, headers=HTMX).content.decode()
    assert done.count(FLASH) == 1
    region = done[done.index("<div " + FLASH) :]
    assert 'hx-swap-oob="innerHTML"' in region.split(">")[0]
    assert "flash-error" not in region
    assert "There is no code" not in region

    read = client.get(reverse("theme_detail", args=[study.slug, training.pk]), headers=HTMX)
    assert FLASH not in read.content.decode()
    plain = client.post(codes, {"code_name": "Colleagues"})
    assert plain.status_code == 302


@pytest.mark.django_db
def test_an_answer_with_its_own_message_or_leaving_the_page_gets_no_second_region(
    study, themed, owner
):
    """The region is added only where the answer has none: an answer that brings its own
    message (an excerpt deleted, with its Undo) keeps that one alone, and a reload
    (HX-Refresh, after the Undo) is swapped nowhere."""
    client = client_for(owner)
    excerpt = themed["excerpts"][1]
    deleted = client.post(reverse("excerpt_delete", args=[study.slug, excerpt.pk]), headers=HTMX)
    page = deleted.content.decode()
    assert page.count(FLASH) == 1
    assert "it waits in the bin" in page
    undone = client.post(reverse("undo", args=[study.slug]), headers=HTMX)
    assert undone.status_code == 200
    assert undone.has_header("HX-Refresh")
    assert FLASH not in undone.content.decode()


def _study_menu(html: str) -> bool:
    return 'aria-label="Study"' in html


@pytest.mark.django_db
def test_a_plain_form_refused_goes_back_to_its_page_keeping_what_was_typed(
    study, interview, code, excerpt, owner
):
    """Before: a plain form refused with text typed in it answered the bare error page, with
    no study menu, the message twice (the page's and the flash's) and "Back to your studies".
    Now it goes back to the page it was posted from, which says why once and shows what was
    typed in a box to copy from, once: the next page no longer shows it."""
    theme = themes.theme_create(study=study, name="Support")
    slug = study.slug
    cases = [
        # Creating a code on the coding page with a name close to an existing code's.
        (
            reverse("interview_code", args=[slug, interview.pk]),
            reverse("excerpt_codes_add", args=[slug, excerpt.pk]),
            {"new_code": "Trainin<g"},
            "Trainin&lt;g",
            "looks like",
        ),
        # Attaching to a theme a code, by its name, that the study does not have.
        (
            reverse("themes", args=[slug]),
            reverse("theme_codes", args=[slug, theme.pk]),
            {"code_name": "Peer <support>"},
            "Peer &lt;support&gt;",
            "There is no code called",
        ),
    ]
    client = client_for(owner)
    for page, action, data, typed, told in cases:
        response = client.post(
            action, data, headers={"Referer": f"http://testserver{page}"}, follow=True
        )
        assert response.redirect_chain == [(f"http://testserver{page}", 302)], action
        html = response.content.decode()
        assert _study_menu(html)
        assert html.count(told) == 1, told
        assert "What you typed was not saved" in html
        assert f">{typed}</textarea>" in html
        again = client.get(page).content.decode()
        assert "What you typed was not saved" not in again
        assert told not in again


@pytest.mark.django_db
def test_a_form_refused_where_it_cannot_go_back_is_a_page_of_its_study(study, owner):
    """A form whose question was deleted meanwhile: the error page, in the study's menu, its
    message once, what was typed, and a link back to the page it came from."""
    from interviews import services as interviews

    question = study.questions.first()
    edit = reverse("question_edit", args=[study.slug, question.pk])
    protocol = f"http://testserver{reverse('protocol', args=[study.slug])}"
    interviews.question_delete(question=question)
    response = client_for(owner).post(
        edit, {"text": "How long, <b>really</b>?"}, headers={"Referer": protocol}
    )
    assert response.status_code == 404
    html = response.content.decode()
    assert _study_menu(html)
    assert html.count("What you typed was not saved") == 1
    assert ">How long, &lt;b&gt;really&lt;/b&gt;?</textarea>" in html
    assert f'<a href="{protocol}">Back to the page you came from</a>' in html
    assert "Back to your studies" not in html
    message = html.split("<h1>")[1]
    assert html.count(message.split("<p>")[1].split("</p>")[0]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "redirected"), [(409, True), (503, False)])
def test_what_was_typed_waits_in_the_session_unless_the_database_is_busy(
    rf, owner, status, redirected
):
    """Back to the form's page with the typed text kept for it; but a database too busy to
    answer (503) would not keep it in the session either: the error page shows it."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django_htmx.middleware import HtmxDetails

    from core.http import TYPED_KEY, refusal

    page = "http://testserver/studies/"
    request = rf.post("/anywhere/", {"body": "My <memo>"}, headers={"Referer": page})
    request.user, request.session = owner, {}
    request._messages = FallbackStorage(request)
    request.htmx = HtmxDetails(request)
    response = refusal(request, "Not now.", status=status)
    if redirected:
        assert (response.status_code, response["Location"]) == (302, page)
        assert request.session[TYPED_KEY] == [["Text", "My <memo>"]]
    else:
        assert response.status_code == 503
        assert TYPED_KEY not in request.session
        assert ">My &lt;memo&gt;</textarea>" in response.content.decode()

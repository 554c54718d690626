"""The study's colours stylesheet and the coding margin's on/off preference."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from coding import services
from coding.palette import PALETTE
from tests.conftest import HTMX, client_for, code_span


def colours_url(study):
    return reverse("code_colours", args=[study.slug])


def margin_url(study):
    return reverse("coding_margin", args=[study.slug])


def page_url(interview):
    return reverse("interview_code", args=[interview.study.slug, interview.pk])


def test_the_stylesheet_has_the_palette_and_every_colour_the_study_picked(
    study, reviewer, django_assert_num_queries
):
    services.code_create(study=study, name="Picked", colour="#AB12CD")
    services.code_create(study=study, name="Palette", colour="teal")
    client = client_for(reviewer)
    # session, user, study+role, the codes' distinct colours
    with django_assert_num_queries(4):
        response = client.get(colours_url(study))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    css = response.content.decode()
    assert ".c-\\#ab12cd{--shade:#ab12cd;--on-shade:#ffffff;" in css
    for colour in PALETTE.values():
        assert f".c-\\{colour}{{--shade:{colour};" in css
    assert css.count("\\#0d9488{") == 1


def test_the_stylesheet_answers_304_until_a_colour_changes(study, owner):
    code = services.code_create(study=study, name="Picked", colour="#ab12cd")
    client = client_for(owner)
    etag = client.get(colours_url(study))["ETag"]
    assert client.get(colours_url(study), headers={"If-None-Match": etag}).status_code == 304
    services.code_update(
        code=code, revision=code.revision, name="Picked", colour="#00ff00", parent=None
    )
    changed = client.get(colours_url(study), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "\\#00ff00{" in changed.content.decode()
    assert "\\#ab12cd{" not in changed.content.decode()


def test_every_study_page_links_its_colours(study, interview, owner):
    html = client_for(owner).get(page_url(interview)).content.decode()
    assert f'<link rel="stylesheet" href="{colours_url(study)}">' in html


def test_the_margin_shows_until_the_user_turns_it_off(study, interview, excerpt, coder):
    client = client_for(coder)
    html = client.get(page_url(interview)).content.decode()
    assert 'class="transcript"' in html
    assert 'aria-pressed="true"' in html
    assert 'class="stripe m0"' in html
    response = client.post(margin_url(study), {"shown": "0"}, headers=HTMX)
    assert response.status_code == 204
    html = client.get(page_url(interview)).content.decode()
    # Turned off, the page arrives with the margin hidden and the switch released; the
    # lines are drawn as before, so that turning it on again needs no new page.
    assert 'class="transcript margin-off"' in html
    assert re.search(r'id="margin-toggle"[^>]*aria-pressed="false"', html)
    assert '<input type="hidden" name="shown" value="1">' in html
    assert 'class="stripe m0"' in html
    client.post(margin_url(study), {"shown": "1"}, headers=HTMX)
    assert 'class="transcript"' in client.get(page_url(interview)).content.decode()


def test_the_preference_is_the_users_own(study, interview, excerpt, owner, coder):
    client_for(coder).post(margin_url(study), {"shown": "0"}, headers=HTMX)
    assert 'class="transcript"' in client_for(owner).get(page_url(interview)).content.decode()


def test_without_script_the_switch_posts_and_comes_back(study, interview, reviewer):
    client = client_for(reviewer)
    back = page_url(interview)
    response = client.post(margin_url(study), {"shown": "0", "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    assert "margin-off" in client.get(back).content.decode()
    # Never back to another site.
    response = client.post(margin_url(study), {"shown": "1", "next": "https://evil.example/"})
    assert response["Location"] == reverse("study_detail", args=[study.slug])


def test_a_preference_that_is_neither_on_nor_off_is_refused(study, interview, owner):
    client = client_for(owner)
    response = client.post(margin_url(study), {"shown": "maybe"}, headers=HTMX)
    assert response.status_code == 400
    assert "Say whether to show" in response.content.decode()
    assert 'class="transcript"' in client.get(page_url(interview)).content.decode()


def test_the_margin_labels_the_excerpt_with_its_codes(study, interview, code, owner):
    other = services.code_create(study=study, name="Peer <support>", colour="#e6194b")
    code_span(interview, "About six years", [code, other])
    html = client_for(owner).get(page_url(interview)).content.decode()
    assert (
        f'<i class="c-{code.colour}" data-n="Training"></i>'
        '<i class="c-#e6194b" data-n="Peer &lt;support&gt;"></i>'
    ) in html


@pytest.mark.parametrize("back", ["²", "codebook", "//evil.example/", "https://evil.example/"])
def test_the_margin_goes_back_only_to_a_page_of_this_site(study, owner, back):
    url = reverse("coding_margin", args=[study.slug])
    response = client_for(owner).post(url, {"shown": "0", "next": back})
    assert response.status_code == 302
    assert response["Location"] == reverse("study_detail", args=[study.slug])

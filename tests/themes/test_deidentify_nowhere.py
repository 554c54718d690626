"""A listed string that no transcript holds (edited out by hand, or only ever written in a
comment or a field since corrected) leaves the History and the comments when the list is
applied, and the preview says so before: nothing keeps a listed name readable because the
transcripts no longer hold it."""

from __future__ import annotations

from django.urls import reverse

from interviews import deidentify
from interviews import services as interviews
from themes import services as themes

from ..conftest import client_for, import_text

CLINIC = "Acme Clinic"


def _clinic_out_of_the_transcripts(study, reviewer):
    """The clinic named in a theme's description since corrected (its History record holds
    it) and in the committee's comment; no transcript ever held it."""
    theme = themes.theme_create(study=study, name="Training", description=f"Taught at {CLINIC}.")
    corrected = {"name": "Training", "description": "Taught at [clinic].", "parent": None}
    themes.theme_update(theme=theme, revision=theme.revision, **corrected)
    themes.comment_add(theme=theme, author=reviewer, body=f"Is {CLINIC} named on purpose?")
    interviews.identifier_add(study=study, text=CLINIC, replacement="[clinic]")
    return theme


def test_applying_the_list_replaces_a_string_no_transcript_holds_everywhere_else(
    study, owner, reviewer
):
    import_text(study, "R1: My supervisor Maria helped.")
    interviews.identifier_add(study=study, text="Maria", replacement="[supervisor]")
    theme = _clinic_out_of_the_transcripts(study, reviewer)
    client = client_for(owner)
    history = reverse("history", args=[study.slug])
    page = reverse("theme_detail", args=[study.slug, theme.pk])
    assert CLINIC in client.get(history).content.decode()
    assert CLINIC in client.get(page).content.decode()

    preview = client.get(reverse("deidentify_preview", args=[study.slug])).content.decode()
    assert f"“<bdi>{CLINIC}</bdi>” is in no transcript" in preview
    waiting = deidentify.study_occurrences(study=study)
    response = client.post(
        reverse("deidentify_preview", args=[study.slug]),
        {f"o-{o.key}": "replace" for o in waiting},
        follow=True,
    )

    message = response.content.decode()
    assert "1 occurrence replaced in 1 transcript, 0 kept." in message
    assert (
        f"“<bdi>{CLINIC}</bdi>”, in no transcript, was replaced wherever else it was." in message
    )
    assert "Also replaced in 1 comment and" in message
    assert CLINIC not in client.get(history).content.decode()
    html = client_for(reviewer).get(page).content.decode()
    assert CLINIC not in html
    assert "Is [clinic] named on purpose?" in html


def test_with_nothing_waiting_the_owner_still_replaces_a_string_in_no_transcript(
    study, owner, reviewer
):
    import_text(study, "R1: Nothing to hide here.")
    theme = _clinic_out_of_the_transcripts(study, reviewer)
    client = client_for(owner)
    url = reverse("deidentify_preview", args=[study.slug])
    preview = client.get(url).content.decode()
    assert f"“<bdi>{CLINIC}</bdi>” is in no transcript" in preview
    assert 'name="nowhere"' in preview
    assert 'name="nowhere"' not in client_for(reviewer).get(url).content.decode()

    message = client.post(url, {"nowhere": "1"}, follow=True).content.decode()

    assert (
        f"“<bdi>{CLINIC}</bdi>”, in no transcript, was replaced wherever else it was." in message
    )
    assert "occurrence" not in message.split("in no transcript")[0][-200:]
    assert theme.comments.get().body == "Is [clinic] named on purpose?"
    assert CLINIC not in client.get(reverse("history", args=[study.slug])).content.decode()

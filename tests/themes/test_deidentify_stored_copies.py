"""A string the researcher applies on the de-identification page leaves every stored copy
of what was typed that the app shows: the committee's review snapshot of a theme, the
History records of the typed fields, and the comments."""

from __future__ import annotations

from django.urls import reverse

from interviews import deidentify
from interviews import services as interviews
from themes import services as themes
from themes.models import Theme

from ..conftest import client_for, import_text

NAME = "Catholic"
DESCRIPTION = "Case managers who were trained for abstinence struggle."


def _apply(client, study) -> str:
    """Replace every waiting occurrence through the preview page; the message read after."""
    url = reverse("deidentify_preview", args=[study.slug])
    waiting = deidentify.study_occurrences(study=study)
    response = client.post(url, {f"o-{o.key}": "replace" for o in waiting}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _theme_corrected_after_review(study, owner):
    """The tester's walk: a theme's description names the charity while the committee
    reviews it; the name is listed and the researcher corrects the description."""
    import_text(study, f"R3: Several shelters are run by a {NAME} charity.", name="R3.txt")
    theme = themes.theme_create(study=study, name="Struggles with abstinence-based practice")
    client = client_for(owner)
    edit = reverse("theme_edit", args=[study.slug, theme.pk])
    described = f"{DESCRIPTION} Several shelters are run by a {NAME} charity."
    client.post(edit, {"name": theme.name, "description": described, "revision": 1})
    client.post(reverse("theme_status", args=[study.slug, theme.pk]), {"status": "in_review"})
    interviews.identifier_add(study=study, text=NAME, replacement="[faith-based]")
    theme = Theme.objects.get(pk=theme.pk)
    client.post(
        edit, {"name": theme.name, "description": "[faith-based]", "revision": theme.revision}
    )
    assert Theme.objects.get(pk=theme.pk).description == "[faith-based]"
    return client, theme


def test_the_committee_no_longer_reads_an_applied_name_in_the_old_description(
    study, owner, reviewer
):
    client, theme = _theme_corrected_after_review(study, owner)
    page = reverse("theme_detail", args=[study.slug, theme.pk])
    assert NAME in client_for(reviewer).get(page).content.decode()

    message = _apply(client, study)

    # The records: the transcript's import and its replacement, the theme's edit naming it,
    # and the start of its review (the record keeps the baseline: theme_restore reads it).
    assert (
        "1 occurrence replaced in 1 transcript, 0 kept. Also replaced in the description 1 "
        "theme&#x27;s review began with and 4 records of the History."
    ) in message

    html = client_for(reviewer).get(page).content.decode()
    assert "It used to read" in html
    assert NAME not in html
    assert "run by a [faith-based] charity" in html


def test_the_history_no_longer_shows_an_applied_name_in_a_respondent_s_attribute(study, owner):
    interviews.attribute_add(study=study, name="Employer")
    interview = import_text(study, f"R3: I work for a {NAME} charity.", name="R3.txt")
    respondent = interview.respondent
    before = {"Employer": f"{NAME} Charities"}
    interviews.respondent_update(respondent=respondent, pseudonym="R3", attributes=before)
    interviews.identifier_add(study=study, text=NAME, replacement="[faith-based]")
    after = {"Employer": "[faith-based] charity"}
    interviews.respondent_update(respondent=respondent, pseudonym="R3", attributes=after)
    client = client_for(owner)
    history = reverse("history", args=[study.slug])
    assert NAME in client.get(history).content.decode()

    _apply(client, study)

    assert NAME not in client.get(history).content.decode()
    kept = [str(row) for row in respondent.history.values_list("attributes", flat=True)]
    assert "{'Employer': '[faith-based] Charities'}" in kept
    assert not any(NAME in row for row in kept)


def test_an_applied_name_leaves_the_comments_of_the_committee_and_the_researcher(
    study, owner, reviewer
):
    client, theme = _theme_corrected_after_review(study, owner)
    comment = reverse("comment_add", args=[study.slug, theme.pk])
    client_for(reviewer).post(comment, {"body": f"Is the {NAME} charity named on purpose?"})
    first = theme.comments.get()
    client.post(comment, {"body": f"No: {NAME.lower()} goes.", "parent": first.pk})
    page = reverse("theme_detail", args=[study.slug, theme.pk])
    assert client_for(reviewer).get(page).content.decode().count(NAME) >= 2

    message = _apply(client, study)

    assert "Also replaced in 2 comments, the description 1 theme&#x27;s review began" in message
    html = client_for(reviewer).get(page).content.decode()
    assert NAME not in html
    assert NAME.lower() not in html
    assert "Is the [faith-based] charity named on purpose?" in html
    assert "No: [faith-based] goes." in html
    assert NAME not in client.get(reverse("history", args=[study.slug])).content.decode()

"""A restore brings back what it took, as if it had never gone, and says what of it is left
out and why: a removed theme's quotes whose excerpts no longer stand under it (a code taken
off the excerpt or deleted, the excerpt deleted, its respondent withdrawn, its words gone
from the transcript) come back left out of the findings, listed on the theme's page as
while it stood (the researcher removes them, or they count again); only a quote whose
excerpt was deleted for good cannot come back. A deleted code says which of its links no
longer exist (its excerpts erased, its themes removed, its parent deleted). Whether from
the History page's bin or by Undo."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coding import bin
from coding import services as coding
from coding.models import Code, DeletedCode, Excerpt
from tests.conftest import HTMX, client_for, code_span
from themes import services as themes
from themes.models import Quote, Theme
from themes.rollup import build_rollup
from themes.selectors import study_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def quoted(study, themed, owner):
    """ "Training" with five quotes: R1's (Learning), R2's under its sub-theme "At work"
    (Colleagues), R3's (withdrawn before), and two more of R1 and R2 coded Learning.
    Returns {name: excerpt}."""
    training = themed["training"]
    r1, r2, _ = themed["interviews"]
    learning = themed["codes"][0]
    more_r1 = code_span(r1, "never looked back", [learning], owner)
    more_r2 = code_span(r2, "About six years", [learning], owner)
    for excerpt in (themed["excerpts"][1], more_r1, more_r2):
        themes.quote_add(theme=training, excerpt=excerpt)
    return {
        "r1": themed["excerpts"][0],
        "sub_theme": themed["excerpts"][1],
        "withdrawn": themed["excerpts"][2],
        "more_r1": more_r1,
        "more_r2": more_r2,
    }


def quoted_excerpts(theme) -> set[int]:
    return set(Quote.objects.filter(theme=theme).values_list("excerpt_id", flat=True))


def stray_on_page(client, study, theme) -> str:
    """The theme page's list of quotes left out of the findings ("" when it has none)."""
    page = client.get(reverse("theme_detail", args=[study.slug, theme.pk])).content.decode()
    _, found, after = page.partition("Left out of the findings:")
    # Without the forms' CSRF tokens: random letters, which spelled "R3" one run in about
    # sixty and failed the check that no pseudonym shows.
    return CSRF_VALUE.sub("", after.partition("</ul>")[0]) if found else ""


CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


def test_a_restored_theme_brings_back_every_quote_and_says_which_are_left_out(
    study, themed, quoted, owner
):
    training = themed["training"]
    themes.theme_delete(theme=training)
    # Meanwhile: Learning taken off one excerpt, another excerpt deleted.
    coding.excerpt_code_remove(excerpt=quoted["more_r2"], code=themed["codes"][0])
    coding.excerpt_delete(excerpt=quoted["more_r1"], actor=owner)

    restored = themes.theme_restore(study=study, theme_id=training.pk)

    assert quoted_excerpts(training) == {excerpt.pk for excerpt in quoted.values()}
    assert restored.left_out == {"uncoded": 1, "deleted": 1, "withdrawn": 1}
    assert restored.message() == (
        "Restored “\u2068Training\u2069”; 1 quote is left out of the findings: its excerpt "
        "is in the bin; 1 quote is left out of the findings: its respondent has withdrawn; "
        "1 quote is left out of the findings: its excerpt no longer carries the theme's codes."
    )
    # The findings show the quotes under the theme (R1's, and R2's under its sub-theme
    # "At work", back under Training); its page lists the three others, each with why.
    under = set(build_rollup(study_rows(study)).theme(training.pk).excerpt_ids)
    assert quoted_excerpts(training) & under == {quoted["r1"].pk, quoted["sub_theme"].pk}
    stray = stray_on_page(client_for(owner), study, training)
    assert "its excerpt was deleted" in stray
    # The withdrawn respondent's words are not shown; the line still says what it is about.
    assert "A chosen quote, its words not shown: its respondent has withdrawn." in stray
    assert "no longer carries any of the theme&#x27;s codes" in stray
    # Nor is their pseudonym, even in the Remove button's words for a screen reader.
    assert quoted["withdrawn"].interview.respondent.pseudonym not in stray


def test_a_quote_counts_again_once_its_excerpt_does(study, themed, quoted, owner):
    training, learning = themed["training"], themed["codes"][0]
    themes.theme_delete(theme=training)
    coding.excerpt_code_remove(excerpt=quoted["more_r2"], code=learning)
    themes.theme_restore(study=study, theme_id=training.pk)

    coding.excerpt_codes_add(excerpt=quoted["more_r2"], codes=[learning], coder=owner)

    under = set(build_rollup(study_rows(study)).theme(training.pk).excerpt_ids)
    assert quoted["more_r2"].pk in quoted_excerpts(training) & under
    assert "About six years" not in stray_on_page(client_for(owner), study, training)


def test_a_quote_whose_excerpt_was_deleted_for_good_cannot_come_back(study, themed, quoted, owner):
    training = themed["training"]
    themes.theme_delete(theme=training)
    coding.excerpt_delete(excerpt=quoted["more_r1"], actor=owner)
    Excerpt.all_objects.filter(pk=quoted["more_r1"].pk).delete()  # the bin emptied

    restored = themes.theme_restore(study=study, theme_id=training.pk)

    assert quoted["more_r1"].pk not in quoted_excerpts(training)
    assert restored.left_out == {"purged": 1, "withdrawn": 1}
    assert restored.left_out_note() == (
        "1 quote could not come back: its excerpt was deleted for good; 1 quote is left out "
        "of the findings: its respondent has withdrawn."
    )


def test_a_code_deleted_meanwhile_leaves_its_quotes_out_of_the_findings(
    study, themed, quoted, owner
):
    training = themed["training"]
    themes.theme_delete(theme=training)
    coding.code_delete(code=themed["codes"][0], force=True)

    restored = themes.theme_restore(study=study, theme_id=training.pk)

    assert not training.codes.exists()
    assert quoted_excerpts(training) == {excerpt.pk for excerpt in quoted.values()}
    assert restored.left_out == {"uncoded": 3, "withdrawn": 1}
    assert (
        "3 quotes are left out of the findings: their excerpts no longer carry the theme's codes."
    ) in restored.message()


def test_a_quote_whose_words_left_the_transcript_is_left_out_of_the_findings(
    study, themed, quoted, owner
):
    training = themed["training"]
    r1 = themed["interviews"][0]
    themes.theme_delete(theme=training)
    coding.transcript_edit(
        interview=r1, text=r1.text.replace("About six years", ""), version=r1.version
    )
    assert Excerpt.objects.get(pk=quoted["r1"].pk).status == "orphaned"

    restored = themes.theme_restore(study=study, theme_id=training.pk)

    assert quoted["r1"].pk in quoted_excerpts(training)
    assert restored.left_out["orphaned"] == 1
    assert (
        "A chosen quote, its words not shown: its words were removed from the transcript."
        in stray_on_page(client_for(owner), study, training)
    )


def test_the_bin_says_what_a_restored_theme_left_out(study, themed, quoted, owner):
    training = themed["training"]
    themes.theme_delete(theme=training)
    coding.excerpt_code_remove(excerpt=quoted["more_r2"], code=themed["codes"][0])
    client = client_for(owner)
    response = client.post(
        reverse("history_restore", args=[study.slug, "theme", training.pk]), follow=True
    )
    page = response.content.decode()
    assert (
        "Restored “<bdi>Training</bdi>”; 1 quote is left out of the findings: its respondent "
        "has withdrawn"
    ) in page
    assert (
        "1 quote is left out of the findings: its excerpt no longer carries the theme&#x27;s "
        "codes."
    ) in page
    assert Theme.objects.filter(pk=training.pk).exists()


def test_undoing_a_theme_removal_says_what_it_left_out(study, themed, quoted, owner):
    training = themed["training"]
    client = client_for(owner)
    client.post(reverse("theme_delete", args=[study.slug, training.pk]), headers=HTMX)
    coding.excerpt_code_remove(excerpt=quoted["more_r2"], code=themed["codes"][0])
    client.post(reverse("undo", args=[study.slug]), headers=HTMX)
    shown = client.get(reverse("themes", args=[study.slug])).content.decode()
    assert (
        "Undone: Removed the theme “<bdi>Training</bdi>”. 1 quote is left out of the findings: "
        "its respondent has withdrawn; 1 quote is left out of the findings: its excerpt no "
        "longer carries the theme&#x27;s codes."
    ) in shown
    assert quoted["more_r2"].pk in quoted_excerpts(training)


def test_a_restored_code_says_what_of_its_links_no_longer_exists(study, themed, owner):
    training = themed["training"]
    learning = themed["codes"][0]
    learning_id = learning.pk  # A deleted row forgets its id.
    parent = coding.code_create(study=study, name="Roots")
    child = coding.code_create(study=study, name="Peers", parent=learning)
    coding.code_move(code=learning, parent=parent)
    coding.code_delete(code=learning, force=True)
    # Meanwhile: its parent deleted, its theme removed, one of its excerpts erased for good,
    # its sub-code moved under another code.
    coding.code_delete(code=parent, force=True)
    themes.theme_delete(theme=training)
    coding.excerpt_delete(excerpt=themed["excerpts"][0], actor=owner)
    Excerpt.all_objects.filter(pk=themed["excerpts"][0].pk).update(
        deleted_at=timezone.now() - bin.retention() - timedelta(days=1)
    )
    bin.purge()
    coding.code_move(code=Code.objects.get(pk=child.pk), parent=themed["codes"][1])
    client = client_for(owner)

    item = DeletedCode.objects.get(code_id=learning_id)
    response = client.post(reverse("code_restore", args=[study.slug, item.pk]), follow=True)

    page = response.content.decode()
    assert (
        "Restored “<bdi>Learning</bdi>”. Left out: its parent code was deleted since, so it "
        "is at the top level; 1 of its excerpts was erased since; 1 sub-code was moved or "
        "deleted since and stays where it is; 1 theme that gathered it was removed since."
    ) in page
    restored = Code.objects.get(pk=learning_id)
    assert restored.parent_id is None
    # R3's excerpt (withdrawn, still in the study) keeps its coding.
    assert list(restored.codings.values_list("excerpt_id", flat=True)) == [
        themed["excerpts"][2].pk
    ]


def test_a_code_restored_whole_says_so(study, themed, owner):
    learning = themed["codes"][0]
    coding.code_delete(code=learning, force=True)
    restored = bin.code_restore(item=DeletedCode.objects.get())
    assert restored.left_out == []
    assert restored.message() == (
        "Restored “\u2068Learning\u2069” with its excerpts, sub-codes and themes."
    )


@pytest.fixture
def binned_and_uncoded(study, themed, owner):
    """R1's quoted excerpt deleted on the coding page (kept in the owner's history); then
    its code taken out of "Training", the theme its quote illustrates. Returns the owner's
    client and the excerpt."""
    client, first = client_for(owner), themed["excerpts"][0]
    client.post(reverse("excerpt_delete", args=[study.slug, first.pk]), headers=HTMX)
    themes.theme_code_detach(theme=themed["training"], code=themed["codes"][0])
    return client, first


def test_an_excerpt_back_from_the_bin_says_which_of_its_quotes_are_left_out(
    study, themed, binned_and_uncoded
):
    client, first = binned_and_uncoded
    response = client.post(reverse("excerpt_restore", args=[study.slug, first.pk]), follow=True)
    assert (
        "Excerpt restored with its codes and memo. 1 quote is left out of the findings: its "
        "excerpt no longer carries the theme&#x27;s codes."
    ) in response.content.decode()
    assert Excerpt.objects.filter(pk=first.pk).exists()
    # Kept, as a quote whose excerpt strays while it is live: the theme's page lists it.
    assert first.pk in quoted_excerpts(themed["training"])


def test_undoing_an_excerpts_deletion_says_which_of_its_quotes_are_left_out(
    study, themed, binned_and_uncoded
):
    client, first = binned_and_uncoded
    client.post(reverse("undo", args=[study.slug]), headers=HTMX)
    shown = client.get(reverse("codebook", args=[study.slug])).content.decode()
    assert (
        "1 quote is left out of the findings: its excerpt no longer carries the theme&#x27;s "
        "codes."
    ) in shown
    assert Excerpt.objects.filter(pk=first.pk).exists()
    assert first.pk in quoted_excerpts(themed["training"])


def test_an_excerpt_back_from_the_bin_keeps_its_quotes_that_hold(study, themed, owner):
    training, first = themed["training"], themed["excerpts"][0]
    coding.excerpt_delete(excerpt=first, actor=owner)
    assert coding.excerpt_restore(excerpt=Excerpt.all_objects.get(pk=first.pk)) == ""
    assert first.pk in quoted_excerpts(training)

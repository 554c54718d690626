from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from coding import services as coding
from coding.models import Code, Excerpt, UndoEntry
from interviews import services as interviews
from tests.conftest import HTMX, client_for, code_span, import_text
from themes import services
from themes import services as themes
from themes.models import Comment, Quote, ReviewStatus, Theme
from themes.rollup import study_rollup


def url(study, name, *args):
    return reverse(name, args=[study.slug, *args])


@pytest.mark.parametrize("extra_themes", [0, 12])
def test_the_themes_page_queries_do_not_grow(
    study, themed, owner, extra_themes, django_assert_num_queries
):
    for n in range(extra_themes):
        services.theme_create(study=study, name=f"Extra {n}")
    client = client_for(owner)
    # session, user, study+role, roll-up (revision, 8), the study's respondent and interview
    # counts (interviews.counts), parent choices of the new-theme form
    with django_assert_num_queries(14):
        response = client.get(url(study, "themes"))
    html = response.content.decode()
    assert "Training" in html
    assert "of the respondents (2 of 2)" in html
    assert "How many respondents" in html


def test_a_theme_name_with_an_invisible_character_is_refused_as_a_duplicate(study, owner):
    client = client_for(owner)
    client.post(url(study, "themes"), {"name": "Training"}, headers=HTMX)
    response = client.post(url(study, "themes"), {"name": "Training\u200b"}, headers=HTMX)
    assert "There is already a theme called “<bdi>Training</bdi>”" in response.content.decode()
    assert list(Theme.objects.values_list("name", flat=True)) == ["Training"]


def test_themes_are_created_renamed_nested_and_moved(study, owner):
    client = client_for(owner)
    client.post(url(study, "themes"), {"name": "Training"}, headers=HTMX)
    client.post(url(study, "themes"), {"name": "Stress"}, headers=HTMX)
    response = client.post(url(study, "themes"), {"name": "stress"}, headers=HTMX)
    assert "There is already a theme called “<bdi>Stress</bdi>”" in response.content.decode()
    training, stress = Theme.objects.order_by("order")
    client.post(url(study, "theme_move", stress.pk), {"to": "up"}, headers=HTMX)
    assert list(Theme.objects.order_by("order").values_list("name", flat=True)) == [
        "Stress",
        "Training",
    ]
    data = {"name": "Burnout", "parent": training.pk, "revision": stress.revision}
    client.post(url(study, "theme_edit", stress.pk), data, headers=HTMX)
    stress.refresh_from_db()
    assert (stress.name, stress.parent) == ("Burnout", training)
    response = client.post(
        url(study, "theme_edit", training.pk), {"name": "T", "parent": stress.pk, "revision": 1}
    )
    assert "which is inside it" in response.content.decode()


def test_removing_a_theme_keeps_codes_excerpts_and_sub_themes(study, themed, owner):
    training, at_work = themed["training"], themed["at_work"]
    client_for(owner).post(url(study, "theme_delete", training.pk), headers=HTMX)
    assert not Theme.objects.filter(pk=training.pk).exists()
    at_work.refresh_from_db()
    assert at_work.parent is None
    assert Code.objects.count() == 2
    assert Excerpt.objects.count() == 3


def test_a_concurrent_theme_edit_is_not_overwritten(study, themed, owner, coder):
    training = themed["training"]
    stale = training.revision
    client_for(coder).post(
        url(study, "theme_edit", training.pk),
        {"name": "Learning", "revision": stale},
        headers=HTMX,
    )
    response = client_for(owner).post(
        url(study, "theme_edit", training.pk), {"name": "Mine", "revision": stale}, headers=HTMX
    )
    html = response.content.decode()
    assert "Saved meanwhile, in another tab or window: Name <q>Learning</q>." in html
    assert Theme.objects.get(pk=training.pk).name == "Learning"


def test_the_theme_page(study, themed, owner, django_assert_num_queries):
    training = themed["training"]
    # session, user, the theme with its study and the user's role, roll-up (revision, 8),
    # quotes, excerpts, codings, comments
    client = client_for(owner)
    with django_assert_num_queries(16):
        html = client.get(url(study, "theme_detail", training.pk)).content.decode()
    assert "Raised by <strong>all</strong> of the respondents (2 of 2)" in html
    assert "How they learned." in html
    assert "(R1, Q1)" in html
    assert "(R2, Q2)" in html
    assert "Café regulars" not in html, "a withdrawn respondent's quote is not shown"
    assert "At work" in html


def test_the_theme_page_says_how_many_raised_it_in_the_findings_words(study, themed, owner):
    """The fault: the page said "Raised by none of the respondents (0 of 2)" and "Raised by
    one of the respondents (1 of 2)" where the findings say "Not raised by any respondent"
    and "Raised by one respondent": one fact, two wordings for the committee."""
    from themes.exports import prevalence_sentence

    only_r3 = coding.code_create(study=study, name="Only R3")
    coding.excerpt_codes_add(excerpt=themed["excerpts"][2], codes=[only_r3], coder=owner)
    withdrawn_only = themes.theme_create(study=study, name="Withdrawn only")
    themes.theme_code_attach(theme=withdrawn_only, code=only_r3)
    summaries = {summary.id: summary for summary in study_rollup(study).themes}
    client = client_for(owner)
    for theme, said in (
        (themed["at_work"], "Raised by one respondent (1 of 2)."),
        (withdrawn_only, "Not raised by any respondent (0 of 2)."),
        (themed["training"], "Raised by all of the respondents (2 of 2)."),
    ):
        assert prevalence_sentence(summaries[theme.pk]) == said
        html = client.get(url(study, "theme_detail", theme.pk)).content.decode()
        line = re.search(r'<p class="prevalence big">(.*?) ·', html, re.S).group(1)
        assert re.sub(r"<[^>]+>|\{#.*?#\}", "", line).strip() + "." == said


def _spread_section(html: str) -> str:
    """The text of the theme page's "Where in the interviews" section ("" without one)."""
    if 'id="spread-title"' not in html:
        return ""
    section = html[html.index('id="spread-title">') + len('id="spread-title">') :]
    words = re.sub(r"<[^>]*>", " ", section[: section.index("</section>")])
    return " ".join(unescape(words).split())


UNMARKED = "R1: About six years now. I started at the shelter and never looked back."


def test_where_in_the_interviews_says_why_when_no_excerpt_answers_a_question(study, themed, owner):
    """With no protocol, or one marked in no transcript, every excerpt of a theme fell
    "before the first question": the page showed that one row as where in the interviews
    they were. It says why there is nothing to show instead, as the Charts page does."""
    training = themed["training"]
    client = client_for(owner)
    marked = _spread_section(client.get(url(study, "theme_detail", training.pk)).content.decode())
    assert marked.startswith("Where in the interviews Question Excerpts Respondents Q1 ")
    assert "Before the first question" not in marked

    other = interviews.respondent_create(study=study, pseudonym="R9")
    for interview in themed["interviews"]:
        interviews.interview_delete(interview=interview)
    free = import_text(study, UNMARKED, name="R9.txt")
    assert free.respondent == other
    code_span(free, "About six years", [themed["codes"][0]], owner)
    page = client.get(url(study, "theme_detail", training.pk)).content.decode()
    assert _spread_section(page) == (
        "Where in the interviews Not shown: no transcript has its protocol questions marked "
        "(each interview's Question markers page)."
    )
    assert "Before the first question" not in page

    for question in list(study.questions.all()):
        interviews.question_delete(question=question)
    page = client.get(url(study, "theme_detail", training.pk)).content.decode()
    assert _spread_section(page) == (
        "Where in the interviews Not shown: the study has no protocol questions."
    )
    assert "(R9)" in page, "the excerpt is attributed by its pseudonym alone"
    # A theme none of whose excerpts there are says nothing of where they are.
    empty = themes.theme_create(study=study, name="Empty")
    assert _spread_section(client.get(url(study, "theme_detail", empty.pk)).content.decode()) == ""


def test_quotes_are_chosen_ordered_and_removed(study, themed, owner):
    training = themed["training"]
    second = themed["excerpts"][1]
    client = client_for(owner)
    client.post(url(study, "quote_toggle", training.pk, second.pk), headers=HTMX)
    assert (
        list(training.quotes.order_by("order").values_list("excerpt", flat=True))[-1] == second.pk
    )
    quote = training.quotes.get(excerpt=second)
    client.post(url(study, "quote_move", quote.pk), {"to": "up"}, headers=HTMX)
    client.post(url(study, "quote_move", quote.pk), {"to": "up"}, headers=HTMX)
    ordered = list(training.quotes.order_by("order").values_list("excerpt", flat=True))
    assert ordered[0] == second.pk
    client.post(url(study, "quote_toggle", training.pk, second.pk), headers=HTMX)
    assert not training.quotes.filter(excerpt=second).exists()


def test_a_withdrawn_respondent_cannot_be_quoted(study, themed, owner):
    training = themed["training"]
    secret = themed["excerpts"][2]
    Quote.objects.filter(excerpt=secret).delete()
    response = client_for(owner).post(
        url(study, "quote_toggle", training.pk, secret.pk), headers=HTMX
    )
    assert response.status_code == 400
    assert "withdrawn" in response.content.decode()


def test_review_shows_what_changed_since_it_started(study, themed, owner, reviewer):
    training = themed["training"]
    client_for(owner).post(url(study, "theme_status", training.pk), {"status": "in_review"})
    training.refresh_from_db()
    assert training.review_status == ReviewStatus.IN_REVIEW
    html = client_for(reviewer).get(url(study, "theme_detail", training.pk)).content.decode()
    assert "Nothing has changed since the committee was asked" in html
    interview = themed["interviews"][0]
    new = code_span(interview, "They come back", list(themed["codes"][:1]), owner)
    services.quote_add(theme=training, excerpt=new)
    training.description = "Where it came from, and where it goes."
    training.save()
    html = client_for(reviewer).get(url(study, "theme_detail", training.pk)).content.decode()
    assert "<strong>1</strong> new supporting excerpt" in html
    assert "<strong>1</strong> newly chosen quote" in html
    assert "It used to read: <q>Where it came from.</q>" in html


def test_review_shows_what_was_taken_away_and_starts_afresh(study, themed, owner, reviewer):
    training, first = themed["training"], themed["excerpts"][0]
    client = client_for(owner)
    client.post(url(study, "theme_status", training.pk), {"status": "in_review"})
    # Un-choose R1's quote, then take the code of R1's excerpt out of the theme.
    client.post(url(study, "quote_toggle", training.pk, first.pk), headers=HTMX)
    client.post(
        url(study, "theme_codes", training.pk),
        {"code": themed["codes"][0].pk, "detach": "1"},
        headers=HTMX,
    )

    html = client_for(reviewer).get(url(study, "theme_detail", training.pk)).content.decode()

    assert "<strong>1</strong> excerpt no longer under this theme" in html
    assert "<strong>1</strong> quote no longer chosen" in html
    assert "new supporting excerpt" not in html

    # Restarting the review is its own button ("Start the review afresh"), never Set again.
    client.post(url(study, "theme_status", training.pk), {"status": "in_review", "afresh": "1"})
    html = client_for(reviewer).get(url(study, "theme_detail", training.pk)).content.decode()
    assert "Nothing has changed since the committee was asked" in html


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_set_again_with_the_status_a_theme_has_keeps_the_review_and_says_so(
    study, themed, owner, reviewer, htmx
):
    """Set pressed again with "In review" (a second click, a stale tab) restarted the review:
    the committee read "Nothing has changed" where the description had changed."""
    training = themed["training"]
    client = client_for(owner)
    client.post(url(study, "theme_status", training.pk), {"status": "in_review"})
    training.refresh_from_db()
    started = training.review_started_at
    training.description = "Where it came from, and where it goes."
    training.save()

    response = client.post(
        url(study, "theme_status", training.pk),
        {"status": "in_review"},
        headers=HTMX if htmx else {},
        follow=not htmx,
    )

    training.refresh_from_db()
    assert training.review_started_at == started
    said = response.content.decode()
    assert "It is already in review since " in said
    assert "the committee still sees what changed since then." in said
    html = client_for(reviewer).get(url(study, "theme_detail", training.pk)).content.decode()
    assert "The description changed. It used to read: <q>Where it came from.</q>" in html
    assert "Nothing has changed since the committee was asked" not in html


def test_review_names_what_changed(study, themed, owner, reviewer, django_assert_num_queries):
    """The committee read "1 quote no longer chosen" and could not tell which: each quote
    chosen or not, each excerpt gone and each code added or taken off is named, the
    respondent, question and first words of an excerpt escaped."""
    training, at_work = themed["training"], themed["at_work"]
    first, second, _ = themed["excerpts"]
    learning, colleagues = themed["codes"]
    client = client_for(owner)
    client.post(url(study, "theme_status", training.pk), {"status": "in_review"})
    client.post(url(study, "quote_toggle", training.pk, first.pk), headers=HTMX)
    client.post(
        url(study, "theme_codes", training.pk),
        {"code": learning.pk, "detach": "1"},
        headers=HTMX,
    )
    services.theme_code_attach(theme=training, code=colleagues)
    services.theme_code_detach(theme=at_work, code=colleagues)
    r2 = second.interview.respondent
    interviews.respondent_update(
        respondent=r2, pseudonym="<b>R2</b>", attributes=r2.attributes, interviewed_on=None
    )
    services.quote_add(theme=training, excerpt=second)

    reader = client_for(reviewer)
    # session, user, the theme with its study and the reader's role, roll-up (revision, 8),
    # quotes, excerpts, codings, the quotes now (to compare with the review's), the changed
    # excerpts named, comments
    with django_assert_num_queries(18):
        html = reader.get(url(study, "theme_detail", training.pk)).content.decode()
    changes = html[html.index('id="changes-title"') : html.index("</section>")]
    assert "<strong>1</strong> code added: <bdi>Colleagues</bdi>" in changes
    assert "<strong>1</strong> code taken off: <bdi>Learning</bdi>" in changes
    removed = "<li><bdi>R1</bdi>, Q1: “<bdi>About six years</bdi>”</li>"
    assert changes.count(removed) == 2, "the quote and the excerpt no longer under the theme"
    quote = "“<bdi>the ones nobody else will see</bdi>”"
    assert f"<li><bdi>&lt;b&gt;R2&lt;/b&gt;</bdi>, Q2: {quote}</li>" in changes
    assert "<b>R2</b>" not in html


def test_review_names_a_withdrawn_respondents_excerpt_only_as_such(study, themed, owner, reviewer):
    training, first = themed["training"], themed["excerpts"][0]
    client_for(owner).post(url(study, "theme_status", training.pk), {"status": "in_review"})
    services.quote_remove(quote=Quote.objects.get(theme=training, excerpt=first))
    interviews.respondent_withdraw(respondent=first.interview.respondent)

    html = client_for(reviewer).get(url(study, "theme_detail", training.pk)).content.decode()

    changes = html[html.index('id="changes-title"') : html.index("</section>")]
    assert "<strong>1</strong> quote no longer chosen" in changes
    assert changes.count("<li>an excerpt of a withdrawn respondent</li>") == 2
    assert "About six years" not in changes
    assert "R1" not in changes


def test_only_an_owner_sets_the_review_status(study, themed, coder):
    training = themed["training"]
    response = client_for(coder).post(
        url(study, "theme_status", training.pk), {"status": "approved"}
    )
    assert response.status_code == 403
    training.refresh_from_db()
    assert training.review_status == ReviewStatus.DRAFT


def test_reviewers_comment_reply_and_resolve(study, themed, reviewer, owner):
    training = themed["training"]
    client = client_for(reviewer)
    response = client.post(url(study, "comment_add", training.pk), {"body": ""}, headers=HTMX)
    assert "the comment is empty" in response.content.decode()
    client.post(url(study, "comment_add", training.pk), {"body": "Why R1 only?"}, headers=HTMX)
    comment = Comment.objects.get()
    assert comment.author == reviewer
    client_for(owner).post(
        url(study, "comment_add", training.pk),
        {"body": "Good point", "parent": comment.pk},
        headers=HTMX,
    )
    reply = Comment.objects.exclude(pk=comment.pk).get()
    assert reply.parent == comment
    html = client.post(url(study, "comment_resolve", comment.pk), headers=HTMX).content.decode()
    assert "Resolved by rita" in html
    assert html.lstrip().startswith('<section id="comments"')
    comment.refresh_from_db()
    assert comment.resolved_by == reviewer


def test_an_excerpt_in_context(study, themed, reviewer):
    first = themed["excerpts"][0]
    html = client_for(reviewer).get(url(study, "excerpt_context", first.pk)).content.decode()
    assert '<mark class="context-mark">About six years</mark>' in html
    assert "Interviewer: How long" in html


def test_downloads_are_attachments(study, themed, reviewer):
    client = client_for(reviewer)
    response = client.get(url(study, "export_findings"))
    assert response["Content-Disposition"] == 'attachment; filename="harm-reduction-findings.docx"'
    assert response.content.startswith(b"PK")
    response = client.get(url(study, "export_excerpts_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_a_code_is_added_to_a_theme_by_its_name(study, themed, owner):
    training = themed["training"]
    colleagues = themed["codes"][1]
    client = client_for(owner)
    client.post(
        url(study, "theme_codes", training.pk), {"code_name": " colleagues "}, headers=HTMX
    )
    assert colleagues in training.codes.all()
    response = client.post(
        url(study, "theme_codes", training.pk), {"code_name": "Nothing"}, headers=HTMX
    )
    assert response.status_code == 400
    assert "There is no code called “<bdi>Nothing</bdi>”." in response.content.decode()


def test_a_code_is_detached_from_a_theme_and_keeps_its_excerpts(study, themed, owner, reviewer):
    training, learning = themed["training"], themed["codes"][0]
    detach = {"code": learning.pk, "detach": "1"}

    refused = client_for(reviewer).post(url(study, "theme_codes", training.pk), detach)
    assert refused.status_code == 403
    assert learning in training.codes.all()

    response = client_for(owner).post(url(study, "theme_codes", training.pk), detach, headers=HTMX)

    assert response.status_code == 200
    assert learning not in training.codes.all()
    assert Code.objects.filter(pk=learning.pk).exists()
    assert Excerpt.objects.filter(pk=themed["excerpts"][0].pk).exists()
    # Training keeps R2 through its sub-theme; R1 no longer raises it.
    html = response.content.decode()
    assert "(2 of 2)" not in html
    assert html.count("of the respondents (1 of 2)") == 2


def test_the_matrix_counts_excerpts_per_respondent(study, themed, owner):
    html = client_for(owner).get(url(study, "themes")).content.decode()
    table = html[html.index('<table class="grid matrix-table" aria-labelledby="matrix-title">') :]
    table = table[: table.index("</table>")]
    assert '<th scope="col" class="num">R1</th><th scope="col" class="num">R2</th>' in table
    # Each count is a link to its excerpts; the tags are left out here.
    text = re.sub(r"</?a[^>]*>", "", table)
    assert (
        '<th scope="row" class="depth-0">Training</th><td class="num hit">1</td>'
        '<td class="num hit">1</td><td class="num">2 of 2</td>'
    ) in text
    assert "R3" not in table, "a withdrawn respondent is not a column"


SUPPORT_ID = re.compile(r'id="support-(\d+)"')


def test_supporting_excerpts_come_a_page_at_a_time_in_reading_order(
    study, long_theme, owner, django_assert_num_queries
):
    theme, reading = long_theme
    client = client_for(owner)
    shown = []
    for page in (1, 2, 3):
        # session, user, the theme with its study and the user's role, roll-up (revision,
        # 8), quotes, the page's excerpts, their codings, comments
        with django_assert_num_queries(16):
            response = client.get(url(study, "theme_detail", theme.pk), {"page": page})
        html = response.content.decode()
        shown.append([int(pk) for pk in SUPPORT_ID.findall(html)])
        assert '<span class="count">8</span>' in html
    assert shown == [reading[:3], reading[3:6], reading[6:]]
    page_two = client.get(url(study, "theme_detail", theme.pk), {"page": 2}).content.decode()
    assert "Excerpts 4–6 of 8" in page_two
    assert 'rel="prev"' in page_two
    assert 'rel="next"' in page_two


def test_a_page_number_out_of_range_or_garbled_shows_a_page(study, long_theme, owner):
    theme, reading = long_theme
    client = client_for(owner)
    for page, expected in (("abc", reading[:3]), ("99", reading[6:]), ("-1", reading[6:])):
        response = client.get(url(study, "theme_detail", theme.pk), {"page": page})
        assert response.status_code == 200
        assert [int(pk) for pk in SUPPORT_ID.findall(response.content.decode())] == expected


def test_choosing_a_quote_on_a_later_page_stays_on_that_page(study, long_theme, owner):
    theme, reading = long_theme
    client = client_for(owner)
    chosen = Excerpt.objects.get(pk=reading[4])
    toggle = url(study, "quote_toggle", theme.pk, chosen.pk)
    html = client.post(toggle, {"page": "2"}, headers=HTMX).content.decode()
    assert [int(pk) for pk in SUPPORT_ID.findall(html)] == reading[3:6]
    # The quote is listed on every page, not only on the page its excerpt is on.
    first = client.get(url(study, "theme_detail", theme.pk)).content.decode()
    quotes = first.split('id="quotes"')[1].split('id="excerpts-title"')[0]
    assert chosen.text in quotes
    assert "No quotes chosen yet" not in quotes
    assert chosen.pk not in [int(pk) for pk in SUPPORT_ID.findall(first)]
    # Without htmx, the browser is sent back to the page it was on.
    response = client.post(toggle, {"page": "2"})
    assert response.status_code == 302
    assert response.url.endswith(f"{url(study, 'theme_detail', theme.pk)}?page=2")
    assert not theme.quotes.exists()


def test_the_themes_page_counts_a_codes_whole_branch(
    study, branched, owner, django_assert_num_queries
):
    client = client_for(owner)
    # session, user, study+role, roll-up (9, nothing cached: the study's revision,
    # counted interviews, codings, themes, theme-code links, codes, segments, counted
    # respondents, questions), the study's respondent and interview counts
    # (interviews.counts), parent choices of the new-theme form
    with django_assert_num_queries(14):
        html = client.get(url(study, "themes")).content.decode()
    section = html[html.index('id="theme-') : html.index('class="matrix"')]
    theme = branched["theme"]
    excerpts = (
        f'<a href="{url(study, "retrieve")}?theme={theme.pk}">3 excerpts'
        f'<span class="visually-hidden"> of “{theme.name}”</span></a>'
    )
    assert f"<strong>All</strong> of the respondents (2 of 2) · {excerpts}" in section
    assert "With their sub-codes: Colleagues, Supervisor, Family." in section
    r1, r2 = (respondent.pk for respondent in branched["respondents"])
    cell = '<td class="num hit"><a href="{}?theme={}&amp;respondent={}">{}</a></td>'
    assert (
        '<th scope="row" class="depth-0">Support at work</th>'
        + cell.format(url(study, "retrieve"), theme.pk, r1, 2)
        + cell.format(url(study, "retrieve"), theme.pk, r2, 1)
        + '<td class="num">2 of 2</td>'
    ) in html


def test_the_theme_page_shows_the_branch_and_its_excerpts(
    study, branched, owner, django_assert_num_queries
):
    theme = branched["theme"]
    client = client_for(owner)
    # session, user, the theme with its study and the user's role, roll-up (9, nothing
    # cached: the study's revision and 8), excerpts, codings, quotes, comments
    with django_assert_num_queries(16):
        html = client.get(url(study, "theme_detail", theme.pk)).content.decode()
    assert "Raised by <strong>all</strong> of the respondents (2 of 2)" in html
    for excerpt in branched["excerpts"]:
        assert f'id="support-{excerpt.pk}"' in html
    codes = html[html.index('id="codes-title"') :]
    codes = codes[: codes.index("</section>")]
    assert (
        codes.index("Support")
        < codes.index("Colleagues")
        < codes.index("Supervisor")
        < codes.index("Family")
    )
    assert "no longer carries any of the theme's codes" not in html, "the quote counts"


def test_attaching_a_code_with_no_excerpts_in_its_branch_warns(study, branched, owner):
    theme = branched["theme"]
    empty = coding.code_create(study=study, name="Unused")
    client = client_for(owner)
    response = client.post(
        url(study, "theme_codes", theme.pk), {"code_name": "unused"}, headers=HTMX
    )
    assert response.status_code == 200
    assert empty in theme.codes.all(), "a warning, not a refusal"
    assert "no excerpt carries it or any of its sub-codes yet" in response.content.decode()
    # Sent again (a plain post): it was gathered already, which is what the answer says.
    response = client.post(url(study, "theme_codes", theme.pk), {"code": empty.pk}, follow=True)
    assert "“<bdi>Unused</bdi>” was in" in response.content.decode()
    assert "already; nothing was changed." in response.content.decode()
    # A code whose excerpts sit only on its sub-codes brings them: no warning.
    response = client.post(
        url(study, "theme_codes", theme.pk), {"code": branched["codes"][0].pk}, headers=HTMX
    )
    assert "no excerpt carries it" not in response.content.decode()


def test_the_researcher_chooses_the_words_a_quote_prints(study, themed, owner, reviewer):
    training = themed["training"]
    second = themed["excerpts"][1]  # "the ones nobody else will see"
    quote = services.quote_add(theme=training, excerpt=second)
    client = client_for(owner)

    response = client.post(
        url(study, "quote_extract", quote.pk), {"extract": "the ones […] will see"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "“<bdi>the ones […] will see</bdi>”" in response.content.decode()
    quote.refresh_from_db()
    assert quote.extract == "the ones […] will see"

    refused = client.post(
        url(study, "quote_extract", quote.pk), {"extract": "words she never said"}, headers=HTMX
    )
    assert refused.status_code == 400
    assert "“<bdi>words she never said</bdi>” is not in the excerpt" in refused.content.decode()
    quote.refresh_from_db()
    assert quote.extract == "the ones […] will see", "a refused extract changes nothing"

    client.post(url(study, "quote_extract", quote.pk), {"extract": ""}, headers=HTMX)
    quote.refresh_from_db()
    assert quote.extract == "", "empty: the whole excerpt again"

    denied = client_for(reviewer).post(
        url(study, "quote_extract", quote.pk), {"extract": "the ones"}, headers=HTMX
    )
    assert denied.status_code == 403
    assert client.get(url(study, "quote_extract", quote.pk)).status_code == 405


def test_a_chosen_extract_the_excerpt_no_longer_holds_is_said_on_the_theme_page(
    study, themed, owner, reviewer
):
    """A transcript edited after a quote's words were chosen: the extract no longer fits,
    and the findings print the whole excerpt. The theme page said "· an extract of the
    excerpt" over the whole excerpt, with nothing else; now it says what is printed."""
    training = themed["training"]
    second = themed["excerpts"][1]  # "the ones nobody else will see"
    quote = services.quote_add(theme=training, excerpt=second)
    client = client_for(owner)
    client.post(url(study, "quote_extract", quote.pk), {"extract": "the ones […] will see"})
    page = reverse("theme_detail", args=[study.slug, training.pk])
    html = client.get(page).content.decode()
    assert "· an extract of the excerpt" in html
    assert "no longer in the excerpt" not in html
    interview = second.interview
    coding.transcript_edit(
        interview=interview,
        text=interview.text.replace("nobody else will see", "nobody else will look at"),
        version=interview.version,
    )
    second.refresh_from_db()
    assert second.text == "the ones nobody else will look at"
    html = client.get(page).content.decode()
    assert "“<bdi>the ones nobody else will look at</bdi>”" in html
    assert "· an extract of the excerpt" not in html
    lost = (
        "The words chosen to print are no longer in the excerpt (its transcript was edited "
        "since): the findings print the whole excerpt."
    )
    assert f"{lost} Choose the words again, or empty the box to keep the whole excerpt." in html
    # The committee is told what is printed, not asked to change it.
    html = client_for(reviewer).get(page).content.decode()
    assert f"{lost}</p>" in html


def test_quote_order_buttons_move_the_quote_they_show(study, themed, owner):
    training = themed["training"]
    second = themed["excerpts"][1]
    themes.quote_add(theme=training, excerpt=second)
    client = client_for(owner)
    page = client.get(reverse("theme_detail", args=[study.slug, training.pk])).content.decode()
    # The last quote's "up" button, as the page renders it.
    actions = re.findall(r'hx-post="([^"]*/quotes/\d+/move/)"', page)
    client.post(actions[-1], {"to": "up"}, headers=HTMX)
    order = list(training.quotes.order_by("order").values_list("excerpt_id", flat=True))
    withdrawn = themed["excerpts"][2].pk  # left out of the findings, keeps its place
    assert [pk for pk in order if pk != withdrawn] == [second.pk, themed["excerpts"][0].pk]


def test_a_second_theme_save_after_a_conflict_is_refused_too(study, themed, owner, coder):
    training = themed["training"]
    edit = reverse("theme_edit", args=[study.slug, training.pk])
    stale = training.revision
    client_for(coder).post(edit, {"name": "Theirs", "revision": stale}, headers=HTMX)
    for _ in range(2):
        client_for(owner).post(edit, {"name": "Mine", "revision": stale}, headers=HTMX)
    assert Theme.objects.get(pk=training.pk).name == "Theirs"


def test_only_owners_remove_themes(study, themed, coder):
    training = themed["training"]
    response = client_for(coder).post(reverse("theme_delete", args=[study.slug, training.pk]))
    assert response.status_code == 403
    assert Theme.objects.filter(pk=training.pk).exists()


def test_moves_and_statuses_that_say_nothing_sensible_are_refused_with_a_message(
    study, themed, owner
):
    training = themed["training"]
    quote = training.quotes.first()
    client = client_for(owner)
    before = list(study.themes.values_list("pk", "order", "review_status"))
    for name, pk, data, message in [
        ("theme_move", training.pk, {}, "Say which way to move it: up or down."),
        ("quote_move", quote.pk, {"to": "left"}, "Say which way to move it: up or down."),
        ("theme_status", training.pk, {"status": "done!"}, "Choose one of the review statuses."),
        ("theme_codes", training.pk, {"code": "x"}, "Select a valid choice."),
        (
            "theme_codes",
            training.pk,
            {"code_name": "Nothing"},
            "no code called “<bdi>Nothing</bdi>”",
        ),
    ]:
        response = client.post(url(study, name, pk), data, headers=HTMX)
        assert response.status_code == 400, name
        assert message in response.content.decode(), name
    assert list(study.themes.values_list("pk", "order", "review_status")) == before


def test_a_quote_choice_other_than_1_or_0_is_refused(study, themed, owner):
    training = themed["training"]
    second = themed["excerpts"][1]
    path = reverse("quote_toggle", args=[study.slug, training.pk, second.pk])
    response = client_for(owner).post(path, {"choose": "yes"}, headers=HTMX)
    assert response.status_code == 400
    assert "Say whether to choose the quote" in response.content.decode()
    assert not training.quotes.filter(excerpt=second).exists()


def _warm(client, path, capture):
    """Read a page once so that its roll-up is cached, as when the request's reads commit."""
    with capture(execute=True):
        assert client.get(path).status_code == 200


def test_the_themes_page_reads_the_cached_rollup(
    study, themed, owner, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client = client_for(owner)
    _warm(client, url(study, "themes"), django_capture_on_commit_callbacks)
    # session, user, study+role (its row holds the revision the themes' sections are kept
    # under: they come from the cache, the roll-up is not read), parent choices of the
    # new-theme form
    with django_assert_num_queries(4):
        html = client.get(url(study, "themes")).content.decode()
    assert "All of the respondents (2 of 2) · 2 excerpts" in re.sub(r"<[^>]+>", "", html)
    # The theme's row of the matrix: one excerpt from each respondent (each a link to them).
    cells = re.findall(r'<td class="num( hit)?">(.*?)</td>', html)
    row = [(hit, re.sub(r"<[^>]+>", "", text)) for hit, text in cells][:3]
    assert row == [(" hit", "1"), (" hit", "1"), ("", "2 of 2")]


def test_the_theme_page_reads_the_cached_rollup(
    study, themed, owner, django_assert_num_queries, django_capture_on_commit_callbacks
):
    training = themed["training"]
    client = client_for(owner)
    _warm(client, url(study, "theme_detail", training.pk), django_capture_on_commit_callbacks)
    # session, user, theme with its study and the user's role (its row holds the revision
    # the theme's body is kept under: it comes from the cache, the roll-up is not read),
    # quotes (the body is kept under them too), comments
    with django_assert_num_queries(5):
        html = client.get(url(study, "theme_detail", training.pk)).content.decode()
    assert "Raised by <strong>all</strong> of the respondents (2 of 2)" in html
    assert "(R1, Q1)" in html


def test_a_comment_redraws_the_comments_alone(study, themed, reviewer, django_assert_num_queries):
    training = themed["training"]
    client = client_for(reviewer)
    # session, user, theme with its study and the user's role; the comment's transaction
    # (coding.views.undo.undoable: a savepoint in tests, BEGIN on a server): the new
    # comment, its history record (for a restore of the theme), no undo entry (a reviewer
    # has no undo), its release (COMMIT on a server: not a query); the threads with their
    # authors; no roll-up (no parent: none looked up)
    with django_assert_num_queries(8):
        response = client.post(
            url(study, "comment_add", training.pk), {"body": "Why R1 only?"}, headers=HTMX
        )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="comments"')
    assert "Why R1 only?" in html
    assert "prevalence" not in html


def test_a_status_and_a_quote_move_redraw_from_the_cached_rollup(
    study, themed, owner, django_assert_num_queries, django_capture_on_commit_callbacks
):
    training = themed["training"]
    client = client_for(owner)
    _warm(client, url(study, "theme_detail", training.pk), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(study, "theme_status", training.pk), {"status": "in_review"}, headers=HTMX
        )
    assert "Nothing has changed since the committee" in response.content.decode()
    # The page after the status came from the cache the answer above filled; the roll-up
    # is read (and cached) by the next page that draws anything from it.
    with django_capture_on_commit_callbacks(execute=True):
        study_rollup(study)
    quote = training.quotes.order_by("order").first()
    # session, user, quote with its theme, study and the user's role, the study's revision
    # (the roll-up comes from the cache); the move: savepoint, the theme's lock (PostgreSQL
    # only), its quotes, release (nothing to move: the next quote is a withdrawn
    # respondent's); the page: quotes, the study's revision after the move (the body's
    # key: the same quotes, so it comes from the cache the status's answer filled),
    # comments
    expected = 11 if connection.vendor == "postgresql" else 10
    with django_assert_num_queries(expected):
        response = client.post(url(study, "quote_move", quote.pk), {"to": "down"}, headers=HTMX)
    assert response.status_code == 200


def test_the_themes_forms_without_javascript_go_back_saying_what_was_done(study, owner):
    client = client_for(owner)
    page = reverse("themes", args=[study.slug])
    response = client.post(page, {"name": "Training"}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert "Added the theme “<bdi>Training</bdi>”." in response.content.decode()
    second = themes.theme_create(study=study, name="Stress")
    move = reverse("theme_move", args=[study.slug, second.pk])
    response = client.post(move, {"to": "up"}, follow=True)
    assert "Moved “<bdi>Stress</bdi>” up." in response.content.decode()
    assert list(Theme.objects.values_list("name", flat=True)) == ["Stress", "Training"]
    delete = reverse("theme_delete", args=[study.slug, second.pk])
    response = client.post(delete, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert "Removed the theme “<bdi>Stress</bdi>”" in response.content.decode()


def test_taking_out_a_code_the_theme_no_longer_gathers_says_so(study, themed, owner):
    """A second tab, or a stale page: the code was taken out since. The answer says nothing
    was taken out, offers nothing to undo, and shows the page as it now stands."""
    training, learning = themed["training"], themed["codes"][0]
    services.theme_code_detach(theme=training, code=learning)
    entries = UndoEntry.objects.count()
    client = client_for(owner)
    detach = {"code": learning.pk, "detach": "1"}

    response = client.post(url(study, "theme_codes", training.pk), detach, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "“<bdi>Learning</bdi>” was not in “<bdi>Training</bdi>”; nothing was changed." in html
    assert "Took" not in html
    assert "data-undo" not in html
    assert UndoEntry.objects.count() == entries
    assert not training.codes.exists()
    plain = client.post(url(study, "theme_codes", training.pk), detach, follow=True)
    assert "was not in “<bdi>Training</bdi>”; nothing was changed." in plain.content.decode()


def test_gathering_a_code_the_theme_gathers_already_says_so(study, themed, owner):
    """A second tab, or a stale page: the code was gathered since. The answer says nothing
    was added (it said "Added …, but no excerpt carries it" for a code without excerpts)."""
    training = themed["training"]
    spare = coding.code_create(study=study, name="Spare")
    services.theme_code_attach(theme=training, code=spare)
    client = client_for(owner)
    attach = {"code": spare.pk}

    response = client.post(url(study, "theme_codes", training.pk), attach, headers=HTMX)

    html = response.content.decode()
    assert "“<bdi>Spare</bdi>” was in “<bdi>Training</bdi>” already; nothing was changed." in html
    assert "Added" not in html
    plain = client.post(url(study, "theme_codes", training.pk), attach, follow=True)
    assert "already; nothing was changed." in plain.content.decode()


def test_removing_a_quote_that_is_not_chosen_says_so(study, themed, owner):
    training, first = themed["training"], themed["excerpts"][0]
    Quote.objects.filter(theme=training, excerpt=first).delete()
    quotes = list(Quote.objects.values_list("id", "order"))
    client = client_for(owner)
    toggle = url(study, "quote_toggle", training.pk, first.pk)

    response = client.post(toggle, {"choose": "0"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "That excerpt was not a quote of “<bdi>Training</bdi>”; nothing was changed." in html
    assert "Removed the quote" not in html
    assert "data-undo" not in html
    assert 'id="theme-body"' in html, "the theme's page is redrawn as it now stands"
    assert list(Quote.objects.values_list("id", "order")) == quotes
    plain = client.post(toggle, {"choose": "0"}, follow=True)
    assert "was not a quote of “<bdi>Training</bdi>”" in plain.content.decode()


def test_resolving_a_resolved_comment_says_so_and_keeps_who_resolved_it(
    study, themed, owner, reviewer
):
    comment = services.comment_add(theme=themed["training"], author=reviewer, body="Why R1?")
    services.comment_resolve(comment=comment, user=reviewer)
    comment.refresh_from_db()
    resolved = (comment.resolved_at, comment.resolved_by_id)
    client = client_for(owner)

    response = client.post(url(study, "comment_resolve", comment.pk), headers=HTMX)

    html = response.content.decode()
    assert "That comment was resolved already; nothing was changed." in html
    assert "Resolved by rita" in html
    comment.refresh_from_db()
    assert (comment.resolved_at, comment.resolved_by_id) == resolved

    reopened = client.post(url(study, "comment_resolve", comment.pk), {"reopen": "1"})
    assert reopened.status_code == 302
    comment.refresh_from_db()
    assert comment.resolved_at is None
    again = client.post(url(study, "comment_resolve", comment.pk), {"reopen": "1"}, follow=True)
    assert "That comment is open already; nothing was changed." in again.content.decode()
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_an_edit_of_a_theme_deleted_meanwhile_shows_what_was_typed(study, themed, owner):
    training = themed["training"]
    edit = url(study, "theme_edit", training.pk)
    services.theme_delete(theme=training)
    response = client_for(owner).post(edit, {"name": "Training", "description": "Peers <3"})
    assert response.status_code == 404
    assert ">Peers &lt;3</textarea>" in response.content.decode()


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_refused_reply_keeps_its_text_and_stays_a_reply(study, themed, reviewer, headers):
    training = themed["training"]
    client = client_for(reviewer)
    client.post(url(study, "comment_add", training.pk), {"body": "Why R1 only?"}, headers=HTMX)
    comment = Comment.objects.get()
    typed = "Because <b>R1</b> " + "said so " * 3_000
    response = client.post(
        url(study, "comment_add", training.pk),
        {"body": typed, "parent": comment.pk},
        headers=headers,
    )
    html = response.content.decode()
    form = html[html.index('class="stack new-comment"') :]
    form = form[: form.index("</form>")]
    assert "A comment holds at most" in form
    assert f'<input type="hidden" name="parent" value="{comment.pk}">' in form
    assert "Your reply" in form
    assert escape(typed) in form
    assert Comment.objects.count() == 1


def test_a_plain_reply_to_a_comment_gone_shows_what_was_typed(study, themed, reviewer):
    training = themed["training"]
    response = client_for(reviewer).post(
        url(study, "comment_add", training.pk), {"body": "I agree <3", "parent": 999}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "the reply was not posted" in html
    assert ">I agree &lt;3</textarea>" in html


def test_a_refused_theme_code_says_the_true_reason(study, themed, owner, reviewer, stranger):
    """A user who is not a member of the study was told the theme "no longer exists"
    (it does): refused as every view refuses a stranger. A reviewer: reviewers read."""
    training, colleagues = themed["training"], themed["codes"][1]
    target = url(study, "theme_codes", training.pk)
    for headers in ({}, HTMX):
        response = client_for(stranger).post(target, {"code": colleagues.pk}, headers=headers)
        assert response.status_code == 404
        html = response.content.decode()
        assert "No such study, or you are not a member of it." in html
        assert "no longer exists" not in html
        response = client_for(reviewer).post(target, {"code": colleagues.pk}, headers=headers)
        assert response.status_code == 403
        assert "You can read this study but not change it: your role is reviewer." in (
            response.content.decode()
        )
    # A theme truly gone is said to be, to a member who may write.
    gone = url(study, "theme_codes", training.pk + 1000)
    response = client_for(owner).post(gone, {"code": colleagues.pk}, headers=HTMX)
    assert response.status_code == 404
    assert "That theme no longer exists. Reload the page." in response.content.decode()
    assert colleagues not in training.codes.all()


def test_adding_a_code_to_a_theme_says_so_and_offers_undo_with_or_without_javascript(
    study, themed, owner
):
    """Without JavaScript, adding a code to a theme said nothing and offered no Undo (nor
    did htmx's answer offer one): both now say it was added, with an Undo that takes it out."""
    from tests.coding.test_views_undo import UNDO_FORM

    training = themed["training"]
    spare = coding.code_create(study=study, name="Spare")
    client = client_for(owner)
    themes_page = url(study, "themes")
    response = client.post(url(study, "theme_codes", training.pk), {"code": spare.pk}, follow=True)
    assert response.redirect_chain == [(themes_page, 302)]
    assert spare in training.codes.all()
    html = response.content.decode()
    # A code with no excerpt yet: the message says so too.
    assert "Added “<bdi>Spare</bdi>” to “<bdi>Training</bdi>”, but no excerpt carries" in html
    (_, action, back) = UNDO_FORM.search(html).groups()
    assert (action, back) == (url(study, "undo_entry", UndoEntry.objects.get().pk), themes_page)
    response = client.post(action, {"next": back}, follow=True)
    assert response.redirect_chain == [(themes_page, 302)]
    assert "Undone: Added “<bdi>Spare</bdi>” to “<bdi>Training</bdi>”." in (
        response.content.decode()
    )
    assert spare not in training.codes.all()

    html = client.post(
        url(study, "theme_codes", training.pk), {"code": spare.pk}, headers=HTMX
    ).content.decode()
    entry = UndoEntry.objects.latest("pk")
    assert "Added “<bdi>Spare</bdi>” to “<bdi>Training</bdi>”." in html
    assert f'hx-post="{url(study, "undo_entry", entry.pk)}"' in html


def test_a_plain_form_moving_the_first_theme_up_says_it_did_not_move(study, owner):
    """Without JavaScript the page after a move is all the researcher is told: a theme
    already first, moved up, did not move, and the page must not say it did."""
    client = client_for(owner)
    first = themes.theme_create(study=study, name="Training")
    themes.theme_create(study=study, name="Stress")
    move = reverse("theme_move", args=[study.slug, first.pk])
    response = client.post(move, {"to": "up"}, follow=True)
    page = response.content.decode()
    assert "Moved “<bdi>Training</bdi>” up" not in page
    assert "“<bdi>Training</bdi>” did not move" in page
    assert list(Theme.objects.values_list("name", flat=True)) == ["Training", "Stress"]

"""The coding page's side list of excerpts, one page at a time (issue 8, item 3)."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse

from coding.sidelist import EXCERPTS_PER_PAGE
from tests.conftest import HTMX, client_for

from .heavy import coded_transcript

ENTRY = re.compile(r'<li id="ex-(\d+)" data-x="\d+" data-start="(\d+)" data-end="(\d+)"')


def entries(html: str) -> list[tuple[int, int, int]]:
    """(start, end, id) of every entry of the side list, in the page's order."""
    return [(int(s), int(e), int(x)) for x, s, e in ENTRY.findall(html)]


def side_list(html: str) -> str:
    start = html.index('id="excerpt-side"')
    return html[start : html.index("</section>", start)]


def test_the_side_list_shows_one_page_of_the_excerpts_in_text_order(study, owner):
    interview = coded_transcript(study, owner, excerpts=230, turns=60, words_per_turn=40)
    url = reverse("interview_code", args=[study.slug, interview.pk])
    client = client_for(owner)

    pages = [client.get(url, {"page": n}).content.decode() for n in (1, 2, 3)]

    shown = [entries(html) for html in pages]
    assert [len(page) for page in shown] == [EXCERPTS_PER_PAGE, EXCERPTS_PER_PAGE, 30]
    every = shown[0] + shown[1] + shown[2]
    assert every == sorted(every)
    assert len(set(every)) == 230
    # Every excerpt stays highlighted in the text, whichever page the list shows.
    assert all(html.count("<mark ") >= 230 for html in pages)
    assert '<span id="excerpt-count" class="count">230</span>' in pages[1]
    # The bounds of the middle page, for the script that keeps the list after edits.
    last_of_first, first_of_third = shown[0][-1], shown[2][0]
    middle = side_list(pages[1])
    assert f'data-after="{",".join(map(str, last_of_first))}"' in middle
    assert f'data-before="{",".join(map(str, first_of_third))}"' in middle
    assert 'data-elsewhere="130"' in middle
    assert "Page 2 of 3" in middle


def test_a_page_out_of_range_shows_the_nearest(study, owner):
    interview = coded_transcript(study, owner, excerpts=120, turns=40, words_per_turn=40)
    url = reverse("interview_code", args=[study.slug, interview.pk])
    client = client_for(owner)

    assert len(entries(client.get(url, {"page": "9"}).content.decode())) == 20
    assert len(entries(client.get(url, {"page": "x"}).content.decode())) == EXCERPTS_PER_PAGE


def test_paging_with_htmx_answers_the_side_list_alone(study, owner, django_assert_num_queries):
    interview = coded_transcript(study, owner, excerpts=120, turns=40, words_per_turn=40)
    url = reverse("interview_code", args=[study.slug, interview.pk])
    client = client_for(owner)
    client.get(url)

    # session, user, the interview with its study and the user's role, codes, excerpts
    # with their codes
    with django_assert_num_queries(5):
        response = client.get(url, {"page": 2}, headers=HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="excerpt-side"')
    assert "<html" not in html
    assert 'id="transcript"' not in html
    assert len(entries(html)) == 20
    assert "HX-Request" in response["Vary"]


def test_back_after_paging_gets_the_whole_page(study, owner):
    interview = coded_transcript(study, owner, excerpts=120, turns=40, words_per_turn=40)
    url = reverse("interview_code", args=[study.slug, interview.pk])

    response = client_for(owner).get(
        url, {"page": 2}, headers={**HTMX, "HX-History-Restore-Request": "true"}
    )

    html = response.content.decode()
    assert "<html" in html
    assert 'id="transcript"' in html
    assert len(entries(html)) == 20


def test_a_transcript_at_the_limits_gives_a_page_of_bounded_weight(study, owner):
    turns = settings.EXCERPTA_MAX_TRANSCRIPT_TURNS
    words_per_turn = settings.EXCERPTA_MAX_TRANSCRIPT_WORDS // turns - 1
    interview = coded_transcript(
        study, owner, excerpts=3000, turns=turns, words_per_turn=words_per_turn
    )

    html = client_for(owner).get(reverse("interview_code", args=[study.slug, interview.pk]))
    html = html.content.decode()

    transcript = html[html.index('<article id="transcript"') : html.index("</article>")]
    around = len(html.encode()) - len(transcript.encode())
    print(f"\nAt the limits: {len(html.encode())} bytes, {around} outside the transcript")
    assert len(entries(html)) == EXCERPTS_PER_PAGE
    # What the page adds to the transcript's own markup (the side list, the picker, the
    # chrome) no longer grows with the number of excerpts: 3,000 entries were 1 MB.
    assert around < 150_000

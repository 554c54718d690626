"""What the app calls an interview without a title (Interview.display_name): what the
researcher knows of it, never its database id, on every page that names it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from interviews import memos
from interviews import services as interviews
from interviews.models import Interview, InterviewMemo, interviews_named

from ..conftest import TRANSCRIPT, client_for, import_text

IMPORTED = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)


def test_an_untitled_interview_is_named_by_its_date_else_its_import_day(study, settings):
    interview = import_text(study)
    Interview.objects.filter(pk=interview.pk).update(imported_at=IMPORTED)
    interview.refresh_from_db()
    assert interview.display_name == "Interview imported 30 Nov 2026"
    # The day of the import where the study is: 23:30 UTC is the next morning in Auckland.
    settings.TIME_ZONE = "Pacific/Auckland"
    assert interview.display_name == "Interview imported 1 Dec 2026"
    interview.conducted_on = datetime.date(2025, 3, 3)
    assert interview.display_name == "Interview of 3 Mar 2025"
    interview.title = "Follow-up"
    assert interview.display_name == "Follow-up"


@pytest.fixture
def first(study, other_study):
    """A new study's first and only interview, undated and untitled, whose id is not 1:
    other studies' interviews came before it."""
    for name in ("R1-a.txt", "R2-b.txt"):
        import_text(other_study, name=name)
    interview = import_text(study)
    Interview.objects.filter(pk=interview.pk).update(imported_at=IMPORTED)
    assert interview.pk > 1
    assert not interview.title
    assert interview.conducted_on is None
    return interview


def named_by_id(html: str, interview: Interview) -> bool:
    return bool(re.search(rf"Interview {interview.pk}(?!\d)", html))


NAME = "Interview imported 30 Nov 2026"


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("study_detail", ""),
        ("interview_code", ""),
        ("interview_edit", ""),
        ("interview_questions", ""),
        ("transcript_text", ""),
        ("transcript_search", "?q=shelter"),
        ("autocode", "?q=shelter"),
        ("deidentify_preview", ""),
    ],
)
def test_a_new_studys_first_interview_is_not_named_by_its_id(study, owner, first, page, query):
    interviews.identifier_add(study=study, text="shelter", replacement="[place]")
    args = [study.slug, first.pk] if "interview" in page or page == "transcript_text" else []
    url = reverse(page, args=args or [study.slug]) + query
    response = client_for(owner).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert NAME in html
    assert not named_by_id(html, first)


def test_the_deleted_message_names_the_interview_as_the_pages_did(study, owner, first):
    url = reverse("interview_delete", args=[study.slug, first.pk])
    response = client_for(owner).post(url, {"confirm": "R1"}, follow=True)
    html = response.content.decode()
    assert f"The interview “<bdi>{NAME}</bdi>” was deleted." in html
    assert not named_by_id(html, first)


@pytest.fixture
def same_day(study):
    """R1's two untitled, undated interviews imported on 30 Nov 2026 (the second a minute
    later, listed first when ids run the other way), and R2's one, that day too."""
    second = import_text(study, name="R1-b.txt", text=TRANSCRIPT.replace("six", "seven"))
    first = import_text(study, name="R1-a.txt")
    other = import_text(study, name="R2.txt", text=TRANSCRIPT.replace("R1:", "R2:"))
    for interview, minute in ((first, 0), (second, 1), (other, 2)):
        moment = IMPORTED + datetime.timedelta(minutes=minute)
        Interview.objects.filter(pk=interview.pk).update(imported_at=moment)
    return first, second, other


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("study_detail", ""),
        ("transcript_search", "?q=shelter"),
        ("autocode", "?q=shelter"),
        ("deidentify_preview", ""),
    ],
)
def test_same_day_untitled_interviews_are_told_apart_in_every_list(
    study, owner, same_day, page, query
):
    interviews.identifier_add(study=study, text="shelter", replacement="[place]")
    html = client_for(owner).get(reverse(page, args=[study.slug]) + query).content.decode()
    # R1's first and R2's (the first of their own that day) unnumbered, R1's second (2).
    assert f"{NAME} (2)" in html
    assert re.search(rf"{NAME}(?! \()", html)
    assert f"{NAME} (3)" not in html


def test_a_memo_on_an_untitled_interview_is_labelled_by_the_interviews_name(
    study, owner, same_day
):
    first, second, _ = same_day
    for interview in (first, second):
        memos.memo_create(model=InterviewMemo, author=owner, body="Hm.", interview=interview)
    html = client_for(owner).get(reverse("memos", args=[study.slug])).content.decode()
    # The link's visible words, then the hidden ones naming the memo (for screen readers).
    hidden = '<span class="visually-hidden">, where the interview memo “Hm.” belongs</span></a>'
    assert f"R1 · {NAME} (2){hidden}" in html
    assert f"R1 · {NAME}{hidden}" in html


@pytest.mark.parametrize(
    "page", ["interview_code", "interview_edit", "interview_questions", "transcript_text"]
)
def test_same_day_untitled_interviews_are_told_apart_on_their_own_pages(
    study, owner, same_day, page
):
    first, second, _ = same_day
    client = client_for(owner)

    def title(interview: Interview) -> str:
        html = client.get(reverse(page, args=[study.slug, interview.pk])).content.decode()
        return re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1)

    # As in the lists: R1's second that day is (2), the first keeps its name.
    assert f"{NAME} (2)" in title(second)
    assert NAME in title(first)
    assert f"{NAME} (" not in title(first)


def test_the_coding_page_names_the_interview_and_its_neighbours_as_the_lists_do(
    study, owner, same_day
):
    first, second, _ = same_day
    client = client_for(owner)
    html = client.get(reverse("interview_code", args=[study.slug, second.pk])).content.decode()
    assert f'<h1>R1 <span class="subtitle">{NAME} (2)</span></h1>' in html
    html = client.get(reverse("interview_code", args=[study.slug, first.pk])).content.decode()
    assert f'<h1>R1 <span class="subtitle">{NAME}</span></h1>' in html
    # The links to the previous and next transcripts: R1's other interview by its name, R2's
    # (its only one) by the pseudonym alone.
    assert f'rel="prev">← R1 · {NAME} (2)</a>' in html
    assert 'rel="next">R2 →</a>' in html


def test_the_coding_page_reads_interview_names_only_for_a_respondent_with_several(
    study, owner, same_day, django_assert_num_queries
):
    """The previous and next links need the names of R1's interviews (it has two), read in
    a query of their own: counting each row's same-day rank (interviews_named) for every
    interview of the study made the benchmark's coding page 13 ms slower (200 interviews,
    one each), where the links name pseudonyms only."""
    _, second, other = same_day
    client = client_for(owner)
    # session, user, the interview with its study and the user's role, respondent, codes,
    # excerpts with their codes, question markers, the study's interviews in list order,
    # and the names of R1's interviews
    with django_assert_num_queries(9) as queries:
        assert (
            client.get(reverse("interview_code", args=[study.slug, other.pk])).status_code == 200
        )
    in_list_order = 'ORDER BY "interviews_respondent"."pseudonym_order"'
    [listed] = [q["sql"] for q in queries.captured_queries if in_list_order in q["sql"]]
    assert listed.count("SELECT") == 1, "the study's interviews, without a subquery per row"
    second.delete()
    # One interview each: no names read.
    with django_assert_num_queries(8):
        assert (
            client.get(reverse("interview_code", args=[study.slug, other.pk])).status_code == 200
        )


# Per list page: its query string, then its queries with untitled, undated interviews on
# it and with dated ones only. The names take one query at most (interviews_named: the
# import times of the shown respondents' untitled, undated interviews), none on the
# study's page (its list holds all their interviews) nor when every interview is dated.
LISTS = [
    # session, user, study+role, the interviews with their respondents and counts, the
    # study's counts, questions, codes
    ("study_detail", "", 7, 7),
    # session, user, study+role, ids of the matching interviews, the page's interviews,
    # (the names,) their question segments
    ("transcript_search", "?q=shelter", 7, 6),
    # session, user, study+role, the matching interviews, (the names,) the live excerpts
    # on them, the codes for the menu
    ("autocode", "?q=shelter", 7, 6),
    # session, user, study+role, the list, the skips, the transcripts, their names, (the
    # names' import times,) the typed fields (themes.identifying.study_typed_places)
    ("deidentify_preview", "", 9, 8),
    # session, user, study+role, the members, the count of the memos, the page of them,
    # their whole rows, their interviews, (the names' import times)
    ("memos", "", 9, 8),
]


@pytest.mark.parametrize(("page", "query", "untitled", "dated"), LISTS)
def test_each_list_names_same_day_interviews_in_one_query_at_most(
    study, owner, same_day, page, query, untitled, dated, django_assert_num_queries
):
    """The "(2)" of a respondent's second untitled, undated interview of a day was counted
    by a subquery for every row of these lists (the study's page of 200 interviews took
    1.5 to 7 s on SQLite); it is counted in Python from one query at most."""
    first, second, other = same_day
    interviews.identifier_add(study=study, text="shelter", replacement="[place]")
    for interview in same_day:
        memos.memo_create(model=InterviewMemo, author=owner, body="Hm.", interview=interview)
    client = client_for(owner)
    url = reverse(page, args=[study.slug]) + query

    def html_in(queries: int) -> str:
        with django_assert_num_queries(queries) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counted_per_row = [q["sql"] for q in captured if "same_day_before" in q["sql"]]
        assert not counted_per_row, "no subquery per row for the names"
        return response.content.decode()

    html = html_in(untitled)
    assert f"{NAME} (2)" in html
    assert f"{NAME} (3)" not in html
    # R1's second interview gone: its first is the only one of the day, unnumbered.
    second.delete()
    html = html_in(untitled)
    assert NAME in html
    assert f"{NAME} (" not in html
    # Dated: no count needed, no query for it.
    Interview.objects.filter(pk__in=[first.pk, other.pk]).update(
        conducted_on=datetime.date(2025, 3, 3)
    )
    html = html_in(dated)
    assert "Interview of 3 Mar 2025" in html
    assert "Interview imported" not in html


def test_an_interview_is_numbered_among_all_its_respondents_interviews_of_the_day(
    same_day, django_assert_num_queries
):
    first, second, other = same_day
    # Given alone, R1's second is still (2): counted from all R1's untitled, undated
    # interviews, not from those given (the row, then their import times).
    with django_assert_num_queries(2):
        [named] = interviews_named(Interview.objects.filter(pk=second.pk))
    assert named.display_name == f"{NAME} (2)"
    # Given all of them, no query: the count is made from those given.
    rows = list(Interview.objects.filter(pk__in=[first.pk, second.pk, other.pk]))
    with django_assert_num_queries(0):
        names = {i.pk: i.display_name for i in interviews_named(rows, all_of_theirs=True)}
    assert names == {first.pk: NAME, second.pk: f"{NAME} (2)", other.pk: NAME}
    # A titled or dated interview counts nowhere, and needs no query.
    Interview.objects.filter(pk=first.pk).update(title="Intake")
    with django_assert_num_queries(2):
        [named] = interviews_named(Interview.objects.filter(pk=second.pk))
    assert named.display_name == NAME
    Interview.objects.filter(pk=second.pk).update(conducted_on=datetime.date(2025, 3, 3))
    with django_assert_num_queries(1):  # the rows themselves
        assert interviews_named(Interview.objects.filter(pk=second.pk))[0].same_day_before == 0

"""The retrieval page: one table of filters with their answers worked out by hand, run on
SQLite and on PostgreSQL alike (the suite runs on both), plus access, paging and files."""

from __future__ import annotations

import csv as csvlib
import io
import re
from datetime import datetime, time, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from coding.models import Coding
from interviews import services as interviews
from tests.conftest import HTMX, client_for, import_text, make_user
from themes.views import retrieval as retrieval_views

from .retrieval_corpus import build_corpus, coded


@pytest.fixture
def corpus(study, owner, coder):
    return build_corpus(study, owner, coder)


def url(study, name="retrieve"):
    return reverse(name, args=[study.slug])


def shown(response) -> list[int]:
    return [int(n) for n in re.findall(r'id="result-(\d+)"', response.content.decode())]


# (query, the excerpts it selects in reading order). Names are resolved by `_resolve`:
# code:support, theme:training, respondent:R2, question:2, coder:coder, "day:today" and
# "day:earlier" (coded_today's), and "day:coded",
# the day the last of the corpus's codes was applied: read then, not when the module is
# collected, which a run crossing midnight put on the day before (CI, 1 Dec 2026).
FILTERS = [
    ({}, [1, 2, 3, 5, 4, 7, 8]),
    ({"code": ["code:support"]}, [1, 3, 5, 7]),
    ({"code": ["code:colleagues"]}, [1, 5]),
    ({"code": ["code:colleagues", "code:stress"]}, [1, 2, 3, 5, 4, 8]),
    ({"code": ["code:support", "code:stress"], "match": "all"}, [3]),
    ({"code": ["code:colleagues", "code:stress"], "match": "all"}, []),
    ({"code": ["code:colleagues", "code:stress"], "match": "together"}, [1, 2]),
    ({"code": ["code:support", "code:stress"], "match": "together"}, [1, 2, 3]),
    ({"code": ["code:stress"], "match": "together"}, [2, 3, 4, 8]),
    ({"theme": ["theme:training"]}, [1, 3, 5, 7]),
    ({"respondent": ["respondent:R2"]}, [5, 4]),
    ({"respondent": ["respondent:R3"]}, None),  # withdrawn: not a choice
    ({"attribute": "Years of experience", "at_least": "3"}, [5, 4, 7, 8]),
    ({"attribute": "Years of experience", "at_most": "2"}, [1, 2, 3]),
    ({"attribute": "Years of experience", "value": "9"}, [5, 4]),
    ({"attribute": "Agency", "value": "north"}, [1, 2, 3, 7, 8]),
    ({"attribute": "Agency", "at_least": "3"}, None),  # a range of a text attribute
    ({"at_least": "3"}, None),  # a range of no attribute
    # Two attribute conditions hold together: R10 alone has 3 years or more at North.
    (
        {
            "attribute": "Years of experience",
            "at_least": "3",
            "attribute_2": "Agency",
            "value_2": "NORTH",
        },
        [7, 8],
    ),
    (
        {"attribute": "Agency", "value": "north", "attribute_2": "Years of experience"},
        [1, 2, 3, 7, 8],
    ),
    ({"attribute_2": "Years of experience", "at_most_2": "2"}, [1, 2, 3]),
    ({"attribute_2": "Agency", "at_least_2": "3"}, None),  # a range of text, second
    ({"value_2": "north"}, None),  # a value of no attribute, second
    ({"attribute_3": "Agency"}, None),  # two attributes recorded: no third condition
    ({"attribute_1": "Agency"}, None),  # the first condition has no number
    ({"question": ["question:2"]}, [3, 4, 7, 8]),
    ({"question": ["question:1"]}, [1, 2, 5]),
    ({"coder": ["coder:coder"]}, [3]),
    ({"memo": "with"}, [1, 5]),
    ({"memo": "without"}, [2, 3, 4, 7, 8]),
    ({"words": "CAFÉ"}, [3, 7]),
    ({"words": '"six years"'}, [1, 2]),
    ({"words": "six judge"}, []),
    ({"coded_to": "day:coded"}, [1, 2, 3, 5, 4, 7, 8]),
    ({"coded_from": "2999-01-01"}, []),
    ({"coded_from": "day:coded", "coded_to": "2000-01-01"}, None),
    (
        {
            "code": ["code:support", "code:stress"],
            "attribute": "Years of experience",
            "at_least": "3",
            "question": ["question:2"],
        },
        [4, 7, 8],
    ),
    ({"code": ["999999"]}, None),  # deleted since the link was made
]


def _resolve(corpus, users, query: dict) -> dict:
    def one(value: str) -> str:
        kind, _, name = value.partition(":")
        if not name:
            return value
        if kind == "day" and name in corpus.get("days", {}):
            return corpus["days"][name].isoformat()  # coded_today's
        if kind == "day":
            ids = [excerpt.pk for excerpt in corpus["excerpts"].values()]
            applied = Coding.objects.filter(excerpt_id__in=ids).values_list("created_at")
            return timezone.localdate(max(applied)[0]).isoformat()
        found = {
            "code": lambda: corpus["codes"][name],
            "theme": lambda: corpus["theme"],
            "respondent": lambda: corpus["respondents"][name],
            "question": lambda: corpus["questions"][int(name)],
            "coder": lambda: users[name],
        }[kind]()
        return str(found.pk)

    return {
        key: [one(v) for v in value] if isinstance(value, list) else one(value)
        for key, value in query.items()
    }


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_each_filter_selects_its_excerpts(study, corpus, owner, coder, query, expected):
    response = client_for(owner).get(url(study), _resolve(corpus, {"coder": coder}, query))
    assert response.status_code == 200
    if expected is None:
        assert "The filter needs correcting" in response.content.decode()
        assert shown(response) == []
        return
    excerpts = corpus["excerpts"]
    assert shown(response) == [excerpts[n].pk for n in expected]
    respondents = {excerpts[n].interview.respondent_id for n in expected}
    html = response.content.decode()
    assert f'<span data-count="excerpts">{len(expected)}</span>' in html
    assert f'<span data-count="respondents">{len(respondents)}</span>' in html


def test_attribute_conditions_keep_their_values_and_say_what_is_wrong(study, corpus, owner):
    query = {"attribute": "Agency", "value": "north", "attribute_2": "Agency", "at_most_2": "4"}
    response = client_for(owner).get(url(study), query)
    html = response.content.decode()
    assert "“<bdi>Agency</bdi>” is text: give a value, not a range." in html
    assert 'id="id_at_most_2_error"' in html  # beside the field at fault
    assert 'name="value" value="north"' in html
    # The filled conditions and one empty after them, and no more than the study records.
    assert re.findall(r'data-condition="(\d)"', html) == ["1", "2"]
    extra = client_for(owner).get(url(study), {"attribute_3": "Agency"}).content.decode()
    assert "The address asks for attribute condition 3" in extra


def test_coded_by_lists_everyone_who_coded_former_members_too(study, corpus, owner, coder):
    from interviews import services

    client = client_for(owner)
    choice = f'<option value="{coder.pk}">{coder.username}</option>'
    assert choice in client.get(url(study)).content.decode()
    services.membership_remove(membership=study.memberships.get(user=coder))
    html = client.get(url(study)).content.decode()
    assert f'<option value="{coder.pk}">{coder.username} (no longer a member)</option>' in html
    response = client.get(url(study), {"coder": coder.pk})
    assert shown(response) == [corpus["excerpts"][3].pk]


@pytest.fixture
def second_coder(corpus, coder):
    """cody adds Support to olive's e4 (R2, Stress): he coded it too, without making it."""
    from coding import services as coding

    support = corpus["codes"]["support"]
    coding.excerpt_codes_add(excerpt=corpus["excerpts"][4], codes=[support], coder=coder)
    return corpus


# (query, the excerpts it selects) once cody has added Support to olive's e4: "Coded by"
# means who applied a code (Coding.coder), and with codes chosen, who applied one of them
# (retrieval.CODER_RULE), as an intercoder check asks "what did cody code under Support?".
# coder:owner is olive, coder:coder is cody.
SECOND_CODER = [
    ({"coder": ["coder:coder"]}, [3, 4]),
    ({"coder": ["coder:coder"], "code": ["code:support"]}, [3, 4]),
    ({"coder": ["coder:coder"], "theme": ["theme:training"]}, [3, 4]),
    # olive made e4 with Stress and made e3, but applied Support to neither.
    ({"coder": ["coder:owner"], "code": ["code:support"]}, [1, 5, 7]),
    ({"coder": ["coder:owner"], "theme": ["theme:training"]}, [1, 5, 7]),
    # cody made e3 but applied no Colleagues, nor Stress to e4.
    ({"coder": ["coder:coder"], "code": ["code:stress"]}, [3]),
    ({"coder": ["coder:coder"], "code": ["code:colleagues"]}, []),
    ({"coder": ["coder:owner"], "code": ["code:stress"]}, [2, 4, 8]),
    # All: every chosen code applied by one of the chosen coders.
    ({"coder": ["coder:coder"], "code": ["code:support", "code:stress"], "match": "all"}, [3]),
    ({"coder": ["coder:owner"], "code": ["code:support", "code:stress"], "match": "all"}, []),
    (
        {
            "coder": ["coder:coder", "coder:owner"],
            "code": ["code:support", "code:stress"],
            "match": "all",
        },
        [3, 4],
    ),
    # Together: the overlapping excerpts' codes count only when the chosen coders applied
    # them too (e4's own Stress is olive's).
    ({"code": ["code:support", "code:stress"], "match": "together"}, [1, 2, 3, 4]),
    (
        {"coder": ["coder:owner"], "code": ["code:support", "code:stress"], "match": "together"},
        [1, 2],
    ),
    (
        {"coder": ["coder:coder"], "code": ["code:support", "code:stress"], "match": "together"},
        [3],
    ),
]


@pytest.mark.parametrize(("query", "expected"), SECOND_CODER)
def test_coded_by_selects_who_applied_the_codes_not_who_made_the_excerpt(
    study, second_coder, owner, coder, query, expected
):
    users = {"coder": coder, "owner": owner}
    response = client_for(owner).get(url(study), _resolve(second_coder, users, query))
    assert response.status_code == 200
    excerpts = second_coder["excerpts"]
    assert shown(response) == [excerpts[n].pk for n in expected]
    html = response.content.decode()
    assert f'<span data-count="excerpts">{len(expected)}</span>' in html


@pytest.fixture
def coded_today(second_coder):
    """Every code of the corpus applied 30 days ago, its excerpts made then too, but for
    cody's Support on olive's e4, applied today: the days are read here, when the test
    runs (never at collection), and every moment set from them, so that a run crossing
    midnight still finds cody's Support on "today"."""
    from coding.models import Excerpt

    today = timezone.localdate()
    earlier = today - timedelta(days=30)

    def noon(day):
        return timezone.make_aware(datetime.combine(day, time(12)))

    excerpts = second_coder["excerpts"]
    ids = [excerpt.pk for excerpt in excerpts.values()]
    Excerpt.all_objects.filter(pk__in=ids).update(created_at=noon(earlier))
    Coding.objects.filter(excerpt_id__in=ids).update(created_at=noon(earlier))
    Coding.objects.filter(excerpt=excerpts[4], code=second_coder["codes"]["support"]).update(
        created_at=noon(today)
    )
    return {**second_coder, "days": {"today": today, "earlier": earlier}}


# (query, the excerpts it selects) once cody has added Support today to olive's e4, made
# with Stress 30 days ago: "Coded from/to" is the day a code was applied (Coding.created_at,
# retrieval.CODED_RULE), with codes chosen one of those codes, with coders chosen theirs.
CODED_DAYS = [
    ({"coded_from": "day:today"}, [4]),
    ({"coded_from": "day:today", "code": ["code:support"]}, [4]),
    ({"coded_from": "day:today", "theme": ["theme:training"]}, [4]),
    ({"coded_from": "day:today", "code": ["code:stress"]}, []),  # olive's, 30 days ago
    ({"coded_from": "day:today", "coder": ["coder:coder"]}, [4]),
    ({"coded_from": "day:today", "coder": ["coder:owner"]}, []),
    ({"coded_from": "day:earlier", "coded_to": "day:earlier"}, [1, 2, 3, 5, 4, 7, 8]),
    ({"coded_to": "day:earlier", "code": ["code:support"]}, [1, 3, 5, 7]),
    ({"coded_to": "day:earlier", "coder": ["coder:coder"]}, [3]),
    ({"coded_to": "day:earlier", "coder": ["coder:owner"]}, [1, 2, 5, 4, 7, 8]),
]


@pytest.mark.parametrize(("query", "expected"), CODED_DAYS)
def test_coded_from_and_to_select_the_day_a_code_was_applied_not_the_excerpt_made(
    study, coded_today, owner, coder, query, expected
):
    users = {"coder": coder, "owner": owner}
    query = _resolve(coded_today, users, query)
    response = client_for(owner).get(url(study), query)
    assert response.status_code == 200
    excerpts = coded_today["excerpts"]
    assert shown(response) == [excerpts[n].pk for n in expected]


def test_codes_applied_today_are_found_on_the_page_its_fragment_and_both_files(
    study, coded_today, reviewer, django_assert_num_queries
):
    """cody's Support on olive's e4, applied today, the excerpt made 30 days ago: "Coded
    from" today finds e4 on the page (no query more for the dates), its htmx region and
    the .csv and .xlsx of the same address."""
    e4 = coded_today["excerpts"][4]
    query = {"coded_from": coded_today["days"]["today"].isoformat()}
    client = client_for(reviewer)
    # session, user, study and role; the study's codes, themes, theme-codes, interviews
    # with respondents, questions, members; the matching excerpts (the dates within);
    # the page's excerpts with their context; their codes
    with django_assert_num_queries(12):
        page = client.get(url(study), query)
    assert shown(page) == [e4.pk]
    fragment = client.get(url(study), query, headers=HTMX)
    assert "<html" not in fragment.content.decode()
    assert shown(fragment) == [e4.pk]
    csv = client.get(url(study, "retrieve_csv"), query).content.decode("utf-8-sig")
    assert [row["Text"] for row in csvlib.DictReader(io.StringIO(csv))] == [e4.text]
    xlsx = client.get(url(study, "retrieve_xlsx"), query)
    values = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)
    text = values[0].index("Text")
    assert [row[text] for row in values[1:]] == [e4.text]


def test_coded_from_says_what_it_selects(study, corpus, owner):
    html = client_for(owner).get(url(study)).content.decode()
    assert (
        "Finds the excerpts to which a code was applied on these days, whenever the excerpt "
        "was made." in html
    )


def test_coded_by_says_what_it_selects(study, corpus, owner):
    html = client_for(owner).get(url(study)).content.decode()
    assert (
        "Finds the excerpts to which one of these coders applied a code, whoever made the "
        "excerpt." in html
    )


def test_a_second_coders_work_is_found_on_the_fragment_and_in_both_files(
    study, second_coder, owner, coder, reviewer
):
    """What did cody code under Support? e3 (his) and e4 (olive's, his Support): on the
    page, its htmx region and the .csv and .xlsx of the same address."""
    excerpts = second_coder["excerpts"]
    query = {"coder": coder.pk, "code": second_coder["codes"]["support"].pk}
    client = client_for(reviewer)
    expected = [excerpts[3].pk, excerpts[4].pk]
    assert shown(client.get(url(study), query)) == expected
    fragment = client.get(url(study), query, headers=HTMX)
    assert "<html" not in fragment.content.decode()
    assert shown(fragment) == expected
    csv = client.get(url(study, "retrieve_csv"), query).content.decode("utf-8-sig")
    rows = list(csvlib.reader(io.StringIO(csv)))
    text = rows[0].index("Text")
    assert [row[text] for row in rows[1:]] == [excerpts[3].text, excerpts[4].text]
    xlsx = client.get(url(study, "retrieve_xlsx"), query)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    text = values[0].index("Text")
    assert [row[text] for row in values[1:]] == [excerpts[3].text, excerpts[4].text]


def test_a_result_names_every_coder_who_applied_its_codes_on_the_page_and_in_the_files(
    study, second_coder, owner, coder
):
    """e4 was made by olive with Stress; cody added Support: both applied its codes, each
    named once, by name; olive made it. The files' column says whose codes."""
    e4 = second_coder["excerpts"][4]
    client = client_for(owner)
    query = {"respondent": second_coder["respondents"]["R2"].pk}
    html = client.get(url(study), query).content.decode()
    row = html[html.index(f'id="result-{e4.pk}"') :]
    row = row[: row.index("</li>")]
    day = timezone.localdate(e4.created_at)
    assert "<span>codes applied by cody, olive</span>" in row
    assert f"<span>excerpt made by olive, {day.day} {day:%b %Y}</span>" in row
    csv = client.get(url(study, "retrieve_csv"), query).content.decode("utf-8-sig")
    rows = list(csvlib.DictReader(io.StringIO(csv)))
    assert [(r["Text"], r["Codes applied by"]) for r in rows] == [
        (second_coder["excerpts"][5].text, "olive"),
        (e4.text, "cody; olive"),
    ]
    xlsx = client.get(url(study, "retrieve_xlsx"), query)
    values = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)
    column = values[0].index("Codes applied by")
    assert [row[column] for row in values[1:]] == ["olive", "cody; olive"]


def test_coded_by_lists_a_coder_who_only_added_codes(study, corpus, owner):
    """hana made no excerpt; she added Stress to olive's e5: she coded, and is a choice."""
    from coding import services as coding
    from interviews import services

    hana = make_user("hana")
    services.membership_set(study=study, username="hana", role="coder")
    stress = corpus["codes"]["stress"]
    coding.excerpt_codes_add(excerpt=corpus["excerpts"][5], codes=[stress], coder=hana)
    html = client_for(owner).get(url(study)).content.decode()
    assert coder_choices(html) == ["cody", "hana", "olive"]
    response = client_for(owner).get(url(study), {"coder": hana.pk})
    assert shown(response) == [corpus["excerpts"][5].pk]


def coder_choices(html: str) -> list[str]:
    """The labels of the "Coded by" choices, in their order."""
    select = html[html.index('name="coder"') : html.index("</select>", html.index('name="coder"'))]
    return re.findall(r'<option value="\d+">([^<]+)</option>', select)


def test_coded_by_lists_coders_by_name_whatever_the_case_on_both_databases(study, corpus, owner):
    from interviews import services

    interview = corpus["excerpts"][1].interview
    phrases = {"Zed": "I started at the shelter", "adam": "Honestly", "Bea": "They come back"}
    for name, phrase in phrases.items():
        user = make_user(name)
        services.membership_set(study=study, username=name, role="coder")
        coded(interview, phrase, [corpus["codes"]["stress"]], user)
    html = client_for(owner).get(url(study)).content.decode()
    assert coder_choices(html) == ["adam", "Bea", "cody", "olive", "Zed"]


def test_coded_by_lists_only_who_coded_never_a_member_who_did_not(
    study, corpus, owner, coder, reviewer
):
    """The reviewer (rita) never coded, nor did a coder who joined; a coder whose only
    excerpt was deleted coded nothing the page finds; the former member (cody) did."""
    from coding import services as coding
    from interviews import services

    services.membership_remove(membership=study.memberships.get(user=coder))
    for name in ("newcomer", "regretful"):
        make_user(name)
        services.membership_set(study=study, username=name, role="coder")
    regretful = study.memberships.get(user__username="regretful").user
    interview = corpus["excerpts"][1].interview
    gone = coded(interview, "never looked back", [corpus["codes"]["stress"]], regretful)
    coding.excerpt_delete(excerpt=gone)
    html = client_for(owner).get(url(study)).content.decode()
    assert coder_choices(html) == ["cody (no longer a member)", "olive"]
    # A member who never coded is not a choice: asked for by address, the filter says so.
    response = client_for(owner).get(url(study), {"coder": reviewer.pk})
    assert response.status_code == 200
    assert shown(response) == []
    assert (
        "The filter needs correcting; nothing was searched. Coded by: Select a valid choice."
        in response.content.decode()
    )


def test_a_result_shows_its_context_codes_attribution_and_link(study, corpus, owner):
    response = client_for(owner).get(url(study), {"respondent": corpus["respondents"]["R2"].pk})
    html = response.content.decode()
    e4 = corpus["excerpts"][4]
    assert "(R2, Q2)" in html
    assert "(R2, Q1)" in html
    assert '<mark class="context-mark">the ones nobody else will see</mark>' in html
    assert "R1: Honestly, " in html  # the words before it (every transcript is R1's text)
    assert f'href="/studies/{study.slug}/interviews/{e4.interview_id}/#x{e4.pk}"' in html
    assert 'class="chip c-' in html
    assert ">Stress</span>" in html
    assert "Turning point" in html  # a memo
    day = timezone.localdate(e4.created_at)
    day = f"{day.day} {day:%b %Y}"
    # olive made e4 and applied its codes alone: named once. The day is the excerpt's, said
    # as such: "coded by olive, <day>" gave the day it was made as the day it was coded.
    assert f"<span>coded by {owner.username}</span> <span>excerpt made {day}</span>" in html
    assert "codes applied by" not in html
    assert "excerpt made by" not in html
    assert f"coded by {owner.username}, " not in html


def test_user_text_is_escaped(study, corpus, owner):
    e = corpus["excerpts"][5]
    from coding import services

    services.excerpt_memo_set(excerpt=e, memo="<script>alert(1)</script>", revision=e.revision)
    html = client_for(owner).get(url(study)).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_htmx_gets_the_region_and_a_plain_request_the_page(study, corpus, owner):
    client = client_for(owner)
    fragment = client.get(url(study), {"memo": "with"}, headers=HTMX).content.decode()
    page = client.get(url(study), {"memo": "with"}).content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<div id="retrieval"')
    assert "<html" in page
    assert fragment.strip() in page


def test_access(study, corpus, owner, reviewer, stranger, client):
    assert client.get(url(study)).status_code == 302  # to the login page
    assert client_for(stranger).get(url(study)).status_code == 404
    assert client_for(reviewer).get(url(study)).status_code == 200
    assert client_for(reviewer).post(url(study)).status_code == 405


def test_pages_keep_the_filter(study, corpus, owner, monkeypatch):
    monkeypatch.setattr(retrieval_views, "EXCERPTS_PER_PAGE", 2)
    support = corpus["codes"]["support"].pk
    client = client_for(owner)
    first = client.get(url(study), {"code": support})
    html = first.content.decode()
    assert f'href="?code={support}&amp;page=2"' in html
    second = client.get(url(study), {"code": support, "page": 2})
    excerpts = corpus["excerpts"]
    assert shown(second) == [excerpts[5].pk, excerpts[7].pk]
    assert shown(client.get(url(study), {"code": support, "page": "junk"})) == shown(first)


@pytest.mark.parametrize("extra", [0, 6])
def test_query_count_does_not_grow(study, corpus, owner, extra, django_assert_num_queries):
    stress = corpus["codes"]["stress"]
    for n in range(extra):
        interview = import_text(study, name=f"R{20 + n}.txt")
        coded(interview, "About six years", [stress], owner)
        coded(interview, "Café regulars", [stress, corpus["codes"]["colleagues"]], owner)
    client = client_for(owner)
    query = {
        "code": [corpus["codes"]["support"].pk, stress.pk],
        "attribute": "Years of experience",
        "at_least": "1",
        "question": corpus["questions"][2].pk,
    }
    # session, user, study and role; the study's codes, themes, theme-codes, interviews
    # with respondents, questions, members; the matching excerpts; the page's excerpts
    # with their context; their codes
    with django_assert_num_queries(12):
        response = client.get(url(study), query)
    assert len(shown(response)) == 4


def test_the_files_hold_the_result_with_memos_safely(study, corpus, owner, reviewer):
    query = {"code": corpus["codes"]["colleagues"].pk}
    csv = client_for(reviewer).get(url(study, "retrieve_csv"), query)
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Respondent,Years of experience,Agency,Interview,Question")
    assert len(lines) == 3
    assert "'=SUM(A1) was it?" in text  # a formula is neutralised
    assert "Turning point" in text
    xlsx = client_for(owner).get(url(study, "retrieve_xlsx"), query)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.values)
    assert [row[0] for row in rows] == ["Respondent", "R1", "R2"]
    assert rows[1][rows[0].index("Memo")] == "'=SUM(A1) was it?"
    assert rows[1][rows[0].index("Themes")] == "Training"
    bad = client_for(owner).get(url(study, "retrieve_csv"), {"at_least": "x"})
    assert bad.status_code == 400
    assert "Enter a number" in bad.content.decode()


def test_the_study_index_is_read_once_per_revision(
    study, corpus, owner, coder, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from coding import services as coding
    from interviews import services as interviews

    client = client_for(owner)
    support = corpus["codes"]["support"].pk
    with django_capture_on_commit_callbacks(execute=True):
        assert shown(client.get(url(study), {"code": support})) != []
    # session, user, study and role; the coders (the codes, themes, interviews and
    # questions come from the cache, and so do the matching excerpts); the page's
    # excerpts with their context; their codes
    with django_assert_num_queries(6):
        response = client.get(url(study), {"code": support})
    assert len(shown(response)) == 4
    # A write moves the study's revision on: the next page reads the study again.
    with django_capture_on_commit_callbacks(execute=True):
        coding.code_create(study=study, name="Burnout")
        interviews.respondent_withdraw(respondent=corpus["respondents"]["R10"])
    with django_assert_num_queries(12):
        response = client.get(url(study), {"code": support})
    assert ">Burnout</option>" in response.content.decode()
    assert shown(response) == [corpus["excerpts"][n].pk for n in (1, 3, 5)]
    # Memberships are not under the revision: the coders are read every time.
    interviews.membership_remove(membership=study.memberships.get(user=coder))
    assert "(no longer a member)" in client.get(url(study)).content.decode()


def test_a_filters_result_is_read_once_per_revision(
    study,
    corpus,
    owner,
    monkeypatch,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    from coding import services as coding

    monkeypatch.setattr(retrieval_views, "EXCERPTS_PER_PAGE", 2)
    client = client_for(owner)
    stress = corpus["codes"]["stress"]
    query = {"code": stress.pk}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(url(study), query)
    excerpts = corpus["excerpts"]
    assert shown(first) == [excerpts[2].pk, excerpts[3].pk]
    # session, user, study and role; the coders; the page's excerpts with their context;
    # their codes (the study index and the filter's ordered excerpts come from the cache)
    with django_assert_num_queries(6):
        second = client.get(url(study), query | {"page": 2})
    assert shown(second) == [excerpts[4].pk, excerpts[8].pk]
    assert '<span data-count="excerpts">4</span>' in second.content.decode()
    # Another filter is another entry: the study's other excerpts are not mixed in.
    with django_capture_on_commit_callbacks(execute=True):
        other = client.get(url(study), {"code": corpus["codes"]["support"].pk})
    assert shown(other) == [excerpts[1].pk, excerpts[3].pk]
    # A write moves the study's revision on: the same address shows the new excerpt.
    with django_capture_on_commit_callbacks(execute=True):
        coding.excerpt_codes_add(excerpt=excerpts[5], codes=[stress], coder=owner)
    third = client.get(url(study), query | {"page": 2})
    assert '<span data-count="excerpts">5</span>' in third.content.decode()
    assert shown(third) == [excerpts[5].pk, excerpts[4].pk]


@pytest.fixture
def built_forms(monkeypatch) -> list[str]:
    """The query of every filter form the retrieval page builds, as it builds them."""
    built = []

    class Counted(retrieval_views.RetrievalForm):
        def __init__(self, *args, **kwargs):
            built.append(args[0].urlencode())
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(retrieval_views, "RetrievalForm", Counted)
    return built


def test_the_filter_form_is_built_once_per_revision_and_coders(
    study,
    corpus,
    owner,
    coder,
    reviewer,
    built_forms,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from coding import services as coding
    from interviews import services as interviews

    built = built_forms
    monkeypatch.setattr(retrieval_views, "EXCERPTS_PER_PAGE", 2)
    stress = corpus["codes"]["stress"].pk

    def page(client, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url(study), {"code": stress, **extra})
        html = response.content.decode()
        assert f'<option value="{stress}" selected>' in html  # the form shows the filter
        return html

    page(client_for(owner))
    page(client_for(owner), page=2)
    page(client_for(reviewer), page=2)  # nothing of the reader is in the form
    assert len(built) == 1
    # The choices move with the study's revision, the coders with its memberships.
    with django_capture_on_commit_callbacks(execute=True):
        coding.code_create(study=study, name="Burnout")
    assert ">Burnout</option>" in page(client_for(owner), page=2)
    interviews.membership_remove(membership=study.memberships.get(user=coder))
    assert "(no longer a member)" in page(client_for(owner), page=2)
    assert len(built) == 3
    # A wrong filter keeps its errors when it comes from the cache.
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            wrong = client_for(owner).get(url(study), {"at_least": "3"}).content.decode()
        assert "Choose the attribute whose value you mean." in wrong
    assert len(built) == 4


def test_the_filter_form_outlives_writes_that_change_none_of_its_choices(
    study, corpus, owner, built_forms, django_capture_on_commit_callbacks
):
    from coding import services as coding
    from interviews import services as interviews

    built = built_forms
    client = client_for(owner)
    stress = corpus["codes"]["stress"]
    excerpts = corpus["excerpts"]

    def page() -> str:
        with django_capture_on_commit_callbacks(execute=True):
            return client.get(url(study), {"code": stress.pk}).content.decode()

    assert '<span data-count="excerpts">4</span>' in page()
    # Coding an excerpt and writing a memo move the revision on but change no choice: the
    # result is read again, the form is not built again.
    with django_capture_on_commit_callbacks(execute=True):
        coding.excerpt_codes_add(excerpt=excerpts[5], codes=[stress], coder=owner)
        excerpts[1].refresh_from_db()
        coding.excerpt_memo_set(
            excerpt=excerpts[1], memo="Read again", revision=excerpts[1].revision
        )
    assert '<span data-count="excerpts">5</span>' in page()
    assert len(built) == 1
    # A choice renamed is a new form: a respondent's pseudonym, a question's words.
    r2 = corpus["respondents"]["R2"]
    r2.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        interviews.respondent_update(respondent=r2, pseudonym="R22", attributes=r2.attributes)
    assert '">R22</option>' in page()
    assert len(built) == 2
    with django_capture_on_commit_callbacks(execute=True):
        interviews.question_update(
            question=corpus["questions"][2], text="What keeps you going?", topic=""
        )
    assert "Q2. What keeps you going?</option>" in page()
    assert len(built) == 3


def test_a_study_without_protocol_questions_has_no_question_filter(study, owner):
    """Without protocol questions the filter showed an empty list box "Questions": nothing
    to choose, and nothing said why. It is left out; a question in the URL from before the
    protocol was deleted is still refused in words, by the field it names."""
    question = study.questions.first()
    import_text(study)
    client = client_for(owner)
    assert 'for="id_question">Questions</label>' in client.get(url(study)).content.decode()
    for each in list(study.questions.all()):
        interviews.question_delete(question=each)
    page = client.get(url(study)).content.decode()
    assert 'id="id_question"' not in page
    assert ">Questions<" not in page
    html = client.get(url(study), {"question": question.pk}).content.decode()
    assert 'for="id_question">Questions</label>' in html
    assert f"Select a valid choice. {question.pk} is not one of the available choices." in html


def test_a_stale_question_in_the_filter_is_named_where_the_refusal_stands(study, corpus, owner):
    """Before: ?question=999999 (or a question deleted since) read "The filter needs
    correcting (see above)" while the error was further down the filter's column. Now the
    refusal says which field and why, where it stands; the field keeps its own error."""
    for query in ({"question": "999999"}, {"question": str(corpus["questions"][1].pk)}):
        if query["question"] != "999999":
            interviews.question_delete(question=corpus["questions"][1])
        for page in (url(study), reverse("retrieve_csv", args=[study.slug])):
            html = client_for(owner).get(page, query).content.decode()
            assert "see above" not in html
            assert (
                "The filter needs correcting; nothing was searched. Questions: Select a "
                "valid choice." in html
            ), page


def test_the_review_filter_says_where_an_excerpt_whose_words_were_removed_waits(study, owner):
    """After a text edit removed all of an excerpt's words, the flash said it was "marked
    for review", and "Only excerpts marked for review" found nothing, with no word of why:
    such an excerpt counts nowhere. The filter now says it is not listed and where it is."""
    from coding import services as coding
    from tests.conftest import code_span

    interview = import_text(study)
    code = coding.code_create(study=study, name="Years")
    code_span(interview, "never looked back", [code], owner)
    coding.transcript_edit(
        interview=interview, text=interview.text.replace("never looked back", ""), version=1
    )
    html = client_for(owner).get(url(study), {"review": "on"}).content.decode()
    assert "No excerpt matches this filter" in html
    assert (
        "An excerpt whose words were all removed is not listed here: it waits on its "
        "transcript&#x27;s coding page." in html
    )


def test_the_review_box_reads_only_its_real_values(study, owner):
    """review=bogus in the URL was read as ticked (Django's CheckboxInput reads any string
    but "false" so): it is refused, saying so, and the box is drawn unticked; "on" (what
    the browser sends), "true", "false" and "" are read as they mean."""
    from coding import services as coding
    from tests.conftest import code_span

    interview = import_text(study)
    code = coding.code_create(study=study, name="Years")
    code_span(interview, "never looked back", [code], owner)
    client = client_for(owner)
    html = client.get(url(study), {"review": "bogus"}).content.decode()
    assert (
        "The filter needs correcting; nothing was searched. Only excerpts marked for review: "
        "The address gives this box “<bdi>bogus</bdi>”, which is neither ticked nor "
        "unticked: tick it or leave it empty." in html
    )
    box = re.search(r'<input type="checkbox" name="review"[^>]*>', html)[0]
    assert "checked" not in box
    assert "value=" not in box
    for value, listed in (("on", False), ("true", False), ("false", True), ("", True)):
        html = client.get(url(study), {"review": value}).content.decode()
        assert "The filter needs correcting" not in html, value
        assert ("never looked back" in html) is listed, value
        box = re.search(r'<input type="checkbox" name="review"[^>]*>', html)[0]
        assert ("checked" in box) is not listed, value


def test_a_code_applied_after_the_index_was_read_is_in_neither_the_page_nor_the_files(
    study, corpus, owner, coder
):
    """A download is made by a process of its own from the index its request read
    (retrieval.retrieved_file): cody applies a new code, Housing, to olive's e5 in
    between. The page's rows leave Housing and cody out; the .csv and .xlsx said "cody;
    olive" under "Codes applied by" for e5 while its Codes left Housing out."""
    from coding import services as coding
    from themes.retrieval import Filter, result_rows, retrieved_file, study_index

    e5 = corpus["excerpts"][5]
    index = study_index(study)
    housing = coding.code_create(study=study, name="Housing")
    coding.excerpt_codes_add(excerpt=e5, codes=[housing], coder=coder)
    flt = Filter(respondents=(corpus["respondents"]["R2"].pk,))
    [row] = result_rows(index, [e5.pk])
    assert row["coders"] == ["olive"]
    csv = retrieved_file(study=study, index=index, flt=flt, kind="csv").decode("utf-8-sig")
    rows = {r["Text"]: r for r in csvlib.DictReader(io.StringIO(csv))}
    assert "Housing" not in rows[e5.text]["Codes"]
    assert rows[e5.text]["Codes applied by"] == "olive"
    xlsx = retrieved_file(study=study, index=index, flt=flt, kind="xlsx")
    values = list(openpyxl.load_workbook(io.BytesIO(xlsx)).active.values)
    text, by = values[0].index("Text"), values[0].index("Codes applied by")
    assert {row[text]: row[by] for row in values[1:]}[e5.text] == "olive"


def test_the_page_and_its_files_list_the_same_excerpts_for_combined_filters(
    study, coded_today, owner, coder
):
    """Property-style: for combinations of codes (with each way of matching them),
    theme, coder, coded days, question, memo, review and words, the Excerpts page's count
    and rows (retrieve, result_rows) and its files' rows (export_table, what the .csv and
    .xlsx write) are the same excerpts in the same order. The corpus holds an excerpt left
    without words and one marked for review, besides a withdrawn respondent's."""
    import random
    from itertools import product

    from coding import services as coding
    from themes.retrieval import Filter, export_table, result_rows, retrieve, study_index

    codes, excerpts = coded_today["codes"], coded_today["excerpts"]
    # e8 left without words, e5 changed (marked for review) by edits of their transcripts.
    for excerpt, new in ((excerpts[8], ""), (excerpts[5], "never looked backward")):
        interview = excerpt.interview
        interview.refresh_from_db()
        coding.transcript_edit(
            interview=interview,
            text=interview.text.replace(excerpt.text, new, 1),
            version=interview.version,
        )
    index = study_index(study)
    today = coded_today["days"]["today"]
    # A fixed sample of the 1,728 combinations (all of them take minutes): the same ones on
    # every run, each dimension's values all met.
    combinations = random.Random(30).sample(
        list(
            product(
                [(), (codes["support"].pk,), (codes["colleagues"].pk, codes["stress"].pk)],
                ["any", "all", "together"],
                [(), (coded_today["theme"].pk,)],
                [(), (coder.pk,)],
                [None, today],
                [(), (coded_today["questions"][2].pk,)],
                ["", "with", "without"],
                [False, True],
                ["", "café"],
            )
        ),
        80,
    )
    seen = set()
    for code_ids, match, theme_ids, coder_ids, day, questions, memo, review, words in combinations:
        flt = Filter(
            codes=code_ids,
            match=match,
            themes=theme_ids,
            coders=coder_ids,
            coded_from=day,
            questions=questions,
            memo=memo,
            review=review,
            words=words,
        )
        result = retrieve(index, flt)
        page = [row["text"] for row in result_rows(index, result.ids)]
        columns, rows = export_table(index, flt)
        files = [row[columns.index("Text")] for row in rows]
        assert page == files, flt
        assert len(result.ids) == len(rows), flt
        seen.add(len(rows))
    assert len(seen) > 3, "the combinations select different excerpts"

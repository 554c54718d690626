"""The history page: every change with who, when and what changed; filters in the URL;
pages; the bin with its Restore buttons; what a reviewer may see."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from coding import services as coding
from coding.models import Code, CodeMemo, DeletedCode, Excerpt
from interviews import memos
from interviews import services as interviews
from interviews.erasure import respondent_erase
from interviews.history import acting_as
from interviews.models import InterviewMemo, JournalEntry, Respondent
from tests.conftest import HTMX, TRANSCRIPT, client_for, code_span, import_text
from themes import services as themes
from themes.history import BIN_PER_PAGE, MODELS, Key
from themes.models import Quote, Theme, ThemeMemo

# A bin entry's Restore button: its visible word, then hidden words naming the entry.
RESTORE_BUTTON = '<button type="submit">Restore'


def url(study, **query) -> str:
    base = reverse("history", args=[study.slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def text(response) -> str:
    # <bdi> isolates a name inside its sentence: no word break (core.bidi).
    html = re.sub(r"</?bdi>", "", response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def events(response) -> list[str]:
    html = re.sub(r"</?bdi>", "", response.content.decode())
    found = re.findall(r'<article class="history-event[^"]*">(.*?)</article>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in found]


def _page_and_part(client, study, query: str) -> tuple:
    """The page of `query` as a browser asks for it, then as htmx asks for its results."""
    return (
        client.get(url(study) + "?" + query),
        client.get(url(study) + "?" + query, headers=HTMX),
    )


def test_it_shows_who_changed_what_with_before_and_after(study, owner, coder):
    code = coding.code_create(study=study, name="Learning")
    client = client_for(coder)
    response = client.post(
        reverse("code_edit", args=[study.slug, code.pk]),
        {"name": "Learning on the job", "colour": "#dc2626", "revision": code.revision},
    )
    assert response.status_code < 400
    shown = events(client.get(url(study)))
    assert shown[0].startswith(timezone.localtime().strftime("%-d %b %Y"))
    assert "Code changed : “Learning on the job” by cody" in shown[0]
    # What changed, not a dump: the name and colour, not the revision or the name's key.
    assert "Name Learning → Learning on the job" in shown[0]
    assert "Colour" in shown[0]
    assert "#dc2626" in shown[0]
    assert "Revision" not in shown[0]
    assert "learning on the job" not in shown[0]
    # Made outside a request (the service called directly): no user to name.
    assert shown[1].endswith("Code added : “Learning”")


def test_a_moment_or_a_day_changed_reads_as_the_page_writes_dates(study, owner):
    """A respondent's withdrawal read "Withdrawn at — → 2026-12-01 14:17:48.334984+00:00",
    the database's form in UTC: a moment now reads as the page's "When" column writes it,
    in the server's time zone, and a day as a day."""
    respondent = interviews.respondent_create(study=study, pseudonym="R1")
    interviews.respondent_withdraw(respondent=respondent)
    respondent.refresh_from_db()
    interviews.respondent_update(
        respondent=respondent,
        pseudonym="R1",
        attributes={},
        interviewed_on=date(2025, 5, 5),
    )
    shown = events(client_for(owner).get(url(study, kind="respondent")))
    moment = dateformat.format(timezone.localtime(respondent.withdrawn_at), "j M Y, H:i")
    assert f"Withdrawn at — → {moment}" in shown[1]
    assert "Interviewed on — → 5 May 2025" in shown[0]
    assert "+00:00" not in " ".join(shown)


def test_a_long_text_shows_only_the_words_that_changed(study, owner):
    interview = import_text(study)
    coding.transcript_edit(
        interview=interview, text=interview.text.replace("six years", "seven years"), version=1
    )
    first = events(client_for(owner).get(url(study, kind="transcript")))[0]
    assert "Transcript changed" in first
    assert "six years" in first
    assert "seven years" in first
    assert len(first) < 600, "only the part that changed, with some words around it"


def test_a_transcript_s_changes_name_its_interview_as_the_lists_do(study, owner):
    """Every untitled transcript's record read "R1’s transcript": a respondent's two
    interviews could not be told apart, nor said which day's they were. Each is now named
    as the lists name it, with its respondent."""
    import_text(study, name="R1-a.txt")
    second = import_text(study, TRANSCRIPT + "\n\nR1: Again.", name="R1-b.txt")
    coding.transcript_edit(
        interview=second, text=second.text.replace("six years", "seven years"), version=1
    )
    other = import_text(study, name="R2.txt")
    interviews.interview_update(
        interview=other, title="", respondent=other.respondent, conducted_on=date(2025, 3, 3)
    )
    today = dateformat.format(timezone.localdate(), "j M Y")
    shown = [
        event.split(" · ", 1)[1]
        for event in events(client_for(owner).get(url(study, kind="transcript")))
    ]
    named = [
        "Transcript changed : R2 · Interview of 3 Mar 2025",
        f"Transcript added : R2 · Interview imported {today}",
        f"Transcript changed : R1 · Interview imported {today} (2)",
        f"Transcript added : R1 · Interview imported {today} (2)",
        f"Transcript added : R1 · Interview imported {today}",
    ]
    # A change lists what changed after its name ("Conducted on — → 2025-03-03").
    assert [event[: len(name)] for event, name in zip(shown, named, strict=True)] == named
    assert shown[-1] == named[-1], "R1's first interview of the day has no (2)"


def test_an_interview_memo_names_its_interview_as_a_transcript_s_records_do(study, owner):
    """A memo on a transcript was labelled by its words alone: which interview it is about
    was not said. It is named as the transcript's records are ("R1 · Interview imported
    1 Dec 2026 (2)"), as the interview is now."""
    import_text(study, name="R1-a.txt")
    second = import_text(study, TRANSCRIPT + "\n\nR1: Again.", name="R1-b.txt")
    other = import_text(study, name="R2.txt")
    interviews.interview_update(
        interview=other, title="", respondent=other.respondent, conducted_on=date(2025, 3, 3)
    )
    memos.memo_create(model=InterviewMemo, author=owner, body="Noisy room.", interview=second)
    later = memos.memo_create(model=InterviewMemo, author=owner, body="Tired.", interview=other)
    memos.memo_update(memo=later, author=owner, body="Tired, cut short.")
    today = dateformat.format(timezone.localdate(), "j M Y")
    shown = [
        event.split(" · ", 1)[1]
        for event in events(client_for(owner).get(url(study, kind="memo")))
    ]
    assert shown == [
        "Memo on a transcript changed : “Tired, cut short.” (on R2 · Interview of 3 Mar 2025)"
        " Body Tired. → Tired, cut short.",
        "Memo on a transcript added : “Tired.” (on R2 · Interview of 3 Mar 2025)",
        f"Memo on a transcript added : “Noisy room.” (on R1 · Interview imported {today} (2))",
    ]


def test_a_memo_on_a_transcript_in_the_bin_names_its_interview_as_the_changes_do(study, owner):
    """The bin said "Memo on a transcript: “Noisy room.”", where the changes below it say
    which interview the memo was about: it names the interview the same way."""
    import_text(study, name="R1-a.txt")
    second = import_text(study, TRANSCRIPT + "\n\nR1: Again.", name="R1-b.txt")
    other = import_text(study, name="R2.txt")
    interviews.interview_update(
        interview=other, title="", respondent=other.respondent, conducted_on=date(2025, 3, 3)
    )
    for interview, body in ((second, "Noisy room."), (other, "Tired.")):
        memo = memos.memo_create(model=InterviewMemo, author=owner, body=body, interview=interview)
        memos.memo_delete(memo=memo, author=owner)
    today = dateformat.format(timezone.localdate(), "j M Y")
    response = client_for(owner).get(url(study))
    html = re.sub(r"</?bdi>", "", response.content.decode())
    rows = re.findall(r'<tr id="bin-memo-interview-\d+">(.*?)</tr>', html, re.S)

    def words(part: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part)).strip()

    on = ["(on R2 · Interview of 3 Mar 2025)", f"(on R1 · Interview imported {today} (2))"]
    # Newest deletion first: its "What" cell, and its Restore button's words.
    assert [words(re.search(r"<td>(.*?)</td>", row, re.S)[1]) for row in rows] == [
        f"Memo on a transcript: “Tired.” {on[0]}",
        f"Memo on a transcript: “Noisy room.” {on[1]}",
    ]
    assert [words(re.search(r"<button[^>]*>(.*?)</button>", row, re.S)[1]) for row in rows] == [
        f"Restore the memo on a transcript: “Tired.” {on[0]}",
        f"Restore the memo on a transcript: “Noisy room.” {on[1]}",
    ]
    # The changes below name it the same way.
    assert f"Memo on a transcript deleted : “Tired.” {on[0]}" in [
        event.split(" · ", 1)[1] for event in events(response)
    ]


def test_a_memo_on_a_code_or_a_theme_in_the_bin_names_it_as_the_changes_do(
    study, owner, django_assert_num_queries
):
    """9ab7309 named a transcript memo's interview in the bin; a memo on a code or on a
    theme still said "Memo on a code: “Ask about peers.”" alone, where the changes below
    say which code. It names its code or theme the same way, read in the query that
    reads the memos (no query more)."""
    code = coding.code_create(study=study, name="Peer support")
    theme = themes.theme_create(study=study, name="Training")
    for model, body, about in (
        (CodeMemo, "Ask about peers.", {"code": code}),
        (ThemeMemo, "Split it?", {"theme": theme}),
    ):
        memo = memos.memo_create(model=model, author=owner, body=body, **about)
        memos.memo_delete(memo=memo, author=owner)
    client = client_for(owner)
    with django_assert_num_queries(18):
        # 1 session, 1 user, 1 membership with its study (access), 1 members; 1 the page
        # (the UNION); then the records on the page: 2 memos on codes and 2 on themes
        # (with the records before them), 1 codes and 2 themes (with their codes; each is
        # its own first: no record before it); 2 the names they point to (codes, themes);
        # the bin: 1 its page's keys with its count, 1 the memos on codes with their codes,
        # 1 the memos on themes with their themes (no query more for their names);
        # 1 erasures.
        response = client.get(url(study))
    html = re.sub(r"</?bdi>", "", response.content.decode())
    rows = re.findall(r'<tr id="bin-memo-(?:code|theme)-\d+">(.*?)</tr>', html, re.S)

    def words(part: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part)).strip()

    # Newest deletion first: its "What" cell, and its Restore button's words.
    assert [words(re.search(r"<td>(.*?)</td>", row, re.S)[1]) for row in rows] == [
        "Memo on a theme: “Split it?” (on “Training”)",
        "Memo on a code: “Ask about peers.” (on “Peer support”)",
    ]
    assert [words(re.search(r"<button[^>]*>(.*?)</button>", row, re.S)[1]) for row in rows] == [
        "Restore the memo on a theme: “Split it?” (on “Training”)",
        "Restore the memo on a code: “Ask about peers.” (on “Peer support”)",
    ]
    # The changes below name them the same way.
    changes = [event.split(" · ", 1)[1] for event in events(response)]
    assert "Memo on a theme deleted : “Split it?” (on “Training”)" in changes
    assert "Memo on a code deleted : “Ask about peers.” (on “Peer support”)" in changes


def test_user_text_is_escaped(study, owner):
    coding.code_create(study=study, name="<script>alert(1)</script>")
    html = client_for(owner).get(url(study)).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_filters_are_in_the_url(study, owner, coder):
    coding.code_create(study=study, name="Learning")
    themes.theme_create(study=study, name="Training")
    client_for(coder).post(reverse("codebook", args=[study.slug]), {"name": "By the coder"})
    client = client_for(owner)
    only_themes = events(client.get(url(study, kind="theme")))
    assert len(only_themes) == 1
    assert "Theme added : “Training”" in only_themes[0]
    by_coder = events(client.get(url(study, user=coder.pk)))
    assert len(by_coder) == 1
    assert "“By the coder” by cody" in by_coder[0]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    today = timezone.localdate().isoformat()
    assert events(client.get(url(study, since=tomorrow))) == []
    assert len(events(client.get(url(study, since=today, until=today)))) == 3
    assert events(client.get(url(study, until=(timezone.localdate() - timedelta(1))))) == []


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("until=9999-12-31", 1),
        ("since=0001-01-01&until=9999-12-31", 1),
        ("since=0001-01-01", 1),
        ("since=9999-12-31", 0),
        ("until=0001-01-01", 0),
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_first_and_last_days_a_date_can_say_are_dates_like_any(
    study, owner, settings, query, shown, zone
):
    # The To date 9999-12-31 (the last a date field takes) reads up to the next day's
    # start, which no datetime holds: a 500. The first day's start, in a zone ahead of
    # UTC, is before the first moment a datetime holds in UTC.
    settings.TIME_ZONE = zone
    coding.code_create(study=study, name="Learning")
    for response in _page_and_part(client_for(owner), study, query):
        assert response.status_code == 200
        assert "The filter needs correcting" not in response.content.decode()
        assert len(events(response)) == shown


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("user=²", "Who: Select a valid choice"),
        ("user=99999999999999999999", "Who: Select a valid choice"),
        ("kind=nothing", "What: Select a valid choice"),
        ("since=2026-02-31", "Changed since: Enter a valid date"),
        (
            "since=2030-01-01&until=2020-01-01",
            "The “Changed since” date is after the “Changed until” date.",
        ),
    ],
)
def test_a_filter_to_correct_is_said_and_lists_nothing(study, owner, query, said):
    # Listing every change under the error would read as the filter's answer; a first day
    # after the last searched and said "No changes match" as if nothing had happened then.
    coding.code_create(study=study, name="Learning")
    for response in _page_and_part(client_for(owner), study, query):
        assert response.status_code == 200
        html = response.content.decode()
        assert "The filter needs correcting; nothing was searched." in html
        assert said in text(response)
        assert events(response) == []
        assert "No changes" not in html


def _link(response, rel: str) -> str | None:
    """The query of the page's Newer (rel="prev") or Older (rel="next") link, None when the
    page has none; its htmx request asks for the same."""
    html = response.content.decode()
    found = re.search(rf'<a href="\?([^"]*)" hx-get="\?([^"]*)"[^>]* rel="{rel}">', html)
    if found is None:
        return None
    assert found[1] == found[2]
    return found[1].replace("&amp;", "&")


def _pages(client, study, query: str = "", rel: str = "next") -> list[list[str]]:
    """The events of every page, following the Older links from the newest page (or the
    Newer links back from `query`'s page, with rel="prev"), as htmx asks for them."""
    pages = []
    while query is not None:
        response = client.get(url(study) + "?" + query, headers=HTMX)
        assert response.status_code == 200
        pages.append(events(response))
        query = _link(response, rel)
        assert len(pages) < 100
    return pages


def test_it_pages_fifty_at_a_time_newest_first(study, owner):
    for n in range(120):
        coding.code_create(study=study, name=f"Code {n:03}")
    client = client_for(owner)
    first = client.get(url(study))
    assert len(events(first)) == 50
    assert "“Code 119”" in events(first)[0]
    assert _link(first, "prev") is None
    second = client.get(url(study) + "?" + _link(first, "next"))
    third = client.get(url(study) + "?" + _link(second, "next"), headers=HTMX)
    html = third.content.decode()
    assert html.lstrip().startswith('<div id="history-results"')
    assert "<html" not in html
    assert len(events(third)) == 20
    assert "“Code 000”" in events(third)[-1]
    assert _link(third, "next") is None
    # Newer goes back page by page to the newest, which has no Newer link.
    back = _pages(client, study, _link(third, "prev"), rel="prev")
    assert [len(page) for page in back] == [50, 50]
    assert "“Code 119”" in back[-1][0]
    assert "“Code 069”" in back[0][0]
    assert "“Code 020”" in back[0][-1]


def _same_moment(study, models) -> None:
    """Give every record of the study's `models` one moment, and in each table the ids
    1, 2, 3... (in the order they had): records of several tables that tie on both, as a
    bulk write's can on their moment and separate tables' on their ids."""
    moment = timezone.now() - timedelta(hours=1)
    for model in models:
        records = model.history.filter(history_study_id=study.pk)
        ids = list(records.order_by("history_id").values_list("history_id", flat=True))
        # Out of the way first, so that no new id meets an old one.
        for n, pk in enumerate(ids, start=1):
            model.history.filter(history_id=pk).update(history_id=10**9 + n, history_date=moment)
        for n in range(1, len(ids) + 1):
            model.history.filter(history_id=10**9 + n).update(history_id=n)


def test_records_of_one_moment_and_id_are_each_shown_once_over_the_pages(study, owner):
    for n in range(45):
        coding.code_create(study=study, name=f"Code {n:02}")
        interviews.respondent_create(study=study, pseudonym=f"R{n:02}")
        memos.memo_create(model=JournalEntry, author=owner, body=f"Note {n:02}", study=study)
    _same_moment(study, (Code, Respondent, JournalEntry))
    client = client_for(owner)
    older = _pages(client, study)
    assert [len(page) for page in older] == [50, 50, 35]
    shown = [event.split(" · ", 1)[1] for page in older for event in page]
    # Every record once: none shown twice across a page's edge, none skipped.
    assert len(shown) == len(set(shown)) == 135
    # One moment: ids newest first, and of one id the tables in the history's order
    # (respondents, journal entries, codes: MODELS from the last).
    assert shown[:3] == [
        "Respondent added : R44",
        "Journal entry added : “Note 44”",
        "Code added : “Code 44”",
    ]
    assert shown[-1] == "Code added : “Code 00”"
    # And back: the same pages, newest last.
    second = client.get(url(study) + "?" + _link(client.get(url(study)), "next"))
    last = client.get(url(study) + "?" + _link(second, "next"))
    assert _pages(client, study, _link(last, "prev"), rel="prev") == older[1::-1]


def test_the_filters_hold_from_page_to_page(study, owner, coder):
    for n in range(60):
        coding.code_create(study=study, name=f"Code {n:02}")
        themes.theme_create(study=study, name=f"Theme {n:02}")
    with acting_as(coder):
        for n in range(55):
            coding.code_create(study=study, name=f"By cody {n:02}")
    pages = _pages(client_for(owner), study, f"user={coder.pk}&kind=code")
    assert [len(page) for page in pages] == [50, 5]
    shown = [event for page in pages for event in page]
    assert all("by cody" in event and "Code added" in event for event in shown)
    assert "“By cody 54”" in shown[0]
    assert "“By cody 00”" in shown[-1]
    # Only themes: 60, both pages, the links keep the filter.
    assert [len(page) for page in _pages(client_for(owner), study, "kind=theme")] == [50, 10]


@pytest.mark.parametrize(
    "query",
    [
        "older=x",
        "older=12-34",
        "newer=",
        "older=1764548315123456-5-99",
        "older=999999999999999999-5-1",
        "newer=1764548315123456-99999999999999999999-1",
        "older=-1-1-1",
        "older=1764548315123456-5-1&newer=nothing",
    ],
)
def test_a_page_address_that_is_no_page_shows_the_newest_and_says_so(study, owner, query):
    coding.code_create(study=study, name="Learning")
    for response in _page_and_part(client_for(owner), study, query):
        assert response.status_code == 200
        html = response.content.decode()
        said = "The address of that page of the history could not be read" in html
        assert said is (query != "newer=")
        assert [e.split(" · ", 1)[1] for e in events(response)] == ["Code added : “Learning”"]


def test_a_page_whose_records_are_gone_keeps_its_place(study, owner):
    codes = [coding.code_create(study=study, name=f"Code {n:02}") for n in range(60)]
    client = client_for(owner)
    older = _link(client.get(url(study)), "next")
    # The records the key points to and around are erased (as a respondent's erasure
    # does): the next page still starts where it did.
    Code.history.filter(id__in=[code.pk for code in codes[5:15]]).delete()
    response = client.get(url(study) + "?" + older)
    assert [e.split(" · ", 1)[1] for e in events(response)] == [
        f"Code added : “Code {n:02}”" for n in range(4, -1, -1)
    ]
    # Past the oldest record: no older changes, and the way back to the newer ones.
    oldest = Code.history.get(id=codes[0].pk)
    key = Key(oldest.history_date, oldest.history_id, MODELS.index(Code))
    past = client.get(url(study, older=key))
    assert events(past) == []
    assert "No older changes." in text(past)
    assert _link(past, "prev") == f"newer={key}"
    assert _link(past, "next") is None


def _everything(study, owner, n: int):
    """n rounds of changes of every kind, then one more of each: the newest page holds
    every kind whatever n is; then the last round's code, excerpt, theme and memos are
    deleted into the bin."""
    interview = import_text(study, name="R1.txt")
    start = interview.text.index("About")
    words = [m.span() for m in re.finditer(r"\w{4,}", interview.text[start:])]
    for round_ in range(n + 1):
        code = coding.code_create(study=study, name=f"Code {round_}")
        first, last = words[round_]
        excerpt = code_span(interview, (start + first, start + last), [code], owner)
        coding.excerpt_memo_set(excerpt=excerpt, memo="Why", revision=excerpt.revision)
        theme = themes.theme_create(study=study, name=f"Theme {round_}")
        themes.theme_code_attach(theme=theme, code=code)
        themes.theme_update(
            theme=theme, revision=theme.revision, name=f"Theme {round_}!", description="",
            parent=None,
        )  # fmt: skip
        themes.quote_add(theme=theme, excerpt=excerpt)
        notes = [
            memos.memo_create(model=model, author=owner, body="A note", **target)
            for model, target in (
                (JournalEntry, {"study": study}),
                (InterviewMemo, {"interview": interview}),
                (ThemeMemo, {"theme": theme}),
            )
        ]
        interviews.respondent_update(
            respondent=interview.respondent, pseudonym=f"R{round_ + 1}", attributes={}
        )
        interviews.interview_update(
            interview=interview, title=f"Take {round_}", respondent=interview.respondent,
            conducted_on=None,
        )  # fmt: skip
        coding.code_update(
            code=code, revision=code.revision, name=f"Code {round_}!", colour="teal", parent=None
        )
    # The newest transcript record untitled and undated, whatever n is: its name's "(2)"
    # is counted (one query, interviews_named).
    interviews.interview_update(
        interview=interview, title="", respondent=interview.respondent, conducted_on=None
    )
    coding.code_delete(code=code, force=True)
    # The bin holds something of every kind, whatever n is.
    coding.excerpt_delete(excerpt=excerpt, actor=owner)
    for note in notes:
        memos.memo_delete(memo=note, author=owner)
    themes.theme_delete(theme=theme)


@pytest.mark.parametrize("role", ["owner", "reviewer"])
def test_the_page_reads_the_same_queries_however_long_the_history(
    study, owner, reviewer, role, django_assert_num_queries
):
    client = client_for({"owner": owner, "reviewer": reviewer}[role])
    counts = []
    for n in (1, 6):
        Theme.objects.filter(study=study).delete()
        Code.objects.filter(study=study).delete()
        Respondent.objects.filter(study=study).delete()
        DeletedCode.objects.all().delete()
        _everything(study, owner, n)
        with django_assert_num_queries(40) as captured:
            # 1 session, 1 user, 1 membership with its study (access), 1 members; 1 the
            # page (a UNION of the study's records); then each model's records on the page
            # and the records before them: 2 each for codes, codings, excerpts, quotes,
            # transcripts, respondents and the three kinds of memo (a memo on a transcript
            # with its interview's name read in the same query), 3 for themes (with their
            # codes); 4 the names the records point to (codes, excerpts, themes,
            # respondents), 1 the untitled, undated interviews of the respondents of such a
            # transcript's or memo's record (its name's "(2)", interviews_named); the bin: 1 its
            # page's keys with its count (themes.sql), then the items of each kind on the
            # page: 2 excerpts (with their codes), 1 codes, 1 themes, 1 each for journal
            # entries and memos on transcripts (with their interviews and respondents, to
            # name them as the changes do; the theme's memo waits with its theme), 1 the
            # untitled, undated interviews of the respondents of the memos' interviews (the
            # bin's memo is on such an interview: its name's "(2)", interviews_named, apart
            # from the changes' since the bin's page is read apart from theirs); 1 erasures.
            response = client.get(url(study))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_an_older_page_reads_what_the_newest_does(study, owner, django_assert_num_queries):
    for n in range(120):
        coding.code_create(study=study, name=f"Code {n:03}")
    client = client_for(owner)
    older = _link(client.get(url(study) + "?" + _link(client.get(url(study)), "next")), "next")
    with django_assert_num_queries(8):
        # 1 session, 1 user, 1 membership with its study (access), 1 members; 1 the page
        # (the UNION, from its key); 1 the codes' records (each is its code's first: no
        # record before it to read; no name to look up: no parent); 1 the bin's page
        # (empty); 1 erasures.
        last = client.get(url(study) + "?" + older)
    assert len(events(last)) == 20
    middle = client.get(url(study) + "?" + _link(last, "prev"))
    with django_assert_num_queries(9):
        # The same, and 1 more for the page: fewer than a page are newer than the key of
        # the page's Newer link here (the second page's first record), so the newest page
        # is read from the start.
        newest = client.get(url(study) + "?" + _link(middle, "prev"))
    assert len(events(newest)) == 50
    assert "“Code 119”" in events(newest)[0]


def test_a_deleted_theme_comes_back_with_its_links(study, owner, themed):
    training, at_work = themed["training"], themed["at_work"]
    memo = memos.memo_create(model=ThemeMemo, author=owner, body="Keep", theme=training)
    quotes = sorted(training.quotes.values_list("pk", "excerpt_id", "order"))
    client = client_for(owner)
    client.post(reverse("theme_delete", args=[study.slug, training.pk]))
    assert not Theme.objects.filter(pk=training.pk).exists()
    page = client.get(url(study))
    assert f'id="bin-theme-{training.pk}"' in page.content.decode()
    response = client.post(reverse("history_restore", args=[study.slug, "theme", training.pk]))
    assert response.url == url(study) + "#bin"
    theme = Theme.objects.get(pk=training.pk)
    assert theme.name == "Training"
    assert theme.description == "Where it came from."
    assert list(theme.codes.all()) == [themed["codes"][0]]
    # Its quotes (the withdrawn respondent's too: it is still an excerpt), memos, sub-theme.
    assert sorted(Quote.objects.filter(theme=theme).values_list("pk", "excerpt_id", "order")) == (
        quotes
    )
    assert list(ThemeMemo.objects.filter(theme=theme)) == [memo]
    at_work.refresh_from_db()
    assert at_work.parent_id == theme.pk
    again = client.post(reverse("history_restore", args=[study.slug, "theme", training.pk]))
    assert again.status_code == 302
    assert "not deleted" in text(client.get(again.url))


def test_a_theme_is_not_restored_over_one_of_its_name(study, owner):
    theme = themes.theme_create(study=study, name="Support")
    themes.theme_delete(theme=theme)
    themes.theme_create(study=study, name="SUPPORT")
    client = client_for(owner)
    response = client.post(
        reverse("history_restore", args=[study.slug, "theme", theme.pk]), headers=HTMX
    )
    assert response.status_code == 409
    assert "exists now" in response.content.decode()
    assert Theme.objects.filter(study=study).count() == 1


def test_a_deleted_code_is_restored_from_the_history_page(study, owner, interview):
    code = coding.code_create(study=study, name="Learning")
    excerpt = code_span(interview, "never looked back", [code], owner)
    client = client_for(owner)
    client.post(reverse("code_delete", args=[study.slug, code.pk]), {"confirm": "yes"})
    item = DeletedCode.objects.get()
    page = client.get(url(study)).content.decode()
    assert reverse("code_restore", args=[study.slug, item.pk]) in page
    response = client.post(reverse("code_restore", args=[study.slug, item.pk]))
    assert response.url == url(study) + "#bin"
    assert list(excerpt.codings.values_list("code_id", flat=True)) == [code.pk]


def test_the_bin_lists_every_kind_together_newest_deletion_first(study, owner, interview):
    code = coding.code_create(study=study, name="Learning")
    excerpt = code_span(interview, "never looked back", [code], owner)
    theme = themes.theme_create(study=study, name="Support")
    memo = memos.memo_create(model=JournalEntry, author=owner, body="A note", study=study)
    coding.excerpt_delete(excerpt=excerpt, actor=owner)
    coding.code_delete(code=code, force=True, actor=owner)
    themes.theme_delete(theme=theme)
    memos.memo_delete(memo=memo, author=owner)
    # Deletion times in an order unlike that of the kinds and of the deletions.
    now = timezone.now()
    Excerpt.all_objects.filter(pk=excerpt.pk).update(deleted_at=now - timedelta(minutes=1))
    DeletedCode.objects.update(deleted_at=now - timedelta(minutes=3))
    Theme.history.filter(id=theme.pk, history_type="-").update(
        history_date=now - timedelta(minutes=2)
    )
    JournalEntry.objects.filter(pk=memo.pk).update(deleted_at=now - timedelta(minutes=4))
    html = client_for(owner).get(url(study)).content.decode()
    shown = html[html.index('<section id="bin"') : html.index('id="changes-heading"')]
    assert re.findall(r'<tr id="bin-([a-z-]+)-\d+"', shown) == [
        "excerpt",
        "theme",
        "code",
        "memo-journal",
    ]


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("", 1), ("2", 2), ("3", 2), ("0", 1), ("x", 1), ("99999999999999999999", 2)],
)
def test_a_page_of_the_bin_past_the_last_shows_the_last(study, owner, asked, shown):
    for n in range(BIN_PER_PAGE + 1):
        coding.code_delete(code=coding.code_create(study=study, name=f"Code {n}"), force=True)
    html = client_for(owner).get(url(study, bin_page=asked)).content.decode()
    part = html[html.index('<section id="bin"') : html.index('id="changes-heading"')]
    assert part.count("<tr id=") == (BIN_PER_PAGE if shown == 1 else 1)
    assert f"of {BIN_PER_PAGE + 1}, newest first" in part


def test_only_its_author_restores_a_memo(study, owner, coder):
    memo = memos.memo_create(model=JournalEntry, author=coder, body="Mine", study=study)
    memos.memo_delete(memo=memo, author=coder)
    restore = reverse("history_restore", args=[study.slug, "memo-journal", memo.pk])
    assert restore not in client_for(owner).get(url(study)).content.decode()
    assert client_for(owner).post(restore).status_code == 403
    assert restore in client_for(coder).get(url(study)).content.decode()
    assert client_for(coder).post(restore).status_code == 302
    memo.refresh_from_db()
    assert memo.deleted_at is None


def test_the_old_bin_address_leads_to_the_history_page(study, owner):
    response = client_for(owner).get(reverse("bin", args=[study.slug]))
    assert response.url == url(study) + "#bin"
    nav = client_for(owner).get(url(study)).content.decode()
    assert ">Bin</a>" not in nav
    assert ">History</a>" in nav


# A pseudonym that no random token on the page (the CSRF token, a nonce) can spell by chance,
# as "R9" once did.
ERASED = "Wanda Withdrawn"


def test_a_reviewer_reads_what_changed_but_not_file_names_nor_erasure_notes(
    study, owner, reviewer
):
    interview = import_text(study, name="R1 Maria Lopez 2026-03-02.txt")
    interviews.interview_update(
        interview=interview, title="First", respondent=interview.respondent, conducted_on=None
    )
    code = coding.code_create(study=study, name="Learning")
    coding.code_delete(code=code, force=True)
    other = interviews.respondent_create(study=study, pseudonym=ERASED)
    interviews.respondent_withdraw(respondent=other)
    respondent_erase(respondent=other, typed=ERASED, note="Asked by phone")
    as_owner = client_for(owner).get(url(study)).content.decode()
    as_reviewer = client_for(reviewer).get(url(study))
    html = as_reviewer.content.decode()
    assert "Asked by phone" in as_owner
    assert "Asked by phone" not in html
    assert "Maria" not in html
    assert "Code deleted" in text(as_reviewer)
    assert RESTORE_BUTTON in as_owner
    assert RESTORE_BUTTON not in html
    # Every record of the erased respondent went with them.
    assert ERASED not in html
    assert ERASED not in as_owner


def test_a_restore_reads_as_a_restore_not_a_second_deletion(study, owner, interview):
    """Each thing deleted then brought back reads "deleted" then "restored" on the page:
    an excerpt and a memo (their deletion a change of their row), a code and a theme (their
    row written again from the bin)."""
    code = coding.code_create(study=study, name="Learning")
    excerpt = code_span(interview, "never looked back", [code], owner)
    theme = themes.theme_create(study=study, name="Support")
    memo = memos.memo_create(model=ThemeMemo, author=owner, body="Keep", theme=theme)
    coding.excerpt_delete(excerpt=excerpt, actor=owner)
    coding.excerpt_restore(excerpt=Excerpt.all_objects.get(pk=excerpt.pk))
    memos.memo_delete(memo=memo, author=owner)
    memos.memo_restore(memo=memo, author=owner)
    coding.code_delete(code=code, force=True, actor=owner)
    client = client_for(owner)
    client.post(reverse("code_restore", args=[study.slug, DeletedCode.objects.get().pk]))
    themes.theme_delete(theme=theme)
    client.post(reverse("history_restore", args=[study.slug, "theme", theme.pk]))
    shown = events(client.get(url(study)))
    for noun, label in [
        ("Theme", "“Support”"),
        ("Code", "“Learning”"),
        ("Memo on a theme", "“Keep”"),
        ("Excerpt", "“never looked back”"),
    ]:
        # "1 Dec 2026, 14:17 · Excerpt deleted: “never looked back” by …", newest first.
        actions = [
            re.match(rf".*? · {noun} (\w+) ?: ", event)[1]
            for event in shown
            if re.match(rf".*? · {noun} (added|deleted|restored) ?: {label}", event)
        ]
        assert actions[:2] == ["restored", "deleted"], (noun, shown)


def test_a_code_added_to_or_taken_out_of_a_theme_is_named(study, owner):
    theme = themes.theme_create(study=study, name="Relationships with clients")
    code = coding.code_create(study=study, name="Self-care practices")
    themes.theme_code_attach(theme=theme, code=code)
    themes.theme_code_detach(theme=theme, code=code)
    shown = [e for e in events(client_for(owner).get(url(study))) if "Theme changed" in e]
    assert len(shown) == 2
    assert "Codes Self-care practices → —" in shown[0]
    assert "Codes — → Self-care practices" in shown[1]
    assert "?" not in " ".join(shown)


def test_a_respondent_s_attributes_show_only_what_changed_by_name(study, owner):
    respondent = interviews.respondent_create(study=study, pseudonym="R8")
    respondent.attributes = {"Years of experience": 7, "Agency": "Agency E", "Gender": "Man"}
    respondent.save()
    respondent.attributes = {"Years of experience": 8, "Agency": "Agency E"}
    respondent.save()
    newest = events(client_for(owner).get(url(study)))[0]
    assert "Respondent changed" in newest
    assert "Years of experience “7” → “8”" in newest
    assert "Gender “Man” → removed" in newest
    assert "Agency" not in newest.replace("Agency E", "")
    assert "{" not in newest

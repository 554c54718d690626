"""The memos page and the writing of memos and journal entries (themes/views/memos.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from coding import bin
from coding import services as coding
from coding.models import Code, CodeMemo, DeletedCode
from core.limits import LONGEST
from core.stale import text_token
from interviews import memos
from interviews import services as interviews
from interviews.models import InterviewMemo, JournalEntry
from tests.conftest import HTMX, client_for
from themes import services as themes
from themes.memos import MemoFilter, MemoListing, study_memos
from themes.models import ThemeMemo


def url(study, name, *args):
    return reverse(name, args=[study.slug, *args])


@pytest.fixture
def memoed(study, owner, coder, interview, code, excerpt):
    """One memo of every kind: the owner's journal entry, interview and code memos, the
    coder's theme memo, and the owner's memo on an excerpt."""
    theme = themes.theme_create(study=study, name="Support")
    made = {
        "journal": memos.memo_create(
            model=JournalEntry,
            author=owner,
            body="I expected burnout; check that bias.",
            study=study,
        ),
        "interview": memos.memo_create(
            model=InterviewMemo,
            author=owner,
            body="Noisy café, hard to hear.",
            interview=interview,
        ),
        "code": memos.memo_create(
            model=CodeMemo, author=owner, body="Training now includes peer learning.", code=code
        ),
        "theme": memos.memo_create(
            model=ThemeMemo, author=coder, body="Is this two themes?", theme=theme
        ),
    }
    coding.excerpt_memo_set(
        excerpt=excerpt, memo="Key quote for Q2.", revision=excerpt.revision, author=owner
    )
    return {**made, "theme_object": theme, "excerpt": excerpt}


def test_it_lists_every_kind_of_memo_with_where_it_belongs(
    study, memoed, reviewer, interview, code
):
    html = client_for(reviewer).get(url(study, "memos")).content.decode()
    for text in (
        "I expected burnout; check that bias.",
        "Noisy café, hard to hear.",
        "Training now includes peer learning.",
        "Is this two themes?",
        "Key quote for Q2.",
    ):
        assert text in html
    assert "<strong>5</strong> memos" in html
    assert f'href="{url(study, "interview_code", interview.pk)}#x{memoed["excerpt"].pk}"' in html
    assert f'href="{url(study, "theme_detail", memoed["theme_object"].pk)}#memos"' in html
    # A reviewer reads a code memo at the code's row, a writer in the code's editor.
    assert f'href="{url(study, "codebook")}#code-{code.pk}"' in html
    assert "New journal entry" not in html
    assert "Edit</summary>" not in html


def test_a_withdrawn_respondent_s_memos_are_neither_listed_nor_counted(
    study, memoed, owner, interview
):
    """A withdrawn respondent counts nowhere: the memos page listed and counted the memos
    on their interview and excerpts ("31 memos"), which the memos .docx and the excerpts
    .xlsx leave out. They are left out of the page too, and come back on reinstatement."""
    client = client_for(owner)
    interviews.respondent_withdraw(respondent=interview.respondent)
    html = client.get(url(study, "memos")).content.decode()
    assert "<strong>3</strong> memos" in html
    assert "Noisy café, hard to hear." not in html
    assert "Key quote for Q2." not in html
    assert "I expected burnout; check that bias." in html
    listed = client.get(url(study, "memos"), {"kind": "excerpt"}).content.decode()
    assert "Key quote for Q2." not in listed
    interviews.respondent_reinstate(respondent=interview.respondent)
    assert "<strong>5</strong> memos" in client.get(url(study, "memos")).content.decode()


def test_it_filters_by_kind_author_date_and_words(study, memoed, owner, coder):
    client = client_for(owner)
    page = lambda **query: client.get(url(study, "memos"), query).content.decode()  # noqa: E731
    assert "<strong>1</strong> memo<" in page(kind="journal")
    assert "<strong>2</strong> memos" in page(kind=["journal", "theme"])
    only_coder = page(author=coder.pk)
    assert "Is this two themes?" in only_coder
    assert "burnout" not in only_coder
    words = page(q="PEER training")
    assert "<strong>1</strong> memo<" in words
    assert "peer learning" in words
    assert "<strong>0</strong> memos" in page(q="peer nothing")
    today = timezone.localdate()
    assert "<strong>5</strong> memos" in page(since=today.isoformat(), until=today.isoformat())
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert "<strong>0</strong> memos" in page(since=tomorrow)
    # A filter to correct lists nothing: listing memos under the error would read as the
    # answer to the filter (a date that is not one, an unknown kind or author, a first day
    # after the last).
    for wrong, said in [
        ({"since": "soon", "kind": "code"}, "Enter a valid date"),
        ({"kind": "nonsense"}, "Select a valid choice"),
        ({"author": "999999"}, "Select a valid choice"),
        (
            {"since": "2030-01-01", "until": "2020-01-01"},
            # Quoted words are isolated, as every quoted name (core.templatetags.bidi).
            "The “<bdi>Written since</bdi>” date is after the “<bdi>Written until</bdi>” date.",
        ),
    ]:
        for answer in (page(**wrong), client.get(url(study, "memos"), wrong, headers=HTMX).text):
            assert "The filter needs correcting; nothing was searched." in answer
            assert said in answer
            assert "burnout" not in answer
            assert "memo-item" not in answer


def test_it_answers_htmx_with_the_results_only(study, memoed, owner):
    response = client_for(owner).get(url(study, "memos"), {"kind": "code"}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="memo-results"' in html
    assert "peer learning" in html
    assert "burnout" not in html


@pytest.mark.parametrize(("extra", "queries"), [(0, 9), (30, 7)])
def test_the_memos_page_queries_do_not_grow(
    study, memoed, owner, code, interview, extra, queries, django_assert_num_queries
):
    for n in range(extra):
        memos.memo_create(model=JournalEntry, author=owner, body=f"Entry {n}", study=study)
        memos.memo_create(model=CodeMemo, author=owner, body=f"Code memo {n}", code=code)
    client = client_for(owner)
    # session, user, study+role, the members for the author filter, the count of the
    # UNION of the five kinds (narrow rows), the page of it (narrow rows), the whole rows
    # of that page's memos, and the names of their interviews when a memo on an interview
    # is on the page (themes.memos.interview_labels), with the import times of their
    # respondents' untitled, undated interviews (interviews_named: the imported one is):
    # with 30 newer of each kind, the memo on the interview is past the pages asked for
    with django_assert_num_queries(queries):
        response = client.get(url(study, "memos"), {"q": "e", "author": owner.pk, "page": "1"})
    assert response.status_code == 200
    with django_assert_num_queries(queries):
        response = client.get(url(study, "memos"), {"page": "2"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "memo_filter",
    [MemoFilter(), MemoFilter(words=("e",)), MemoFilter(kinds=("code", "excerpt", "theme"))],
)
def test_the_listing_pages_as_the_whole_query_slices(study, memoed, owner, code, memo_filter):
    # Memos written at the same moment (ties on the date) of several kinds, so that the
    # order's later keys decide; every window of the listing is the whole query's.
    moment = timezone.now()
    for n in range(7):
        memos.memo_create(model=CodeMemo, author=owner, body=f"Code memo {n}", code=code)
        memos.memo_create(model=JournalEntry, author=owner, body=f"Entry {n}", study=study)
    CodeMemo.objects.update(created_at=moment)
    JournalEntry.objects.update(created_at=moment)
    whole = list(study_memos(study, memo_filter))
    listing = MemoListing(study, memo_filter)
    assert listing.count() == len(whole) > 3
    for start, stop in [(0, 5), (5, 10), (3, 4), (0, 100), (len(whole), len(whole) + 5)]:
        assert listing[start:stop] == whole[start:stop]


def test_it_pages_newest_first(study, owner, settings):
    for n in range(30):
        memos.memo_create(model=JournalEntry, author=owner, body=f"Entry number {n}.", study=study)
    client = client_for(owner)
    first = client.get(url(study, "memos"), {"kind": "journal"}).content.decode()
    second = client.get(url(study, "memos"), {"kind": "journal", "page": "2"}).content.decode()
    assert "Entry number 29." in first
    assert "Entry number 4." not in first
    assert "Entry number 4." in second
    assert "Entry number 29." not in second
    assert "kind=journal&amp;page=2" in first


def test_user_text_is_escaped(study, owner):
    memos.memo_create(
        model=JournalEntry, author=owner, body="<script>alert(1)</script>\nline", study=study
    )
    html = client_for(owner).get(url(study, "memos")).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>line" in html


def test_a_writer_adds_a_journal_entry_and_a_code_memo(study, coder, code):
    client = client_for(coder)
    response = client.post(
        url(study, "journal"), {"body": "Chose to merge two codes.", "next": url(study, "memos")}
    )
    assert response.status_code == 302
    assert response["Location"] == url(study, "memos")
    entry = JournalEntry.objects.get()
    assert (entry.author, entry.body, entry.study) == (coder, "Chose to merge two codes.", study)
    response = client.post(
        url(study, "memo_panel", "code", code.pk), {"body": "A memo\x0b."}, headers=HTMX
    )
    assert "<html" not in response.content.decode()
    assert "A memo<br>." in response.content.decode()
    assert CodeMemo.objects.get().body == "A memo\n."


def test_an_empty_memo_is_refused_with_a_message(study, coder, code):
    response = client_for(coder).post(
        url(study, "memo_panel", "code", code.pk), {"body": "  "}, headers=HTMX
    )
    assert "A memo needs some words" in response.content.decode()
    assert not CodeMemo.objects.exists()


def test_an_outside_redirect_is_not_followed(study, coder):
    response = client_for(coder).post(
        url(study, "journal"), {"body": "x", "next": "https://evil.example/"}
    )
    assert response["Location"] == url(study, "journal")


def test_a_reviewer_reads_the_panels_but_never_writes(study, memoed, reviewer, code):
    client = client_for(reviewer)
    html = client.get(url(study, "memo_panel", "code", code.pk), headers=HTMX).content.decode()
    assert "peer learning" in html
    assert "New memo" not in html
    assert client.post(url(study, "journal"), {"body": "x"}).status_code == 403
    assert client.post(url(study, "memo_panel", "code", code.pk), {"body": "x"}).status_code == 403
    entry = memoed["journal"]
    for name in ("memo_edit", "memo_delete", "memo_restore"):
        assert client.post(url(study, name, "journal", entry.pk), {"body": "x"}).status_code == 403
    assert JournalEntry.objects.get().body == entry.body


def test_only_the_author_changes_a_memo(study, memoed, coder, owner):
    entry = memoed["journal"]
    client = client_for(coder)
    assert (
        client.post(url(study, "memo_edit", "journal", entry.pk), {"body": "Mine now"}).status_code
        == 403
    )
    assert client.post(url(study, "memo_delete", "journal", entry.pk)).status_code == 403
    entry.refresh_from_db()
    assert entry.body.startswith("I expected")
    assert entry.deleted_at is None
    response = client_for(owner).post(
        url(study, "memo_edit", "journal", entry.pk), {"body": "I expected burnout."}, headers=HTMX
    )
    assert "I expected burnout." in response.content.decode()
    entry.refresh_from_db()
    assert entry.body == "I expected burnout."
    assert entry.updated_at >= entry.created_at


def test_deleting_a_memo_can_be_undone(study, memoed, owner):
    memo = memoed["interview"]
    client = client_for(owner)
    html = client.post(
        url(study, "memo_delete", "interview", memo.pk), headers=HTMX
    ).content.decode()
    assert "Memo deleted; it waits in the bin on the History page." in html
    assert url(study, "memo_restore", "interview", memo.pk) in html
    assert "Noisy café" not in client.get(url(study, "memos")).content.decode()
    html = client.post(
        url(study, "memo_restore", "interview", memo.pk), headers=HTMX
    ).content.decode()
    assert "Noisy café" in html
    memo.refresh_from_db()
    assert memo.deleted_at is None


def test_deleted_memos_are_erased_after_the_bin_days(study, owner, settings):
    settings.EXCERPTA_BIN_DAYS = 10
    old = memos.memo_create(model=JournalEntry, author=owner, body="old", study=study)
    memos.memo_delete(memo=old, author=owner)
    JournalEntry.objects.filter(pk=old.pk).update(
        deleted_at=old.deleted_at - dt.timedelta(days=11)
    )
    new = memos.memo_create(model=JournalEntry, author=owner, body="new", study=study)
    memos.memo_delete(memo=new, author=owner)
    assert list(JournalEntry.objects.values_list("body", flat=True)) == ["new"]


def test_strangers_and_other_studies_are_refused(study, memoed, stranger, other_study, owner):
    assert client_for(stranger).get(url(study, "memos")).status_code == 404
    theme = memoed["theme_object"]
    # A memo or a target of one study is not found through another.
    other = client_for(other_study.memberships.get().user)
    assert (
        other.get(reverse("memo_panel", args=[other_study.slug, "theme", theme.pk])).status_code
        == 404
    )
    client = client_for(owner)
    assert client.get(url(study, "memo_panel", "excerpt", 1)).status_code == 404
    assert client.get(url(study, "memo_panel", "nonsense", 1)).status_code == 404


def test_the_excerpt_memo_keeps_its_writer(study, memoed, owner):
    excerpt = memoed["excerpt"]
    excerpt.refresh_from_db()
    assert excerpt.memo_by == owner
    assert excerpt.memo_at is not None


def test_a_code_memo_waits_with_its_code_in_the_bin_and_follows_a_merge(
    study, memoed, owner, code
):
    other = coding.code_create(study=study, name="Peer learning")
    code_id = code.pk
    coding.code_delete(code=code, force=True, actor=owner)
    client = client_for(owner)
    assert "includes peer learning." not in client.get(url(study, "memos")).content.decode()
    bin.code_restore(item=DeletedCode.objects.get())
    assert "includes peer learning." in client.get(url(study, "memos")).content.decode()
    coding.code_merge(source=Code.objects.get(pk=code_id), target=other)
    assert CodeMemo.objects.get().code_id == other.pk
    assert "includes peer learning." in client.get(url(study, "memos")).content.decode()


def test_a_code_memo_is_erased_when_its_code_leaves_the_bin(study, memoed, owner, code, settings):
    coding.code_delete(code=code, force=True, actor=owner)
    bin.purge()
    assert CodeMemo.objects.exists()
    settings.EXCERPTA_BIN_DAYS = 0
    bin.purge(now=timezone.now() + dt.timedelta(seconds=1))
    assert not CodeMemo.objects.exists()


@pytest.mark.parametrize("kind", ["journal", "interview", "code", "theme"])
def test_a_refused_plain_edit_keeps_its_text_in_the_open_form(study, memoed, owner, coder, kind):
    memo = memoed[kind]
    author = coder if kind == "theme" else owner
    typed = "Rewritten <b>twice</b>, " + "very long " * (LONGEST // 10 + 1)
    response = client_for(author).post(
        url(study, "memo_edit", kind, memo.pk), {"body": typed, "next": url(study, "memos")}
    )
    # The memos on the memo's target, whole, with its form open holding the refused text.
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    item = html[html.index(f'id="memo-{kind}-{memo.pk}"') :]
    item = item[: item.index("</article>")]
    assert "<details open>" in item
    assert "A memo holds at most 20,000 characters" in item
    assert escape(typed) in item
    memo.refresh_from_db()
    assert memo.body != typed


def test_a_refused_htmx_edit_keeps_its_text_in_the_open_form(study, memoed, owner):
    memo = memoed["code"]
    response = client_for(owner).post(
        url(study, "memo_edit", "code", memo.pk), {"body": "   "}, headers=HTMX
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "<details open>" in html
    assert "A memo needs some words" in html


def test_an_edit_of_a_memo_deleted_meanwhile_keeps_its_text_as_a_new_memo(study, memoed, owner):
    memo = memoed["interview"]
    memos.memo_delete(memo=memo, author=owner)
    client = client_for(owner)
    response = client.post(url(study, "memo_edit", "interview", memo.pk), {"body": "Still <3"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "That memo was deleted meanwhile" in html
    assert "add it as a new memo" in html
    assert ">Still &lt;3</textarea>" in html
    # htmx leaves the text where it is typed, and says why.
    response = client.post(
        url(study, "memo_edit", "interview", memo.pk), {"body": "Still"}, headers=HTMX
    )
    assert response.status_code == 404
    assert "That memo was deleted meanwhile" in response.content.decode()
    assert response["HX-Reswap"] == "none"


def test_an_edit_of_a_memo_gone_for_good_shows_its_text_on_the_error_page(study, memoed, owner):
    memo = memoed["code"]
    CodeMemo.objects.filter(pk=memo.pk).delete()
    response = client_for(owner).post(
        url(study, "memo_edit", "code", memo.pk), {"body": "Keep me <i>"}
    )
    assert response.status_code == 404
    html = response.content.decode()
    assert "What you typed was not saved" in html
    assert ">Keep me &lt;i&gt;</textarea>" in html


def test_a_memo_restored_twice_says_it_was_restored_already(study, memoed, owner):
    """Its Undo pressed again (in a second tab, say) said "Memo restored." as if it had
    done something: it says the memo was restored already, on the page it came from."""
    memo = memoed["interview"]
    client = client_for(owner)
    page = url(study, "memos")
    client.post(url(study, "memo_delete", "interview", memo.pk), {"next": page}, follow=True)
    restore = url(study, "memo_restore", "interview", memo.pk)
    response = client.post(restore, {"next": page}, follow=True)
    assert "Memo restored." in response.content.decode()
    response = client.post(restore, {"next": page}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    html = response.content.decode()
    assert "That memo was restored already; nothing was changed." in html
    assert "Memo restored." not in html
    assert "Noisy café" in html
    response = client.post(restore, headers=HTMX)
    assert response.status_code == 409
    assert "That memo was restored already" in response.content.decode()


def test_a_memo_deleted_without_javascript_offers_its_undo(study, memoed, owner):
    """With htmx the deleted memo offers Undo in its place; after a plain form the message
    said it was deleted with no Undo. It has one now, a plain form that restores it."""
    from tests.coding.test_views_undo import UNDO_FORM

    memo = memoed["interview"]
    client = client_for(owner)
    page = url(study, "memos")
    response = client.post(
        url(study, "memo_delete", "interview", memo.pk), {"next": page}, follow=True
    )
    assert response.redirect_chain == [(page, 302)]
    html = response.content.decode()
    assert "Memo deleted; it waits in the bin on the History page." in html
    (_, action, back) = UNDO_FORM.search(html).groups()
    assert (action, back) == (url(study, "memo_restore", "interview", memo.pk), page)
    response = client.post(action, {"next": back}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert "Memo restored." in response.content.decode()
    assert "Noisy café" in response.content.decode()
    memo.refresh_from_db()
    assert memo.deleted_at is None


def _edit(client, study, kind, memo, body, seen, **extra):
    data = {"body": body, "seen": seen, "next": url(study, "memos")}
    return client.post(url(study, "memo_edit", kind, memo.pk), data, **extra)


@pytest.mark.parametrize("kind", ["journal", "interview", "code", "theme"])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_stale_memo_edit_keeps_its_text_replaces_nothing_and_a_second_save_replaces(
    study, memoed, owner, coder, kind, htmx
):
    """Two tabs on the same memo's Edit form: tab B saved, then tab A's save replaced B's
    text without a word. Tab A is now refused, its text kept in the box beside B's; saving
    it again (the form's token now B's) replaces B's."""
    memo = memoed[kind]
    author = coder if kind == "theme" else owner
    client = client_for(author)
    drawn = text_token(memo.body)
    extra = {"headers": HTMX} if htmx else {}
    assert _edit(client, study, kind, memo, "Tab B's <words>", drawn, **extra).status_code in (
        200,
        302,
    )

    for typed in ("Tab A's <text>", "Tab A's second <try>"):
        response = _edit(client, study, kind, memo, typed, drawn, **extra)
        assert response.status_code == 200
        html = response.content.decode()
        item = html[html.index(f'id="memo-{kind}-{memo.pk}"') :]
        item = item[: item.index("</article>")]
        assert "<details open>" in item
        theirs = "<q>Tab B&#x27;s &lt;words&gt;</q>"
        assert f"Saved meanwhile, in another tab or window: {theirs}" in item
        assert "Your text is in the box; saving it replaces that." in item
        assert f">{escape(typed)}</textarea>" in item
        assert f'name="seen" value="{text_token("Tab B" + chr(39) + "s <words>")}"' in item
        memo.refresh_from_db()
        assert memo.body == "Tab B's <words>"

    again = _edit(client, study, kind, memo, "Tab A's <text>", text_token(memo.body), **extra)
    assert again.status_code in (200, 302)
    memo.refresh_from_db()
    assert memo.body == "Tab A's <text>"

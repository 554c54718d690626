from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coding import services
from coding import services as coding
from coding.models import Code, Coding, Excerpt, UndoEntry
from core.errors import Conflict
from tests.conftest import HTMX, client_for, code_span, selection


def page_url(interview):
    return reverse("interview_code", args=[interview.study.slug, interview.pk])


def create_url(interview):
    return reverse("excerpt_create", args=[interview.study.slug, interview.pk])


def test_the_coding_page_shows_the_transcript_highlights_and_excerpts(excerpt, owner):
    response = client_for(owner).get(page_url(excerpt.interview))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-x="{excerpt.pk}"' in html
    assert f'id="ex-{excerpt.pk}"' in html
    assert 'id="q-1"' in html
    assert 'id="q-2"' in html
    assert '<b class="who">Interviewer:</b>' in html
    assert 'id="code-panel"' in html


def test_a_reviewer_sees_the_page_without_the_coding_tools(excerpt, reviewer):
    html = client_for(reviewer).get(page_url(excerpt.interview)).content.decode()
    assert f'data-x="{excerpt.pk}"' in html
    assert 'id="code-panel"' not in html
    assert "data-can-write" not in html


@pytest.mark.parametrize("extra", [0, 40])
def test_the_coding_page_queries_do_not_grow_with_excerpts(
    interview, code, owner, extra, django_assert_num_queries
):
    words = interview.text.split(" ")
    position = 0
    for word in words[:extra]:
        start = interview.text.index(word, position)
        position = start + len(word)
        # Every word but line breaks and speaker labels (a label alone cannot be coded).
        if word.strip() and "\n" not in word and not word.endswith(":"):
            code_span(interview, (start, position), [code])
    client = client_for(owner)
    # session, user, the interview with its study and the user's role, respondent, codes,
    # excerpts with their codes, question markers, sibling interviews
    with django_assert_num_queries(8):
        assert client.get(page_url(interview)).status_code == 200


def test_coding_a_selection_makes_exactly_its_queries(
    interview, code, owner, django_assert_num_queries
):
    client = client_for(owner)
    data = {**selection(interview, "Café regulars"), "code": code.pk}
    # session, user, the interview with its study and the user's role; the service's
    # transaction (a savepoint in tests, BEGIN on a server): the study's revision moved on
    # (first: interviews.revisions); the transcript's version and the codes chosen held,
    # with the excerpt of the same span if any, the codes' names and colours and the
    # excerpts' bounds (one statement: sql.selection_checks); the excerpt and its coding
    # inserted, each with its history record (interviews.history); the undo entry
    # (coding.undo.keep_noted: committed with the coding); its release (COMMIT on a
    # server: not a query); for the redraw: the excerpts of the lines redrawn with their
    # codes. The study's codes are not read: no new code was typed.
    with django_assert_num_queries(13) as queries:
        response = client.post(create_url(interview), data, headers=HTMX)
    assert response.status_code == 200
    assert Excerpt.objects.get().codings.get().code == code
    # The interview is read without the count that names a respondent's untitled
    # interviews apart (interviews_named): the answer names no interview.
    [read] = [
        q["sql"] for q in queries.captured_queries if '"interviews_interview"."text"' in q["sql"]
    ]
    assert read.count("SELECT") == 1, read


def test_coding_a_selection_leaves_the_history_records_of_its_rows(interview, code, owner):
    # The excerpt and its codings are written in bulk (bulk_create), their records by
    # interviews.history.records_insert: they must be what simple-history would have
    # written: the row, who, what, where.
    other = coding.code_create(study=interview.study, name="Peer support")
    data = {**selection(interview, "Café regulars"), "code": [code.pk, other.pk]}
    response = client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert response.status_code == 200
    excerpt = Excerpt.objects.get()
    [record] = excerpt.history.all()
    assert (record.history_type, record.history_user, record.history_study_id) == (
        "+",
        owner,
        interview.study_id,
    )
    assert (record.start, record.end, record.text) == (excerpt.start, excerpt.end, excerpt.text)
    assert record.created_at == excerpt.created_at
    codings = {c.pk: c for c in excerpt.codings.all()}
    records = Coding.history.filter(excerpt_id=excerpt.pk)
    assert sorted(r.id for r in records) == sorted(codings)
    for record in records:
        assert (record.history_type, record.history_user) == ("+", owner)
        assert record.code_id == codings[record.id].code_id
        assert record.created_at == codings[record.id].created_at
        assert record.history_study_id == interview.study_id


def test_coding_a_selection_leaves_no_record_with_the_history_off(
    interview, code, owner, settings
):
    settings.SIMPLE_HISTORY_ENABLED = False
    data = {**selection(interview, "Café regulars"), "code": code.pk}
    response = client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert response.status_code == 200
    assert Excerpt.objects.get().codings.get().code == code
    assert not Excerpt.history.exists()
    assert not Coding.history.exists()


def test_coding_a_selection_answers_with_just_what_changed(interview, code, owner):
    data = {**selection(interview, "Café regulars"), "code": code.pk}
    response = client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert response.status_code == 200
    excerpt = Excerpt.objects.get()
    assert excerpt.text == "Café regulars"
    html = response.content.decode()
    line_start = interview.text.rindex("\n", 0, excerpt.start) + 1
    assert (
        f'<p id="p-{line_start}" class="t-r ts" data-o="{line_start}" hx-swap-oob="true">' in html
    )
    assert html.count("<p id=") == 1, "only the touched line is sent"
    assert f'data-x="{excerpt.pk}"' in html
    assert 'hx-swap-oob="beforeend:#excerpt-list"' in html
    assert "Coded as “<bdi>Training</bdi>”." in html
    assert json.loads(response["HX-Trigger"]) == {"excerptSaved": excerpt.pk}


def test_coding_a_selection_redraws_its_cluster_of_lines_as_the_page_draws_them(
    interview, code, owner
):
    # The answer reads the excerpts' bounds with the selection's checks and the redrawn
    # excerpts with their codes (not the study's codes): the lines it sends must be the
    # page's own, the line reached only through an overlapping excerpt included, each
    # excerpt's codes named in codebook order.
    alpha = coding.code_create(study=interview.study, name="Alpha <b>", colour="amber")
    code_span(interview, "regulars, people like that.\nThey come back", [code, alpha])
    client = client_for(owner)
    data = {**selection(interview, "Café regulars"), "code": alpha.pk}
    response = client.post(create_url(interview), data, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    page = client.get(page_url(interview)).content.decode()
    lines = [f"<p id={piece.split('</p>')[0]}</p>" for piece in html.split("<p id=")[1:]]
    assert len(lines) == 2, "the touched line and the one its overlapping excerpt reaches"
    for line in lines:
        assert line.replace(' hx-swap-oob="true"', "") in page
    assert "Alpha &lt;b&gt;" in html
    assert "Alpha <b>" not in html
    assert "Coded as “<bdi>Alpha &lt;b&gt;</bdi>”." in html


def test_a_new_excerpt_carries_its_place_in_text_order_for_the_side_list(interview, code, owner):
    data = {**selection(interview, "About six years"), "code": code.pk}
    html = client_for(owner).post(create_url(interview), data, headers=HTMX).content.decode()
    excerpt = Excerpt.objects.get()
    assert f'data-start="{excerpt.start}" data-end="{excerpt.end}"' in html


def test_a_selection_on_an_old_version_is_refused_with_a_message(interview, code, owner):
    data = {**selection(interview, "Café regulars"), "code": code.pk, "version": 0}
    response = client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert response.status_code == 409
    assert response["HX-Reswap"] == "none"
    assert "edited after you opened it" in response.content.decode()
    assert not Excerpt.objects.exists()


def test_a_forged_range_is_refused(interview, code, owner):
    data = {**selection(interview, "Café regulars"), "code": code.pk, "text": "Something else"}
    response = client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert response.status_code == 409
    assert "does not match the transcript" in response.content.decode()
    data = {**selection(interview, "Café"), "end": 99999, "code": code.pk}
    response = client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert response.status_code == 400
    assert "outside the transcript" in response.content.decode()
    assert not Excerpt.objects.exists()


def test_an_empty_selection_is_refused(interview, code, owner):
    data = {"start": "", "end": "", "text": "", "version": 1, "code": code.pk}
    response = client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert response.status_code == 400
    assert "Select a passage" in response.content.decode()


def test_a_code_can_be_created_on_the_spot(interview, code, owner):
    data = {**selection(interview, "Café regulars"), "new_code": "Regulars"}
    html = client_for(owner).post(create_url(interview), data, headers=HTMX).content.decode()
    created = Code.objects.get(name="Regulars")
    assert list(Excerpt.objects.get().codings.values_list("code", flat=True)) == [created.pk]
    assert 'id="code-options"' in html
    assert "hx-swap-oob" in html
    # Typing an existing name in another case reuses the code rather than duplicating it.
    data = {**selection(interview, "They come back"), "new_code": "training"}
    client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert Code.objects.filter(name__iexact="training").count() == 1


@pytest.mark.parametrize("typed", ["Training\u200b", "\u2067Training\u2069", "Train\u200ding"])
def test_a_new_code_typed_with_invisible_characters_is_the_code_of_that_name(
    interview, code, owner, typed
):
    data = {**selection(interview, "Café regulars"), "new_code": typed}
    client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert list(Code.objects.values_list("name", flat=True)) == ["Training"]
    assert list(Excerpt.objects.get().codings.values_list("code", flat=True)) == [code.pk]


@pytest.mark.parametrize("typed", ["Trainng", "trainig", "TRAINING S"])
def test_a_new_name_close_to_a_code_is_asked_about_and_nothing_saved(
    interview, code, owner, typed
):
    data = {**selection(interview, "Café regulars"), "new_code": typed}
    response = client_for(owner).post(create_url(interview), data, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert "HX-Trigger" not in response  # no excerptSaved: the picker stays open
    assert 'id="picker-warning"' in html
    assert f'data-use-code="{code.pk}"' in html
    assert "data-confirm-new" in html
    assert list(Code.objects.values_list("name", flat=True)) == ["Training"]
    assert not Excerpt.objects.exists()
    # Confirmed, the new name is created.
    data["confirm_new"] = "1"
    client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert Code.objects.filter(name=typed).exists()
    assert Excerpt.objects.count() == 1


def test_adding_a_close_new_name_to_an_excerpt_is_asked_about_too(excerpt, code, owner):
    url = reverse("excerpt_codes_add", args=[excerpt.interview.study.slug, excerpt.pk])
    response = client_for(owner).post(url, {"new_code": "Trainig"}, headers=HTMX)
    assert 'id="picker-warning"' in response.content.decode()
    assert list(Code.objects.values_list("name", flat=True)) == ["Training"]
    assert list(excerpt.codings.values_list("code__name", flat=True)) == ["Training"]


def test_a_close_new_name_from_a_plain_form_is_refused_on_a_whole_page(interview, code, owner):
    """The warning's buttons work in the picker only: without htmx the same words come on
    the site's page, never as the picker's bare fragment, and nothing is saved."""
    data = {**selection(interview, "Café regulars"), "new_code": "Trainig"}
    response = client_for(owner).post(create_url(interview), data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "<html" in html
    assert "“<bdi>Trainig</bdi>” looks like “<bdi>Training</bdi>”. Nothing was saved." in html
    assert 'id="picker-warning"' not in html
    assert list(Code.objects.values_list("name", flat=True)) == ["Training"]
    assert not Excerpt.objects.exists()


def test_an_excerpt_changed_by_a_plain_form_goes_back_to_its_page_saying_what_was_done(
    excerpt, code, owner
):
    """Memo, resize and delete posted without htmx: back to the coding page (never the
    panel's bare fragment), with what was done in the flash."""
    interview, slug = excerpt.interview, excerpt.interview.study.slug
    page = reverse("interview_code", args=[slug, interview.pk])
    client = client_for(owner)

    def post(name, data=None) -> str:
        response = client.post(reverse(name, args=[slug, excerpt.pk]), data or {}, follow=True)
        assert response.redirect_chain == [(page, 302)]
        return response.content.decode()

    excerpt.refresh_from_db()
    assert "Memo saved." in post("excerpt_memo", {"memo": "Why", "revision": excerpt.revision})
    excerpt.refresh_from_db()
    wider = {**selection(interview, "Honestly, the ones nobody else will see")}
    assert "Excerpt resized." in post("excerpt_resize", {**wider, "revision": excerpt.revision})
    excerpt.refresh_from_db()
    assert (excerpt.memo, excerpt.text) == ("Why", "Honestly, the ones nobody else will see")
    again = {**selection(interview, excerpt.text), "revision": excerpt.revision}
    message = "The excerpt holds those words already; nothing was changed."
    assert message in post("excerpt_resize", again)
    assert Excerpt.objects.get(pk=excerpt.pk).revision == excerpt.revision
    assert "Excerpt deleted (it waits in the bin on the History page)." in post("excerpt_delete")


def test_a_user_name_in_the_warning_is_escaped(interview, owner, study):
    services.code_create(study=study, name="<b>Peer support</b>")
    data = {**selection(interview, "Café regulars"), "new_code": "<b>Peer suport</b>"}
    html = client_for(owner).post(create_url(interview), data, headers=HTMX).content.decode()
    assert "&lt;b&gt;Peer suport&lt;/b&gt;" in html
    assert "<b>Peer" not in html


def test_a_code_from_another_study_is_refused(interview, owner, other_study):
    foreign = services.code_create(study=other_study, name="Foreign")
    data = {**selection(interview, "Café regulars"), "code": foreign.pk}
    response = client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert response.status_code == 409
    assert not Excerpt.objects.exists()


def test_the_detail_panel_is_a_fragment_for_htmx_and_a_redirect_otherwise(excerpt, owner):
    url = reverse("excerpt_detail", args=[excerpt.interview.study.slug, excerpt.pk])
    client = client_for(owner)
    fragment = client.get(url, headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert 'id="excerpt-detail"' in fragment.content.decode()
    assert fragment["Vary"] == "HX-Request, Cookie" or "HX-Request" in fragment["Vary"]
    full = client.get(url)
    assert full.status_code == 302
    assert full["Location"] == page_url(excerpt.interview) + f"#x{excerpt.pk}"


def test_the_panel_says_the_day_the_excerpt_was_made_not_coded(excerpt, owner, coder):
    """The day under the panel is the excerpt's (Excerpt.created_at): it said "Coded 2 Dec
    2026", while a code applied since (here cody's, made 30 days later) has its own day,
    the one the Excerpts page's "Coded from" selects."""
    made = timezone.now() - timedelta(days=30)
    Excerpt.objects.filter(pk=excerpt.pk).update(created_at=made)
    services.excerpt_codes_add(
        excerpt=excerpt,
        codes=[services.code_create(study=excerpt.interview.study, name="New")],
        coder=coder,
    )
    url = reverse("excerpt_detail", args=[excerpt.interview.study.slug, excerpt.pk])
    html = client_for(owner).get(url, headers=HTMX).content.decode()
    day = timezone.localdate(made)
    assert f"Excerpt made {day.day} {day:%b %Y} by {owner.username}</p>" in html
    assert "Coded " not in html


def excerpt_url(name, excerpt, *extra):
    return reverse(name, args=[excerpt.interview.study.slug, excerpt.pk, *extra])


def test_delete_then_undo(excerpt, owner):
    client = client_for(owner)
    response = client.post(excerpt_url("excerpt_delete", excerpt), headers=HTMX)
    html = response.content.decode()
    assert f'id="ex-{excerpt.pk}" hx-swap-oob="delete"' in html
    entry = UndoEntry.objects.get()
    undo = reverse("undo_entry", args=[excerpt.interview.study.slug, entry.pk])
    assert f'hx-post="{undo}"' in html
    assert not Excerpt.objects.exists()
    on_page = {**HTMX, "HX-Current-URL": "http://testserver" + page_url(excerpt.interview)}
    response = client.post(undo, headers=on_page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Undone: Excerpt deleted" in html
    assert 'hx-swap-oob="beforeend:#excerpt-list"' in html, "its entry is back in the list"
    assert Excerpt.objects.get().codings.count() == 1
    response = client.post(undo, headers=on_page)
    assert response.status_code == 409
    assert "undone already" in response.content.decode()


def test_memo_saves_and_refuses_a_stale_revision(excerpt, owner):
    client = client_for(owner)
    url = excerpt_url("excerpt_memo", excerpt)
    response = client.post(url, {"memo": "Key quote", "revision": excerpt.revision}, headers=HTMX)
    assert response.status_code == 200
    response = client.post(url, {"memo": "Overwrite", "revision": excerpt.revision}, headers=HTMX)
    assert response.status_code == 409
    assert "changed elsewhere" in response.content.decode()
    assert Excerpt.objects.get().memo == "Key quote"


def test_codes_can_be_added_and_removed_from_the_panel(excerpt, owner, study):
    stress = services.code_create(study=study, name="Stress")
    client = client_for(owner)
    client.post(excerpt_url("excerpt_codes_add", excerpt), {"code": stress.pk}, headers=HTMX)
    assert set(excerpt.codings.values_list("code__name", flat=True)) == {"Training", "Stress"}
    response = client.post(excerpt_url("excerpt_code_remove", excerpt, stress.pk), headers=HTMX)
    assert "Removed <bdi>Stress</bdi>." in response.content.decode()
    assert list(excerpt.codings.values_list("code__name", flat=True)) == ["Training"]
    response = client.post(excerpt_url("excerpt_codes_add", excerpt), {}, headers=HTMX)
    assert response.status_code == 400


def test_removing_a_code_the_excerpt_no_longer_has_says_so_and_shows_its_codes(
    excerpt, code, owner, study
):
    """A second tab, or a stale page: the code was taken off (and another added) since.
    The answer says nothing was removed, offers nothing to undo, changes nothing, and
    brings the panel up to date."""
    stress = services.code_create(study=study, name="Stress <b>")
    services.excerpt_code_remove(excerpt=excerpt, code=code)
    services.excerpt_codes_add(excerpt=excerpt, codes=[stress], coder=owner)
    excerpt.refresh_from_db()
    revision, entries = excerpt.revision, UndoEntry.objects.count()
    client = client_for(owner)

    response = client.post(excerpt_url("excerpt_code_remove", excerpt, code.pk), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "“<bdi>Training</bdi>” was not on this excerpt; nothing was changed." in html
    assert "Removed" not in html
    assert "data-undo" not in html
    panel = html[html.index('<section id="excerpt-detail"') :]
    assert "Stress &lt;b&gt;" in panel[: panel.index("</section>")]
    excerpt.refresh_from_db()
    assert excerpt.revision == revision
    assert UndoEntry.objects.count() == entries
    assert list(excerpt.codings.values_list("code__name", flat=True)) == ["Stress <b>"]

    plain = client.post(excerpt_url("excerpt_code_remove", excerpt, code.pk), follow=True)
    assert "was not on this excerpt; nothing was changed." in plain.content.decode()


def test_adding_a_code_the_excerpt_has_already_says_so(excerpt, code, owner, study):
    """A second tab, or a stale page: the code was added since. The answer does not claim
    to have added it, and offers nothing to undo; with another code it names each."""
    stress = services.code_create(study=study, name="Stress")
    entries = UndoEntry.objects.count()
    client = client_for(owner)
    add = excerpt_url("excerpt_codes_add", excerpt)

    response = client.post(add, {"code": code.pk}, headers=HTMX)

    html = response.content.decode()
    assert "“<bdi>Training</bdi>” was on this excerpt already; nothing was changed." in html
    assert "Added" not in html
    assert "data-undo" not in html
    assert UndoEntry.objects.count() == entries

    both = client.post(add, {"code": [code.pk, stress.pk]}, headers=HTMX).content.decode()
    assert "Added <bdi>Stress</bdi>; “<bdi>Training</bdi>” was on it already." in both
    assert "data-undo" in both
    assert set(excerpt.codings.values_list("code__name", flat=True)) == {"Training", "Stress"}


def test_coding_the_same_words_with_a_code_they_carry_says_so(interview, code, owner, study):
    """The same words coded the same in another tab, or a stale page: the answer does not
    claim to have coded them, and keeps no undo entry for Ctrl+Z to spend on nothing; with
    another code too, it names each."""
    stress = coding.code_create(study=study, name="Stress")
    client = client_for(owner)
    data = {**selection(interview, "Café regulars"), "code": code.pk}
    assert client.post(create_url(interview), data, headers=HTMX).status_code == 200
    entries = UndoEntry.objects.count()

    again = client.post(create_url(interview), data, headers=HTMX)

    html = again.content.decode()
    assert again.status_code == 200
    assert f"“<bdi>{code.name}</bdi>” was on this excerpt already; nothing was changed." in html
    assert "Coded as" not in html
    assert "data-undo" not in html
    assert UndoEntry.objects.count() == entries
    both = {**data, "code": [code.pk, stress.pk]}
    html = client.post(create_url(interview), both, headers=HTMX).content.decode()
    assert f"Added <bdi>Stress</bdi>; “<bdi>{code.name}</bdi>” was on it already." in html
    assert "data-undo" in html
    excerpt = Excerpt.objects.get()
    assert {c.code_id for c in excerpt.codings.all()} == {code.pk, stress.pk}


def test_an_excerpt_can_be_resized_to_a_new_selection(excerpt, owner):
    interview = excerpt.interview
    data = {**selection(interview, "nobody else"), "revision": excerpt.revision}
    response = client_for(owner).post(excerpt_url("excerpt_resize", excerpt), data, headers=HTMX)
    assert response.status_code == 200
    excerpt.refresh_from_db()
    assert excerpt.text == "nobody else"


def test_a_deleted_excerpt_is_gone_for_a_second_tab(excerpt, owner):
    client = client_for(owner)
    client.post(excerpt_url("excerpt_delete", excerpt), headers=HTMX)
    response = client.post(
        excerpt_url("excerpt_memo", excerpt), {"memo": "x", "revision": 1}, headers=HTMX
    )
    assert response.status_code == 404
    assert "no longer exists" in response.content.decode()
    assert response["HX-Reswap"] == "none"


def test_a_memo_saved_from_a_stale_panel_is_refused_and_the_draft_kept(excerpt, owner):
    url = reverse("excerpt_memo", args=[excerpt.interview.study.slug, excerpt.pk])
    stale = excerpt.revision
    coding.excerpt_memo_set(excerpt=excerpt, memo="Theirs", revision=stale)
    response = client_for(owner).post(url, {"memo": "My draft", "revision": stale}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "My draft</textarea>" in html
    assert "Saved meanwhile by someone else: <q>Theirs</q>" in html
    assert f'name="revision" value="{stale + 1}"' in html
    assert Excerpt.objects.get(pk=excerpt.pk).memo == "Theirs"


def test_coding_an_existing_span_again_does_not_duplicate_its_entry(interview, code, owner):
    url = reverse("excerpt_create", args=[interview.study.slug, interview.pk])
    start = interview.text.index("Café regulars")
    data = {"start": start, "end": start + 13, "text": "Café regulars", "version": 1}
    client = client_for(owner)
    first = client.post(url, {**data, "code": code.pk}, headers=HTMX).content.decode()
    assert "beforeend:#excerpt-list" in first
    other = coding.code_create(study=interview.study, name="Other")
    again = client.post(url, {**data, "code": other.pk}, headers=HTMX).content.decode()
    assert "beforeend:#excerpt-list" not in again
    assert 'hx-swap-oob="true"' in again


def test_a_refused_selection_creates_no_code(interview, owner):
    url = reverse("excerpt_create", args=[interview.study.slug, interview.pk])
    data = {"start": 0, "end": 5, "text": "wrong", "version": 1, "new_code": "Fresh"}
    response = client_for(owner).post(url, data, headers=HTMX)
    assert response.status_code == 409
    assert not Code.objects.filter(name="Fresh").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "²"}, "The request was damaged; reload the page."),
        ({"code": "x"}, "The request was damaged; reload the page."),
        ({"version": ""}, "The request was incomplete; reload the page."),
        ({"start": "one"}, "Select a passage in the transcript first."),
        ({"new_code": "x" * 121}, "Ensure this value has at most 120 characters"),
    ],
)
def test_a_damaged_selection_is_refused_with_the_forms_message(
    interview, code, owner, fields, message
):
    data = {**selection(interview, "Café regulars"), "code": code.pk, **fields}
    response = client_for(owner).post(create_url(interview), data, headers=HTMX)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Excerpt.objects.exists()
    assert list(Code.objects.values_list("name", flat=True)) == ["Training"]


def test_a_memo_without_its_revision_is_refused_and_nothing_saved(excerpt, owner):
    url = excerpt_url("excerpt_memo", excerpt)
    response = client_for(owner).post(url, {"memo": "Key quote"}, headers=HTMX)
    assert response.status_code == 400
    assert "The request was incomplete; reload the page." in response.content.decode()
    assert Excerpt.objects.get().memo == ""


def _orphaned(excerpt):
    """`excerpt` after an edit of its transcript removed every one of its words."""
    interview = excerpt.interview
    services.transcript_edit(
        interview=interview,
        text=interview.text.replace(excerpt.text, ""),
        version=interview.version,
    )
    excerpt.refresh_from_db()
    assert excerpt.status == "orphaned"
    return excerpt


def test_an_excerpt_without_words_keeps_its_codes_but_takes_no_new_one(
    excerpt, owner, study, django_assert_num_queries
):
    """An excerpt whose words an edit removed took new codes from the panel (a chosen code,
    or a new one typed there), codes that count nowhere. It keeps the codes it has; a new
    one is refused, saying why and what to do, and the panel is brought up to date."""
    excerpt = _orphaned(excerpt)
    stress = services.code_create(study=study, name="Stress")
    client = client_for(owner)
    add = excerpt_url("excerpt_codes_add", excerpt)
    codes = Code.objects.count()

    # Session, user, the excerpt with its interview, study and membership (access); the
    # study's codes (the picker's); the undo journal's savepoint and the service's, each
    # rolled back and released (6); the panel's excerpt again, the study's codes again,
    # its codings, its coder.
    with django_assert_num_queries(14):
        response = client.post(add, {"code": stress.pk}, headers=HTMX)
    typed = client.post(add, {"new_code": "Fresh code"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == typed.status_code == 409
    assert "words were removed from the transcript: it keeps its codes and memo" in html
    assert "Set to the selection" in html
    panel = html[html.index('<section id="excerpt-detail"') :]
    assert 'data-action="add-code"' not in panel, "no Add a code on a panel without words"
    assert "takes no new code while it has no words" in panel
    assert list(excerpt.codings.values_list("code__name", flat=True)) == ["Training"]
    assert Code.objects.count() == codes, "a code typed there is not made either"
    plain = client.post(add, {"code": stress.pk}, follow=True)
    assert "takes no new code" in plain.content.decode()
    with pytest.raises(Conflict, match="takes no new code"):
        services.excerpt_codes_add(excerpt=excerpt, codes=[stress], coder=owner)
    assert excerpt.codings.count() == 1


def test_the_panel_of_an_excerpt_without_words_offers_no_new_code(excerpt, owner):
    excerpt = _orphaned(excerpt)
    response = client_for(owner).get(excerpt_url("excerpt_detail", excerpt), headers=HTMX)
    html = response.content.decode()
    assert "Its text was removed from the transcript: check this excerpt." in html
    assert "takes no new code while it has no words" in html
    assert 'data-action="add-code"' not in html
    assert "Set to the selection" in html
    assert "Delete excerpt" in html
    assert "Training" in html, "its codes stay, each with its ×"

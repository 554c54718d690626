from __future__ import annotations

import re

import pytest
from django.urls import reverse

from coding import services
from coding.models import Code
from coding.palette import PALETTE
from interviews import services as interviews
from tests.conftest import HTMX, client_for, code_span, import_text
from themes import services as themes
from themes.rollup import study_rollup


def url(study, name="codebook", *args):
    return reverse(name, args=[study.slug, *args])


def test_the_codebook_shows_the_tree_with_counts(study, interview, code, owner):
    child = services.code_create(study=study, name="Learned at school", parent=code)
    code_span(interview, "About six years", [child])
    code_span(interview, "the ones nobody", [child, code])
    html = client_for(owner).get(url(study)).content.decode()
    assert html.index("Training") < html.index("Learned at school")
    row = html[html.index(f'id="code-{child.pk}"') :]
    assert '<td class="num">2</td>' in row[: row.index("</tr>")]
    assert 'class="depth-1"' in row[: row.index("</tr>")]


def test_withdrawn_respondents_do_not_count(study, interview, code, owner):
    code_span(interview, "About six years", [code])
    interviews.respondent_withdraw(respondent=interview.respondent)
    html = client_for(owner).get(url(study)).content.decode()
    row = html[html.index(f'id="code-{code.pk}"') :]
    assert row[: row.index("</tr>")].count('<td class="num">0</td>') == 4


@pytest.mark.parametrize("n_codes", [2, 30])
def test_codebook_queries_do_not_grow(study, interview, owner, n_codes, django_assert_num_queries):
    for n in range(n_codes):
        code = services.code_create(study=study, name=f"Code {n}")
        code_span(interview, "About six years", [code])
    client = client_for(owner)
    # session, user, study+role, codes, counted interviews, usage, usage of deleted
    # excerpts, parent choices of the new-code form
    with django_assert_num_queries(8):
        assert client.get(url(study)).status_code == 200


def test_htmx_gets_the_fragment_and_a_browser_the_page(study, owner):
    client = client_for(owner)
    assert "<html" in client.get(url(study)).content.decode()
    fragment = client.get(url(study), headers=HTMX).content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<div id="codebook-body"')


def test_a_duplicate_name_gets_a_clear_message_and_keeps_the_form(study, code, owner):
    data = {"name": "TRAINING", "definition": "My careful definition"}
    response = client_for(owner).post(url(study), data, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is already a code called “<bdi>Training</bdi>”" in html
    assert "My careful definition" in html
    assert study.codes.count() == 1


def test_a_new_name_like_another_codes_is_asked_about_before_it_is_made(study, owner):
    services.code_create(study=study, name="Meeting clients where they are")
    client = client_for(owner)
    data = {"name": "Meeting client where they are", "definition": "Careful words"}

    asked = client.post(url(study), data, headers=HTMX).content.decode()

    assert (
        "“<bdi>Meeting client where they are</bdi>” looks like "
        "“<bdi>Meeting clients where they are</bdi>”" in asked
    )
    assert 'type="checkbox" name="confirm_new"' in asked
    assert "Careful words" in asked
    assert study.codes.count() == 1
    # Ticked: it is made as it was typed.
    client.post(url(study), {**data, "confirm_new": "on"}, headers=HTMX)
    assert study.codes.filter(name="Meeting client where they are").exists()


def test_a_rename_like_another_codes_is_asked_about_but_not_a_change_of_case(study, owner):
    services.code_create(study=study, name="Peer support")
    code = services.code_create(study=study, name="Stress")
    client = client_for(owner)
    edit = url(study, "code_edit", code.pk)

    asked = client.post(edit, {"name": "Peer suport", "revision": code.revision}, headers=HTMX)

    assert "looks like “<bdi>Peer support</bdi>”" in asked.content.decode()
    code.refresh_from_db()
    assert code.name == "Stress"
    # Its own name in another case is no slip of another code's.
    client.post(edit, {"name": "STRESS", "revision": code.revision}, headers=HTMX)
    code.refresh_from_db()
    assert code.name == "STRESS"


def test_creating_and_editing_a_code(study, owner):
    client = client_for(owner)
    client.post(url(study), {"name": "Stress", "definition": "Pressure at work"}, headers=HTMX)
    code = Code.objects.get(name="Stress")
    assert code.definition == "Pressure at work"
    edit = url(study, "code_edit", code.pk)
    assert 'value="Stress"' in client.get(edit, headers=HTMX).content.decode()
    data = {
        "name": "Stress at work",
        "colour": "#DC2626",
        "revision": code.revision,
        "example": "Ugh",
    }
    saved = client.post(edit, data, headers=HTMX).content.decode()
    assert "Saved “<bdi>Stress at work</bdi>”" in saved
    code.refresh_from_db()
    assert (code.name, code.colour, code.example) == ("Stress at work", "#dc2626", "Ugh")


def test_a_concurrent_edit_is_not_overwritten(study, code, owner, coder):
    edit = url(study, "code_edit", code.pk)
    stale = code.revision
    client_for(coder).post(edit, {"name": "Training (coder)", "revision": stale}, headers=HTMX)
    response = client_for(owner).post(edit, {"name": "Mine", "revision": stale}, headers=HTMX)
    html = response.content.decode()
    assert "Saved meanwhile, in another tab or window: Name <q>Training (coder)</q>." in html
    assert 'value="Mine"' in html, "the user's own text stays in the form"
    assert Code.objects.get(pk=code.pk).name == "Training (coder)"


def test_merge_and_delete(study, interview, code, owner):
    other = services.code_create(study=study, name="Education")
    code_span(interview, "About six years", [other])
    client = client_for(owner)
    merge = url(study, "code_merge", other.pk)
    response = client.post(merge, {"into": code.pk}, headers=HTMX)
    assert "1 excerpt carries “Education” and moves to “Training”" in response.content.decode()
    assert Code.objects.filter(pk=other.pk).exists(), "nothing merged before confirming"
    response = client.post(merge, {"into": code.pk, "confirm": "yes"}, headers=HTMX)
    assert (
        "Merged “<bdi>Education</bdi>” into “<bdi>Training</bdi>”: 1 excerpt moved."
        in response.content.decode()
    )
    response = client.post(url(study, "code_delete", code.pk), headers=HTMX)
    assert response.status_code == 409
    assert "applied to 1 excerpt" in response.content.decode()
    assert Code.objects.filter(pk=code.pk).exists()
    response = client.post(url(study, "code_delete", code.pk), {"confirm": "yes"}, headers=HTMX)
    assert response.status_code == 200
    assert not Code.objects.filter(pk=code.pk).exists()


def test_the_codebook_shows_counts_with_sub_codes(
    study, branched, owner, django_assert_num_queries
):
    support = branched["codes"][0]
    client = client_for(owner)
    # session, user, study+role, codes, interviews, interviews with deleted excerpts, with
    # orphaned ones, usage per code, usage in interviews that need care (R3 withdrawn)
    # and its live part, codings of the branches with sub-codes
    with django_assert_num_queries(11):
        html = client.get(url(study)).content.decode()
    assert '<th scope="col" class="num">with sub-codes</th>' in html
    row = html[html.index(f'id="code-{support.pk}"') :]
    row = row[: row.index("</tr>")]
    # excerpts: own, with sub-codes (a link to them); respondents: own, with sub-codes
    excerpts = reverse("retrieve", args=[study.slug])
    assert row.endswith(
        f'<td class="num">1</td><td class="num"><a href="{excerpts}?code={support.pk}" '
        'aria-label="3 excerpts of Support">3</a></td><td class="num">1</td>'
        '<td class="num">2</td>' + row[row.rindex('<td class="row-actions">') :]
    )


def test_a_second_save_after_a_conflict_replaces_what_it_was_shown(study, code, owner, coder):
    """The refusal shows the other save and carries its revision: saving the form again
    replaces it, as the warning says (was: refused again and again, stale revision kept)."""
    edit = reverse("code_edit", args=[study.slug, code.pk])
    stale = code.revision
    client_for(coder).post(edit, {"name": "Theirs", "revision": stale}, headers=HTMX)
    mine = client_for(owner)
    first = mine.post(edit, {"name": "Mine", "revision": stale}, headers=HTMX).content.decode()
    now = Code.objects.get(pk=code.pk).revision
    assert f'name="revision" value="{now}"' in first
    mine.post(edit, {"name": "Mine", "revision": now}, headers=HTMX)
    assert Code.objects.get(pk=code.pk).name == "Mine"


def test_the_colour_picker_saves_any_colour_and_the_highlight_uses_it(
    study, interview, code, owner
):
    excerpt = code_span(interview, "About six years", [code])
    client = client_for(owner)
    editor = client.get(url(study, "code_edit", code.pk), headers=HTMX).content.decode()
    assert f'<input type="color" name="colour" value="{code.colour}"' in editor
    assert f'<option value="{PALETTE["orange"]}" label="Orange">' in editor
    data = {"name": "Training", "colour": "#AB12CD", "revision": code.revision}
    response = client.post(url(study, "code_edit", code.pk), data, headers=HTMX)
    html = response.content.decode()
    # The codebook now shows a colour the page's stylesheet did not have: the answer links
    # a fresh one.
    assert re.search(r'<link rel="stylesheet" href="/studies/[\w-]+/colours\.css\?v=\w+">', html)
    code.refresh_from_db()
    assert code.colour == "#ab12cd"
    page = client.get(reverse("interview_code", args=[study.slug, interview.pk])).content.decode()
    assert f'<mark class="x l0 c-#ab12cd xs xe" data-x="{excerpt.pk}"' in page
    css = client.get(reverse("code_colours", args=[study.slug])).content.decode()
    assert ".c-\\#ab12cd{--shade:#ab12cd;" in css


@pytest.mark.parametrize("colour", ["red", "#12345", "#12345g", "#1234567", "javascript:"])
def test_a_colour_that_is_not_rrggbb_is_refused_and_nothing_changes(study, code, owner, colour):
    data = {"name": "Renamed", "colour": colour, "revision": code.revision}
    html = client_for(owner).post(url(study, "code_edit", code.pk), data, headers=HTMX)
    assert "Enter a colour as #rrggbb" in html.content.decode()
    code.refresh_from_db()
    assert (code.name, code.colour) == ("Training", PALETTE["teal"])


def test_a_new_codes_picker_starts_on_the_first_colour_the_study_does_not_use(study, owner):
    values = list(PALETTE.values())
    for n in range(3):
        services.code_create(study=study, name=f"Code {n}", colour=values[n])
    client = client_for(owner)
    html = client.get(url(study) + "?new=1", headers=HTMX).content.decode()
    assert f'<input type="color" name="colour" value="{values[3]}"' in html
    # Saved as the picker sent it, the new code takes that colour.
    client.post(url(study), {"name": "Fourth", "colour": values[3]}, headers=HTMX)
    assert Code.objects.get(name="Fourth").colour == values[3]


def test_the_codebook_s_forms_without_javascript_go_back_saying_what_was_done(study, owner):
    client = client_for(owner)
    page = reverse("codebook", args=[study.slug])
    response = client.post(page, {"name": "Peer <b>support</b>"}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert "Added “<bdi>Peer &lt;b&gt;support&lt;/b&gt;</bdi>”." in response.content.decode()
    code = Code.objects.get()
    delete = reverse("code_delete", args=[study.slug, code.pk])
    response = client.post(delete, {"confirm": "yes"}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert "(it waits in the bin on the History page)" in response.content.decode()


def test_an_edit_of_a_code_deleted_meanwhile_shows_what_was_typed(study, code, owner):
    edit = reverse("code_edit", args=[study.slug, code.pk])
    Code.objects.filter(pk=code.pk).delete()
    typed = {"name": "Learning", "definition": "How they <learnt>", "exclusion": "Not school"}
    response = client_for(owner).post(edit, typed)
    assert response.status_code == 404
    html = response.content.decode()
    assert "What you typed was not saved" in html
    assert ">How they &lt;learnt&gt;</textarea>" in html
    assert ">Not school</textarea>" in html


def _study_page_text(study, user) -> str:
    html = client_for(user).get(url(study, "study_detail")).content.decode()
    return " ".join(re.sub(r"<[^>]*>", " ", html).split())


def test_the_study_page_of_interviews_without_a_protocol_says_nothing_of_questions(
    study, interview, owner, reviewer
):
    """Without protocol questions each interview read "0 of 0" under "Questions found", and
    the study "0 protocol questions": a column of zeros where there is nothing to find."""
    with_protocol = _study_page_text(study, owner)
    assert "2 protocol questions ·" in with_protocol
    assert "Questions found" in with_protocol
    assert re.search(r"\d+ of 2 ", with_protocol)

    for question in list(study.questions.all()):
        interviews.question_delete(question=question)
    page = _study_page_text(study, owner)
    assert "Questions found" not in page
    assert " of 0" not in page
    assert "0 protocol questions" not in page
    assert "1 respondent with a transcript, 1 interview · 0 codes" in page
    assert (
        "These interviews have no protocol questions. To see which questions each interview "
        "answers, add them on the Protocol page." in page
    )
    html = client_for(owner).get(url(study, "study_detail")).content.decode()
    row = html[html.index("<tbody>") : html.index("</tbody>")]
    assert row.count("<td") == 4, "Interview, Words, Excerpts, Imported"
    # A reviewer cannot add questions: she is not told to.
    assert "no protocol questions" not in _study_page_text(study, reviewer)


def test_a_merges_confirmation_counts_as_the_codebook_and_says_what_else_moves(
    study, interview, code, owner
):
    """Education is on R1's excerpt and on a withdrawn respondent's: the codebook counts
    one excerpt, and so does the confirmation, which said "2 excerpts carry “Education”"
    without a word why; the other is named for what it is, and the merge's message counts
    as the confirmation did."""
    other = services.code_create(study=study, name="Education")
    code_span(interview, "About six years", [other])
    withdrawn = import_text(study, name="R3.txt")
    code_span(withdrawn, "About six years", [other])
    interviews.respondent_withdraw(respondent=withdrawn.respondent)
    client = client_for(owner)
    row = client.get(url(study)).content.decode()
    row = row[row.index(f'id="code-{other.pk}"') :]
    # excerpts and respondents, its own and with sub-codes
    assert re.findall(r">(\d+)</", row[: row.index("</tr>")]) == ["1", "1", "1", "1"]
    merge = url(study, "code_merge", other.pk)
    html = client.post(merge, {"into": code.pk}, headers=HTMX).content.decode()
    assert "1 excerpt carries “Education” and moves to “Training”." in html
    assert (
        "1 more excerpt carrying “Education” moves too, which the codebook does not count: "
        "it is from a respondent who withdrew, or its words were removed from the transcript."
    ) in html
    response = client.post(merge, {"into": code.pk, "confirm": "yes"}, headers=HTMX)
    assert (
        "Merged “<bdi>Education</bdi>” into “<bdi>Training</bdi>”: 1 excerpt moved."
        in response.content.decode()
    )


def _summary(study, name):
    """(respondents, excerpts) of the theme `name`, as the themes pages count them."""
    [summary] = [t for t in study_rollup(study).themes if t.name == name]
    return summary.n, summary.excerpt_count


def test_a_merges_confirmation_says_what_moves_in_the_tree_and_which_themes_count_more(
    study, branched, owner
):
    """Merging a parent code into its own sub-code lifts the sub-code to the parent's place
    and gives it the parent's other sub-codes: a theme that gathers it then counts them too
    (a tester saw a theme go from 1 to all respondents with nothing said). The confirmation
    names each change, and the counts after the merge are the ones it announced."""
    support, colleagues, _, family = branched["codes"]
    family_theme = themes.theme_create(study=study, name="Family matters")
    themes.theme_code_attach(theme=family_theme, code=family)
    assert _summary(study, "Family matters") == (1, 1)
    client = client_for(owner)
    merge = url(study, "code_merge", support.pk)
    html = client.post(merge, {"into": family.pk}, headers=HTMX).content.decode()
    assert (
        "“Family” takes the place of “Support” in the code tree. "
        "Its sub-code “Colleagues” becomes a sub-code of “Family”. "
        "The theme “Family matters”, which gathers “Family”, will count their excerpts and "
        "respondents too. "
        "The theme “Support at work” gathers “Family” instead of “Support”. "
        "You can undo the merge afterwards."
    ) in html
    client.post(merge, {"into": family.pk, "confirm": "yes"}, headers=HTMX)
    colleagues.refresh_from_db()
    family.refresh_from_db()
    assert (family.parent_id, colleagues.parent_id) == (None, family.pk)
    # R1's two excerpts and R2's (on Supervisor, under Colleagues): as announced.
    assert _summary(study, "Family matters") == (2, 3)
    assert _summary(study, "Support at work") == (2, 3)


def test_a_merge_into_a_code_outside_its_branch_says_the_themes_count_the_target_too(
    study, branched, owner
):
    support = branched["codes"][0]
    outside = services.code_create(study=study, name="Peer <b>support</b>")
    client = client_for(owner)
    html = client.post(
        url(study, "code_merge", support.pk), {"into": outside.pk}, headers=HTMX
    ).content.decode()
    assert "takes the place of" not in html
    assert (
        "Its sub-codes “Colleagues” and “Family” become sub-codes of "
        "“Peer &lt;b&gt;support&lt;/b&gt;”."
    ) in html
    assert (
        "The theme “Support at work” gathers “Peer &lt;b&gt;support&lt;/b&gt;” instead of "
        "“Support”, and counts the excerpts of “Peer &lt;b&gt;support&lt;/b&gt;” too."
    ) in html
    # No theme gathers the target: nothing is said of one.
    assert "which gathers" not in html


def test_a_confirmed_merge_says_what_it_moved_in_a_counted_number_of_queries(
    study, interview, code, owner, django_assert_num_queries
):
    """Education on three excerpts of R1, one carrying Training already, and on a withdrawn
    respondent's: the message counts the one counted excerpt that moved, as the merge read
    it from the codings it moved (before, a count read beforehand: one query more)."""
    other = services.code_create(study=study, name="Education")
    code_span(interview, "About six years", [other])
    code_span(interview, "never looked back", [other, code])
    withdrawn = import_text(study, name="R3.txt")
    code_span(withdrawn, "About six years", [other])
    interviews.respondent_withdraw(respondent=withdrawn.respondent)
    client = client_for(owner)
    merge = url(study, "code_merge", other.pk)
    # session, user; the code with its study and role, the target (the form); two
    # savepoints; the study's revision moved; the tree locked (its codes' ids); both codes
    # read afresh; the double on R1 (for the undo), read, deleted, its history (its
    # interview, one insert); the codings that move, with whether each counts (the
    # message's number and the undo's ids); the recorded update (their ids, the update,
    # the codings and interviews, two history inserts); sub-codes (twice), both codes'
    # themes, its memos; its deletion (codings, theme links, sub-codes lifted, the row,
    # its history); the target's revision and history; the undo entry; two savepoints
    # released; the codebook's codes, interviews, live and orphaned excerpts' interviews
    # and three counts.
    with django_assert_num_queries(43):
        response = client.post(merge, {"into": code.pk, "confirm": "yes"}, headers=HTMX)
    assert (
        "Merged “<bdi>Education</bdi>” into “<bdi>Training</bdi>”: 1 excerpt moved."
        in response.content.decode()
    )

"""An edit form takes no typing while its save is being sent. A row's Edit turns it into a
form (a protocol question, a respondent, a code, a theme), a memo's Edit and a quote's
"Choose the words to print" open one; when the save succeeds, the row's text takes the
form's place. Words typed while the save was out were gone with the form, without a word.
Now the form's fields are read-only while it is sent (greyed, "Saving…" shown), so what is
typed then goes nowhere visibly, and the save puts in the row the words the user sees. A
slow server is a held request: Playwright holds the form's POST until the test lets it go,
as tests/browser/test_add_while_sending.py does for the add forms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from coding.models import Code
from demo.seed import OWNER
from interviews import memos
from interviews.models import ProtocolQuestion, Respondent
from tests.browser.test_pages import demo_log_in
from themes.models import Quote, Theme, ThemeMemo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Edit:
    """How to reach one edit form: the page (url name, args from the study), what opens the
    form in the page, the field typed into and its Save button, the saved value (from the
    database, by the study) and what shows it once the row is text again."""

    url: Callable
    open: Callable[[Page, object], Locator]  # -> the open form
    label: str  # the field's label, or its name where the label holds the text (a memo's)
    save: str
    words: Callable[[object], str]  # the study -> words the field accepts
    saved: Callable[[object], str]
    shown: Callable[[Page, str], Locator]


def _question(study):
    return ProtocolQuestion.objects.get(study=study, number=1)


def _respondent(study):
    return Respondent.objects.filter(study=study).order_by("pk").first()


def _code(study):
    return Code.objects.filter(study=study).order_by("pk").first()


def _theme(study):
    return Theme.objects.filter(study=study).order_by("order", "pk").first()


def _quote(study):
    return Quote.objects.filter(theme__study=study).order_by("pk").first()


def _open_question(page, study):
    row = page.locator(f"#question-{_question(study).pk}")
    row.get_by_role("link", name="Edit Q1", exact=True).click()
    return row.locator("form[data-edit]")


def _open_respondent(page, study):
    respondent = _respondent(study)
    row = page.locator(f"#respondent-{respondent.pk}")
    row.get_by_role("link", name=f"Edit {respondent.pseudonym}", exact=True).click()
    return row.locator("form[data-edit]")


def _open_code(page, study):
    page.locator(f"#code-{_code(study).pk} a", has_text="Edit").click()
    return page.locator("#code-editor form[data-edit]")


def _open_theme(page, study):
    name = _theme(study).name
    page.get_by_role("link", name=f"Edit the theme “{name}”", exact=True).click()
    return page.locator("#theme-list form[data-edit]")


def _open_memo(page, study):
    item = page.locator(".memo-item", has_text="Support came up in every interview.")
    item.locator("summary", has_text="Edit").click()
    return item.locator("form[data-edit]")


def _open_quote(page, study):
    item = page.locator(".quotes li").first
    item.get_by_text("Choose the words to print").click()
    return item.locator("form[data-edit]")


def _extract(study) -> str:
    words = _quote(study).excerpt.text.split()
    return " ".join(words[:3]) + " […]"


EDITS = {
    "protocol question": Edit(
        lambda study: reverse("protocol", args=[study.slug]),
        _open_question,
        "Text",
        "Save",
        lambda study: "How long have you worked with harm reduction, in years?",
        lambda study: _question(study).text,
        lambda page, words: page.locator("ol.protocol li p", has_text=words),
    ),
    "respondent": Edit(
        lambda study: reverse("respondents", args=[study.slug]),
        _open_respondent,
        "Pseudonym",
        "Save",
        lambda study: "Respondent Renamed",
        lambda study: _respondent(study).pseudonym,
        lambda page, words: page.get_by_role("rowheader", name=words, exact=True),
    ),
    "code": Edit(
        lambda study: reverse("codebook", args=[study.slug]),
        _open_code,
        "Name",
        "Save",
        lambda study: "Renamed code",
        lambda study: _code(study).name,
        lambda page, words: page.locator(".code-name", has_text=words),
    ),
    "theme": Edit(
        lambda study: reverse("themes", args=[study.slug]),
        _open_theme,
        "Name",
        "Save",
        lambda study: "Renamed theme",
        lambda study: _theme(study).name,
        lambda page, words: page.get_by_role("link", name=words, exact=True),
    ),
    "memo": Edit(
        lambda study: reverse("memos", args=[study.slug]),
        _open_memo,
        "body",
        "Save",
        lambda study: "Support came up in every interview, from colleagues first.",
        lambda study: ThemeMemo.objects.get(theme__study=study).body,
        lambda page, words: page.locator(".memo-body", has_text=words),
    ),
    "quote's words": Edit(
        lambda study: reverse("theme_detail", args=[study.slug, _quote(study).theme_id]),
        _open_quote,
        "Words to print",
        "Save the extract",
        _extract,
        lambda study: _quote(study).extract,
        lambda page, words: page.locator(".quotes blockquote").get_by_text(words, exact=True),
    ),
}


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_form_takes_no_typing_while_its_save_is_sent(demo, live_server, edit):
    study, page = demo
    how = EDITS[edit]
    memos.memo_create(
        model=ThemeMemo,
        author=User.objects.get(username=OWNER),
        body="Support came up in every interview.",
        theme=_theme(study),
    )
    words = how.words(study)
    demo_log_in(page, live_server, OWNER)
    page.goto(live_server.url + how.url(study))
    form = how.open(page, study)
    named = form.locator(f"[name={how.label}]")
    field = named if how.label.islower() else form.get_by_label(how.label, exact=True)
    button = form.get_by_role("button", name=how.save)
    saving = form.get_by_role("status")
    # The form is in place (an Edit link's form comes with its answer) and takes typing.
    expect(field).to_be_editable()
    expect(saving).to_be_hidden()
    post_url = form.evaluate("form => form.action")
    held = []

    def hold_posts(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(post_url, hold_posts)

    field.fill(words)
    button.click()
    expect(field).not_to_be_editable()
    expect(button).to_be_disabled()
    expect(saving).to_have_text("Saving…")
    # What the user types meanwhile goes nowhere, visibly: the field keeps what was sent.
    field.focus()
    page.keyboard.press("End")
    page.keyboard.type(" and more typed while saving")
    expect(field).to_have_value(words)
    assert len(held) == 1

    held.pop().continue_()
    expect(how.shown(page, words)).to_be_visible()
    assert how.saved(study) == words


def _held_save(page, live_server, study, how) -> tuple[Locator, Locator, list, list]:
    """Open the edit form, type the new words and Save, its POST held: (the form, its
    Cancel, [the held route], [the GETs of Cancel's address the page sends from then on])."""
    demo_log_in(page, live_server, OWNER)
    page.goto(live_server.url + how.url(study))
    form = how.open(page, study)
    cancel = form.get_by_role("link", name="Cancel", exact=True)
    expect(cancel).to_be_enabled()
    held, gets = [], []

    def hold_posts(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(form.evaluate("form => form.action"), hold_posts)
    form.get_by_label(how.label, exact=True).fill(how.words(study))
    form.get_by_role("button", name=how.save).click()
    expect(form.get_by_role("status")).to_have_text("Saving…")
    cancels = {cancel.get_attribute("href"), cancel.get_attribute("hx-get")}
    page.on(
        "request",
        lambda request: (
            request.method == "GET"
            and request.url.removeprefix(live_server.url) in cancels
            and gets.append(request.url)
        ),
    )
    return form, cancel, held, gets


@pytest.mark.parametrize("edit", ["protocol question", "respondent", "code", "theme"])
def test_an_edit_form_s_cancel_is_disabled_while_its_save_is_sent(demo, live_server, edit):
    """The save is on its way and lands whatever the page shows: a Cancel then put the old
    words back in the row while the new ones were being saved, and the answer either
    replaced them later or never showed at all. Now Cancel is disabled (and greyed) until
    the answer comes, to a click and to the keyboard's Enter."""
    study, page = demo
    how = EDITS[edit]
    words = how.words(study)
    form, cancel, held, gets = _held_save(page, live_server, study, how)

    expect(cancel).to_be_disabled()
    expect(cancel).to_have_css("opacity", "0.4")
    # A click event, not a mouse's: Playwright's click waits for the link to be enabled,
    # and the code editor's Cancel lies below the fold of its sticky panel.
    cancel.dispatch_event("click")
    cancel.focus()
    page.keyboard.press("Enter")
    expect(form.get_by_role("status")).to_have_text("Saving…")
    expect(form.get_by_label(how.label, exact=True)).to_have_value(words)
    assert len(held) == 1

    held.pop().continue_()
    expect(how.shown(page, words)).to_be_visible()
    assert how.saved(study) == words
    # The answer came after the clicks: a GET they sent would have been sent before it.
    assert gets == []


def test_an_edit_form_s_cancel_works_again_when_its_save_fails(demo, live_server):
    """A save that never reaches the server gives the form back as it was, Cancel with it:
    the researcher can try again or cancel."""
    study, page = demo
    how = EDITS["protocol question"]
    form, cancel, held, _ = _held_save(page, live_server, study, how)
    expect(cancel).to_be_disabled()

    held.pop().abort()
    expect(form.get_by_role("status")).to_be_hidden()
    expect(cancel).to_be_enabled()
    expect(cancel).to_have_css("opacity", "1")
    cancel.click()
    expect(form).to_have_count(0)
    expect(how.shown(page, _question(study).text)).to_be_visible()

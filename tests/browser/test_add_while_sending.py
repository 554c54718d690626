"""An add form keeps what is typed while its last add is still being sent. A tester pasted
protocol question 0 and clicked Add, then pasted question 1 and clicked Add before the first
answer came: htmx dropped the second submit (a request of that form was out), then the first
answer replaced the form, and question 1 was gone, the field empty, with no word. Now the
button is disabled while its request is out, and what is typed meanwhile is still in the
field after the answer, to be added with the next click. A slow server is a held request:
Playwright holds each POST of the form until the test lets it go."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from demo.seed import OWNER
from interviews.models import ProtocolQuestion, Respondent
from tests.browser.test_pages import demo_log_in
from themes.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (the page, the field typed into, the add button, the list's items, the saved texts)
FORMS = {
    "protocol": (
        "protocol",
        "Text",
        "Add question",
        "ol.protocol li",
        lambda study: ProtocolQuestion.objects.filter(study=study).values_list("text", flat=True),
    ),
    "respondents": (
        "respondents",
        "Pseudonym",
        "Add",
        "table.respondents tbody tr[id^=respondent-]",
        lambda study: Respondent.objects.filter(study=study).values_list("pseudonym", flat=True),
    ),
    # Each thread of comments has a reply form sent to the same address as the new comment's
    # form, with a textarea of the same name: one more thread, one more such form before it.
    "comments": (
        "theme_detail",
        "Add a comment",
        "Comment",
        "#comments details",
        lambda study: Comment.objects.filter(theme__study=study).values_list("body", flat=True),
    ),
}


@pytest.mark.parametrize("form", FORMS)
def test_what_is_typed_while_an_add_is_sent_is_kept_and_added_next(demo, live_server, form):
    study, page = demo
    url_name, label, button_name, items, saved = FORMS[form]
    first, second = f"Slow first {form} entry", f"Second {form} entry typed meanwhile"
    demo_log_in(page, live_server, OWNER)
    args = [study.slug] if form != "comments" else [study.slug, study.themes.first().pk]
    url = live_server.url + reverse(url_name, args=args)
    page.goto(url)
    post_url = page.get_by_role("button", name=button_name, exact=True).evaluate(
        "button => button.form.action"
    )
    before = page.locator(items).count()
    held, posts = [], []

    def hold_posts(route):
        if route.request.method == "POST":
            posts.append(route.request)
            held.append(route)
        else:
            route.continue_()

    page.route(post_url, hold_posts)
    field = page.get_by_label(label, exact=True)
    button = page.get_by_role("button", name=button_name, exact=True)
    field.fill(first)
    button.click()
    expect(button).to_be_disabled()
    field.fill(second)
    # The user's quick second click: on a disabled button it sends nothing, and says so by
    # the button's look; before, it was an enabled button whose submit htmx dropped.
    button.click(force=True)
    assert len(held) == 1
    held.pop().continue_()
    expect(page.locator(items)).to_have_count(before + 1)
    expect(field).to_have_value(second)
    expect(button).to_be_enabled()

    page.unroute(post_url)
    button.click()
    expect(page.locator(items)).to_have_count(before + 2)
    expect(field).to_have_value("")
    assert {first, second} <= set(saved(study))
    assert len(posts) == 1  # the held one: the second click sent nothing

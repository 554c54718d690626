"""Messages in Chromium: a refusal shows where it covers nothing, names the control it is
about, can be dismissed with its button or Esc, and is not logged as an error by htmx."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coding import services as coding
from tests.browser.conftest import log_in
from tests.conftest import code_span
from themes import services as themes

pytestmark = pytest.mark.browser


def overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def refuse_delete(page, button) -> None:
    """Press Delete without ticking the box: the server refuses with a message."""
    with page.expect_response(lambda r: "/delete/" in r.url) as answer:
        button.click()
    assert answer.value.status == 409


@pytest.mark.django_db(transaction=True)
def test_a_refusal_covers_nothing_names_its_checkbox_and_is_dismissed(
    browser, live_server, study, interview, owner
):
    code = coding.code_create(study=study, name="Training")
    code_span(interview, "About six years", [code])
    # A short window: the delete form ends near its bottom, where messages dock.
    context = browser.new_context(viewport={"width": 1200, "height": 640}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/studies/{study.slug}/codes/{code.pk}/")
    button = page.get_by_role("button", name="Delete code")
    checkbox = page.get_by_role("checkbox", name="Also remove it from the excerpts that carry it")
    button.scroll_into_view_if_needed()

    refuse_delete(page, button)
    message = page.locator("#flash p")
    expect(message).to_contain_text(
        "To delete it anyway, tick “Also remove it from the excerpts that carry it”"
    )
    assert "Confirm" not in message.inner_text()
    page.wait_for_timeout(200)  # the page makes room and scrolls (a resize observer)
    toast = message.bounding_box()
    for control in (button, checkbox):
        box = control.bounding_box()
        assert not overlap(toast, box), f"the message covers {control}"
        assert box["y"] >= 0, "in view"
        assert box["y"] + box["height"] <= toast["y"], "above the message"

    page.keyboard.press("Escape")
    expect(page.locator("#flash p")).to_have_count(0)

    refuse_delete(page, button)
    page.locator("#flash").get_by_role("button", name="Dismiss this message").click()
    expect(page.locator("#flash p")).to_have_count(0)
    assert page.evaluate("getComputedStyle(document.body).paddingBottom") == "0px"

    # Refusals come with their message; htmx is not to report them as errors.
    assert not [line for line in console if "Response Status Error" in line or "htmx" in line]
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_refusal_on_the_themes_page_is_answered_in_words(browser, live_server, study, owner):
    themes.theme_create(study=study, name="Support")
    context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/studies/{study.slug}/themes/")
    page.get_by_placeholder("Type a code's name").fill("Nothing like it")
    with page.expect_response(lambda r: "/codes/" in r.url) as answer:
        page.get_by_role("button", name="Add the code to “Support”", exact=True).click()
    assert answer.value.status == 400
    expect(page.locator("#flash")).to_contain_text("There is no code called “Nothing like it”.")
    assert not [e for e in errors if "Response Status Error" in e or "htmx" in e], errors
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_hint_names_the_button_it_means(browser, live_server, study, interview, owner):
    code = coding.code_create(study=study, name="Training")
    code_span(interview, "About six years", [code])
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/studies/{study.slug}/interviews/{interview.pk}/")
    page.locator("#transcript mark", has_text="About six years").click()
    page.evaluate("() => window.getSelection().removeAllRanges()")
    button = page.get_by_role("button", name="Set to the selection")
    button.click()
    expect(page.locator("#flash")).to_contain_text("then press “Set to the selection”.")
    context.close()

"""The codebook's editor panel, which stays in view beside a long codebook."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Code
from demo.seed import OWNER
from tests.browser.test_pages import demo_log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("height", [900, 600])
def test_the_code_editor_s_save_and_cancel_are_reachable_in_the_middle_of_the_codebook(
    demo, live_server, height
):
    # The editor sticks to the top of the window while the codebook scrolls under it. Taller
    # than the window, its Save and Cancel were below the window's edge wherever the
    # codebook was scrolled to, until its very end.
    study, page = demo
    page.set_viewport_size({"width": 1400, "height": height})
    demo_log_in(page, live_server, OWNER)
    page.goto(live_server.url + reverse("codebook", args=[study.slug]))
    code = Code.objects.filter(study=study).order_by("pk")[3]
    page.locator(f"#code-{code.pk} a", has_text="Edit").click()
    editor = page.locator("#code-editor")
    save = editor.get_by_role("button", name="Save", exact=True)
    expect(save).to_be_attached()
    page.evaluate("window.scrollTo(0, (document.body.scrollHeight - innerHeight) / 2)")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    box = editor.bounding_box()
    # The whole panel is in the window; what it holds past its height scrolls inside it.
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= height
    save.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") == scrolled
    for control in (save, editor.get_by_role("link", name="Cancel").first):
        place = control.bounding_box()
        assert place["y"] >= 0, control
        assert place["y"] + place["height"] <= height, control
    editor.get_by_label("Name", exact=True).fill("Renamed in the middle")
    save.click()
    expect(page.locator(".code-name", has_text="Renamed in the middle")).to_be_visible()

"""The coding margin in Chromium: stripes beside the lines of their excerpts, labels, the
toggle and its memory; and a colour picked in the codebook reaching the highlights."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from tests.browser.conftest import log_in, screenshot
from tests.conftest import code_span, import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = (
    "We get support from colleagues at the agency, mostly in the hallway between visits, "
    "when someone has had a hard morning and needs to talk it through before the next "
    "client. The supervisors try, but they are stretched thin across three programmes, "
    "and the formal meetings happen once a month at best. Outside work my partner listens, "
    "though I keep the details of clients to myself, as I should."
)
TEXT = (
    "Interviewer: What sort of support do you get for your work?\n\n"
    f"R1: {LONG}\n"
    "Some weeks the team covers for each other without being asked. Other weeks nobody "
    "has the time, and you carry it home.\n\n"
    "Interviewer: Is it adequate?\n\n"
    "R1: Not really, no."
)


@pytest.fixture
def coded(study):
    interview = import_text(study, text=TEXT, name="R1-interview.txt")
    make = lambda name, colour: coding.code_create(study=study, name=name, colour=colour)  # noqa: E731
    peer = make("Peer support", "#e6194b")
    stress = make("Stress", "#3cb44b")
    training = make("Training", "#4363d8")
    supervision = make("Supervision", "#f58231")
    hostile = make('<b>Boss</b> & "co"', "#911eb4")
    excerpts = {
        "outer": code_span(interview, "when someone has had a hard morning and needs to talk it "
                           "through before the next client. The supervisors try", [peer]),
        "inner": code_span(interview, "needs to talk it through", [stress]),
        "across": code_span(interview, "though I keep the details of clients to myself, as I "
                            "should.\nSome weeks the team covers", [training, supervision]),
        "hostile": code_span(interview, "Not really", [hostile]),
    }
    return interview, excerpts


def open_transcript(page, live_server, interview):
    page.goto(
        live_server.url + reverse("interview_code", args=[interview.study.slug, interview.pk])
    )
    expect(page.locator("#transcript")).to_be_visible()


GEOMETRY = """(id) => {
    const marks = Array.from(document.querySelectorAll(`#transcript mark[data-x="${id}"]`));
    const rects = marks.flatMap((m) => Array.from(m.getClientRects()));
    const stripes = marks.flatMap((m) => Array.from(m.querySelectorAll(":scope > .stripe")));
    const ends = marks.flatMap((m) => Array.from(m.querySelectorAll(":scope > .stripe-end")));
    const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    return {
        rects: rects.map((r) => [r.left, r.top, r.right, r.bottom]),
        stripes: stripes.map(box), ends: ends.map(box),
        lines: marks.map((m) => box(m.closest("p"))),
    };
}"""


def test_explore(page, live_server, coded, owner):
    interview, excerpts = coded
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    for name, excerpt in excerpts.items():
        print(name, page.evaluate(GEOMETRY, excerpt.pk))
    screenshot(page, "margin")

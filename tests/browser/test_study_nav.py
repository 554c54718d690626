"""The study's navigation in Chromium: its three groups of pages (coding, analysis, the
study's records) on one line on a laptop, and wrapped flush left on a narrow window, each
group that starts a line without the rule that splits groups on one line."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Per group of the nav: its left edge, its top, and whether its rule (::before) is drawn
# inside the nav's clipped box, i.e. is visible.
GROUPS = """() => {
    const nav = document.querySelector('nav.studynav').getBoundingClientRect();
    return [...document.querySelectorAll('nav.studynav > ul')].map((ul) => {
        const box = ul.getBoundingClientRect();
        const rule = getComputedStyle(ul, '::before');
        const ruleLeft = box.left + parseFloat(rule.left);
        return {left: box.left, top: box.top, navLeft: nav.left,
                rule: rule.content !== 'none' && ruleLeft >= nav.left};
    });
}"""


def groups_at(page, live_server, study, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + reverse("study_detail", args=[study.slug]))
    return page.evaluate(GROUPS)


def test_the_groups_share_one_line_split_by_rules_on_a_laptop(page, live_server, study, owner):
    log_in(page, live_server, owner)

    groups = groups_at(page, live_server, study, 1280)

    assert len(groups) == 3
    assert len({round(group["top"]) for group in groups}) == 1
    assert [group["rule"] for group in groups] == [False, True, True]


def test_wrapped_groups_start_flush_left_without_a_rule(page, live_server, study, owner):
    log_in(page, live_server, owner)

    groups = groups_at(page, live_server, study, 700)

    # Each group on its own line, each starting where the nav starts, none with a rule.
    assert len({round(group["top"]) for group in groups}) == 3
    assert {round(group["left"]) for group in groups} == {round(groups[0]["navLeft"])}
    assert [group["rule"] for group in groups] == [False, False, False]

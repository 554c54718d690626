"""A control repeated down a list says what it acts on: on the pages that list themes, a
theme's quotes and supporting excerpts, members, protocol questions, respondents and the
de-identification list, no two links or buttons that a screen reader announces alike ("Edit",
"Remove", "Withdraw", "Show in context") act on different things. The visible words stay the
same; the rest of the name is visually hidden and comes after them, so that the name still
begins with what a sighted user reads (WCAG 2.5.3). In Chromium, on the demo study, as its
owner."""

from __future__ import annotations

import pytest
from django.urls import reverse

from demo.seed import OWNER
from interviews.models import Respondent
from interviews.services import respondent_withdraw
from tests.browser.test_pages import demo_log_in
from themes.models import Theme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# {name: [targets]} of the links and buttons in <main>: the name as announced (aria-label, else
# the text, hidden parts included, white space folded), the target what it acts on (a link's
# address; a button's form action or htmx address, with its name=value). A count in a table's
# cell ("3", a link to those excerpts) is left out: the cell's row and column headers name it.
CONTROLS = """() => {
    const fold = (text) => text.replace(/\\s+/g, " ").trim();
    const found = {};
    for (const control of document.querySelectorAll("main a[href], main button")) {
        const name = fold(control.getAttribute("aria-label") || control.textContent);
        if (/^\\d+$/.test(name) && control.closest("td")) continue;
        const form = control.closest("form");
        const address = control.getAttribute("href") || control.getAttribute("hx-get")
            || control.getAttribute("hx-post") || (form && form.getAttribute("action")) || "";
        const target = address + (control.name ? `?${control.name}=${control.value}` : "");
        (found[name] = found[name] || new Set()).add(target);
    }
    const named = Object.entries(found).map(([name, targets]) => [name, [...targets]]);
    return Object.fromEntries(named);
}"""


def test_no_two_controls_announced_alike_act_on_different_things(demo, live_server):
    study, page = demo
    # A withdrawn respondent, so that the respondents page lists Reinstate and Erase too.
    respondent_withdraw(respondent=Respondent.objects.filter(study=study).last())
    quoted = Theme.objects.filter(study=study, quotes__isnull=False).first()
    demo_log_in(page, live_server, OWNER)
    pages = [
        reverse("themes", args=[study.slug]),
        reverse("theme_detail", args=[study.slug, quoted.pk]),
        reverse("members", args=[study.slug]),
        reverse("protocol", args=[study.slug]),
        reverse("respondents", args=[study.slug]),
        reverse("deidentify_list", args=[study.slug]),
    ]
    alike = {}
    counted = 0
    for path in pages:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        controls = page.evaluate(CONTROLS)
        counted += len(controls)
        alike.update(
            {f"{path}: {name}": targets for name, targets in controls.items() if len(targets) > 1}
        )
    assert counted > 50  # the pages did list their rows
    assert not alike, "\n".join(f"{where} -> {targets}" for where, targets in alike.items())

"""A control repeated down a list says what it acts on: on the pages that list themes, a
theme's quotes and supporting excerpts, members, protocol questions, respondents, the
de-identification list, memos, retrieved excerpts, the codebook, the bin on the History page,
passages like a code's excerpts, the study's transcripts, a transcript's excerpts on its coding
page, the hits of a search and the files of an import, no two links, buttons or disclosures
that a screen reader announces alike ("Edit", "Remove", "Restore", "Open in the transcript",
"support") act on different things. The visible words stay the same; the rest of the name is
visually hidden and comes after them, so that the name still begins with what a sighted user
reads (WCAG 2.5.3). In Chromium, on the demo study, as its owner."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from coding.models import CodeMemo, Excerpt
from demo.seed import OWNER
from interviews.memos import memo_create, memo_delete
from interviews.models import InterviewMemo, JournalEntry, Respondent
from interviews.services import respondent_withdraw
from tests.browser.test_pages import demo_log_in
from themes import services as themes
from themes.models import Theme, ThemeMemo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# {name: [targets]} of the links, buttons and disclosures in <main>: the name as announced
# (aria-label, else the text, hidden parts included, white space folded), the target what it
# acts on (a link's address; a button's form action or htmx address, with its name=value; a
# disclosure's form, else the nearest element with an id). A count in a table's cell ("3",
# "11 of 11", a link to those excerpts or markers) is left out: the cell's row and column
# headers name it.
CONTROLS = """() => {
    const fold = (text) => text.replace(/\\s+/g, " ").trim();
    const found = {};
    for (const control of document.querySelectorAll("main a[href], main button, main summary")) {
        const name = fold(control.getAttribute("aria-label") || control.textContent);
        if (/^\\d+( of \\d+)?$/.test(name) && control.closest("td")) continue;
        const disclosed = control.tagName === "SUMMARY" ? control.parentElement : null;
        const form = control.closest("form") || (disclosed && disclosed.querySelector("form"));
        const address = control.getAttribute("href") || control.getAttribute("hx-get")
            || control.getAttribute("hx-post") || (form && form.getAttribute("action"))
            || (disclosed && `#${disclosed.parentElement.closest("[id]").id}`) || "";
        const target = address + (control.name ? `?${control.name}=${control.value}` : "");
        (found[name] = found[name] || new Set()).add(target);
    }
    const named = Object.entries(found).map(([name, targets]) => [name, [...targets]]);
    return Object.fromEntries(named);
}"""


def alike_on(page, url: str) -> tuple[int, dict]:
    """(how many names, {"<url>: <name>": [targets]} of the names that act on several
    things) of the page at `url` as it stands, once it has loaded."""
    if url != page.url:
        page.goto(url)
    page.wait_for_load_state("networkidle")
    controls = page.evaluate(CONTROLS)
    path = url.split("/", 3)[-1]
    alike = {f"/{path}: {name}": targets for name, targets in controls.items() if len(targets) > 1}
    return len(controls), alike


def fill_the_lists(study) -> None:
    """What the demo leaves empty or short: memos of each kind by the owner (only their author
    edits or deletes them), and a bin holding codes, excerpts, a theme and a memo. A respondent
    withdrawn, so that the respondents page lists Reinstate and Erase too."""
    owner = get_user_model().objects.get(username=OWNER)
    respondent_withdraw(respondent=Respondent.objects.filter(study=study).last())
    codes = list(study.codes.order_by("pk"))
    theme_list = list(study.themes.order_by("pk"))
    interviews = list(study.interviews.order_by("pk"))
    for n in range(2):
        memo_create(model=JournalEntry, author=owner, body=f"Journal {n}", study=study)
        memo_create(model=CodeMemo, author=owner, body=f"On a code {n}", code=codes[n])
        memo_create(model=CodeMemo, author=owner, body=f"Also on it {n}", code=codes[n])
        memo_create(model=ThemeMemo, author=owner, body=f"On a theme {n}", theme=theme_list[n])
        memo_create(
            model=InterviewMemo, author=owner, body=f"On a transcript {n}", interview=interviews[n]
        )
        binned = memo_create(model=JournalEntry, author=owner, body=f"Binned {n}", study=study)
        memo_delete(memo=binned, author=owner)
    for excerpt in Excerpt.objects.filter(interview__study=study).order_by("pk")[:2]:
        coding.excerpt_delete(excerpt=excerpt)
    for code in codes[-2:]:
        coding.code_delete(code=code, force=True)
    themes.theme_delete(theme=theme_list[-1])


def import_two_files(page, live_server, study, tmp_path) -> None:
    """Upload and import two transcripts: the outcome lists each file with its links."""
    files = []
    for pseudonym in ("R9", "R10"):
        path = tmp_path / f"{pseudonym}-interview.txt"
        path.write_text(f"Interviewer: How was it?\n\n{pseudonym}: Busy.\n", encoding="utf-8")
        files.append(str(path))
    page.goto(live_server.url + reverse("transcript_import", args=[study.slug]))
    page.set_input_files("input[type=file]", files)
    page.get_by_role("button", name="Upload and preview").click()
    for position in range(2):
        page.locator("input[name$=pseudonym]").nth(position).fill(f"R{9 + position}")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#import-progress h2")).to_have_text("2 imported")


def test_no_two_controls_announced_alike_act_on_different_things(demo, live_server, tmp_path):
    study, page = demo
    fill_the_lists(study)
    quoted = Theme.objects.filter(study=study, quotes__isnull=False).first()
    code = study.codes.filter(codings__isnull=False).order_by("pk").first()
    demo_log_in(page, live_server, OWNER)
    paths = [
        reverse("themes", args=[study.slug]),
        reverse("theme_detail", args=[study.slug, quoted.pk]),
        reverse("members", args=[study.slug]),
        reverse("protocol", args=[study.slug]),
        reverse("respondents", args=[study.slug]),
        reverse("deidentify_list", args=[study.slug]),
        reverse("memos", args=[study.slug]),
        reverse("retrieve", args=[study.slug]),
        reverse("codebook", args=[study.slug]),
        reverse("history", args=[study.slug]),
        reverse("code_similar", args=[study.slug, code.pk]),
        reverse("study_detail", args=[study.slug]),
        reverse("interview_code", args=[study.slug, study.interviews.order_by("pk").first().pk]),
        # Every hit of a common word: sixteen links once read "support" alike.
        reverse("transcript_search", args=[study.slug]) + "?q=support",
    ]
    alike = {}
    counted = 0
    for path in paths:
        names, found = alike_on(page, live_server.url + path)
        counted += names
        alike |= found

    # Two memos deleted on the memos page: each offers its Undo in its place.
    page.goto(live_server.url + reverse("memos", args=[study.slug]) + "?kind=journal")
    for _ in range(2):
        page.locator(".memo-item button.danger").first.click()
    expect(page.locator(".memo-item button.undo")).to_have_count(2)
    alike |= alike_on(page, page.url)[1]

    import_two_files(page, live_server, study, tmp_path)
    alike |= alike_on(page, page.url)[1]

    assert counted > 100  # the pages did list their rows
    assert not alike, "\n".join(f"{where} -> {targets}" for where, targets in alike.items())


# [name] of each field and named group in <body> as Chromium announces it: the names of the
# combo boxes, list boxes, text boxes, spin buttons, check boxes and radios, and of the
# groups a legend names (an unnamed group is a <details>). A date input's parts are its own.
ROLES = "combobox|listbox|textbox|searchbox|spinbutton|checkbox|radio|group"
FIELD = re.compile(rf'- ({ROLES})(?: "((?:[^"\\]|\\.)*)")?')


def fields_alike_on(page, url: str) -> dict:
    """{"<path>: <name>": how many} of the names that several fields (or a group and a
    field in it, like a legend "Codes" over a list box "Codes") share, "" for a field
    without a name, on the page at `url`."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    names = Counter(
        name
        for role, name in FIELD.findall(page.locator("body").aria_snapshot())
        if role != "group" or name
    )
    path = url.split("/", 3)[-1]
    return {f"/{path}: {name}": n for name, n in names.items() if n > 1 or not name}


def test_no_two_fields_of_a_page_are_named_alike(demo, live_server):
    """The filters of the Excerpts, History and Memos pages, the matrices' and charts'
    choices and the Add a code field of every theme: each field has one name of its own,
    so that a screen reader user hears which one they are in."""
    study, page = demo
    fill_the_lists(study)
    demo_log_in(page, live_server, OWNER)
    slug = study.slug
    paths = [
        # Two attribute conditions, each with its "is", "at least" and "at most".
        reverse("retrieve", args=[slug]) + "?attribute=Agency",
        reverse("history", args=[slug]),
        reverse("memos", args=[slug]),
        reverse("matrix", args=[slug]),
        reverse("charts", args=[slug]),
        reverse("themes", args=[slug]),
        reverse("theme_detail", args=[slug, Theme.objects.filter(study=study).first().pk]),
    ]
    alike = {}
    for path in paths:
        alike |= fields_alike_on(page, live_server.url + path)
    assert alike == {}


# The names of the icon buttons in <main> (a button whose visible text is a sign, no word:
# ↑ ↓ ×) as announced, on the page.
ICON_NAMES = """() => [...document.querySelectorAll("main button")]
    .filter((button) => !/[\\p{L}\\p{N}]/u.test(button.textContent))
    .map((button) => (button.getAttribute("aria-label") || "").replace(/\\s+/g, " ").trim())"""

# What an icon button's name says it acts on: a kind of thing, then which one.
KIND = re.compile(r"\b(the|this) (theme|code|quote|question|excerpt|message)\b|\bmatch$")


def test_an_icon_button_says_what_kind_of_thing_it_acts_on(demo, live_server):
    """An arrow or a cross has no words of its own: its name says what kind of thing it
    moves or takes away, and which ("Move the theme “Stress” up", not "Move Stress up": a
    theme and a code may share a name, and a bare name does not say which list it is in).
    On the themes page, a theme's page with quotes, the protocol and the coding page (its
    find box and the excerpt panel), in Chromium, as the owner."""
    study, page = demo
    quoted = Theme.objects.filter(study=study, quotes__isnull=False).first()
    demo_log_in(page, live_server, OWNER)
    interview = study.interviews.order_by("pk").first()
    paths = [
        reverse("themes", args=[study.slug]),
        reverse("theme_detail", args=[study.slug, quoted.pk]),
        reverse("protocol", args=[study.slug]),
        reverse("interview_code", args=[study.slug, interview.pk]),
    ]
    names = []
    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        names += [f"{path}: {name}" for name in page.evaluate(ICON_NAMES)]
    # The coding page's excerpt panel, opened on an excerpt: its close and remove buttons.
    page.locator("#transcript mark").first.click()
    expect(page.locator("#excerpt-detail")).to_be_visible()
    names += [f"panel: {name}" for name in page.evaluate(ICON_NAMES)]
    assert len(names) > 20  # the pages did list their arrows and crosses
    bare = [name for name in names if not KIND.search(name.split(": ", 1)[1])]
    assert not bare, "\n".join(bare)

"""The whole loop a researcher runs on a fresh study, in Chromium (issue 7, "Done when"):
set the study up, import a batch with one bad file, code overlapping excerpts with the mouse,
undo, build a code tree under a theme, choose a quote and export the findings; the numbers
in the findings document are checked against the transcripts' text and the README."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from docx import Document
from playwright.sync_api import expect

from coding.models import Code, Coding, Excerpt
from interviews.models import Interview, Study
from tests.browser.conftest import click_phrase, log_in, phrase_ends, select_text
from tests.browser.test_coding_drag import drag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTIONS = ["What is a normal shift like?", "Who helps you when it gets hard?"]

TRANSCRIPTS = {
    "R1": """\
Interviewer: What is a normal shift like?

R1: We start at seven, handover takes forever, then the rounds begin and nobody eats.

Interviewer: Who helps you when it gets hard?

R1: Mostly my colleagues on the ward, they cover for me when I need a break.
""",
    "R2": """\
Interviewer: What is a normal shift like?

R2: Long. I work nights and the nights are quiet until they are not.

Interviewer: Who helps you when it gets hard?

R2: My sister, she takes the kids when my rota changes at short notice.
""",
}

LONG = "We start at seven, handover takes forever"
SHORT = "takes forever"  # inside LONG, sharing its end
# What each transcript gets coded with from the code tree: the child codes only.
BRANCH_CODINGS = {
    "R1": ("my colleagues on the ward, they cover for me", "Colleagues"),
    "R2": ("My sister, she takes the kids", "Family"),
}

# The README's words for n of N, each condition as the README writes it, read here.
README_RULES = {
    "n = 0": lambda n, total: n == 0,
    "n = N": lambda n, total: n == total,
    "n = 1": lambda n, total: n == 1,
    "n ≥ ¾ N": lambda n, total: 4 * n >= 3 * total,
    "n > ½ N": lambda n, total: 2 * n > total,
    "n = ½ N": lambda n, total: 2 * n == total,
    "n ≥ ¼ N": lambda n, total: 4 * n >= total,
    "otherwise": lambda n, total: True,
}


def readme_word(n: int, total: int) -> str:
    """The word the README's table gives for n of N (the first row that holds)."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([a-z ]+) \| (.+?) \|$", readme, flags=re.MULTILINE)
    rows = [(word, when) for word, when in rows if when in README_RULES]
    assert len(rows) == len(README_RULES), f"the README's table changed: {rows}"
    return next(word for word, when in rows if README_RULES[when](n, total))


def mouse_drag_over(page, phrase: str) -> None:
    """Select `phrase` with a real mouse drag, from its first letter to its last."""
    start, end = phrase_ends(page, phrase)
    drag(page, start, end)
    page.wait_for_function("(words) => window.getSelection().toString() === words", arg=phrase)


def code_selection(page, name: str) -> None:
    """Code what is selected with `name` (an existing code's, or a new one), by keyboard."""
    expect(page.locator("#code-selection")).to_be_visible()
    page.keyboard.press("c")
    expect(page.locator("#code-filter")).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text(f"Coded as “{name}”.")


def set_up_study(page, live_server) -> Study:
    page.goto(live_server.url + reverse("study_list"))
    page.get_by_role("link", name="New study").click()
    page.get_by_label("Title").fill("Night shifts")
    page.get_by_label("Research question").fill("How do ward nurses get through a shift?")
    page.get_by_role("button", name="Create study").click()
    study = Study.objects.get(title="Night shifts")
    page.wait_for_url(live_server.url + reverse("protocol", args=[study.slug]))
    for number, question in enumerate(QUESTIONS, start=1):
        page.get_by_label("Text").fill(question)
        page.get_by_role("button", name="Add question").click()
        expect(page.locator("ol.protocol li")).to_have_count(number)
    page.goto(live_server.url + reverse("respondents", args=[study.slug]))
    # R3 is interviewed later: a respondent without a transcript, whom N must not count.
    for number, pseudonym in enumerate(["R1", "R2", "R3"], start=1):
        page.get_by_label("Pseudonym").fill(pseudonym)
        page.get_by_role("button", name="Add", exact=True).click()
        # Rows of respondents only (an empty table has a row saying so).
        rows = page.locator("table.respondents tbody tr[id^=respondent-] th")
        expect(rows).to_have_count(number)
        expect(rows.last).to_have_text(pseudonym)
    return study


def import_batch(page, live_server, study, tmp_path) -> dict[str, Interview]:
    files = []
    for pseudonym, text in TRANSCRIPTS.items():
        files.append(tmp_path / f"{pseudonym}-interview.txt")
        files[-1].write_text(text, encoding="utf-8")
    empty = tmp_path / "R3-interview.txt"
    empty.write_bytes(b"")
    files.insert(1, empty)
    page.goto(live_server.url + reverse("transcript_import", args=[study.slug]))
    page.set_input_files("input[type=file]", [str(path) for path in files])
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#batch-section")).to_contain_text("R3-interview.txt: refused")
    assert not Interview.objects.exists(), "nothing imported before the researcher confirms"
    for pseudonym in TRANSCRIPTS:
        staged = page.locator(f'li.staged-file[data-file="{pseudonym}-interview.txt"]')
        expect(staged.locator("select[name$=-respondent] option:checked")).to_have_text(pseudonym)
    page.get_by_role("button", name="Import", exact=True).click()
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("2 imported, 1 refused")
    expect(progress).to_contain_text("R3-interview.txt: refused")
    imported = Interview.objects.select_related("respondent")
    interviews = {interview.respondent.pseudonym: interview for interview in imported}
    assert sorted(interviews) == ["R1", "R2"]
    for pseudonym, interview in interviews.items():
        assert interview.text.strip() == TRANSCRIPTS[pseudonym].strip()
    return interviews


def open_coding_page(page, live_server, interview) -> None:
    page.goto(
        live_server.url + reverse("interview_code", args=[interview.study.slug, interview.pk])
    )
    expect(page.locator("#transcript")).to_be_visible()


def code_overlaps_and_undo(page, live_server, interview) -> None:
    open_coding_page(page, live_server, interview)
    mouse_drag_over(page, LONG)
    code_selection(page, "Shift routine")
    # The short passage is dragged from inside the long one's highlight.
    mouse_drag_over(page, SHORT)
    code_selection(page, "Handover")
    expect(page.locator("#excerpt-list li")).to_have_count(2)
    long = Excerpt.objects.get(text=LONG)
    short = Excerpt.objects.get(text=SHORT)

    # A click on the short one's words opens the innermost excerpt, the short one.
    page.locator("h1").first.click()
    click_phrase(page, "forever")
    detail = page.locator("#excerpt-detail")
    expect(detail).to_have_attribute("data-x", str(short.pk))
    expect(page.locator("#covering [data-open]")).to_have_count(2)

    detail.get_by_role("button", name="Add a code").click()
    page.keyboard.type("Fatigue")
    page.keyboard.press("Enter")
    expect(detail.locator(".code-list")).to_contain_text("Fatigue")
    assert sorted(short.codings.values_list("code__name", flat=True)) == ["Fatigue", "Handover"]
    page.locator("#transcript").focus()
    # Undoing it (the code was created on the spot, so the page reloads) takes it off. The
    # click below must land on the reloaded page, not on the old one just before it goes.
    with page.expect_navigation():
        page.keyboard.press("Control+z")
    expect(page.locator("#flash")).to_contain_text("Undone: ")
    click_phrase(page, "forever")
    expect(detail).to_have_attribute("data-x", str(short.pk))
    expect(detail.locator(".code-list")).to_contain_text("Handover")
    expect(detail.locator(".code-list")).not_to_contain_text("Fatigue")
    assert list(short.codings.values_list("code__name", flat=True)) == ["Handover"]
    assert list(long.codings.values_list("code__name", flat=True)) == ["Shift routine"]


def build_code_tree(page, live_server, study) -> None:
    page.goto(live_server.url + reverse("codebook", args=[study.slug]))
    for name, parent in [("Support", None), ("Colleagues", "Support"), ("Family", "Support")]:
        page.locator("#code-editor").get_by_role("link", name="New code").click()
        editor = page.locator("#code-editor")
        editor.get_by_label("Name").fill(name)
        if parent:
            editor.get_by_label("Under").select_option(label=parent)
        editor.get_by_role("button", name="Add code").click()
        expect(page.locator("#codebook-body .code-tree")).to_contain_text(name)
    support = Code.objects.get(study=study, name="Support")
    assert sorted(support.children.values_list("name", flat=True)) == ["Colleagues", "Family"]


def gather_under_a_theme(page, live_server, study) -> None:
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    side = page.locator(".theme-side")
    side.get_by_label("Name").fill("Being held up")
    side.get_by_label("Description").fill("Who carries the nurses through.")
    side.get_by_role("button", name="Add theme").click()
    theme = page.locator("section.theme", has_text="Being held up")
    theme.get_by_label("Add a code").fill("Support")
    theme.get_by_role("button", name="Add the code to “Being held up”", exact=True).click()
    expect(theme.get_by_label("Codes of Being held up")).to_contain_text("Support")


def test_a_researchers_whole_loop_on_a_fresh_study(page, live_server, owner, tmp_path):
    log_in(page, live_server, owner)
    study = set_up_study(page, live_server)
    interviews = import_batch(page, live_server, study, tmp_path)
    code_overlaps_and_undo(page, live_server, interviews["R1"])
    build_code_tree(page, live_server, study)
    for pseudonym, (phrase, code) in BRANCH_CODINGS.items():
        open_coding_page(page, live_server, interviews[pseudonym])
        select_text(page, phrase)
        code_selection(page, code)
    gather_under_a_theme(page, live_server, study)

    # What the test coded, and what the database holds, under the branch of "Support".
    branch = ["Support", "Colleagues", "Family"]
    coded = {pseudonym for pseudonym, (_, code) in BRANCH_CODINGS.items() if code in branch}
    stored = set(
        Coding.objects.filter(code__study=study, code__name__in=branch).values_list(
            "excerpt__interview__respondent__pseudonym", flat=True
        )
    )
    assert stored == coded
    n = len(coded)
    # N: respondents with a transcript who have not withdrawn (R3 has no transcript).
    total = len({i.respondent_id for i in Interview.objects.filter(study=study)})
    word = readme_word(n, total)
    assert (n, total, word) == (2, 2, "all")

    # Before a quote is chosen, the quotes cell says why it is empty.
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    expect(page.locator("section.theme .prevalence")).to_contain_text(f"({n} of {total})")
    description, raised_by, quotes = findings_row(page, "Being held up", total)
    assert description == "Who carries the nurses through."
    assert raised_by == f"{n} of {total}\n({word})"
    assert quotes == "No quote chosen yet."

    # A quote chosen on the theme's page reaches the cell, with its respondent and question.
    page.locator("section.theme").get_by_role("link", name="Being held up", exact=True).click()
    quote = Excerpt.objects.get(text=BRANCH_CODINGS["R2"][0])
    page.locator(f"#support-{quote.pk}").get_by_role("button", name="Choose as a quote").click()
    expect(page.locator(".quotes li")).to_have_count(1)
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    _, raised_by, quotes = findings_row(page, "Being held up", total)
    assert raised_by == f"{n} of {total}\n({word})"
    # The attribution's spaces are no-break spaces: it is never broken across two lines.
    assert f"“{quote.text}” (R2,\u00a0Q2)" in quotes, quotes


def findings_row(page, theme: str, total: int) -> list[str]:
    """Download the findings .docx from the themes page; the texts of `theme`'s row of the
    findings table after its name (description, raised by, quotes). Checks that the table
    holds that theme only and its caption counts `total` respondents."""
    with page.expect_download() as download:
        page.get_by_role("button", name="Findings (.docx)").click()
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    table = document.tables[0]
    header = [cell.text for cell in table.rows[0].cells]
    assert header == ["Theme", "Description", "Raised by", "Illustrative quotes"]
    rows = {row.cells[0].text: [cell.text for cell in row.cells[1:]] for row in table.rows[1:]}
    assert list(rows) == [theme]
    caption = next(p.text for p in document.paragraphs if p.style.name == "Caption")
    assert f"(of {total} respondents)" in caption, caption
    return rows[theme]

"""The themes area's measurements: the themes pages, the exports and the roll-up."""

from __future__ import annotations

from django.urls import reverse

from coding.models import Excerpt
from devtools.benchmark.coding import code_selection, new_selections
from devtools.benchmark.registry import call, fill_step, page, request
from devtools.benchmark.scratch import Scratch
from devtools.benchmark.serving import Browser, Response, check
from interviews.models import Study
from themes.models import Quote, Theme
from themes.rollup import build_rollup
from themes.selectors import study_rows


@fill_step
def themes(scratch: Scratch) -> None:
    """Five themes of three sub-themes each; every code serves one or two of them, and each
    theme has three chosen quotes (as the demo study has). The first theme's page is
    measured: it gathers the excerpts of its sub-themes' codes as well as its own."""
    study, rng, code_ids = scratch.study, scratch.rng, scratch.code_ids
    made = []
    for n in range(5):
        theme = Theme.objects.create(study=study, name=f"Theme {n + 1}", order=n + 1)
        made.append(theme)
        made += [
            Theme.objects.create(study=study, parent=theme, name=f"Theme {n + 1}.{k}", order=k)
            for k in range(1, 4)
        ]
    links = {(rng.choice(made).pk, code_id) for code_id in code_ids}
    links |= {
        (rng.choice(made).pk, code_id) for code_id in rng.sample(code_ids, len(code_ids) // 3)
    }
    Theme.codes.through.objects.bulk_create(
        Theme.codes.through(theme_id=theme_id, code_id=code_id) for theme_id, code_id in links
    )
    excerpt_ids = list(Excerpt.objects.filter(interview__study=study).values_list("id", flat=True))
    Quote.objects.bulk_create(
        Quote(theme=theme, excerpt_id=excerpt_id, order=k)
        for theme in made
        for k, excerpt_id in enumerate(rng.sample(excerpt_ids, 3), start=1)
    )
    scratch.plan["theme"] = made[0].pk


# Read from the worker's cache, as every page is but the first after a change of the study.
page("themes_page", "themes", warm=True)
page("theme_page", "theme_detail", "theme", warm=True)


@fill_step
def first_selections(scratch: Scratch) -> None:
    """The selections themes_page_first codes, one per request (as apply_code's)."""
    scratch.plan["first_selections"] = new_selections(scratch)


@request("themes_page_first")
def themes_page_first(browser: Browser, plan: dict, n: int, **headers: str) -> Response:
    """The themes page as the first request after a change of the study: a selection is
    coded first, untimed (moving the study's revision on, as every change of what the
    roll-up counts does), so the timed GET computes the roll-up afresh before it draws the
    page (the `rollup` key times that computation by itself)."""
    check("themes_page_first", code_selection(browser, plan, plan["first_selections"][n]))
    return browser.get(reverse("themes", args=[plan["slug"]]), **headers)


# Both made by a short-lived process since issue 9 (themes.views.exports.DOWNLOADS; the
# findings given the worker's cached roll-up and charts): the time is the whole download's,
# the process's start included; peak_mb is the worker's side only (the process that builds
# the file is not traced, and its memory leaves with it).
page("findings_docx", "export_findings")
page("excerpts_xlsx", "export_excerpts_xlsx")


@call("rollup")
def rollup(study: Study) -> None:
    """The roll-up computed afresh, as the first page after a change of the coding does
    (the pages then read it from the cache: themes.rollup.study_rollup)."""
    build_rollup(study_rows(study))

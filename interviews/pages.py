"""Where a study's page and an interview's page are, as URL names.

interviews/ shows neither itself: a study opens on its overview and an interview on its
coding page, both in coding/, which interviews/ must not know. So the app that shows them
registers their URL names when it starts (coding/apps.py calls `show`), and interviews'
models, views and templates link through these names (templates as
`{% url pages.interview slug pk %}`, from the context processor `url_names`), and show
"Code from this search" only when an app has a page for it. Until an app
registers, they are interviews' own pages, so interviews/ works on its own.
"""

from __future__ import annotations

from django.urls import reverse

# URL names: a study's takes its slug, an interview's the study's slug and its id; the page
# that codes what a search found takes the study's slug and ?q= (none until one registers).
_URL_NAMES = {
    "study": "study_settings",
    "interview": "interview_edit",
    "code_search": "",
    # The page that makes a study of a file from another tool (none until one registers).
    "study_import": "",
    # Where Ctrl+Z posts to undo the user's newest action in a study (its slug; none until
    # an app keeping a history of actions registers): the de-identification page's Keep is
    # one of those actions.
    "undo": "",
}


def show(*, study: str, interview: str, code_search: str = "") -> None:
    """Make `study`, `interview` and `code_search` (URL names, arguments as above) the pages
    that interviews/ links to for a study, an interview and coding a search's hits."""
    _URL_NAMES.update(study=study, interview=interview, code_search=code_search)


def offer_study_import(name: str) -> None:
    """Make `name` (a URL name without arguments) the page the list of studies links to for
    making a study of another tool's project."""
    _URL_NAMES["study_import"] = name


def study_url(slug: str) -> str:
    """The path of a study's page."""
    return reverse(_URL_NAMES["study"], args=[slug])


def interview_url(slug: str, pk: int) -> str:
    """The path of an interview's page."""
    return reverse(_URL_NAMES["interview"], args=[slug, pk])


def undo_actions(name: str) -> None:
    """Make `name` (a URL name taking a study's slug) where interviews' pages post Ctrl+Z."""
    _URL_NAMES["undo"] = name


def url_names(request) -> dict:
    """Context processor: `pages.study`, `pages.interview`, `pages.code_search`,
    `pages.study_import`, `pages.undo`."""
    return {"pages": dict(_URL_NAMES)}

"""Responses shared by every app: pages or their fragments, and flash messages and refusals
that htmx shows in the page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import cache

from django.contrib import messages
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import reswap

from .errors import Conflict

STATUS_MESSAGES = {
    400: "That request could not be understood; nothing was changed.",
    403: "You are not allowed to do that; nothing was changed.",
    404: "That no longer exists, or you cannot see it. Reload the page.",
    405: "That action cannot be done this way; nothing was changed.",
    409: "Someone changed this in the meantime. Reload the page; nothing was changed.",
    413: "That upload is too large.",
}
BUSY_MESSAGE = (
    "The database was busy with another change and did not answer in time. Your last "
    "action was not saved; try again in a moment."
)
CSRF_MESSAGE = (
    "Your session has expired or the page is out of date. Reload the page and try again."
)


# The extra tags of a message that carry the URL of its Undo (message_undo_url) and of the
# page listing all it names when it names only the first few (message_more_url): a plain
# form is answered with a redirect, and its message waits in the session for the next page.
UNDO_TAG = "undo:"
MORE_TAG = "more:"


def message_for_next_page(
    request: HttpRequest,
    message: str,
    level: str = "success",
    undo_url: str = "",
    more_url: str = "",
) -> None:
    """Keep `message` (plain text) of `level` ("success", "info", "warning", "error") for
    the next page shown to the user, with an Undo button posting to `undo_url` if given:
    a plain form (_flash.html), so that undoing after a plain form needs no JavaScript;
    and a link to `more_url` if given, the page that lists all a capped message names."""
    tags = [tag + url for tag, url in ((UNDO_TAG, undo_url), (MORE_TAG, more_url)) if url]
    level_number = getattr(messages, level.upper())
    messages.add_message(request, level_number, message, extra_tags=" ".join(tags))


def _message_tag(message, tag: str) -> str:
    # URLs (reverse()'s) hold no space: the tags are split on it.
    tags = (getattr(message, "extra_tags", "") or "").split()
    return next((found.removeprefix(tag) for found in tags if found.startswith(tag)), "")


def message_undo_url(message) -> str:
    """The URL of the Undo of a kept message (message_for_next_page), "" for none."""
    return _message_tag(message, UNDO_TAG)


def message_more_url(message) -> str:
    """The URL of the page listing all a kept message names (message_for_next_page), ""
    for none."""
    return _message_tag(message, MORE_TAG)


def wants_fragment(request: HttpRequest) -> bool:
    """Whether to answer with a fragment of the page: an htmx request that is not restoring
    history. On a history-cache miss (the Back button) htmx asks for the URL again and puts
    the answer in place of the whole body, so that answer must be the full page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page_or_fragment(
    request: HttpRequest,
    template: str,
    partial: str,
    context: dict | Callable[[], dict],
    *,
    status: int = 200,
    done: str = "",
    message: str = "",
    level: str = "success",
    undo_url: str = "",
    more_url: str = "",
    oob: Iterable[str] = (),
) -> HttpResponse:
    """The full page `template`, or only its `{% partialdef partial %}` for htmx.

    The one way a view answers both: history-restore requests get the full page, and the
    answer says it varies with HX-Request, so that no cache (the browser's own included,
    when Back is pressed after an htmx request) hands a fragment to a full-page load.

    `done` is for a write that succeeded: the URL of the page it belongs to. A POST that
    htmx did not send (a form posted without JavaScript, or before htmx loaded) is then
    redirected there (POST/redirect/GET) with `message`, if any, as a flash of `level`
    ("success", "info", "warning", "error"), with its Undo if `undo_url` and its link to the
    page listing all it names if `more_url` (message_for_next_page); a bare fragment would
    show in the window as an unstyled scrap, and a page answered to a POST is posted again
    by Reload. Without `done` a plain request gets the whole page, so `template` must draw
    the partial's region in place from `context` (a form with its errors, say). `context`
    may be a function that returns it, called only when a page or fragment is drawn, so that
    a redirected POST reads nothing it would not show.

    `oob` is HTML of other regions the action changed, each marked `hx-swap-oob` (the study's
    counts line from interviews.counts.counts_oob, a flash from `flash_html`): added after the
    fragment, so that htmx redraws them too; a full page draws its regions itself.
    """
    if done and request.method == "POST" and not request.htmx:
        if message:
            message_for_next_page(request, message, level, undo_url, more_url)
        return redirect(done)
    if callable(context):
        context = context()
    name = f"{template}#{partial}" if wants_fragment(request) else template
    response = render(request, name, context, status=status)
    if name != template:
        for region in oob:
            response.content += region.encode()
    patch_vary_headers(response, ["HX-Request"])
    return response


def flash_html(message: str, level: str = "info", undo_url: str = "", more_url: str = "") -> str:
    """The content of the page's two message regions (#flash-status, #flash-alert; see
    _flash.html), each marked for an out-of-band innerHTML swap: `message` goes to the
    alert region if `level` is "error", else to the status region, and the other is
    emptied. The regions themselves stay, as screen readers need to announce the change.
    `more_url` is the page listing all a capped message names, linked after it."""
    context = {"message": message, "level": level, "undo_url": undo_url, "oob": True}
    return render_to_string("_flash.html", {**context, "more_url": more_url})


def with_announcement(request: HttpRequest, response: HttpResponse, text: str) -> HttpResponse:
    """`response` to an htmx action whose outcome the page shows but no message says (a
    move, a choice), with `text` (plain text, escaped; one sentence) put in the page's
    #announce: a polite live region nobody sees, which screen readers read out
    (base.html). Only its content is swapped (out of band, innerHTML): a live region
    inserted or replaced with its content is not reliably announced. A plain form's answer
    is a new page, to which nothing is added."""
    if request.htmx:
        region = format_html('<div id="announce" hx-swap-oob="innerHTML">{}</div>', text)
        response.content += region.encode()
    return response


def moved_text(what: str, way: str, moved: tuple[int, int] | None) -> str:
    """What a move of `what` (a theme's or quote's name as said, quoted) `way` ("up" or
    "down") says (with_announcement): "Moved <what> up: 2 of 5." for `moved`, its place
    after the move counted from 1 and the number of places, or "<What> did not move." for
    None (already first or last, or gone meanwhile)."""
    if moved is None:
        return f"{what[:1].upper()}{what[1:]} did not move."
    place, count = moved
    return f"Moved {what} {way}: {place} of {count}."


def with_message(
    request: HttpRequest,
    response: HttpResponse,
    message: str,
    *,
    level: str = "success",
    undo_url: str = "",
) -> HttpResponse:
    """`response` to a write that succeeded, telling the user `message` (plain text, escaped)
    of `level`, with an Undo button posting to `undo_url` if given.

    To htmx, the flash is swapped out of band into the page's #flash beside whatever the
    response swaps; a plain request's response (a redirect, POST/redirect/GET) takes it
    as a message for the next page, its Undo a plain form (message_for_next_page)."""
    if not request.htmx:
        message_for_next_page(request, message, level, undo_url)
        return response
    response.content += flash_html(message, level, undo_url).encode()
    return response


# The fields in which people write text of their own (a memo, a comment, a definition, a
# question, a name), by their names in the app's forms, with the label the error page gives
# each: what a refusal must never lose.
TYPED_FIELDS = {
    "body": "Text",
    "memo": "Memo",
    "text": "Text",
    "topic": "Topic",
    "name": "Name",
    "code_name": "Code",
    "new_code": "New code",
    "pseudonym": "Pseudonym",
    "description": "Description",
    "definition": "Definition",
    "inclusion": "Inclusion",
    "exclusion": "Exclusion",
    "example": "Example",
    "research_question": "Research question",
    "extract": "Quote",
}


def typed_texts(request: HttpRequest) -> list[tuple[str, str]]:
    """What the user typed into a form that was refused, as (label, text) in the form's
    order: the POST's fields of TYPED_FIELDS and a respondent's attribute values (attr-0,
    attr-1…) that hold more than spaces. [] for any other request.

    A selection's words (the `text` posted beside its `start` and `end` on the coding page)
    are the transcript's, not typed: left out."""
    if request.method != "POST":
        return []
    selection = "start" in request.POST and "end" in request.POST
    typed = []
    for name, value in request.POST.items():
        label = TYPED_FIELDS.get(name) or ("Value" if name.startswith("attr-") else "")
        if label and value.strip() and not (selection and name == "text"):
            typed.append((label, value))
    return typed


# The session key under which a refused form's typed texts wait for the page the user is
# sent back to (keep_typed, kept_typed).
TYPED_KEY = "refused_typed"


def keep_typed(request: HttpRequest, typed: list[tuple[str, str]]) -> None:
    """Keep `typed` ((label, text) pairs, as typed_texts gives them) for the next page drawn
    in full, which shows them once in boxes to copy from (kept_typed, _typed.html)."""
    request.session[TYPED_KEY] = [list(pair) for pair in typed]


def kept_typed(request: HttpRequest) -> list[tuple[str, str]]:
    """The typed texts keep_typed kept, taken out of the session: [] when none."""
    session = getattr(request, "session", None)
    if session is None or TYPED_KEY not in session:
        return []
    return [(label, text) for label, text in session.pop(TYPED_KEY)]


# How the error page finds the study of the request, to draw the study's menu around it:
# registered by the app that knows studies (interviews/apps.py), which core/ must not import.
_study_of: list[Callable[[HttpRequest], object]] = []


def show_study_with(lookup: Callable[[HttpRequest], object]) -> None:
    """Make `lookup` the way refused_page finds what to draw the study's menu from: given
    the request, the Access to the study in its URL, or None."""
    _study_of[:] = [lookup]


def refused_page(
    request: HttpRequest, message: str, *, status: int = 400, typed: bool = True
) -> HttpResponse:
    """The site's error page saying `message` once, with `status`, and (unless `typed` is
    False) what the refused form held that the user typed (typed_texts), in boxes to copy
    it from: a whole page for a request that is not htmx's. In a study the user is a member
    of it has the study's menu, and it links back to the page the request came from."""
    context = {
        "status": status,
        "refusal": message,
        "refused_typed": typed_texts(request) if typed else [],
        "back": _same_site_referer(request),
        "access": _study_of[0](request) if _study_of else None,
    }
    return render(request, "error.html", context, status=status)


def refusal(
    request: HttpRequest,
    message: str,
    *,
    status: int = 400,
    fallback_url: str = "",
    typed: bool = True,
) -> HttpResponse:
    """Refuse a request with a message the user sees where they are; nothing is changed.

    htmx requests get the status code and a flash swapped out of band (the page keeps what
    the user typed). A plain request (a form posted without JavaScript, or one htmx does not
    drive) always gets a whole page: redirected to `fallback_url`, else back to the page the
    form was on (its Referer, when it is of this site), with the message as a flash and the
    text the form held that the user typed kept for that page, which shows it once in boxes
    to copy from (keep_typed); with neither, or for a database too busy (503) to keep that
    text in the session, the error page with the message, that text and `status`
    (refused_page). `typed=False` says the form's fields of those names were
    chosen, not typed (a column picked from a list).
    """
    if request.htmx:
        return reswap(HttpResponse(flash_html(message, "error"), status=status), "none")
    back = fallback_url or _same_site_referer(request)
    texts = typed_texts(request) if typed else []
    # The flash alone would be a bare fragment in the window: show it in the site's page.
    # A database too busy to answer (503) may not keep the typed texts in the session
    # either: they are shown on the error page, which needs no write.
    if not back or (texts and status == 503):
        return refused_page(request, message, status=status, typed=typed)
    messages.error(request, message)
    if texts:
        keep_typed(request, texts)
    return redirect(back)


def _same_site_referer(request: HttpRequest) -> str:
    """The page the request came from, if it is on this site; else "" (a Referer can be
    forged or point elsewhere, and a refusal must not redirect off the site)."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


class HtmxErrorMiddleware:
    """Make every answer to an htmx action replace the page's message region (#flash).

    An error answer: htmx is configured to swap 4xx responses (so that our refusals can
    show their message); an error answer that is not one of them (a 405 from require_POST,
    say) would blank the element it targets, so it is replaced by a message.

    A success answer to an action (any method but GET and HEAD) that brings no message of
    its own gets an empty region swapped out of band: a refusal shown before (red, it stays
    until dismissed) would otherwise stay up over the page after later actions succeed,
    and read as their answer. GETs are left alone: they read (a panel loading, a page of
    results), and must not take away the message the last action showed, its Undo with it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False):
            return response
        if response.status_code < 400:
            if _clears_flash(request, response):
                response.content += _empty_flash()
            return response
        # Our own refusals (reswap "none") already carry their message.
        if response.get("HX-Reswap") == "none":
            return response
        message = STATUS_MESSAGES.get(
            response.status_code, "Something went wrong; reload the page."
        )
        fresh = HttpResponse(flash_html(message, "error"), status=response.status_code)
        return reswap(fresh, "none")


logger = logging.getLogger(__name__)


def database_busy(error: BaseException) -> bool:
    """Whether `error` is SQLite's "database is locked": another connection held the write
    lock past the connection's timeout (settings.SQLITE_OPTIONS, 20 s; a long import or
    de-identification in another worker). Transactions are IMMEDIATE there, so the lock is
    asked for at BEGIN, before the action wrote anything (RELIABILITY.md, C1)."""
    return isinstance(error, OperationalError) and "database is locked" in str(error)


class RefusalMiddleware:
    """Refuse, with a message, what a view let through that the user can act on rather
    than a server error:

    - a Conflict (409, its message): an action whose undo entry could not be written
      (coding.undo.NotKept), rolled back with it;
    - the database busy past its timeout (503, BUSY_MESSAGE; database_busy): the action's
      transaction never began, and trying again in a moment will do.

    As every refusal (core.http.refusal): a flash over htmx, else back to the page the form
    was on, or the error page with what the user typed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Conflict):
            return refusal(request, str(exception), status=409)
        if database_busy(exception):
            # For the operator: which request waited, and on what.
            logger.warning("Database busy: %s %s", request.method, request.path, exc_info=True)
            return refusal(request, BUSY_MESSAGE, status=503)
        return None


# Headers with which htmx leaves the page (a reload, a redirect): the next page shows the
# messages kept for it, and nothing of this answer is swapped.
_LEAVING = ("HX-Refresh", "HX-Redirect", "HX-Location")


@cache
def _empty_flash() -> bytes:
    """The message region with nothing in it, swapped out of band: the same bytes for every
    answer, rendered once (a template render on every POST would add to each)."""
    return flash_html("", "").encode()


def _clears_flash(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether an htmx answer below 400 is a success to an action that says nothing in the
    message region: HTML swapped into the page (not a 204, a download, a stream or a
    redirect), for a method other than GET and HEAD, without messages of its own (the
    regions' content, flash_html)."""
    return (
        request.method not in ("GET", "HEAD")
        and 200 <= response.status_code < 300
        and response.status_code != 204
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.has_header("Content-Disposition")
        and not any(response.has_header(header) for header in _LEAVING)
        and b'id="flash-status"' not in response.content
    )


def posted(request: HttpRequest):
    """The POST data to bind a form to, or None on GET.

    Not `request.POST or None`: an empty POST is still a submission, and its form must show
    what is missing instead of coming back blank.
    """
    return request.POST if request.method == "POST" else None

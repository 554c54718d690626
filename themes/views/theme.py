"""A theme's page: summary, quotes, supporting excerpts, comments and review status."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST, require_safe

from coding.access import excerpt_access
from coding.views.undo import undo_url, undoable
from core.bidi import isolated
from core.errors import Conflict
from core.fragments import cached_fragment, fragment_key
from core.http import (
    moved_text,
    refusal,
    render_page_or_fragment,
    with_announcement,
    with_message,
)
from interviews.access import OWN, READ, WRITE
from interviews.forms import MoveForm, PageForm
from interviews.revisions import page_revision

from .. import review, services
from ..access import comment_access, quote_access, theme_access
from ..forms import CommentForm, QuoteChoiceForm, QuoteExtractForm, ResolveForm, StatusForm
from ..models import ReviewStatus
from ..quoting import quote_text
from ..rollup import study_rollup


def _page_number(request) -> str:
    """Which page of supporting excerpts to show: the forms on the page send the one they
    were on, so that choosing a quote on page 3 leaves the researcher on page 3."""
    posted = PageForm.number(request.POST)
    return str(posted) if posted else request.GET.get("page") or "1"


def _page(request, access, theme, *, rollup=None, comment_form=None, draft=None):
    context = {
        "access": access,
        "theme": theme,
        "comment_form": comment_form or CommentForm(),
        "body": _body(request, access, theme, rollup, draft=draft),
        "threads": _threads(request, access, theme),
    }
    return render_page_or_fragment(request, "themes/theme.html", "theme-body", context)


def _body(request, access, theme, rollup=None, *, draft=None):
    """The theme's summary, codes, quotes and page of supporting excerpts, kept rendered
    (core.fragments) under everything they show: the study's revision (the roll-up's
    counts and excerpts, the theme's codes), the theme's own fields, its quotes as read
    now (choosing, ordering or cutting a quote moves no revision), the page asked for and
    the reader's role. The comments are kept apart, thread by thread (_threads)."""
    study = access.study
    number = _page_number(request)
    quotes = review.theme_quotes(theme)
    key = fragment_key(
        "theme",
        study.pk,
        study.slug,
        page_revision(request, study),
        access.role,
        theme.pk,
        (theme.name, theme.description, theme.review_status, str(theme.review_started_at)),
        number,
        quotes,
    )

    def context() -> dict:
        return {
            "access": access,
            "statuses": ReviewStatus.choices,
            **review.theme_page(theme, number, rollup, quotes),
        }

    if draft is not None:
        # Words typed for a quote and refused ({"quote": id, "text": str}): this user's
        # alone, never kept for others.
        html = render_to_string(BODY, {**context(), "draft": draft}, request=request)
        return mark_safe(html)  # the template escaped what it shows
    return cached_fragment(request, BODY, key, context)


BODY = "themes/theme.html#theme-body-html"


def _comments(request, access, theme, *, comment_form=None):
    """The comment threads alone, redrawn after a comment: from the theme's comments only,
    never the roll-up (a comment changes no count)."""
    if not request.htmx:
        if comment_form is not None and comment_form.errors:
            # The page again with the comment and what is wrong with it: a redirect would
            # lose both.
            return _page(request, access, theme, comment_form=comment_form)
        return redirect("theme_detail", access.study.slug, theme.pk)
    context = {
        "access": access,
        "theme": theme,
        "comment_form": comment_form or CommentForm(),
        "threads": _threads(request, access, theme),
    }
    return render(request, "themes/theme.html#comments", context)


def _threads(request, access, theme) -> list:
    """Each comment thread of the theme as HTML, kept rendered (core.fragments) under
    everything it shows (review.thread_state): a comment redraws its region, in which
    only the thread it joins is drawn afresh. Every member may reply and resolve: the
    role is not in the key."""
    return [
        cached_fragment(
            request,
            "themes/theme.html#comment-thread",
            fragment_key("thread", access.study.slug, theme.pk, review.thread_state(thread)),
            lambda thread=thread: {"access": access, "theme": theme, "thread": thread},
            cache="threads",
        )
        for thread in review.comment_threads(theme)
    ]


def _back(request, access, theme, rollup=None):
    if not request.htmx:
        url = reverse("theme_detail", args=[access.study.slug, theme.pk])
        page = _page_number(request)
        return redirect(url if page == "1" else f"{url}?{urlencode({'page': page})}")
    return _page(request, access, theme, rollup=rollup)


@require_safe
def theme_detail(request, slug, pk):
    access, theme = theme_access(request, slug, pk, READ)
    return _page(request, access, theme)


@require_POST
def quote_toggle(request, slug, pk, excerpt_id):
    """Choose an excerpt as a quote for the theme, or un-choose it.

    The form says which (`choose` is 1 or 0), so that the same click sent twice at once
    (two tabs, two coders) does what one does; without it, the choice is flipped.
    """
    access, theme = theme_access(request, slug, pk, WRITE)
    form = QuoteChoiceForm(request.POST)
    if not form.is_valid():
        return refusal(request, " ".join(form.errors["choose"]), status=400)
    existing = theme.quotes.filter(excerpt_id=excerpt_id).first()
    choose = form.cleaned_data["choose"]
    if choose is None:
        choose = existing is None
    if not choose:
        # Removing works even when the excerpt was deleted meanwhile. Its place and its
        # chosen words would be lost: say so, and offer them back.
        message = f"Removed the quote from “{theme.name}”; the excerpt stays."
        with undoable(request, access, message) as journal:
            removed = existing and services.quote_remove(quote=existing, journal=journal)
        if not removed:
            # Removed in another tab, or a stale page: the page as it now stands, and why.
            message = (
                f"That excerpt was not a quote of “{isolated(theme.name)}”; nothing was changed."
            )
            return with_message(request, _back(request, access, theme), message, level="info")
        undo_link = undo_url(access, journal.entry)
        return with_message(request, _back(request, access, theme), message, undo_url=undo_link)
    _, excerpt = excerpt_access(request, slug, excerpt_id, WRITE)
    # Choosing a quote moves no revision: the check and the page after it share the roll-up.
    rollup = study_rollup(access.study)
    try:
        services.quote_add(theme=theme, excerpt=excerpt, rollup=rollup)
    except ValidationError as error:
        return refusal(request, " ".join(error.messages), status=400)
    # The button turns into "Remove from quotes" and the quote shows above: said too.
    said = f"Chosen as a quote of “{theme.name}”."
    return with_announcement(request, _back(request, access, theme, rollup=rollup), said)


@require_POST
def quote_move(request, slug, pk):
    access, quote = quote_access(request, slug, pk, WRITE)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return refusal(request, " ".join(form.errors["to"]), status=400)
    # Moving a quote changes no count: the move and the page after it share the roll-up,
    # read from the cache.
    rollup = study_rollup(access.study)
    moved = services.quote_move(quote=quote, delta=form.delta, rollup=rollup)
    # The page shows the new order; a screen reader is told it.
    said = moved_text(f"the quote “{_first_words(quote)}”", form.cleaned_data["to"], moved)
    return with_announcement(request, _back(request, access, quote.theme, rollup=rollup), said)


def _first_words(quote) -> str:
    """The quote's first six printed words, as its move buttons name it (theme.html)."""
    return Truncator(quote_text(quote.excerpt.text, quote.extract)).words(6)


@require_POST
def quote_extract(request, slug, pk):
    """Choose the words of a quote the findings print (an extract, cut where marked)."""
    access, quote = quote_access(request, slug, pk, WRITE)
    form = QuoteExtractForm(request.POST)
    if not form.is_valid():
        return refusal(request, " ".join(form.errors.get("extract", [])), status=400)
    typed, seen = form.cleaned_data["extract"], form.cleaned_data["seen"]
    try:
        with undoable(request, access, "Words to print saved.") as journal:
            services.quote_extract_set(quote=quote, extract=typed, seen=seen, journal=journal)
    except ValidationError as error:
        return refusal(request, " ".join(error.messages), status=400)
    except Conflict:
        # Saved in another tab: the page with the words as they now stand, the typed ones
        # kept in the quote's open box (its token now theirs: saving again replaces them).
        return _page(request, access, quote.theme, draft={"quote": quote.pk, "text": typed})
    done = undo_url(access, journal.entry) if journal.entry else ""
    return with_message(request, _back(request, access, quote.theme), WORDS_SAVED, undo_url=done)


WORDS_SAVED = "Words to print saved."


@require_POST
def theme_status(request, slug, pk):
    access, theme = theme_access(request, slug, pk, OWN)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return refusal(request, " ".join(form.errors["status"]), status=400)
    # A status changes no count: the snapshot and the page after it share one roll-up.
    rollup = study_rollup(access.study)
    try:
        changed = services.theme_status_set(
            theme=theme,
            status=form.cleaned_data["status"],
            rollup=rollup,
            afresh=form.cleaned_data["afresh"],
        )
    except ValidationError as error:
        return refusal(request, " ".join(error.messages), status=400)
    response = _back(request, access, theme, rollup=rollup)
    if not changed:
        return with_message(request, response, status_kept(theme), level="info")
    return response


def status_kept(theme) -> str:
    """What Set with the status `theme` has already says: nothing changed, and for a
    review, since when the committee's "what changed" counts."""
    if theme.review_status == ReviewStatus.IN_REVIEW and theme.review_started_at:
        since = date_format(localtime(theme.review_started_at), "j M Y, H:i")
        return (
            f"It is already in review since {since}: the committee still sees what changed "
            "since then. To ask them to review it afresh, press “Start the review afresh”."
        )
    return f"It is already {theme.get_review_status_display()}; nothing was changed."


@require_POST
def comment_add(request, slug, pk):
    """Comment on a theme: open to every member, reviewers included."""
    access, theme = theme_access(request, slug, pk, READ)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent_id = form.cleaned_data["parent"]
        parent = theme.comments.filter(pk=parent_id).first() if parent_id else None
        if parent_id and parent is None:
            # A reply to a comment of another theme (a forged request) or one gone meanwhile:
            # posted as a new thread, it would answer nothing the readers can see.
            return refusal(
                request,
                "That comment is not on this theme (or no longer exists); the reply was not "
                "posted. Reload the page.",
                status=400,
            )
        label = _comment_label(access, f"Commented on “{isolated(theme.name)}”.")
        try:
            with undoable(request, access, label) as journal:
                services.comment_add(
                    theme=theme,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    parent=parent,
                    journal=journal,
                )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            # Posted, with its Undo for a writer (a reviewer keeps no history: no button).
            response = _comments(request, access, theme)
            link = undo_url(access, journal.entry)
            return with_message(request, response, "Comment posted.", undo_url=link)
    response = _comments(request, access, theme, comment_form=form)
    if not request.htmx:
        return response  # The page again, the error beside the comment.
    # The error is drawn beside the field, in the comments this answer swaps in: an element
    # the swap creates, which screen readers do not reliably announce. The page's alert
    # region, there from its load, says it too.
    refused = " ".join(message for messages in form.errors.values() for message in messages)
    return with_message(request, response, refused, level="error")


def _comment_label(access, label: str) -> str:
    """The undo label of a comment's change: a writer's comment joins her history of
    actions, so that Ctrl+Z takes it back rather than an older action; a reviewer has no
    undo (she writes nothing else), and "" keeps no entry (undo.keep_noted)."""
    return label if access.can_write else ""


@require_POST
def comment_resolve(request, slug, pk):
    """Mark a comment resolved (or open it again): open to every member."""
    access, comment = comment_access(request, slug, pk, READ)
    form = ResolveForm(request.POST)
    form.is_valid()  # A button: any answer is valid, pressed or not.
    resolved = not form.cleaned_data["reopen"]
    done = "Resolved" if resolved else "Reopened"
    # Nothing changed, nothing noted: no entry is kept under that label.
    label = _comment_label(access, f"{done} a comment on “{isolated(comment.theme.name)}”.")
    with undoable(request, access, label) as journal:
        changed = services.comment_resolve(
            comment=comment, user=request.user, resolved=resolved, journal=journal
        )
    response = _comments(request, access, comment.theme)
    if changed:
        message = "Comment resolved." if resolved else "Comment reopened."
        return with_message(request, response, message, undo_url=undo_url(access, journal.entry))
    # Resolved or opened in another tab, or by another member: the threads as they now
    # stand, and why nothing changed.
    message = (
        "That comment was resolved already; nothing was changed."
        if resolved
        else "That comment is open already; nothing was changed."
    )
    return with_message(request, response, message, level="info")


@require_safe
def excerpt_context(request, slug, pk):
    """An excerpt with a little of the surrounding transcript, for the committee."""
    access, excerpt = excerpt_access(request, slug, pk, READ)
    context = {"access": access, "excerpt": excerpt, **review.excerpt_in_context(excerpt)}
    return render(request, "themes/_context.html", context)

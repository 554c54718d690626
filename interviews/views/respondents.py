"""Respondents: pseudonyms and attributes in an editable table, withdrawal, erasure."""

from __future__ import annotations

from datetime import date
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from core.bidi import isolated
from core.errors import Conflict
from core.http import flash_html, refusal, render_page_or_fragment, wants_fragment
from core.naming import tidy
from core.stale import seen_again

from .. import consent, erasure, mentions, services
from ..access import OWN, READ, WRITE, row_of, study_access
from ..counts import counts_oob, study_counts
from ..forms import (
    AttributeForm,
    AttributeRemoveForm,
    EraseForm,
    RespondentEditForm,
    RespondentForm,
    WithdrawForm,
)
from ..models import DAY, Respondent

# A row deleted since the page showed it (another tab, another member).
GONE = "That respondent no longer exists. Reload the page."


def _save(form: RespondentForm, save) -> list[str]:
    """Run `save(pseudonym=, attributes=, interviewed_on=)` on a valid form (and `seen=`, an
    edit form's token); the errors to show, if any. Conflict is the caller's to tell."""
    if not form.is_valid():
        return form.error_list()
    seen = {"seen": form.cleaned_data["seen"]} if "seen" in form.fields else {}
    try:
        save(
            pseudonym=form.cleaned_data["pseudonym"],
            attributes=form.attributes(),
            interviewed_on=form.cleaned_data["interviewed_on"],
            **seen,
        )
    except ValidationError as error:
        return error.messages
    return []


@require_http_methods(["GET", "HEAD", "POST"])
def respondents(request, slug):
    """The respondent table; POST adds a respondent."""
    access = study_access(request, slug, WRITE if request.method == "POST" else READ)
    errors, values = [], {}
    if request.method == "POST":
        form = RespondentForm(request.POST, study=access.study)
        errors = _save(form, partial(services.respondent_create, study=access.study))
        if errors:
            values = form.typed()
        else:
            done = reverse("respondents", args=[slug])
            message = f"{isolated(form.cleaned_data['pseudonym'])} added."
            return _table(request, access, done=done, message=message)
    return _table(request, access, errors=errors, values=values)


@require_http_methods(["GET", "HEAD", "POST"])
def respondent_edit(request, slug, pk):
    """One row of the table as a form (GET), saved in place (POST). A plain request gets
    the whole table with the row's form in place (with its errors), or is sent back to the
    table once saved. A save over a row saved meanwhile in another tab (`seen`, core.stale)
    is refused, the typed values kept under the row's values as they now stand."""
    access = study_access(request, slug, WRITE)
    respondent = row_of(access.study.respondents, pk, missing=GONE)
    errors, typed, stale = [], None, {}
    if request.method == "POST":
        form = RespondentEditForm(request.POST, study=access.study)
        try:
            errors = _save(form, partial(services.respondent_update, respondent=respondent))
        except Conflict as error:
            # Saved in another tab: its values shown over the typed ones kept in the boxes,
            # the form's token now theirs: saving again replaces them.
            stale = {"meanwhile": _saved_meanwhile(form, respondent)}
            form.add_error("seen", str(error))
        if not form.errors and not errors:
            done = reverse("respondents", args=[slug])
            message = f"{isolated(respondent.pseudonym)} saved."
            return _row(request, access, respondent, editing=False, done=done, message=message)
        # Refused: the row's form shows what was typed again, not what is stored.
        typed = form.typed()
        respondent.refresh_from_db()
        stale["seen"] = seen_again(form, respondent.row_text)
    return _row(request, access, respondent, editing=True, errors=errors, typed=typed, **stale)


def _saved_meanwhile(form, respondent) -> list[tuple[str, str]]:
    """(label, value as saved, "" for none) of each value of the row that another tab saved
    otherwise than typed in `form` (valid), for the refusal of a stale save to show."""
    attributes = services.clean_attributes(respondent.study, form.attributes())
    day = form.cleaned_data["interviewed_on"]
    pairs = [
        ("Pseudonym", respondent.pseudonym, tidy(form.cleaned_data["pseudonym"])),
        ("Interviewed on", respondent.interviewed_on, day),
    ] + [
        (name, respondent.attributes.get(name), attributes.get(name))
        for name in respondent.study.attribute_names
    ]
    return [
        (label, date_format(saved, DAY) if isinstance(saved, date) else str(saved or ""))
        for label, saved, typed in pairs
        if saved != typed
    ]


@require_POST
def respondent_withdraw(request, slug, pk):
    """Withdraw a respondent (or reinstate one withdrawn by mistake), saying when it came
    late and where the researcher's own text still names them or quotes their words
    (mentions.withdrawal_warning)."""
    access = study_access(request, slug, WRITE)
    respondent = row_of(access.study.respondents, pk, missing=GONE)
    form = WithdrawForm(request.POST)
    late = named = more = ""
    if form.is_valid() and form.cleaned_data["reinstate"]:
        services.respondent_reinstate(respondent=respondent)
    else:
        was_withdrawn = respondent.is_withdrawn
        services.respondent_withdraw(respondent=respondent)
        # Withdrawing stays possible after the window: a person's wish comes first, but the
        # researcher is told it came late (the ethics board may ask).
        window = consent.withdrawal_window(respondent=respondent, study=access.study)
        if not was_withdrawn and window.withdrawal_is_late(timezone.localdate()):
            late = consent.late_withdrawal_message(respondent, window)
        if not was_withdrawn:
            named, more = mentions.withdrawal_warning(access.study, respondent.pseudonym)
    done_words = f"{isolated(respondent.pseudonym)} " + (
        "withdrawn." if respondent.is_withdrawn else "takes part again."
    )
    said = " ".join(words for words in (late or done_words, named) if words)
    level = "warning" if late or named else "success"
    if not request.htmx:
        # Said on the page it goes back to (a plain form's flash; htmx's is out of band).
        done = reverse("respondents", args=[slug])
        return _table(request, access, done=done, message=said, level=level, more_url=more)
    # The row changes, and so does the study's N in the counts line above the table.
    warned = [flash_html(said, level, more_url=more)] if level == "warning" else []
    oob = [counts_oob(access.study), *warned]
    return _row(request, access, respondent, editing=False, oob=oob)


@require_http_methods(["GET", "HEAD", "POST"])
def respondent_erase(request, slug, pk):
    """GET: what erasing a withdrawn respondent removes, and the confirmation (the pseudonym
    typed again); POST: erase (interviews.erasure)."""
    access = study_access(request, slug, OWN)
    respondent = row_of(access.study.respondents, pk, missing=GONE)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            record = erasure.respondent_erase(
                respondent=respondent,
                typed=form.cleaned_data["typed"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("typed", error)
        else:
            messages.success(request, _erased(record.removed))
            return redirect("respondents", slug)
    context = {
        "access": access,
        "respondent": respondent,
        "form": form,
        "goes": erasure.erasure_preview(respondent) if respondent.is_withdrawn else {},
    }
    return render(
        request, "interviews/respondent_erase.html", context, status=400 if form.errors else 200
    )


def _erased(removed: dict[str, int]) -> str:
    nouns = {"transcripts": "transcript", "excerpts": "excerpt", "quotes": "quote"}
    parts = [
        f"{count} {noun}{'' if count == 1 else 's'}"
        for key, noun in nouns.items()
        if (count := removed.get(key)) is not None
    ]
    return (
        f"Erased: {', '.join(parts)}, and the study's undo history. Every count is "
        "recomputed; only the date of the erasure is kept."
    )


@require_POST
def attribute_add(request, slug):
    access = study_access(request, slug, WRITE)
    form = AttributeForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            services.attribute_add(
                study=access.study, name=form.cleaned_data["name"], kind=form.cleaned_data["type"]
            )
        except ValidationError as error:
            errors = error.messages
    else:
        errors = ["An attribute needs a name."]
    if errors:
        # A plain form's errors too are shown on the page, beside the form and its name.
        typed = form["name"].value() or ""
        return _table(request, access, attribute_errors=errors, attribute_name=typed)
    done = reverse("respondents", args=[slug])
    message = f"Attribute “{form.cleaned_data['name']}” added."
    return _table(request, access, done=done, message=message)


@require_POST
def attribute_remove(request, slug):
    access = study_access(request, slug, OWN)
    form = AttributeRemoveForm(request.POST, study=access.study)
    if not form.is_valid():
        fallback = reverse("respondents", args=[slug])
        # The column's name is picked from a list: nothing typed to keep.
        message = " ".join(form.errors["name"])
        return refusal(request, message, fallback_url=fallback, typed=False)
    services.attribute_remove(study=access.study, name=form.cleaned_data["name"])
    done = reverse("respondents", args=[slug])
    message = f"Attribute “{form.cleaned_data['name']}” removed, with its values."
    return _table(request, access, done=done, message=message)


def _annotated(study):
    # Ordered again: Django leaves a model's default ordering out of a query that groups
    # (the counts here), and the table came in creation order.
    return consent.with_interview_dates(
        study.respondents.annotate(interview_count=Count("interviews"))
    ).order_by(*Respondent._meta.ordering)


def _with_values(respondents, study, typed=None, editing=None):
    """Attach the attribute values in the study's column order, for the table's cells, and
    the withdrawal window (`window`, and `withdrawn_late` for one withdrawn after it). The
    row of respondent `editing` (an id) gets `typed` (RespondentForm.typed(): a refused
    edit's values, by attribute name) as its `typed` and cells instead of the stored ones."""
    today = timezone.localdate()
    for respondent in respondents:
        respondent.window = consent.withdrawal_window(
            respondent=respondent, study=study, today=today
        )
        respondent.withdrawn_late = respondent.is_withdrawn and (
            respondent.window.withdrawal_is_late(timezone.localdate(respondent.withdrawn_at))
        )
        values = respondent.attributes
        respondent.typed = None
        if typed is not None and respondent.pk == editing:
            respondent.typed, values = typed, typed
        respondent.cells = [
            (index, attribute, values.get(attribute["name"], ""))
            for index, attribute in enumerate(study.attribute_schema)
        ]
    return respondents


def _table(request, access, *, errors=(), values=None, attribute_errors=(), **row):
    """The respondents page, or its table for htmx; `row` is what `_row` draws the edited
    row with (`partial`, `editing`, `row_errors`, `typed`, and `seen` and `meanwhile` as
    _row takes them), the name of a refused new
    attribute (`attribute_name`), and where a plain POST goes once done, saying what
    (`done`, `message`, `level`, `more_url`: core.http.render_page_or_fragment)."""
    study = access.study

    def context() -> dict:
        # Read only when a page is drawn: a plain POST that is done is redirected.
        return {
            "access": access,
            "respondents": _with_values(
                list(_annotated(study)), study, row.get("typed"), row.get("editing")
            ),
            "counts": study_counts([study.pk])[study.pk],
            "attributes": study.attribute_schema,
            "errors": errors,
            "pseudonym": (values or {}).get("pseudonym", ""),
            "interviewed_on": (values or {}).get("interviewed_on", ""),
            "new_cells": [
                (index, attribute, (values or {}).get(attribute["name"], ""))
                for index, attribute in enumerate(study.attribute_schema)
            ],
            "attribute_errors": attribute_errors,
            "attribute_name": row.get("attribute_name", ""),
            "editing": row.get("editing"),
            "row_errors": row.get("row_errors", ()),
            "seen": row.get("seen", ""),
            "meanwhile": row.get("meanwhile", ()),
        }

    return render_page_or_fragment(
        request,
        "interviews/respondents.html",
        row.get("partial", "respondent-section"),
        context,
        done=row.get("done", ""),
        message=row.get("message", ""),
        level=row.get("level", "success"),
        more_url=row.get("more_url", ""),
    )


def _row(
    request,
    access,
    respondent,
    *,
    editing,
    errors=(),
    typed=None,
    done="",
    message="",
    oob=(),
    seen="",
    meanwhile=(),
):
    """One respondent's row for htmx, as its form when `editing` (with `errors`, the values
    `typed` in a refused edit, the token `seen` it carries when not the row's own, and what
    another tab saved `meanwhile`: (label, value) pairs), followed by the regions in `oob`
    (HTML swapped out of band); a plain request gets the whole table with that row (or,
    with `done`, is redirected there)."""
    if not wants_fragment(request):
        return _table(
            request,
            access,
            partial="respondent-row",
            editing=respondent.pk if editing else None,
            row_errors=errors,
            typed=typed,
            done=done,
            message=message,
            seen=seen,
            meanwhile=meanwhile,
        )
    respondent = _with_values(
        [_annotated(access.study).get(pk=respondent.pk)], access.study, typed, respondent.pk
    )[0]
    context = {
        "access": access,
        "respondent": respondent,
        "attributes": access.study.attribute_schema,
        "editing": respondent.pk if editing else None,
        "row_errors": errors,
        "seen": seen,
        "meanwhile": meanwhile,
    }
    return render_page_or_fragment(
        request, "interviews/respondents.html", "respondent-row", context, oob=oob
    )

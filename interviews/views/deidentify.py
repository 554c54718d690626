"""De-identification: the study's list of identifying strings, and the preview of every
occurrence in context where the owner replaces or keeps each (interviews.deidentify)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from core.bidi import isolated
from core.errors import Conflict
from core.http import posted, refusal
from core.stale import saved_fields, seen_again

from .. import deidentify, services
from ..access import OWN, READ, row_of, study_access
from ..forms import DecisionsForm, IdentifierEditForm, IdentifierForm
from ..models import Identifier, Interview, Role, interviews_named

# A row deleted since the page showed it (another tab, another member).
GONE = "That identifier no longer exists. Reload the page."


@require_http_methods(["GET", "HEAD", "POST"])
def deidentify_list(request, slug):
    """The list (every member reads it); POST: an owner adds a string to it."""
    access = study_access(request, slug, OWN if request.method == "POST" else READ)
    form = IdentifierForm(posted(request), initial={"text": request.GET.get("text", "")[:200]})
    if request.method == "POST" and _saved(
        form, lambda data: services.identifier_add(study=access.study, **data)
    ):
        messages.success(request, f"“{isolated(form.cleaned_data['text'])}” is on the list.")
        return redirect("deidentify_list", slug)
    study = access.study
    listed = deidentify.study_listed(study)
    identifiers = listed.identifiers
    context = {
        "access": access,
        "form": form,
        "identifiers": identifiers,
        "waiting": len(deidentify.study_occurrences(study=study, identifiers=identifiers))
        if identifiers
        else 0,
        "typed": _summary([field for field in _typed(access, listed) if not field.kept]),
        "suggestions": _suggestions(access, identifiers) if access.is_owner else [],
    }
    return render(
        request, "interviews/deidentify.html", context, status=400 if form.errors else 200
    )


def _typed(access, listed: deidentify.Listed) -> list:
    """The fields the researcher typed that hold a listed string or name or quote a
    withdrawn respondent (deidentify.TYPED_PLACES), linked to their forms for a member who
    may write them, kept ones included (`kept` true): each registered source's queries,
    none when the list is empty and no one withdrew."""
    if not listed:
        return []
    return [
        field
        for source in deidentify.TYPED_PLACES
        for field in source(access.study, listed, can_write=access.can_write)
    ]


def _summary(waiting: list) -> str:
    """What the pages say of the typed fields `waiting` (deidentify.typed_summary), ""
    when none waits."""
    return deidentify.typed_summary(waiting) if waiting else ""


def _saved(form: IdentifierForm, save) -> bool:
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _suggestions(access, identifiers) -> list[deidentify.Suggestion]:
    study = access.study
    texts = list(Interview.objects.filter(study=study).values_list("text", flat=True))
    elsewhere = Identifier.objects.filter(
        study__memberships__user=access.user, study__memberships__role=Role.OWNER
    ).exclude(study=study)
    forms = [form for identifier in elsewhere for form in identifier.forms]
    return deidentify.suggest(
        texts,
        listed=[form for identifier in identifiers for form in identifier.forms],
        elsewhere=forms,
        ignore=[*study.respondents.values_list("pseudonym", flat=True), "Interviewer"],
    )


@require_http_methods(["GET", "HEAD", "POST"])
def identifier_edit(request, slug, pk):
    """An owner edits one string of the list. A save over values saved meanwhile in another
    tab (`seen`, core.stale) is refused: what that tab saved is shown over the typed values
    kept in the boxes, and saving again replaces it."""
    access = study_access(request, slug, OWN)
    identifier = row_of(access.study.identifiers, pk, missing=GONE)
    form = IdentifierEditForm(
        posted(request),
        initial={
            "text": identifier.text,
            "variants": identifier.variants,
            "replacement": identifier.replacement,
        },
    )
    meanwhile = []
    if request.method == "POST" and form.is_valid():
        try:
            services.identifier_update(identifier=identifier, **form.cleaned_data)
        except Conflict as error:
            meanwhile = _saved_meanwhile(form, identifier)
            form.add_error("seen", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved.")
            return redirect("deidentify_list", slug)
    context = {
        "access": access,
        "form": form,
        "identifier": identifier,
        "seen": seen_again(form, identifier.typed),
        "meanwhile": meanwhile,
    }
    # A refusal as saved meanwhile is no bad request: the page asks her to choose.
    bad = form.errors and not meanwhile
    return render(request, "interviews/identifier_edit.html", context, status=400 if bad else 200)


def _saved_meanwhile(form, identifier) -> list[tuple[str, str]]:
    """(label, value as saved) of each of the string's values that another tab saved
    otherwise than typed in `form` (valid), for the refusal of a stale save to show."""
    saved = {
        "text": identifier.text,
        "variants": identifier.variants,
        "replacement": identifier.replacement,
    }
    return saved_fields(form, saved)


@require_POST
def identifier_delete(request, slug, pk):
    access = study_access(request, slug, OWN)
    identifier = row_of(access.study.identifiers, pk, missing=GONE)
    services.identifier_delete(identifier=identifier)
    messages.success(
        request,
        f"“{isolated(identifier.text)}” is off the list; no transcript or typed field was "
        "changed. A field kept for it will be asked about again if it is listed again.",
    )
    return redirect("deidentify_list", slug)


@require_http_methods(["GET", "HEAD", "POST"])
def deidentify_preview(request, slug):
    """Every occurrence waiting for a decision, in context, by transcript; POST: an owner
    replaces or keeps the ones chosen, all at once (services.deidentification_apply)."""
    access = study_access(request, slug, OWN if request.method == "POST" else READ)
    study = access.study
    if request.method == "POST":
        # The form's fields are the keys posted; the service reads the occurrences (once,
        # holding the transcripts) and refuses any key no longer waiting.
        form = DecisionsForm(request.POST, keys=[])
        if not form.is_valid():
            return refusal(request, " ".join(form.non_field_errors()) or _BAD, status=400)
        try:
            report = services.deidentification_apply(study=study, decisions=form.decisions())
        except Conflict as conflict:
            return refusal(request, str(conflict), status=409)
        messages.success(request, _applied(report))
        return redirect("deidentify_preview", slug)
    listed = deidentify.study_listed(study)
    identifiers = {identifier.pk: identifier for identifier in listed.identifiers}
    waiting, found = _waiting(study, list(identifiers.values()))
    nowhere = [i for i in identifiers.values() if not found.get(i.pk, (0, 0))[0]]
    typed = _typed(access, listed)
    # For those who write: the counts hold the file names' occurrences, which a reviewer
    # is never shown (a count of them would say a file name holds a listed name).
    where_listed = (
        deidentify.where_listed(listed.identifiers, found, waiting, typed)
        if access.can_write
        else []
    )
    if not access.can_write:
        # File names are never shown to reviewers (they may hold a real name).
        waiting = [o for o in waiting if not o.in_name]
    shown = Interview.objects.filter(study=study, pk__in={o.interview_id for o in waiting})
    names = {
        interview.pk: interview.display_name
        for interview in interviews_named(
            shown.only("title", "conducted_on", "imported_at", "respondent_id")
        )
    }
    groups: dict[int, list] = {}
    for occurrence in waiting:
        identifier = identifiers[occurrence.identifier_id]
        word = deidentify.ordinary_word(occurrence.words, identifier.forms)
        groups.setdefault(occurrence.interview_id, []).append((occurrence, identifier, word))
    context = {
        "access": access,
        "groups": [(names[pk], pk, rows) for pk, rows in groups.items()],
        "waiting": len(waiting),
        "words": sum(word for rows in groups.values() for _o, _i, word in rows),
        "nowhere": nowhere,
        "where_listed": where_listed,
    }
    context["typed"] = [field for field in typed if not field.kept]
    context["typed_said"] = _summary(context["typed"])
    context["kept"] = [field for field in typed if field.kept]
    return render(request, "interviews/deidentify_preview.html", context)


def _waiting(study, identifiers) -> tuple[list, dict]:
    """The occurrences waiting in the study's transcripts (deidentify.study_occurrences)
    and how often each listed string stands in them (deidentify.found_counts), read from
    one reading of the transcripts: the skips' query and the interviews', none when the
    list is empty."""
    if not identifiers:
        return [], {}
    interviews = list(
        deidentify.study_interviews(study=study).only("pk", "version", "text", "source_name")
    )
    waiting = deidentify.interviews_occurrences(
        study=study, interviews=interviews, identifiers=identifiers
    )
    return waiting, deidentify.found_counts(identifiers, interviews)


_BAD = "Those choices could not be read; nothing was replaced. Reload the page."


def _applied(report: services.DeidentifyReport) -> str:
    replaced = ngettext(
        "%(n)d occurrence replaced", "%(n)d occurrences replaced", report.replaced
    ) % {"n": report.replaced}
    kept = ngettext("%(n)d kept", "%(n)d kept", report.skipped) % {"n": report.skipped}
    marked = report.counts.get("excerpts_marked", 0)
    review = (
        ngettext(
            " %(n)d excerpt whose words changed is marked for review on its coding page.",
            " %(n)d excerpts whose words changed are marked for review on their coding pages.",
            marked,
        )
        % {"n": marked}
        if marked
        else ""
    )
    where = ngettext("%(n)d transcript", "%(n)d transcripts", report.transcripts) % {
        "n": report.transcripts
    }
    decided = f"{replaced} in {where}, {kept}." if report.replaced or report.skipped else ""
    return f"{decided}{_nowhere(report.nowhere)}{_kept_copies(report)}{review}".strip()


def _nowhere(texts: list[str]) -> str:
    """The listed strings in no transcript the apply replaced wherever else they were:
    " “Acme Clinic”, in no transcript, was replaced wherever else it was.", or ""."""
    if not texts:
        return ""
    named = [f"“{isolated(text)}”" for text in texts]
    if len(named) > 1:
        named[-2:] = [f"{named[-2]} and {named[-1]}"]
    verb = "was" if len(texts) == 1 else "were"
    where = "it" if len(texts) == 1 else "they"
    return f" {', '.join(named)}, in no transcript, {verb} replaced wherever else {where} {verb}."


def _kept_copies(report: services.DeidentifyReport) -> str:
    """The copies of earlier words the apply replaced the strings in too, counted: " Also
    replaced in 2 comments, the description 1 theme's review began with and 3 records of
    the History." (DeidentifyReport.counts of themes.deidentification and
    interviews.history), or ""."""
    counts = report.counts
    parts = []
    if comments := counts.get("comments_scrubbed", 0):
        parts.append(ngettext("%(n)d comment", "%(n)d comments", comments) % {"n": comments})
    if snapshots := counts.get("snapshots_scrubbed", 0):
        parts.append(
            ngettext(
                "the description %(n)d theme's review began with",
                "the descriptions %(n)d themes' reviews began with",
                snapshots,
            )
            % {"n": snapshots}
        )
    if records := counts.get("history_scrubbed", 0):
        parts.append(
            ngettext("%(n)d record of the History", "%(n)d records of the History", records)
            % {"n": records}
        )
    if len(parts) > 1:
        parts[-2:] = [f"{parts[-2]} and {parts[-1]}"]
    return f" Also replaced in {', '.join(parts)}." if parts else ""

"""Bringing transcripts in, and the details of one: respondent, date, where questions start."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from core.bidi import isolated
from core.errors import Conflict
from core.http import posted, refusal, render_page_or_fragment
from core.naming import name_key
from core.stale import saved_fields, seen_again

from .. import encodings, pages, services, staging
from ..access import OWN, READ, WRITE, interview_access, study_access
from ..forms import (
    NEW,
    SKIP,
    ImportForm,
    InterviewDeleteForm,
    InterviewEditForm,
    MarkersDetectForm,
    QuestionMarkerFormSet,
    StagedFileForm,
)
from ..importers import TooLarge, file_suffix
from ..models import DAY, StagedFile
from ..text import ImportRejected
from ..turns import turns_from_json


@require_http_methods(["GET", "HEAD", "POST"])
def transcript_import(request, slug):
    """Upload one or many files; each is kept for the preview, where nothing is created yet."""
    access = study_access(request, slug, WRITE if request.method == "POST" else READ)
    form = ImportForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        batch = staging.staged_files_stage(
            study=access.study, user=request.user, uploads=_contents(form.cleaned_data["files"])
        )
        url = reverse("import_batch", args=[slug, batch])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    waiting = (
        staging.staged_batches_waiting(study=access.study, user=request.user)
        if access.can_write
        else []
    )
    context = {"access": access, "form": form, "waiting": waiting}
    return render_page_or_fragment(request, "interviews/import.html", "import-section", context)


def _contents(uploads):
    """(name, bytes) one file at a time; a file over the limit is not read at all."""
    limit = settings.EXCERPTA_MAX_UPLOAD_BYTES
    for upload in uploads:
        yield file_name(upload), (upload.read() if upload.size <= limit else TooLarge(upload.size))


def file_name(upload) -> str:
    """The name of an uploaded file as the researcher's computer spells it. Browsers send a
    `"` in a file name as `%22` (the HTML standard's multipart/form-data encoding, which
    has no other way to quote it); Django keeps what was sent, and `Interview "A".txt`
    showed as `Interview %22A%22.txt`."""
    return upload.name.replace("%22", '"')


@require_http_methods(["GET", "HEAD", "POST"])
def import_batch(request, slug, batch):
    """The preview of a batch (each file, its respondent, encoding and first lines) and, once
    confirmed, its progress: htmx imports the files one request each (import_step)."""
    access = study_access(request, slug, WRITE)
    rows = _batch_or_404(access, request, batch)
    forms = _staged_forms(request, access, rows)
    if request.method == "POST" and all(form.is_valid() for form in forms):
        staging.staged_files_confirm(rows=rows, choices=_choices(forms))
        if not request.htmx:
            staging.staged_files_import(study=access.study, user=request.user, batch=batch)
            return redirect("import_batch", slug, batch)
        rows = staging.staged_batch(study=access.study, user=request.user, batch=batch)
        forms = []
    context = {"access": access, "batch": batch, **_progress(rows)}
    context["previews"] = _previews(forms, access.study)
    context["summary"] = _summary(rows, context["previews"])
    # The encoding the ladder reads a file in when nothing else fits, as the notes name it.
    context["windows_1252"] = encodings.label("cp1252")
    return render_page_or_fragment(
        request, "interviews/import_preview.html", "batch-section", context
    )


@require_POST
def import_judge(request, slug, batch):
    """The preview's summary and each file's notes judged again from the choices as they
    stand (htmx posts the preview's form whenever a choice changes), by the same rules as
    Import: nothing is confirmed or imported. Out of band fragments of the batch's page:
    the fields themselves, and the focus, stay as the researcher left them."""
    access = study_access(request, slug, WRITE)
    rows = _batch_or_404(access, request, batch)
    if not request.htmx:
        # Only htmx posts here; a page without it judges on Import.
        return redirect("import_batch", slug, batch)
    forms = _staged_forms(request, access, rows)
    for form in forms:
        # What clean() finds is part of the judgement: an encoding the whole file is not
        # in, a date refused (StagedFileForm.needs).
        form.is_valid()
    previews = _previews(forms, access.study)
    context = {"previews": previews, "summary": _summary(rows, previews), "judging": True}
    return render(request, "interviews/import_preview.html#judgement", context)


@require_POST
def import_step(request, slug, batch):
    """Import the next file of a confirmed batch (one transaction) and show the progress.

    htmx posts one step after another. Nothing would post the next step of a plain POST
    (JavaScript off, or htmx not yet loaded): it imports the rest of the batch at once, as
    the confirming form does without htmx, and goes back to the batch's page."""
    access = study_access(request, slug, WRITE)
    _batch_or_404(access, request, batch)
    if request.htmx:
        staging.staged_file_import_next(study=access.study, user=request.user, batch=batch)
    else:
        staging.staged_files_import(study=access.study, user=request.user, batch=batch)
    rows = staging.staged_batch(study=access.study, user=request.user, batch=batch)
    context = {"access": access, "batch": batch, **_progress(rows)}
    done = reverse("import_batch", args=[slug, batch])
    return render_page_or_fragment(
        request, "interviews/import_preview.html", "progress", context, done=done
    )


@require_safe
def import_lines(request, slug, batch, position):
    """The first lines of one staged file decoded in the encoding chosen in the preview."""
    access = study_access(request, slug, WRITE)
    rows = _batch_or_404(access, request, batch)
    row = next((r for r in rows if r.position == position), None)
    if row is None or row.status != StagedFile.Status.STAGED:
        raise Http404("No such file waiting in this import.")
    encoding = request.GET.get(f"f{row.position}-encoding", "")
    if encoding not in dict(_encoding_choices(row)):
        encoding = ""
    context = {"row": row, "preview": staging.staged_file_preview(row, encoding or None)}
    return render(request, "interviews/import_preview.html#lines", context)


def _batch_or_404(access, request, batch) -> list[StagedFile]:
    rows = staging.staged_batch(study=access.study, user=request.user, batch=batch)
    if not rows:
        raise Http404("No such import, or it was finished more than a day ago.")
    return rows


def _staged_forms(request, access, rows: list[StagedFile]) -> list[StagedFileForm]:
    """A form per file still to confirm, bound to what was posted (one query: the study's
    respondents)."""
    respondents = list(access.study.respondents.all())
    return [
        StagedFileForm(
            posted(request),
            staged=row,
            respondents=respondents,
            candidates=_encoding_choices(row),
            initial=_initial(row),
        )
        for row in rows
        if row.status == StagedFile.Status.STAGED
    ]


def _encoding_choices(row: StagedFile) -> list[tuple[str, str]]:
    """(codec, label) choices for a .txt file; none for a Word document."""
    if file_suffix(row.name) != ".txt":
        return []
    found = encodings.guess(bytes(row.data))
    return [(codec, encodings.label(codec)) for codec in found.candidates]


def _initial(row: StagedFile) -> dict:
    # An existing respondent, a proposed new one, or nothing: the researcher must choose.
    proposed = NEW if row.pseudonym else ""
    return {
        "respondent": str(row.respondent_id) if row.respondent_id else proposed,
        "pseudonym": row.pseudonym,
        "encoding": row.encoding if row.encoding_sure else "",
        "conducted_on": staging.date_from_name(row.name),
    }


def _choices(forms) -> dict[int, staging.Choice]:
    choices = {}
    for form in forms:
        data = form.cleaned_data
        picked = data["respondent"]
        choices[form.staged.pk] = staging.Choice(
            skip=picked == SKIP,
            respondent=form.respondents.get(picked),
            pseudonym=data.get("pseudonym", "") if picked == NEW else "",
            encoding=data.get("encoding", ""),
            conducted_on=data.get("conducted_on"),
            import_duplicate=data.get("import_duplicate", False),
        )
    return choices


def _previews(forms, study) -> list[tuple]:
    """(form, what to show) per file: the first lines in the chosen or proposed encoding,
    whether the same text is already imported for the proposed respondent, or comes
    earlier in the batch (one query for all), and what of the study's de-identification
    list it holds (one query for all)."""
    # Every file is checked against the study's de-identification list before it is saved.
    identifiers = list(study.identifiers.all()) if forms else []
    shown = [
        (form, staging.staged_file_preview(form.staged, _posted_encoding(form), identifiers))
        for form in forms
    ]
    hashes = {preview.text_hash for _, preview in shown if preview.text_hash}
    existing = set(
        study.interviews.filter(source_hash__in=hashes).values_list("respondent_id", "source_hash")
        if hashes
        else []
    )
    seen = set()
    previews = []
    for form, preview in shown:
        row = form.staged
        # Whom the file goes to as chosen (posted, else proposed), as the import will judge.
        chosen = form.chosen()
        duplicate = (chosen and chosen.pk, preview.text_hash) in existing
        who = (chosen.pk if chosen else name_key(form.new_pseudonym()), preview.text_hash)
        earlier = bool(preview.text_hash and who[0]) and who in seen and not duplicate
        seen.add(who)
        guessed = row.encoding and not row.encoding_sure
        previews.append(
            (
                form,
                {
                    "preview": preview,
                    "duplicate": duplicate,
                    "earlier": earlier,
                    "guessed_label": encodings.label(row.encoding) if guessed else "",
                },
            )
        )
    return previews


def _summary(rows: list[StagedFile], previews: list[tuple]) -> str:
    """The preview in one line, each file counted once: "12 files: 10 ready, 1 needs a
    respondent, 1 refused (empty)". A file is ready, needs what its form lacks
    (StagedFileForm.needs: "2 need a respondent and an encoding"), will be skipped as a copy
    of a text already there, is left out, or was refused on upload (why, in a word or two:
    ImportRejected.KINDS)."""
    ready, needing, copies, left_out = 0, Counter(), 0, 0
    for form, info in previews:
        needs = form.needs()
        if needs:
            needing[" and ".join(needs)] += 1
        elif form["respondent"].value() == SKIP:
            left_out += 1
        elif (info["duplicate"] or info["earlier"]) and not form["import_duplicate"].value():
            copies += 1
        else:
            ready += 1
    parts = [f"{ready} ready"] if ready or not rows else []
    parts += [f"{n} {ngettext('needs', 'need', n)} {what}" for what, n in needing.items()]
    parts += [f"{copies} to be skipped (same text)"] if copies else []
    parts += [f"{left_out} left out"] if left_out else []
    refused = Counter(row.refused_as for row in rows if row.status == StagedFile.Status.REFUSED)
    if refused:
        # "3 refused (empty, too big, damaged)"; counted when a reason is given more than once.
        several = max(refused.values()) > 1
        words = [
            f"{n} {ImportRejected.KINDS.get(kind, kind)}"
            if several
            else ImportRejected.KINDS[kind]
            for kind, n in sorted(refused.items(), key=lambda item: (-item[1], item[0]))
        ]
        parts.append(f"{refused.total()} refused ({', '.join(words)})")
    files = ngettext("%(n)d file", "%(n)d files", len(rows)) % {"n": len(rows)}
    return f"{files}: {', '.join(parts)}"


def _posted_encoding(form) -> str | None:
    """The encoding the researcher chose in a posted preview form, if it is one offered."""
    if not form.is_bound or "encoding" not in form.fields:
        return None
    value = form["encoding"].value()
    return value if value in dict(form.fields["encoding"].choices) and value else None


def _progress(rows: list[StagedFile]) -> dict:
    done = [r for r in rows if r.status not in _PENDING]
    return {
        "rows": rows,
        "done": len(done),
        "total": len(rows),
        "waiting": any(r.status == StagedFile.Status.QUEUED for r in rows),
        "confirming": any(r.status == StagedFile.Status.STAGED for r in rows),
        "imported": sum(r.status == StagedFile.Status.IMPORTED for r in rows),
        "refused": sum(r.status == StagedFile.Status.REFUSED for r in rows),
        "skipped": sum(r.status == StagedFile.Status.SKIPPED for r in rows),
    }


_PENDING = (StagedFile.Status.STAGED, StagedFile.Status.QUEUED, StagedFile.Status.IMPORTING)


@require_http_methods(["GET", "HEAD", "POST"])
def interview_edit(request, slug, pk):
    access, interview = interview_access(
        request, slug, pk, WRITE if request.method == "POST" else READ, text=False
    )
    form = InterviewEditForm(
        posted(request),
        study=access.study,
        initial={
            "title": interview.title,
            "respondent": interview.respondent,
            "conducted_on": interview.conducted_on,
        },
    )
    meanwhile = []
    if request.method == "POST" and form.is_valid():
        try:
            services.interview_update(interview=interview, **form.cleaned_data)
        except Conflict as error:
            # Saved in another tab: what it saved is shown over the typed values kept in
            # the boxes, the form's token now its: saving again replaces it.
            meanwhile = _saved_meanwhile(form, interview)
            form.add_error("seen", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Interview details saved.")
            return redirect("interview_edit", slug, pk)
    context = {
        "access": access,
        "interview": interview,
        "form": form,
        "seen": seen_again(form, interview.details),
        "meanwhile": meanwhile,
    }
    return render(request, "interviews/interview_edit.html", context)


def _saved_meanwhile(form, interview) -> list[tuple[str, str]]:
    """(label, value as saved) of each of the interview's details that another tab saved
    otherwise than typed in `form` (valid), for the refusal of a stale save to show."""

    def day(value):
        return value and date_format(value, DAY)

    saved = {
        "title": interview.title,
        "respondent": interview.respondent,
        "conducted_on": day(interview.conducted_on),
    }
    return saved_fields(form, saved, {"conducted_on": day(form.cleaned_data["conducted_on"])})


@require_POST
def interview_delete(request, slug, pk):
    _, interview = interview_access(request, slug, pk, OWN, text=False)
    form = InterviewDeleteForm(request.POST, pseudonym=interview.respondent.pseudonym)
    if not form.is_valid():
        return refusal(
            request,
            " ".join(form.errors["confirm"]),
            fallback_url=reverse("interview_edit", args=[slug, pk]),
        )
    services.interview_delete(interview=interview)
    messages.success(request, f"The interview “{isolated(interview.display_name)}” was deleted.")
    return redirect(pages.study_url(slug))


# Turns on one page of the question-markers page: a transcript at the limits has thousands.
MARKER_ROWS_PER_PAGE = 100


@require_http_methods(["GET", "HEAD", "POST"])
def interview_questions(request, slug, pk):
    """Where each protocol question starts: found on import, corrected here by hand, one
    page of turns at a time. A refused save shows the page again with her choices and the
    wrong row marked."""
    access, interview = interview_access(
        request, slug, pk, WRITE if request.method == "POST" else READ
    )
    questions = list(access.study.questions.all())
    page = Paginator(_turn_rows(interview), MARKER_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    here = f"{request.path}?page={page.number}"
    detect = MarkersDetectForm(posted(request))
    if detect.is_valid() and detect.cleaned_data["detect"]:
        found = services.segments_detect(interview=interview)
        found_again = ngettext(
            "Found %(found)d of %(total)d question again.",
            "Found %(found)d of %(total)d questions again.",
            len(questions),
        )
        messages.success(request, found_again % {"found": found, "total": len(questions)})
        return redirect(here)
    choices = [("", "—")] + [
        (q.pk, f"{q.label}. {Truncator(q.text).chars(70)}") for q in questions
    ]
    # A select shows only the start of its choice (a few words in a table's column): each
    # row shows its question's whole text under it (and each option holds it, for the
    # page's script to show another's when it is chosen).
    texts = {str(q.pk): q.text for q in questions}
    formset = QuestionMarkerFormSet(
        posted(request),
        initial=[{"start": row["start"], "question": row["question_id"]} for row in page],
        form_kwargs={"choices": choices},
    )
    error = ""
    if request.method == "POST" and formset.is_valid():
        markers = {form.cleaned_data["start"]: form.cleaned_data["question"] for form in formset}
        try:
            services.segments_set(interview=interview, markers=markers)
        except services.MarkerRefused as refused:
            if not _point_at_row(formset, refused):
                error = " ".join(refused.messages)
        else:
            messages.success(request, "Question markers saved.")
            return redirect(here)
    context = {
        "access": access,
        "interview": interview,
        "page": page,
        "formset": formset,
        "error": error,
        "rows": [
            (row, form, texts.get(str(form["question"].value()), ""))
            for row, form in zip(page, formset, strict=False)
        ],
        "options": [(value, label, texts.get(str(value), "")) for value, label in choices],
    }
    return render(request, "interviews/interview_questions.html", context)


def _point_at_row(formset, refused) -> bool:
    """Put the refusal on the row of the turn it names; False when that turn is on another
    page."""
    for form in formset:
        if form.cleaned_data.get("start") == refused.start:
            form.add_error("question", refused.messages)
            return True
    return False


def _turn_rows(interview) -> list[dict]:
    """The interviewer's turns, and any turn a question starts at, with that question."""
    at = {segment.start: segment for segment in interview.segments.all()}
    rows = []
    for turn in turns_from_json(interview.turns):
        segment = at.get(turn.start)
        if turn.is_interviewer or segment:
            words = interview.text[turn.label_end : turn.end].strip()
            rows.append(
                {
                    "start": turn.start,
                    "words": words if len(words) <= 240 else words[:240] + "…",
                    "question_id": segment.question_id if segment else None,
                    "score": segment.score if segment else None,
                }
            )
    return rows

"""Bringing transcripts in, and the details of one: respondent, date, where questions start."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..access import OWN, READ, WRITE, interview_access, study_access
from ..forms import ImportForm, InterviewForm
from ..http import posted, refusal
from ..importers import TooLarge
from ..turns import turns_from_json


@require_http_methods(["GET", "POST"])
def transcript_import(request, slug):
    """Upload one or many files; each is imported or refused on its own, with a message."""
    access = study_access(request, slug, WRITE if request.method == "POST" else READ)
    form = ImportForm(
        posted(request), request.FILES if request.method == "POST" else None, study=access.study
    )
    outcomes = []
    if request.method == "POST" and form.is_valid():
        outcomes = services.interviews_import(
            study=access.study,
            files=_contents(form.cleaned_data["files"]),
            user=request.user,
            respondent=form.cleaned_data["respondent"],
            conducted_on=form.cleaned_data["conducted_on"],
        )
        form = ImportForm(study=access.study)
    context = {
        "access": access,
        "form": form,
        "outcomes": outcomes,
        "imported": sum(outcome.ok for outcome in outcomes),
        "refused": sum(not outcome.ok for outcome in outcomes),
    }
    template = "interviews/import.html"
    if request.htmx:
        template += "#import-section"
    return render(request, template, context)


def _contents(uploads):
    """(name, bytes) one file at a time; a file over the limit is not read at all."""
    limit = settings.EXCERPTA_MAX_UPLOAD_BYTES
    for upload in uploads:
        yield upload.name, (upload.read() if upload.size <= limit else TooLarge(upload.size))


@require_http_methods(["GET", "POST"])
def interview_edit(request, slug, pk):
    access, interview = interview_access(
        request, slug, pk, WRITE if request.method == "POST" else READ, text=False
    )
    form = InterviewForm(
        posted(request),
        study=access.study,
        initial={
            "title": interview.title,
            "respondent": interview.respondent,
            "conducted_on": interview.conducted_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.interview_update(interview=interview, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Interview details saved.")
            return redirect("interview_edit", slug, pk)
    context = {"access": access, "interview": interview, "form": form}
    return render(request, "interviews/interview_edit.html", context)


@require_POST
def interview_delete(request, slug, pk):
    _, interview = interview_access(request, slug, pk, OWN, text=False)
    if request.POST.get("confirm") != interview.respondent.pseudonym:
        return refusal(
            request,
            f"Type the respondent's pseudonym, {interview.respondent.pseudonym}, to confirm.",
            fallback_url=reverse("interview_edit", args=[slug, pk]),
        )
    interview.delete()
    messages.success(request, f"The interview “{interview.display_name}” was deleted.")
    return redirect("study_detail", slug)


@require_http_methods(["GET", "POST"])
def interview_questions(request, slug, pk):
    """Where each protocol question starts: found on import, corrected here by hand."""
    access, interview = interview_access(
        request, slug, pk, WRITE if request.method == "POST" else READ
    )
    questions = list(access.study.questions.all())
    if request.method == "POST":
        try:
            if request.POST.get("detect"):
                found = services.segments_detect(interview=interview)
                found_again = ngettext(
                    "Found %(found)d of %(total)d question again.",
                    "Found %(found)d of %(total)d questions again.",
                    len(questions),
                )
                messages.success(request, found_again % {"found": found, "total": len(questions)})
            else:
                services.segments_set(interview=interview, starts=_starts(request, questions))
                messages.success(request, "Question markers saved.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("interview_questions", slug, pk)
    context = {
        "access": access,
        "interview": interview,
        "questions": questions,
        "rows": _turn_rows(interview),
    }
    return render(request, "interviews/interview_questions.html", context)


def _starts(request, questions) -> dict[int, int]:
    """The form posts, per interviewer turn, the question it asks: {question id: offset}."""
    starts = {}
    ids = {str(q.pk): q.pk for q in questions}
    for key, value in request.POST.items():
        if key.startswith("turn-") and value in ids:
            if ids[value] in starts:
                raise ValidationError("Each question can start at one turn only.")
            try:
                starts[ids[value]] = int(key.removeprefix("turn-"))
            except ValueError:
                raise ValidationError("The form was damaged; reload the page.") from None
    return starts


def _turn_rows(interview) -> list[dict]:
    """The interviewer's turns, each with the question that starts there, if any."""
    at = {segment.start: segment for segment in interview.segments.select_related("question")}
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

"""Editing a transcript's text by hand: every excerpt moves with its words."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.errors import Conflict
from interviews.access import READ, WRITE, interview_access

from .. import services
from ..forms import TranscriptTextForm


@require_http_methods(["GET", "HEAD", "POST"])
def transcript_text(request, slug, pk):
    access, interview = interview_access(
        request, slug, pk, WRITE if request.method == "POST" else READ
    )
    context = {"access": access, "interview": interview, "text": interview.text}
    if request.method == "POST":
        form = TranscriptTextForm(request.POST)
        if not form.is_valid():
            # Damaged (no version, say): shown with what was typed, saved nowhere.
            error = " ".join(e for errors in form.errors.values() for e in errors)
            context.update(text=form["text"].value() or "", version="", error=error)
            return render(request, "coding/transcript_text.html", context, status=400)
        text, version = form.cleaned_data["text"], form.cleaned_data["version"]
        try:
            report = services.transcript_edit(interview=interview, text=text, version=version)
        except (ValidationError, Conflict) as problem:
            # The form comes back with the user's text and the version it was written
            # against: saving again cannot silently replace someone else's edit.
            context.update(text=text, version=version, error=_message(problem))
            if isinstance(problem, Conflict):
                interview.refresh_from_db(fields=["text"])
                context["their_text"] = interview.text
            return render(request, "coding/transcript_text.html", context, status=409)
        messages.success(request, report.message)
        return redirect("interview_code", slug, pk)
    context["version"] = interview.version
    return render(request, "coding/transcript_text.html", context)


def _message(problem: Exception) -> str:
    if isinstance(problem, ValidationError):
        return " ".join(problem.messages)
    return str(problem)

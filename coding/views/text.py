"""Editing a transcript's text by hand: every excerpt moves with its words."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from interviews.access import READ, WRITE, interview_access
from interviews.errors import Conflict

from .. import services


@require_http_methods(["GET", "POST"])
def transcript_text(request, slug, pk):
    access, interview = interview_access(
        request, slug, pk, WRITE if request.method == "POST" else READ
    )
    text, error = interview.text, ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            version = int(request.POST.get("version", ""))
            report = services.transcript_edit(interview=interview, text=text, version=version)
        except (ValueError, ValidationError, Conflict) as problem:
            error = (
                " ".join(problem.messages)
                if isinstance(problem, ValidationError)
                else str(problem)
                if isinstance(problem, Conflict)
                else "The form was damaged; reload the page."
            )
            interview.refresh_from_db(fields=["version"])
        else:
            messages.success(request, report.message)
            return redirect("interview_code", slug, pk)
    context = {"access": access, "interview": interview, "text": text, "error": error}
    return render(request, "coding/transcript_text.html", context, status=409 if error else 200)

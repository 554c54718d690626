"""Editing a transcript's text by hand: every excerpt moves with its words."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from interviews.access import READ, WRITE, interview_access
from interviews.errors import Conflict

from .. import services


@require_http_methods(["GET", "HEAD", "POST"])
def transcript_text(request, slug, pk):
    access, interview = interview_access(
        request, slug, pk, WRITE if request.method == "POST" else READ
    )
    context = {"access": access, "interview": interview, "text": interview.text}
    if request.method == "POST":
        text = request.POST.get("text", "")
        posted_version = request.POST.get("version", "")
        try:
            report = services.transcript_edit(
                interview=interview, text=text, version=int(posted_version)
            )
        except (ValueError, ValidationError, Conflict) as problem:
            # The form comes back with the user's text and the version it was written
            # against: saving again cannot silently replace someone else's edit.
            context.update(text=text, version=posted_version, error=_message(problem))
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
    if isinstance(problem, Conflict):
        return str(problem)
    return "The form was damaged; reload the page."

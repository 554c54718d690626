"""Search the text of a study's transcripts."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..access import READ, study_access
from ..forms import PageForm, SearchForm
from ..search import transcripts_search


@require_safe
def transcript_search(request, slug):
    """Hits of the query ?q= in context, by interview, one page (?page=) at a time."""
    access = study_access(request, slug, READ)
    form = SearchForm(request.GET if "q" in request.GET else None)
    page = found = None
    if form.is_valid():
        page, found = transcripts_search(
            study=access.study,
            query=form.cleaned_data["query"],
            # A page that is not one is the first: never a search refused in silence
            # (the page number has no field to show its error beside).
            page=PageForm.number(request.GET) or 1,
        )
    context = {"access": access, "study": access.study, "form": form, "page": page}
    return render(request, "interviews/search.html", context | {"found": found})

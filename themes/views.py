"""The themes page: each theme with the codes it gathers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from interviews.access import READ, WRITE, study_access
from interviews.http import refusal

from . import services


def _page(request, access):
    study = access.study
    context = {
        "access": access,
        "themes": study.themes.prefetch_related("codes").order_by("order", "name"),
        "codes": study.codes.order_by("name"),
    }
    template = "themes/themes.html"
    if request.htmx:
        template += "#theme-list"
    return render(request, template, context)


@require_GET
def themes(request, slug):
    return _page(request, study_access(request, slug, READ))


@require_POST
def theme_codes(request, slug, pk):
    """Attach a code to a theme, or detach it (`detach` set)."""
    access = study_access(request, slug, WRITE)
    theme = get_object_or_404(access.study.themes, pk=pk)
    code = access.study.codes.filter(pk=request.POST.get("code") or 0).first()
    if code is None:
        return refusal(request, "Choose a code.", status=400)
    try:
        if request.POST.get("detach"):
            services.theme_code_detach(theme=theme, code=code)
        else:
            services.theme_code_attach(theme=theme, code=code)
    except ValidationError as error:
        return refusal(request, " ".join(error.messages), status=400)
    if not request.htmx:
        return redirect("themes", slug)
    return _page(request, access)

"""Charts of the study (themes.charts): a page of figures, and each figure as SVG."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from interviews.access import READ, study_access

from ..charts import study_charts
from ..forms import ChartsForm
from ..rollup import study_rollup


def _attribute(request, study) -> str:
    form = ChartsForm(request.GET, study=study)
    return form.cleaned_data["attribute"] if form.is_valid() else ""


@require_safe
def charts(request, slug):
    access = study_access(request, slug, READ)
    study = access.study
    form = ChartsForm(request.GET or None, study=study)
    attribute = _attribute(request, study)
    context = {
        "access": access,
        "form": form,
        "attribute": attribute,
        "charts": study_charts(study, study_rollup(study), attribute),
    }
    return render(request, "themes/charts.html", context)


@require_safe
def chart_svg(request, slug, name):
    """One chart as an SVG image (shown through <img>, so its markup never joins the page's)."""
    access = study_access(request, slug, READ)
    study = access.study
    found = [
        chart
        for chart in study_charts(study, study_rollup(study), _attribute(request, study))
        if chart.name == name
    ]
    if not found:
        raise Http404("There is no such chart.")
    response = HttpResponse(found[0].svg(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response

"""Charts of the study (themes.charts): a page of figures, and each figure as SVG."""

from __future__ import annotations

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from interviews.access import READ, study_access

from ..charts import ChartError, study_charts
from ..forms import ChartsForm
from ..rollup import study_rollup

logger = logging.getLogger(__name__)

# What an <img> shows when its chart could not be drawn: the page around it stays whole, and
# the figure says what happened in its place (an <img> shows an error answer's image too).
UNDRAWN = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="80" viewBox="0 0 640 80">'
    '<rect width="640" height="80" fill="#fff" stroke="#b42318"/>'
    '<text x="16" y="45" font-family="sans-serif" font-size="16" fill="#b42318">'
    "This chart could not be drawn this time. Reload the page to try again.</text></svg>"
)


def _attribute(request, study) -> str:
    form = ChartsForm(request.GET, study=study)
    return form.cleaned_data["attribute"] if form.is_valid() else ""


def _numbered(charts: list) -> list[tuple[object, int]]:
    """(chart, its figure's number) for each chart: the drawn ones numbered 1, 2… as the
    findings document numbers them; an empty one 0, since it is no figure (the page says
    why in its place, without a caption of what is not there)."""
    numbered, n = [], 0
    for chart in charts:
        n += not chart.empty
        numbered.append((chart, 0 if chart.empty else n))
    return numbered


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
        "figures": _numbered(study_charts(study, study_rollup(study), attribute)),
    }
    return render(request, "themes/charts.html", context)


@require_safe
def chart_svg(request, slug, name):
    """One chart as an SVG image (shown through <img>, so its markup never joins the page's).
    An empty chart is not drawn: its address goes to the chart's place on the Charts page,
    which says why there is nothing to draw."""
    access = study_access(request, slug, READ)
    study = access.study
    found = [
        chart
        for chart in study_charts(study, study_rollup(study), _attribute(request, study))
        if chart.name == name
    ]
    if not found:
        raise Http404("There is no such chart.")
    if found[0].empty:
        # The page shows no <img> for it; a bookmarked address got axes with nothing on them
        # (or no question columns) and no reason.
        page = reverse("charts", args=[slug])
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(f"{page}{query}#chart-{name}")
    try:
        response = HttpResponse(found[0].svg(), content_type="image/svg+xml")
    except ChartError:
        # The drawing process failed or timed out; its stderr is for the log only.
        logger.exception("Chart %s of study %s could not be drawn", name, study.pk)
        response = HttpResponse(UNDRAWN, content_type="image/svg+xml", status=503)
    response["Cache-Control"] = "private, no-store"
    return response

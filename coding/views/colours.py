"""The study's code colours as a stylesheet, and the coding margin's on/off preference.

Strict CSP allows no inline styles, and a code can have any colour, so the rules behind the
`c-#rrggbb` classes come from this view (see coding/palette.py). Every study page links it;
the browser asks again on each page load (no-cache) and gets 304 while nothing changed.
"""

from __future__ import annotations

from hashlib import sha256

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag
from django.views.decorators.http import require_POST, require_safe

from core.http import refusal
from interviews.access import READ, study_access
from interviews.forms import NextForm

from .. import palette
from ..forms import MarginForm

MARGIN_KEY = "coding_margin"


def margin_shown(request) -> bool:
    """Whether this user shows the coding margin (on unless they turned it off)."""
    return request.session.get(MARGIN_KEY, True)


@require_safe
def code_colours(request, slug):
    access = study_access(request, slug, READ)
    css = palette.stylesheet(access.study.codes.values_list("colour", flat=True).distinct())
    etag = quote_etag(sha256(css.encode()).hexdigest()[:20])
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return get_conditional_response(request, etag=etag, response=response)


@require_POST
def margin_set(request, slug):
    """Remember, for this session, whether the coding margin is shown.

    The page's script sends it in the background (204); without script the form posts and
    comes back to the page it was sent from.
    """
    access = study_access(request, slug, READ)
    form = MarginForm(request.POST)
    if not form.is_valid():
        return refusal(request, " ".join(form.errors.get("shown", [])), status=400)
    request.session[MARGIN_KEY] = form.cleaned_data["shown"]
    if request.htmx:
        return HttpResponse(status=204)
    back = NextForm.url(request, reverse("study_detail", args=[access.study.slug]))
    return redirect(back)

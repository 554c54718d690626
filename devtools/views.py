"""The benchmark's floor: the least a logged-in POST that saves something costs here."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_POST

from .models import FloorRow


@require_POST
def floor(request):
    """Write one row (the POST's `text`, at most 200 characters) and answer "Saved.".

    Deliberately bare: no access helper, form, template or transaction of its own, only the
    site's middleware (session, login, CSRF, CSP, htmx...) in front of one INSERT, so that
    the benchmark can print how many times that floor apply_code costs (`apply_code_per_floor`).
    """
    FloorRow.objects.create(text=request.POST.get("text", "")[:200])
    return HttpResponse("Saved.")

"""The floor apply_code is held to: a bare Django view that writes one row behind the same
middleware (devtools.views.floor), timed in the same rounds, and their ratio."""

from __future__ import annotations

from django.urls import reverse

from devtools.benchmark.registry import derived, request
from devtools.benchmark.serving import Browser, Response

# Issue 9: coding a selection may cost at most twice the floor.
TARGET = 2


@request("floor")
def floor(browser: Browser, plan: dict, n: int, **headers: str) -> Response:
    """POST one row, as apply_code posts its selection (htmx, CSRF header, same session)."""
    path = reverse("devtools_floor")
    return browser.post(
        path, {"text": f"row {n}"}, referer=path, **{"HX-Request": "true"}, **headers
    )


@derived("apply_code_per_floor")
def apply_code_per_floor(results: dict[str, dict]) -> dict:
    """apply_code's median over the floor's, with the target."""
    ratio = results["apply_code"]["median_ms"] / results["floor"]["median_ms"]
    return {"ratio": round(ratio, 2), "target_at_most": TARGET}

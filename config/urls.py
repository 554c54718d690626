from __future__ import annotations

from django.apps import apps
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("interviews.urls")),
    path("", include("coding.urls")),
    path("", include("themes.urls")),
]
# The benchmark's floor view, only where the development tools are installed.
if apps.is_installed("devtools"):
    urlpatterns.append(path("", include("devtools.urls")))

handler403 = "core.views.forbidden"
handler404 = "core.views.not_found"

from __future__ import annotations

from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("interviews.urls")),
    path("", include("coding.urls")),
    path("", include("themes.urls")),
]

handler403 = "core.views.forbidden"
handler404 = "core.views.not_found"

from __future__ import annotations

from django.urls import path

from . import views

study = "studies/<slug:slug>/"

urlpatterns = [
    path(study + "themes/", views.themes, name="themes"),
    path(study + "themes/<int:pk>/codes/", views.theme_codes, name="theme_codes"),
]

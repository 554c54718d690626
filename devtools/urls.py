from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [path("devtools/floor", views.floor, name="devtools_floor")]

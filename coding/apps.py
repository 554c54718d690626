from __future__ import annotations

from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = "Coding"

    def ready(self) -> None:
        from interviews import pages

        # A study opens on its overview, an interview on its coding page, and a search's
        # hits are coded on the autocode page: all ours.
        pages.show(study="study_detail", interview="interview_code", code_search="autocode")

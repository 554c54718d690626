from __future__ import annotations

from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Interviews"

    def ready(self) -> None:
        from core.http import show_study_with

        from . import erasure, history
        from .access import study_of_request
        from .models import Interview, InterviewMemo, Respondent

        # A refusal's error page draws the menu of the study it happened in.
        show_study_with(study_of_request)

        history.connect()
        recorded = (Respondent, Interview, InterviewMemo)
        erasure.register_after(
            history.erase_respondent_history,
            *(model.history.model._meta.db_table for model in recorded),
        )

from __future__ import annotations

from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Interviews"

    def ready(self) -> None:
        from . import erasure, history
        from .models import Interview, InterviewMemo, Respondent

        history.connect()
        recorded = (Respondent, Interview, InterviewMemo)
        erasure.register_after(
            history.erase_respondent_history,
            *(model.history.model._meta.db_table for model in recorded),
        )

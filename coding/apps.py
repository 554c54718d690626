from __future__ import annotations

from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = "Coding"

    def ready(self) -> None:
        from interviews import deidentify, erasure, pages
        from interviews import services as interviews

        from . import deidentification
        from .erasure import (
            erase_respondent_coding,
            erase_respondent_coding_history,
            preview_respondent_coding,
        )
        from .models import Coding, Excerpt, UndoEntry

        # A study opens on its overview, an interview on its coding page, and a search's
        # hits are coded on the autocode page: all ours.
        pages.show(study="study_detail", interview="interview_code", code_search="autocode")
        # The history of actions is ours: Ctrl+Z on interviews' pages posts here.
        pages.undo_actions("undo")
        erasure.register(erase_respondent_coding, Excerpt._meta.db_table, UndoEntry._meta.db_table)
        erasure.register_preview(preview_respondent_coding)
        # De-identifying transcripts moves the excerpts on them, as an edit by hand does.
        if deidentification.follow not in interviews.DEIDENTIFY_FOLLOWERS:
            interviews.DEIDENTIFY_FOLLOWERS.append(deidentification.follow)
            deidentify.STORED_TEXTS.append(deidentification.stored_texts)
        erasure.register_after(
            erase_respondent_coding_history,
            Excerpt.history.model._meta.db_table,
            Coding.history.model._meta.db_table,
        )

from __future__ import annotations

from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = "Themes"

    def ready(self) -> None:
        from interviews import erasure

        from .models import Quote

        erasure.register(_count_quotes, Quote._meta.db_table)


def _count_quotes(respondent) -> dict[str, int]:
    """The quotes chosen from the respondent's excerpts (they go with the excerpts)."""
    from .models import Quote

    return {"quotes": Quote.objects.filter(excerpt__interview__respondent=respondent).count()}

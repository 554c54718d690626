from __future__ import annotations

from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = "Themes"

    def ready(self) -> None:
        from coding import bin as coding_bin
        from interviews import deidentify, erasure, pages
        from interviews import services as interviews

        from . import deidentification, identifying, undo
        from .models import Quote
        from .services import quotes_of_restored_excerpt

        undo.connect()
        if quotes_of_restored_excerpt not in coding_bin.RESTORE_FOLLOWERS:
            coding_bin.RESTORE_FOLLOWERS.append(quotes_of_restored_excerpt)
        erasure.register(_count_quotes, Quote._meta.db_table)
        erasure.register_preview(_preview_quotes)
        if _scrub_quotes not in interviews.DEIDENTIFY_FOLLOWERS:
            interviews.DEIDENTIFY_FOLLOWERS.append(_scrub_quotes)
        if deidentification.follow not in interviews.DEIDENTIFY_FOLLOWERS:
            interviews.DEIDENTIFY_FOLLOWERS.append(deidentification.follow)
        pages.offer_study_import("project_import")
        if identifying.typed_fields not in deidentify.TYPED_PLACES:
            deidentify.TYPED_PLACES.append(identifying.typed_fields)
        erasure.register_after(_erase_quote_history, Quote.history.model._meta.db_table)


def _count_quotes(respondent) -> dict[str, int]:
    """The quotes chosen from the respondent's excerpts (they go with the excerpts)."""
    from .models import Quote

    return {"quotes": Quote.objects.filter(excerpt__interview__respondent=respondent).count()}


def _preview_quotes(respondent) -> dict:
    """For the erasure's confirmation page: {"quotes": how many of the respondent's excerpts
    are chosen as quotes, "quote_themes": [(theme name, its quotes of theirs)] in the themes'
    order}, in one query."""
    from django.db.models import Count

    from .models import Quote

    rows = (
        Quote.objects.filter(excerpt__interview__respondent=respondent)
        .values("theme_id", "theme__name")
        .annotate(n=Count("id"))
        .order_by("theme__order", "theme_id")
    )
    themes = [(row["theme__name"], row["n"]) for row in rows]
    return {"quotes": sum(n for _, n in themes), "quote_themes": themes}


def _scrub_quotes(study, moved, scrub) -> dict[str, int]:
    """Quotes follow their excerpts (the same rows); the words a researcher chose to print
    are her copy of the excerpt's, so the applied strings are replaced there too (two
    queries: the study's quotes with an extract, their update)."""
    from .models import Quote

    quotes = list(Quote.objects.filter(theme__study=study).exclude(extract="").only("extract"))
    changed = [quote for quote in quotes if scrub(quote.extract) != quote.extract]
    for quote in changed:
        quote.extract = scrub(quote.extract)
    Quote.objects.bulk_update(changed, ["extract"], batch_size=500)
    return {"quotes_scrubbed": len(changed)}


def _erase_quote_history(respondent_id: int, erased: dict[str, set[int]]) -> None:
    """After an erasure: delete the records of the quotes chosen from the erased excerpts
    (a quote's extract is their words)."""
    from .models import Quote

    Quote.history.filter(excerpt_id__in=erased.get("coding.Excerpt", set())).delete()

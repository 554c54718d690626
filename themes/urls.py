from __future__ import annotations

from django.urls import path

from .views import (
    charts,
    exchange,
    exchange_import,
    exports,
    history,
    identifying,
    matrices,
    memos,
    overview,
    retrieval,
    theme,
)

study = "studies/<slug:slug>/"

urlpatterns = [
    path(study + "deidentify/typed/keep/", identifying.typed_keep, name="typed_keep"),
    path(
        study + "deidentify/typed/<int:pk>/undo/",
        identifying.typed_keep_undo,
        name="typed_keep_undo",
    ),
    path(study + "themes/", overview.themes, name="themes"),
    path(study + "charts/", charts.charts, name="charts"),
    path(study + "charts/<slug:name>.svg", charts.chart_svg, name="chart_svg"),
    path(study + "themes/<int:pk>/edit/", overview.theme_edit, name="theme_edit"),
    path(study + "themes/<int:pk>/move/", overview.theme_move, name="theme_move"),
    path(study + "themes/<int:pk>/delete/", overview.theme_delete, name="theme_delete"),
    path(study + "themes/<int:pk>/codes/", overview.theme_codes, name="theme_codes"),
    path(study + "themes/<int:pk>/", theme.theme_detail, name="theme_detail"),
    path(study + "themes/<int:pk>/status/", theme.theme_status, name="theme_status"),
    path(
        study + "themes/<int:pk>/quotes/<int:excerpt_id>/",
        theme.quote_toggle,
        name="quote_toggle",
    ),
    path(study + "quotes/<int:pk>/move/", theme.quote_move, name="quote_move"),
    path(study + "quotes/<int:pk>/extract/", theme.quote_extract, name="quote_extract"),
    path(study + "themes/<int:pk>/comments/", theme.comment_add, name="comment_add"),
    path(study + "comments/<int:pk>/resolve/", theme.comment_resolve, name="comment_resolve"),
    path(study + "excerpts/<int:pk>/context/", theme.excerpt_context, name="excerpt_context"),
    path(study + "excerpts/", retrieval.retrieve, name="retrieve"),
    path(study + "matrices/", matrices.matrix, name="matrix"),
    path(study + "matrices/matrix.xlsx", matrices.matrix_download, name="matrix_download"),
    path(
        study + "excerpts/retrieved.csv",
        retrieval.retrieve_download,
        {"kind": "csv"},
        name="retrieve_csv",
    ),
    path(
        study + "excerpts/retrieved.xlsx",
        retrieval.retrieve_download,
        {"kind": "xlsx"},
        name="retrieve_xlsx",
    ),
    path(study + "history/", history.history, name="history"),
    path(
        study + "history/restore/<str:kind>/<int:pk>/",
        history.history_restore,
        name="history_restore",
    ),
    path(study + "memos/", memos.memos, name="memos"),
    path(study + "memos/journal/", memos.memo_panel, {"kind": "journal"}, name="journal"),
    path(study + "memos/<str:kind>/<int:target_id>/", memos.memo_panel, name="memo_panel"),
    path(study + "memo/<str:kind>/<int:pk>/edit/", memos.memo_edit, name="memo_edit"),
    path(study + "memo/<str:kind>/<int:pk>/delete/", memos.memo_delete, name="memo_delete"),
    path(study + "memo/<str:kind>/<int:pk>/restore/", memos.memo_restore, name="memo_restore"),
    path("import/project/", exchange_import.project_import, name="project_import"),
    path(study + "codebook/import/", exchange_import.codebook_upload, name="codebook_upload"),
    path(
        study + "exports/project.qdpx",
        exchange.exchange_download,
        {"codebook_only": False},
        name="export_qdpx",
    ),
    path(
        study + "exports/codebook.qdc",
        exchange.exchange_download,
        {"codebook_only": True},
        name="export_qdc",
    ),
    *(
        path(f"{study}exports/{suffix}", exports.download, {"what": what}, name=f"export_{what}")
        for what, (_, suffix, *_) in exports.DOWNLOADS.items()
    ),
]

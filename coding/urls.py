from __future__ import annotations

from django.urls import path

from .views import autocode, codebook, colours, excerpts, similar, text, undo

study = "studies/<slug:slug>/"

urlpatterns = [
    path(study, codebook.study_overview, name="study_detail"),
    path(study + "interviews/<int:pk>/", excerpts.interview_code, name="interview_code"),
    path(study + "interviews/<int:pk>/excerpts/", excerpts.excerpt_create, name="excerpt_create"),
    path(study + "interviews/<int:pk>/text/", text.transcript_text, name="transcript_text"),
    path(study + "excerpts/<int:pk>/", excerpts.excerpt_detail, name="excerpt_detail"),
    path(study + "excerpts/<int:pk>/codes/", excerpts.excerpt_codes_add, name="excerpt_codes_add"),
    path(
        study + "excerpts/<int:pk>/codes/<int:code_id>/remove/",
        excerpts.excerpt_code_remove,
        name="excerpt_code_remove",
    ),
    path(study + "excerpts/<int:pk>/memo/", excerpts.excerpt_memo, name="excerpt_memo"),
    path(study + "excerpts/<int:pk>/range/", excerpts.excerpt_resize, name="excerpt_resize"),
    path(study + "excerpts/<int:pk>/review/", excerpts.excerpt_review, name="excerpt_review"),
    path(study + "excerpts/<int:pk>/delete/", excerpts.excerpt_delete, name="excerpt_delete"),
    path(study + "excerpts/<int:pk>/restore/", excerpts.excerpt_restore, name="excerpt_restore"),
    path(study + "colours.css", colours.code_colours, name="code_colours"),
    path(study + "margin/", colours.margin_set, name="coding_margin"),
    path(study + "codes/", codebook.codebook, name="codebook"),
    path(study + "codes/<int:pk>/", codebook.code_edit, name="code_edit"),
    path(study + "codes/<int:pk>/merge/", codebook.code_merge, name="code_merge"),
    path(study + "codes/<int:pk>/delete/", codebook.code_delete, name="code_delete"),
    path(study + "codes/<int:pk>/similar/", similar.code_similar, name="code_similar"),
    path(
        study + "interviews/<int:pk>/similar/<int:code_id>/",
        similar.code_similar_apply,
        name="code_similar_apply",
    ),
    path(study + "autocode/", autocode.autocode, name="autocode"),
    path(study + "autocode/apply/", autocode.autocode_apply, name="autocode_apply"),
    path(study + "undo/", undo.undo_action, name="undo"),
    path(study + "undo/<int:pk>/", undo.undo_action, name="undo_entry"),
    path(study + "bin/", undo.bin_page, name="bin"),
    path(study + "bin/codes/<int:pk>/restore/", undo.code_restore, name="code_restore"),
]

from __future__ import annotations

from django.urls import path

from .views import deidentify, protocol, respondents, search, studies, transcripts

study = "studies/<slug:slug>/"

urlpatterns = [
    path("", studies.study_list, name="study_list"),
    path("studies/new/", studies.study_create, name="study_create"),
    path(study + "settings/", studies.study_settings, name="study_settings"),
    path(study + "members/", studies.members, name="members"),
    path(study + "members/<int:pk>/remove/", studies.member_remove, name="member_remove"),
    path(study + "members/leave/", studies.member_leave, name="member_leave"),
    path(
        "invitations/<int:pk>/accept/",
        studies.invitation_answer,
        {"answer": "accept"},
        name="invitation_accept",
    ),
    path(
        "invitations/<int:pk>/decline/",
        studies.invitation_answer,
        {"answer": "decline"},
        name="invitation_decline",
    ),
    path(study + "protocol/", protocol.protocol, name="protocol"),
    path(study + "protocol/<int:pk>/edit/", protocol.question_edit, name="question_edit"),
    path(study + "protocol/<int:pk>/move/", protocol.question_move, name="question_move"),
    path(study + "protocol/<int:pk>/delete/", protocol.question_delete, name="question_delete"),
    path(study + "respondents/", respondents.respondents, name="respondents"),
    path(
        study + "respondents/<int:pk>/edit/", respondents.respondent_edit, name="respondent_edit"
    ),
    path(
        study + "respondents/<int:pk>/withdraw/",
        respondents.respondent_withdraw,
        name="respondent_withdraw",
    ),
    path(
        study + "respondents/<int:pk>/erase/",
        respondents.respondent_erase,
        name="respondent_erase",
    ),
    path(study + "attributes/", respondents.attribute_add, name="attribute_add"),
    path(study + "attributes/remove/", respondents.attribute_remove, name="attribute_remove"),
    path(study + "search/", search.transcript_search, name="transcript_search"),
    path(study + "deidentify/", deidentify.deidentify_list, name="deidentify_list"),
    path(study + "deidentify/<int:pk>/edit/", deidentify.identifier_edit, name="identifier_edit"),
    path(
        study + "deidentify/<int:pk>/delete/",
        deidentify.identifier_delete,
        name="identifier_delete",
    ),
    path(study + "deidentify/preview/", deidentify.deidentify_preview, name="deidentify_preview"),
    path(study + "import/", transcripts.transcript_import, name="transcript_import"),
    path(study + "import/<uuid:batch>/", transcripts.import_batch, name="import_batch"),
    path(study + "import/<uuid:batch>/step/", transcripts.import_step, name="import_step"),
    path(study + "import/<uuid:batch>/judge/", transcripts.import_judge, name="import_judge"),
    path(
        study + "import/<uuid:batch>/files/<int:position>/lines/",
        transcripts.import_lines,
        name="import_lines",
    ),
    path(study + "interviews/<int:pk>/edit/", transcripts.interview_edit, name="interview_edit"),
    path(
        study + "interviews/<int:pk>/delete/",
        transcripts.interview_delete,
        name="interview_delete",
    ),
    path(
        study + "interviews/<int:pk>/questions/",
        transcripts.interview_questions,
        name="interview_questions",
    ),
]

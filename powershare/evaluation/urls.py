from django.urls import path

from . import (
    feedback_views,
    import_views,
    link_views,
    responses_export_views,
    results_views,
    summary_views,
    views,
)

app_name = "evaluation"

urlpatterns = [
    # Questionnaires, sections and questions
    path("", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", views.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:pk>/edit/", views.questionnaire_edit, name="questionnaire_edit"),
    path("questionnaires/<int:pk>/sections/new/", views.section_add, name="section_add"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("questionnaires/<int:pk>/questions/new/", views.question_add, name="question_add"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/close/", views.question_close, name="question_close"),
    path("questions/<int:pk>/remove/", views.question_remove, name="question_remove"),
    path("questions/<int:pk>/move/", views.question_move, name="question_move"),
    path(
        "products/<int:pk>/standard-questionnaires/",
        views.standard_make,
        name="standard_make",
    ),
    # Imports
    path("import/", import_views.import_new, name="import_new"),
    path("questionnaires/<int:pk>/import/", import_views.import_answers, name="import_answers"),
    path("imports/<int:pk>/undo/", import_views.import_undo, name="import_undo"),
    # Answer links, QR codes and paper codes
    path("questionnaires/<int:pk>/links/new/", link_views.link_create, name="link_create"),
    path("links/<int:pk>/", link_views.link_detail, name="link_detail"),
    path("links/<int:pk>/edit/", link_views.link_edit, name="link_edit"),
    path("links/<int:pk>/qr.svg", link_views.link_qr_svg, name="link_qr_svg"),
    path("links/<int:pk>/qr.png", link_views.link_qr_png, name="link_qr_png"),
    path("links/<int:pk>/paper-codes/", link_views.paper_codes, name="paper_codes"),
    # Results
    path("questionnaires/<int:pk>/results/", results_views.results, name="results"),
    path(
        "questionnaires/<int:pk>/results/export/",
        results_views.results_export,
        name="results_export",
    ),
    path("questions/<int:pk>/answers/", results_views.free_text, name="free_text"),
    path(
        "questionnaires/<int:pk>/responses.csv",
        responses_export_views.responses_download,
        name="responses_download",
    ),
    # A product's evaluation: the summary of learning
    path("products/<int:pk>/", summary_views.summary, name="summary"),
    path("products/<int:pk>/edit/", summary_views.summary_edit, name="summary_edit"),
    path("products/<int:pk>/make/", summary_views.summary_make, name="summary_make"),
    path("products/<int:pk>/progress/", summary_views.summary_progress, name="summary_progress"),
    path("products/<int:pk>/summary.pdf", summary_views.summary_pdf, name="summary_pdf"),
    path("products/<int:pk>/feedback/", feedback_views.summary_feedback, name="summary_feedback"),
]

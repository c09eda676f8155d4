from django.urls import path

from . import letter_views, public_views, views

app_name = "accountability"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/", views.metrics, name="metrics"),
    path("responses/", views.response_list, name="response_list"),
    path("activities/<int:pk>/", views.activity_loop, name="activity_loop"),
    path("activities/<int:pk>/respond/", views.respond, name="respond"),
    path("responses/<int:pk>/", views.response_detail, name="response_detail"),
    path("responses/<int:pk>/change/", views.response_edit, name="response_edit"),
    path("responses/<int:pk>/remove/", views.response_delete, name="response_delete"),
    path("responses/<int:pk>/progress/", views.response_progress, name="response_progress"),
    path("responses/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("activities/<int:pk>/letter/", letter_views.letter_compose, name="letter_compose"),
    path("letters/<int:pk>/", letter_views.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/send/", letter_views.letter_send, name="letter_send"),
    path("letters/<int:pk>/letters.pdf", letter_views.letter_pdf, name="letter_pdf"),
    path(
        "letters/<int:pk>/recipients/<int:recipient>/posted/",
        letter_views.recipient_posted,
        name="recipient_posted",
    ),
    path(
        "letters/<int:pk>/groups/<int:recipient>/",
        letter_views.group_version,
        name="group_version",
    ),
    path(
        "letters/<int:pk>/groups/<int:recipient>/letter.pdf",
        letter_views.group_version_pdf,
        name="group_version_pdf",
    ),
    path(
        "letters/<int:pk>/groups/<int:recipient>/replies/",
        letter_views.group_replies,
        name="group_replies",
    ),
    path("public-page/", public_views.public_page_settings, name="public_page_settings"),
]

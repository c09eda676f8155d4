from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("consent-statements/", views.statement_list, name="statement_list"),
    path(
        "consent-statements/<str:purpose>/publish/",
        views.statement_publish,
        name="statement_publish",
    ),
    path("subject-access/", views.subject_access_list, name="subject_access_list"),
    path(
        "subject-access/new/<int:person_pk>/",
        views.subject_access_create,
        name="subject_access_create",
    ),
    path("subject-access/<int:pk>/", views.subject_access_detail, name="subject_access_detail"),
    path(
        "subject-access/<int:pk>/download/",
        views.subject_access_download,
        name="subject_access_download",
    ),
    path("erasure/", views.erasure_list, name="erasure_list"),
    path("erasure/new/<int:person_pk>/", views.erasure_request_create, name="erasure_create"),
    path("erasure/<int:pk>/", views.erasure_detail, name="erasure_detail"),
]

from django.urls import path

from . import contribution_views, invitation_views, ladder_views, views

app_name = "engagement"

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("add/", views.activity_create, name="activity_create"),
    path("export/", views.activity_export, name="activity_export"),
    path("settings/", views.engagement_settings, name="settings"),
    path("ladder/", views.ladder_report, name="ladder_report"),
    path("ladder/chart.svg", views.ladder_chart, name="ladder_chart"),
    path("ladders/", ladder_views.ladder_list, name="ladder_list"),
    path("ladders/add/", ladder_views.ladder_create, name="ladder_create"),
    path("ladders/<int:pk>/change/", ladder_views.ladder_edit, name="ladder_edit"),
    path("ladders/<int:pk>/retire/", ladder_views.ladder_retire, name="ladder_retire"),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("<int:pk>/change/", views.activity_edit, name="activity_edit"),
    path("<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("<int:pk>/invite/", invitation_views.invite, name="invite"),
    path("invitations/<int:pk>/", invitation_views.invitation_detail, name="invitation_detail"),
    path(
        "invitations/<int:pk>/withdraw/",
        invitation_views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("invitations/<int:pk>/leave/", invitation_views.invitation_leave, name="invitation_leave"),
    path(
        "<int:pk>/contributions/add/",
        contribution_views.contribution_capture,
        name="contribution_capture",
    ),
    path("contributions/", contribution_views.contribution_list, name="contribution_list"),
    path(
        "contributions/export/",
        contribution_views.contribution_export,
        name="contribution_export",
    ),
    path(
        "contributions/<int:pk>/",
        contribution_views.contribution_detail,
        name="contribution_detail",
    ),
    path(
        "contributions/<int:pk>/remove-words/",
        contribution_views.contribution_redact,
        name="contribution_redact",
    ),
    path(
        "contributions/<int:pk>/withdraw/",
        contribution_views.contribution_withdraw,
        name="contribution_withdraw",
    ),
]

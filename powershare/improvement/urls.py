from django.urls import path

from . import (
    assessment_views,
    dashboard_views,
    framework_views,
    partnership_views,
    plan_views,
    walkthrough_views,
)

app_name = "improvement"

urlpatterns = [
    # The leader's dashboard
    path("", dashboard_views.home, name="home"),
    # Frameworks and their versions
    path("frameworks/", framework_views.framework_list, name="framework_list"),
    path("frameworks/<int:pk>/", framework_views.framework_detail, name="framework_detail"),
    path(
        "frameworks/<int:pk>/new-version/",
        framework_views.version_publish,
        name="version_publish",
    ),
    path("framework-versions/<int:pk>/", framework_views.version_detail, name="version_detail"),
    # Self-assessments
    path("assessments/", assessment_views.assessment_list, name="assessment_list"),
    path("assessments/new/", assessment_views.assessment_create, name="assessment_create"),
    path("assessments/heat-map.svg", assessment_views.heatmap_svg, name="heatmap_svg"),
    path("assessments/<int:pk>/", assessment_views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", assessment_views.assessment_edit, name="assessment_edit"),
    path(
        "assessments/<int:pk>/ratings/",
        assessment_views.assessment_ratings,
        name="assessment_ratings",
    ),
    path(
        "assessments/<int:pk>/people/",
        assessment_views.assessment_participants,
        name="assessment_participants",
    ),
    path(
        "assessment-people/<int:pk>/remove/",
        assessment_views.participant_remove,
        name="participant_remove",
    ),
    path("assessments/<int:pk>/agree/", assessment_views.assessment_agree, name="assessment_agree"),
    path(
        "assessments/<int:pk>/sharing/",
        assessment_views.assessment_sharing,
        name="assessment_sharing",
    ),
    path(
        "assessments/<int:pk>/sharing/<int:share_pk>/stop/",
        assessment_views.assessment_share_end,
        name="assessment_share_end",
    ),
    # Action plans and actions
    path("plans/", plan_views.plan_list, name="plan_list"),
    path("plans/new/", plan_views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/sharing/", plan_views.plan_sharing, name="plan_sharing"),
    path(
        "plans/<int:pk>/sharing/<int:share_pk>/stop/",
        plan_views.plan_share_end,
        name="plan_share_end",
    ),
    path("actions/", plan_views.action_list, name="action_list"),
    path("actions/export.csv", plan_views.action_export, name="action_export"),
    path("actions/new/", plan_views.action_create, name="action_create"),
    path("actions/<int:pk>/", plan_views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", plan_views.action_edit, name="action_edit"),
    path("actions/<int:pk>/progress/", plan_views.action_progress, name="action_progress"),
    # Walkthroughs
    path("walkthroughs/", walkthrough_views.walkthrough_list, name="walkthrough_list"),
    path("walkthroughs/new/", walkthrough_views.walkthrough_create, name="walkthrough_create"),
    path("walkthroughs/<int:pk>/", walkthrough_views.walkthrough_detail, name="walkthrough_detail"),
    path(
        "walkthroughs/<int:pk>/edit/", walkthrough_views.walkthrough_edit, name="walkthrough_edit"
    ),
    path("walkthroughs/<int:pk>/sites/new/", walkthrough_views.site_add, name="site_add"),
    path("walkthrough-sites/<int:pk>/remove/", walkthrough_views.site_remove, name="site_remove"),
    path("walkthroughs/<int:pk>/team/new/", walkthrough_views.team_add, name="team_add"),
    path("walkthrough-team/<int:pk>/remove/", walkthrough_views.team_remove, name="team_remove"),
    path(
        "walkthroughs/<int:pk>/observations/new/",
        walkthrough_views.observation_add,
        name="observation_add",
    ),
    path(
        "observations/<int:pk>/edit/",
        walkthrough_views.observation_edit,
        name="observation_edit",
    ),
    path(
        "observations/<int:pk>/remove/",
        walkthrough_views.observation_remove,
        name="observation_remove",
    ),
    # Partnership groups and their meetings
    path("partnership/", partnership_views.group_list, name="group_list"),
    path("partnership/new/", partnership_views.group_create, name="group_create"),
    path("partnership/<int:pk>/", partnership_views.group_detail, name="group_detail"),
    path("partnership/<int:pk>/edit/", partnership_views.group_edit, name="group_edit"),
    path("partnership/<int:pk>/members/new/", partnership_views.member_add, name="member_add"),
    path("group-members/<int:pk>/edit/", partnership_views.member_edit, name="member_edit"),
    path("partnership/<int:pk>/actions/", partnership_views.action_log, name="action_log"),
    path(
        "partnership/<int:pk>/actions/export.csv",
        partnership_views.action_log_export,
        name="action_log_export",
    ),
    path(
        "partnership/<int:pk>/meetings/new/",
        partnership_views.meeting_create,
        name="meeting_create",
    ),
    path("meetings/<int:pk>/", partnership_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", partnership_views.meeting_edit, name="meeting_edit"),
    path(
        "meetings/<int:pk>/attendance/",
        partnership_views.meeting_attendance,
        name="meeting_attendance",
    ),
    path("meetings/<int:pk>/agenda/new/", partnership_views.agenda_add, name="agenda_add"),
    path("agenda-items/<int:pk>/edit/", partnership_views.agenda_edit, name="agenda_edit"),
    path("agenda-items/<int:pk>/remove/", partnership_views.agenda_remove, name="agenda_remove"),
    path(
        "meetings/<int:pk>/updates/<int:member_pk>/",
        partnership_views.partner_update_edit,
        name="partner_update_edit",
    ),
    path("meetings/<int:pk>/decisions/new/", partnership_views.decision_add, name="decision_add"),
    path("decisions/<int:pk>/remove/", partnership_views.decision_remove, name="decision_remove"),
    path(
        "meetings/<int:pk>/arising/<int:action_pk>/",
        partnership_views.arising_update,
        name="arising_update",
    ),
    path("meetings/<int:pk>/agree/", partnership_views.minutes_agree, name="minutes_agree"),
    path("meetings/<int:pk>/minutes.pdf", partnership_views.minutes_pdf, name="minutes_pdf"),
    path("meetings/<int:pk>/minutes.docx", partnership_views.minutes_docx, name="minutes_docx"),
]

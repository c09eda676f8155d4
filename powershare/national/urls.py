from django.urls import path

from . import report_views, return_views, round_views

app_name = "national"

urlpatterns = [
    # The coordinator's rounds (a survey respondent is sent to their council's returns)
    path("", round_views.home, name="home"),
    path("rounds/new/", round_views.round_create, name="round_create"),
    path("rounds/<int:pk>/", round_views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/progress/", round_views.round_progress, name="round_progress"),
    path("rounds/<int:pk>/edit/", round_views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/councils/", round_views.round_councils, name="round_councils"),
    path("rounds/<int:pk>/narrative/", round_views.round_narrative, name="round_narrative"),
    path("rounds/<int:pk>/copy/", round_views.round_copy, name="round_copy"),
    path("rounds/<int:pk>/reminders/", round_views.reminders_send, name="reminders_send"),
    # The round's questions (the evaluation engine's, edited here by the coordinator)
    path("rounds/<int:pk>/questions/", round_views.round_questions, name="round_questions"),
    path("rounds/<int:pk>/questions/new/", round_views.question_add, name="question_add"),
    path("questions/<int:pk>/edit/", round_views.question_edit, name="question_edit"),
    path("questions/<int:pk>/remove/", round_views.question_remove, name="question_remove"),
    path("questions/<int:pk>/move/", round_views.question_move, name="question_move"),
    # Returns: the council's respondent fills them in; the coordinator reads and reopens
    path("your-returns/", return_views.my_returns, name="my_returns"),
    path("returns/<int:pk>/", return_views.return_detail, name="return_detail"),
    path("returns/<int:pk>/edit/", return_views.return_edit, name="return_edit"),
    path("returns/<int:pk>/reopen/", round_views.return_reopen, name="return_reopen"),
    # The national learning report
    path("rounds/<int:pk>/report/", report_views.report, name="report"),
    path("rounds/<int:pk>/report.pdf", report_views.report_pdf, name="report_pdf"),
    path("rounds/<int:pk>/charts/<slug:chart>.svg", report_views.chart_svg, name="chart_svg"),
]

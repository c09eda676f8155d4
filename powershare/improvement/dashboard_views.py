"""The leader's dashboard (the Improvement home): what needs attention first.

Actions overdue, then due in the next 30 days; progress per driver since the last agreed
self-assessment, with the actions under each; the closed-loop rate from "you said, we did";
and links to plans, assessments, walkthroughs and partnership groups. Someone who sees
improvement work but whose organisation keeps none (a national coordinator) gets a short
explanation and the plans partners have shared with them.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import selectors


@login_required
@require_GET
def home(request):
    user = request.user
    selectors.require_view(user)
    today = timezone.localdate()
    dashboard = selectors.dashboard_for(user=user, today=today)
    for action in dashboard.actions:
        gap = (action.due_on - today).days
        action.when_due = (
            f"{-gap} day{'s' if gap != -1 else ''} overdue"
            if gap < 0
            else ("due today" if gap == 0 else f"due in {gap} day{'s' if gap != 1 else ''}")
        )
    return render(
        request,
        "improvement/dashboard_home.html",
        {
            "page_title": "Improvement",
            "breadcrumbs": [{"label": "Home", "url": reverse("home")}, {"label": "Improvement"}],
            "dashboard": dashboard,
            "today": today,
            "due_days": selectors.DASHBOARD_DUE_DAYS,
            "several_organisations": len(dashboard.organisations) > 1,
            "can_manage": bool(selectors.managing_ids(user)),
        },
    )

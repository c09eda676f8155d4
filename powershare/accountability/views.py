"""Staff pages: the feedback dashboard, figures, responses and their evidence.

Seeing them needs VIEW_ENGAGEMENT (participation and learning leads, leaders, facilitators);
answering contributions, changing and removing responses need MANAGE_ENGAGEMENT in the
activity's organisation; a response's owner may also add progress and evidence to it. Anything
else answers 404, never 403.

What people said is read only through the selectors, which apply the consent rule for use
inside the organisation (engagement.selectors.contributions_usable_for). Contributors are shown
by their credit for that use (a group's label, or "Anonymous contributor"), never by name, so
these pages read no one's personal details; downloading an evidence file is recorded, as it may
hold some.
"""

import datetime
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability, role_can
from powershare.accounts.selectors import member_list_for, organisation_ids_where, user_can
from powershare.audit.models import AccessEvent
from powershare.audit.services import access_event_record
from powershare.engagement import selectors as engagement_selectors
from powershare.engagement.models import UseLevel
from powershare.lib.forms import form_errors_to_fields, posted, search_term
from powershare.lib.uploads import protected_file_response
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .forms import EvidenceForm, PeriodForm, ProgressForm, ResponseForm
from .models import Decision, ResponseStatus

PAGE_SIZE = 50


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Feedback", "url": reverse("accountability:dashboard")},
        *items,
    ]


def _activity_crumbs(activity, *items):
    return _crumbs(
        {
            "label": activity.title,
            "url": reverse("accountability:activity_loop", args=[activity.pk]),
        },
        *items,
    )


def _response_crumbs(response, *items):
    return _activity_crumbs(
        response.activity,
        {
            "label": f"Response {response.reference}",
            "url": reverse("accountability:response_detail", args=[response.pk]),
        },
        *items,
    )


def _require(user, capability=Capability.VIEW_ENGAGEMENT):
    if not user_can(user=user, capability=capability):
        raise Http404("No such page")


def _several_organisations(user) -> bool:
    return len(organisation_ids_where(user=user, capability=Capability.VIEW_ENGAGEMENT)) > 1


def _days(number: int) -> str:
    return f"{number} day{'' if number == 1 else 's'}"


def when_due(day: datetime.date | None, today: datetime.date) -> str:
    """'3 days overdue', 'due today', 'due in 5 days'."""
    if day is None:
        return ""
    gap = (day - today).days
    if gap < 0:
        return f"{_days(-gap)} overdue"
    if gap == 0:
        return "due today"
    return f"due in {_days(gap)}"


def _credited(contributions):
    """Each contribution with who it came from, as shown inside the organisation: a group's
    label or "Anonymous contributor" (never a name: see the module's docstring)."""
    contributions = list(contributions)
    for contribution in contributions:
        contribution.credit = contribution.credit_for(UseLevel.INTERNAL)
    return contributions


def _with_loop_words(activity, today):
    activity.loop_label = selectors.loop_state_label(activity.loop_state)
    activity.when_due = when_due(activity.feedback_due_on, today)
    return activity


# ---------------------------------------------------------------------------------------------
# The dashboard, the figures and the list of responses


@login_required
@require_GET
def dashboard(request, **kwargs):
    """Feedback owed: activities whose loop is not closed, overdue first, then due in the next
    14 days, then the rest. Leaders and facilitators see it too, without the buttons."""
    _require(request.user)
    today = timezone.localdate()
    search = search_term(request)
    # Which loops are open is worked out once, in short rows: the totals are counted from
    # them and the page's activities fetched by id.
    rows = selectors.dashboard_rows_for(user=request.user, today=today)
    counts = selectors.dashboard_totals_for(user=request.user, today=today, rows=rows)
    if search:
        rows = selectors.dashboard_rows_for(user=request.user, today=today, search=search)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    manageable = set(
        organisation_ids_where(user=request.user, capability=Capability.MANAGE_ENGAGEMENT)
    )
    shown = selectors.dashboard_page(
        user=request.user, today=today, ids=[pk for pk, _due, _n in page.object_list]
    )
    items = [_with_loop_words(activity, today) for activity in shown]
    for activity in items:
        activity.can_respond = (
            activity.organisation_id in manageable and activity.without_response > 0
        )
        activity.can_send = (
            activity.organisation_id in manageable
            and activity.loop_state == selectors.LoopState.READY
        )
    page.object_list = items
    return render(
        request,
        "accountability/dashboard.html",
        {
            "page_title": "Feedback owed",
            "breadcrumbs": [{"label": "Home", "url": reverse("home")}, {"label": "Feedback"}],
            "page_obj": page,
            "counts": counts,
            "search": search,
            "several_organisations": _several_organisations(request.user),
            "can_manage": bool(manageable),
            "urgency": selectors.Urgency,
            "due_soon_days": selectors.DUE_SOON_DAYS,
        },
    )


@login_required
@require_GET
def metrics(request, **kwargs):
    """Per organisation: how many loops closed, how many on time, and the median days from the
    end of an activity to the first feedback, for a period (the last 12 months unless chosen)."""
    _require(request.user)
    today = timezone.localdate()
    asked = any(request.GET.get(name) for name in ("from", "to"))
    form = PeriodForm(request.GET if asked else None, default=selectors.default_period(today))
    start, end = form.period()
    figures = [
        selectors.loop_metrics(organisation=organisation, start=start, end=end, today=today)
        for organisation in selectors.metrics_organisations_for(user=request.user)
    ]
    return render(
        request,
        "accountability/metrics.html",
        {
            "page_title": "Feedback figures",
            "breadcrumbs": _crumbs({"label": "Figures"}),
            "form": form,
            "start": start,
            "end": end,
            "figures": figures,
        },
    )


def _response_filters(request) -> dict:
    status = request.GET.get("status", "")
    decision = request.GET.get("decision", "")
    return {
        "owner_only": request.GET.get("mine") == "1",
        "status": status if status in ResponseStatus.values else "",
        "decision": decision if decision in Decision.values else "",
    }


@login_required
@require_GET
def response_list(request, **kwargs):
    _require(request.user)
    filters = _response_filters(request)
    page = Paginator(selectors.response_list_for(user=request.user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    items = list(page.object_list)
    for response in items:
        response.overdue = response.is_overdue_on(today)
    page.object_list = items
    return render(
        request,
        "accountability/response_list.html",
        {
            "page_title": "Responses",
            "breadcrumbs": _crumbs({"label": "Responses"}),
            "page_obj": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "statuses": ResponseStatus.choices,
            "decisions": Decision.choices,
            "several_organisations": _several_organisations(request.user),
        },
    )


# ---------------------------------------------------------------------------------------------
# An activity's loop, and answering its contributions


@login_required
@require_GET
def activity_loop(request, pk):
    activity = engagement_selectors.activity_get_for(user=request.user, pk=pk)
    today = timezone.localdate()
    loop = _with_loop_words(selectors.activity_loop_get(activity=activity), today)
    responses = list(selectors.response_list_for_activity(activity=activity))
    for response in responses:
        response.shown = _credited(response.shown)
        response.not_shown = max(response.contributions_linked - len(response.shown), 0)
        response.overdue = response.is_overdue_on(today)
    waiting = [
        c
        for c in _credited(selectors.contributions_to_answer(activity=activity))
        if not c.response_count
    ]
    can_manage = user_can(
        user=request.user,
        capability=Capability.MANAGE_ENGAGEMENT,
        organisation_id=activity.organisation_id,
    )
    letters = list(selectors.letters_for_activity(activity=activity))
    return render(
        request,
        "accountability/activity_loop.html",
        {
            "page_title": activity.title,
            "page_caption": f"Feedback · {activity.organisation.display_name}",
            "breadcrumbs": _crumbs({"label": activity.title}),
            "activity": activity,
            "loop": loop,
            "responses": responses,
            "waiting": waiting,
            # Contributions without a response that staff can't read (see the selector).
            "waiting_hidden": max(loop.without_response - len(waiting), 0),
            "hidden_count": selectors.contributions_hidden_count(activity=activity),
            "letters": letters,
            "has_draft": any(not letter.is_sent for letter in letters),
            "can_manage": can_manage,
            "can_respond": can_manage and not activity.is_cancelled,
        },
    )


def _hidden_to_answer(activity) -> list:
    """Contributions without a response whose words staff can't read now: they still need an
    answer, so the respond page offers to include them (by number, never their words)."""
    return list(selectors.contributions_hidden_to_answer(activity=activity))


def _staff_of(user, organisation) -> list:
    """Who may own a response: current staff whose role sees activities (anyone else would be
    reminded of work they cannot open)."""
    try:
        members = member_list_for(user=user, organisation=organisation)
    except Http404:
        return []
    return [m for m in members if role_can(m.role, Capability.VIEW_ENGAGEMENT)]


@login_required
@require_http_methods(["GET", "POST"])
def respond(request, pk):
    """Select, then respond: tick the contributions one response answers, and say what will
    happen. Nothing is saved until everything is right, and nothing typed is lost."""
    activity = engagement_selectors.activity_get_for(
        user=request.user, pk=pk, may=Capability.MANAGE_ENGAGEMENT
    )
    contributions = _credited(selectors.contributions_to_answer(activity=activity))
    hidden = _hidden_to_answer(activity)
    members = _staff_of(request.user, activity.organisation)
    initial = {"contributions": request.GET.getlist("contribution")}
    if any(m.user_id == request.user.pk for m in members):
        initial["owner"] = str(request.user.pk)
    form = ResponseForm(
        posted(request),
        members=members,
        contributions=contributions,
        hidden_count=len(hidden),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen_contributions()
        if form.cleaned_data.get("include_hidden"):
            chosen += hidden
        count = len(chosen)

        def create():
            services.response_create(
                actor=request.user,
                activity=activity,
                contributions=chosen,
                **form.response_fields(),
            )
            return reverse("accountability:activity_loop", args=[activity.pk])

        done = submit_form_once(
            request,
            form,
            create,
            success=f"Your response has been saved. It answers {count} "
            f"contribution{'' if count == 1 else 's'}.",
        )
        if done is not None:
            return done
    chosen = set(form.chosen)
    return render(
        request,
        "accountability/respond.html",
        {
            "page_title": "Respond to contributions",
            "page_caption": activity.title,
            "breadcrumbs": _activity_crumbs(activity, {"label": "Respond"}),
            "activity": activity,
            "form": form,
            "contributions": contributions,
            "waiting_count": sum(1 for c in contributions if not c.response_count),
            "chosen": chosen,
            "hidden_count": len(hidden),
        },
    )


# ---------------------------------------------------------------------------------------------
# One response


def _timeline(response) -> list[dict]:
    """What happened to a response, oldest first: when it was recorded, each progress note and
    each change of decision or progress after people were told about it."""
    created_day = timezone.localdate(response.created_at)
    entries = [
        {
            "day": created_day,
            "order": (created_day, response.created_at),
            "title": "Response recorded",
            "text": "",
            "by": response.created_by,
        }
    ]
    for note in response.progress.all():
        entries.append(
            {
                "day": note.happened_on,
                "order": (note.happened_on, note.created_at),
                "title": "Progress",
                "text": note.text,
                "by": note.written_by,
            }
        )
    for change in response.changes.all():
        day = timezone.localdate(change.changed_at)
        entries.append(
            {
                "day": day,
                "order": (day, change.changed_at),
                "title": f"{change.field_label} changed from {change.before_label} to "
                f"{change.after_label}",
                "text": "",
                "by": change.changed_by,
            }
        )
    return sorted(entries, key=lambda entry: entry["order"])


@login_required
@require_GET
def response_detail(request, pk):
    response = selectors.response_get_for(user=request.user, pk=pk)
    today = timezone.localdate()
    linked = response.links.count()
    return render(
        request,
        "accountability/response_detail.html",
        {
            "page_title": f"Response {response.reference}",
            "page_caption": response.activity.title,
            "breadcrumbs": _activity_crumbs(response.activity, {"label": response.reference}),
            "response": response,
            "overdue": response.is_overdue_on(today),
            "when_due": when_due(response.due_on, today) if not response.is_finished else "",
            "timeline": _timeline(response),
            "files": list(response.files.all()),
            "shown": _credited(response.shown),
            "not_shown": max(linked - len(response.shown), 0),
            "can_change": selectors.response_may_change(user=request.user, response=response),
            "can_add_progress": selectors.response_may_add_progress(
                user=request.user, response=response
            ),
        },
    )


def _response_to_change(request, pk):
    response = selectors.response_get_for(
        user=request.user, pk=pk, may=Capability.MANAGE_ENGAGEMENT
    )
    # The owner may open a response they could not otherwise change: not these pages.
    if not selectors.response_may_change(user=request.user, response=response):
        raise Http404("No such response")
    return response


def _response_for_progress(request, pk):
    response = selectors.response_get_for(user=request.user, pk=pk, may=None)
    if not selectors.response_may_add_progress(user=request.user, response=response):
        raise Http404("No such response")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def response_edit(request, pk):
    response = _response_to_change(request, pk)
    members = _staff_of(request.user, response.organisation)
    form = ResponseForm(
        posted(request),
        members=members,
        initial={
            "decision": response.decision,
            "reason": response.reason,
            "what_will_change": response.what_will_change,
            "owner": str(response.owner_id) if response.owner_id else "",
            "due_on": response.due_on,
            "status": response.status,
            "evidence": response.evidence,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.response_update(
                actor=request.user, response=response, **form.response_fields()
            )
        except ValidationError as error:
            form_errors_to_fields(form, error)
        except PermissionDenied:
            raise Http404("No such response") from None
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect("accountability:response_detail", pk=response.pk)
    owner_gone = (
        response.owner
        if response.owner_id and not any(m.user_id == response.owner_id for m in members)
        else None
    )
    return render(
        request,
        "accountability/response_form.html",
        {
            "page_title": f"Change response {response.reference}",
            "page_caption": response.activity.title,
            "breadcrumbs": _response_crumbs(response, {"label": "Change"}),
            "response": response,
            "form": form,
            "owner_gone": owner_gone,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_delete(request, pk):
    response = _response_to_change(request, pk)
    problem = ""
    if request.method == "POST":
        try:
            services.response_delete(actor=request.user, response=response)
        except ValidationError as error:
            problem = " ".join(error.messages)
        except PermissionDenied:
            raise Http404("No such response") from None
        else:
            messages.success(
                request,
                f"Response {response.reference} has been removed. The contributions it answered "
                "need a response again.",
            )
            return redirect("accountability:activity_loop", pk=response.activity_id)
    return render(
        request,
        "accountability/response_delete.html",
        {
            "page_title": f"Remove response {response.reference}?",
            "page_caption": response.activity.title,
            "breadcrumbs": _response_crumbs(response, {"label": "Remove"}),
            "response": response,
            "problem": problem,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_progress(request, pk):
    response = _response_for_progress(request, pk)
    form = ProgressForm(posted(request), current_status=response.status)
    if request.method == "POST" and form.is_valid():

        def create():
            services.response_progress_add(
                actor=request.user,
                response=response,
                text=form.cleaned_data["text"],
                happened_on=form.cleaned_data["happened_on"],
                status=form.cleaned_data["status"],
            )
            return reverse("accountability:response_detail", args=[response.pk])

        done = submit_form_once(request, form, create, success="Progress added to the timeline.")
        if done is not None:
            return done
    return render(
        request,
        "accountability/response_progress.html",
        {
            "page_title": "Add progress",
            "page_caption": f"Response {response.reference}",
            "breadcrumbs": _response_crumbs(response, {"label": "Add progress"}),
            "response": response,
            "form": form,
        },
    )


# ---------------------------------------------------------------------------------------------
# Evidence files


@login_required
@require_http_methods(["GET", "POST"])
def evidence_add(request, pk):
    response = _response_for_progress(request, pk)
    form = EvidenceForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = PurePath(upload.name).name

        def create():
            services.evidence_file_add(actor=request.user, response=response, upload=upload)
            return reverse("accountability:response_detail", args=[response.pk])

        done = submit_form_once(request, form, create, success=f"“{name}” has been uploaded.")
        if done is not None:
            return done
    return render(
        request,
        "accountability/evidence_add.html",
        {
            "page_title": "Add evidence",
            "page_caption": f"Response {response.reference}",
            "breadcrumbs": _response_crumbs(response, {"label": "Add evidence"}),
            "response": response,
            "form": form,
        },
    )


@login_required
@require_GET
def evidence_download(request, pk):
    evidence = selectors.evidence_file_get_for(user=request.user, pk=pk)
    access_event_record(
        user=request.user,
        organisation_id=evidence.response.organisation_id,
        subject=evidence,
        description=f"Evidence file of response {evidence.response.reference} downloaded",
        path=request.path,
        action=AccessEvent.Action.DOWNLOADED,
    )
    return protected_file_response(
        evidence.file, original_name=evidence.original_name, content_type=evidence.content_type
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_remove(request, pk):
    evidence = selectors.evidence_file_get_for(user=request.user, pk=pk)
    response = evidence.response
    if not selectors.response_may_add_progress(user=request.user, response=response):
        raise Http404("No such file")
    if request.method == "POST":
        try:
            services.evidence_file_remove(actor=request.user, evidence=evidence)
        except PermissionDenied:
            raise Http404("No such file") from None
        messages.success(request, f"“{evidence.original_name}” has been removed.")
        return redirect("accountability:response_detail", pk=response.pk)
    return render(
        request,
        "accountability/evidence_remove.html",
        {
            "page_title": "Remove this file?",
            "page_caption": f"Response {response.reference}",
            "breadcrumbs": _response_crumbs(response, {"label": "Remove a file"}),
            "response": response,
            "evidence": evidence,
        },
    )

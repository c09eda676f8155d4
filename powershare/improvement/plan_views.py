"""Action plans and actions: the plans list, a plan's page (its actions under each priority of
its self-assessment), making and changing plans, sharing a plan with a partner; the action
list (overdue first) and its export, and an action's page, form and progress updates.

Seeing needs VIEW_IMPROVEMENT (in the organisation, or in a partner a plan is shared with);
changing needs MANAGE_IMPROVEMENT in the record's own organisation. Anything else is a 404.
A new action's source, given in the address (?response=12), is looked up among the user's own
organisations' records, so another organisation's record is a 404 too.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts import selectors as account_selectors
from powershare.accounts import services as account_services
from powershare.accounts.models import Organisation
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_list_where, user_can
from powershare.accounts.sharing import share_list_for_record
from powershare.lib.exports import table_response
from powershare.lib.forms import (
    add_organisation_choice,
    posted,
    save_or_show,
)
from powershare.support.forms import ShareForm
from powershare.system.submissions import submit_form_once_or_404

from . import selectors, services
from .models import ActionSource, ActionStatus
from .plan_forms import ActionFilterForm, ActionForm, PlanForm, ProgressForm

PAGE_SIZE = 25
#: How many of learners' quotable answers the new-action page shows as context.
ANSWERS_SHOWN = 3


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Improvement", "url": reverse("improvement:home")},
        *items,
    ]


def _plans_crumb():
    return {"label": "Action plans", "url": reverse("improvement:plan_list")}


def _actions_crumb():
    return {"label": "Actions", "url": reverse("improvement:action_list")}


def _plan_crumbs(plan, *items):
    return _crumbs(
        _plans_crumb(),
        {"label": plan.title, "url": reverse("improvement:plan_detail", args=[plan.pk])},
        *items,
    )


def _action_crumbs(action, *items):
    return _crumbs(
        _actions_crumb(),
        {"label": action.title, "url": reverse("improvement:action_detail", args=[action.pk])},
        *items,
    )


def _require_manage(user) -> list[int]:
    ids = selectors.managing_ids(user)
    if not ids:
        raise Http404("No such page")
    return ids


def _when_due(day: datetime.date | None, today: datetime.date) -> str:
    if day is None:
        return ""
    gap = (day - today).days
    if gap < 0:
        return f"{-gap} day{'s' if gap != -1 else ''} overdue"
    if gap == 0:
        return "due today"
    return f"due in {gap} day{'s' if gap != 1 else ''}"


def _organisations(ids):
    return Organisation.objects.filter(pk__in=ids).order_by("name")


# ---------------------------------------------------------------------------------------------
# Plans


@login_required
@require_GET
def plan_list(request):
    user = request.user
    selectors.require_view(user)
    state = request.GET.get("state", "")
    if state not in ("open", "closed"):
        state = ""
    plans = selectors.plan_list_for(user=user, state=state)
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    own_ids = selectors.viewing_ids(user)
    return render(
        request,
        "improvement/plan_list.html",
        {
            "page_title": "Action plans",
            "breadcrumbs": _crumbs({"label": "Action plans"}),
            "page_obj": page,
            "state": state,
            "own_ids": own_ids,
            "several_organisations": len(own_ids) > 1,
            "can_manage": bool(selectors.managing_ids(user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    user = request.user
    ids = _require_manage(user)
    assessments = selectors.plan_assessment_choices(organisation_ids=ids)
    initial = {}
    wanted = request.GET.get("assessment", "")
    if wanted.isdigit() and len(wanted) < 19:
        initial["assessment"] = assessments.filter(pk=int(wanted)).first()
    form = PlanForm(posted(request), assessments=assessments, initial=initial)
    add_organisation_choice(
        form,
        organisation_list_where(user=user, capability=Capability.MANAGE_IMPROVEMENT).order_by(
            "name"
        ),
        label="Which organisation is the plan for?",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data.get("organisation") or Organisation.objects.get(pk=ids[0])

        def create():
            plan = services.plan_create(
                actor=user,
                organisation=organisation,
                title=data["title"],
                assessment=data["assessment"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                summary=data["summary"],
            )
            return reverse("improvement:plan_detail", args=[plan.pk])

        done = submit_form_once_or_404(
            request, form, create, success="The plan is saved. Now add its actions."
        )
        if done is not None:
            return done
    return render(
        request,
        "improvement/plan_form.html",
        {
            "page_title": "New action plan",
            "breadcrumbs": _crumbs(_plans_crumb(), {"label": "New action plan"}),
            "form": form,
            "creating": True,
            "button": "Save the plan",
            "cancel_url": reverse("improvement:plan_list"),
        },
    )


@login_required
@require_GET
def plan_detail(request, pk):
    user = request.user
    plan = selectors.plan_get_for(user=user, pk=pk)
    today = timezone.localdate()
    own_ids = selectors.viewing_ids(user)
    sections = selectors.plan_sections(plan=plan, today=today, user=user)
    total = overdue = done = 0
    for section in sections:
        for action in section.actions:
            action.source_link = selectors.action_source_link(action, own_ids=own_ids)
            action.when_due = _when_due(action.due_on, today) if action.is_open else ""
            total += 1
            overdue += bool(action.overdue)
            done += action.status == ActionStatus.DONE
    is_ours = plan.organisation_id in own_ids
    can_share = user_can(
        user=user, capability=Capability.SHARE_RECORDS, organisation_id=plan.organisation_id
    )
    return render(
        request,
        "improvement/plan_detail.html",
        {
            "page_title": plan.title,
            "page_caption": "Action plan",
            "breadcrumbs": _crumbs(_plans_crumb(), {"label": plan.title}),
            "plan": plan,
            "sections": sections,
            "total": total,
            "overdue": overdue,
            "done": done,
            "is_ours": is_ours,
            "can_manage": selectors.can_manage(user, plan.organisation_id),
            "can_share": can_share,
            "shares": list(share_list_for_record(record=plan)) if can_share else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    user = request.user
    plan = selectors.plan_get_for(user=user, pk=pk, may=Capability.MANAGE_IMPROVEMENT)
    detail = reverse("improvement:plan_detail", args=[plan.pk])
    close_problem = ""
    if request.method == "POST" and ("close" in request.POST or "reopen" in request.POST):
        closing = "close" in request.POST
        try:
            if closing:
                services.plan_close(actor=user, plan=plan)
            else:
                services.plan_reopen(actor=user, plan=plan)
        except ValidationError as error:
            close_problem = " ".join(error.messages)
        except PermissionDenied:
            raise Http404("No such plan") from None
        else:
            messages.success(
                request, "The plan is closed." if closing else "The plan is open again."
            )
            return redirect(detail)
    form = PlanForm(
        posted(request) if not close_problem else None,
        assessments=selectors.plan_assessment_choices(organisation_ids=[plan.organisation_id]),
        initial={
            "title": plan.title,
            "assessment": plan.assessment,
            "starts_on": plan.starts_on,
            "ends_on": plan.ends_on,
            "summary": plan.summary,
        },
    )
    if request.method == "POST" and not close_problem and form.is_valid():
        data = form.cleaned_data
        if save_or_show(
            form,
            lambda: services.plan_update(
                actor=user,
                plan=plan,
                **{name: data[name] for name in services.PLAN_FIELDS},
            ),
        ):
            messages.success(request, "The plan is saved.")
            return redirect(detail)
    return render(
        request,
        "improvement/plan_form.html",
        {
            "page_title": f"Change {plan.title}",
            "breadcrumbs": _plan_crumbs(plan, {"label": "Change"}),
            "form": form,
            "plan": plan,
            "button": "Save changes",
            "cancel_url": detail,
            "close_problem": close_problem,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_sharing(request, pk):
    user = request.user
    plan = selectors.plan_get_for(user=user, pk=pk, may=Capability.SHARE_RECORDS)
    shares = share_list_for_record(record=plan)
    partners = account_selectors.organisation_partner_choices(
        exclude_ids=[plan.organisation_id, *(s.partner_id for s in shares)]
    )
    form = ShareForm(posted(request), partners=partners)
    form.fields["partner"].help_text = (
        "People in that organisation who see improvement work will see this plan and its "
        "actions. Only your organisation can change them."
    )
    if request.method == "POST" and form.is_valid():
        partner = form.cleaned_data["partner"]

        def create():
            account_services.share_create(actor=user, record=plan, partner=partner)
            return reverse("improvement:plan_sharing", args=[plan.pk])

        done = submit_form_once_or_404(
            request, form, create, success=f"“{plan.title}” is now shared with {partner.name}."
        )
        if done is not None:
            return done
    return render(
        request,
        "improvement/plan_sharing.html",
        {
            "page_title": f"Share {plan.title}",
            "breadcrumbs": _plan_crumbs(plan, {"label": "Sharing"}),
            "plan": plan,
            "shares": shares,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_share_end(request, pk, share_pk):
    user = request.user
    plan = selectors.plan_get_for(user=user, pk=pk, may=Capability.SHARE_RECORDS)
    share = next((s for s in share_list_for_record(record=plan) if s.pk == share_pk), None)
    if share is None:
        raise Http404("No such share")
    if request.method == "POST":
        try:
            account_services.share_end(actor=user, share=share)
        except PermissionDenied:
            raise Http404("No such share") from None
        messages.success(request, f"{share.partner.name} can no longer see “{plan.title}”.")
        return redirect("improvement:plan_sharing", pk=plan.pk)
    return render(
        request,
        "improvement/plan_share_end.html",
        {
            "page_title": f"Stop sharing with {share.partner.name}?",
            "breadcrumbs": _plan_crumbs(plan, {"label": "Stop sharing"}),
            "plan": plan,
            "share": share,
        },
    )


# ---------------------------------------------------------------------------------------------
# The action list and its export


def _action_filters(request):
    user = request.user
    owners = selectors.action_owner_choices(organisation_ids=selectors.viewing_ids(user))
    form = ActionFilterForm(request.GET or None, owners=owners)
    return form, form.filters()


@login_required
@require_GET
def action_list(request):
    user = request.user
    selectors.require_view(user)
    today = timezone.localdate()
    form, filters = _action_filters(request)
    actions = selectors.action_list_for(user=user, today=today, filters=filters)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page.object_list:
        action.overdue = selectors.action_is_overdue(action, today=today)
        action.when_due = _when_due(action.due_on, today) if action.is_open else ""
    own_ids = selectors.viewing_ids(user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "improvement/action_list.html",
        {
            "page_title": "Actions",
            "breadcrumbs": _crumbs({"label": "Actions"}),
            "page_obj": page,
            "filter_form": form,
            "filtered": bool(filters),
            "query": query.urlencode(),
            "several_organisations": len(own_ids) > 1,
            "can_manage": bool(selectors.managing_ids(user)),
        },
    )


@login_required
@require_GET
def action_export(request):
    user = request.user
    selectors.require_view(user)
    today = timezone.localdate()
    _form, filters = _action_filters(request)
    actions = selectors.action_list_for(user=user, today=today, filters=filters)

    def rows():
        for action in actions.iterator(chunk_size=500):
            owner = (
                (action.owner.full_name or action.owner.email)
                if action.owner_id
                else action.owner_name
            )
            yield [
                action.pk,
                action.title,
                action.organisation.display_name,
                # Only what the reader may see: a partner reading a group's action never
                # learns the title or priorities of a plan that isn't shared with them.
                action.plan.title if action.plan_shown else "",
                action.priority.driver.name if action.priority_id and action.priority_shown else "",
                action.get_source_display(),
                owner,
                action.owner_organisation.display_name if action.owner_organisation_id else "",
                action.due_on,
                action.get_status_display(),
                selectors.action_is_overdue(action, today=today),
                action.closed_on,
            ]

    return table_response(
        filename=f"actions-{today:%Y-%m-%d}",
        headers=[
            "Number",
            "Action",
            "Organisation",
            "Plan",
            "Priority",
            "Where it came from",
            "Owner",
            "Owner's organisation",
            "Due",
            "Status",
            "Overdue",
            "Closed on",
        ],
        rows=rows(),
        file_format="csv",
    )


# ---------------------------------------------------------------------------------------------
# A new action, from where it came from


def _record_organisation_id(kind, record) -> int:
    if kind == "priority":
        return record.assessment.organisation_id
    if kind == "question":
        return record.questionnaire.organisation_id
    if kind == "observation":
        return record.walkthrough.organisation_id
    if kind == "meeting":
        return record.group.organisation_id
    return record.organisation_id


def _source_summary(kind, record, user) -> dict:
    """What the new action's page says about where it comes from, with a link back."""
    if kind == "priority":
        return {
            "label": ActionSource.SELF_ASSESSMENT.label,
            "text": f"{record.driver.name}, self-assessment {record.assessment.period}",
            "url": reverse("improvement:assessment_detail", args=[record.assessment_id]),
            "quote": record.priority_note,
        }
    if kind == "response":
        return {
            "label": ActionSource.RESPONSE.label,
            "text": f"Response {record.reference}, {record.activity.title}",
            "url": reverse("accountability:response_detail", args=[record.pk]),
            "quote": record.what_will_change,
        }
    if kind == "question":
        from powershare.evaluation import selectors as evaluation_selectors

        answers = []
        if user_can(
            user=user,
            capability=Capability.VIEW_LEARNING,
            organisation_id=record.questionnaire.organisation_id,
        ):
            answers = evaluation_selectors.free_text_answers(
                question=record, quotable_only=True, limit=ANSWERS_SHOWN
            )
        return {
            "label": ActionSource.LEARNING_INTENTIONS.label,
            "text": f"“{record.text}”, {record.questionnaire.title}",
            "url": reverse("evaluation:results", args=[record.questionnaire_id]),
            "answers": answers,
        }
    if kind == "observation":
        return {
            "label": ActionSource.WALKTHROUGH.label,
            "text": f"{record.walkthrough.title}: {record.principle.name}",
            "url": reverse("improvement:walkthrough_detail", args=[record.walkthrough_id]),
            "quote": record.text,
        }
    if kind == "meeting":
        return {
            "label": ActionSource.PARTNERSHIP_MEETING.label,
            "text": str(record),
            "url": reverse("improvement:meeting_detail", args=[record.pk]),
        }
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request):
    user = request.user
    ids = _require_manage(user)
    plan = None
    if request.GET.get("plan"):
        plan = selectors.action_source_get_for(user=user, kind="plan", pk=request.GET["plan"])
    kind, record = "", None
    for name in ("priority", "response", "question", "observation", "meeting"):
        if request.GET.get(name):
            kind = name
            record = selectors.action_source_get_for(user=user, kind=name, pk=request.GET[name])
            break
    organisation_id = None
    if record is not None:
        organisation_id = _record_organisation_id(kind, record)
    if plan is not None:
        if organisation_id is not None and organisation_id != plan.organisation_id:
            raise Http404("Those records belong to different organisations")
        organisation_id = plan.organisation_id
    org_ids = [organisation_id] if organisation_id else ids
    if kind == "meeting" and plan is not None:
        # A group's action belongs to the group: the partners who read it can't see the
        # owner's plans.
        raise Http404("A group's action is not part of a plan")

    priority = record if kind == "priority" else None
    if plan is not None or kind == "meeting":
        plans = None
    else:
        plans = selectors.action_plan_choices(
            organisation_ids=org_ids,
            assessment_id=priority.assessment_id if priority else None,
        )
    if kind == "meeting" or priority is not None or (plan is not None and not plan.assessment_id):
        # No priorities for a group's action either: they are the owner's own.
        priorities = None
    else:
        priorities = selectors.action_priority_choices(organisation_ids=org_ids, plan=plan)
    initial = {}
    if kind == "observation":
        initial["source_note"] = record.text
    elif kind == "response":
        initial["source_note"] = record.what_will_change
    elif kind == "priority":
        initial["source_note"] = record.priority_note
    form = ActionForm(
        posted(request),
        members=selectors.action_owner_choices(organisation_ids=org_ids),
        plans=plans,
        priorities=priorities,
        organisations=Organisation.objects.order_by("name"),
        initial=initial,
    )
    if organisation_id is None:
        add_organisation_choice(
            form,
            organisation_list_where(user=user, capability=Capability.MANAGE_IMPROVEMENT).order_by(
                "name"
            ),
            label="Which organisation is the action for?",
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = (
            Organisation.objects.get(pk=organisation_id)
            if organisation_id
            else data.get("organisation") or Organisation.objects.get(pk=ids[0])
        )
        chosen_priority = priority or data.get("priority")
        source = {
            "priority": ActionSource.SELF_ASSESSMENT,
            "response": ActionSource.RESPONSE,
            "question": ActionSource.LEARNING_INTENTIONS,
            "observation": ActionSource.WALKTHROUGH,
            "meeting": ActionSource.PARTNERSHIP_MEETING,
        }.get(kind) or (ActionSource.SELF_ASSESSMENT if chosen_priority else ActionSource.OTHER)

        def create():
            action = services.action_create(
                actor=user,
                organisation=organisation,
                title=data["title"],
                description=data["description"],
                source=source,
                plan=plan or data.get("plan"),
                priority=chosen_priority,
                response=record if kind == "response" else None,
                question=record if kind == "question" else None,
                observation=record if kind == "observation" else None,
                meeting=record if kind == "meeting" else None,
                source_note=data["source_note"],
                owner=data["owner"],
                owner_name=data["owner_name"],
                owner_organisation=data.get("owner_organisation"),
                due_on=data["due_on"],
            )
            return reverse("improvement:action_detail", args=[action.pk])

        done = submit_form_once_or_404(request, form, create, success="The action is saved.")
        if done is not None:
            return done
    if plan is not None:
        crumbs = _plan_crumbs(plan, {"label": "New action"})
        cancel = reverse("improvement:plan_detail", args=[plan.pk])
    else:
        crumbs = _crumbs(_actions_crumb(), {"label": "New action"})
        cancel = reverse("improvement:action_list")
    return render(
        request,
        "improvement/action_form.html",
        {
            "page_title": "New action",
            "breadcrumbs": crumbs,
            "form": form,
            "creating": True,
            "plan": plan,
            "source": _source_summary(kind, record, user) if record is not None else None,
            "button": "Save the action",
            "cancel_url": cancel,
        },
    )


# ---------------------------------------------------------------------------------------------
# An action's page, changes and progress


@login_required
@require_GET
def action_detail(request, pk):
    user = request.user
    action = selectors.action_get_for(user=user, pk=pk)
    today = timezone.localdate()
    own_ids = selectors.viewing_ids(user)
    return render(
        request,
        "improvement/action_detail.html",
        {
            "page_title": action.title,
            "page_caption": "Action",
            "breadcrumbs": _crumbs(_actions_crumb(), {"label": action.title}),
            "action": action,
            "overdue": selectors.action_is_overdue(action, today=today),
            "when_due": _when_due(action.due_on, today) if action.is_open else "",
            "source": selectors.action_source_link(action, own_ids=own_ids),
            "updates": selectors.action_updates(action=action),
            "can_manage": selectors.can_manage(user, action.organisation_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk):
    user = request.user
    action = selectors.action_get_for(user=user, pk=pk, manage=True)
    detail = reverse("improvement:action_detail", args=[action.pk])
    form = ActionForm(
        posted(request),
        members=selectors.action_owner_choices(organisation_ids=[action.organisation_id]),
        organisations=Organisation.objects.order_by("name"),
        initial={
            "title": action.title,
            "description": action.description,
            "owner": str(action.owner_id) if action.owner_id else "",
            "owner_name": action.owner_name,
            "owner_organisation": action.owner_organisation,
            "due_on": action.due_on,
        },
    )
    del form.fields["source_note"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if save_or_show(
            form,
            lambda: services.action_update(
                actor=user,
                action=action,
                title=data["title"],
                description=data["description"],
                owner=data["owner"],
                owner_name=data["owner_name"],
                owner_organisation=data["owner_organisation"],
                due_on=data["due_on"],
            ),
        ):
            messages.success(request, "The action is saved.")
            return redirect(detail)
    return render(
        request,
        "improvement/action_form.html",
        {
            "page_title": f"Change {action.title}",
            "breadcrumbs": _action_crumbs(action, {"label": "Change"}),
            "form": form,
            "action": action,
            "button": "Save changes",
            "cancel_url": detail,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_progress(request, pk):
    user = request.user
    action = selectors.action_get_for(user=user, pk=pk, manage=True)
    detail = reverse("improvement:action_detail", args=[action.pk])
    form = ProgressForm(posted(request), current=action.status)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            services.action_progress_record(
                actor=user,
                action=action,
                note=data["note"],
                evidence=data["evidence"],
                status=data["status"],
                written_on=data["written_on"],
            )
            return detail

        done = submit_form_once_or_404(request, form, create, success="The update is saved.")
        if done is not None:
            return done
    return render(
        request,
        "improvement/action_progress.html",
        {
            "page_title": "Add an update",
            "page_caption": action.title,
            "breadcrumbs": _action_crumbs(action, {"label": "Add an update"}),
            "form": form,
            "action": action,
            "cancel_url": detail,
        },
    )

"""Partnership groups: the list, a group's page with its members and meetings, the action log
across meetings (overdue first) and its CSV, a meeting's page (attendance, agenda, matters
arising, partner updates, decisions and new actions), the forms that record them, agreeing
the minutes, and the minutes as PDF and Word.

Staff with VIEW_IMPROVEMENT in the organisation that runs a group, or in one of its member
organisations, read it; only the running organisation's MANAGE_IMPROVEMENT staff change it.
Anything else answers 404, never 403. Agreed minutes are locked: a form for a locked meeting
says so and goes back to the meeting.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.models import Organisation
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_list_where
from powershare.lib.exports import table_response
from powershare.lib.forms import MAX_ID, add_organisation_choice, form_errors_to_fields, posted
from powershare.lib.pdf import pdf_response, render_pdf
from powershare.system.submissions import submit_form_once

from . import minutes as minutes_export
from . import selectors, services
from .models import GroupMember, MinutesStatus
from .partnership_forms import (
    ActionLogFilterForm,
    AgendaItemEditForm,
    AgendaItemForm,
    ArisingForm,
    AttendanceForm,
    DecisionForm,
    GroupForm,
    MeetingActionForm,
    MeetingEditForm,
    MeetingForm,
    MemberAddForm,
    MemberEditForm,
    PartnerUpdateForm,
)

PAGE_SIZE = 50


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Improvement", "url": reverse("improvement:home")},
        {"label": "Partnership groups", "url": reverse("improvement:group_list")},
        *items,
    ]


def _group_crumbs(group, *items):
    return _crumbs(
        {"label": group.name, "url": reverse("improvement:group_detail", args=[group.pk])},
        *items,
    )


def _meeting_label(meeting) -> str:
    return f"Meeting of {meeting.met_on:%-d %B %Y}"


def _meeting_crumbs(meeting, *items):
    return _group_crumbs(
        meeting.group,
        {
            "label": _meeting_label(meeting),
            "url": reverse("improvement:meeting_detail", args=[meeting.pk]),
        },
        *items,
    )


def _meeting_url(meeting, anchor: str = "") -> str:
    url = reverse("improvement:meeting_detail", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def _save(form, act) -> bool:
    """Run `act` (a service call). True when done; a refusal goes on the form."""
    try:
        act()
    except ValidationError as error:
        form_errors_to_fields(form, error)
        return False
    except PermissionDenied:
        raise Http404("No such page") from None
    return True


def _locked(request, meeting):
    """A form for a meeting whose minutes are agreed: say why not, and go back to it."""
    if meeting.minutes_status != MinutesStatus.AGREED:
        return None
    messages.info(
        request,
        f"The minutes of this meeting were agreed on {meeting.minutes_agreed_on:%-d %B %Y}, "
        "so what was recorded at it stays as it is. Record anything new at the next meeting.",
    )
    return redirect(_meeting_url(meeting))


def _form_page(request, template, **context):
    return render(request, f"improvement/{template}", context)


# ---------------------------------------------------------------------------------------------
# Groups


@login_required
@require_GET
def group_list(request):
    user = request.user
    selectors.require_view(user)
    today = timezone.localdate()
    page = Paginator(selectors.group_list_for(user=user, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "improvement/partnership_group_list.html",
        {
            "page_title": "Partnership groups",
            "breadcrumbs": _crumbs()[:-1] + [{"label": "Partnership groups"}],
            "page_obj": page,
            "can_create": bool(selectors.managing_ids(user)),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    user = request.user
    managing = selectors.managing_ids(user)
    if not managing:
        raise Http404("No such page")
    form = GroupForm(posted(request))
    add_organisation_choice(
        form,
        organisation_list_where(user=user, capability=Capability.MANAGE_IMPROVEMENT).order_by(
            "name"
        ),
        label="Which organisation runs the group?",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data.get("organisation") or Organisation.objects.get(pk=managing[0])

        def create():
            group = services.group_create(
                actor=user, organisation=organisation, name=data["name"], purpose=data["purpose"]
            )
            return reverse("improvement:group_detail", args=[group.pk])

        done = submit_form_once(
            request,
            form,
            create,
            success="The group is set up. Add its member organisations, then its first meeting.",
        )
        if done is not None:
            return done
    return _form_page(
        request,
        "partnership_group_form.html",
        page_title="New partnership group",
        breadcrumbs=_crumbs({"label": "New group"}),
        form=form,
        creating=True,
        button="Set up the group",
        cancel_url=reverse("improvement:group_list"),
    )


@login_required
@require_GET
def group_detail(request, pk):
    user = request.user
    group = selectors.group_get_for(user=user, pk=pk)
    today = timezone.localdate()
    members = selectors.group_members(group=group)
    meetings = list(selectors.group_meetings(group=group))
    log = selectors.action_log(group=group, today=today)
    counts = {
        "open": log.filter(urgency__lt=3).count(),
        "overdue": log.filter(urgency=0).count(),
    }
    return render(
        request,
        "improvement/partnership_group_detail.html",
        {
            "page_title": group.name,
            "page_caption": "Partnership group",
            "breadcrumbs": _crumbs({"label": group.name}),
            "group": group,
            "current_members": [m for m in members if m.left_on is None],
            "former_members": [m for m in members if m.left_on],
            "meetings": meetings,
            "counts": counts,
            "can_manage": selectors.can_manage(user, group.organisation_id),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, pk):
    user = request.user
    group = selectors.group_get_for(user=user, pk=pk, manage=True)
    form = GroupForm(posted(request), initial={"name": group.name, "purpose": group.purpose})
    if request.method == "POST" and form.is_valid():

        def act():
            services.group_update(actor=user, group=group, **form.cleaned_data)

        if _save(form, act):
            messages.success(request, "The group's details have been changed.")
            return redirect("improvement:group_detail", pk=group.pk)
    return _form_page(
        request,
        "partnership_group_form.html",
        page_title="Change the group's details",
        page_caption=group.name,
        breadcrumbs=_group_crumbs(group, {"label": "Change"}),
        form=form,
        button="Save changes",
        cancel_url=reverse("improvement:group_detail", args=[group.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    user = request.user
    group = selectors.group_get_for(user=user, pk=pk, manage=True)
    organisations = Organisation.objects.exclude(
        pk__in=GroupMember.objects.filter(group=group, left_on__isnull=True).values(
            "organisation_id"
        )
    ).order_by("name")
    form = MemberAddForm(posted(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():

        def create():
            services.member_add(actor=user, group=group, **form.cleaned_data)
            return reverse("improvement:group_detail", args=[group.pk]) + "#members"

        done = submit_form_once(
            request,
            form,
            create,
            success=f"{form.cleaned_data['organisation'].name} is now a member of the group.",
        )
        if done is not None:
            return done
    return _form_page(
        request,
        "partnership_member_form.html",
        page_title="Add a member organisation",
        page_caption=group.name,
        breadcrumbs=_group_crumbs(group, {"label": "Add a member"}),
        form=form,
        creating=True,
        button="Add the member",
        cancel_url=reverse("improvement:group_detail", args=[group.pk]) + "#members",
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    user = request.user
    member = selectors.member_get_for(user=user, pk=pk, manage=True)
    group = member.group
    form = MemberEditForm(
        posted(request),
        initial={
            "representatives": member.representatives,
            "joined_on": member.joined_on,
            "left_on": member.left_on,
        },
    )
    if request.method == "POST" and form.is_valid():

        def act():
            services.member_update(actor=user, member=member, **form.cleaned_data)

        if _save(form, act):
            messages.success(request, f"{member.organisation.name}'s membership has been changed.")
            return redirect(reverse("improvement:group_detail", args=[group.pk]) + "#members")
    return _form_page(
        request,
        "partnership_member_form.html",
        page_title=f"Change {member.organisation.name}'s membership",
        page_caption=group.name,
        breadcrumbs=_group_crumbs(group, {"label": "Change a membership"}),
        form=form,
        button="Save changes",
        cancel_url=reverse("improvement:group_detail", args=[group.pk]) + "#members",
    )


# ---------------------------------------------------------------------------------------------
# The action log


def _log_filters(request, group):
    members = selectors.group_members(group=group)
    form = ActionLogFilterForm(
        request.GET or None, statuses=selectors.ACTION_LOG_STATUSES, members=members
    )
    status, member_id = "", None
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"]
        member_id = form.cleaned_data["member"] or None
    return form, status, member_id


def _with_carried(actions, group, today):
    dates = selectors.group_meeting_dates(group_id=group.pk)
    for action in actions:
        action.raised_on = selectors.action_raised_on(action)
        action.times_carried = selectors.times_carried(action, dates, until=today)
        action.is_overdue = action.urgency == 0
        action.owner_text = minutes_export.action_owner(action)
    return actions


@login_required
@require_GET
def action_log(request, pk):
    user = request.user
    group = selectors.group_get_for(user=user, pk=pk)
    today = timezone.localdate()
    form, status, member_id = _log_filters(request, group)
    actions = selectors.action_log(
        group=group, today=today, status=status, owner_organisation_id=member_id
    )
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_carried(list(page.object_list), group, today)
    return render(
        request,
        "improvement/partnership_action_log.html",
        {
            "page_title": "Action log",
            "page_caption": group.name,
            "breadcrumbs": _group_crumbs(group, {"label": "Action log"}),
            "group": group,
            "page_obj": page,
            "form": form,
            "filtered": bool(status or member_id),
            "export_query": request.GET.urlencode(),
            "today": today,
        },
    )


@login_required
@require_GET
def action_log_export(request, pk):
    user = request.user
    group = selectors.group_get_for(user=user, pk=pk)
    today = timezone.localdate()
    _form, status, member_id = _log_filters(request, group)
    actions = selectors.action_log(
        group=group, today=today, status=status, owner_organisation_id=member_id
    )
    dates = selectors.group_meeting_dates(group_id=group.pk)

    def rows():
        for action in actions.iterator(chunk_size=500):
            yield [
                action.title,
                action.get_status_display(),
                action.urgency == 0,
                action.owner_organisation.name if action.owner_organisation_id else "",
                action.owner.full_name if action.owner_id and action.owner else action.owner_name,
                action.due_on,
                selectors.action_raised_on(action),
                "Meeting" if action.meeting_id else "Added between meetings",
                selectors.times_carried(action, dates, until=today),
                action.closed_on,
            ]

    return table_response(
        filename=f"action-log-{group.pk}-{today:%Y-%m-%d}",
        headers=[
            "Action",
            "Status",
            "Overdue",
            "Member",
            "Who will do it",
            "Due",
            "Raised on",
            "Raised at",
            "Times carried forward",
            "Finished on",
        ],
        rows=rows(),
        file_format="csv",
    )


# ---------------------------------------------------------------------------------------------
# Meetings


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, pk):
    user = request.user
    group = selectors.group_get_for(user=user, pk=pk, manage=True)
    form = MeetingForm(posted(request), initial={"format": "online"})
    if request.method == "POST" and form.is_valid():

        def create():
            meeting = services.meeting_create(actor=user, group=group, **form.cleaned_data)
            return _meeting_url(meeting)

        done = submit_form_once(
            request,
            form,
            create,
            success="The meeting is added. Record its agenda, and who attended once it has met.",
        )
        if done is not None:
            return done
    return _form_page(
        request,
        "meeting_form.html",
        page_title="Add a meeting",
        page_caption=group.name,
        breadcrumbs=_group_crumbs(group, {"label": "Add a meeting"}),
        form=form,
        creating=True,
        button="Add the meeting",
        cancel_url=reverse("improvement:group_detail", args=[group.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request, pk):
    """The meeting's page. Its form for a new action posts here."""
    user = request.user
    meeting = selectors.meeting_get_for(user=user, pk=pk)
    group = meeting.group
    can_manage = selectors.can_manage(user, group.organisation_id)
    locked = meeting.minutes_status == MinutesStatus.AGREED
    if request.method == "POST" and not can_manage:
        raise Http404("No such page")
    action_form = None
    if can_manage and not locked:
        action_form = MeetingActionForm(
            posted(request), organisations=selectors.owner_organisation_choices(group=group)
        )
    elif request.method == "POST":
        return _locked(request, meeting) or redirect(_meeting_url(meeting))
    if request.method == "POST" and action_form.is_valid():

        def create():
            services.meeting_action_add(actor=user, meeting=meeting, **action_form.cleaned_data)
            return _meeting_url(meeting, "actions")

        done = submit_form_once(
            request,
            action_form,
            create,
            success="The action is added. It will be carried to each meeting until it is done.",
        )
        if done is not None:
            return done
    today = timezone.localdate()
    record = selectors.meeting_record(meeting=meeting, today=today)
    return render(
        request,
        "improvement/meeting_detail.html",
        {
            "page_title": _meeting_label(meeting),
            "page_caption": group.name,
            "breadcrumbs": _group_crumbs(group, {"label": _meeting_label(meeting)}),
            "meeting": meeting,
            "group": group,
            "record": record,
            "can_manage": can_manage,
            "can_change": can_manage and not locked,
            "locked": locked,
            "action_form": action_form,
            # So the page's title starts "Error:" when the new action was refused.
            "form": action_form,
            "is_past": meeting.met_on <= today,
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    user = request.user
    meeting = selectors.meeting_get_for(user=user, pk=pk, manage=True)
    if (stop := _locked(request, meeting)) is not None:
        return stop
    form = MeetingEditForm(
        posted(request),
        initial={
            "met_on": meeting.met_on,
            "format": meeting.format,
            "place": meeting.place,
            "chair": meeting.chair,
            "purpose": meeting.purpose,
            "minutes": meeting.minutes,
        },
    )
    if request.method == "POST" and form.is_valid():

        def act():
            services.meeting_update(actor=user, meeting=meeting, **form.cleaned_data)

        if _save(form, act):
            messages.success(request, "The meeting has been changed.")
            return redirect(_meeting_url(meeting))
    return _form_page(
        request,
        "meeting_form.html",
        page_title="Change the meeting and its minutes",
        page_caption=_meeting_label(meeting),
        breadcrumbs=_meeting_crumbs(meeting, {"label": "Change"}),
        form=form,
        button="Save changes",
        cancel_url=_meeting_url(meeting),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendance(request, pk):
    user = request.user
    meeting = selectors.meeting_get_for(user=user, pk=pk, manage=True)
    if (stop := _locked(request, meeting)) is not None:
        return stop
    members = selectors.meeting_members(meeting=meeting)
    attendance = {a.member_id: a for a in meeting.attendance.all()}
    form = AttendanceForm(posted(request), members=members, attendance=attendance)
    if request.method == "POST" and form.is_valid():

        def act():
            services.attendance_record(actor=user, meeting=meeting, rows=form.rows())

        if _save(form, act):
            messages.success(request, "Attendance and apologies have been recorded.")
            return redirect(_meeting_url(meeting, "attendance"))
    return _form_page(
        request,
        "meeting_attendance.html",
        page_title="Attendance and apologies",
        page_caption=_meeting_label(meeting),
        breadcrumbs=_meeting_crumbs(meeting, {"label": "Attendance"}),
        form=form,
        meeting=meeting,
        members=members,
        cancel_url=_meeting_url(meeting, "attendance"),
    )


# ---------------------------------------------------------------------------------------------
# Agenda, partner updates and decisions


@login_required
@require_http_methods(["GET", "POST"])
def agenda_add(request, pk):
    user = request.user
    meeting = selectors.meeting_get_for(user=user, pk=pk, manage=True)
    if (stop := _locked(request, meeting)) is not None:
        return stop
    form = AgendaItemForm(posted(request))
    if request.method == "POST" and form.is_valid():

        def create():
            item = services.agenda_item_add(actor=user, meeting=meeting, **form.cleaned_data)
            return _meeting_url(meeting, f"item-{item.pk}")

        done = submit_form_once(request, form, create, success="The item is on the agenda.")
        if done is not None:
            return done
    return _form_page(
        request,
        "meeting_item_form.html",
        page_title="Add an agenda item",
        page_caption=_meeting_label(meeting),
        breadcrumbs=_meeting_crumbs(meeting, {"label": "Add an agenda item"}),
        form=form,
        creating=True,
        button="Add the item",
        cancel_url=_meeting_url(meeting, "agenda"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_edit(request, pk):
    user = request.user
    item = selectors.agenda_item_get_for(user=user, pk=pk, manage=True)
    meeting = item.meeting
    if (stop := _locked(request, meeting)) is not None:
        return stop
    form = AgendaItemEditForm(
        posted(request),
        count=meeting.agenda.count(),
        initial={"title": item.title, "notes": item.notes, "position": item.order},
    )
    if request.method == "POST" and form.is_valid():

        def act():
            services.agenda_item_update(actor=user, item=item, **form.cleaned_data)

        if _save(form, act):
            messages.success(request, "The agenda item has been changed.")
            return redirect(_meeting_url(meeting, f"item-{item.pk}"))
    return _form_page(
        request,
        "meeting_item_form.html",
        page_title="Change an agenda item",
        page_caption=_meeting_label(meeting),
        breadcrumbs=_meeting_crumbs(meeting, {"label": "Change an agenda item"}),
        form=form,
        button="Save changes",
        cancel_url=_meeting_url(meeting, f"item-{item.pk}"),
    )


def _confirm_page(request, meeting, *, title, question, button, crumb, **context):
    return _form_page(
        request,
        "meeting_confirm.html",
        page_title=title,
        page_caption=_meeting_label(meeting),
        breadcrumbs=_meeting_crumbs(meeting, {"label": crumb}),
        question=question,
        button=button,
        cancel_url=_meeting_url(meeting),
        **context,
    )


def _act_or_show(request, act, meeting, *, success, to):
    """Run a service with no form: done goes to `to`; a refusal comes back as one sentence."""
    try:
        act()
    except ValidationError as error:
        return None, " ".join(error.messages)
    except PermissionDenied:
        raise Http404("No such page") from None
    messages.success(request, success)
    return redirect(to), ""


@login_required
@require_http_methods(["GET", "POST"])
def agenda_remove(request, pk):
    user = request.user
    item = selectors.agenda_item_get_for(user=user, pk=pk, manage=True)
    meeting = item.meeting
    if (stop := _locked(request, meeting)) is not None:
        return stop
    error = ""
    if request.method == "POST":
        done, error = _act_or_show(
            request,
            lambda: services.agenda_item_remove(actor=user, item=item),
            meeting,
            success="The item has been taken off the agenda.",
            to=_meeting_url(meeting, "agenda"),
        )
        if done:
            return done
    return _confirm_page(
        request,
        meeting,
        title="Take this item off the agenda?",
        question=f"“{item.title}” and its notes will be taken out of the minutes. "
        "You can't undo this.",
        button="Take it off the agenda",
        crumb="Take off an agenda item",
        error=error,
        warning=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_update_edit(request, pk, member_pk):
    user = request.user
    meeting = selectors.meeting_get_for(user=user, pk=pk, manage=True)
    member = (
        GroupMember.objects.filter(group_id=meeting.group_id, pk=member_pk)
        .select_related("organisation")
        .first()
    )
    if member is None:
        raise Http404("No such page")
    if (stop := _locked(request, meeting)) is not None:
        return stop
    current = meeting.partner_updates.filter(member=member).first()
    form = PartnerUpdateForm(posted(request), initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():

        def act():
            services.partner_update_record(
                actor=user, meeting=meeting, member=member, text=form.cleaned_data["text"]
            )

        if _save(form, act):
            messages.success(
                request,
                f"{member.organisation.name}'s update has been "
                + ("saved." if form.cleaned_data["text"].strip() else "removed."),
            )
            return redirect(_meeting_url(meeting, "updates"))
    return _form_page(
        request,
        "meeting_item_form.html",
        page_title=f"Update from {member.organisation.name}",
        page_caption=_meeting_label(meeting),
        breadcrumbs=_meeting_crumbs(meeting, {"label": "Partner update"}),
        form=form,
        button="Save the update",
        cancel_url=_meeting_url(meeting, "updates"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_add(request, pk):
    user = request.user
    meeting = selectors.meeting_get_for(user=user, pk=pk, manage=True)
    if (stop := _locked(request, meeting)) is not None:
        return stop
    form = DecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():

        def create():
            services.decision_add(actor=user, meeting=meeting, text=form.cleaned_data["text"])
            return _meeting_url(meeting, "decisions")

        done = submit_form_once(request, form, create, success="The decision is recorded.")
        if done is not None:
            return done
    return _form_page(
        request,
        "meeting_item_form.html",
        page_title="Record a decision",
        page_caption=_meeting_label(meeting),
        breadcrumbs=_meeting_crumbs(meeting, {"label": "Record a decision"}),
        form=form,
        creating=True,
        button="Record the decision",
        cancel_url=_meeting_url(meeting, "decisions"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_remove(request, pk):
    user = request.user
    decision = selectors.decision_get_for(user=user, pk=pk, manage=True)
    meeting = decision.meeting
    if (stop := _locked(request, meeting)) is not None:
        return stop
    error = ""
    if request.method == "POST":
        done, error = _act_or_show(
            request,
            lambda: services.decision_remove(actor=user, decision=decision),
            meeting,
            success="The decision has been taken out of the minutes.",
            to=_meeting_url(meeting, "decisions"),
        )
        if done:
            return done
    return _confirm_page(
        request,
        meeting,
        title="Take out this decision?",
        question=f"“{decision.text}” will be taken out of the minutes. You can't undo this.",
        button="Take out the decision",
        crumb="Take out a decision",
        error=error,
        warning=True,
    )


# ---------------------------------------------------------------------------------------------
# Matters arising and agreeing the minutes


@login_required
@require_http_methods(["GET", "POST"])
def arising_update(request, pk, action_pk):
    """Progress reported at this meeting on an action carried forward to it."""
    user = request.user
    meeting = selectors.meeting_get_for(user=user, pk=pk, manage=True)
    action = (
        selectors.meeting_arising(meeting=meeting).filter(pk=action_pk).first()
        if 0 < action_pk <= MAX_ID
        else None
    )
    if action is None:
        raise Http404("No such page")
    if (stop := _locked(request, meeting)) is not None:
        return stop
    form = ArisingForm(posted(request), initial={"status": action.status})
    if request.method == "POST" and form.is_valid():

        def create():
            services.arising_progress_record(
                actor=user, meeting=meeting, action=action, **form.cleaned_data
            )
            return _meeting_url(meeting, "arising")

        # A double click or a resend records the progress once.
        done = submit_form_once(
            request,
            form,
            create,
            success="The progress reported at this meeting is recorded.",
        )
        if done is not None:
            return done
    return _form_page(
        request,
        "meeting_arising_form.html",
        page_title="Progress on a carried action",
        page_caption=_meeting_label(meeting),
        breadcrumbs=_meeting_crumbs(meeting, {"label": "Matters arising"}),
        form=form,
        action=action,
        owner_text=minutes_export.action_owner(action),
        raised_on=selectors.action_raised_on(action),
        button="Record the progress",
        cancel_url=_meeting_url(meeting, "arising"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def minutes_agree(request, pk):
    user = request.user
    meeting = selectors.meeting_get_for(user=user, pk=pk, manage=True)
    if (stop := _locked(request, meeting)) is not None:
        return stop
    error = ""
    if request.method == "POST":
        done, error = _act_or_show(
            request,
            lambda: services.minutes_agree(actor=user, meeting=meeting),
            meeting,
            success="The minutes are agreed. They can no longer be changed.",
            to=_meeting_url(meeting),
        )
        if done:
            return done
    return _confirm_page(
        request,
        meeting,
        title="Agree these minutes?",
        question="Once agreed, the minutes and everything recorded at this meeting (attendance, "
        "agenda, partner updates, decisions and actions raised) can't be changed. Actions "
        "carry on: their progress is recorded at later meetings.",
        button="Agree the minutes",
        crumb="Agree the minutes",
        error=error,
    )


# ---------------------------------------------------------------------------------------------
# The minutes as PDF and Word


def _record(request, pk):
    meeting = selectors.meeting_get_for(user=request.user, pk=pk)
    today = timezone.localdate()
    return selectors.meeting_record(meeting=meeting, today=today), today


@login_required
@require_GET
def minutes_pdf(request, pk):
    record, today = _record(request, pk)
    pdf = render_pdf(
        template="improvement/pdf_minutes.html",
        context=minutes_export.pdf_context(record, made_on=today),
        request=request,
    )
    return pdf_response(filename=minutes_export.minutes_filename(record, "pdf"), pdf=pdf)


@login_required
@require_GET
def minutes_docx(request, pk):
    record, today = _record(request, pk)
    response = HttpResponse(
        minutes_export.minutes_docx(record, made_on=today),
        content_type=minutes_export.DOCX_TYPE,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{minutes_export.minutes_filename(record, "docx")}"'
    )
    response["Cache-Control"] = "no-store, private"
    return response

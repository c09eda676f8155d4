"""Staff pages for invitations: inviting people from the register to an activity, and recording
each person's taking part (access arrangements, attendance, debrief, wellbeing check-in).

Inviting needs MANAGE_ENGAGEMENT and VIEW_PEOPLE in the activity's organisation; an invitation
page needs MANAGE_ENGAGEMENT; the wellbeing note needs VIEW_WELLBEING_NOTES. Anything else
answers 404. Pages that show people's details record an access event.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.security import email_link_base
from powershare.accounts.selectors import user_can
from powershare.audit.services import access_event_record
from powershare.lib.forms import form_errors_to_fields, posted, search_term
from powershare.people import selectors as people_selectors
from powershare.people.services import person_read_record, register_read_record
from powershare.system.submissions import submit_once

from . import selectors, services
from .invitation_forms import InvitationForm, InviteForm
from .models import InvitationStatus

PAGE_SIZE = 25

#: Said on the invite page instead of a checkbox for someone already invited.
ALREADY_INVITED = "Already invited to this activity."


def _crumbs(activity, *items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Activities", "url": reverse("engagement:activity_list")},
        {"label": activity.title, "url": reverse("engagement:activity_detail", args=[activity.pk])},
        *items,
    ]


def _invitation_crumbs(invitation, *items):
    return _crumbs(
        invitation.activity,
        {
            "label": invitation.person.name,
            "url": reverse("engagement:invitation_detail", args=[invitation.pk]),
        },
        *items,
    )


def _can(user, capability, activity) -> bool:
    return user_can(user=user, capability=capability, organisation_id=activity.organisation_id)


def _people_invited(count: int) -> str:
    if count == 0:
        return "Nobody new was invited: everyone you chose had already been invited."
    who = "1 person" if count == 1 else f"{count} people"
    return f"{who} invited. They'll see it on their page, and people who prefer email get an email."


# ---------------------------------------------------------------------------------------------
# Inviting people


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, pk):
    activity = selectors.activity_get_for(
        user=request.user, pk=pk, may=Capability.MANAGE_ENGAGEMENT
    )
    if not _can(request.user, Capability.VIEW_PEOPLE, activity):
        raise Http404("No such page")
    closed = ""
    if activity.is_cancelled:
        closed = "This activity was cancelled, so nobody can be invited to it."
    elif activity.has_ended:
        closed = "This activity has finished, so people could no longer answer an invitation."

    search = search_term(request)
    areas = list(
        people_selectors.lived_experience_area_list_for(
            user=request.user, organisation_id=activity.organisation_id
        )
    )
    area_id = request.GET.get("area", "")
    area = next((a for a in areas if str(a.pk) == area_id), None)

    form = InviteForm(
        posted(request),
        candidates=selectors.invitation_candidates_for(user=request.user, activity=activity),
    )
    if request.method == "POST":
        if closed:
            form.add_error(None, closed)
        elif form.is_valid():
            chosen = list(form.cleaned_data["people"])
            domain, use_https = email_link_base(request)
            invited = []

            def send():
                invited.extend(
                    services.invitations_send(
                        actor=request.user,
                        activity=activity,
                        people=chosen,
                        domain=domain,
                        use_https=use_https,
                    )
                )
                return reverse("engagement:activity_detail", args=[activity.pk]) + "#invitations"

            try:
                url, created = submit_once(request, send)
            except ValidationError as error:
                form_errors_to_fields(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or "You can't invite people to this activity.")
            else:
                if created:
                    messages.success(request, _people_invited(len(invited)))
                return redirect(url)

    people = selectors.invitation_candidates_for(
        user=request.user, activity=activity, search=search, area_id=area.pk if area else None
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    candidates = selectors.candidates_checked(activity=activity, people=list(page.object_list))
    register_read_record(
        user=request.user,
        description=f"People register listed to invite to activity {activity.pk}, "
        f"page {page.number}",
        path=request.path,
    )
    return render(
        request,
        "engagement/invite.html",
        {
            "page_title": "Invite people",
            "page_caption": activity.title,
            "breadcrumbs": _crumbs(activity, {"label": "Invite people"}),
            "activity": activity,
            "closed": closed,
            "form": form,
            "chosen": form.chosen_ids(),
            "page_obj": page,
            "candidates": candidates,
            "invitable_count": sum(1 for c in candidates if c.can_invite),
            "already_invited": ALREADY_INVITED,
            "search": search,
            "areas": areas,
            "area": area,
            "filtered": bool(search or area),
        },
    )


# ---------------------------------------------------------------------------------------------
# The invitations on the activity page


def activity_invitations_context(request, activity) -> dict:
    """Context for templates/engagement/_activity_invitations.html on the activity page.

    Everyone who may see the activity sees the counts; who was invited (names, answers,
    attendance) only shows to people who run activities and may see the register."""
    user = request.user
    if not _can(user, Capability.VIEW_ENGAGEMENT, activity):
        return {"invitations_visible": False}
    counts = selectors.invitation_counts(activity=activity)
    can_manage = _can(user, Capability.MANAGE_ENGAGEMENT, activity)
    show_people = can_manage and _can(user, Capability.VIEW_PEOPLE, activity)
    invitations = []
    if show_people:
        invitations = list(selectors.invitation_list_for_activity(activity=activity))
        if invitations:
            access_event_record(
                user=user,
                organisation_id=activity.organisation_id,
                subject=activity,
                description=f"People invited to activity {activity.pk} listed",
                path=request.path,
            )
    invited = sum(n for status, n in counts.items() if status not in ("withdrawn", "attended"))
    return {
        "invitations_visible": True,
        "invitations_counts": [
            ("Invited", invited),
            ("Waiting for an answer", counts[InvitationStatus.INVITED]),
            ("Taking part", counts[InvitationStatus.ACCEPTED]),
            ("Said no", counts[InvitationStatus.DECLINED]),
            ("Left", counts[InvitationStatus.LEFT]),
            ("Attended", counts["attended"]),
        ],
        "invitations_total": invited,
        "invitations_show_people": show_people,
        "invitations_list": [i for i in invitations if i.status != InvitationStatus.WITHDRAWN],
        "invitations_withdrawn_count": counts[InvitationStatus.WITHDRAWN],
        "invitations_can_invite": show_people
        and not activity.is_cancelled
        and not activity.has_ended,
    }


# ---------------------------------------------------------------------------------------------
# One invitation


@login_required
@require_http_methods(["GET", "POST"])
def invitation_detail(request, pk):
    invitation = selectors.invitation_get_for(user=request.user, pk=pk)
    activity = invitation.activity
    person = invitation.person
    with_note = _can(request.user, Capability.VIEW_WELLBEING_NOTES, activity)
    form = InvitationForm(posted(request), invitation=invitation, with_wellbeing_note=with_note)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_update(actor=request.user, invitation=invitation, **form.changes())
        except ValidationError as error:
            form_errors_to_fields(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You can't change this.")
        else:
            messages.success(request, "Saved.")
            return redirect("engagement:invitation_detail", pk=invitation.pk)
    person_read_record(
        user=request.user,
        person=person,
        what=f"invitation to activity {activity.pk} viewed",
        path=request.path,
    )
    return render(
        request,
        "engagement/invitation_detail.html",
        {
            "page_title": person.name,
            "page_caption": f"Invitation to {activity.title}",
            "breadcrumbs": _crumbs(activity, {"label": person.name}),
            "invitation": invitation,
            "activity": activity,
            "person": person,
            "form": form,
            "with_note": with_note,
            "can_see_register": _can(request.user, Capability.VIEW_PEOPLE, activity),
        },
    )


def _confirm(request, invitation, *, act, template, title, allowed, done, next_url):
    """A confirmation page (GET) and its one-button form (POST), sent once."""
    error = ""
    if request.method == "POST":
        # Not checked against `allowed` here: a second click on the same form must find the
        # first one's answer (submit_once), and the service refuses anything not allowed.
        def go():
            act()
            return next_url

        try:
            url, created = submit_once(request, go)
        except (ValidationError, PermissionDenied) as problem:
            error = " ".join(getattr(problem, "messages", [str(problem)]))
        else:
            if created:
                messages.success(request, done)
            return redirect(url)
    person_read_record(
        user=request.user,
        person=invitation.person,
        what=f"invitation to activity {invitation.activity_id} opened to change",
        path=request.path,
    )
    return render(
        request,
        template,
        {
            "page_title": title,
            "breadcrumbs": _invitation_crumbs(invitation, {"label": title}),
            "invitation": invitation,
            "activity": invitation.activity,
            "person": invitation.person,
            "allowed": allowed,
            "error": error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_withdraw(request, pk):
    invitation = selectors.invitation_get_for(user=request.user, pk=pk)
    return _confirm(
        request,
        invitation,
        act=lambda: services.invitation_withdraw(actor=request.user, invitation=invitation),
        template="engagement/invitation_withdraw.html",
        title="Withdraw this invitation",
        allowed=invitation.status == InvitationStatus.INVITED,
        done=f"The invitation to {invitation.person.name} has been withdrawn.",
        next_url=reverse("engagement:invitation_detail", args=[invitation.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_leave(request, pk):
    invitation = selectors.invitation_get_for(user=request.user, pk=pk)
    return _confirm(
        request,
        invitation,
        act=lambda: services.invitation_leave(
            user=request.user, invitation=invitation, on_behalf=True
        ),
        template="engagement/invitation_leave.html",
        title="Record that they left",
        allowed=invitation.status == InvitationStatus.ACCEPTED,
        done=f"Recorded: {invitation.person.name} has left {invitation.activity.title}.",
        next_url=reverse("engagement:invitation_detail", args=[invitation.pk]),
    )

"""The portal's "Opportunities for you": the person's own invitations, what each activity is
about, and their answers — yes, no (no reason needed), leaving at any time, how much say they
felt they had, and adding something they want to say.

Every page goes through `portal_page` and `invitation_get_for_person`, so nobody can open
someone else's invitation: it is simply not there (404).
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from powershare.engagement import selectors, services
from powershare.engagement.models import InvitationStatus
from powershare.lib.forms import posted
from powershare.people.models import ConsentPurpose
from powershare.people.selectors import may_we
from powershare.system.submissions import submit_form_once

from .opportunity_forms import AcceptForm, ContributionAddForm, DeclineForm, FeltSayForm
from .views import _crumbs, portal_page

ANSWERS = {"yes": True, "no": False}


def _opportunity_crumbs(invitation, *items):
    return _crumbs(
        {"label": "Opportunities", "url": reverse("portal:opportunities")},
        {
            "label": invitation.activity.title,
            "url": reverse("portal:opportunity", args=[invitation.pk]),
        },
        *items,
    )


def _state(invitation, today) -> dict:
    """Where an invitation stands, in the words and choices the portal offers."""
    activity = invitation.activity
    status = invitation.status
    over = activity.is_cancelled or activity.ends_on < today
    took_part = status in (InvitationStatus.ACCEPTED, InvitationStatus.LEFT)
    return {
        "cancelled": activity.is_cancelled,
        "over": over,
        "started": activity.starts_on <= today,
        "can_answer": not over and status != InvitationStatus.WITHDRAWN,
        "can_leave": status == InvitationStatus.ACCEPTED and not over,
        "can_say": took_part and activity.starts_on <= today and not activity.is_cancelled,
        "can_add": took_part,
    }


def _closed_reason(invitation, today) -> str:
    """Why an invitation can no longer be answered, kindly; "" while it can."""
    activity = invitation.activity
    if invitation.status == InvitationStatus.WITHDRAWN:
        return "This invitation was taken back, so there is nothing to answer."
    if activity.is_cancelled:
        return "This activity was cancelled, so there is nothing to answer. We're sorry."
    if activity.ends_on < today:
        return "This activity has finished, so there is nothing to answer now."
    return ""


# ---------------------------------------------------------------------------------------------
# The list


@portal_page
def opportunity_list(request, person):
    today = timezone.localdate()
    waiting, coming_up, finished, said_no = [], [], [], []
    for invitation in selectors.invitation_list_for_person(person=person):
        invitation.state = _state(invitation, today)
        if invitation.status == InvitationStatus.DECLINED:
            said_no.append(invitation)
        elif invitation.state["over"] or invitation.status == InvitationStatus.LEFT:
            finished.append(invitation)
        elif invitation.status == InvitationStatus.INVITED:
            waiting.append(invitation)
        else:
            coming_up.append(invitation)
    # Waiting and coming up: soonest first. Finished and said no: the latest first.
    waiting.sort(key=lambda i: (i.activity.starts_on, i.pk))
    coming_up.sort(key=lambda i: (i.activity.starts_on, i.pk))
    return render(
        request,
        "portal/opportunities.html",
        {
            "page_title": "Opportunities for you",
            "breadcrumbs": _crumbs({"label": "Opportunities"}),
            "person": person,
            "groups": [
                (
                    "waiting",
                    "Waiting for your answer",
                    "Nothing is waiting for your answer.",
                    waiting,
                ),
                ("coming-up", "Coming up", "Nothing coming up that you said yes to.", coming_up),
                ("finished", "Finished", "Nothing has finished yet.", finished),
            ],
            "said_no": said_no,
            "today": today,
        },
    )


# ---------------------------------------------------------------------------------------------
# One opportunity


@portal_page
def opportunity_detail(request, person, pk):
    invitation = selectors.invitation_get_for_person(person=person, pk=pk)
    today = timezone.localdate()
    return render(
        request,
        "portal/opportunity.html",
        {
            "page_title": invitation.activity.title,
            "breadcrumbs": _crumbs(
                {"label": "Opportunities", "url": reverse("portal:opportunities")},
                {"label": invitation.activity.title},
            ),
            "person": person,
            "invitation": invitation,
            "activity": invitation.activity,
            "questions": list(invitation.activity.questions.all()),
            "state": _state(invitation, today),
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def opportunity_answer(request, person, pk, answer):
    if answer not in ANSWERS:
        raise Http404("No such answer")
    invitation = selectors.invitation_get_for_person(person=person, pk=pk)
    accept = ANSWERS[answer]
    today = timezone.localdate()
    closed = _closed_reason(invitation, today)
    take_part = may_we(person=person, purpose=ConsentPurpose.TAKE_PART, respect_rest=False)
    needs_agreement = accept and not take_part
    form = (AcceptForm if accept else DeclineForm)(posted(request))
    already = invitation.status == (
        InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    )
    if request.method == "POST" and not (closed or needs_agreement) and form.is_valid():
        reason = "" if accept else form.cleaned_data["reason"]

        def answer_it():
            services.invitation_answer(
                user=request.user, invitation=invitation, accept=accept, reason=reason
            )
            return reverse("portal:opportunity", args=[invitation.pk])

        response = submit_form_once(
            request,
            form,
            answer_it,
            success="Thank you. You said yes. We'll be in touch about what happens next."
            if accept
            else "Thank you for letting us know. You said no.",
        )
        if response:
            return response
    title = "Take part?" if accept else "Say no?"
    return render(
        request,
        "portal/opportunity_answer.html",
        {
            "page_title": title,
            "page_caption": invitation.activity.title,
            "breadcrumbs": _opportunity_crumbs(invitation, {"label": title}),
            "person": person,
            "invitation": invitation,
            "activity": invitation.activity,
            "accept": accept,
            "answer": answer,
            "closed": closed,
            "needs_agreement": needs_agreement,
            "already": already,
            "take_part_reason": take_part.person_reason,
            "form": form,
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def opportunity_leave(request, person, pk):
    invitation = selectors.invitation_get_for_person(person=person, pk=pk)
    state = _state(invitation, timezone.localdate())
    form = AcceptForm(posted(request))
    if request.method == "POST" and state["can_leave"] and form.is_valid():

        def leave():
            services.invitation_leave(user=request.user, invitation=invitation)
            return reverse("portal:opportunity", args=[invitation.pk])

        response = submit_form_once(
            request,
            form,
            leave,
            success=f"You have left {invitation.activity.title}. Thank you for the time you gave.",
        )
        if response:
            return response
    title = "Leave this activity?"
    return render(
        request,
        "portal/opportunity_leave.html",
        {
            "page_title": title,
            "page_caption": invitation.activity.title,
            "breadcrumbs": _opportunity_crumbs(invitation, {"label": "Leave"}),
            "person": person,
            "invitation": invitation,
            "activity": invitation.activity,
            "state": state,
            "form": form,
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def opportunity_say(request, person, pk):
    invitation = selectors.invitation_get_for_person(person=person, pk=pk)
    state = _state(invitation, timezone.localdate())
    form = FeltSayForm(
        posted(request),
        rungs=invitation.activity.ladder.rungs.all(),
        current=invitation.felt_rung,
    )
    if request.method == "POST" and state["can_say"] and form.is_valid():
        rung = form.rung()

        def record():
            services.invitation_felt_say_record(user=request.user, invitation=invitation, rung=rung)
            return reverse("portal:opportunity", args=[invitation.pk])

        response = submit_form_once(
            request,
            form,
            record,
            success="Thank you. We've saved your answer. It helps us see how much say people "
            "really have."
            if rung
            else "Done. We have not kept an answer.",
        )
        if response:
            return response
    return render(
        request,
        "portal/opportunity_say.html",
        {
            "page_title": "How much say did you have?",
            "page_caption": invitation.activity.title,
            "breadcrumbs": _opportunity_crumbs(invitation, {"label": "How much say you had"}),
            "person": person,
            "invitation": invitation,
            "activity": invitation.activity,
            "state": state,
            "form": form,
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def contribution_add(request, person, pk):
    invitation = selectors.invitation_get_for_person(person=person, pk=pk)
    state = _state(invitation, timezone.localdate())
    use_levels = selectors.use_levels_consented(person=person)
    form = ContributionAddForm(
        posted(request), questions=invitation.activity.questions.all(), use_levels=use_levels
    )
    if request.method == "POST" and state["can_add"] and use_levels and form.is_valid():
        data = form.cleaned_data

        def add():
            services.contribution_add_by_self(
                user=request.user,
                invitation=invitation,
                text=data["text"],
                kind=data["kind"],
                question=data.get("question"),
                use_level=data["use_level"],
            )
            return reverse("portal:contributions")

        response = submit_form_once(
            request,
            form,
            add,
            success="Thank you. We've saved what you said. You can change who sees it, "
            "or take it back, at any time.",
        )
        if response:
            return response
    return render(
        request,
        "portal/contribution_add.html",
        {
            "page_title": "Add something you want to say",
            "page_caption": invitation.activity.title,
            "breadcrumbs": _opportunity_crumbs(invitation, {"label": "Add something"}),
            "person": person,
            "invitation": invitation,
            "activity": invitation.activity,
            "state": state,
            "use_levels": use_levels,
            "form": form,
        },
    )

"""The portal's "Things you've said": a person's own contributions, who can see each one, and
removing words, choosing who can see it or withdrawing it.

Every page reads through engagement.selectors.contribution_list_for_person /
contribution_get_for_person, so someone else's contribution is 404. Withdrawn contributions stay
listed, without their words, so the person can see it was done.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from powershare.accountability import selectors as accountability_selectors
from powershare.engagement import selectors as engagement_selectors
from powershare.engagement import services as engagement_services
from powershare.engagement.models import USE_PLAIN_WORDS, USE_PURPOSE, UseLevel
from powershare.lib.forms import posted
from powershare.people.models import ConsentGivenBy
from powershare.people.selectors import consent_state
from powershare.system.submissions import submit_form_once, submit_once

from .contribution_forms import RemoveWordsForm, UseForm
from .views import _crumbs, portal_page

PAGE_SIZE = 25

#: Said when a contribution's chosen use is wider than the person's consent now allows:
#: (when they said no since, when they have not said yes).
NARROWER_NOW = {
    UseLevel.INTERNAL: (
        "You've since said staff can't quote you, so we won't use it.",
        "You haven't said staff can quote you, so we won't use it.",
    ),
    UseLevel.ANONYMISED: (
        "You've since said we can't use it in reports and training, so we won't.",
        "You haven't said we can use it in reports and training, so we won't.",
    ),
    UseLevel.ATTRIBUTED: (
        "You've since said we can't use your name, so we won't.",
        "You haven't said we can use your name, so we won't.",
    ),
    UseLevel.PUBLIC: (
        "You've since said it can't go on the public page, so it won't.",
        "You haven't said it can go on the public page, so it won't.",
    ),
}
GUARDIAN_NOT_YET = "Your parent or guardian hasn't agreed to this yet, so we won't use it that way."


def _said_crumbs(*items):
    return _crumbs({"label": "Things you've said", "url": reverse("portal:contributions")}, *items)


def _sentence_start(words: str) -> str:
    return words[:1].lower() + words[1:]


def _describe(contributions, person) -> None:
    """Say, for each contribution, who can see it, and whether that is narrower now."""
    state = None
    for contribution in contributions:
        contribution.delete_by = None
        contribution.narrower_now = ""
        contribution.now_words = ""
        if contribution.is_withdrawn:
            contribution.delete_by = timezone.localdate(
                contribution.withdrawn_at
            ) + datetime.timedelta(days=settings.CONTRIBUTION_PURGE_DAYS)
            continue
        chosen = UseLevel(contribution.use_level)
        contribution.who_can_see = USE_PLAIN_WORDS[chosen]
        widest = engagement_selectors.widest_use_now(contribution)
        if widest is not None and widest >= chosen:
            continue
        if state is None:
            state = consent_state(person=person)
        own = state[USE_PURPOSE[chosen]][ConsentGivenBy.PERSON]
        if own is not None and own.is_given:
            contribution.narrower_now = GUARDIAN_NOT_YET
        else:
            since, never = NARROWER_NOW[chosen]
            contribution.narrower_now = since if own is not None else never
        if widest is None:
            contribution.now_words = "For now, we won't show it to anyone."
        else:
            contribution.now_words = (
                f"For now, {_sentence_start(USE_PLAIN_WORDS[UseLevel(widest)])}."
            )


def _what_happened(contributions, person) -> None:
    """Give each contribution the responses to it (decision, progress, changes), in a fixed
    number of queries. Withdrawn ones have none shown."""
    outcomes = {
        c.pk: c
        for c in accountability_selectors.outcomes_for_person(person=person).filter(
            pk__in=[c.pk for c in contributions]
        )
    }
    for contribution in contributions:
        found = outcomes.get(contribution.pk)
        contribution.outcome_responses = list(found.responses.all()) if found else []


def _own(person, pk):
    contribution = engagement_selectors.contribution_get_for_person(person=person, pk=pk)
    _describe([contribution], person)
    return contribution


@portal_page
def contribution_list(request, person):
    everything = engagement_selectors.contribution_list_for_person(person=person)
    page = Paginator(everything.filter(withdrawn_at__isnull=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    current = list(page.object_list)
    # Withdrawn ones stay listed (without their words) only until they are erased.
    withdrawn = list(everything.filter(withdrawn_at__isnull=False))
    _describe(current + withdrawn, person)
    _what_happened(current, person)
    return render(
        request,
        "portal/contributions.html",
        {
            "page_title": "Things you've said",
            "breadcrumbs": _crumbs({"label": "Things you've said"}),
            "person": person,
            "contributions": current + withdrawn,
            "current": current,
            "page_obj": page,
            "withdrawn": withdrawn,
            "today": timezone.localdate(),
        },
    )


@portal_page
def contribution_detail(request, person, pk):
    contribution = _own(person, pk)
    _what_happened([contribution], person)
    return render(
        request,
        "portal/contribution.html",
        {
            "page_title": "Something you said",
            "breadcrumbs": _said_crumbs({"label": contribution.activity.title}),
            "person": person,
            "contribution": contribution,
            "redactions": list(contribution.redactions.all()),
            "today": timezone.localdate(),
        },
    )


def _contribution_crumbs(contribution, label):
    return _said_crumbs(
        {
            "label": contribution.activity.title,
            "url": reverse("portal:contribution", args=[contribution.pk]),
        },
        {"label": label},
    )


@portal_page
@require_http_methods(["GET", "POST"])
def contribution_redact(request, person, pk):
    contribution = _own(person, pk)
    if contribution.is_withdrawn:
        return redirect("portal:contribution", pk=contribution.pk)
    form = RemoveWordsForm(posted(request))
    if request.method == "POST" and form.is_valid():

        def create():
            engagement_services.contribution_redact(
                user=request.user,
                contribution=contribution,
                words=form.cleaned_data["words"],
                reason=form.cleaned_data["reason"],
                by_person=True,
            )
            return reverse("portal:contribution", args=[contribution.pk])

        done = submit_form_once(
            request,
            form,
            create,
            success="Done. We've removed those words everywhere they were shown. "
            "We haven't kept a copy.",
        )
        if done is not None:
            return done
    return render(
        request,
        "portal/contribution_redact.html",
        {
            "page_title": "Remove some words",
            "breadcrumbs": _contribution_crumbs(contribution, "Remove some words"),
            "person": person,
            "contribution": contribution,
            "form": form,
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def contribution_withdraw(request, person, pk):
    contribution = _own(person, pk)
    if contribution.is_withdrawn:
        return redirect("portal:contribution", pk=contribution.pk)
    if request.method == "POST":

        def create():
            engagement_services.contribution_withdraw(
                user=request.user, contribution=contribution, by_person=True
            )
            return reverse("portal:contributions")

        try:
            url, created = submit_once(request, create)
        except PermissionDenied:
            raise Http404("No such contribution") from None
        if created:
            messages.success(request, "Done. We've removed it from everywhere it was shown.")
        return redirect(url)
    return render(
        request,
        "portal/contribution_withdraw.html",
        {
            "page_title": "Withdraw this?",
            "breadcrumbs": _contribution_crumbs(contribution, "Withdraw it"),
            "person": person,
            "contribution": contribution,
            "purge_days": settings.CONTRIBUTION_PURGE_DAYS,
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def contribution_use(request, person, pk):
    contribution = _own(person, pk)
    if contribution.is_withdrawn:
        return redirect("portal:contribution", pk=contribution.pk)
    levels = engagement_selectors.use_levels_consented(person=person)
    initial = {"use_level": contribution.use_level} if contribution.use_level in levels else {}
    form = UseForm(posted(request), levels=levels, initial=initial)
    if request.method == "POST" and levels and form.is_valid():
        level = form.cleaned_data["use_level"]

        def create():
            engagement_services.contribution_use_change(
                user=request.user, contribution=contribution, use_level=level, by_person=True
            )
            return reverse("portal:contribution", args=[contribution.pk])

        done = submit_form_once(
            request, form, create, success=f"Done. {USE_PLAIN_WORDS[UseLevel(level)]}."
        )
        if done is not None:
            return done
    return render(
        request,
        "portal/contribution_use.html",
        {
            "page_title": "Change who can see it",
            "breadcrumbs": _contribution_crumbs(contribution, "Change who can see it"),
            "person": person,
            "contribution": contribution,
            "form": form,
            "levels": levels,
        },
    )

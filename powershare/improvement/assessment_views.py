"""Self-assessment pages: the list, starting one, its page (ratings by stage, who took part,
priorities and their actions, the comparison with the previous assessment and the heat-map),
and the pages that change it: details, ratings, people, agreeing and sharing.

Reading needs VIEW_IMPROVEMENT in the owning organisation (or a share with yours); changing
needs MANAGE_IMPROVEMENT there, and sharing SHARE_RECORDS. Anything else answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts import selectors as account_selectors
from powershare.accounts import services as account_services
from powershare.accounts.models import User
from powershare.accounts.roles import Capability
from powershare.accounts.sharing import share_list_for_record
from powershare.audit.selectors import history_for_record
from powershare.audit.services import access_event_record
from powershare.evaluation.results_views import svg_response
from powershare.lib import charts
from powershare.lib.forms import (
    add_organisation_choice,
    posted,
    save_or_show,
    search_term,
)
from powershare.people.models import Person
from powershare.system.submissions import submit_form_once_or_404

from . import selectors, services
from .assessment_forms import AssessmentForm, AssessmentShareForm, ParticipantForm, RatingsForm
from .models import AssessmentStatus, Framework, ParticipantKind, Rating
from .services.assessments import LOCKED_DETAILS, LOCKED_PARTICIPANTS, LOCKED_RATINGS

PAGE_SIZE = 25
#: The heat-map's levels: "not rated yet" first, then the five ratings.
HEATMAP_LEVELS = ["Not rated yet", *Rating.labels]
HEATMAP_MARKS = ["–", *(str(value) for value in Rating.values)]


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Improvement", "url": reverse("improvement:home")},
        {"label": "Self-assessments", "url": reverse("improvement:assessment_list")},
        *items,
    ]


def _assessment_crumbs(assessment, *items):
    return _crumbs(
        {
            "label": f"Self-assessment {assessment.period}",
            "url": reverse("improvement:assessment_detail", args=[assessment.pk]),
        },
        *items,
    )


def _detail_url(assessment, anchor: str = "") -> str:
    url = reverse("improvement:assessment_detail", args=[assessment.pk])
    return f"{url}#{anchor}" if anchor else url


def _can(user, capability, organisation_id) -> bool:
    return account_selectors.user_can(
        user=user, capability=capability, organisation_id=organisation_id
    )


def _who(participant, *, show_names: bool) -> str:
    """How a participant is named on the page: experts by experience from the register by name
    only for those who may see the register."""
    if participant.person_id is not None:
        person = participant.person
        if person.is_erased:
            return "A person whose record was erased"
        if show_names:
            return person.name
        if participant.kind == ParticipantKind.EXPERT_BY_EXPERIENCE:
            return "An expert by experience"
        return "Someone on the people register"
    if participant.user_id is not None:
        return participant.user.full_name or participant.user.email
    if participant.kind == ParticipantKind.EXPERT_BY_EXPERIENCE and not show_names:
        return "An expert by experience"
    return participant.name or "Not named"


def _participants(request, assessment, *, description: str):
    """Who took part, each with how they are named here; naming someone from the register is
    recorded."""
    show_names = _can(request.user, Capability.VIEW_PEOPLE, assessment.organisation_id)
    participants = selectors.participant_list(assessment=assessment)
    for participant in participants:
        participant.who = _who(participant, show_names=show_names)
    if show_names:
        # One access event per person named, against their own row, so it appears in their
        # subject access export (as walkthrough pages do for a team).
        for participant in participants:
            if participant.person_id is not None and not participant.person.is_erased:
                access_event_record(
                    user=request.user,
                    organisation_id=assessment.organisation_id,
                    subject=participant,
                    description=f"{participant.person.reference}: {description}",
                    path=request.path,
                )
    return participants


def _locked(request, assessment, message: str):
    """An agreed assessment is locked: pages that change it send people to reopen it first
    (None while it is a draft)."""
    if assessment.status == AssessmentStatus.DRAFT:
        return None
    messages.info(request, message)
    return redirect(reverse("improvement:assessment_agree", args=[assessment.pk]))


def _cell_words(value) -> str:
    if value == "":
        return "Not in that version"
    return "Not rated yet" if value is None else Rating(value).label


# ---------------------------------------------------------------------------------------------
# The list and starting an assessment


@login_required
@require_GET
def assessment_list(request):
    user = request.user
    selectors.require_view(user)
    search = search_term(request)
    status = request.GET.get("status", "")
    if status not in AssessmentStatus.values:
        status = ""
    rows = selectors.assessment_list_for(user=user, search=search, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    own_ids = selectors.viewing_ids(user)
    return render(
        request,
        "improvement/assessment_list.html",
        {
            "page_title": "Self-assessments",
            "breadcrumbs": _crumbs()[:-1] + [{"label": "Self-assessments"}],
            "page_obj": page,
            "search": search,
            "status": status,
            "statuses": AssessmentStatus.choices,
            "filtered": bool(search or status),
            "own_ids": own_ids,
            "several_organisations": len(own_ids) > 1,
            "can_start": bool(selectors.managing_ids(user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request):
    user = request.user
    manage_ids = selectors.managing_ids(user)
    if not manage_ids:
        raise Http404("No such page")
    form = AssessmentForm(posted(request))
    organisations = account_selectors.organisation_list_where(
        user=user, capability=Capability.MANAGE_IMPROVEMENT
    ).order_by("name")
    add_organisation_choice(form, organisations, label="Which organisation is it for?")
    roadmap = selectors.roadmap()
    current = (
        selectors.version_current(framework=roadmap, organisation_id=manage_ids[0])
        if roadmap
        else None
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation", None) or organisations.get(pk=manage_ids[0])

        def create():
            assessment = services.assessment_start(actor=user, organisation=organisation, **data)
            return reverse("improvement:assessment_ratings", args=[assessment.pk])

        done = submit_form_once_or_404(
            request,
            form,
            create,
            success="The self-assessment is started. Rate each driver, then agree the ratings.",
        )
        if done is not None:
            return done
    return render(
        request,
        "improvement/assessment_form.html",
        {
            "page_title": "Start a self-assessment",
            "breadcrumbs": _crumbs({"label": "Start a self-assessment"}),
            "form": form,
            "version": current,
            "button": "Start the self-assessment",
            "cancel_url": reverse("improvement:assessment_list"),
        },
    )


# ---------------------------------------------------------------------------------------------
# One assessment


@login_required
@require_GET
def assessment_detail(request, pk):
    user = request.user
    assessment = selectors.assessment_get_for(user=user, pk=pk)
    organisation_id = assessment.organisation_id
    ours = organisation_id in selectors.viewing_ids(user)
    can_manage = selectors.can_manage(user, organisation_id)
    ratings = selectors.rating_list(assessment=assessment, user=user)
    previous = selectors.assessment_previous(user=user, assessment=assessment)
    comparison = (
        selectors.assessment_compare(
            ratings=ratings, previous_ratings=selectors.rating_list(assessment=previous)
        )
        if previous
        else []
    )
    changes = {}
    for row in comparison:
        changes[row.change] = changes.get(row.change, 0) + 1
    heatmap = selectors.heatmap_for(
        user=user, organisation_id=organisation_id, framework_id=assessment.version.framework_id
    )
    labels = [
        f"{a.period}{' (draft)' if a.status == AssessmentStatus.DRAFT else ''}"
        for a in heatmap.assessments
    ]
    for row in heatmap.rows:
        row.table = list(zip(labels, [_cell_words(cell) for cell in row.cells], strict=True))
    participants = _participants(
        request,
        assessment,
        description=f"named as taking part in self-assessment {assessment.pk}",
    )
    return render(
        request,
        "improvement/assessment_detail.html",
        {
            "page_title": f"Self-assessment {assessment.period}",
            "page_caption": assessment.organisation.display_name,
            "breadcrumbs": _crumbs({"label": f"Self-assessment {assessment.period}"}),
            "assessment": assessment,
            "is_draft": assessment.status == AssessmentStatus.DRAFT,
            "groups": selectors.ratings_by_stage(ratings),
            "rated": sum(1 for r in ratings if r.rating is not None),
            "total": len(ratings),
            "priorities": [r for r in ratings if r.is_priority],
            "participants": participants,
            "previous": previous,
            "comparison": comparison,
            "changes": changes,
            "heatmap": heatmap,
            "heatmap_url": reverse("improvement:heatmap_svg")
            + f"?organisation={organisation_id}&framework={assessment.version.framework_id}",
            "ours": ours,
            "can_manage": can_manage,
            "can_share": _can(user, Capability.SHARE_RECORDS, organisation_id),
            "action_create_url": reverse("improvement:action_create"),
            "shares": share_list_for_record(record=assessment) if ours else [],
            "history": history_for_record(record=assessment)[:20] if ours else [],
        },
    )


@login_required
@require_GET
def heatmap_svg(request):
    """The organisation's assessments of a framework over time, drivers by rating. Without
    parameters: the user's own organisation and the Roadmap."""
    user = request.user
    own_ids = selectors.viewing_ids(user)
    if not own_ids:
        raise Http404("No such page")
    organisation_id = _number(request.GET.get("organisation")) or own_ids[0]
    framework_id = _number(request.GET.get("framework"))
    framework = (
        Framework.objects.filter(pk=framework_id).first() if framework_id else selectors.roadmap()
    )
    if framework is None:
        raise Http404("No such page")
    heatmap = selectors.heatmap_for(
        user=user, organisation_id=organisation_id, framework_id=framework.pk
    )
    if organisation_id not in own_ids and not heatmap.assessments:
        raise Http404("No such page")
    columns = [
        f"{a.period}{' (draft)' if a.status == AssessmentStatus.DRAFT else ''}"
        for a in heatmap.assessments
    ]
    values = [
        [None if cell == "" else (0 if cell is None else cell + 1) for cell in row.cells]
        for row in heatmap.rows
    ]
    count = len(heatmap.assessments)
    svg = charts.heatmap_chart(
        title=f"{framework.name}: each driver's rating over time",
        description=(
            f"{len(heatmap.rows)} drivers (rows) across {count} self-assessment"
            f"{'s' if count != 1 else ''} (columns, oldest first). Each cell shows the rating "
            "as a number: 0 not started, 1 emerging, 2 developing, 3 established, 4 embedded; "
            "a dash is not rated yet. The same figures are in a table on the assessment's page."
            if count
            else "No self-assessments yet."
        ),
        rows=[row.name for row in heatmap.rows],
        columns=columns,
        values=values,
        levels=HEATMAP_LEVELS,
        marks=HEATMAP_MARKS,
        row_axis_label="Driver",
        column_axis_label="Self-assessment",
    )
    return svg_response(request, svg)


def _number(value) -> int | None:
    value = (value or "").strip()
    if value.isdigit() and len(value) < 19:
        return int(value)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk):
    user = request.user
    assessment = selectors.assessment_get_for(user=user, pk=pk, manage=True)
    locked = _locked(request, assessment, LOCKED_DETAILS)
    if locked:
        return locked
    form = AssessmentForm(
        posted(request),
        initial={
            "period": assessment.period,
            "assessed_on": assessment.assessed_on,
            "summary": assessment.summary,
            "others_taking_part": assessment.others_taking_part,
        },
    )
    if request.method == "POST" and form.is_valid():

        def act():
            services.assessment_update(actor=user, assessment=assessment, **form.cleaned_data)

        if save_or_show(form, act):
            messages.success(request, "Your changes have been saved.")
            return redirect(_detail_url(assessment))
    return render(
        request,
        "improvement/assessment_form.html",
        {
            "page_title": "Change the self-assessment",
            "page_caption": f"Self-assessment {assessment.period}",
            "breadcrumbs": _assessment_crumbs(assessment, {"label": "Change"}),
            "form": form,
            "version": assessment.version,
            "assessment": assessment,
            "button": "Save changes",
            "cancel_url": _detail_url(assessment),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_ratings(request, pk):
    user = request.user
    assessment = selectors.assessment_get_for(user=user, pk=pk, manage=True)
    locked = _locked(request, assessment, LOCKED_RATINGS)
    if locked:
        return locked
    ratings = selectors.rating_list(assessment=assessment)
    form = RatingsForm(posted(request), ratings=ratings)
    if request.method == "POST" and form.is_valid():

        def act():
            services.ratings_record(actor=user, assessment=assessment, ratings=form.values())

        if save_or_show(form, act):
            messages.success(request, "The ratings have been saved.")
            return redirect(_detail_url(assessment, "ratings"))
    groups = {}
    for row, fields in form.rows():
        stage = row.driver.stage
        groups.setdefault(stage.pk, {"stage": stage, "rows": []})["rows"].append(
            {"rating": row, "fields": fields}
        )
    return render(
        request,
        "improvement/assessment_ratings.html",
        {
            "page_title": "Rate each driver",
            "page_caption": f"Self-assessment {assessment.period}",
            "breadcrumbs": _assessment_crumbs(assessment, {"label": "Ratings"}),
            "assessment": assessment,
            "form": form,
            "groups": list(groups.values()),
            "ratings_help": Rating.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_participants(request, pk):
    user = request.user
    assessment = selectors.assessment_get_for(user=user, pk=pk, manage=True)
    locked = _locked(request, assessment, LOCKED_PARTICIPANTS)
    if locked:
        return locked
    organisation_id = assessment.organisation_id
    members = (
        User.objects.filter(
            memberships__organisation_id=organisation_id, memberships__ended_at__isnull=True
        )
        .distinct()
        .order_by("full_name", "pk")
    )
    people = (
        Person.objects.not_erased().filter(organisation_id=organisation_id).order_by("full_name")
        if _can(user, Capability.VIEW_PEOPLE, organisation_id)
        else None
    )
    form = ParticipantForm(posted(request), members=members, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            services.participant_add(
                actor=user,
                assessment=assessment,
                kind=data["kind"],
                user=data["user"],
                person=data.get("person"),
                name=data["name"],
            )
            return reverse("improvement:assessment_participants", args=[assessment.pk])

        done = submit_form_once_or_404(
            request, form, create, success="They are now listed as taking part."
        )
        if done is not None:
            return done
    participants = _participants(
        request,
        assessment,
        description=f"named as taking part in self-assessment {assessment.pk}, to change the list",
    )
    return render(
        request,
        "improvement/assessment_participants.html",
        {
            "page_title": "Who took part",
            "page_caption": f"Self-assessment {assessment.period}",
            "breadcrumbs": _assessment_crumbs(assessment, {"label": "Who took part"}),
            "assessment": assessment,
            "participants": participants,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_remove(request, pk):
    user = request.user
    participant = selectors.participant_get_for(user=user, pk=pk)
    assessment = participant.assessment
    locked = _locked(request, assessment, LOCKED_PARTICIPANTS)
    if locked:
        return locked
    show_names = _can(user, Capability.VIEW_PEOPLE, assessment.organisation_id)
    who = _who(participant, show_names=show_names)
    if (
        request.method == "GET"
        and show_names
        and participant.person_id is not None
        and not participant.person.is_erased
    ):
        access_event_record(
            user=user,
            organisation_id=assessment.organisation_id,
            subject=participant,
            description=(
                f"{participant.person.reference}: named to remove from self-assessment "
                f"{assessment.pk}"
            ),
            path=request.path,
        )
    if request.method == "POST":
        try:
            services.participant_remove(actor=user, participant=participant)
        except PermissionDenied:
            raise Http404("No such page") from None
        messages.success(request, f"{who} is no longer listed as taking part.")
        return redirect("improvement:assessment_participants", pk=assessment.pk)
    return render(
        request,
        "improvement/assessment_participant_remove.html",
        {
            "page_title": "Remove someone from the list?",
            "page_caption": f"Self-assessment {assessment.period}",
            "breadcrumbs": _assessment_crumbs(assessment, {"label": "Remove someone"}),
            "assessment": assessment,
            "participant": participant,
            "who": who,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_agree(request, pk):
    """Agree the ratings (a draft), or reopen them (once agreed): each asks once."""
    user = request.user
    assessment = selectors.assessment_get_for(user=user, pk=pk, manage=True)
    is_draft = assessment.status == AssessmentStatus.DRAFT
    unrated = list(
        assessment.ratings.filter(rating__isnull=True)
        .order_by("driver__stage__order", "driver__order")
        .values_list("driver__name", flat=True)
    )
    problem = ""
    if request.method == "POST":
        try:
            if is_draft:
                services.assessment_agree(actor=user, assessment=assessment)
                messages.success(request, "The ratings are agreed. They can't change now.")
            else:
                services.assessment_reopen(actor=user, assessment=assessment)
                messages.success(request, "The assessment is a draft again: change the ratings.")
        except ValidationError as error:
            problem = " ".join(error.messages)
        except PermissionDenied:
            raise Http404("No such page") from None
        else:
            return redirect(_detail_url(assessment))
    return render(
        request,
        "improvement/assessment_agree.html",
        {
            "page_title": "Agree the ratings?" if is_draft else "Reopen the ratings?",
            "page_caption": f"Self-assessment {assessment.period}",
            "breadcrumbs": _assessment_crumbs(
                assessment, {"label": "Agree" if is_draft else "Reopen"}
            ),
            "assessment": assessment,
            "is_draft": is_draft,
            "unrated": unrated,
            "error": problem,
        },
    )


# ---------------------------------------------------------------------------------------------
# Sharing


def _assessment_to_share(user, pk):
    assessment = selectors.assessment_get_for(user=user, pk=pk)
    if not _can(user, Capability.SHARE_RECORDS, assessment.organisation_id):
        raise Http404("No such page")
    return assessment


@login_required
@require_http_methods(["GET", "POST"])
def assessment_sharing(request, pk):
    user = request.user
    assessment = _assessment_to_share(user, pk)
    shares = share_list_for_record(record=assessment)
    partners = account_selectors.organisation_partner_choices(
        exclude_ids=[assessment.organisation_id, *(s.partner_id for s in shares)]
    )
    form = AssessmentShareForm(posted(request), partners=partners)
    if request.method == "POST" and form.is_valid():
        partner = form.cleaned_data["partner"]

        def create():
            account_services.share_create(actor=user, record=assessment, partner=partner)
            return reverse("improvement:assessment_sharing", args=[assessment.pk])

        done = submit_form_once_or_404(
            request,
            form,
            create,
            success=f"The self-assessment is now shared with {partner.name}.",
        )
        if done is not None:
            return done
    return render(
        request,
        "improvement/assessment_sharing.html",
        {
            "page_title": "Share the self-assessment",
            "page_caption": f"Self-assessment {assessment.period}",
            "breadcrumbs": _assessment_crumbs(assessment, {"label": "Sharing"}),
            "assessment": assessment,
            "shares": shares,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_share_end(request, pk, share_pk):
    user = request.user
    assessment = _assessment_to_share(user, pk)
    share = next((s for s in share_list_for_record(record=assessment) if s.pk == share_pk), None)
    if share is None:
        raise Http404("No such share")
    if request.method == "POST":
        try:
            account_services.share_end(actor=user, share=share)
        except PermissionDenied:
            raise Http404("No such page") from None
        messages.success(request, f"{share.partner.name} can no longer see the self-assessment.")
        return redirect("improvement:assessment_sharing", pk=assessment.pk)
    return render(
        request,
        "improvement/assessment_share_end.html",
        {
            "page_title": f"Stop sharing with {share.partner.name}?",
            "page_caption": f"Self-assessment {assessment.period}",
            "breadcrumbs": _assessment_crumbs(assessment, {"label": "Stop sharing"}),
            "assessment": assessment,
            "share": share,
        },
    )

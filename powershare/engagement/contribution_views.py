"""Staff pages for contributions: bulk capture after a session, the list with its exports, one
contribution, and removing words or withdrawing it on the contributor's behalf.

THE RULE: every page, export and partial here that shows what someone said reads it through
selectors.contribution_list_for / contribution_get_for, which apply contributions_usable_for.
Staff pages show contributions for use inside the organisation; an export chooses its use and
credits each contributor as that use allows. Only users who can see the people register see a
contributor's name (and reading it is recorded); everyone else sees the credit for the use.

Seeing contributions needs VIEW_ENGAGEMENT; capturing, removing words and withdrawing need
MANAGE_ENGAGEMENT in the activity's organisation. Anything else answers 404.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import (
    organisation_ids_where,
    organisation_list_where,
    user_can,
)
from powershare.audit.models import AccessEvent
from powershare.audit.services import access_event_record
from powershare.lib.dates import long_date
from powershare.lib.exports import FORMATS, table_response
from powershare.lib.forms import form_errors_to_fields, posted, search_term, select_options
from powershare.people.services import person_read_record, register_read_record
from powershare.system.submissions import submit_form_once, submit_once

from . import selectors, services
from .contribution_forms import (
    CAPTURE_MAX_ROWS,
    CAPTURE_MORE_ROWS,
    CAPTURE_ROWS,
    CaptureFormSet,
    RedactForm,
    capture_contributors,
)
from .models import REDACTED, USE_NAMES, ContributionKind, UseLevel

PAGE_SIZE = 25
#: How many contributions the activity page shows before linking to the full list.
ACTIVITY_PAGE_SIZE = 20


NOT_USABLE_NOW = "Not to be used now"


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Activities", "url": reverse("engagement:activity_list")},
        *items,
    ]


def _list_crumbs(*items):
    return _crumbs(
        {"label": "Contributions", "url": reverse("engagement:contribution_list")}, *items
    )


def _require(user, capability):
    if not user_can(user=user, capability=capability):
        raise Http404("No such page")


def _use_from(value) -> UseLevel:
    """A use level from the address; anything unexpected means inside the organisation."""
    try:
        return UseLevel(int(value))
    except (TypeError, ValueError):
        return UseLevel.INTERNAL


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _use_label(level) -> str:
    return UseLevel(level).label if level else NOT_USABLE_NOW


def _show_contributors(user, contributions, *, use: int = UseLevel.INTERNAL) -> bool:
    """Decide how each contribution's contributor and widest use are shown on a staff page:
    users who can see the people register see the person's name (with a link to their record);
    everyone else sees the credit for `use`. Returns whether any name is shown."""
    people_organisations = set(organisation_ids_where(user=user, capability=Capability.VIEW_PEOPLE))
    named = False
    for contribution in contributions:
        contribution.widest_use_label = _use_label(selectors.widest_use_now(contribution))
        contribution.contributor_url = ""
        person = contribution.person
        if (
            person is not None
            and not person.is_erased
            and contribution.organisation_id in people_organisations
        ):
            contribution.contributor_shown = person.full_name
            contribution.contributor_url = reverse("people:detail", args=[person.pk])
            named = True
        else:
            contribution.contributor_shown = contribution.credit_for(use)
    return named


def _filters(request) -> dict:
    """The list's filters from the address (the export uses the same ones)."""
    kind = request.GET.get("kind", "")
    return {
        "activity_id": _int_or_none(request.GET.get("activity")),
        "question_id": _int_or_none(request.GET.get("question")),
        "kind": kind if kind in ContributionKind.values else "",
        "search": search_term(request),
    }


# ---------------------------------------------------------------------------------------------
# Bulk capture


def _mark_invalid(form) -> None:
    """Errors added after validation (from the service) get the same ARIA links as the form's
    own: the field says it is invalid and points at its message."""
    for name in form.errors:
        if name not in form.fields:
            continue
        attrs = form.fields[name].widget.attrs
        attrs["aria-invalid"] = "true"
        error_id = f"{form[name].auto_id}-error"
        described = attrs.get("aria-describedby", "")
        if error_id not in described:
            attrs["aria-describedby"] = f"{described} {error_id}".strip()


def _capture_checked(activity, formset, contributors, questions, *, show_names) -> list[dict]:
    """Check every row that has something in it, each with services.contribution_check, so
    every row gets its own messages. Returns the rows to record (empty rows left out).
    Messages name the person only for staff who may see the register."""
    people = {str(person.pk): person for person, _ in contributors}
    consented = {person.pk: levels for person, levels in contributors}
    question_map = {str(question.pk): question for question in questions}
    rows = []
    formset.is_valid()
    for form in formset.forms:
        if form.errors or form.is_blank():
            continue
        values = form.service_values(people=people, questions=question_map)
        try:
            services.contribution_check(
                activity=activity, consented=consented, explain_consent=show_names, **values
            )
        except ValidationError as error:
            person = values["person"]
            if person is not None and not show_names and hasattr(error, "error_dict"):
                error = ValidationError(
                    {
                        field: [
                            text.replace(person.name, f"Person {person.reference}")
                            for text in texts
                        ]
                        for field, texts in error.message_dict.items()
                    }
                )
            form_errors_to_fields(form, error)
        else:
            rows.append(values)
    return rows


def _capture_error_summary(formset) -> list[dict]:
    """ "Row 7: …" for every message, each linking to the field it is about."""
    summary = [{"text": str(error), "anchor": ""} for error in formset.non_form_errors()]
    for form in formset.forms:
        if not form.errors:
            continue
        _mark_invalid(form)
        number = form.row_number
        for name, errors in form.errors.items():
            field_name = name if name in form.fields else "text"
            for error in errors:
                summary.append(
                    {"text": f"Row {number}: {error}", "anchor": f"#{form[field_name].auto_id}"}
                )
    return summary


@login_required
@require_http_methods(["GET", "POST"])
def contribution_capture(request, pk):
    """Type up many contributions at once. Nothing is recorded until every row is right, and
    nothing typed is lost when one row has a problem."""
    activity = selectors.activity_get_for(
        user=request.user, pk=pk, may=Capability.MANAGE_ENGAGEMENT
    )
    contributors = capture_contributors(activity)
    # Names for staff who may see the register (and that is recorded); a reference otherwise.
    show_names = user_can(
        user=request.user,
        capability=Capability.VIEW_PEOPLE,
        organisation_id=activity.organisation_id,
    )
    if show_names and contributors and request.method == "GET":
        access_event_record(
            user=request.user,
            organisation_id=activity.organisation_id,
            subject=activity,
            description=f"People taking part in activity {activity.pk} listed to add contributions",
            path=request.path,
        )
    questions = list(activity.questions.all())
    data = posted(request)
    adding_rows = data is not None and "more_rows" in data
    if adding_rows:
        data = data.copy()
        total = _int_or_none(data.get("rows-TOTAL_FORMS")) or CAPTURE_ROWS
        data["rows-TOTAL_FORMS"] = str(min(total + CAPTURE_MORE_ROWS, CAPTURE_MAX_ROWS))
    formset = CaptureFormSet(
        data,
        prefix="rows",
        form_kwargs={
            "contributors": contributors,
            "questions": questions,
            "show_names": show_names,
        },
    )
    problems = []
    nothing_typed = False
    if data is not None and not adding_rows:
        rows = _capture_checked(activity, formset, contributors, questions, show_names=show_names)
        problems = _capture_error_summary(formset)
        if not problems and not rows:
            nothing_typed = True
            problems = [
                {
                    "text": "Type at least one contribution: every row is empty.",
                    "anchor": f"#{formset.forms[0]['text'].auto_id}" if formset.forms else "",
                }
            ]
        elif not problems:
            recorded = {}

            def create():
                created = services.contributions_capture(
                    actor=request.user, activity=activity, rows=rows
                )
                recorded["count"] = len(created)
                return reverse("engagement:activity_detail", args=[activity.pk])

            try:
                url, created = submit_once(request, create)
            except ValidationError as error:
                # Something changed between the check and the save (a consent withdrawn…).
                problems = [{"text": message, "anchor": ""} for message in error.messages]
            except PermissionDenied:
                raise Http404("No such activity") from None
            else:
                if created:
                    count = recorded["count"]
                    messages.success(
                        request, f"{count} contribution{'s' if count != 1 else ''} recorded."
                    )
                return redirect(url)
    return render(
        request,
        "engagement/contribution_capture.html",
        {
            "page_title": "Add contributions",
            "page_caption": activity.title,
            "breadcrumbs": _crumbs(
                {
                    "label": activity.title,
                    "url": reverse("engagement:activity_detail", args=[activity.pk]),
                },
                {"label": "Add contributions"},
            ),
            "activity": activity,
            "formset": formset,
            "problems": problems,
            "nothing_typed": nothing_typed,
            "has_contributors": bool(contributors),
            "has_questions": bool(questions),
            "can_add_rows": len(formset.forms) < CAPTURE_MAX_ROWS,
            "more_rows": CAPTURE_MORE_ROWS,
            "max_rows": CAPTURE_MAX_ROWS,
            # base.html starts the page's title with "Error:" when the form has errors.
            "form": {"errors": bool(problems)},
        },
    )


# ---------------------------------------------------------------------------------------------
# The list and its exports


@login_required
def contribution_list(request):
    _require(request.user, Capability.VIEW_ENGAGEMENT)
    filters = _filters(request)
    contributions = selectors.contribution_list_for(
        user=request.user, use=UseLevel.INTERNAL, **filters
    )
    page = Paginator(contributions, PAGE_SIZE).get_page(request.GET.get("page"))
    if _show_contributors(request.user, page.object_list):
        register_read_record(
            user=request.user,
            description=f"Contributions listed with contributors' names, page {page.number}",
            path=request.path,
        )
    activity_options = select_options(
        (
            (pk, f"{title} ({long_date(starts_on)})")
            for pk, title, starts_on in selectors.activity_list_for(user=request.user).values_list(
                "pk", "title", "starts_on"
            )
        ),
        selected=filters["activity_id"],
    )
    activity = None
    questions = []
    if filters["activity_id"]:
        try:
            activity = selectors.activity_get_for(user=request.user, pk=filters["activity_id"])
        except Http404:
            activity = None
        else:
            questions = list(activity.questions.all())
    return render(
        request,
        "engagement/contribution_list.html",
        {
            "page_title": "Contributions",
            "breadcrumbs": _crumbs({"label": "Contributions"}),
            "page_obj": page,
            "filters": filters,
            "activity": activity,
            "activity_options": activity_options,
            "questions": questions,
            "kinds": ContributionKind.choices,
            "uses": UseLevel.choices,
            "formats": FORMATS.items(),
            "filtered": any(filters.values()),
            "can_manage": user_can(user=request.user, capability=Capability.MANAGE_ENGAGEMENT),
        },
    )


def _export_rows(contributions, use: UseLevel):
    """One row per contribution, crediting the contributor as `use` allows (never a name
    unless the use is attributed or public, and then the credit they chose)."""
    shown_under = use.label
    for contribution in contributions.iterator(chunk_size=500):
        yield [
            contribution.reference,
            contribution.activity.title,
            contribution.question.text if contribution.question else "",
            contribution.get_kind_display(),
            contribution.text,
            contribution.credit_for(use),
            contribution.captured_on,
            shown_under,
            _use_label(selectors.widest_use_now(contribution)),
        ]


EXPORT_HEADERS = [
    "Reference",
    "Activity",
    "Question",
    "Kind",
    "What was said",
    "Contributor",
    "Captured on",
    "Shown under use",
    "Widest use agreed now",
]


@login_required
def contribution_export(request):
    """The contributions that may be used for the use chosen, as CSV or Excel."""
    _require(request.user, Capability.VIEW_ENGAGEMENT)
    use = _use_from(request.GET.get("use"))
    file_format = request.GET.get("format", "csv")
    if file_format not in FORMATS:
        file_format = "csv"
    contributions = selectors.contribution_list_for(user=request.user, use=use, **_filters(request))
    # What people said is personal data: the download is recorded, by organisation.
    for organisation in organisation_list_where(
        user=request.user, capability=Capability.VIEW_ENGAGEMENT
    ):
        access_event_record(
            user=request.user,
            organisation_id=organisation.pk,
            subject=organisation,
            description=f"Contributions exported for use: {use.label.lower()}",
            path=request.path,
            action=AccessEvent.Action.EXPORTED,
        )
    return table_response(
        filename=f"contributions-{USE_NAMES[use]}-{timezone.localdate():%Y-%m-%d}",
        headers=EXPORT_HEADERS,
        rows=_export_rows(contributions, use),
        file_format=file_format,
    )


# ---------------------------------------------------------------------------------------------
# One contribution


def _contribution_crumbs(contribution, *items):
    return _list_crumbs(
        {
            "label": contribution.reference,
            "url": reverse("engagement:contribution_detail", args=[contribution.pk]),
        },
        *items,
    )


@login_required
def contribution_detail(request, pk):
    contribution = selectors.contribution_get_for(user=request.user, pk=pk)
    if _show_contributors(request.user, [contribution]) and contribution.person is not None:
        person_read_record(
            user=request.user,
            person=contribution.person,
            what=f"named as the contributor of {contribution.reference}",
            path=request.path,
        )
    widest = selectors.widest_use_now(contribution)
    return render(
        request,
        "engagement/contribution_detail.html",
        {
            "page_title": f"Contribution {contribution.reference}",
            "page_caption": contribution.activity.title,
            "breadcrumbs": _list_crumbs({"label": contribution.reference}),
            "contribution": contribution,
            "widest": widest,
            "narrower_now": widest is not None and widest < contribution.use_level,
            "redactions": list(contribution.redactions.all()),
            "can_manage": user_can(
                user=request.user,
                capability=Capability.MANAGE_ENGAGEMENT,
                organisation_id=contribution.organisation_id,
            ),
        },
    )


def _acting_on(request, pk):
    """A contribution to act on for its contributor, and its words only if they may be shown
    inside the organisation now (someone who said no to being quoted can still ask for words
    to go, but staff don't read them)."""
    contribution = selectors.contribution_get_for_acting(user=request.user, pk=pk)
    try:
        shown = selectors.contribution_get_for(
            user=request.user, pk=pk, may=Capability.MANAGE_ENGAGEMENT
        )
    except Http404:
        shown = None
    return contribution, shown


def _after_acting(shown):
    if shown is not None and selectors.contribution_may_be_shown(shown, use=UseLevel.INTERNAL):
        return reverse("engagement:contribution_detail", args=[shown.pk])
    return reverse("engagement:contribution_list")


@login_required
@require_http_methods(["GET", "POST"])
def contribution_redact(request, pk):
    contribution, shown = _acting_on(request, pk)
    form = RedactForm(posted(request), from_group=contribution.is_from_group)
    if request.method == "POST" and form.is_valid():

        def create():
            services.contribution_redact(
                user=request.user,
                contribution=contribution,
                words=form.cleaned_data["words"],
                reason=form.cleaned_data["reason"],
                by_person=False,
            )
            return _after_acting(shown)

        done = submit_form_once(
            request,
            form,
            create,
            success=f"Done. The words were removed from {contribution.reference} and replaced "
            f"by “{REDACTED}”. We haven't kept them.",
        )
        if done is not None:
            return done
    crumbs = (
        _contribution_crumbs(shown, {"label": "Remove words"})
        if shown
        else _list_crumbs({"label": f"Remove words from {contribution.reference}"})
    )
    return render(
        request,
        "engagement/contribution_redact.html",
        {
            "page_title": "Remove words",
            "page_caption": f"Contribution {contribution.reference}",
            "breadcrumbs": crumbs,
            "contribution": contribution,
            "shown": shown,
            "form": form,
            "cancel_url": _after_acting(shown),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_withdraw(request, pk):
    contribution, shown = _acting_on(request, pk)
    if request.method == "POST":
        activity_url = reverse("engagement:activity_detail", args=[contribution.activity_id])

        def create():
            services.contribution_withdraw(
                user=request.user, contribution=contribution, by_person=False
            )
            return activity_url

        try:
            url, created = submit_once(request, create)
        except PermissionDenied:
            raise Http404("No such contribution") from None
        if created:
            purge_on = timezone.localdate() + datetime.timedelta(
                days=settings.CONTRIBUTION_PURGE_DAYS
            )
            messages.success(
                request,
                f"Contribution {contribution.reference} withdrawn. It no longer shows anywhere. "
                f"Its words will be deleted by {purge_on:%-d %B %Y}.",
            )
        return redirect(url)
    crumbs = (
        _contribution_crumbs(shown, {"label": "Withdraw"})
        if shown
        else _list_crumbs({"label": f"Withdraw {contribution.reference}"})
    )
    return render(
        request,
        "engagement/contribution_withdraw.html",
        {
            "page_title": "Withdraw this contribution?",
            "page_caption": f"Contribution {contribution.reference}",
            "breadcrumbs": crumbs,
            "contribution": contribution,
            "shown": shown,
            "cancel_url": _after_acting(shown),
            "purge_days": settings.CONTRIBUTION_PURGE_DAYS,
        },
    )


# ---------------------------------------------------------------------------------------------
# On the activity's page


def activity_contributions_context(request, activity) -> dict:
    """Context for templates/engagement/_activity_contributions.html on the activity page: the
    activity's contributions that may be shown inside the organisation (the first 20, with a
    link to the rest), and how many others there are (withdrawn, or not agreed for use), as a
    number only."""
    contributions = selectors.contribution_list_for(
        user=request.user, use=UseLevel.INTERNAL, activity_id=activity.pk
    )
    first = list(contributions[:ACTIVITY_PAGE_SIZE])
    shown_count = len(first) if len(first) < ACTIVITY_PAGE_SIZE else contributions.count()
    if _show_contributors(request.user, first):
        register_read_record(
            user=request.user,
            description=f"Contributions to activity {activity.pk} listed with contributors' names",
            path=request.path,
        )
    hidden_count = max(activity.contributions.count() - shown_count, 0)
    return {
        "contributions_items": first,
        "contributions_count": shown_count,
        "contributions_hidden_count": hidden_count,
        "contributions_more_count": max(shown_count - len(first), 0),
        "contributions_list_url": reverse("engagement:contribution_list")
        + f"?activity={activity.pk}",
        "contributions_can_capture": user_can(
            user=request.user,
            capability=Capability.MANAGE_ENGAGEMENT,
            organisation_id=activity.organisation_id,
        ),
        "contributions_capture_url": reverse("engagement:contribution_capture", args=[activity.pk]),
    }

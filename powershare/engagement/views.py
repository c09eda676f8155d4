"""The staff pages about activities: the list and its export, planning and changing an
activity, its page, cancelling it, an organisation's settings, and the ladder report with its
chart.

Seeing activities needs VIEW_ENGAGEMENT; planning, changing and cancelling them, and the
settings, need MANAGE_ENGAGEMENT in the activity's organisation. Anything else answers 404.
The invitations and contributions sections of an activity's page are built in
invitation_views and contribution_views.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP
from django.utils.http import urlencode
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts import selectors as account_selectors
from powershare.accounts.roles import Capability
from powershare.audit.selectors import history_for_record
from powershare.lib import charts
from powershare.lib.exports import FORMATS, table_response
from powershare.lib.forms import form_errors_to_fields, posted, search_term
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .forms import ActivityForm, EngagementSettingsForm
from .models import LUNDY_CHECKS, ActivityKind

PAGE_SIZE = 25
EXPORT_CHUNK = 1000


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Activities", "url": reverse("engagement:activity_list")},
        *items,
    ]


def _activity_crumbs(activity, *items):
    return _crumbs(
        {"label": activity.title, "url": reverse("engagement:activity_detail", args=[activity.pk])},
        *items,
    )


def _require(user, capability):
    if not account_selectors.user_can(user=user, capability=capability):
        raise Http404("No such page")


def _can(user, capability, organisation_id=None) -> bool:
    return account_selectors.user_can(
        user=user, capability=capability, organisation_id=organisation_id
    )


def _whole_number(value: str | None) -> int | None:
    """A positive whole number from the query string, or None."""
    if value is None or not value.isdigit() or len(value) > 9:
        return None
    return int(value)


def _chosen_organisation(request, organisations):
    """The organisation named by ?organisation=, or the first one; 404 for any other."""
    wanted = request.GET.get("organisation")
    if wanted in (None, ""):
        return organisations[0]
    found = next((o for o in organisations if str(o.pk) == wanted), None)
    if found is None:
        raise Http404("No such organisation")
    return found


# ---------------------------------------------------------------------------------------------
# The list and its export


def _list_filters(request) -> dict:
    kind = request.GET.get("kind", "")
    when = request.GET.get("when", "")
    year = _whole_number(request.GET.get("year"))
    return {
        "search": search_term(request),
        "kind": kind if kind in ActivityKind.values else "",
        "when": when if when in selectors.ACTIVITY_FILTERS["when"] else "",
        "year": year if year and 1900 <= year <= 2200 else None,
        "feedback": "overdue" if request.GET.get("feedback") == "overdue" else "",
    }


def _filtered_activities(user, filters):
    activities = selectors.activity_list_for(
        user=user,
        search=filters["search"],
        kind=filters["kind"],
        when=filters["when"],
        year=filters["year"],
    )
    if filters["feedback"] == "overdue":
        # Overdue means the promised date has passed and the loop is not closed.
        from powershare.accountability.selectors import with_loop_status

        activities = with_loop_status(activities).filter(is_overdue=True)
    return activities


def _filter_query(filters) -> str:
    """The list's filters as a query string, for the export links."""
    params = {
        "q": filters["search"],
        "kind": filters["kind"],
        "when": filters["when"],
        "year": filters["year"] or "",
        "feedback": filters["feedback"],
    }
    return urlencode({key: value for key, value in params.items() if value})


@login_required
def activity_list(request):
    _require(request.user, Capability.VIEW_ENGAGEMENT)
    filters = _list_filters(request)
    page = Paginator(_filtered_activities(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = _filter_query(filters)
    export_url = reverse("engagement:activity_export") + "?" + (f"{query}&" if query else "")
    return render(
        request,
        "engagement/activity_list.html",
        {
            "page_title": "Activities",
            "breadcrumbs": [{"label": "Home", "url": reverse("home")}, {"label": "Activities"}],
            "page_obj": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "kinds": ActivityKind.choices,
            "whens": selectors.ACTIVITY_FILTERS["when"].items(),
            "years": selectors.activity_years_for(user=request.user),
            "export_links": [
                (label, f"{export_url}format={file_format}")
                for file_format, label in FORMATS.items()
            ],
            "several_organisations": len(
                account_selectors.organisation_ids_where(
                    user=request.user, capability=Capability.VIEW_ENGAGEMENT
                )
            )
            > 1,
            "today": timezone.localdate(),
            "can_manage": _can(request.user, Capability.MANAGE_ENGAGEMENT),
        },
    )


EXPORT_HEADERS = [
    "Activity ID",
    "Title",
    "Kind",
    "Organisation",
    "Starts",
    "Ends",
    "Setting",
    "Venue",
    "Rung",
    "Ladder",
    *[f"Lundy: {label.lower()}" for _key, label, _hint in LUNDY_CHECKS],
    "Invited",
    "Taking part",
    "Contributions that may be shown inside the organisation",
    "Feedback due",
    "Cancelled on",
]

_LUNDY_WORDS = {True: "Yes", False: "No", None: "Not yet"}


def _export_row(activity) -> list:
    return [
        activity.pk,
        activity.title,
        activity.get_kind_display(),
        activity.organisation.name,
        activity.starts_on,
        activity.ends_on,
        activity.get_setting_display(),
        activity.venue,
        f"{activity.rung.position}. {activity.rung.name}",
        activity.ladder.name,
        *[_LUNDY_WORDS[getattr(activity, f"lundy_{key}")] for key, _l, _h in LUNDY_CHECKS],
        activity.invited_count,
        activity.taking_part_count,
        activity.contribution_count,
        activity.feedback_due_on,
        timezone.localdate(activity.cancelled_at) if activity.cancelled_at else "",
    ]


@login_required
@require_GET
def activity_export(request):
    """The list as CSV or XLSX, with the list's filters. Facts about activities only: no
    personal data and none of what people said."""
    _require(request.user, Capability.VIEW_ENGAGEMENT)
    file_format = request.GET.get("format", "csv")
    if file_format not in FORMATS:
        raise Http404("No such format")
    activities = _filtered_activities(request.user, _list_filters(request))
    return table_response(
        filename=f"activities-{timezone.localdate():%Y-%m-%d}",
        headers=EXPORT_HEADERS,
        rows=(_export_row(a) for a in activities.iterator(chunk_size=EXPORT_CHUNK)),
        file_format=file_format,
    )


# ---------------------------------------------------------------------------------------------
# Planning and changing an activity


def _activity_form(request, *, organisations, activity=None):
    organisation_ids = [activity.organisation_id] if activity else [o.pk for o in organisations]
    settings_for = {
        organisation.pk: selectors.engagement_settings_for(organisation_id=organisation.pk)
        for organisation in organisations
    }
    default_ladder_ids = {s.default_ladder_id for s in settings_for.values()}
    return ActivityForm(
        posted(request),
        instance=activity,
        organisations=None if activity else organisations,
        rungs=selectors.rung_choices_for(organisation_ids=organisation_ids, activity=activity),
        partner_choices=account_selectors.organisation_partner_choices(
            exclude_ids=organisation_ids
        ),
        feedback_days={o.display_name: settings_for[o.pk].feedback_due_days for o in organisations},
        default_ladder_id=default_ladder_ids.pop() if len(default_ladder_ids) == 1 else None,
    )


def _ladder_errors_on_rung(error: ValidationError) -> ValidationError:
    """A service's complaint about the ladder is about the rung chosen on this form (the
    ladder is the rung's own)."""
    if hasattr(error, "error_dict") and "ladder" in error.error_dict:
        errors = dict(error.error_dict)
        errors["rung"] = [*errors.get("rung", []), *errors.pop("ladder")]
        return ValidationError(errors)
    return error


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    # A queryset (read once, then from its cache): the organisation question chooses from it.
    organisations = account_selectors.organisation_list_where(
        user=request.user, capability=Capability.MANAGE_ENGAGEMENT
    ).order_by("name")
    if not organisations:
        raise Http404("No such page")
    form = _activity_form(request, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data.get("organisation") or organisations[0]
        fields = form.activity_fields()
        questions = form.cleaned_data["questions"]
        partners = list(form.cleaned_data["partners"])

        def create():
            try:
                activity = services.activity_create(
                    actor=request.user,
                    organisation_id=organisation.pk,
                    questions=questions,
                    partners=partners,
                    **fields,
                )
            except ValidationError as error:
                raise _ladder_errors_on_rung(error) from None
            return reverse("engagement:activity_detail", args=[activity.pk])

        response = submit_form_once(
            request,
            form,
            create,
            success=f"“{fields['title']}” has been planned. Next, invite people to it.",
        )
        if response:
            return response
    return render(
        request,
        "engagement/activity_form.html",
        {
            "page_title": "Plan an activity",
            "breadcrumbs": _crumbs({"label": "Plan an activity"}),
            "form": form,
            "submit_label": "Plan activity",
            "creating": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    activity = selectors.activity_get_for(
        user=request.user, pk=pk, may=Capability.MANAGE_ENGAGEMENT
    )
    # The form works on a copy, so the page keeps the activity as saved if a change fails.
    form = _activity_form(
        request, organisations=[activity.organisation], activity=copy.copy(activity)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                actor=request.user,
                activity=activity,
                questions=form.cleaned_data["questions"],
                partners=list(form.cleaned_data["partners"]),
                **form.activity_fields(),
            )
        except ValidationError as error:
            form_errors_to_fields(form, _ladder_errors_on_rung(error))
        except PermissionDenied:
            raise Http404("No such activity") from None
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect("engagement:activity_detail", pk=activity.pk)
    return render(
        request,
        "engagement/activity_form.html",
        {
            "page_title": f"Change “{activity.title}”",
            "breadcrumbs": _activity_crumbs(activity, {"label": "Change"}),
            "form": form,
            "submit_label": "Save changes",
            "activity": activity,
        },
    )


# ---------------------------------------------------------------------------------------------
# An activity's page, and cancelling it


@login_required
def activity_detail(request, pk):
    from . import contribution_views, invitation_views

    activity = selectors.activity_get_for(user=request.user, pk=pk)
    user = request.user
    organisation_id = activity.organisation_id
    can_manage = _can(user, Capability.MANAGE_ENGAGEMENT, organisation_id)
    felt_say = selectors.felt_say_for_activity(activity=activity)
    from powershare.accountability.selectors import activity_loop_get, loop_state_label

    loop = activity_loop_get(activity=activity)
    context = {
        **invitation_views.activity_invitations_context(request, activity),
        **contribution_views.activity_contributions_context(request, activity),
    }
    context.update(
        {
            "page_title": activity.title,
            "page_caption": f"{activity.get_kind_display()} · {activity.organisation.display_name}",
            "breadcrumbs": _crumbs({"label": activity.title}),
            "activity": activity,
            "questions": list(activity.questions.all()),
            "partners": list(activity.partners.all()),
            "lundy": activity.lundy(),
            "feedback_overdue": loop.is_overdue,
            "loop": loop,
            "loop_label": loop_state_label(loop.loop_state),
            "felt_say": felt_say,
            "felt_say_total": sum(row.felt_count for row in felt_say),
            "can_manage": can_manage,
            "can_invite": can_manage
            and not activity.is_cancelled
            and not activity.has_ended
            and _can(user, Capability.VIEW_PEOPLE, organisation_id),
            "history": history_for_record(record=activity)[:20],
        }
    )
    if _can(user, Capability.VIEW_PAYMENTS, organisation_id):
        from powershare.payments.selectors import activity_payment_summary

        context["payments"] = activity_payment_summary(activity=activity)
    return render(request, "engagement/activity_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_cancel(request, pk):
    activity = selectors.activity_get_for(
        user=request.user, pk=pk, may=Capability.MANAGE_ENGAGEMENT
    )
    if request.method == "POST" and not activity.is_cancelled:
        try:
            services.activity_cancel(actor=request.user, activity=activity)
        except PermissionDenied:
            raise Http404("No such activity") from None
        messages.success(
            request,
            f"“{activity.title}” has been cancelled. What people already said stays with it.",
        )
        return redirect("engagement:activity_detail", pk=activity.pk)
    return render(
        request,
        "engagement/activity_cancel.html",
        {
            "page_title": f"Cancel “{activity.title}”?",
            "breadcrumbs": _activity_crumbs(activity, {"label": "Cancel"}),
            "activity": activity,
        },
    )


# ---------------------------------------------------------------------------------------------
# Settings


@login_required
@require_http_methods(["GET", "POST"])
def engagement_settings(request):
    organisations = list(
        account_selectors.organisation_list_where(
            user=request.user, capability=Capability.MANAGE_ENGAGEMENT
        ).order_by("name")
    )
    if not organisations:
        raise Http404("No such page")
    organisation = _chosen_organisation(request, organisations)
    current = selectors.engagement_settings_for(organisation_id=organisation.pk)
    ladders = selectors.ladder_list_for(organisation_ids=[organisation.pk])
    form = EngagementSettingsForm(
        posted(request),
        ladders=ladders,
        initial={
            "feedback_due_days": current.feedback_due_days,
            "default_ladder": current.default_ladder_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_settings_update(
                actor=request.user,
                organisation_id=organisation.pk,
                feedback_due_days=form.cleaned_data["feedback_due_days"],
                default_ladder=form.cleaned_data["default_ladder"],
            )
        except ValidationError as error:
            form_errors_to_fields(form, error)
        else:
            messages.success(request, f"{organisation.display_name}'s settings have been saved.")
            url = reverse("engagement:settings")
            if len(organisations) > 1:
                url += "?" + urlencode({"organisation": organisation.pk})
            return redirect(url)
    return render(
        request,
        "engagement/settings.html",
        {
            "page_title": "Settings for activities",
            "breadcrumbs": _crumbs({"label": "Settings"}),
            "form": form,
            "organisation": organisation,
            "organisations": organisations,
            "ladders": ladders,
        },
    )


# ---------------------------------------------------------------------------------------------
# The ladder report and its chart


def _percent(count: int, total: int) -> float:
    return 100 * count / total if total else 0


def _with_base(count: int, total: int) -> str:
    return f"{count} of {total} ({round(_percent(count, total))}%)" if total else f"{count}"


def _names(rows) -> str:
    """'Consultation', or 'Informing, Consultation and Partnership'."""
    names = [row.rung.name for row in rows]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def ladder_summary(report) -> str:
    """One sentence saying where most activities sat and what people most often said."""
    if report.activity_count == 1:
        staff = f"The only activity sat at {_names(r for r in report.rows if r.staff_count)}"
    elif report.activity_count:
        most = max(row.staff_count for row in report.rows)
        top = [row for row in report.rows if row.staff_count == most]
        staff = (
            f"Most activities ({most} of {report.activity_count}) sat at {_names(top)}"
            if len(top) == 1
            else f"Activities sat most often at {_names(top)} ({most} of "
            f"{report.activity_count} each)"
        )
    else:
        staff = "No activities were placed on this ladder"
    if report.felt_answer_count:
        most = max(row.felt_count for row in report.rows)
        top = [row for row in report.rows if row.felt_count == most]
        felt = f"people who took part most often said {_names(top)} ({most} of " + (
            f"{report.felt_answer_count})" if len(top) == 1 else f"{report.felt_answer_count} each)"
        )
    else:
        felt = "no one who took part has said yet how much say they felt they had"
    return f"{staff}; {felt}."


def _report_parameters(request, organisations):
    organisation = _chosen_organisation(request, organisations)
    wanted = request.GET.get("year")
    year = timezone.localdate().year if wanted in (None, "") else _whole_number(wanted)
    if year is None or not 1900 <= year <= 2200:
        raise Http404("No such year")
    return organisation, year


def _report_organisations(user):
    organisations = list(
        account_selectors.organisation_list_where(
            user=user, capability=Capability.VIEW_ENGAGEMENT
        ).order_by("name")
    )
    if not organisations:
        raise Http404("No such page")
    return organisations


@login_required
@require_GET
def ladder_report(request):
    organisations = _report_organisations(request.user)
    organisation, year = _report_parameters(request, organisations)
    reports = selectors.ladder_report(user=request.user, organisation_id=organisation.pk, year=year)
    ladders = []
    for report in reports:
        query = {"organisation": organisation.pk, "year": year, "ladder": report.ladder.pk}
        ladders.append(
            {
                "report": report,
                "rows": [
                    {
                        "rung": row.rung,
                        "staff": _with_base(row.staff_count, report.activity_count),
                        "felt": _with_base(row.felt_count, report.felt_answer_count),
                        "staff_count": row.staff_count,
                        "felt_count": row.felt_count,
                    }
                    for row in reversed(report.rows)
                ],
                "summary": ladder_summary(report),
                "chart_url": reverse("engagement:ladder_chart") + "?" + urlencode(query),
            }
        )
    return render(
        request,
        "engagement/ladder_report.html",
        {
            "page_title": "Ladder of participation report",
            "breadcrumbs": _crumbs({"label": "Ladder report"}),
            "organisation": organisation,
            "organisations": organisations,
            "year": year,
            "years": selectors.activity_years_for(user=request.user),
            "ladders": ladders,
        },
    )


def _chart_svg(report, *, organisation, year) -> str:
    rows = list(reversed(report.rows))  # the top of the ladder at the top of the chart
    return charts.horizontal_grouped_bar_chart(
        title=f"{report.ladder.name}: {organisation.display_name}, {year}",
        description=(
            "Bar chart of each rung: the share of activities staff placed there, beside the "
            "share of people who took part who said they had that much say. "
            + ladder_summary(report)
        ),
        categories=[f"{row.rung.position}. {row.rung.name}" for row in rows],
        series=[
            charts.Series(
                name=f"Activities, as staff placed them ({report.activity_count})",
                values=[_percent(row.staff_count, report.activity_count) for row in rows],
                labels=[_with_base(row.staff_count, report.activity_count) for row in rows],
                colour=charts.BLUE,
            ),
            charts.Series(
                name=f"What people who took part said ({report.felt_answer_count})",
                values=[_percent(row.felt_count, report.felt_answer_count) for row in rows],
                labels=[_with_base(row.felt_count, report.felt_answer_count) for row in rows],
                colour=charts.GREY,
            ),
        ],
        value_axis_label="Share of each group (%)",
        category_axis_label="Rung, from the most say (top) to the least",
        value_max=100,
        value_suffix="%",
    )


@login_required
@require_GET
@csp_override(
    {
        "default-src": [CSP.NONE],
        # matplotlib styles the drawing with style attributes; the file carries no script.
        "style-src": [CSP.UNSAFE_INLINE],
        "frame-ancestors": [CSP.SELF],
    }
)
def ladder_chart(request):
    organisations = _report_organisations(request.user)
    if not request.GET.get("organisation") or not request.GET.get("year"):
        raise Http404("No such chart")
    organisation, year = _report_parameters(request, organisations)
    ladder_id = _whole_number(request.GET.get("ladder"))
    report = next(
        (
            r
            for r in selectors.ladder_report(
                user=request.user, organisation_id=organisation.pk, year=year
            )
            if r.ladder.pk == ladder_id
        ),
        None,
    )
    if report is None:
        raise Http404("No such chart")
    response = HttpResponse(
        _chart_svg(report, organisation=organisation, year=year),
        content_type="image/svg+xml; charset=utf-8",
    )
    # Only the person's browser may keep it (PrivateResponsesMiddleware adds no-store too).
    patch_cache_control(response, private=True)
    return response

"""Staff pages about learning: the overview, settings, learning products with their versions,
outcomes and co-design record, and attendance totals across a product's deliveries.

Seeing learning needs VIEW_LEARNING in the product's organisation; changing it MANAGE_LEARNING
there. Anything else answers 404, never 403. What people with lived experience said is shown
only through the consent rule (selectors.co_design_record, selectors.co_design_choices).
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import (
    organisation_ids_where,
    organisation_list_where,
    user_can,
)
from powershare.audit.selectors import history_for_record
from powershare.engagement.models import UseLevel
from powershare.lib import charts
from powershare.lib.forms import add_organisation_choice, form_errors_to_fields, posted, search_term
from powershare.lib.forms import save_or_show as lib_save_or_show
from powershare.system.submissions import submit_once

from . import selectors, services
from .models import ProductStatus
from .product_forms import (
    STATUS_CHANGES,
    CoDesignForm,
    LearningSettingsForm,
    OutcomesForm,
    ProductForm,
    ProductStatusForm,
    VersionCreateForm,
    outcome_initial,
    outcome_inputs_for,
    product_initial,
)

PAGE_SIZE = 50
#: How many sessions, materials and deliveries the overview lists in each part.
HOME_ROWS = 10
#: Registers older than this are no longer chased on the overview.
REGISTER_DAYS = 60
#: How many contributions and activities the co-design page offers at once (search for more).
CHOICES_SHOWN = 200
#: How many of a product's questionnaires its page lists (the list page has them all).
QUESTIONNAIRES_SHOWN = 10
#: Service error keys that belong to a differently named field on these forms.
FIELD_FOR = {"session_minutes": "session_length", "outcomes": "outcome_1", "slug": "title"}


# ---------------------------------------------------------------------------------------------
# Helpers


def _crumbs(*items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Learning", "url": reverse("learning:home")},
        *items,
    ]


def _products_crumbs(*items):
    return _crumbs({"label": "Learning products", "url": reverse("learning:product_list")}, *items)


def _product_crumbs(product, *items):
    return _products_crumbs(
        {"label": product.title, "url": reverse("learning:product_detail", args=[product.pk])},
        *items,
    )


def _version_crumbs(version, *items):
    return _product_crumbs(
        version.product,
        {
            "label": f"Version {version.number}",
            "url": reverse("learning:version_detail", args=[version.pk]),
        },
        *items,
    )


def _require(user, capability=Capability.VIEW_LEARNING):
    if not user_can(user=user, capability=capability):
        raise Http404("No such page")


def _can_manage(user, organisation_id) -> bool:
    return user_can(
        user=user, capability=Capability.MANAGE_LEARNING, organisation_id=organisation_id
    )


def errors_to_form(form, error: ValidationError, field_for: dict | None = None) -> None:
    """A service's refusal on the form, with learning's names for its fields (FIELD_FOR)."""
    form_errors_to_fields(form, error, {**FIELD_FOR, **(field_for or {})})


def save_or_show(form, act, field_for: dict | None = None) -> bool:
    """lib.forms.save_or_show with learning's names for the form's fields (FIELD_FOR)."""
    return lib_save_or_show(form, act, field_for={**FIELD_FOR, **(field_for or {})})


def materials_with_labels(version) -> list:
    """A version's materials, each with `use_label`: how it uses the words it quotes."""
    materials = list(selectors.material_list_for_version(version=version)) if version else []
    for material in materials:
        try:
            material.use_label = UseLevel(material.use_level).label
        except ValueError:
            material.use_label = ""
    return materials


def _several_organisations(user) -> bool:
    return len(organisation_ids_where(user=user, capability=Capability.VIEW_LEARNING)) > 1


# ---------------------------------------------------------------------------------------------
# The overview and settings


@login_required
@require_GET
def learning_home(request, **kwargs):
    """Learning that needs attention first: your next sessions, registers not yet taken,
    materials that quote words that can no longer be used, and teams without lived experience."""
    user = request.user
    _require(user)
    today = timezone.localdate()
    yours = list(
        selectors.sessions_with_places(selectors.staff_sessions_for(user=user, since=today))[
            :HOME_ROWS
        ]
    )
    others = list(
        selectors.sessions_upcoming_for(user=user, since=today).exclude(
            pk__in=[s.pk for s in yours]
        )[:HOME_ROWS]
    )
    can_record = user_can(user=user, capability=Capability.RECORD_ATTENDANCE)
    registers = (
        list(
            selectors.registers_not_taken_for(
                user=user, today=today, since=today - datetime.timedelta(days=REGISTER_DAYS)
            )[:HOME_ROWS]
        )
        if can_record
        else []
    )
    materials = selectors.materials_needing_update_for(user=user)
    teams = selectors.delivery_list_for(user=user).filter(
        has_lived_experience=False, no_lived_experience_reason=""
    )
    return render(
        request,
        "learning/home.html",
        {
            "page_title": "Learning",
            "breadcrumbs": [{"label": "Home", "url": reverse("home")}, {"label": "Learning"}],
            "your_sessions": yours,
            "other_sessions": others,
            "registers": registers,
            "can_record": can_record,
            "materials": list(materials[:HOME_ROWS]),
            "materials_count": materials.count(),
            "teams": list(teams[:HOME_ROWS]),
            "teams_count": teams.count(),
            "can_manage": user_can(user=user, capability=Capability.MANAGE_LEARNING),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def learning_settings(request, **kwargs):
    """How long learners' details are kept, and how long an offered place is held. With
    several organisations, ?organisation= chooses which."""
    user = request.user
    organisations = list(
        organisation_list_where(user=user, capability=Capability.MANAGE_LEARNING).order_by("name")
    )
    if not organisations:
        raise Http404("No such page")
    chosen = request.GET.get("organisation", "")
    organisation = next((o for o in organisations if str(o.pk) == chosen), organisations[0])
    current = selectors.learning_settings_for(organisation_id=organisation.pk)
    form = LearningSettingsForm(
        posted(request),
        initial={
            "learner_retention_days": current.learner_retention_days,
            "offer_hours": current.offer_hours,
        },
    )
    if request.method == "POST" and form.is_valid():

        def act():
            services.learning_settings_update(
                actor=user, organisation_id=organisation.pk, **form.cleaned_data
            )

        if save_or_show(form, act):
            messages.success(request, "The learning settings have been saved.")
            url = reverse("learning:settings")
            if len(organisations) > 1:
                url += f"?organisation={organisation.pk}"
            return redirect(url)
    return render(
        request,
        "learning/settings.html",
        {
            "page_title": "Learning settings",
            "page_caption": organisation.display_name,
            "breadcrumbs": _crumbs({"label": "Settings"}),
            "form": form,
            "organisation": organisation,
            "organisations": organisations,
        },
    )


# ---------------------------------------------------------------------------------------------
# Products


@login_required
@require_GET
def product_list(request, **kwargs):
    user = request.user
    _require(user)
    search = search_term(request)
    status = request.GET.get("status", "")
    if status not in ProductStatus.values:
        status = ""
    rows = selectors.product_list_for(user=user, search=search, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/product_list.html",
        {
            "page_title": "Learning products",
            "breadcrumbs": _crumbs({"label": "Learning products"}),
            "page_obj": page,
            "search": search,
            "status": status,
            "statuses": ProductStatus.choices,
            "filtered": bool(search or status),
            "several_organisations": _several_organisations(user),
            "can_manage": user_can(user=user, capability=Capability.MANAGE_LEARNING),
        },
    )


def _owners_initial(form, user, owners) -> None:
    if owners.filter(pk=user.pk).exists():
        form.initial.setdefault("owner", user.pk)


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request, **kwargs):
    user = request.user
    _require(user, Capability.MANAGE_LEARNING)
    manage_ids = organisation_ids_where(user=user, capability=Capability.MANAGE_LEARNING)
    owners = selectors.learning_owner_choices(organisation_ids=manage_ids)
    form = ProductForm(
        posted(request),
        owners=owners,
        initial={"sessions_planned": 1, "session_length_unit": "hours"},
    )
    _owners_initial(form, user, owners)
    add_organisation_choice(
        form,
        organisation_list_where(user=user, capability=Capability.MANAGE_LEARNING).order_by("name"),
        label="Which organisation is it for?",
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data.get("organisation")

        def create():
            product = services.product_create(
                actor=user,
                organisation_id=organisation.pk if organisation else manage_ids[0],
                outcomes=form.outcomes(),
                **form.product_fields(),
            )
            return reverse("learning:product_detail", args=[product.pk])

        done = _submit_once(
            request,
            form,
            create,
            success="The learning product is saved as a draft. Add its materials, record who "
            "shaped it, then publish it.",
        )
        if done is not None:
            return done
    return render(
        request,
        "learning/product_form.html",
        {
            "page_title": "Add a learning product",
            "breadcrumbs": _products_crumbs({"label": "Add a product"}),
            "form": form,
            "cancel_url": reverse("learning:product_list"),
            "button": "Save as a draft",
        },
    )


def _submit_once(request, form, create, *, success: str):
    """Run `create()` once for this form as sent (a double click saves nothing new), and go to
    the address it returns; a refusal lands on the form's fields, and None is returned."""
    try:
        url, created = submit_once(request, create)
    except ValidationError as error:
        errors_to_form(form, error)
        return None
    except PermissionDenied:
        raise Http404("No such page") from None
    if created and success:
        messages.success(request, success)
    return redirect(url)


@login_required
@require_GET
def product_detail(request, pk, **kwargs):
    user = request.user
    product = selectors.product_get_for(user=user, pk=pk)
    version = selectors.version_current(product=product)
    record = selectors.co_design_record(product=product)
    deliveries = selectors.delivery_list_for(user=user, product=product)
    can_manage = _can_manage(user, product.organisation_id)
    # Its evaluation (imported here: evaluation imports learning).
    from powershare.evaluation import selectors as evaluation_selectors

    questionnaires = evaluation_selectors.questionnaire_list_for(user=user, product=product)
    return render(
        request,
        "learning/product_detail.html",
        {
            "page_title": product.title,
            "page_caption": "Learning product",
            "breadcrumbs": _products_crumbs({"label": product.title}),
            "product": product,
            "version": version,
            "version_locked": version is not None and selectors.version_is_locked(version=version),
            "outcomes": list(version.outcomes.all()) if version else [],
            "versions": list(selectors.version_list(product=product)),
            "record": record,
            "materials": materials_with_labels(version),
            "deliveries": list(deliveries[:PAGE_SIZE]),
            "deliveries_count": deliveries.count(),
            "table": selectors.product_attendance_totals(user=user, product=product),
            "can_manage": can_manage,
            "several_organisations": _several_organisations(user),
            "status_changes": [
                (value, label)
                for value, (label, _meaning) in STATUS_CHANGES.items()
                if value != product.status
            ],
            "history": history_for_record(record=product)[:20] if can_manage else [],
            "questionnaires": list(questionnaires[:QUESTIONNAIRES_SHOWN]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk, **kwargs):
    user = request.user
    product = selectors.product_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    version = selectors.version_current(product=product)
    locked = version is None or selectors.version_is_locked(version=version)
    outcomes = list(version.outcomes.all()) if version else []
    owners = selectors.learning_owner_choices(organisation_ids=[product.organisation_id])
    form = ProductForm(
        posted(request),
        owners=owners,
        outcomes=None if locked else outcome_inputs_for(len(outcomes)),
        initial={**product_initial(product), **outcome_initial(outcomes)},
    )
    if request.method == "POST" and form.is_valid():

        def act():
            with transaction.atomic():
                services.product_update(actor=user, product=product, **form.product_fields())
                if not locked:
                    services.version_outcomes_set(
                        actor=user, version=version, outcomes=form.outcomes()
                    )

        if save_or_show(form, act):
            messages.success(request, "The learning product has been changed.")
            return redirect("learning:product_detail", pk=product.pk)
    return render(
        request,
        "learning/product_form.html",
        {
            "page_title": "Change the learning product",
            "page_caption": product.title,
            "breadcrumbs": _product_crumbs(product, {"label": "Change"}),
            "form": form,
            "product": product,
            "version": version,
            "locked_outcomes": outcomes if locked else None,
            "cancel_url": reverse("learning:product_detail", args=[product.pk]),
            "button": "Save changes",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_status(request, pk, **kwargs):
    """Publish, retire, or put back to draft: a page that says what each one means."""
    user = request.user
    product = selectors.product_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    wanted = request.GET.get("to", "")
    form = ProductStatusForm(
        posted(request),
        current=product.status,
        initial={"status": wanted} if wanted in ProductStatus.values else {},
    )
    if request.method == "POST" and form.is_valid():
        status = form.cleaned_data["status"]

        def act():
            services.product_status_set(actor=user, product=product, status=status)

        if save_or_show(form, act):
            messages.success(
                request,
                {
                    ProductStatus.PUBLISHED: "Published. Deliveries can now be planned and booked.",
                    ProductStatus.RETIRED: "Retired. No new deliveries can be planned.",
                    ProductStatus.DRAFT: "Put back to draft.",
                }[status],
            )
            return redirect("learning:product_detail", pk=product.pk)
    return render(
        request,
        "learning/product_status.html",
        {
            "page_title": "Change the product's status",
            "page_caption": product.title,
            "breadcrumbs": _product_crumbs(product, {"label": "Status"}),
            "product": product,
            "form": form,
        },
    )


# ---------------------------------------------------------------------------------------------
# The co-design record


def _matching(contributions, search: str):
    if not search:
        return contributions
    return contributions.filter(Q(text__icontains=search) | Q(activity__title__icontains=search))


@login_required
@require_http_methods(["GET", "POST"])
def product_co_design(request, pk, **kwargs):
    """Choose the activities and contributions that shaped the product. Only the organisation's
    own, and only contributions usable inside it today; ones recorded before that can no longer
    be shown stay in the record, unseen."""
    user = request.user
    product = selectors.product_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    record = selectors.co_design_record(product=product)
    choices = selectors.co_design_choices(product=product)
    search = search_term(request)
    form = CoDesignForm(posted(request))
    if request.method == "POST" and form.is_valid():
        activity_ids = form.cleaned_data["activities"]
        contribution_ids = form.cleaned_data["contributions"]
        activities = list(choices["activities"].filter(pk__in=activity_ids))
        hidden = selectors.co_design_hidden_ids(product=product)
        contributions = list(
            selectors.contributions_by_id(
                organisation_id=product.organisation_id, ids=set(contribution_ids) | hidden
            )
        )
        if len(activities) != len(activity_ids):
            form.add_error("activities", "Choose your organisation's own activities.")
        if len(contributions) != len(set(contribution_ids) | hidden):
            form.add_error("contributions", "Choose your organisation's own contributions.")
        if not form.errors:

            def act():
                services.co_design_set(
                    actor=user,
                    product=product,
                    activities=activities,
                    contributions=contributions,
                )

            if save_or_show(form, act):
                messages.success(request, "The co-design record has been saved.")
                return redirect(
                    reverse("learning:product_detail", args=[product.pk]) + "#co-design"
                )
    if form.is_bound:
        ticked_activities = _posted_ids(request, "activities")
        ticked_contributions = _posted_ids(request, "contributions")
    else:
        ticked_activities = {a.pk for a in record.activities}
        ticked_contributions = {c.pk for c in record.contributions}
    activities = list(choices["activities"].filter(pk__in=ticked_activities)) + list(
        choices["activities"].exclude(pk__in=ticked_activities)[:CHOICES_SHOWN]
    )
    matching = _matching(choices["contributions"], search)
    shown_chosen = list(choices["contributions"].filter(pk__in=ticked_contributions))
    others = list(matching.exclude(pk__in=ticked_contributions)[:CHOICES_SHOWN])
    return render(
        request,
        "learning/product_co_design.html",
        {
            "page_title": "Who shaped this product",
            "page_caption": product.title,
            "breadcrumbs": _product_crumbs(product, {"label": "Co-design record"}),
            "product": product,
            "form": form,
            "activities": activities,
            "ticked_activities": ticked_activities,
            "chosen_contributions": shown_chosen,
            "other_contributions": others,
            "other_count": matching.exclude(pk__in=ticked_contributions).count(),
            "ticked_contributions": ticked_contributions,
            "shown_limit": CHOICES_SHOWN,
            "search": search,
            "hidden": record.hidden,
        },
    )


def _posted_ids(request, name: str) -> set[int]:
    return {int(v) for v in request.POST.getlist(name) if v.isdigit() and len(v) < 19}


# ---------------------------------------------------------------------------------------------
# Attendance across a product's deliveries


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'} there"


def _attendance_summary(table) -> str:
    if not table.rows:
        return "No deliveries yet."
    parts = [f"session {n}: {_people(table.total_for(n))}" for n in table.session_numbers] or [
        "no sessions yet"
    ]
    sites = len(table.rows)
    return f"Across {sites} deliver{'y' if sites == 1 else 'ies'}, " + "; ".join(parts) + "."


@csp_override(
    {
        "default-src": [CSP.NONE],
        # matplotlib styles the drawing with style attributes; the file carries no script.
        "style-src": [CSP.UNSAFE_INLINE],
        "frame-ancestors": [CSP.SELF],
    }
)
def _attendance_chart(request, product, table):
    svg = charts.horizontal_grouped_bar_chart(
        title=f"People there at each session: {product.title}",
        description="Bar chart of how many people were there at each session, per delivery. "
        + _attendance_summary(table),
        categories=[f"{row.site} ({row.cohort})" for row in table.rows],
        series=[
            charts.Series(name=f"Session {n}", values=[row.attended[n] for row in table.rows])
            for n in table.session_numbers
        ],
        value_axis_label="People there",
        category_axis_label="Delivery",
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    patch_cache_control(response, private=True)
    return response


@login_required
@require_GET
def product_attendance(request, pk, **kwargs):
    """People there at each session, per delivery (site) and in total, counted from the
    attendance records (kept after learners are deleted), with places booked. ?chart=svg gives
    the same numbers as a bar chart."""
    user = request.user
    product = selectors.product_get_for(user=user, pk=pk)
    table = selectors.product_attendance_totals(user=user, product=product)
    if request.GET.get("chart") == "svg":
        if not table.rows or not table.session_numbers:
            raise Http404("No chart yet")
        return _attendance_chart(request, product, table)
    return render(
        request,
        "learning/product_attendance.html",
        {
            "page_title": "Attendance",
            "page_caption": product.title,
            "breadcrumbs": _product_crumbs(product, {"label": "Attendance"}),
            "product": product,
            "table": table,
            "booked_total": sum(row.booked for row in table.rows),
            "summary": _attendance_summary(table),
            "chart_url": reverse("learning:product_attendance", args=[product.pk]) + "?chart=svg",
        },
    )


# ---------------------------------------------------------------------------------------------
# Versions


@login_required
@require_http_methods(["GET", "POST"])
def version_create(request, pk, **kwargs):
    """A new draft version, copying the newest one's outcomes and materials."""
    user = request.user
    product = selectors.product_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    latest = selectors.version_current(product=product)
    draft = latest if latest and not selectors.version_is_locked(version=latest) else None
    form = VersionCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():

        def create():
            version = services.version_create(
                actor=user, product=product, changes=form.cleaned_data["changes"]
            )
            return reverse("learning:version_detail", args=[version.pk])

        done = _submit_once(
            request,
            form,
            create,
            success="The new version is a draft, with the outcomes and materials of the one "
            "before. Change what you need, then publish it.",
        )
        if done is not None:
            return done
    return render(
        request,
        "learning/version_create.html",
        {
            "page_title": "Start a new version",
            "page_caption": product.title,
            "breadcrumbs": _product_crumbs(product, {"label": "New version"}),
            "product": product,
            "latest": latest,
            "draft": draft,
            "form": form,
        },
    )


@login_required
@require_GET
def version_detail(request, pk, **kwargs):
    user = request.user
    version = selectors.version_get_for(user=user, pk=pk)
    product = version.product
    counts = next((v for v in selectors.version_list(product=product) if v.pk == version.pk), None)
    return render(
        request,
        "learning/version_detail.html",
        {
            "page_title": f"Version {version.number}",
            "page_caption": product.title,
            "breadcrumbs": _product_crumbs(product, {"label": f"Version {version.number}"}),
            "product": product,
            "version": version,
            "counts": counts,
            "outcomes": list(version.outcomes.all()),
            "materials": materials_with_labels(version),
            "locked": selectors.version_is_locked(version=version),
            "is_current": selectors.version_current(product=product).pk == version.pk,
            "can_manage": _can_manage(user, product.organisation_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_outcomes(request, pk, **kwargs):
    """Change a draft version's outcomes. A published or taught version keeps its own: the page
    says why and offers a new version."""
    user = request.user
    version = selectors.version_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    product = version.product
    outcomes = list(version.outcomes.all())
    locked = selectors.version_is_locked(version=version)
    form = OutcomesForm(
        None if locked else posted(request),
        outcomes=outcome_inputs_for(len(outcomes)),
        initial=outcome_initial(outcomes),
    )
    if request.method == "POST" and locked:
        messages.info(
            request,
            "Nothing was changed: this version has been published or taught, so its outcomes "
            "stay as they were.",
        )
    if request.method == "POST" and not locked and form.is_valid():

        def act():
            services.version_outcomes_set(actor=user, version=version, outcomes=form.outcomes())

        if save_or_show(form, act):
            messages.success(request, "The learning outcomes have been saved.")
            return redirect("learning:version_detail", pk=version.pk)
    return render(
        request,
        "learning/version_outcomes.html",
        {
            "page_title": "Intended learning outcomes",
            "page_caption": f"{product.title}, version {version.number}",
            "breadcrumbs": _version_crumbs(version, {"label": "Outcomes"}),
            "product": product,
            "version": version,
            "outcomes": outcomes,
            "locked": locked,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_publish(request, pk, **kwargs):
    user = request.user
    version = selectors.version_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    product = version.product
    if version.published_at is not None:
        messages.info(request, f"Version {version.number} was already published.")
        return redirect("learning:version_detail", pk=version.pk)
    problem = ""
    if request.method == "POST":
        try:
            services.version_publish(actor=user, version=version)
        except ValidationError as error:
            problem = " ".join(error.messages)
        except PermissionDenied:
            raise Http404("No such version") from None
        else:
            messages.success(
                request,
                f"Version {version.number} is published. Its outcomes stay as they are now.",
            )
            return redirect("learning:version_detail", pk=version.pk)
    return render(
        request,
        "learning/version_publish.html",
        {
            "page_title": f"Publish version {version.number}",
            "page_caption": product.title,
            "breadcrumbs": _version_crumbs(version, {"label": "Publish"}),
            "product": product,
            "version": version,
            "outcomes": list(version.outcomes.all()),
            "problem": problem,
        },
    )

"""CSV and Excel downloads of learning: products, deliveries, a product's attendance totals
and a delivery's register (`?format=csv` or `?format=xlsx`; CSV when not given).

Products, deliveries and totals hold no personal data: anyone whose role can see learning may
download them, scoped like the pages. A register names learners, so it is for staff who take
registers in the delivery's organisation or at its site (leaders and other organisations get
404), and each download is written to the access log. Every download runs a fixed number of
queries, whatever the number of rows.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.views.decorators.http import require_GET

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.audit.models import AccessEvent
from powershare.audit.services import access_event_record
from powershare.lib.exports import FORMATS, table_response
from powershare.lib.forms import search_term

from . import selectors
from .models import ProductStatus

EXPORT_CHUNK = 500

PRODUCT_HEADERS = [
    "Title",
    "Owned by",
    "Status",
    "Audience",
    "Prerequisite learning",
    "Session plan",
    "Newest version",
    "Deliveries",
]

DELIVERY_HEADERS = [
    "Product",
    "Version",
    "Owned by",
    "Site",
    "Cohort",
    "First session",
    "Last session",
    "Places",
    "Booked",
    "Offered a place",
    "Waiting",
    "Lived experience on the team",
    "Booking open",
]

#: How a learner's mark at one session reads in the register.
MARKS = {True: "Attended", False: "Not there", None: "Not marked"}


def _format(request) -> str:
    file_format = request.GET.get("format", "csv")
    return file_format if file_format in FORMATS else "csv"


def _require(user, capability) -> None:
    if not user_can(user=user, capability=capability):
        raise Http404("No such page")


def _today() -> str:
    return f"{timezone.localdate():%Y-%m-%d}"


@login_required
@require_GET
def product_export(request):
    """The product list, with the list's search and status filter."""
    _require(request.user, Capability.VIEW_LEARNING)
    status = request.GET.get("status", "")
    products = selectors.product_list_for(
        user=request.user,
        search=search_term(request),
        status=status if status in ProductStatus.values else "",
    )
    rows = (
        [
            p.title,
            p.organisation.name,
            p.get_status_display(),
            p.audience,
            p.prerequisite_learning,
            p.session_plan,
            p.latest_version,
            p.delivery_count,
        ]
        for p in products.iterator(chunk_size=EXPORT_CHUNK)
    )
    return table_response(
        filename=f"learning-products-{_today()}",
        headers=PRODUCT_HEADERS,
        rows=rows,
        file_format=_format(request),
    )


def _delivery_row(d) -> list:
    booked, offered, waiting = d.booked_count or 0, d.offered_count or 0, d.waiting_count or 0
    return [
        d.product.title,
        d.version.number,
        d.organisation.name,
        d.site.name,
        d.cohort,
        d.first_date,
        d.last_date,
        d.capacity,
        booked,
        offered,
        waiting,
        d.has_lived_experience,
        d.booking_open,
    ]


@login_required
@require_GET
def delivery_export(request):
    """The deliveries the user can see (owned or hosted), with their places. `?product=<id>`
    narrows it to one product's."""
    _require(request.user, Capability.VIEW_LEARNING)
    deliveries = selectors.delivery_list_for(user=request.user).select_related("organisation")
    product_id = request.GET.get("product", "")
    if product_id.isdigit() and len(product_id) < 19:
        deliveries = deliveries.filter(product_id=int(product_id))
    deliveries = selectors.deliveries_with_offers(deliveries)
    return table_response(
        filename=f"learning-deliveries-{_today()}",
        headers=DELIVERY_HEADERS,
        rows=(_delivery_row(d) for d in deliveries.iterator(chunk_size=EXPORT_CHUNK)),
        file_format=_format(request),
    )


@login_required
@require_GET
def product_attendance_export(request, pk):
    """The attendance table of a product's page: people there per session, per site and in
    total. Counts only."""
    product = selectors.product_get_for(user=request.user, pk=pk)
    table = selectors.product_attendance_totals(user=request.user, product=product)
    numbers = table.session_numbers
    headers = ["Site", "Cohort", "Booked", *(f"Session {n} attended" for n in numbers)]
    rows = [
        [row.site, row.cohort, row.booked, *(row.attended.get(n, 0) for n in numbers)]
        for row in table.rows
    ]
    rows.append(
        [
            "Total",
            "",
            sum(row.booked for row in table.rows),
            *(table.total_for(n) for n in numbers),
        ]
    )
    return table_response(
        filename=f"attendance-{product.slug}-{_today()}",
        headers=headers,
        rows=rows,
        file_format=_format(request),
    )


@login_required
@require_GET
def register_export(request, pk):
    """A delivery's register: one row per person booked, with their mark at each session."""
    delivery = selectors.delivery_get_for(
        user=request.user, pk=pk, may=Capability.RECORD_ATTENDANCE
    )
    register = selectors.delivery_register(delivery=delivery)
    headers = [
        "Name",
        "Email",
        "Job role",
        "Team",
        *(f"Session {s.number} ({s.date:%-d %b %Y})" for s in register.sessions),
    ]
    rows = [
        [
            learner.name,
            learner.email,
            learner.job_role,
            learner.team,
            *(MARKS[marks[s.pk]] for s in register.sessions),
        ]
        for learner, marks in register.rows
    ]
    # Learners' names and emails are personal data: the download is recorded.
    access_event_record(
        user=request.user,
        organisation_id=delivery.organisation_id,
        subject=delivery,
        description=f"Register of {delivery} downloaded ({len(rows)} learners)",
        path=request.get_full_path(),
        action=AccessEvent.Action.EXPORTED,
    )
    return table_response(
        filename=f"register-{delivery.product.slug}-{delivery.pk}-{_today()}",
        headers=headers,
        rows=rows,
        file_format=_format(request),
    )

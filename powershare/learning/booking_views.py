"""Staff pages about a delivery's bookings: who is booked, offered a place, waiting (in order)
or cancelled; booking someone; cancelling a booking (the place goes to the first person
waiting); and deleting a learner's details on request.

Seeing names needs RECORD_ATTENDANCE (facilitators, learning and participation leads) in the
delivery's organisation or at its site; booking, cancelling and deleting need MANAGE_LEARNING
in the delivery's organisation. Anything else answers 404, never 403. Opening the list is a
read of personal data, so it is recorded.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.security import email_link_base
from powershare.accounts.selectors import user_can
from powershare.audit.services import access_event_record
from powershare.lib.forms import form_errors_to_fields, posted, search_term
from powershare.system.submissions import submit_once

from . import selectors, services
from .booking_forms import LearnerForm
from .models import HOLDS_A_PLACE, BookingSource, BookingStatus

PAGE_SIZE = 50
#: The tabs of the list, in the order people move through them.
TABS = [
    (BookingStatus.BOOKED, "Booked"),
    (BookingStatus.OFFERED, "Offered a place"),
    (BookingStatus.WAITING, "Waiting list"),
    (BookingStatus.CANCELLED, "Cancelled"),
]


def _crumbs(delivery, *items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Learning", "url": reverse("learning:home")},
        {"label": "Deliveries", "url": reverse("learning:delivery_list")},
        {
            "label": f"{delivery.product.title} at {delivery.site.name}",
            "url": reverse("learning:delivery_detail", args=[delivery.pk]),
        },
        *items,
    ]


def _bookings_crumb(delivery):
    return {"label": "Bookings", "url": reverse("learning:bookings", args=[delivery.pk])}


def _caption(delivery) -> str:
    return f"{delivery.product.title}, {delivery.cohort}"


def _bookings_url(delivery, status: str = "") -> str:
    url = reverse("learning:bookings", args=[delivery.pk])
    return f"{url}?status={status}" if status and status != BookingStatus.BOOKED else url


def _link(request, path: str) -> str:
    """The full address to share, on the site's own address where one is set."""
    domain, use_https = email_link_base(request)
    return f"{'https' if use_https else 'http'}://{domain}{path}"


def _status_tab(value: str) -> str:
    return value if value in BookingStatus.values else BookingStatus.BOOKED


def _offer_hours(delivery) -> int:
    return selectors.learning_settings_for(organisation_id=delivery.organisation_id).offer_hours


@login_required
@require_GET
def booking_list(request, pk):
    user = request.user
    delivery = selectors.delivery_get_for(user=user, pk=pk, may=Capability.RECORD_ATTENDANCE)
    status = _status_tab(request.GET.get("status", ""))
    search = search_term(request)
    counts = selectors.booking_counts(delivery=delivery)
    rows = selectors.bookings_matching(delivery=delivery, status=status, search=search)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    access_event_record(
        user=user,
        organisation_id=delivery.organisation_id,
        subject=delivery,
        description=f"Bookings ({status}) of {delivery.product.title}, {delivery.cohort}",
        path=request.get_full_path(),
    )
    free = selectors.places(delivery=delivery, counts=counts).free
    return render(
        request,
        "learning/bookings.html",
        {
            "page_title": "Bookings",
            "page_caption": _caption(delivery),
            "breadcrumbs": _crumbs(delivery, {"label": "Bookings"}),
            "delivery": delivery,
            "status": status,
            "status_label": dict(TABS)[status],
            "tabs": [
                {"value": value, "label": label, "count": counts[value]} for value, label in TABS
            ],
            "counts": counts,
            "free": free,
            "search": search,
            "page_obj": page,
            "can_manage": user_can(
                user=user,
                capability=Capability.MANAGE_LEARNING,
                organisation_id=delivery.organisation_id,
            ),
            "book_url": _link(request, reverse("learning:book", args=[delivery.booking_token])),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_create(request, pk):
    user = request.user
    delivery = selectors.delivery_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    form = LearnerForm(posted(request), staff=True)
    if request.method == "POST" and not delivery.is_cancelled and form.is_valid():
        made = {}

        def create():
            domain, use_https = email_link_base(request)
            made["booking"] = services.booking_create(
                delivery=delivery,
                actor=user,
                source=BookingSource.STAFF,
                domain=domain,
                use_https=use_https,
                **form.booking_fields(),
            )
            return _bookings_url(delivery, made["booking"].status)

        try:
            url, created = submit_once(request, create)
        except ValidationError as error:
            form_errors_to_fields(form, error)
        except PermissionDenied:
            raise Http404("No such delivery") from None
        else:
            if created:
                booking = made["booking"]
                name = form.cleaned_data["name"]
                if booking.status == BookingStatus.BOOKED:
                    messages.success(
                        request,
                        f"{name} has a place. We've emailed them the dates with a calendar file.",
                    )
                else:
                    position = selectors.waiting_position(booking=booking)
                    messages.success(
                        request,
                        f"The course is full, so {name} is on the waiting list, number "
                        f"{position}. We've emailed them to say so.",
                    )
            return redirect(url)
    places = selectors.places(delivery=delivery)
    return render(
        request,
        "learning/booking_form.html",
        {
            "page_title": "Book someone on this course",
            "page_caption": _caption(delivery),
            "breadcrumbs": _crumbs(delivery, _bookings_crumb(delivery), {"label": "Book someone"}),
            "delivery": delivery,
            "places": places,
            "form": form,
            "closed_for_learners": not delivery.booking_open,
        },
    )


def _booking_to_change(request, pk):
    booking = selectors.booking_get_for(user=request.user, pk=pk, may=Capability.MANAGE_LEARNING)
    return booking, booking.delivery


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request, pk):
    booking, delivery = _booking_to_change(request, pk)
    name = booking.learner.name if booking.learner_id else "This learner"
    if booking.status == BookingStatus.CANCELLED:
        messages.info(request, "This booking was already cancelled.")
        return redirect(_bookings_url(delivery, BookingStatus.CANCELLED))
    places = selectors.places(delivery=delivery)
    held = booking.status in HOLDS_A_PLACE
    if request.method == "POST":
        domain, use_https = email_link_base(request)
        try:
            services.booking_cancel(
                booking=booking, actor=request.user, domain=domain, use_https=use_https
            )
        except PermissionDenied:
            raise Http404("No such booking") from None
        after = selectors.places(delivery=delivery)
        text = f"{name}'s booking is cancelled."
        if held and after.offered > places.offered:
            text += (
                " The place has been offered to the first person on the waiting list, "
                f"who has {_offer_hours(delivery)} hours to take it."
            )
        messages.success(request, text)
        return redirect(_bookings_url(delivery, booking.status))
    return render(
        request,
        "learning/booking_cancel.html",
        {
            "page_title": "Cancel this booking",
            "page_caption": _caption(delivery),
            "breadcrumbs": _crumbs(
                delivery, _bookings_crumb(delivery), {"label": "Cancel a booking"}
            ),
            "delivery": delivery,
            "booking": booking,
            "name": name,
            "held": held,
            "places": places,
            "offer_hours": _offer_hours(delivery),
            "back": _bookings_url(delivery, booking.status),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def learner_erase(request, pk):
    booking, delivery = _booking_to_change(request, pk)
    back = _bookings_url(delivery, booking.status)
    learner = booking.learner
    if learner is None:
        messages.info(request, "This learner's details have already been deleted.")
        return redirect(back)
    if request.method == "POST":
        try:
            services.learner_erase(actor=request.user, learner=learner)
        except PermissionDenied:
            raise Http404("No such booking") from None
        messages.success(
            request,
            "Their details are deleted. Their attendance still counts in the totals, "
            "without their name.",
        )
        return redirect(back)
    places = selectors.places(delivery=delivery)
    return render(
        request,
        "learning/learner_erase.html",
        {
            "page_title": "Delete this learner's details",
            "page_caption": _caption(delivery),
            "breadcrumbs": _crumbs(
                delivery, _bookings_crumb(delivery), {"label": "Delete a learner's details"}
            ),
            "delivery": delivery,
            "booking": booking,
            "learner": learner,
            "active": booking.status != BookingStatus.CANCELLED,
            "held": booking.status in HOLDS_A_PLACE,
            "places": places,
            "back": back,
        },
    )

"""Public pages for learners: the booking link a learning team shares (no sign-in), and each
learner's own booking page, opened from the secret link in their emails.

The booking page shows the course only, never who has booked. A learner's own page shows
their booking and nothing else; from it they cancel, or take or turn down a place offered to
them. Both answer 404 for a wrong link. A cancelled, finished or closed course says so kindly
and shows no form.
"""

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from powershare.accounts.security import client_address, email_link_base
from powershare.lib.forms import form_errors_to_fields, posted

from . import selectors, services
from .booking_forms import LearnerForm
from .models import HOLDS_A_PLACE, BookingSource, BookingStatus

#: At most this many bookings an hour from one address: enough for a team booking from one
#: office, too few to use the form to send a flood of emails.
BOOKINGS_PER_HOUR = 30
#: Where a browser's session remembers the bookings its forms made (form token → booking
#: token), so sending the same form twice leads to the first booking.
SESSION_KEY = "learning_bookings_made"


def _private(response):
    """Pages behind a secret link are not kept by shared caches nor listed by search engines."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _sessions(delivery):
    return list(selectors.session_list(delivery=delivery))


def _finished(sessions) -> bool:
    return bool(sessions) and sessions[-1].date < timezone.localdate()


def _closed_because(delivery, sessions) -> str:
    """Why nobody can book through the link now (empty when they can)."""
    if delivery.is_cancelled:
        return "cancelled"
    if _finished(sessions):
        return "finished"
    if not delivery.booking_open:
        return "closed"
    return ""


def _retention_days(delivery) -> int:
    return selectors.learning_settings_for(
        organisation_id=delivery.organisation_id
    ).learner_retention_days


def _address(request) -> str:
    """The client's address: from the proxy's header only when the site runs behind one of
    its own (settings DJANGO_BEHIND_PROXY), since a client can write that header itself."""
    if getattr(settings, "AXES_CLIENT_IP_CALLABLE", None):
        return client_address(request)
    return request.META.get("REMOTE_ADDR", "")


def _too_many(request) -> bool:
    key = f"powershare:learning-book:{_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=3600)
        count = 1
    return count > BOOKINGS_PER_HOUR


def _own_url(booking_token: str) -> str:
    return reverse("learning:booking_own", args=[booking_token])


@never_cache
@require_http_methods(["GET", "POST"])
def book(request, token):
    delivery = selectors.delivery_for_booking_link(token=token)
    product = delivery.product
    sessions = _sessions(delivery)
    closed = _closed_because(delivery, sessions)
    context = {
        "page_title": f"Book a place: {product.title}",
        "page_caption": f"{delivery.site.name}, {delivery.cohort}",
        "delivery": delivery,
        "product": product,
        "sessions": sessions,
        "retention_days": _retention_days(delivery),
    }
    if closed:
        context["page_title"] = product.title
        context["closed"] = closed
        return _private(render(request, "learning/book_closed.html", context))
    form = LearnerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        form_token = request.POST.get("form_token", "")[:64]
        made = request.session.get(SESSION_KEY, {})
        if form_token and form_token in made:
            messages.info(request, "You had already sent this form, so nothing new was booked.")
            return redirect(_own_url(made[form_token]))
        if _too_many(request):
            form.add_error(
                None,
                "Sorry: too many bookings have come from your connection in the last hour. "
                "Please try again later.",
            )
        else:
            domain, use_https = email_link_base(request)
            try:
                booking = services.booking_create(
                    delivery=delivery,
                    actor=None,
                    source=BookingSource.LINK,
                    domain=domain,
                    use_https=use_https,
                    **form.booking_fields(),
                )
            except ValidationError as error:
                form_errors_to_fields(form, error)
            else:
                if form_token:
                    made[form_token] = booking.token
                    request.session[SESSION_KEY] = dict(list(made.items())[-20:])
                return redirect(_own_url(booking.token))
    places = selectors.places(delivery=delivery)
    context.update({"form": form, "places": places})
    return _private(render(request, "learning/book.html", context))


def _own_context(booking, **extra) -> dict:
    delivery = booking.delivery
    return {
        "page_title": "Your booking",
        "page_caption": delivery.product.title,
        "booking": booking,
        "learner": booking.learner,
        "delivery": delivery,
        "product": delivery.product,
        **extra,
    }


@never_cache
@require_http_methods(["GET"])
def booking_own(request, token):
    booking = selectors.booking_by_token(token=token)
    delivery = booking.delivery
    sessions = _sessions(delivery)
    can_book_again = booking.status == BookingStatus.CANCELLED and not _closed_because(
        delivery, sessions
    )
    settings_row = selectors.learning_settings_for(organisation_id=delivery.organisation_id)
    context = _own_context(
        booking,
        sessions=sessions,
        position=selectors.waiting_position(booking=booking),
        offer_hours=settings_row.offer_hours,
        retention_days=settings_row.learner_retention_days,
        finished=_finished(sessions),
        can_book_again=can_book_again,
        offer_lapsed=(
            booking.status == BookingStatus.OFFERED
            and booking.offer_expires_at is not None
            and booking.offer_expires_at < timezone.now()
        ),
    )
    return _private(render(request, "learning/booking_own.html", context))


@never_cache
@require_http_methods(["GET", "POST"])
def booking_own_cancel(request, token):
    booking = selectors.booking_by_token(token=token)
    own = _own_url(booking.token)
    if booking.status == BookingStatus.CANCELLED:
        messages.info(request, "Your booking is already cancelled.")
        return redirect(own)
    if request.method == "POST":
        domain, use_https = email_link_base(request)
        try:
            services.booking_cancel(booking=booking, actor=None, domain=domain, use_https=use_https)
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
            return redirect(own)
        messages.success(
            request,
            "Your booking is cancelled. Thank you for telling us: someone else can have the place.",
        )
        return redirect(own)
    context = _own_context(
        booking,
        page_title="Cancel your booking",
        held=booking.status in HOLDS_A_PLACE,
    )
    return _private(render(request, "learning/booking_own_cancel.html", context))


@never_cache
@require_http_methods(["GET", "POST"])
def booking_own_answer(request, token):
    booking = selectors.booking_by_token(token=token)
    own = _own_url(booking.token)
    if request.method != "POST":
        return redirect(own)
    answer = request.POST.get("answer", "")
    if answer not in ("take", "decline"):
        messages.info(request, "Choose whether to take the place or turn it down.")
        return redirect(own)
    domain, use_https = email_link_base(request)
    try:
        services.booking_offer_answer(
            booking=booking, accept=answer == "take", domain=domain, use_https=use_https
        )
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect(own)
    if answer == "take":
        messages.success(
            request, "The place is yours. We've emailed you the dates with a calendar file."
        )
    else:
        messages.success(
            request,
            "You've turned down the place, so your booking is cancelled. "
            "Thank you for letting us know: we'll offer it to the next person.",
        )
    return redirect(own)

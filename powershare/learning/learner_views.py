"""A learner's data, found by their email address: what we hold about them (subject access, as
a page and a download) and deleting all of it at their request (erasure). Learners are not on
the people register, so this is their privacy page. MANAGE_LEARNING only; every look-up and
download is recorded in the access log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.audit.services import access_event_record
from powershare.lib.exports import table_response

from . import selectors, services

HEADERS = [
    "Name",
    "Email",
    "Job role",
    "Team",
    "Course",
    "Site",
    "Cohort",
    "Booking",
    "How booked",
    "Booked on",
    "Attendance",
]


def _attendance(booking) -> str:
    marks = [
        f"session {row.session.number}: {'there' if row.attended else 'not there'}"
        for row in booking.attendance.all()
    ]
    return "; ".join(marks) or "not marked"


def _rows(bookings):
    for booking in bookings:
        learner, delivery = booking.learner, booking.delivery
        yield [
            learner.name,
            learner.email,
            learner.job_role,
            learner.team,
            delivery.product.title,
            delivery.site.name,
            delivery.cohort,
            booking.get_status_display(),
            booking.get_source_display(),
            booking.booked_at.date().isoformat(),
            _attendance(booking),
        ]


def _record(request, bookings, what: str) -> None:
    for learner in {b.learner for b in bookings if b.learner is not None}:
        access_event_record(
            user=request.user,
            organisation_id=learner.organisation_id,
            subject=learner,
            description=what,
            path=request.get_full_path(),
        )


@login_required
@require_http_methods(["GET", "POST"])
def learner_lookup(request):
    user = request.user
    if not user_can(user=user, capability=Capability.MANAGE_LEARNING):
        raise Http404("No such page")
    email = (request.POST.get("email") or request.GET.get("email") or "").strip()[:254]
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm you want to delete their details.")
            return redirect(f"{reverse('learning:learner_lookup')}?email={email}")
        try:
            deleted = services.learner_erase_everywhere(actor=user, email=email)
        except PermissionDenied:
            raise Http404("No such page") from None
        messages.success(
            request,
            f"Deleted {deleted} learner record{'' if deleted == 1 else 's'} for {email}. "
            "Their attendance still counts in the totals, without their name."
            if deleted
            else f"Nothing is held under {email}.",
        )
        return redirect(reverse("learning:learner_lookup"))
    bookings = list(selectors.learner_bookings_for(user=user, email=email)) if email else []
    file_format = request.GET.get("format", "")
    if bookings and file_format in ("csv", "xlsx"):
        _record(request, bookings, "A learner's data downloaded (subject access)")
        return table_response(
            filename="learner-data",
            headers=HEADERS,
            rows=list(_rows(bookings)),
            file_format=file_format,
        )
    if bookings:
        _record(request, bookings, "A learner's data looked up by email")
    return render(
        request,
        "learning/learner_lookup.html",
        {
            "page_title": "A learner's data",
            "breadcrumbs": [
                {"label": "Learning", "url": reverse("learning:home")},
                {"label": "A learner's data"},
            ],
            "email": email,
            "bookings": bookings,
            "rows": list(_rows(bookings)),
            "headers": HEADERS,
        },
    )

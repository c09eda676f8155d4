"""The register of one session: everyone booked, in name order, with one large "There" box each.

A facilitator fills it in by keyboard or touch. Without JavaScript, "Save the register" sends
every mark at once (services.attendance_record_many: everyone not ticked is marked not there).
With htmx, ticking a box also saves that one mark straight away (register_mark), and the
count above the list updates in a live region; focus never moves, because only the row's
status is swapped, never the box being ticked.

Taking a register needs RECORD_ATTENDANCE in the delivery's organisation or at its site
(selectors.session_get_for); anyone else, leaders included, gets 404. Opening it shows
learners' names, so it is recorded as a read of personal data.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from powershare.audit.services import access_event_record
from powershare.lib.forms import MAX_ID

from . import selectors, services

NOT_BOOKED = (
    "Only people booked on this course can be marked. Open the register again to see who is "
    "booked now."
)


def _register_url(session) -> str:
    return reverse("learning:register", args=[session.pk])


def _summary(rows, ticked: set[int] | None = None) -> dict:
    """How many are there out of everyone booked, and how many are not marked yet. With
    `ticked` (a register sent back with a problem), the boxes as they were ticked."""
    if ticked is not None:
        there = sum(1 for row in rows if row.booking.pk in ticked)
        return {"there": there, "booked": len(rows), "unmarked": 0, "unsaved": True}
    return {
        "there": sum(1 for row in rows if row.attended is True),
        "booked": len(rows),
        "unmarked": sum(1 for row in rows if row.attended is None),
        "unsaved": False,
    }


def _ids(values) -> tuple[set[int], bool]:
    """Booking ids from the ticked boxes, and whether anything else was sent."""
    ids, odd = set(), False
    for value in values:
        text = str(value).strip()
        if text.isdigit() and 0 < int(text) <= MAX_ID:
            ids.add(int(text))
        else:
            odd = True
    return ids, odd


def _record_read(request, session, rows):
    delivery = session.delivery
    access_event_record(
        user=request.user,
        organisation_id=delivery.organisation_id,
        subject=session,
        description=(
            f"Register of session {session.number} of {delivery.product.title} "
            f"({delivery.cohort}): names of {len(rows)} learner{'s' if len(rows) != 1 else ''}"
        ),
        path=request.path,
    )


@login_required
@require_http_methods(["GET", "POST"])
def register(request, pk):
    user = request.user
    session = selectors.session_get_for(user=user, pk=pk)
    delivery = session.delivery
    rows = selectors.register_rows(session=session)
    error = ""
    ticked = None
    if request.method == "POST":
        ids, odd = _ids(request.POST.getlist("there"))
        if delivery.is_cancelled:
            error = "This delivery was cancelled, so its register can't be taken."
        elif odd:
            error = NOT_BOOKED
        else:
            try:
                there = services.attendance_record_many(
                    actor=user, session=session, attended_booking_ids=ids
                )
            except PermissionDenied:
                raise Http404("No such session") from None
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                messages.success(
                    request,
                    f"Register saved: {there} of {len(rows)} there at session {session.number}.",
                )
                return redirect(_register_url(session))
        ticked = ids
    _record_read(request, session, rows)
    summary = _summary(rows, ticked)
    # The session's answer links, to show the QR code at the end (evaluation imports learning).
    from powershare.evaluation import selectors as evaluation_selectors

    answer_links = list(evaluation_selectors.links_for_session(session=session))
    return render(
        request,
        "learning/register.html",
        {
            "page_title": f"Register for session {session.number}",
            "page_caption": f"{delivery.product.title}, {delivery.cohort}",
            "breadcrumbs": [
                {"label": "Home", "url": reverse("home")},
                {"label": "Learning", "url": reverse("learning:home")},
                {"label": "Deliveries", "url": reverse("learning:delivery_list")},
                {
                    "label": f"{delivery.product.title} at {delivery.site.name}",
                    "url": reverse("learning:delivery_detail", args=[delivery.pk]),
                },
                {"label": f"Register for session {session.number}"},
            ],
            "session": session,
            "delivery": delivery,
            "rows": [
                {
                    "row": row,
                    "checked": (row.booking.pk in ticked)
                    if ticked is not None
                    else row.attended is True,
                }
                for row in rows
            ],
            "summary": summary,
            "error": error,
            "answer_links": answer_links,
        },
    )


@login_required
def register_mark(request, pk, booking_pk):
    """One learner marked there (box ticked) or not there, straight away. Only a POST marks;
    the session is looked up first, so a session elsewhere answers 404 whatever the method,
    and a GET from someone allowed goes to the register."""
    user = request.user
    session = selectors.session_get_for(user=user, pk=pk)
    if request.method != "POST":
        # Someone following the address (not the checkbox) gets the register itself.
        return redirect(_register_url(session))
    rows = selectors.register_rows(session=session)
    row = next((r for r in rows if str(r.booking.pk) == str(booking_pk)), None)
    if row is None or session.delivery.is_cancelled:
        raise Http404("No such booking")
    ids, _ = _ids(request.POST.getlist("there"))
    there = row.booking.pk in ids
    try:
        services.attendance_record(actor=user, session=session, booking=row.booking, attended=there)
    except PermissionDenied:
        raise Http404("No such session") from None
    except ValidationError:
        raise Http404("No such booking") from None
    row.attended = there
    if not request.headers.get("HX-Request"):
        name = row.learner.name
        messages.success(request, f"{name} marked {'there' if there else 'not there'}.")
        return redirect(_register_url(session))
    return render(
        request,
        "learning/_register_mark.html",
        {
            "session": session,
            "item": {"row": row, "checked": there},
            "summary": _summary(rows),
        },
    )

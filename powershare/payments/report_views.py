"""Reports: what was spent per activity, per organisation and per tax year, and how long people
waited to be paid (with the late payments listed).

Anyone whose role can see payments (VIEW_PAYMENTS) sees the reports of their organisations;
anyone else gets 404. The figures are counted in SQL by selectors.spend_report and
selectors.timeliness. Each table can be downloaded as CSV; the late payments name people, so
their download is written to the access log.

"Paid for time" is every payment for people's time approved or paid, whatever the method (bank
transfer, payroll, voucher, a gift to a charity), with corrections: what the organisation spent.
It is not the "fees" of a person's benefits-aware totals, which count bank transfers and payroll
only, with vouchers apart; the page says so.
"""

import datetime
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where
from powershare.audit.models import AccessEvent
from powershare.audit.services import access_event_record
from powershare.lib.exports import table_response

from . import selectors
from .finance_forms import TaxYearForm
from .models import PaymentKind, PaymentStatus, tax_year_start

PAGE_SIZE = 50
PENNY = Decimal("0.01")
NO_ACTIVITY = "Not for an activity (tasks and other work)"
PAID_FOR_TIME = "Paid for time (all methods)"
#: Kinds of payment that pay for time taken part (as selectors.timeliness counts them).
TIMED_KINDS = (
    PaymentKind.INVOLVEMENT,
    PaymentKind.FACILITATION,
    PaymentKind.WALKTHROUGH,
    PaymentKind.TASK,
)


def _money(value) -> Decimal:
    """Pounds to the penny (SQLite's sums come back with any number of places)."""
    return Decimal(value or 0).quantize(PENNY)


def _days(number: int) -> str:
    return f"{number:,} day{'' if number == 1 else 's'}"


def _tax_year_label(start: datetime.date) -> str:
    return f"{start.year} to {start.year + 1}"


def _waited(payment, today: datetime.date) -> str:
    """'Paid after 20 days' or 'Not paid yet, 31 days'."""
    if payment.status == PaymentStatus.PAID and payment.paid_on:
        return f"Paid after {_days((payment.paid_on - payment.worked_on).days)}"
    return f"Not paid yet, {_days((today - payment.worked_on).days)}"


def target_days_for(organisation_ids: list[int]) -> int:
    """The organisations' target for paying people (the strictest, if they differ)."""
    return min(
        selectors.payment_settings_for(organisation_id=pk).pay_within_days
        for pk in organisation_ids
    )


def _what_for(payment) -> str:
    if payment.activity_id:
        return payment.activity.title
    return payment.description or payment.get_kind_display()


def _earlier_unpaid(user, year_start, today, target: int) -> int:
    """Payments for time taken part before this tax year, past the target and still not paid
    (one query): the home page counts them as waiting too long, whatever the year, so the
    late list says where to find them."""
    return (
        selectors.payment_list_for(user=user)
        .filter(
            status__in=(PaymentStatus.OWED, PaymentStatus.APPROVED),
            kind__in=TIMED_KINDS,
            worked_on__lt=min(year_start, today - datetime.timedelta(days=target)),
        )
        .count()
    )


# The CSV downloads: (file name part, headers, row maker).
def _activity_rows(report, several):
    for row in report.by_activity:
        yield [
            row["activity__title"] or NO_ACTIVITY,
            *([row["organisation__name"]] if several else []),
            row["payments"],
            row["fees"],
            row["expenses"],
            row["total"],
        ]


def _organisation_rows(report):
    for row in report.by_organisation:
        yield [
            row["organisation__name"],
            row["payments"],
            row["fees"],
            row["expenses"],
            row["total"],
        ]


def _year_rows(report):
    for row in report.by_year:
        yield [
            _tax_year_label(row["start"]),
            row["fees"],
            row["expenses"],
            row["total"],
        ]


def _late_rows(late, today):
    for payment in late.iterator(chunk_size=500):
        yield [
            payment.reference,
            payment.person.full_name,
            _what_for(payment),
            payment.worked_on,
            payment.get_status_display(),
            payment.paid_on or "",
            _waited(payment, today),
        ]


def _download(request, kind, *, report, timeliness, several, organisation_ids, today):
    year = _tax_year_label(report.year_start).replace(" to ", "-")
    if kind == "activities":
        headers = ["Activity", *(["Organisation"] if several else [])]
        headers += ["Number of payments", PAID_FOR_TIME, "Expenses", "Total"]
        rows = _activity_rows(report, several)
    elif kind == "organisations":
        headers = ["Organisation", "Number of payments", PAID_FOR_TIME, "Expenses", "Total"]
        rows = _organisation_rows(report)
    elif kind == "years":
        headers = ["Tax year", PAID_FOR_TIME, "Expenses", "Total"]
        rows = _year_rows(report)
    else:
        # Late payments name people: the download is recorded, by organisation.
        for organisation_id in organisation_ids:
            access_event_record(
                user=request.user,
                organisation_id=organisation_id,
                subject="payments report",
                description=f"Late payments of tax year {_tax_year_label(report.year_start)} "
                "downloaded",
                path=request.get_full_path(),
                action=AccessEvent.Action.EXPORTED,
            )
        headers = ["Reference", "Person", "What for", "Date", "Status", "Paid on", "Waited"]
        rows = _late_rows(timeliness["late"], today)
    return table_response(
        filename=f"payments-{kind}-{year}", headers=headers, rows=rows, file_format="csv"
    )


DOWNLOADS = ("activities", "organisations", "years", "late")


@login_required
@require_GET
def reports(request):
    organisation_ids = organisation_ids_where(
        user=request.user, capability=Capability.VIEW_PAYMENTS
    )
    if not organisation_ids:
        raise Http404("No such page")
    today = timezone.localdate()
    form = TaxYearForm(
        request.GET if "year" in request.GET else None, current=tax_year_start(today)
    )
    year_start = form.year_start()
    several = len(organisation_ids) > 1
    report = selectors.spend_report(user=request.user, year_start=year_start)
    target = target_days_for(organisation_ids)
    timeliness = selectors.timeliness(user=request.user, year_start=year_start, target_days=target)
    for row in [*report.by_activity, *report.by_organisation, *report.by_year]:
        row["fees"], row["expenses"] = _money(row["fees"]), _money(row["expenses"])
        row["total"] = row["fees"] + row["expenses"]
    for row in report.by_year:
        row["label"] = _tax_year_label(row["start"])
    download = request.GET.get("download", "")
    if download in DOWNLOADS:
        return _download(
            request,
            download,
            report=report,
            timeliness=timeliness,
            several=several,
            organisation_ids=organisation_ids,
            today=today,
        )
    late = timeliness["late"]
    page = Paginator(late, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    for payment in items:
        payment.waited = _waited(payment, today)
        payment.what_for = _what_for(payment)
    page.object_list = items
    late_unpaid = late.exclude(status=PaymentStatus.PAID).count()
    earlier_unpaid = _earlier_unpaid(request.user, year_start, today, target)
    return render(
        request,
        "payments/reports.html",
        {
            "page_title": "Payment reports",
            "breadcrumbs": [
                {"label": "Home", "url": reverse("home")},
                {"label": "Payments", "url": reverse("payments:home")},
                {"label": "Reports"},
            ],
            "form": form,
            "year_label": _tax_year_label(year_start),
            "report": report,
            "counts": timeliness["counts"],
            "median_days": timeliness["median_days"],
            "target_days": target,
            "page_obj": page,
            "late_count": page.paginator.count,
            "late_unpaid": late_unpaid,
            "late_paid": page.paginator.count - late_unpaid,
            "earlier_unpaid": earlier_unpaid,
            "earlier_year": year_start.year - 1,
            "several_organisations": several,
            "no_activity": NO_ACTIVITY,
        },
    )

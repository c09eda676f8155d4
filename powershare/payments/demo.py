"""Demo payments for Fife Council: two versions of its rate card, its payment defaults, payments
in every status and expense claims with receipts. Every name, amount and reference here is
invented, and the weekly limit is only an example of a setting, not a benefits rule.

* Rates: a card from 1 April 2024 and a newer one from 1 April 2025, so a task done in March
  2025 is paid at the older rates and everything later at the newer ones.
* Defaults: a weekly limit of £100 for people who have said payments might affect their
  benefits (each organisation sets its own), a cost code, and where to get free advice.
* Payments for the Fife activities that have finished, recorded by one member of staff and
  approved by another: paid (through a finance import), paid late, approved and waiting for
  finance, owed, not wanted (declined), cancelled, and a correction to a paid payment.
* Margaret Lindsay gets benefits and has £87.50 in fees this week against the £100 limit; one
  more payment of £25 is owed, so its approval page shows the warning.
* Jamie Wilson (the demo's portal login) has payments in several statuses, an expense claim
  paid and another not sent yet, so their portal has something in every part.
* Expense claims with receipts (small PNG pictures drawn here) sent, approved, paid and sent
  back, and a mileage claim.

Loads after powershare.engagement.demo and works through the services staff and people would
use, then moves the dates of what happened into the past, so the demo always looks live.

Idempotent: an activity that already has payments, a person who already has a payment choice,
a task or claim already recorded (by its words), a rate card already in force from its date
and settings already saved are all left alone.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify

from powershare.accounts.models import Organisation, User
from powershare.engagement.models import Activity
from powershare.people.models import Person

from . import selectors, services
from .models import (
    ExpenseClaim,
    ExpenseKind,
    Payment,
    PaymentChoice,
    PaymentKind,
    PaymentMethod,
    PaymentSettings,
    PaymentStatus,
    RateCard,
    TimeUnit,
    TravelTimePolicy,
)

#: No logins of its own: the demo staff and portal people come from the earlier modules.
LOGINS: list[dict] = []

FIFE = "Fife Council"
STAFF = {
    "aileen": "aileen.murray@fife.example",  # participation lead: records and approves
    "callum": "callum.reid@fife.example",  # learning lead: records and approves
    "fiona": "fiona.grant@fife.example",  # leader: approves
    "morag": "morag.stewart@fife.example",  # administrator: rate cards and defaults
}

#: The person with a portal login (see powershare.people.demo).
PORTAL_PERSON = "Jamie Wilson"
#: The person close to their weekly limit.
CLOSE_TO_LIMIT = "Margaret Lindsay"

RATE_CARDS = [
    {
        "effective_from": datetime.date(2024, 4, 1),
        "hourly_rate": "22.00",
        "half_day_rate": "80.00",
        "full_day_rate": "140.00",
        "preparation_max_hours": "2",
        "travel_time_policy": TravelTimePolicy.NOT_PAID,
        "travel_max_hours": "0",
        "mileage_rate": "0.45",
        "notes": "Agreed with the lived-experience panel in March 2024.",
    },
    {
        "effective_from": datetime.date(2025, 4, 1),
        "hourly_rate": "25.00",
        "half_day_rate": "90.00",
        "full_day_rate": "150.00",
        "preparation_max_hours": "2",
        "travel_time_policy": TravelTimePolicy.NOT_PAID,
        "travel_max_hours": "0",
        "mileage_rate": "0.45",
        "notes": "Reviewed with the lived-experience panel: rates up, preparation still paid "
        "for up to two hours. Travel costs are repaid as expenses; travel time is not paid.",
    },
]

SETTINGS = {
    # An example only: each organisation sets its own, and a person can choose their own.
    "weekly_limit": "100.00",
    "monthly_limit": None,
    "yearly_limit": None,
    "default_cost_code": "SW-PART-0417",
    "pay_within_days": 14,
    "advice": "PowerShare gives information, not advice. For free, independent advice about "
    "how payments might affect your benefits, contact your local Citizens Advice bureau or a "
    "welfare rights service. Your participation lead can help you find one.",
}

# (person, method, charity, who set it: "staff" or "person", limits)
CHOICES = [
    ("Archie Henderson", PaymentMethod.DECLINE, "", "staff", {}),
    ("Kirsty Buchanan", PaymentMethod.VOUCHER, "", "staff", {}),
    ("Ewan Scott", PaymentMethod.DONATE, "Kingdom Deaf Club", "staff", {}),
    ("Daniel Okafor", PaymentMethod.PAYROLL, "", "staff", {}),
    (PORTAL_PERSON, PaymentMethod.BANK_TRANSFER, "", "person", {"yearly_limit": "1000.00"}),
]

# Each finished Fife activity: the time everyone who attended is paid for, who recorded the
# payments, and how far they got: "paid" (finance imported `paid_after` days after the
# activity ended), "approved" or "owed". `approve` names the people whose payments were
# approved when the rest are still owed; `voucher` the people who asked for a voucher for this
# one payment instead of their usual method.
ACTIVITY_PAYMENTS = [
    {
        "title": "Power sharing learning: co-design session 1 with adults",
        "time": (TimeUnit.HOURS, "3", "1"),
        "recorder": "aileen",
        "approver": "fiona",
        "stage": "paid",
        "paid_after": 9,
    },
    {
        # Paid late: the finance run was missed.
        "title": "Power sharing learning: co-design session 2 with adults",
        "time": (TimeUnit.HOURS, "3", "1"),
        "recorder": "aileen",
        "approver": "fiona",
        "stage": "paid",
        "paid_after": 19,
    },
    {
        "title": "Lived-experience panel: the letters we send",
        "time": (TimeUnit.HOURS, "2.5", "1"),
        "recorder": "aileen",
        "approver": "fiona",
        "stage": "paid",
        "paid_after": 11,
        "correction": (
            PORTAL_PERSON,
            "12.50",
            "Half an hour of preparation, reading the letters before the panel, was left off.",
        ),
        "cancelled_task": (
            "Chloe Davidson",
            "Preparing for the letters panel",
            "Recorded twice: the preparation time is already in the payment for the panel.",
        ),
    },
    {
        "title": "Interview panel: senior practitioner, children and families",
        "time": (TimeUnit.FULL_DAY, "1", "2"),
        "recorder": "aileen",
        "approver": "fiona",
        "stage": "approved",
        # The day's fee would have taken her over her weekly limit; she chose a voucher.
        "voucher": [CLOSE_TO_LIMIT],
    },
    {
        "title": "Walkthrough: the front door at the Glenrothes office",
        "time": (TimeUnit.HOURS, "2", "0"),
        "recorder": "callum",
        "approver": "aileen",
        "stage": "owed",
        "approve": ["Ewan Scott", "Connor McBride", "Archie Henderson"],
    },
]

# Free-standing tasks: (person, description, worked on, hours, recorder, approver or None,
# paid through finance). `worked_on` is a date, or "this_week" (the Monday of the week
# the demo is loaded, so the totals show against this week's limit).
TASKS = [
    (
        PORTAL_PERSON,
        "Reading and commenting on the draft participation strategy",
        RATE_CARDS[1]["effective_from"] - datetime.timedelta(days=20),  # older rates
        "2",
        "aileen",
        "fiona",
        True,
    ),
    (
        CLOSE_TO_LIMIT,
        "Reading and commenting on the carers' leaflet",
        "this_week",
        "2",
        "aileen",
        "fiona",
        False,
    ),
    (
        CLOSE_TO_LIMIT,
        "Phone interview for the carers' survey",
        "this_week",
        "1.5",
        "aileen",
        "fiona",
        False,
    ),
    (
        # Owed, and would take her fees this week over the £100 limit: approving shows the
        # warning.
        CLOSE_TO_LIMIT,
        "Helping plan the carers' event",
        "this_week",
        "1",
        "callum",
        None,
        False,
    ),
]

# Expense claims: (person, words on the claim, activity title, who filled it in ("person" for
# the person in their portal), how far it got, lines). A line is (kind, amount or miles,
# description, receipt: (shop, words on the receipt) or None). Stages: "draft", "submitted",
# "approved", "paid", "returned" (with the reason).
CLAIMS = [
    {
        "person": PORTAL_PERSON,
        "note": "Bus and lunch for the letters panel",
        "activity": "Lived-experience panel: the letters we send",
        "by": "person",
        "stage": "paid",
        "approver": "aileen",
        "lines": [
            (
                ExpenseKind.PUBLIC_TRANSPORT,
                "4.60",
                "Return bus to the venue",
                ("Kingdom Buses", "Adult return"),
            ),
            (ExpenseKind.MEALS, "6.25", "Lunch", ("Harbour Café", "Soup and sandwich")),
        ],
    },
    {
        "person": PORTAL_PERSON,
        "note": "Bus to the walkthrough",
        "activity": "Walkthrough: the front door at the Glenrothes office",
        "by": "person",
        "stage": "draft",
        "lines": [
            (
                ExpenseKind.PUBLIC_TRANSPORT,
                "4.60",
                "Return bus to Glenrothes",
                ("Kingdom Buses", "Adult return"),
            ),
        ],
    },
    {
        "person": CLOSE_TO_LIMIT,
        "note": "Driving to the interview panel",
        "activity": "Interview panel: senior practitioner, children and families",
        "by": "aileen",
        "stage": "submitted",
        "lines": [
            (ExpenseKind.MILEAGE, "18.5", "Home to the council offices and back", None),
            (ExpenseKind.OTHER, "3.50", "Car park", ("Town Centre Car Park", "All day")),
        ],
    },
    {
        "person": "Ewan Scott",
        "note": "Taxi to the walkthrough",
        "activity": "Walkthrough: the front door at the Glenrothes office",
        "by": "callum",
        "stage": "approved",
        "approver": "aileen",
        "lines": [
            (ExpenseKind.TAXI, "14.80", "Taxi both ways", ("Glen Taxis", "2 journeys")),
        ],
    },
    {
        "person": "Kirsty Buchanan",
        "note": "Childcare for the letters panel",
        "activity": "Lived-experience panel: the letters we send",
        "by": "aileen",
        "stage": "returned",
        "approver": "fiona",
        "reason": "The photo of the receipt is too blurred to read the amount. Could you send "
        "a clearer photo, or tell us the childminder's name so we can check with them?",
        "lines": [
            (
                ExpenseKind.CHILDCARE,
                "30.00",
                "Childminder for the afternoon",
                ("Little Acorns Childminding", "Afternoon care"),
            ),
        ],
    },
]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(moment, timezone.now())


def _clamp(day: datetime.date, today: datetime.date) -> datetime.date:
    return min(day, today)


def receipt_png(shop: str, words: str, amount: str, day: datetime.date) -> bytes:
    """A small picture of a till receipt (a real PNG), drawn with matplotlib."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3.0, 3.0), dpi=72, facecolor="#fbfaf5")
    lines = [
        (0.90, shop.upper(), 9, "bold"),
        (0.78, f"{day:%d/%m/%Y}", 8, "normal"),
        (0.68, "-" * 32, 8, "normal"),
        (0.58, words, 9, "normal"),
        (0.42, f"TOTAL  £{amount}", 11, "bold"),
        (0.22, "Thank you", 8, "normal"),
        (0.10, "Demo receipt, not real", 7, "normal"),
    ]
    for y, text, size, weight in lines:
        figure.text(0.5, y, text, ha="center", va="center", fontsize=size, fontweight=weight)
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _choices(people, staff) -> int:
    created = 0
    for name, method, charity, set_by, limits in CHOICES:
        person = people.get(name)
        if person is None or PaymentChoice.objects.filter(person=person).exists():
            continue
        actor = person.user if set_by == "person" and person.user else staff["aileen"]
        services.payment_choice_update(
            actor=actor, person=person, method=method, charity=charity, **limits
        )
        created += 1
    return created


def _approve(payment, approver, day, today):
    payment = services.payment_approve(actor=approver, payment=payment, acknowledged=True)
    Payment.objects.filter(pk=payment.pk).update(approved_at=_at(_clamp(day, today), hour=11))
    return payment


def _finance_import(payments, *, actor, organisation, day, today, first_number) -> None:
    """Mark approved payments paid as the finance system's file would, all at once."""
    paid_on = _clamp(day, today)
    items = [
        services.PaidItem(
            row=row,
            reference=payment.reference,
            paid_on=paid_on,
            finance_reference=f"FIFE-AP-{paid_on:%y%m}-{first_number + row:04d}",
        )
        for row, payment in enumerate(payments, start=2)
        if payment.status == PaymentStatus.APPROVED
    ]
    if items:
        services.finance_mark_paid(actor=actor, organisation_id=organisation.pk, items=items)


def _activity_payments(plan, activity, *, organisation, people, staff, today) -> int:
    recorder, approver = staff[plan["recorder"]], staff[plan["approver"]]
    unit, quantity, preparation = plan["time"]
    waiting = list(selectors.attendees_without_payment(activity=activity))
    if not waiting:
        return 0
    payments = services.payments_create_for_attendees(
        actor=recorder,
        activity=activity,
        invitation_ids=[invitation.pk for invitation in waiting],
        time_unit=unit,
        quantity=quantity,
        preparation_hours=preparation,
    )
    ended = activity.ends_on
    Payment.objects.filter(pk__in=[p.pk for p in payments]).update(
        created_at=_at(_clamp(ended + datetime.timedelta(days=1), today))
    )
    created = len(payments)
    for payment in payments:
        if payment.person.full_name in plan.get("voucher", []):
            services.payment_method_change(
                actor=recorder, payment=payment, method=PaymentMethod.VOUCHER
            )
    to_approve = (
        payments
        if plan["stage"] in ("paid", "approved")
        else [p for p in payments if p.person.full_name in plan.get("approve", [])]
    )
    approved = [
        _approve(payment, approver, ended + datetime.timedelta(days=3), today)
        for payment in to_approve
    ]
    if plan["stage"] == "paid":
        _finance_import(
            approved,
            actor=recorder,
            organisation=organisation,
            day=ended + datetime.timedelta(days=plan["paid_after"]),
            today=today,
            first_number=activity.pk * 10,
        )
    if "correction" in plan:
        name, amount, reason = plan["correction"]
        original = next((p for p in payments if p.person.full_name == name), None)
        if original is not None:
            original.refresh_from_db()
            correction = services.payment_adjust(
                actor=recorder, payment=original, amount=amount, reason=reason
            )
            _approve(correction, approver, ended + datetime.timedelta(days=20), today)
            Payment.objects.filter(pk=correction.pk).update(
                created_at=_at(_clamp(ended + datetime.timedelta(days=18), today))
            )
            created += 1
    if "cancelled_task" in plan:
        name, description, reason = plan["cancelled_task"]
        person = people.get(name)
        if person is not None:
            task = services.payment_create(
                actor=recorder,
                person=person,
                kind=PaymentKind.TASK,
                worked_on=ended - datetime.timedelta(days=2),
                quantity="1",
                activity=activity,
                description=description,
            )
            services.payment_cancel(actor=recorder, payment=task, reason=reason)
            Payment.objects.filter(pk=task.pk).update(
                created_at=_at(_clamp(ended - datetime.timedelta(days=1), today))
            )
            created += 1
    return created


def _tasks(*, organisation, people, staff, today) -> int:
    created = 0
    monday = today - datetime.timedelta(days=today.weekday())
    for name, description, worked_on, hours, recorder, approver, paid in TASKS:
        person = people.get(name)
        if (
            person is None
            or Payment.objects.filter(person=person, description=description).exists()
        ):
            continue
        day = monday if worked_on == "this_week" else worked_on
        task = services.payment_create(
            actor=staff[recorder],
            person=person,
            kind=PaymentKind.TASK,
            worked_on=day,
            quantity=hours,
            description=description,
        )
        Payment.objects.filter(pk=task.pk).update(created_at=_at(day, hour=15))
        created += 1
        if approver:
            task = _approve(task, staff[approver], day + datetime.timedelta(days=1), today)
        if paid:
            _finance_import(
                [task],
                actor=staff[recorder],
                organisation=organisation,
                day=day + datetime.timedelta(days=12),
                today=today,
                first_number=task.pk,
            )
    return created


def _claims(*, activities, people, staff, today) -> int:
    created = 0
    for spec in CLAIMS:
        person = people.get(spec["person"])
        activity = activities.get(spec["activity"])
        if person is None or activity is None:
            continue
        if ExpenseClaim.objects.filter(person=person, note=spec["note"]).exists():
            continue
        actor = person.user if spec["by"] == "person" else staff[spec["by"]]
        if actor is None:
            continue
        day = _clamp(activity.ends_on, today)
        claim = services.claim_create(
            actor=actor, person=person, activity=activity, note=spec["note"]
        )
        for kind, value, description, receipt in spec["lines"]:
            upload = None
            if receipt is not None:
                shop, words = receipt
                upload = SimpleUploadedFile(
                    f"receipt-{slugify(shop)}.png",
                    receipt_png(shop, words, value, day),
                    content_type="image/png",
                )
            services.claim_line_add(
                actor=actor,
                claim=claim,
                kind=kind,
                incurred_on=day,
                amount=None if kind == ExpenseKind.MILEAGE else value,
                miles=value if kind == ExpenseKind.MILEAGE else None,
                description=description,
                receipt=upload,
            )
        created += 1 + len(spec["lines"])
        moments = {"created_at": _at(_clamp(day + datetime.timedelta(days=1), today), hour=19)}
        if spec["stage"] != "draft":
            services.claim_submit(actor=actor, claim=claim)
            moments["submitted_at"] = moments["created_at"]
        if spec["stage"] in ("approved", "paid"):
            services.claim_approve(actor=staff[spec["approver"]], claim=claim)
            moments["approved_at"] = _at(_clamp(day + datetime.timedelta(days=4), today))
        if spec["stage"] == "returned":
            services.claim_return(actor=staff[spec["approver"]], claim=claim, reason=spec["reason"])
        if spec["stage"] == "paid":
            paid_on = _clamp(day + datetime.timedelta(days=9), today)
            services.claim_mark_paid(
                actor=staff["aileen"],
                claim=claim,
                paid_on=paid_on,
                finance_reference=f"FIFE-EX-{paid_on:%y%m}-{claim.pk:04d}",
            )
        ExpenseClaim.objects.filter(pk=claim.pk).update(**moments)
    return created


def load(stdout=None) -> int:
    organisation = Organisation.objects.filter(name=FIFE).first()
    staff = {key: User.objects.filter(email=email).first() for key, email in STAFF.items()}
    if organisation is None or not all(staff.values()):
        return 0
    today = timezone.localdate()
    people = {
        p.full_name: p
        for p in Person.objects.not_erased()
        .filter(organisation=organisation)
        .select_related("user")
    }
    created = 0
    for card in RATE_CARDS:
        if RateCard.objects.filter(
            organisation=organisation, effective_from=card["effective_from"]
        ).exists():
            continue
        services.rate_card_create(actor=staff["morag"], organisation_id=organisation.pk, **card)
        created += 1
    if not PaymentSettings.objects.filter(organisation=organisation).exists():
        services.payment_settings_update(
            actor=staff["morag"], organisation_id=organisation.pk, **SETTINGS
        )
        created += 1
    created += _choices(people, staff)
    activities = {}
    for plan in ACTIVITY_PAYMENTS:
        activity = (
            Activity.objects.filter(
                organisation=organisation,
                title=plan["title"],
                cancelled_at__isnull=True,
                ends_on__lt=today,
            )
            .order_by("pk")
            .first()
        )
        if activity is None:
            continue
        activities[plan["title"]] = activity
        if Payment.objects.filter(activity=activity).exists():
            continue
        created += _activity_payments(
            plan, activity, organisation=organisation, people=people, staff=staff, today=today
        )
    created += _tasks(organisation=organisation, people=people, staff=staff, today=today)
    created += _claims(activities=activities, people=people, staff=staff, today=today)
    if stdout is not None and created:
        stdout.write(f"Payments: {created} new records.")
    return created

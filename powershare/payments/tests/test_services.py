"""The rules the payments services keep, whatever page, API or import calls them: amounts to
the penny from the rate in force on the day, approval by a second person, paid payments never
changed (corrected instead), all-or-nothing finance imports, and expense claims that go back
and forth until they are right."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.engagement.models import Invitation
from powershare.payments import selectors, services
from powershare.payments.models import (
    ClaimStatus,
    ExpenseKind,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    Receipt,
    TimeUnit,
    TravelTimePolicy,
)
from powershare.payments.services import PaidItem

from . import factories as make

D = Decimal
TODAY = datetime.date.today


@pytest.fixture
def lena(personas):
    """A leader in council A: may approve what someone else recorded, and nothing more."""
    user = User.objects.create_user(
        email="lena.leader@a.example", password="x" * 20, full_name="Lena Lewis"
    )
    Membership.objects.create(user=user, organisation=personas.council_a, role=Role.LEADER)
    return user


@pytest.fixture
def cards(personas):
    """Council A's rates: £20 an hour from April 2024, £25 from April 2025."""
    older = make.rate_card(personas.council_a, "2024-04-01", preparation_max_hours=D("2"))
    newer = make.rate_card(
        personas.council_a,
        "2025-04-01",
        hourly_rate=D("25.00"),
        half_day_rate=D("90.00"),
        full_day_rate=D("150.00"),
        preparation_max_hours=D("2"),
        mileage_rate=D("0.45"),
    )
    return older, newer


@pytest.fixture
def person(personas):
    return make.person(personas.council_a, name="Pat Payee")


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def _owed(actor, person, **fields):
    values = {
        "kind": PaymentKind.TASK,
        "worked_on": make.day("2026-03-02"),
        "quantity": "2",
        "description": "Reading the draft leaflet",
    }
    return services.payment_create(actor=actor, person=person, **{**values, **fields})


def _approved(alice, lena, person, **fields):
    payment = _owed(alice, person, **fields)
    return services.payment_approve(actor=lena, payment=payment)


def _paid(alice, lena, person, **fields):
    payment = _approved(alice, lena, person, **fields)
    return services.payment_mark_paid(
        actor=alice, payment=payment, paid_on=make.day("2026-03-10"), finance_reference="AP-1"
    )


# ---------------------------------------------------------------------------------------------
# Working out an amount


@pytest.mark.parametrize(
    ("rate", "unit", "quantity", "expected"),
    [
        ("20.00", TimeUnit.HOURS, "1.5", "30.00"),
        ("10.50", TimeUnit.HOURS, "0.25", "2.63"),  # 2.625: half up, not to even
        ("12.10", TimeUnit.HOURS, "0.25", "3.03"),  # 3.025
        ("20.25", TimeUnit.HOURS, "0.33", "6.68"),  # 6.6825
        ("33.33", TimeUnit.HOURS, "0.15", "5.00"),  # 4.9995
        ("75.00", TimeUnit.HALF_DAY, "3", "225.00"),
        ("140.00", TimeUnit.FULL_DAY, "0.5", "70.00"),
    ],
)
def test_the_amount_is_the_rate_times_the_time_rounded_half_up_to_the_penny(
    personas, rate, unit, quantity, expected
):
    field = {
        TimeUnit.HOURS: "hourly_rate",
        TimeUnit.HALF_DAY: "half_day_rate",
        TimeUnit.FULL_DAY: "full_day_rate",
    }[unit]
    card = make.rate_card(personas.council_a, **{field: D(rate)})
    used, amount = services.payment_amount(card=card, time_unit=unit, quantity=D(quantity))
    assert used == D(rate)
    assert amount == D(expected)
    assert amount.as_tuple().exponent == -2


def test_preparation_is_paid_at_the_hourly_rate_up_to_the_card_s_limit(personas):
    card = make.rate_card(personas.council_a, hourly_rate=D("20.00"), preparation_max_hours=D("2"))
    amount = lambda prep: services.payment_amount(  # noqa: E731
        card=card, time_unit=TimeUnit.HALF_DAY, quantity=D("1"), preparation_hours=D(prep)
    )[1]
    assert amount("0") == D("75.00")
    assert amount("1.5") == D("105.00")
    assert amount("2") == D("115.00")
    assert amount("3.5") == D("115.00")  # capped at 2 hours


def test_travel_time_is_paid_only_when_the_card_says_so_and_up_to_its_limit(personas):
    not_paid = make.rate_card(personas.council_a, "2024-04-01")
    paid = make.rate_card(
        personas.council_a,
        "2025-04-01",
        travel_time_policy=TravelTimePolicy.HOURLY,
        travel_max_hours=D("1.5"),
    )
    for card, travel, expected in (
        (not_paid, "3", "40.00"),
        (paid, "1", "60.00"),
        (paid, "3", "70.00"),  # capped at 1.5 hours
    ):
        _, amount = services.payment_amount(
            card=card, time_unit=TimeUnit.HOURS, quantity=D("2"), travel_hours=D(travel)
        )
        assert amount == D(expected), (card.travel_time_policy, travel)


# ---------------------------------------------------------------------------------------------
# Rate cards: the version in force on the day


def test_a_payment_uses_the_rate_card_in_force_on_the_day_of_the_involvement(
    personas, cards, person
):
    older, newer = cards
    before = _owed(personas.alice, person, worked_on=make.day("2025-03-31"))
    on_the_day = _owed(personas.alice, person, worked_on=make.day("2025-04-01"))
    assert (before.rate_card, before.rate, before.amount) == (older, D("20.00"), D("40.00"))
    assert (on_the_day.rate_card, on_the_day.rate, on_the_day.amount) == (
        newer,
        D("25.00"),
        D("50.00"),
    )
    # A newer version later changes nothing already worked out.
    services.rate_card_create(
        actor=personas.admin,
        organisation_id=personas.council_a.pk,
        effective_from=make.day("2025-04-01") + datetime.timedelta(days=1),
        hourly_rate="30",
        half_day_rate="100",
        full_day_rate="180",
    )
    on_the_day.refresh_from_db()
    assert (on_the_day.rate, on_the_day.amount) == (D("25.00"), D("50.00"))


def test_a_rate_card_used_by_a_payment_can_t_be_changed(personas, cards, person):
    _, newer = cards
    _owed(personas.alice, person)
    with pytest.raises(ValidationError, match="new rate card"):
        services.rate_card_update(
            actor=personas.admin,
            card=newer,
            effective_from=newer.effective_from,
            hourly_rate="26",
            half_day_rate="90",
            full_day_rate="150",
        )
    newer.refresh_from_db()
    assert newer.hourly_rate == D("25.00")


def test_two_rate_cards_can_t_start_on_the_same_day(personas, cards):
    with pytest.raises(ValidationError) as problem:
        services.rate_card_create(
            actor=personas.admin,
            organisation_id=personas.council_a.pk,
            effective_from=make.day("2025-04-01"),
            hourly_rate="30",
            half_day_rate="100",
            full_day_rate="180",
        )
    assert "effective_from" in _errors(problem)


def test_without_a_rate_card_in_force_the_error_names_the_day(personas, cards, person):
    with pytest.raises(ValidationError) as problem:
        _owed(personas.alice, person, worked_on=make.day("2024-03-31"))
    message = _errors(problem)["worked_on"][0]
    assert "No rate card is in force on 31 March 2024" in message
    assert not Payment.objects.filter(person=person).exists()


def test_only_administrators_publish_rate_cards(personas, cards):
    for who in ("alice", "bob", "charlie", "dora"):
        with pytest.raises(PermissionDenied):
            services.rate_card_create(
                actor=getattr(personas, who),
                organisation_id=personas.council_a.pk,
                effective_from=make.day("2026-04-01"),
                hourly_rate="30",
                half_day_rate="100",
                full_day_rate="180",
            )


def test_payment_details_that_make_no_sense_are_named_field_by_field(personas, cards, person):
    with pytest.raises(ValidationError) as problem:
        services.payment_create(
            actor=personas.alice,
            person=person,
            kind=PaymentKind.TASK,
            worked_on=make.day("2026-03-02"),
            time_unit="fortnights",
            quantity="-1",
            preparation_hours="lots",
        )
    errors = _errors(problem)
    assert {"time_unit", "quantity", "preparation_hours", "description"} <= set(errors)
    assert "like 12.50" in errors["preparation_hours"][0]
    with pytest.raises(ValidationError) as problem:
        _owed(personas.alice, person, kind=PaymentKind.ADJUSTMENT)
    assert "kind" in _errors(problem)


# ---------------------------------------------------------------------------------------------
# Approval by a second person


def test_a_payment_is_owed_with_the_person_s_method_and_the_default_cost_code(
    personas, cards, person
):
    make.payment_settings(personas.council_a, default_cost_code="SW-123")
    services.payment_choice_update(
        actor=personas.alice, person=person, method=PaymentMethod.DONATE, charity="A food bank"
    )
    payment = _owed(personas.alice, person)
    assert payment.status == PaymentStatus.OWED
    assert (payment.method, payment.charity, payment.cost_code) == (
        PaymentMethod.DONATE,
        "A food bank",
        "SW-123",
    )
    assert payment.created_by == personas.alice
    assert payment.reference == f"PAY-{payment.pk:06d}"


def test_the_person_who_recorded_a_payment_can_t_approve_it(personas, cards, person, lena):
    payment = _owed(personas.alice, person)
    with pytest.raises(ValidationError, match="someone else must approve"):
        services.payment_approve(actor=personas.alice, payment=payment)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.OWED
    assert not selectors.payment_may_approve(user=personas.alice, payment=payment)
    assert selectors.payment_may_approve(user=lena, payment=payment)

    approved = services.payment_approve(actor=lena, payment=payment)
    assert approved.status == PaymentStatus.APPROVED
    assert approved.approved_by == lena
    assert approved.approved_at is not None
    assert approved.warning_at_approval == []
    with pytest.raises(ValidationError, match="approved already"):
        services.payment_approve(actor=lena, payment=approved)


def test_bob_and_charlie_can_t_record_approve_or_pay(personas, cards, person, lena):
    payment = _owed(personas.alice, person)
    approved = _approved(personas.alice, lena, person)
    for who in ("bob", "charlie", "nina", "dora", "erin"):
        actor = getattr(personas, who)
        with pytest.raises(PermissionDenied):
            _owed(actor, person)
        with pytest.raises(PermissionDenied):
            services.payment_approve(actor=actor, payment=payment)
        with pytest.raises(PermissionDenied):
            services.payment_cancel(actor=actor, payment=payment, reason="No")
        with pytest.raises(PermissionDenied):
            services.payment_mark_paid(
                actor=actor, payment=approved, paid_on=TODAY(), finance_reference="X"
            )
        with pytest.raises(PermissionDenied):
            services.finance_mark_paid(
                actor=actor,
                organisation_id=personas.council_a.pk,
                items=[PaidItem(2, approved.reference, TODAY(), "X")],
            )
    # A leader approves but doesn't record.
    with pytest.raises(PermissionDenied):
        _owed(lena, person)
    payment.refresh_from_db()
    approved.refresh_from_db()
    assert (payment.status, approved.status) == (PaymentStatus.OWED, PaymentStatus.APPROVED)


def test_a_payment_the_person_does_not_want_is_closed_as_not_wanted(personas, cards, person, lena):
    services.payment_choice_update(
        actor=personas.alice, person=person, method=PaymentMethod.DECLINE
    )
    declined = _approved(personas.alice, lena, person)
    assert declined.status == PaymentStatus.DECLINED
    assert declined.counts_as == ""
    with pytest.raises(ValidationError):
        services.payment_mark_paid(
            actor=personas.alice, payment=declined, paid_on=TODAY(), finance_reference="X"
        )


def test_approving_over_a_limit_needs_the_warning_acknowledged(personas, cards, person, lena):
    make.payment_settings(personas.council_a, weekly_limit=D("100.00"))
    person.receives_benefits = True
    person.save(update_fields=["receives_benefits"])
    _approved(personas.alice, lena, person, quantity="4")  # £100 that week
    over = _owed(personas.alice, person, worked_on=make.day("2026-03-04"), quantity="1")
    with pytest.raises(ValidationError) as problem:
        services.payment_approve(actor=lena, payment=over)
    assert "acknowledged" in _errors(problem)
    over.refresh_from_db()
    assert over.status == PaymentStatus.OWED

    approved = services.payment_approve(actor=lena, payment=over, acknowledged=True)
    assert approved.status == PaymentStatus.APPROVED
    assert approved.warning_at_approval == [
        {
            "period": "week",
            "start": "2026-03-02",
            "end": "2026-03-08",
            "fees": "100.00",
            "vouchers": "0.00",
            "limit": "100.00",
            "this_payment": "25.00",
            "fees_after": "125.00",
        }
    ]


# ---------------------------------------------------------------------------------------------
# Paid payments are never changed; corrections are new payments


def test_a_paid_payment_can_t_be_changed_cancelled_or_given_a_new_method(
    personas, cards, person, lena
):
    paid = _paid(personas.alice, lena, person)
    before = Payment.objects.filter(pk=paid.pk).values().get()
    with pytest.raises(ValidationError, match="add a correction"):
        services.payment_update(
            actor=personas.alice,
            payment=paid,
            worked_on=paid.worked_on,
            time_unit=TimeUnit.HOURS,
            quantity="3",
            description="More",
        )
    with pytest.raises(ValidationError):
        services.payment_cancel(actor=personas.alice, payment=paid, reason="Oops")
    with pytest.raises(ValidationError):
        services.payment_method_change(
            actor=personas.alice, payment=paid, method=PaymentMethod.VOUCHER
        )
    with pytest.raises(ValidationError):
        services.payment_mark_paid(
            actor=personas.alice, payment=paid, paid_on=TODAY(), finance_reference="AP-2"
        )
    services.payment_choice_update(
        actor=personas.alice, person=person, method=PaymentMethod.VOUCHER
    )
    assert Payment.objects.filter(pk=paid.pk).values().get() == before


def test_an_owed_payment_is_worked_out_again_when_it_is_changed(personas, cards, person):
    payment = _owed(personas.alice, person, worked_on=make.day("2025-03-20"))
    assert payment.amount == D("40.00")  # the older rates
    changed = services.payment_update(
        actor=personas.alice,
        payment=payment,
        worked_on=make.day("2025-04-20"),
        time_unit=TimeUnit.HALF_DAY,
        quantity="1",
        preparation_hours="1",
        description="Reading the draft leaflet",
        cost_code="SW-9",
    )
    assert (changed.rate, changed.amount, changed.cost_code) == (
        D("90.00"),
        D("115.00"),
        "SW-9",
    )


def test_a_correction_is_a_new_payment_and_the_paid_one_stays_as_it_was(
    personas, cards, person, lena
):
    paid = _paid(personas.alice, lena, person)
    before = Payment.objects.filter(pk=paid.pk).values().get()
    more = services.payment_adjust(
        actor=personas.alice, payment=paid, amount="12.50", reason="Preparation was missed"
    )
    less = services.payment_adjust(
        actor=personas.alice, payment=paid, amount="-5.00", reason="Paid for too long"
    )
    assert Payment.objects.filter(pk=paid.pk).values().get() == before
    for correction, amount in ((more, D("12.50")), (less, D("-5.00"))):
        assert correction.pk != paid.pk
        assert correction.kind == PaymentKind.ADJUSTMENT
        assert correction.adjustment_of == paid
        assert correction.amount == amount
        assert correction.status == PaymentStatus.OWED
        assert correction.worked_on == paid.worked_on
        assert correction.method == paid.method
    # It goes through approval like any other payment.
    with pytest.raises(ValidationError):
        services.payment_approve(actor=personas.alice, payment=more)
    assert services.payment_approve(actor=lena, payment=more).status == PaymentStatus.APPROVED


def test_a_correction_needs_a_paid_payment_a_reason_and_can_t_go_below_nothing(
    personas, cards, person, lena
):
    owed = _owed(personas.alice, person)
    with pytest.raises(ValidationError, match="Only a paid payment"):
        services.payment_adjust(actor=personas.alice, payment=owed, amount="5", reason="R")
    paid = _paid(personas.alice, lena, person)
    assert paid.amount == D("50.00")
    with pytest.raises(ValidationError) as problem:
        services.payment_adjust(actor=personas.alice, payment=paid, amount="0", reason="")
    assert {"amount", "reason"} <= set(_errors(problem))
    services.payment_adjust(actor=personas.alice, payment=paid, amount="-30", reason="R")
    with pytest.raises(ValidationError, match="below £0"):
        services.payment_adjust(actor=personas.alice, payment=paid, amount="-20.01", reason="R")
    # Exactly down to nothing is allowed; a cancelled correction no longer counts.
    last = services.payment_adjust(actor=personas.alice, payment=paid, amount="-20.00", reason="R")
    services.payment_cancel(actor=personas.alice, payment=last, reason="Not needed")
    services.payment_adjust(actor=personas.alice, payment=paid, amount="-20.00", reason="R")
    with pytest.raises(PermissionDenied):
        services.payment_adjust(actor=personas.bob, payment=paid, amount="1", reason="R")
    assert Payment.objects.filter(adjustment_of=paid).count() == 3


def test_cancelling_needs_a_reason_and_keeps_it(personas, cards, person, lena):
    payment = _owed(personas.alice, person)
    with pytest.raises(ValidationError) as problem:
        services.payment_cancel(actor=personas.alice, payment=payment, reason="  ")
    assert "reason" in _errors(problem)
    cancelled = services.payment_cancel(
        actor=personas.alice, payment=payment, reason="Recorded twice"
    )
    assert (cancelled.status, cancelled.reason) == (PaymentStatus.CANCELLED, "Recorded twice")
    assert cancelled.counts_as == ""
    approved = _approved(personas.alice, lena, person)
    assert (
        services.payment_cancel(actor=personas.alice, payment=approved, reason="Wrong person")
    ).status == PaymentStatus.CANCELLED


def test_marking_paid_needs_an_approved_payment_a_past_date_and_a_reference(
    personas, cards, person, lena
):
    owed = _owed(personas.alice, person)
    with pytest.raises(ValidationError, match="Only an approved"):
        services.payment_mark_paid(
            actor=personas.alice, payment=owed, paid_on=TODAY(), finance_reference="AP-1"
        )
    approved = _approved(personas.alice, lena, person)
    with pytest.raises(ValidationError) as problem:
        services.payment_mark_paid(
            actor=personas.alice,
            payment=approved,
            paid_on=TODAY() + datetime.timedelta(days=1),
            finance_reference=" ",
        )
    assert {"paid_on", "finance_reference"} <= set(_errors(problem))
    paid = services.payment_mark_paid(
        actor=personas.alice, payment=approved, paid_on=TODAY(), finance_reference=" AP-77 "
    )
    assert (paid.status, paid.paid_on, paid.finance_reference, paid.marked_paid_by) == (
        PaymentStatus.PAID,
        TODAY(),
        "AP-77",
        personas.alice,
    )


def test_a_new_method_applies_to_payments_still_owed_only(personas, cards, person, lena):
    approved = _approved(personas.alice, lena, person)
    owed = _owed(personas.alice, person)
    services.payment_choice_update(
        actor=personas.alice, person=person, method=PaymentMethod.VOUCHER
    )
    owed.refresh_from_db()
    approved.refresh_from_db()
    assert owed.method == PaymentMethod.VOUCHER
    assert approved.method == PaymentMethod.BANK_TRANSFER
    # One payment changed by staff, at the person's request, while still owed.
    changed = services.payment_method_change(
        actor=personas.alice, payment=owed, method=PaymentMethod.DONATE, charity="The lifeboats"
    )
    assert (changed.method, changed.charity) == (PaymentMethod.DONATE, "The lifeboats")
    with pytest.raises(ValidationError) as problem:
        services.payment_method_change(
            actor=personas.alice, payment=owed, method=PaymentMethod.DONATE
        )
    assert "charity" in _errors(problem)
    with pytest.raises(ValidationError, match="still owed"):
        services.payment_method_change(
            actor=personas.alice, payment=approved, method=PaymentMethod.VOUCHER
        )


def test_a_person_chooses_their_own_method_and_limits(personas, cards):
    erin = personas.erin_person
    choice = services.payment_choice_update(
        actor=personas.erin,
        person=erin,
        method=PaymentMethod.VOUCHER,
        weekly_limit="80",
        receives_benefits=True,
    )
    assert (choice.method, choice.weekly_limit, choice.limits_set_by) == (
        PaymentMethod.VOUCHER,
        D("80"),
        "person",
    )
    erin.refresh_from_db()
    assert erin.receives_benefits
    other = make.person(personas.council_a)
    with pytest.raises(PermissionDenied):
        services.payment_choice_update(
            actor=personas.erin, person=other, method=PaymentMethod.VOUCHER
        )
    with pytest.raises(ValidationError) as problem:
        services.payment_choice_update(
            actor=personas.erin, person=erin, method="cash", weekly_limit="-1"
        )
    assert {"method", "weekly_limit"} <= set(_errors(problem))


# ---------------------------------------------------------------------------------------------
# Everyone who attended, at once


def test_payments_for_everyone_who_attended_are_recorded_at_once_and_only_once(personas, cards):
    activity = make.activity(personas.council_a, ends_on=make.day("2026-03-04"))
    came = [make.person(personas.council_a) for _ in range(3)]
    invitations = [make.invitation(activity, p, attended=True) for p in came]
    make.invitation(activity, make.person(personas.council_a), attended=False)
    waiting = selectors.attendees_without_payment(activity=activity)
    assert [i.pk for i in waiting] == sorted(
        (i.pk for i in invitations), key=lambda pk: Invitation.objects.get(pk=pk).person.full_name
    )
    made = services.payments_create_for_attendees(
        actor=personas.alice,
        activity=activity,
        invitation_ids=[i.pk for i in invitations[:2]],
        time_unit=TimeUnit.HALF_DAY,
        quantity="1",
        preparation_hours="1",
    )
    assert len(made) == 2
    for payment in made:
        assert payment.kind == PaymentKind.INVOLVEMENT
        assert payment.worked_on == activity.ends_on
        assert payment.amount == D("115.00")
        assert payment.activity == activity
    assert [i.pk for i in selectors.attendees_without_payment(activity=activity)] == [
        invitations[2].pk
    ]
    # Asking again for people already paid records nothing.
    with pytest.raises(ValidationError):
        services.payments_create_for_attendees(
            actor=personas.alice,
            activity=activity,
            invitation_ids=[i.pk for i in invitations[:2]],
            time_unit=TimeUnit.HOURS,
            quantity="1",
        )
    assert Payment.objects.filter(activity=activity).count() == 2
    # The same attendance can't be paid twice another way either.
    with pytest.raises(ValidationError) as problem:
        services.payment_create(
            actor=personas.alice,
            person=came[0],
            kind=PaymentKind.INVOLVEMENT,
            worked_on=activity.ends_on,
            quantity="1",
            activity=activity,
            invitation=invitations[0],
        )
    assert "invitation" in _errors(problem)


# ---------------------------------------------------------------------------------------------
# Finance: marking paid from the finance system's file, all or nothing


def test_the_finance_file_marks_every_row_paid(personas, cards, person, lena):
    payments = [_approved(personas.alice, lena, person) for _ in range(2)]
    claim = services.claim_create(actor=personas.alice, person=person)
    services.claim_line_add(
        actor=personas.alice,
        claim=claim,
        kind=ExpenseKind.PUBLIC_TRANSPORT,
        incurred_on=make.day("2026-03-02"),
        amount="4.60",
    )
    services.claim_submit(actor=personas.alice, claim=claim)
    services.claim_approve(actor=lena, claim=claim)
    paid_on = TODAY() - datetime.timedelta(days=1)
    items = [
        PaidItem(2, payments[0].reference, paid_on, "F-1"),
        PaidItem(3, payments[1].reference.replace("-", "").lower(), paid_on, "F-2"),
        PaidItem(4, claim.reference, paid_on, "F-3"),
    ]
    assert services.finance_mark_paid(
        actor=personas.alice, organisation_id=personas.council_a.pk, items=items
    ) == {"payments": 2, "claims": 1}
    for payment, reference in zip(payments, ("F-1", "F-2"), strict=True):
        payment.refresh_from_db()
        assert (payment.status, payment.paid_on, payment.finance_reference) == (
            PaymentStatus.PAID,
            paid_on,
            reference,
        )
        assert payment.marked_paid_by == personas.alice
    claim.refresh_from_db()
    assert (claim.status, claim.finance_reference) == (ClaimStatus.PAID, "F-3")


def test_one_unknown_reference_changes_nothing_and_names_its_row(personas, cards, person, lena):
    good = _approved(personas.alice, lena, person)
    owed = _owed(personas.alice, person)
    theirs = make.payment(
        make.person(personas.council_b), worked_on="2026-03-02", status=PaymentStatus.APPROVED
    )
    paid_on = TODAY()
    items = [
        PaidItem(2, good.reference, paid_on, "F-1"),
        PaidItem(3, "PAY-999999", paid_on, "F-2"),
        PaidItem(4, owed.reference, paid_on, "F-3"),
        PaidItem(5, theirs.reference, paid_on, "F-4"),
        PaidItem(6, "INV-12", paid_on, "F-5"),
        PaidItem(7, good.reference, paid_on, "F-6"),
        PaidItem(8, "EXP-000001", paid_on + datetime.timedelta(days=1), ""),
    ]
    with pytest.raises(ValidationError) as problem:
        services.finance_mark_paid(
            actor=personas.alice, organisation_id=personas.council_a.pk, items=items
        )
    messages = problem.value.messages
    assert messages[0] == "Row 3: No payment or claim has the reference PAY-999999 here."
    joined = "\n".join(messages)
    assert f"Row 4: {owed.reference} is “owed”, not approved" in joined
    assert f"Row 5: No payment or claim has the reference {theirs.reference} here." in joined
    assert "Row 6: “INV-12” is not a PowerShare reference" in joined
    assert f"Row 7: {good.reference} is also on row 2." in joined
    assert "Row 8: The date paid is in the future." in joined
    assert "Row 8: The finance reference is empty." in joined
    assert not any(message.startswith("Row 2") for message in messages)
    # Nothing changed, not even the good row.
    good.refresh_from_db()
    theirs.refresh_from_db()
    assert (good.status, good.paid_on, good.finance_reference) == (
        PaymentStatus.APPROVED,
        None,
        "",
    )
    assert theirs.status == PaymentStatus.APPROVED
    with pytest.raises(ValidationError, match="no rows"):
        services.finance_mark_paid(
            actor=personas.alice, organisation_id=personas.council_a.pk, items=[]
        )


def test_references_are_read_however_finance_writes_them():
    parse = services.finance_reference_parse
    assert parse("PAY-000123") == ("payment", 123)
    assert parse(" pay123 ") == ("payment", 123)
    assert parse("EXP-45") == ("claim", 45)
    assert parse("PAY-") is None
    assert parse("REF-1") is None
    assert parse("") is None


# ---------------------------------------------------------------------------------------------
# Expense claims


def test_a_claim_goes_from_draft_to_sent_to_approved_and_paid(personas, cards, person, lena):
    claim = services.claim_create(actor=personas.alice, person=person, note="Panel day")
    assert claim.status == ClaimStatus.DRAFT
    assert claim.reference == f"EXP-{claim.pk:06d}"
    with pytest.raises(ValidationError, match="at least one cost"):
        services.claim_submit(actor=personas.alice, claim=claim)
    mileage = services.claim_line_add(
        actor=personas.alice,
        claim=claim,
        kind=ExpenseKind.MILEAGE,
        incurred_on=make.day("2026-03-02"),
        miles="18.5",
        description="Home to the office and back",
    )
    assert (mileage.miles, mileage.mileage_rate, mileage.amount) == (
        D("18.5"),
        D("0.45"),
        D("8.33"),  # 8.325, rounded half up
    )
    taxi = services.claim_line_add(
        actor=personas.alice,
        claim=claim,
        kind=ExpenseKind.TAXI,
        incurred_on=make.day("2026-03-02"),
        amount="£12.40",
        receipt=make.upload("taxi receipt.png"),
    )
    receipt = taxi.receipts.get()
    assert receipt.original_name == "taxi receipt.png"
    assert receipt.content_type == "image/png"
    assert receipt.size == len(make.PNG)
    assert "taxi" not in receipt.file.name
    assert default_storage.exists(receipt.file.name)
    total = selectors.with_claim_total(type(claim).objects.filter(pk=claim.pk)).get().total
    assert D(total).quantize(D("0.01")) == D("20.73")

    sent = services.claim_submit(actor=personas.alice, claim=claim)
    assert sent.status == ClaimStatus.SUBMITTED
    assert sent.submitted_at is not None
    with pytest.raises(ValidationError, match="sent"):
        services.claim_line_add(
            actor=personas.alice,
            claim=claim,
            kind=ExpenseKind.MEALS,
            incurred_on=make.day("2026-03-02"),
            amount="5",
        )
    with pytest.raises(ValidationError, match="someone else must approve"):
        services.claim_approve(actor=personas.alice, claim=claim)
    approved = services.claim_approve(actor=lena, claim=claim)
    assert (approved.status, approved.approved_by) == (ClaimStatus.APPROVED, lena)
    with pytest.raises(PermissionDenied):
        services.claim_mark_paid(actor=lena, claim=claim, paid_on=TODAY(), finance_reference="F-1")
    paid = services.claim_mark_paid(
        actor=personas.alice, claim=claim, paid_on=TODAY(), finance_reference="F-1"
    )
    assert (paid.status, paid.finance_reference) == (ClaimStatus.PAID, "F-1")


def test_a_claim_sent_back_with_a_reason_can_be_put_right_and_sent_again(personas, cards, lena):
    erin = personas.erin_person
    claim = services.claim_create(actor=personas.erin, person=erin)
    services.claim_line_add(
        actor=personas.erin,
        claim=claim,
        kind=ExpenseKind.CHILDCARE,
        incurred_on=make.day("2026-03-02"),
        amount="30",
        receipt=make.upload("childminder.png"),
    )
    services.claim_submit(actor=personas.erin, claim=claim)
    with pytest.raises(ValidationError) as problem:
        services.claim_return(actor=personas.alice, claim=claim, reason=" ")
    assert "reason" in _errors(problem)
    returned = services.claim_return(
        actor=personas.alice, claim=claim, reason="The photo is too blurred to read."
    )
    assert (returned.status, returned.returned_reason) == (
        ClaimStatus.RETURNED,
        "The photo is too blurred to read.",
    )
    with pytest.raises(ValidationError, match="waiting for approval"):
        services.claim_approve(actor=lena, claim=claim)
    # She adds a clearer photo and sends it again.
    line = claim.lines.get()
    services.receipt_add(actor=personas.erin, line=line, upload=make.upload("clearer.png"))
    again = services.claim_submit(actor=personas.erin, claim=claim)
    assert (again.status, again.returned_reason) == (ClaimStatus.SUBMITTED, "")
    assert line.receipts.count() == 2
    # Staff didn't fill it in, so alice may approve it.
    assert services.claim_approve(actor=personas.alice, claim=claim).status == (
        ClaimStatus.APPROVED
    )


def test_a_cost_needs_its_details_and_a_receipt_that_is_what_it_says(personas, cards, person):
    claim = services.claim_create(actor=personas.alice, person=person)
    with pytest.raises(ValidationError) as problem:
        services.claim_line_add(
            actor=personas.alice,
            claim=claim,
            kind=ExpenseKind.OTHER,
            incurred_on=TODAY() + datetime.timedelta(days=1),
            amount="0",
            receipt=make.upload("receipt.png", data=b"%PDF-1.4 not a picture"),
        )
    errors = _errors(problem)
    assert set(errors) == {"incurred_on", "description", "amount", "receipt"}
    assert "don't match" in errors["receipt"][0]
    with pytest.raises(ValidationError) as problem:
        services.claim_line_add(
            actor=personas.alice,
            claim=claim,
            kind=ExpenseKind.MILEAGE,
            incurred_on=make.day("2026-03-02"),
            miles="12.25",
        )
    assert "miles" in _errors(problem)
    with pytest.raises(ValidationError) as problem:
        services.claim_line_add(
            actor=personas.alice,
            claim=claim,
            kind=ExpenseKind.TAXI,
            incurred_on=make.day("2026-03-02"),
            amount="9",
            receipt=make.upload("receipt.exe", data=b"MZ"),
        )
    assert "receipt" in _errors(problem)
    assert not claim.lines.exists()
    assert not Receipt.objects.filter(line__claim=claim).exists()


def test_removing_a_cost_removes_its_receipt_file(
    personas, cards, person, django_capture_on_commit_callbacks
):
    claim = services.claim_create(actor=personas.alice, person=person)
    line = services.claim_line_add(
        actor=personas.alice,
        claim=claim,
        kind=ExpenseKind.TAXI,
        incurred_on=make.day("2026-03-02"),
        amount="9",
        receipt=make.upload(),
    )
    stored = line.receipts.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_line_remove(actor=personas.alice, line=line)
    assert not claim.lines.exists()
    assert not default_storage.exists(stored)


def test_only_the_person_or_staff_who_manage_payments_act_on_a_claim(personas, cards, person, lena):
    claim = services.claim_create(actor=personas.alice, person=person)
    for who in ("bob", "charlie", "erin"):
        actor = getattr(personas, who)
        with pytest.raises(PermissionDenied):
            services.claim_create(actor=actor, person=person)
        with pytest.raises(PermissionDenied):
            services.claim_line_add(
                actor=actor,
                claim=claim,
                kind=ExpenseKind.TAXI,
                incurred_on=make.day("2026-03-02"),
                amount="5",
            )
        with pytest.raises(PermissionDenied):
            services.claim_submit(actor=actor, claim=claim)
    services.claim_line_add(
        actor=personas.alice,
        claim=claim,
        kind=ExpenseKind.TAXI,
        incurred_on=make.day("2026-03-02"),
        amount="5",
    )
    services.claim_submit(actor=personas.alice, claim=claim)
    for who in ("bob", "charlie", "erin"):
        with pytest.raises(PermissionDenied):
            services.claim_approve(actor=getattr(personas, who), claim=claim)
        with pytest.raises(PermissionDenied):
            services.claim_return(actor=getattr(personas, who), claim=claim, reason="No")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_nobody_approves_their_own_payment_or_claim(personas, cards, lena):
    """A leader who is also on the register, paid for their involvement: someone else
    recorded it, but it is still theirs, so someone else approves it."""
    lenas_record = make.person(personas.council_a, user=lena)
    payment = _owed(personas.alice, lenas_record)
    assert not selectors.payment_may_approve(user=lena, payment=payment)
    with pytest.raises(ValidationError):
        services.payment_approve(actor=lena, payment=payment)
    claim = services.claim_create(actor=personas.alice, person=lenas_record)
    services.claim_line_add(
        actor=personas.alice,
        claim=claim,
        kind=ExpenseKind.TAXI,
        incurred_on=make.day("2026-03-02"),
        amount="5",
    )
    services.claim_submit(actor=personas.alice, claim=claim)
    assert not selectors.claim_may_approve(user=lena, claim=claim)
    with pytest.raises(ValidationError):
        services.claim_approve(actor=lena, claim=claim)
    payment.refresh_from_db()
    claim.refresh_from_db()
    assert (payment.status, claim.status) == (PaymentStatus.OWED, ClaimStatus.SUBMITTED)

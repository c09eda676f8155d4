"""The safeguards around money: no one approves what they recorded, changed or are paid; a
correction stays a correction; one attendance is paid once; warnings only when a payment adds
to fees; every change is in the history; erasure leaves no unsent claim behind."""

import datetime
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.engagement.models import Invitation, InvitationStatus
from powershare.engagement.tests import factories as engagement_make
from powershare.payments import selectors, services
from powershare.payments.models import (
    ClaimStatus,
    ExpenseClaim,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    Receipt,
)
from powershare.payments.tests import factories as make

pytestmark = pytest.mark.django_db


def _member(personas, email, role=Role.PARTICIPATION_LEAD):
    user = User.objects.create_user(email=email, password="x" * 20, full_name=email.split("@")[0])
    Membership.objects.create(user=user, organisation=personas.council_a, role=role)
    return user


@pytest.fixture
def pat(personas):
    """A second participation lead in council A."""
    return _member(personas, "pat.lead@a.example")


@pytest.fixture
def lena(personas):
    """A leader in council A, who may approve."""
    return _member(personas, "lena.leader@a.example", Role.LEADER)


@pytest.fixture
def card(personas):
    return make.rate_card(personas.council_a, "2020-01-01")


@pytest.fixture
def sam(personas):
    return make.person(personas.council_a, name="Sam Shaw")


def _owed(actor, person, hours="1"):
    return services.payment_create(
        actor=actor,
        person=person,
        kind=PaymentKind.TASK,
        description="Reading the draft leaflet",
        worked_on=datetime.date.today(),
        quantity=hours,
    )


def test_whoever_changed_a_payment_cannot_approve_it(personas, pat, lena, card, sam):
    payment = _owed(personas.alice, sam)
    services.payment_update(
        actor=pat,
        payment=payment,
        worked_on=payment.worked_on,
        time_unit="hours",
        quantity="100",
        description=payment.description,
    )
    payment.refresh_from_db()
    assert payment.amount == D("2000.00")
    assert not selectors.payment_may_approve(user=pat, payment=payment)
    with pytest.raises(ValidationError, match="recorded or changed"):
        services.payment_approve(actor=pat, payment=payment)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.OWED
    assert selectors.payment_counts_for(user=pat)["to_approve_by_you"] == 0
    # Someone who neither recorded nor changed it may.
    assert selectors.payment_counts_for(user=lena)["to_approve_by_you"] == 1
    services.payment_approve(actor=lena, payment=payment)
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.APPROVED


def test_whoever_changed_a_payment_s_method_cannot_approve_it(personas, pat, card, sam):
    payment = _owed(personas.alice, sam)
    services.payment_method_change(
        actor=pat, payment=payment, method=PaymentMethod.DONATE, charity="Shelter"
    )
    with pytest.raises(ValidationError, match="recorded or changed"):
        services.payment_approve(actor=pat, payment=Payment.objects.get(pk=payment.pk))


def test_staff_who_add_a_cost_or_send_a_claim_cannot_approve_it(personas, pat, lena, card, sam):
    claim = services.claim_create(actor=personas.alice, person=sam)
    services.claim_line_add(
        actor=pat,
        claim=claim,
        kind="other",
        incurred_on=datetime.date.today(),
        amount="9000",
        description="A very large cost",
    )
    services.claim_submit(actor=pat, claim=claim)
    claim.refresh_from_db()
    assert not selectors.claim_may_approve(user=pat, claim=claim)
    with pytest.raises(ValidationError, match="filled in or changed"):
        services.claim_approve(actor=pat, claim=claim)
    assert ExpenseClaim.objects.get(pk=claim.pk).status == ClaimStatus.SUBMITTED
    assert selectors.payment_counts_for(user=pat)["claims_to_approve_by_you"] == 0
    assert selectors.payment_counts_for(user=lena)["claims_to_approve_by_you"] == 1
    services.claim_approve(actor=lena, claim=claim)


def test_a_person_s_own_claim_changed_by_staff_needs_a_third_person(personas, pat, lena, card):
    claim = services.claim_create(actor=personas.erin, person=personas.erin_person)
    services.claim_line_add(
        actor=personas.erin,
        claim=claim,
        kind="taxi",
        incurred_on=datetime.date.today(),
        amount="12.00",
    )
    services.claim_submit(actor=personas.erin, claim=claim)
    services.claim_return(actor=lena, claim=claim, reason="Please add the receipt.")
    claim.refresh_from_db()
    assert claim.returned_at is not None
    services.claim_line_add(
        actor=pat, claim=claim, kind="meals", incurred_on=datetime.date.today(), amount="800"
    )
    services.claim_submit(actor=pat, claim=claim)
    with pytest.raises(ValidationError):
        services.claim_approve(actor=pat, claim=ExpenseClaim.objects.get(pk=claim.pk))
    services.claim_approve(actor=lena, claim=ExpenseClaim.objects.get(pk=claim.pk))


def test_a_correction_cannot_be_changed_into_a_new_payment(personas, pat, lena, card, sam):
    paid = _owed(personas.alice, sam)
    services.payment_approve(actor=lena, payment=paid)
    services.payment_mark_paid(
        actor=personas.alice,
        payment=Payment.objects.get(pk=paid.pk),
        paid_on=datetime.date.today(),
        finance_reference="F-1",
    )
    correction = services.payment_adjust(
        actor=pat, payment=Payment.objects.get(pk=paid.pk), amount="-20.00", reason="Too much"
    )
    with pytest.raises(ValidationError, match="correction can't be changed"):
        services.payment_update(
            actor=personas.alice,
            payment=correction,
            worked_on=correction.worked_on,
            time_unit="full_day",
            quantity="3",
        )
    with pytest.raises(ValidationError):
        services.payment_method_change(
            actor=personas.alice, payment=correction, method=PaymentMethod.DECLINE
        )
    # Nor does the person's new choice move it: the clawback stays as it was.
    services.payment_choice_update(actor=personas.alice, person=sam, method=PaymentMethod.DECLINE)
    correction.refresh_from_db()
    assert (correction.amount, correction.method) == (D("-20.00"), PaymentMethod.BANK_TRANSFER)


def test_staff_never_act_on_their_own_pay(personas, pat, card):
    pats_record = make.person(personas.council_a, name="Pat Lead", user=pat)
    with pytest.raises(ValidationError, match="payment to you"):
        _owed(pat, pats_record)
    payment = _owed(personas.alice, pats_record)
    with pytest.raises(ValidationError, match="payment to you"):
        services.payment_update(
            actor=pat,
            payment=payment,
            worked_on=payment.worked_on,
            time_unit="full_day",
            quantity="10",
            description="x",
        )
    with pytest.raises(ValidationError):
        services.payment_approve(actor=pat, payment=payment)
    assert Payment.objects.get(pk=payment.pk).amount == D("20.00")


def test_paying_for_taking_part_links_the_attendance_so_it_is_paid_once(personas, card, sam):
    activity = engagement_make.activity(personas.council_a)
    Invitation.objects.create(
        activity=activity, person=sam, status=InvitationStatus.ACCEPTED, attended=True
    )
    assert selectors.attendees_without_payment(activity=activity).count() == 1
    payment = services.payment_create(
        actor=personas.alice,
        person=sam,
        kind=PaymentKind.INVOLVEMENT,
        activity=activity,
        worked_on=datetime.date.today(),
        quantity="2",
    )
    assert payment.invitation is not None
    assert selectors.attendees_without_payment(activity=activity).count() == 0
    with pytest.raises(ValidationError):
        services.payment_create(
            actor=personas.alice,
            person=sam,
            kind=PaymentKind.INVOLVEMENT,
            activity=activity,
            worked_on=datetime.date.today(),
            quantity="2",
        )


@pytest.mark.parametrize(
    ("method", "amount"),
    [(PaymentMethod.VOUCHER, "10.00"), (PaymentMethod.DECLINE, "10.00"), (None, "-10.00")],
)
def test_no_warning_for_a_payment_that_adds_nothing_to_fees(personas, card, method, amount):
    person = make.person(personas.council_a, name="Ruth Reid")
    person.receives_benefits = True
    person.save()
    make.payment_settings(personas.council_a, weekly_limit=D("50.00"))
    today = datetime.date.today()
    make.payment(person, "70.00", worked_on=today, status=PaymentStatus.APPROVED)
    payment = make.payment(
        person,
        amount,
        worked_on=today,
        method=method or PaymentMethod.BANK_TRANSFER,
        kind=PaymentKind.ADJUSTMENT if method is None else PaymentKind.TASK,
    )
    totals = selectors.threshold_check(payment=payment)
    assert totals[0].fees == D("70.00")
    assert totals[0].over
    assert selectors.crossing(totals) == []


def test_marking_paid_from_the_finance_file_shows_in_the_history(personas, lena, card, sam):
    payment = _owed(personas.alice, sam)
    services.payment_approve(actor=lena, payment=payment)
    before = LogEntry.objects.get_for_object(payment).count()
    services.finance_mark_paid(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        items=[
            services.PaidItem(
                row=2,
                reference=payment.reference,
                paid_on=datetime.date.today(),
                finance_reference="BACS-77",
            )
        ],
    )
    assert LogEntry.objects.get_for_object(payment).count() == before + 1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID


def test_erasure_removes_a_claim_the_person_never_sent(
    personas, card, django_capture_on_commit_callbacks
):
    from powershare.privacy import registry

    erin = personas.erin_person
    draft = services.claim_create(actor=personas.erin, person=erin)
    services.claim_line_add(
        actor=personas.erin,
        claim=draft,
        kind="taxi",
        incurred_on=datetime.date.today(),
        amount="9.00",
        receipt=make.upload(),
    )
    sent = make.claim(erin, note="Sent one")
    stored = Receipt.objects.get(line__claim=draft).file
    entry = registry.entry_for(ExpenseClaim)
    with django_capture_on_commit_callbacks(execute=True):
        entry.erase(erin, entry.rows_for(erin))
    assert not ExpenseClaim.objects.filter(pk=draft.pk).exists()
    assert ExpenseClaim.objects.get(pk=sent.pk).note == ""
    assert not Receipt.objects.filter(line__claim_id=draft.pk).exists()
    assert not stored.storage.exists(stored.name)

"""The staff payment pages: the list, recording payments (one, or everyone who attended an
activity), one payment and its actions (approve by a second person, change, method, cancel,
paid, correct), a person's payments and their choices; as alice (participation lead), a leader
of the same council who approves, and everyone who must get 404. The benefits warning shows
before approval only when a payment crosses a limit, and approval then needs it acknowledged."""

import datetime
import html as html_lib
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.audit.models import AccessEvent
from powershare.engagement.tests import factories as make
from powershare.payments import services
from powershare.payments.models import (
    Payment,
    PaymentChoice,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    RateCard,
    TravelTimePolicy,
)
from tests.personas import MARKER, PASSWORD, sign_in

HOME = reverse("payments:home")
CREATE = reverse("payments:payment_create")
#: A Wednesday: its week runs from Monday 3 to Sunday 9 March 2025.
DAY = datetime.date(2025, 3, 5)


def _text(response) -> str:
    """The page's words as a reader sees them: no tags, quotes unescaped, spaces collapsed."""
    html = re.sub(r"</?(strong|span|a|em|b)\b[^>]*>", "", response.content.decode())
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _url(name, pk):
    return reverse(f"payments:{name}", args=[pk])


@pytest.fixture
def world(personas):
    """Council A's rates (£20 an hour, £75 a half day, £140 a day; up to 2 hours' preparation
    and 1 hour's travel paid), and Sam, who gets benefits and chose a weekly limit of £50."""
    card = RateCard.objects.create(
        organisation=personas.council_a,
        effective_from=datetime.date(2021, 1, 1),
        hourly_rate=Decimal("20.00"),
        half_day_rate=Decimal("75.00"),
        full_day_rate=Decimal("140.00"),
        preparation_max_hours=Decimal("2"),
        travel_time_policy=TravelTimePolicy.HOURLY,
        travel_max_hours=Decimal("1"),
    )
    sam = make.person(
        personas.council_a, "Samira Shah", preferred_name="Sam", receives_benefits=True
    )
    services.payment_choice_update(
        actor=personas.alice, person=sam, method=PaymentMethod.BANK_TRANSFER, weekly_limit="50"
    )
    return {"card": card, "sam": sam}


@pytest.fixture
def lena(personas):
    """A leader of council A: she sees payments and approves them, and records none."""
    user = User.objects.create_user(
        email="lena@a.example", password=PASSWORD, full_name="Lena Lindsay"
    )
    Membership.objects.create(user=user, organisation=personas.council_a, role=Role.LEADER)
    return user


@pytest.fixture
def as_lena(client, lena):
    client.logout()
    sign_in(client, lena)
    return client


def _owed(personas, person, quantity="2", day=DAY, **fields):
    return services.payment_create(
        actor=personas.alice,
        person=person,
        kind=fields.pop("kind", PaymentKind.TASK),
        description=fields.pop("description", "Read the draft leaflet"),
        worked_on=day,
        quantity=quantity,
        **fields,
    )


def _approved(personas, lena, person, **fields):
    payment = _owed(personas, person, **fields)
    return services.payment_approve(actor=lena, payment=payment, acknowledged=True)


def _paid(personas, lena, person, **fields):
    payment = _approved(personas, lena, person, **fields)
    return services.payment_mark_paid(
        actor=personas.alice, payment=payment, paid_on=DAY, finance_reference="FIN-1"
    )


def _create_data(person, **overrides):
    data = {
        "form_token": f"create-{person.pk}",
        "person": str(person.pk),
        "kind": "task",
        "activity": "",
        "description": "Prepared the training slides",
        "worked_on": DAY.isoformat(),
        "time_unit": "hours",
        "quantity": "2",
        "preparation_hours": "1",
        "travel_hours": "3",
        "cost_code": "PX-101",
        "note": "",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------------
# Recording a payment


def test_alice_records_a_payment_worked_out_from_the_rate_card(client_for, personas, world):
    client = client_for("alice")
    page = _text(client.get(CREATE))
    assert "Samira Shah, known as Sam" in page
    assert "Rates in force today" in page

    response = client.post(CREATE, _create_data(world["sam"]), follow=True)
    payment = Payment.objects.get(person=world["sam"])
    assert response.redirect_chain[-1][0] == _url("payment_detail", payment.pk)
    # 2 hours at £20, 1 hour's preparation, travel capped at 1 hour: 4 hours at £20.
    assert payment.amount == Decimal("80.00")
    assert payment.rate == Decimal("20.00")
    assert payment.rate_card == world["card"]
    assert payment.status == PaymentStatus.OWED
    assert payment.created_by == personas.alice
    assert payment.cost_code == "PX-101"
    assert payment.method == PaymentMethod.BANK_TRANSFER
    page = _text(response)
    assert "Payment recorded. Someone other than you needs to approve it." in page
    assert "£80.00" in page
    assert "2 hours at £20.00: £40.00" in page
    assert "Preparation, 1 hour at £20.00: £20.00" in page
    assert "Travel, 1 hour at £20.00: £20.00" in page
    assert "started on 1 January 2021" in page
    assert "Time above the rate card's limits is not paid." in page
    assert "You recorded or changed this payment, so someone else must approve it" in page


def test_a_double_submit_records_one_payment(client_for, world):
    client = client_for("alice")
    data = _create_data(world["sam"])
    client.post(CREATE, data)
    client.post(CREATE, data)
    assert Payment.objects.filter(person=world["sam"]).count() == 1


def test_working_out_the_amount_saves_nothing(client_for, world):
    client = client_for("alice")
    response = client.post(CREATE, _create_data(world["sam"], preview="1", quantity="1"))
    assert response.status_code == 200
    page = _text(response)
    assert "This payment would be £60.00" in page
    assert "Nothing is saved yet" in page
    assert not Payment.objects.filter(person=world["sam"]).exists()
    assert 'value="Prepared the training slides"' in response.content.decode()


def test_what_was_typed_is_kept_when_something_is_wrong(client_for, world):
    client = client_for("alice")
    response = client.post(
        CREATE, _create_data(world["sam"], quantity="two", kind="task", description="")
    )
    assert response.status_code == 200
    page = _text(response)
    assert "There is a problem" in page
    assert "Enter how much time to pay for as a number, like 2 or 1.5" in page
    assert 'value="two"' in response.content.decode()
    assert 'value="PX-101"' in response.content.decode()
    assert not Payment.objects.exists()


def test_the_service_refusal_shows_on_the_field(client_for, world):
    """A task needs a description: said on the description, in the service's words."""
    response = client_for("alice").post(CREATE, _create_data(world["sam"], description=""))
    assert response.status_code == 200
    assert "Say what the task was." in _text(response)
    assert 'id="id_description-error"' in response.content.decode()
    assert not Payment.objects.exists()


def test_no_rate_card_on_the_day_is_explained(client_for, world):
    response = client_for("alice").post(CREATE, _create_data(world["sam"], worked_on="2019-06-01"))
    assert "No rate card is in force on 1 June 2019" in _text(response)
    assert not Payment.objects.exists()


def test_a_person_can_be_chosen_from_the_address(client_for, world):
    response = client_for("alice").get(CREATE, {"person": world["sam"].pk})
    assert re.search(rf'<option value="{world["sam"].pk}" selected>', response.content.decode())


def test_only_active_people_of_alices_council_can_be_chosen(client_for, personas, world):
    left = make.person(personas.council_a, "Lachlan Left", status="left")
    other = make.person(personas.council_b, "Brenda Angus")
    page = _text(client_for("alice").get(CREATE))
    assert "Samira Shah" in page
    assert "Lachlan Left" not in page
    assert "Brenda Angus" not in page
    response = client_for("alice").post(CREATE, _create_data(other))
    assert "Choose a person from the list" in _text(response)
    assert not Payment.objects.filter(person__in=[left, other]).exists()


# ---------------------------------------------------------------------------------------------
# Paying everyone who attended an activity


def test_alice_records_payments_for_everyone_who_attended(client_for, personas, world):
    activity = make.activity(personas.council_a, "Bus routes workshop", days_ago=3)
    rona = make.person(personas.council_a, "Rona Reid")
    tam = make.person(personas.council_a, "Tam Taylor")
    absent = make.person(personas.council_a, "Una Away")
    first = make.invitation(activity, rona, attended=True)
    second = make.invitation(activity, tam, attended=True)
    make.invitation(activity, absent, attended=False)
    url = _url("activity_payments", activity.pk)
    client = client_for("alice")

    html = client.get(url).content.decode()
    assert "2 people attended and have no payment yet" in _text(client.get(url))
    for invitation in (first, second):
        assert re.search(rf'value="{invitation.pk}" id="id_invitations_\d" checked', html)
    assert "Una Away" not in html

    response = client.post(
        url,
        {
            "form_token": "attendees-1",
            "invitations": [str(first.pk), str(second.pk)],
            "time_unit": "half_day",
            "quantity": "1",
            "preparation_hours": "",
            "travel_hours": "",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url
    page = _text(response)
    assert "2 payments recorded as owed" in page
    payments = Payment.objects.filter(activity=activity).order_by("person__full_name")
    assert [p.person for p in payments] == [rona, tam]
    assert {p.amount for p in payments} == {Decimal("75.00")}
    assert {p.kind for p in payments} == {PaymentKind.INVOLVEMENT}
    assert {p.worked_on for p in payments} == {activity.ends_on}
    assert {p.invitation_id for p in payments} == {first.pk, second.pk}
    assert "Everyone who attended has a payment recorded" in page
    assert page.count("£75.00") >= 2


def test_unticking_everyone_is_an_error_that_keeps_the_time(client_for, personas, world):
    activity = make.activity(personas.council_a, "Parks walk", days_ago=3)
    make.invitation(activity, make.person(personas.council_a), attended=True)
    response = client_for("alice").post(
        _url("activity_payments", activity.pk),
        {"form_token": "none", "time_unit": "hours", "quantity": "3"},
    )
    assert "Choose at least one person who attended" in _text(response)
    assert 'value="3"' in response.content.decode()
    assert not Payment.objects.exists()


def test_the_payment_list_links_to_recent_activities(client_for, personas, world):
    activity = make.activity(personas.council_a, "Recent forum", days_ago=2)
    html = client_for("alice").get(HOME).content.decode()
    assert _url("activity_payments", activity.pk) in html


# ---------------------------------------------------------------------------------------------
# Approval by a second person, and the benefits warning


def test_the_person_who_recorded_it_cannot_approve_it(client_for, personas, world):
    payment = _owed(personas, world["sam"], quantity="1")
    client = client_for("alice")
    detail = _text(client.get(_url("payment_detail", payment.pk)))
    assert "You recorded or changed this payment, so someone else must approve it" in detail
    assert _url("payment_approve", payment.pk) not in detail

    page = client.get(_url("payment_approve", payment.pk))
    assert page.status_code == 200
    text = _text(page)
    assert "You recorded or changed this payment, so someone else must approve it." in text
    assert "Approve the payment</button>" not in page.content.decode()

    response = client.post(_url("payment_approve", payment.pk), {"acknowledged": "on"})
    assert response.status_code == 200
    assert "You recorded or changed this payment, so someone else must approve it." in _text(
        response
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.OWED
    assert payment.approved_by is None


def test_a_second_person_approves(as_lena, personas, lena, world):
    payment = _owed(personas, world["sam"], quantity="1")
    detail = as_lena.get(_url("payment_detail", payment.pk)).content.decode()
    assert _url("payment_approve", payment.pk) in detail
    # A leader approves; she doesn't record or change payments.
    assert _url("payment_edit", payment.pk) not in detail
    page = _text(as_lena.get(_url("payment_approve", payment.pk)))
    assert "would take" not in page  # £20 of a £50 weekly limit: no warning
    assert "With this payment their fees stay within their limits." in page
    response = as_lena.post(_url("payment_approve", payment.pk), follow=True)
    assert response.redirect_chain[-1][0] == _url("payment_detail", payment.pk)
    assert f"Payment {payment.reference} approved." in _text(response)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.APPROVED
    assert payment.approved_by == lena
    assert payment.warning_at_approval == []


def test_the_warning_shows_before_approval_when_a_limit_is_crossed(as_lena, personas, world):
    _owed(personas, world["sam"], quantity="2")  # £40 owed that week
    payment = _owed(personas, world["sam"], quantity="1", day=DAY + datetime.timedelta(days=2))
    assert payment.amount == Decimal("20.00")
    response = as_lena.get(_url("payment_approve", payment.pk))
    page = _text(response)
    assert "This payment would take Sam's fees over their weekly limit" in page
    assert (
        "Week, 3 March 2025 to 9 March 2025: fees so far £40.00, this payment £20.00, "
        "fees after it £60.00, limit £50.00." in page
    )
    for option in ("voucher", "Spread the time", "Decline the payment"):
        assert option in page
    assert "up to £10.00 keeps their fees within the weekly limit" in page
    assert "This is information, not advice." in page
    assert "Citizens Advice" in page
    assert "I have seen these totals and talked the options through with Sam" in page
    # The warning comes before the button.
    html = response.content.decode()
    assert html.index("benefits-warning") < html.index("Approve the payment</button>")
    assert html.index('name="acknowledged"') < html.index("Approve the payment</button>")


def test_no_warning_for_a_payment_that_stays_under_the_limit(as_lena, personas, world):
    _owed(personas, world["sam"], quantity="2")  # £40
    small = _owed(personas, world["sam"], quantity="0.25")  # £5: £45 of £50
    assert small.amount == Decimal("5.00")
    response = as_lena.get(_url("payment_approve", small.pk))
    page = _text(response)
    assert "would take" not in page
    assert 'name="acknowledged"' not in response.content.decode()
    as_lena.post(_url("payment_approve", small.pk))
    small.refresh_from_db()
    assert small.status == PaymentStatus.APPROVED


def test_approval_over_a_limit_needs_the_box_ticked(as_lena, personas, lena, world):
    _owed(personas, world["sam"], quantity="2")
    payment = _owed(personas, world["sam"], quantity="1")
    url = _url("payment_approve", payment.pk)

    refused = as_lena.post(url, {})
    assert refused.status_code == 200
    page = _text(refused)
    assert "There is a problem" in page
    assert "Confirm you have seen the totals and talked through the options." in page
    assert "fees after it £60.00" in page
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.OWED

    as_lena.post(url, {"acknowledged": "on"})
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.APPROVED
    assert payment.approved_by == lena
    [shown] = payment.warning_at_approval
    assert shown["period"] == "week"
    assert (shown["fees"], shown["this_payment"], shown["fees_after"], shown["limit"]) == (
        "40.00",
        "20.00",
        "60.00",
        "50.00",
    )
    detail = _text(as_lena.get(_url("payment_detail", payment.pk)))
    assert "Benefits warning at approval" in detail
    assert "fees after it £60.00, limit £50.00" in detail


def test_the_organisations_advice_is_shown_with_the_warning(as_lena, personas, world):
    services.payment_settings_update(
        actor=personas.admin,
        organisation_id=personas.council_a.pk,
        advice="Call the Aberdeen welfare rights team on 01224 000000.",
        pay_within_days=14,
    )
    _owed(personas, world["sam"], quantity="2")
    payment = _owed(personas, world["sam"], quantity="1")
    page = _text(as_lena.get(_url("payment_approve", payment.pk)))
    assert "Call the Aberdeen welfare rights team on 01224 000000." in page
    assert "Citizens Advice" not in page


def test_vouchers_are_shown_apart_and_do_not_count_towards_the_limit(as_lena, personas, world):
    services.payment_choice_update(
        actor=personas.alice, person=world["sam"], method="voucher", weekly_limit="50"
    )
    _owed(personas, world["sam"], quantity="2")  # a £40 voucher
    payment = _owed(personas, world["sam"], quantity="1")
    assert payment.method == PaymentMethod.VOUCHER
    page = _text(as_lena.get(_url("payment_approve", payment.pk)))
    assert "would take" not in page
    assert "Vouchers" in page
    assert "£40.00" in page


# ---------------------------------------------------------------------------------------------
# Change, method, cancel, paid, correct


def test_alice_changes_a_payment_still_owed(client_for, personas, world):
    payment = _owed(personas, world["sam"], quantity="1")
    client = client_for("alice")
    html = client.get(_url("payment_edit", payment.pk)).content.decode()
    assert 'value="1"' in html
    response = client.post(
        _url("payment_edit", payment.pk),
        {
            "description": "Read two leaflets",
            "worked_on": DAY.isoformat(),
            "time_unit": "hours",
            "quantity": "3",
            "preparation_hours": "",
            "travel_hours": "",
            "cost_code": "PX-9",
            "note": "Took longer",
        },
        follow=True,
    )
    assert "The amount is now £60.00." in _text(response)
    payment.refresh_from_db()
    assert (payment.amount, payment.description, payment.cost_code) == (
        Decimal("60.00"),
        "Read two leaflets",
        "PX-9",
    )


def test_a_change_with_a_mistake_keeps_what_was_typed(client_for, personas, world):
    payment = _owed(personas, world["sam"], quantity="1")
    response = client_for("alice").post(
        _url("payment_edit", payment.pk),
        {"description": "Kept words", "worked_on": "31/02/2025", "quantity": "4"},
    )
    page = _text(response)
    assert "Enter the date of the work as a real date" in page
    assert 'value="Kept words"' in response.content.decode()
    payment.refresh_from_db()
    assert payment.amount == Decimal("20.00")


def test_an_approved_payment_cannot_be_changed(client_for, personas, lena, world):
    payment = _approved(personas, lena, world["sam"], quantity="1")
    client = client_for("alice")
    for name in ("payment_edit", "payment_method"):
        response = client.get(_url(name, payment.pk), follow=True)
        assert response.redirect_chain[-1][0] == _url("payment_detail", payment.pk), name
    response = client.post(
        _url("payment_edit", payment.pk),
        {"worked_on": DAY.isoformat(), "time_unit": "hours", "quantity": "9"},
    )
    payment.refresh_from_db()
    assert payment.amount == Decimal("20.00")


def test_alice_changes_how_one_payment_is_made(client_for, personas, world):
    payment = _owed(personas, world["sam"], quantity="1")
    client = client_for("alice")
    url = _url("payment_method", payment.pk)
    response = client.post(url, {"method": "donate", "charity": ""})
    assert "Say which charity should get the money" in _text(response)
    client.post(url, {"method": "donate", "charity": "Aberdeen Foodbank"})
    payment.refresh_from_db()
    assert (payment.method, payment.charity) == ("donate", "Aberdeen Foodbank")
    assert "Give it to a charity: Aberdeen Foodbank" in _text(
        client.get(_url("payment_detail", payment.pk))
    )


def test_alice_cancels_a_payment_with_a_reason(client_for, personas, world):
    payment = _owed(personas, world["sam"], quantity="1")
    client = client_for("alice")
    url = _url("payment_cancel", payment.pk)
    assert "You can't undo this" in _text(client.get(url))
    response = client.post(url, {"reason": ""})
    assert "Say why the payment is cancelled" in _text(response)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.OWED
    client.post(url, {"reason": "Recorded twice"})
    payment.refresh_from_db()
    assert (payment.status, payment.reason) == (PaymentStatus.CANCELLED, "Recorded twice")


def test_alice_marks_an_approved_payment_paid(client_for, personas, lena, world):
    payment = _approved(personas, lena, world["sam"], quantity="1")
    client = client_for("alice")
    url = _url("payment_paid", payment.pk)
    response = client.post(url, {"paid_on": "2025-03-20", "finance_reference": ""})
    assert "There is a problem" in _text(response)
    assert 'value="2025-03-20"' in response.content.decode()
    client.post(url, {"paid_on": "2025-03-20", "finance_reference": "BACS-7781"})
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert (payment.paid_on, payment.finance_reference) == (
        datetime.date(2025, 3, 20),
        "BACS-7781",
    )
    assert payment.marked_paid_by == personas.alice
    page = _text(client.get(_url("payment_detail", payment.pk)))
    assert "BACS-7781" in page
    assert "20 March 2025" in page


def test_an_owed_payment_cannot_be_marked_paid(client_for, personas, world):
    payment = _owed(personas, world["sam"], quantity="1")
    client_for("alice").post(
        _url("payment_paid", payment.pk), {"paid_on": "2025-03-20", "finance_reference": "X"}
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.OWED


def test_alice_corrects_a_paid_payment_with_a_negative_amount(client_for, personas, lena, world):
    payment = _paid(personas, lena, world["sam"], quantity="2")
    client = client_for("alice")
    url = _url("payment_adjust", payment.pk)
    bad = client.post(url, {"form_token": "c0", "amount": "ten", "reason": "Paid 3 not 2"})
    assert "Enter the amount of the correction as a number" in _text(bad)
    assert "Paid 3 not 2" in bad.content.decode()

    response = client.post(
        url,
        {"form_token": "c1", "amount": "-10.00", "reason": "Paid for 2 hours, not 1.5"},
        follow=True,
    )
    correction = Payment.objects.get(adjustment_of=payment)
    assert response.redirect_chain[-1][0] == _url("payment_detail", correction.pk)
    assert correction.amount == Decimal("-10.00")
    assert correction.kind == PaymentKind.ADJUSTMENT
    assert correction.status == PaymentStatus.OWED
    payment.refresh_from_db()
    assert (payment.status, payment.amount) == (PaymentStatus.PAID, Decimal("40.00"))
    page = _text(response)
    assert "−£10.00" in page
    assert f"Corrects {payment.reference}" in page
    original = _text(client.get(_url("payment_detail", payment.pk)))
    assert correction.reference in original
    assert "Paid for 2 hours, not 1.5" in original


def test_a_correction_cannot_take_the_total_below_nothing(client_for, personas, lena, world):
    payment = _paid(personas, lena, world["sam"], quantity="2")
    response = client_for("alice").post(
        _url("payment_adjust", payment.pk),
        {"form_token": "c2", "amount": "-50", "reason": "Wrong"},
    )
    assert "A correction can't take the total below £0." in _text(response)
    assert not Payment.objects.filter(adjustment_of=payment).exists()


def test_only_paid_payments_are_corrected(client_for, personas, world):
    payment = _owed(personas, world["sam"], quantity="1")
    response = client_for("alice").post(
        _url("payment_adjust", payment.pk), {"form_token": "c3", "amount": "5", "reason": "x"}
    )
    assert response.status_code == 302
    assert not Payment.objects.filter(adjustment_of=payment).exists()


# ---------------------------------------------------------------------------------------------
# One payment's page


def test_opening_a_payment_is_recorded(client_for, personas, world):
    payment = _owed(personas, world["sam"], quantity="1")
    client_for("alice").get(_url("payment_detail", payment.pk))
    event = AccessEvent.objects.get(subject_id=str(payment.pk), user=personas.alice)
    assert payment.reference in event.description
    assert "Samira" not in event.description


def test_the_detail_shows_the_persons_totals_with_their_limit(client_for, personas, world):
    _owed(personas, world["sam"], quantity="2")
    payment = _owed(personas, world["sam"], quantity="1")
    page = _text(client_for("alice").get(_url("payment_detail", payment.pk)))
    assert "Sam's totals" in page
    assert "£60.00" in page
    assert "£50.00" in page
    assert "Goes over the limit" in page


# ---------------------------------------------------------------------------------------------
# A person's payments and choices


def test_a_persons_payments_page_shows_totals_limits_and_claims(client_for, personas, world):
    today = datetime.date.today()
    _owed(personas, world["sam"], quantity="2", day=today)
    claim = services.claim_create(actor=personas.alice, person=world["sam"])
    services.claim_line_add(
        actor=personas.alice, claim=claim, kind="taxi", incurred_on=today, amount="12.40"
    )
    services.claim_submit(actor=personas.alice, claim=claim)
    client = client_for("alice")
    url = _url("person_payments", world["sam"].pk)
    page = _text(client.get(url))
    assert "Says taking part might affect their benefits" in page
    assert "Week: £50.00 (agreed with the person)" in page
    assert "Month: no limit" in page
    assert "Expenses are not earnings and are never counted here" in page
    assert "Fees £40.00" in page
    assert "Expenses repaid or claimed £12.40" in page
    assert claim.reference in page
    assert "1 payment" in page
    assert AccessEvent.objects.filter(
        subject_id=str(world["sam"].pk), user=personas.alice, path=url
    ).exists()


def test_the_organisations_default_limit_is_named_as_such(client_for, personas, world):
    services.payment_settings_update(
        actor=personas.admin,
        organisation_id=personas.council_a.pk,
        monthly_limit="300",
        pay_within_days=14,
    )
    page = _text(client_for("alice").get(_url("person_payments", world["sam"].pk)))
    assert "Month: £300.00 (the organisation's default)" in page


def test_alice_sets_a_persons_choices_with_them(client_for, personas, world):
    person = make.person(personas.council_a, "Iain Innes")
    owed = _owed(personas, person, quantity="1")
    client = client_for("alice")
    url = _url("person_choice", person.pk)
    page = _text(client.get(url))
    assert "Leave empty to use the organisation's weekly limit (no limit)." in page
    response = client.post(
        url,
        {
            "method": "voucher",
            "charity": "",
            "receives_benefits": "on",
            "weekly_limit": "£40",
            "monthly_limit": "",
            "yearly_limit": "",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _url("person_payments", person.pk)
    choice = PaymentChoice.objects.get(person=person)
    assert (choice.method, choice.weekly_limit, choice.monthly_limit) == (
        "voucher",
        Decimal("40.00"),
        None,
    )
    person.refresh_from_db()
    assert person.receives_benefits is True
    owed.refresh_from_db()
    assert owed.method == "voucher"

    bad = client.post(url, {"method": "bank_transfer", "weekly_limit": "lots"})
    assert "Enter the weekly limit as a number, like 12.50" in _text(bad)
    assert 'value="lots"' in bad.content.decode()


# ---------------------------------------------------------------------------------------------
# The list


def test_the_list_counts_each_status_and_what_waits_for_you(as_lena, personas, lena, world):
    _owed(personas, world["sam"], quantity="1")
    _owed(personas, world["sam"], quantity="1", description="Second")
    _approved(personas, lena, world["sam"], quantity="1", description="Third")
    page = _text(as_lena.get(HOME))
    assert "2 payments are waiting for your approval" in page
    assert "Owed (2)" in page
    assert "Approved (1)" in page
    assert "All (3)" in page
    assert "3 payments" in page
    owed = _text(as_lena.get(HOME, {"status": "owed"}))
    assert "2 payments match" in owed
    assert "Third" not in owed


def test_the_list_filters_by_method_and_dates(client_for, personas, world):
    _owed(personas, world["sam"], quantity="1", description="Early")
    _owed(personas, world["sam"], quantity="1", description="Late", day=DAY.replace(month=6))
    client = client_for("alice")
    page = _text(client.get(HOME, {"worked_from": "2025-05-01"}))
    assert "Late" in page
    assert "Early" not in page
    assert "1 payment match" in page
    none = _text(client.get(HOME, {"method": "voucher"}))
    assert "No payments match" in none
    wrong = _text(client.get(HOME, {"worked_from": "2025-06-01", "worked_to": "2025-01-01"}))
    assert "must be on or after" in wrong


def _many_payments(personas, card, count: int) -> None:
    people = [make.person(personas.council_a, f"Bulk Person {i}") for i in range(3)]
    Payment.objects.bulk_create(
        Payment(
            organisation=personas.council_a,
            person=people[i % 3],
            kind=PaymentKind.TASK,
            description=f"Bulk task {i}",
            worked_on=DAY - datetime.timedelta(days=i % 400),
            quantity=Decimal("1"),
            rate_card=card,
            rate=card.hourly_rate,
            amount=Decimal("20.00"),
            method=PaymentMethod.BANK_TRANSFER,
            status=(PaymentStatus.OWED, PaymentStatus.APPROVED, PaymentStatus.PAID)[i % 3],
            created_by=personas.alice,
        )
        for i in range(count)
    )


def test_the_list_runs_a_fixed_number_of_queries(client_for, personas, world):
    _many_payments(personas, world["card"], 10)
    client = client_for("alice")
    client.get(HOME)
    with CaptureQueriesContext(connection) as few:
        assert client.get(HOME).status_code == 200
    _many_payments(personas, world["card"], 990)
    with CaptureQueriesContext(connection) as many:
        response = client.get(HOME, {"page": 3})
    page = _text(response)
    assert "1000 payments" in page
    assert len(re.findall(r'href="/payments/\d+/"', response.content.decode())) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_administrator_sees_the_rates_not_the_payments(client_for, personas, samples):
    response = client_for("admin").get(HOME)
    assert response.status_code == 200
    page = _text(response)
    assert reverse("payments:rate_card_list") in response.content.decode()
    assert reverse("payments:settings") in response.content.decode()
    assert samples["payment"].reference not in page
    assert MARKER not in page
    assert client_for("admin").get(_url("payment_detail", samples["payment"].pk)).status_code == 404


# ---------------------------------------------------------------------------------------------
# Everyone else: 404


def _posts(samples) -> list[str]:
    return [url for url in _pages(samples) if url != HOME and not _shows_only(url, samples)]


def _shows_only(url, samples) -> bool:
    """Pages that only show: a POST is refused as a method (405) before anything is read."""
    return url in (
        _url("payment_detail", samples["payment"].pk),
        _url("person_payments", samples["person"].pk),
    )


def _pages(samples) -> list[str]:
    payment = samples["payment"]
    person = samples["person"]
    return [
        HOME,
        CREATE,
        _url("activity_payments", samples["activity"].pk),
        *(
            _url(name, payment.pk)
            for name in (
                "payment_detail",
                "payment_edit",
                "payment_approve",
                "payment_method",
                "payment_cancel",
                "payment_paid",
                "payment_adjust",
            )
        ),
        _url("person_payments", person.pk),
        _url("person_choice", person.pk),
    ]


@pytest.mark.parametrize("persona", ["bob", "erin", "nina"])
def test_people_without_the_role_get_404_everywhere(client_for, samples, persona):
    client = client_for(persona)
    for url in _pages(samples):
        assert client.get(url).status_code == 404, url
    for url in _posts(samples):
        assert client.post(url, {"reason": "x", "acknowledged": "on"}).status_code == 404, url
    samples["payment"].refresh_from_db()
    assert samples["payment"].status == PaymentStatus.OWED


def test_another_council_gets_404_for_council_a_records(client_for, samples):
    client = client_for("charlie")
    payment = samples["payment"]
    for url in _pages(samples)[2:]:
        assert client.get(url).status_code == 404, url
    for url in _posts(samples)[1:]:
        response = client.post(
            url,
            {
                "reason": "x",
                "acknowledged": "on",
                "method": "voucher",
                "paid_on": "2025-01-01",
                "finance_reference": "x",
                "amount": "5",
                "quantity": "9",
                "worked_on": "2025-01-01",
                "time_unit": "hours",
            },
        )
        assert response.status_code == 404, url
    payment.refresh_from_db()
    assert (payment.status, payment.amount, payment.method) == (
        PaymentStatus.OWED,
        Decimal("40.00"),
        PaymentMethod.BANK_TRANSFER,
    )
    # Charlie's own list and form show nothing of council A's.
    for url in (HOME, CREATE):
        response = client.get(url)
        assert response.status_code == 200
        assert MARKER not in response.content.decode()
    response = client.post(
        CREATE, _create_data(samples["person"], kind="task", worked_on="2025-01-01")
    )
    assert not Payment.objects.filter(created_by__email="charlie@b.example").exists()


def test_a_leader_approves_but_does_not_record_or_change(as_lena, samples):
    payment = samples["payment"]
    assert as_lena.get(_url("payment_detail", payment.pk)).status_code == 200
    assert as_lena.get(_url("payment_approve", payment.pk)).status_code == 200
    assert as_lena.get(_url("person_payments", samples["person"].pk)).status_code == 200
    for url in (
        CREATE,
        _url("payment_edit", payment.pk),
        _url("payment_method", payment.pk),
        _url("payment_cancel", payment.pk),
        _url("person_choice", samples["person"].pk),
    ):
        assert as_lena.get(url).status_code == 404, url
    response = as_lena.post(_url("activity_payments", samples["activity"].pk), {})
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Numbers typed in any form: never a server error

#: Numbers Python's Decimal reads but no one means: they are refused kindly, like "two".
ODD_NUMBERS = ["1e30", "-1e30", "9e99", "NaN", "Infinity"]


@pytest.mark.parametrize("typed", ODD_NUMBERS)
@pytest.mark.parametrize("field", ["quantity", "preparation_hours", "travel_hours"])
@pytest.mark.parametrize("preview", [False, True])
def test_recording_a_payment_refuses_odd_numbers_kindly(client_for, world, typed, field, preview):
    data = _create_data(world["sam"], **{field: typed})
    if preview:
        data["preview"] = "1"
    response = client_for("alice").post(CREATE, data)
    assert response.status_code == 200
    page = _text(response)
    assert "There is a problem" in page
    assert "as a number, like 2 or 1.5" in page
    assert "This payment would be" not in page
    assert f'value="{typed}"' in response.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.parametrize("typed", ODD_NUMBERS)
def test_paying_attendees_refuses_odd_numbers_kindly(client_for, personas, world, typed):
    activity = make.activity(personas.council_a, "Parks walk", days_ago=3)
    invitation = make.invitation(activity, make.person(personas.council_a), attended=True)
    response = client_for("alice").post(
        _url("activity_payments", activity.pk),
        {
            "form_token": f"odd-{typed}",
            "invitations": [str(invitation.pk)],
            "time_unit": "hours",
            "quantity": typed,
        },
    )
    assert response.status_code == 200
    assert "Enter how much time to pay for as a number, like 2 or 1.5" in _text(response)
    assert not Payment.objects.exists()


@pytest.mark.parametrize("typed", ODD_NUMBERS)
def test_changing_a_payment_refuses_odd_numbers_kindly(client_for, personas, world, typed):
    payment = _owed(personas, world["sam"], quantity="1")
    response = client_for("alice").post(
        _url("payment_edit", payment.pk),
        {
            "description": "Read the draft leaflet",
            "worked_on": DAY.isoformat(),
            "time_unit": "hours",
            "quantity": "1",
            "preparation_hours": typed,
        },
    )
    assert response.status_code == 200
    assert "Enter the preparation hours as a number, like 2 or 1.5" in _text(response)
    payment.refresh_from_db()
    assert payment.amount == Decimal("20.00")


@pytest.mark.parametrize("typed", ODD_NUMBERS)
def test_correcting_a_payment_refuses_odd_numbers_kindly(client_for, personas, lena, world, typed):
    payment = _paid(personas, lena, world["sam"], quantity="2")
    response = client_for("alice").post(
        _url("payment_adjust", payment.pk),
        {"form_token": f"odd-{typed}", "amount": typed, "reason": "Paid 3 not 2"},
    )
    assert response.status_code == 200
    assert "Enter the amount of the correction as a number, like 12.50" in _text(response)
    assert not Payment.objects.filter(adjustment_of=payment).exists()


@pytest.mark.parametrize("typed", ODD_NUMBERS)
@pytest.mark.parametrize("field", ["weekly_limit", "monthly_limit", "yearly_limit"])
def test_a_persons_limits_refuse_odd_numbers_kindly(client_for, personas, world, typed, field):
    response = client_for("alice").post(
        _url("person_choice", world["sam"].pk), {"method": "bank_transfer", field: typed}
    )
    assert response.status_code == 200
    assert "limit as a number, like 12.50" in _text(response)
    assert PaymentChoice.objects.get(person=world["sam"]).weekly_limit == Decimal("50.00")


def test_too_much_time_is_refused_before_the_amount_is_worked_out(client_for, world):
    """ "Work out the amount" checks what saving checks: no figure for what can't be saved."""
    client = client_for("alice")
    for typed, message in (
        ("101", "How much time to pay for can't be more than 100."),
        ("0", "Enter more than 0"),
    ):
        response = client.post(CREATE, _create_data(world["sam"], preview="1", quantity=typed))
        assert response.status_code == 200
        page = _text(response)
        assert message in page, typed
        assert "This payment would be" not in page
    response = client.post(
        CREATE, _create_data(world["sam"], preview="1", preparation_hours="100.5")
    )
    assert "The preparation hours can't be more than 100." in _text(response)
    assert "This payment would be" not in _text(response)
    # A task with nothing said about it can't be saved, so it isn't priced either.
    response = client.post(CREATE, _create_data(world["sam"], preview="1", description=""))
    assert "Say what the task was." in _text(response)
    assert "This payment would be" not in _text(response)
    assert not Payment.objects.exists()


def test_taking_part_needs_the_activity_before_the_amount_is_worked_out(client_for, world):
    response = client_for("alice").post(
        CREATE, _create_data(world["sam"], preview="1", kind="involvement", activity="")
    )
    page = _text(response)
    assert "Choose the activity the person took part in." in page
    assert "This payment would be" not in page


# ---------------------------------------------------------------------------------------------
# Corrections are never changed


def _correction(personas, lena, person):
    paid = _paid(personas, lena, person, quantity="2")
    return services.payment_adjust(
        actor=personas.alice, payment=paid, amount="-5.00", reason="Paid too much"
    )


def test_a_correction_offers_no_change(client_for, personas, lena, world):
    correction = _correction(personas, lena, world["sam"])
    assert correction.status == PaymentStatus.OWED
    html = client_for("alice").get(_url("payment_detail", correction.pk)).content.decode()
    assert _url("payment_edit", correction.pk) not in html
    assert _url("payment_method", correction.pk) not in html
    assert _url("payment_cancel", correction.pk) in html


@pytest.mark.parametrize("name", ["payment_edit", "payment_method"])
def test_changing_a_correction_goes_back_to_it_with_a_reason(
    client_for, personas, lena, world, name
):
    correction = _correction(personas, lena, world["sam"])
    client = client_for("alice")
    detail = _url("payment_detail", correction.pk)
    response = client.get(_url(name, correction.pk), follow=True)
    assert response.redirect_chain == [(detail, 302)]
    assert "A correction can't be changed" in _text(response)
    response = client.post(
        _url(name, correction.pk),
        {
            "worked_on": DAY.isoformat(),
            "time_unit": "hours",
            "quantity": "9",
            "method": "voucher",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == detail
    correction.refresh_from_db()
    assert (correction.amount, correction.method, correction.quantity) == (
        Decimal("-5.00"),
        PaymentMethod.BANK_TRANSFER,
        Decimal("0"),
    )


# ---------------------------------------------------------------------------------------------
# Who may approve: never the person who recorded or changed it, nor the person paid


@pytest.fixture
def pat(personas):
    """A second participation lead of council A: she records, changes and approves payments."""
    user = User.objects.create_user(
        email="pat@a.example", password=PASSWORD, full_name="Pat Paterson"
    )
    Membership.objects.create(
        user=user, organisation=personas.council_a, role=Role.PARTICIPATION_LEAD
    )
    return user


def test_someone_who_changed_a_payment_cannot_approve_it(client, personas, pat, lena, world):
    payment = _owed(personas, world["sam"], quantity="1")
    services.payment_update(
        actor=pat,
        payment=payment,
        worked_on=DAY,
        time_unit="hours",
        quantity="2",
        description="Read the draft leaflet twice",
    )
    sign_in(client, pat)
    detail = client.get(_url("payment_detail", payment.pk))
    assert "You recorded or changed this payment, so someone else must approve it." in _text(detail)
    assert _url("payment_approve", payment.pk) not in detail.content.decode()
    page = client.get(_url("payment_approve", payment.pk))
    assert page.status_code == 200
    assert "You recorded or changed this payment, so someone else must approve it." in _text(page)
    assert "Approve the payment</button>" not in page.content.decode()
    client.post(_url("payment_approve", payment.pk))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.OWED

    client.logout()
    sign_in(client, lena)
    assert (
        "Approve the payment</button>"
        in client.get(_url("payment_approve", payment.pk)).content.decode()
    )


def test_the_person_paid_cannot_approve_their_own_payment(client, personas, lena, world):
    """Lena is on the register too: a payment to her is approved by someone else."""
    own = make.person(personas.council_a, "Lena Lindsay", user=lena)
    payment = _owed(personas, own, quantity="1")
    sign_in(client, lena)
    page = client.get(_url("payment_approve", payment.pk))
    assert page.status_code == 200
    text = _text(page)
    assert "This payment is to you, so someone else must approve it." in text
    assert "You recorded" not in text
    assert "Approve the payment</button>" not in page.content.decode()
    detail = client.get(_url("payment_detail", payment.pk))
    assert "This payment is to you, so a colleague records, changes and approves it." in _text(
        detail
    )
    assert reverse("portal:payment_choice") in detail.content.decode()
    assert _url("payment_approve", payment.pk) not in detail.content.decode()
    client.post(_url("payment_approve", payment.pk))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.OWED


# ---------------------------------------------------------------------------------------------
# Staff on the register: their own payments are a colleague's to record


@pytest.fixture
def alices_record(personas):
    return make.person(personas.council_a, "Ally Register", user=personas.alice)


def test_staff_change_their_own_choices_in_the_portal(client_for, alices_record):
    client = client_for("alice")
    url = _url("person_choice", alices_record.pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:payment_choice")
    response = client.post(url, {"method": "voucher", "weekly_limit": "5"})
    assert response["Location"] == reverse("portal:payment_choice")
    assert not PaymentChoice.objects.filter(person=alices_record).exists()
    page = client.get(_url("person_payments", alices_record.pk)).content.decode()
    assert url not in page
    assert f"{CREATE}?person={alices_record.pk}" not in page
    assert reverse("portal:payment_choice") in page


def test_staff_are_not_offered_a_payment_to_themselves(client_for, personas, world, alices_record):
    client = client_for("alice")
    html = client.get(CREATE).content.decode()
    assert "Samira Shah" in html
    assert f'<option value="{alices_record.pk}"' not in html
    for extra in ({}, {"preview": "1"}):
        response = client.post(CREATE, _create_data(alices_record, **extra))
        assert response.status_code == 200
        assert "Choose a person from the list" in _text(response)
        assert "This payment would be" not in _text(response)
    assert not Payment.objects.filter(person=alices_record).exists()


def test_staff_who_attended_are_left_for_a_colleague_to_pay(
    client_for, personas, world, alices_record
):
    activity = make.activity(personas.council_a, "Bus routes workshop", days_ago=3)
    make.invitation(activity, alices_record, attended=True)
    rona = make.person(personas.council_a, "Rona Reid")
    invitation = make.invitation(activity, rona, attended=True)
    url = _url("activity_payments", activity.pk)
    client = client_for("alice")
    page = _text(client.get(url))
    assert "You attended too. A colleague records your payment" in page
    assert "1 person attended and has no payment yet" in page
    assert "Ally Register" not in page
    client.post(
        url,
        {
            "form_token": "att-own",
            "invitations": [str(invitation.pk)],
            "time_unit": "hours",
            "quantity": "1",
        },
    )
    assert [p.person for p in Payment.objects.filter(activity=activity)] == [rona]


# ---------------------------------------------------------------------------------------------
# The amount's parts add up to the amount


def test_the_parts_of_the_amount_add_up_to_the_amount(client_for, personas, world):
    """Each part rounds half a penny up (3.085 → 3.09), but the amount is rounded once
    (9.255 → 9.26): the last part shown is what is left, so the parts add up."""
    RateCard.objects.create(
        organisation=personas.council_a,
        effective_from=datetime.date(2025, 3, 1),
        hourly_rate=Decimal("12.34"),
        half_day_rate=Decimal("50.00"),
        full_day_rate=Decimal("90.00"),
        preparation_max_hours=Decimal("2"),
        travel_time_policy=TravelTimePolicy.HOURLY,
        travel_max_hours=Decimal("1"),
    )
    payment = _owed(
        personas, world["sam"], quantity="0.25", preparation_hours="0.25", travel_hours="0.25"
    )
    assert payment.amount == Decimal("9.26")
    html = client_for("alice").get(_url("payment_detail", payment.pk)).content.decode()
    amount = html.split(">Amount</dt>", 1)[1].split("</dd>", 1)[0]
    parts = [Decimal(p) for p in re.findall(r":\s*£(\d+\.\d\d)</li>", amount)]
    assert len(parts) == 3
    assert sum(parts) == payment.amount
    page = _text(client_for("alice").get(_url("payment_detail", payment.pk)))
    assert "0.25 hours at £12.34: £3.09" in page
    assert "Preparation, 0.25 hours at £12.34: £3.09" in page
    assert "Travel, 0.25 hours at £12.34: £3.08" in page


# ---------------------------------------------------------------------------------------------
# The cost code of the person's organisation


@pytest.fixture
def two_councils(personas, world):
    """Morag records payments for both councils, each with its own default cost code."""
    morag = User.objects.create_user(
        email="morag@both.example", password=PASSWORD, full_name="Morag Both"
    )
    for council in (personas.council_a, personas.council_b):
        Membership.objects.create(user=morag, organisation=council, role=Role.PARTICIPATION_LEAD)
    for council, code in ((personas.council_a, "A-100"), (personas.council_b, "B-200")):
        services.payment_settings_update(
            actor=personas.admin if council == personas.council_a else personas.dora,
            organisation_id=council.pk,
            default_cost_code=code,
            pay_within_days=14,
        )
    RateCard.objects.create(
        organisation=personas.council_b,
        effective_from=datetime.date(2021, 1, 1),
        hourly_rate=Decimal("18.00"),
        half_day_rate=Decimal("70.00"),
        full_day_rate=Decimal("130.00"),
    )
    brenda = make.person(personas.council_b, "Brenda Angus")
    return {"morag": morag, "brenda": brenda}


def test_the_cost_code_is_the_chosen_persons_organisations(client, world, two_councils):
    sign_in(client, two_councils["morag"])
    brenda, sam = two_councils["brenda"], world["sam"]
    assert 'value="B-200"' in client.get(CREATE, {"person": brenda.pk}).content.decode()
    assert 'value="A-100"' in client.get(CREATE, {"person": sam.pk}).content.decode()
    # Nobody chosen yet: left empty, and filled in with the person's organisation's default.
    html = client.get(CREATE).content.decode()
    assert 'value="A-100"' not in html
    assert 'value="B-200"' not in html
    assert "Leave empty to use the default cost code of the person&#x27;s organisation" in html
    client.post(CREATE, _create_data(brenda, cost_code="", form_token="cc-b"))
    client.post(CREATE, _create_data(sam, cost_code="", form_token="cc-a"))
    assert Payment.objects.get(person=brenda).cost_code == "B-200"
    assert Payment.objects.get(person=sam).cost_code == "A-100"


# ---------------------------------------------------------------------------------------------
# A fixed number of queries, whatever the number of rows


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _bulk_payments(personas, card, person, count, **fields):
    Payment.objects.bulk_create(
        Payment(
            organisation=personas.council_a,
            person=person,
            kind=fields.get("kind", PaymentKind.TASK),
            activity=fields.get("activity"),
            description=f"Bulk task {i}",
            worked_on=DAY - datetime.timedelta(days=i),
            quantity=Decimal("1"),
            rate_card=card,
            rate=card.hourly_rate,
            amount=Decimal("20.00"),
            method=PaymentMethod.BANK_TRANSFER,
            status=(PaymentStatus.OWED, PaymentStatus.APPROVED, PaymentStatus.PAID)[i % 3],
            created_by=personas.alice,
        )
        for i in range(count)
    )


def test_a_persons_payments_page_runs_a_fixed_number_of_queries(client_for, personas, world):
    from powershare.payments.tests import factories as pay

    sam = world["sam"]
    client = client_for("alice")
    url = _url("person_payments", sam.pk)
    _bulk_payments(personas, world["card"], sam, 10)
    for _ in range(3):
        pay.line(pay.claim(sam, created_by=personas.alice))
    few = _queries(client, url)
    _bulk_payments(personas, world["card"], sam, 190)
    for _ in range(60):
        pay.line(pay.claim(sam, created_by=personas.alice))
    many = _queries(client, url)
    page = _text(client.get(url))
    assert "200 payments" in page
    assert "63 expense claims, the latest 50 shown" in page
    assert many == few


def test_an_activitys_payments_page_runs_a_fixed_number_of_queries(client_for, personas, world):
    activity = make.activity(personas.council_a, "Big forum", days_ago=3)
    client = client_for("alice")
    url = _url("activity_payments", activity.pk)

    def add(count):
        for _ in range(count):
            make.invitation(activity, make.person(personas.council_a), attended=True)
        _bulk_payments(
            personas,
            world["card"],
            make.person(personas.council_a),
            count,
            kind=PaymentKind.FACILITATION,
            activity=activity,
        )

    add(10)
    few = _queries(client, url)
    add(190)
    many = _queries(client, url)
    page = _text(client.get(url))
    assert "200 people attended and have no payment yet" in page
    assert len(re.findall(r'href="/payments/\d+/"', client.get(url).content.decode())) == 200
    assert many == few

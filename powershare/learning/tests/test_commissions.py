"""The trainer pool and commissioning lived-experience trainers.

Commissioning a trainer from the pool for a delivery invites them (engagement), records the
payment owed for facilitating (payments), puts them on the team with lived experience and plans
their support before, on the day and after. Cancelling withdraws the invitation, cancels an
unpaid payment and takes them off the team.

Trainers' names are personal data: only MANAGE_LEARNING sees these pages. bob (a facilitator),
charlie (another council) and erin get 404, and their POSTs change nothing."""

import datetime
import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.engagement.models import Invitation, InvitationStatus
from powershare.engagement.tests import factories as make
from powershare.learning import services
from powershare.learning.models import (
    Commission,
    CommissionSupport,
    Delivery,
    Facilitator,
    SupportStage,
    Trainer,
)
from powershare.payments.models import Payment, PaymentKind, PaymentStatus
from powershare.payments.services import payment_amount
from powershare.people.models import ConsentPurpose
from tests.personas import MARKER

TRAINERS = reverse("learning:trainer_list")
TRAINER_ADD = reverse("learning:trainer_add")
TODAY = timezone.localdate()


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _url(name, pk):
    return reverse(f"learning:{name}", args=[pk])


def _trainer(personas, name="Rowan Zqtrainer", *, contact=True, **fields):
    person = make.person(personas.council_a, name)
    if contact:
        make.consent(person, ConsentPurpose.CONTACT, ConsentPurpose.TAKE_PART)
    return Trainer.objects.create(
        organisation=personas.council_a, person=person, created_by=personas.alice, **fields
    )


def _commission_data(trainer, personas, **overrides):
    return {
        "form_token": overrides.pop("form_token", "c1"),
        "trainer": trainer.pk,
        "hours": "6",
        "preparation_hours": "2",
        "before_plan": "Go through the session plan together",
        "before_on": "",
        "during_person": personas.alice.pk,
        "during_plan": "A quiet room to step out to",
        "after_plan": "A call the week after",
        "after_on": "",
        **overrides,
    }


# ---------------------------------------------------------------------------------------------
# Who may open the pages


def _staff_urls(samples):
    return [
        TRAINERS,
        TRAINER_ADD,
        _url("trainer_edit", samples["trainer"].pk),
        _url("commission_create", samples["delivery"].pk),
        _url("commission_detail", samples["commission"].pk),
        _url("commission_cancel", samples["commission"].pk),
        _url("support_edit", samples["support"].pk),
    ]


def test_alice_opens_every_page(client_for, samples):
    client = client_for("alice")
    for url in _staff_urls(samples):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["bob", "erin", "nina"])
def test_people_who_do_not_run_learning_get_404(client_for, samples, persona):
    client = client_for(persona)
    for url in _staff_urls(samples):
        response = client.get(url)
        assert response.status_code == 404, (persona, url)
        assert MARKER not in response.content.decode()


def test_charlie_sees_his_own_empty_pool_and_nothing_of_council_a(client_for, samples):
    client = client_for("charlie")
    response = client.get(TRAINERS)
    assert response.status_code == 200
    page = _page(response)
    assert MARKER not in page
    assert samples["trainer"].person.name not in page
    assert "Nobody is in the trainer pool yet" in page
    for url in _staff_urls(samples)[2:]:
        assert client.get(url).status_code == 404, url
    # Council A's register is not offered to him.
    assert samples["trainer"].person.name not in _page(client.get(TRAINER_ADD))


@pytest.mark.parametrize("persona", ["bob", "charlie", "erin"])
def test_their_posts_change_nothing(client_for, personas, samples, persona):
    client = client_for(persona)
    trainer = samples["trainer"]
    other = make.person(personas.council_a, "Unpooled Person")
    client.post(TRAINER_ADD, {"person": other.pk, "agreed_on": TODAY.isoformat()})
    client.post(_url("trainer_edit", trainer.pk), {"topics": "", "in_pool": "no"})
    client.post(
        _url("commission_create", samples["delivery"].pk), _commission_data(trainer, personas)
    )
    client.post(_url("commission_cancel", samples["commission"].pk), {"reason": "Not needed"})
    client.post(
        _url("support_edit", samples["support"].pk), {"plan": "", "done_on": TODAY.isoformat()}
    )
    assert not Trainer.objects.filter(person=other).exists()
    trainer.refresh_from_db()
    assert trainer.in_pool
    assert MARKER in trainer.topics
    assert Commission.objects.filter(delivery=samples["delivery"]).count() == 1
    assert Commission.objects.get(pk=samples["commission"].pk).cancelled_at is None
    assert CommissionSupport.objects.get(pk=samples["support"].pk).done_on is None


# ---------------------------------------------------------------------------------------------
# The pool


def test_the_pool_lists_names_topics_agreed_date_and_commissions(client_for, samples):
    page = _page(client_for("alice").get(TRAINERS))
    trainer = samples["trainer"]
    assert trainer.person.name in page
    assert f"Topics {MARKER}" in page
    assert f"{trainer.agreed_on:%-d %B %Y}" in page
    assert "1 trainer in the pool" in page
    assert "In the pool (1)" in page
    assert "Left the pool (0)" in page


def test_the_pool_runs_the_same_queries_whatever_its_size(client_for, personas, samples):
    client = client_for("alice")
    for n in range(3):
        _trainer(personas, f"Few Zqtrainer {n}", contact=False)
    client.get(TRAINERS)  # warm up the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(TRAINERS).status_code == 200
    for n in range(30):
        trainer = _trainer(personas, f"Many Zqtrainer {n}", contact=False)
        Commission.objects.create(delivery=samples["delivery"], trainer=trainer, hours=Decimal("3"))
    with CaptureQueriesContext(connection) as many:
        response = client.get(TRAINERS)
    assert "Many Zqtrainer 29" in _page(response)
    assert len(many) == len(few)


def test_the_pool_is_paginated(client_for, personas, monkeypatch):
    from powershare.learning import trainer_views

    monkeypatch.setattr(trainer_views, "PAGE_SIZE", 2)
    for n in range(3):
        _trainer(personas, f"Paged Zqtrainer {n}", contact=False)
    client = client_for("alice")
    first = _page(client.get(TRAINERS))
    assert f"{Trainer.objects.filter(left_pool_on=None).count()} trainers in the pool" in first
    assert "Page 2" in first
    assert "Paged Zqtrainer 2" in _page(client.get(TRAINERS + "?page=2"))


def test_search_and_the_left_filter_stay_in_the_address(client_for, personas, samples):
    gone = _trainer(personas, "Left Zqtrainer", contact=False, left_pool_on=TODAY)
    client = client_for("alice")
    page = _page(client.get(TRAINERS))
    assert "Left Zqtrainer" not in page
    page = _page(client.get(TRAINERS + "?status=left"))
    assert gone.person.name in page
    assert samples["trainer"].person.name not in page
    page = _page(client.get(TRAINERS + "?search=Topics+" + MARKER))
    assert samples["trainer"].person.name in page
    page = _page(client.get(TRAINERS + "?search=nobody-matches-this"))
    assert "Nobody matches" in page


def test_alice_adds_someone_to_the_pool(client_for, personas):
    person = make.person(personas.council_a, "Ailsa Zqnew")
    client = client_for("alice")
    assert "Ailsa Zqnew" in _page(client.get(TRAINER_ADD))
    agreed = TODAY - datetime.timedelta(days=3)
    response = client.post(
        TRAINER_ADD,
        {
            "form_token": "a1",
            "person": person.pk,
            "topics": "Kinship care",
            "agreed_on": agreed.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    trainer = Trainer.objects.get(person=person)
    assert trainer.topics == "Kinship care"
    assert trainer.agreed_on == agreed
    assert trainer.in_pool
    # Someone in the pool is not offered again.
    assert f'value="{person.pk}"' not in _page(client.get(TRAINER_ADD))


def test_adding_says_what_is_wrong_and_keeps_what_was_typed(client_for, personas):
    person = make.person(personas.council_a, "Ailsa Zqnew")
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = client_for("alice").post(
        TRAINER_ADD,
        {"person": person.pk, "topics": "Kinship care", "agreed_on": tomorrow.isoformat()},
    )
    assert response.status_code == 200
    page = _page(response)
    assert "can't be in the future" in page
    assert "Kinship care" in page
    response = client_for("alice").post(TRAINER_ADD, {"person": "", "agreed_on": "31/02/2026"})
    page = _page(response)
    assert "Choose the person who agreed to train" in page
    assert "as a real date" in page
    assert not Trainer.objects.filter(person=person).exists()


def test_alice_changes_topics_and_notes_someone_left_the_pool(client_for, samples):
    trainer = samples["trainer"]
    client = client_for("alice")
    response = client.post(
        _url("trainer_edit", trainer.pk), {"topics": "Youth justice", "in_pool": "no"}
    )
    assert response.status_code == 302
    trainer.refresh_from_db()
    assert trainer.topics == "Youth justice"
    assert trainer.left_pool_on == TODAY
    assert trainer.person.name in _page(client.get(TRAINERS + "?status=left"))
    client.post(_url("trainer_edit", trainer.pk), {"topics": "Youth justice", "in_pool": "yes"})
    trainer.refresh_from_db()
    assert trainer.in_pool


# ---------------------------------------------------------------------------------------------
# Commissioning


def test_commissioning_invites_records_the_payment_and_plans_support(client_for, personas, samples):
    delivery = samples["delivery"]
    trainer = _trainer(personas)
    client = client_for("alice")
    page = _page(client.get(_url("commission_create", delivery.pk)))
    assert trainer.person.name in page
    response = client.post(
        _url("commission_create", delivery.pk), _commission_data(trainer, personas, lead="on")
    )
    assert response.status_code == 302
    commission = Commission.objects.get(delivery=delivery, trainer=trainer)
    assert response["Location"] == _url("commission_detail", commission.pk)
    # Their invitation to co-deliver.
    invitation = commission.invitation
    assert invitation.person == trainer.person
    assert invitation.status == InvitationStatus.INVITED
    assert Delivery.objects.get(pk=delivery.pk).activity_id == invitation.activity_id
    # The payment owed, for facilitating: 6 hours and 2 preparing, priced from the rate card
    # as the payments service prices any payment.
    payment = commission.payment
    assert payment.kind == PaymentKind.FACILITATION
    assert payment.status == PaymentStatus.OWED
    assert payment.person == trainer.person
    assert payment.quantity == Decimal("6")
    assert payment.preparation_hours == Decimal("2")
    _, expected = payment_amount(
        card=samples["rate_card"],
        time_unit=payment.time_unit,
        quantity=Decimal("6"),
        preparation_hours=Decimal("2"),
    )
    assert payment.amount == expected
    # On the team, with lived experience, leading.
    facilitator = commission.facilitator
    assert facilitator.person == trainer.person
    assert facilitator.lived
    assert facilitator.is_lead
    # The support plan: three stages, the support person named on the day.
    support = {row.stage: row for row in commission.support.all()}
    assert set(support) == set(SupportStage.values)
    assert support[SupportStage.DURING].support_person == personas.alice
    assert support[SupportStage.BEFORE].plan == "Go through the session plan together"
    first = delivery.sessions.order_by("number").first().date
    assert support[SupportStage.BEFORE].planned_on == first - datetime.timedelta(days=7)


def test_sending_the_commission_twice_commissions_once(client_for, personas, samples):
    trainer = _trainer(personas)
    client = client_for("alice")
    url = _url("commission_create", samples["delivery"].pk)
    client.post(url, _commission_data(trainer, personas, form_token="twice"))
    second = client.post(url, _commission_data(trainer, personas, form_token="twice"))
    assert second.status_code == 302
    assert Commission.objects.filter(trainer=trainer).count() == 1
    assert Payment.objects.filter(person=trainer.person).count() == 1


def test_someone_who_has_not_agreed_to_be_contacted_is_not_commissioned(
    client_for, personas, samples
):
    trainer = _trainer(personas, "Quiet Zqtrainer", contact=False)
    response = client_for("alice").post(
        _url("commission_create", samples["delivery"].pk), _commission_data(trainer, personas)
    )
    assert response.status_code == 200
    page = _page(response)
    assert "There is a problem" in page
    assert 'href="#id_trainer"' in page
    assert "Quiet Zqtrainer" in page
    assert "A quiet room to step out to" in page  # what was typed is kept
    assert not Commission.objects.filter(trainer=trainer).exists()
    assert not Payment.objects.filter(person=trainer.person).exists()
    assert not Invitation.objects.filter(person=trainer.person).exists()
    assert not Facilitator.objects.filter(person=trainer.person).exists()


@pytest.mark.parametrize(
    ("hours", "message"),
    [("", "Enter the hours they will deliver"), ("two", "as a number"), ("0.1", "from 0.25")],
)
def test_hours_are_checked_kindly(client_for, personas, samples, hours, message):
    trainer = _trainer(personas)
    response = client_for("alice").post(
        _url("commission_create", samples["delivery"].pk),
        _commission_data(trainer, personas, hours=hours),
    )
    assert response.status_code == 200
    assert message in _page(response)
    assert not Commission.objects.filter(trainer=trainer).exists()


def test_a_delivery_without_sessions_asks_for_them_first(client_for, personas, samples):
    delivery = samples["delivery"]
    delivery.sessions.all().delete()
    trainer = _trainer(personas)
    client = client_for("alice")
    assert "add them first" in _page(client.get(_url("commission_create", delivery.pk)))
    response = client.post(
        _url("commission_create", delivery.pk), _commission_data(trainer, personas)
    )
    assert response.status_code == 200
    assert not Commission.objects.filter(trainer=trainer).exists()


def test_a_trainer_already_commissioned_is_not_offered_again(client_for, samples):
    page = _page(client_for("alice").get(_url("commission_create", samples["delivery"].pk)))
    assert "Nobody in the trainer pool can be commissioned" in page


def _commissioned(personas, samples):
    trainer = _trainer(personas)
    return services.commission_create(
        actor=personas.alice,
        delivery=samples["delivery"],
        trainer=trainer,
        hours=Decimal("6"),
        support={SupportStage.DURING: {"support_person": personas.alice}},
    )


def test_the_commission_page_shows_invitation_payment_and_support(client_for, personas, samples):
    commission = _commissioned(personas, samples)
    page = _page(client_for("alice").get(_url("commission_detail", commission.pk)))
    assert commission.trainer.person.name in page
    assert "Waiting for an answer" in page
    assert reverse("engagement:invitation_detail", args=[commission.invitation.pk]) in page
    assert f"£{commission.payment.amount:,.2f}" in page
    assert reverse("payments:payment_detail", args=[commission.payment.pk]) in page
    for words in ("Before: preparation session", "On the day: support person", "After: debrief"):
        assert words in page
    assert personas.alice.full_name in page
    for row in commission.support.all():
        assert _url("support_edit", row.pk) in page


def test_opening_a_commission_is_recorded(client_for, personas, samples):
    from powershare.audit.models import AccessEvent

    commission = samples["commission"]
    client_for("alice").get(_url("commission_detail", commission.pk))
    assert AccessEvent.objects.filter(
        user=personas.alice, subject_id=str(commission.pk), path__contains="commissions"
    ).exists()


def test_alice_records_when_support_was_done(client_for, personas, samples):
    support = samples["support"]
    yesterday = TODAY - datetime.timedelta(days=1)
    response = client_for("alice").post(
        _url("support_edit", support.pk),
        {
            "plan": "An hour over coffee",
            "support_person": personas.bob.pk,
            "planned_on": yesterday.isoformat(),
            "done_on": yesterday.isoformat(),
        },
    )
    assert response.status_code == 302
    support.refresh_from_db()
    assert support.done_on == yesterday
    assert support.support_person == personas.bob
    assert support.plan == "An hour over coffee"


def test_a_done_date_in_the_future_is_refused(client_for, samples):
    support = samples["support"]
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = client_for("alice").post(
        _url("support_edit", support.pk), {"plan": "Kept", "done_on": tomorrow.isoformat()}
    )
    assert response.status_code == 200
    page = _page(response)
    assert "can't be in the future" in page
    assert "Kept" in page
    support.refresh_from_db()
    assert support.done_on is None


def test_cancelling_needs_a_reason(client_for, personas, samples):
    commission = _commissioned(personas, samples)
    response = client_for("alice").post(_url("commission_cancel", commission.pk), {"reason": ""})
    assert response.status_code == 200
    assert "Say why the commission is cancelled" in _page(response)
    commission.refresh_from_db()
    assert commission.cancelled_at is None


def test_cancelling_withdraws_the_invitation_cancels_the_payment_and_leaves_the_team(
    client_for, personas, samples
):
    commission = _commissioned(personas, samples)
    facilitator_pk = commission.facilitator_id
    response = client_for("alice").post(
        _url("commission_cancel", commission.pk), {"reason": "The date moved"}
    )
    assert response.status_code == 302
    commission.refresh_from_db()
    assert commission.cancelled_at is not None
    assert commission.invitation.status == InvitationStatus.WITHDRAWN
    commission.payment.refresh_from_db()
    assert commission.payment.status == PaymentStatus.CANCELLED
    assert not Facilitator.objects.filter(pk=facilitator_pk).exists()
    page = _page(client_for("alice").get(_url("commission_detail", commission.pk)))
    assert "This commission was cancelled" in page

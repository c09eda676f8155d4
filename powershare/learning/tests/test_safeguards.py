"""Safeguards found in review: staff at a delivery's site see the course, not the owner's
register, invitations or pay; taking back agreement to be quoted flags materials; standing a
trainer down leaves the team as it was; a cancelled delivery stands its trainers down; places
are not offered once a course has started; the public booking form does not confirm who has
booked; a flagged material is never left without someone told."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from powershare.engagement.models import Invitation, InvitationStatus, UseLevel
from powershare.engagement.tests import factories as make
from powershare.learning import selectors, services
from powershare.learning.models import (
    BookingStatus,
    Facilitator,
    MaterialQuote,
    SessionMode,
    Trainer,
)
from powershare.payments.models import PaymentStatus
from powershare.people.models import ConsentDecision, ConsentMethod, ConsentPurpose, ConsentRecord
from powershare.privacy.models import ConsentStatement
from tests.personas import MARKER

TODAY = timezone.localdate()


def _text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(body).split())


def _session(days: int) -> dict:
    return {
        "date": TODAY + datetime.timedelta(days=days),
        "starts_at": datetime.time(9, 30),
        "ends_at": datetime.time(12, 30),
        "mode": SessionMode.IN_PERSON,
        "venue": "Room 4",
    }


def _product(personas):
    return services.product_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        outcomes=["Listen well"],
        title="Listening to families",
        aims="Help practitioners listen well.",
        audience="Social workers",
    )


def _delivery(personas, *, site=None, sessions=None, capacity=10):
    return services.delivery_create(
        actor=personas.alice,
        product=_product(personas),
        site=site or personas.council_a,
        cohort="Autumn cohort",
        capacity=capacity,
        sessions=sessions or [_session(14)],
    )


def _trainer(personas, name="Rowan Zqtrainer"):
    person = make.person(personas.council_a, f"{name} {MARKER}")
    make.consent(person, ConsentPurpose.CONTACT, ConsentPurpose.TAKE_PART)
    return Trainer.objects.create(
        organisation=personas.council_a, person=person, created_by=personas.alice
    )


def _commission(personas, delivery, trainer, **extra):
    return services.commission_create(
        actor=personas.alice, delivery=delivery, trainer=trainer, hours="3", **extra
    )


# Site staff ----------------------------------------------------------------------------------


def test_staff_at_the_site_see_the_course_but_not_the_owner_s_people_or_pay(
    client_for, personas, samples
):
    """A council A course held at council B: charlie (B) may see it, and take its register,
    but not who from A's register is on the team, nor their invitation or payment."""
    delivery = _delivery(personas, site=personas.council_b)
    trainer = _trainer(personas)
    _commission(personas, delivery, trainer)
    client = client_for("charlie")
    page = client.get(reverse("learning:delivery_detail", args=[delivery.pk]))
    assert page.status_code == 200
    text = _text(page)
    assert MARKER not in text
    assert "An expert by experience" in text
    raw = page.content.decode()
    main = " ".join(re.sub(r"<[^>]+>", " ", raw[raw.index("<main") :]).split()).lower()
    assert "payment" not in main
    assert "invitation" not in main
    assert "1 trainer is commissioned" in text
    assert reverse("learning:commission_detail", args=[delivery.commissions.get().pk]) not in (
        page.content.decode()
    )
    for name in ("delivery_edit", "team", "commission_create", "delivery_cancel"):
        assert client.get(reverse(f"learning:{name}", args=[delivery.pk])).status_code == 404
    # alice, who manages it, sees who and what they are owed.
    own = _text(client_for("alice").get(reverse("learning:delivery_detail", args=[delivery.pk])))
    assert MARKER in own
    assert "payment owed" in own


# Consent -------------------------------------------------------------------------------------


def _withdraw_consent(person, purpose):
    return ConsentRecord.objects.create(
        person=person,
        purpose=purpose,
        statement=ConsentStatement.objects.filter(purpose=purpose).order_by("-pk").first(),
        decision=ConsentDecision.WITHDRAWN,
        method=ConsentMethod.WRITTEN,
    )


def test_taking_back_agreement_to_be_quoted_flags_the_material_and_tells_the_owner(
    personas, django_capture_on_commit_callbacks
):
    product = _product(personas)
    version = selectors.version_current(product=product)
    activity = make.activity(personas.council_a, "Panel")
    ruth = make.person(personas.council_a, "Ruth Campbell")
    make.consent(ruth, ConsentPurpose.QUOTE_INTERNAL, ConsentPurpose.QUOTE_ANONYMOUS)
    said = make.contribution(activity, person=ruth, text="Explain it twice", use_level=2)
    material = services.material_add(
        actor=personas.alice, version=version, title="Handout", kind="handout", quotes=[said.pk]
    )
    # Withdrawing an agreement the material doesn't rely on changes nothing.
    _withdraw_consent(ruth, ConsentPurpose.PUBLISH_PUBLIC)
    material.refresh_from_db()
    assert material.needs_updating_since is None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _withdraw_consent(ruth, ConsentPurpose.QUOTE_ANONYMOUS)
    material.refresh_from_db()
    assert material.needs_updating_since is not None
    assert "no longer agrees" in material.needs_updating_reason
    assert [m.to for m in mail.outbox] == [[personas.alice.email]]


def test_a_flag_on_a_product_without_an_owner_goes_to_the_learning_managers(
    personas, django_capture_on_commit_callbacks
):
    product = _product(personas)
    product.owner = None
    product.save()
    version = selectors.version_current(product=product)
    activity = make.activity(personas.council_a, "Panel")
    said = make.contribution(activity, text="Knock first", use_level=UseLevel.PUBLIC)
    material = services.material_add(
        actor=personas.alice, version=version, title="Handout", kind="handout", quotes=[said.pk]
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.materials_flag_for_contributions(contribution_ids=[said.pk], reason="withdrawn")
    assert MaterialQuote.objects.filter(material=material).exists()
    recipients = {address for m in mail.outbox for address in m.to}
    assert personas.alice.email in recipients  # a participation lead manages learning
    assert personas.bob.email not in recipients  # a facilitator does not


# Commissions ---------------------------------------------------------------------------------


def test_standing_a_trainer_down_leaves_someone_already_on_the_team_as_they_were(personas, samples):
    delivery = _delivery(personas)
    trainer = _trainer(personas)
    services.facilitator_add(
        actor=personas.alice,
        delivery=delivery,
        person=trainer.person,
        professional=True,
        is_lead=True,
    )
    commission = _commission(personas, delivery, trainer)
    member = Facilitator.objects.get(delivery=delivery, person=trainer.person)
    assert member.lived
    services.commission_cancel(actor=personas.alice, commission=commission, reason="Ill")
    member.refresh_from_db()
    assert (member.lived, member.professional, member.is_lead) == (False, True, True)


def test_a_trainer_who_accepted_can_be_stood_down(personas, samples):
    delivery = _delivery(personas)
    trainer = _trainer(personas)
    commission = _commission(personas, delivery, trainer)
    # They said yes (in their portal).
    Invitation.objects.filter(pk=commission.invitation_id).update(status=InvitationStatus.ACCEPTED)
    services.commission_cancel(actor=personas.alice, commission=commission, reason="Ill")
    commission.refresh_from_db()
    assert commission.invitation.status == InvitationStatus.WITHDRAWN
    assert commission.payment.status == PaymentStatus.CANCELLED
    assert not Facilitator.objects.filter(delivery=delivery, person=trainer.person).exists()


def test_cancelling_a_delivery_stands_its_trainers_down(personas, samples):
    delivery = _delivery(personas)
    commission = _commission(personas, delivery, _trainer(personas))
    services.delivery_cancel(actor=personas.alice, delivery=delivery)
    commission.refresh_from_db()
    assert commission.cancelled_at is not None
    assert commission.payment.status == PaymentStatus.CANCELLED
    assert commission.payment.reason == "The delivery was cancelled."
    assert commission.invitation.status == InvitationStatus.WITHDRAWN
    delivery.refresh_from_db()
    assert delivery.activity.cancelled_at is not None


def test_a_support_person_from_elsewhere_is_refused_when_commissioning(personas, samples):
    delivery = _delivery(personas)
    with pytest.raises(services.ValidationError) as refused:
        _commission(
            personas,
            delivery,
            _trainer(personas),
            support={"during": {"support_person": personas.charlie}},
        )
    assert "during_support_person" in refused.value.message_dict
    assert not delivery.commissions.exists()


# Bookings ------------------------------------------------------------------------------------


def test_no_place_is_offered_once_the_course_has_started(personas):
    delivery = _delivery(personas, sessions=[_session(1), _session(20)], capacity=1)
    first = services.booking_create(delivery=delivery, name="Ann One", email="ann@example.org")
    waiting = services.booking_create(delivery=delivery, name="Ben Two", email="ben@example.org")
    assert waiting.status == BookingStatus.WAITING
    session = delivery.sessions.get(number=1)
    session.date = TODAY - datetime.timedelta(days=1)
    session.save()
    services.booking_cancel(booking=first)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.WAITING


def test_the_public_form_does_not_confirm_who_has_booked(personas):
    delivery = _delivery(personas)
    services.booking_create(delivery=delivery, name="Ann One", email="ann@example.org")
    with pytest.raises(services.ValidationError) as public:
        services.booking_create(delivery=delivery, name="Someone", email="ann@example.org")
    assert "already booked" not in str(public.value)
    assert "can't be booked on this course again" in str(public.value)
    with pytest.raises(services.ValidationError) as staff:
        services.booking_create(
            delivery=delivery, name="Someone", email="ann@example.org", actor=personas.alice
        )
    assert "already booked" in str(staff.value)


def test_commissioning_someone_again_asks_them_again(
    personas, samples, django_capture_on_commit_callbacks
):
    delivery = _delivery(personas)
    trainer = _trainer(personas)
    make.consent(trainer.person, ConsentPurpose.CONTACT)
    trainer.person.email = "rowan@example.org"
    trainer.person.save()
    first = _commission(personas, delivery, trainer)
    services.commission_cancel(actor=personas.alice, commission=first, reason="Wrong hours")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = _commission(personas, delivery, trainer)
    assert again.invitation_id == first.invitation_id
    again.invitation.refresh_from_db()
    assert again.invitation.status == InvitationStatus.INVITED
    assert again.payment.status == PaymentStatus.OWED


def _answer(invitation, status):
    invitation.status = status
    invitation.save()


def test_a_trainer_who_says_no_is_stood_down_and_the_commissioner_told(
    personas, samples, django_capture_on_commit_callbacks
):
    delivery = _delivery(personas)
    commission = _commission(personas, delivery, _trainer(personas))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _answer(commission.invitation, InvitationStatus.DECLINED)
    commission.refresh_from_db()
    assert commission.cancelled_at is not None
    assert commission.payment.status == PaymentStatus.CANCELLED
    assert not delivery.facilitators.filter(lived=True).exists()
    assert selectors.team_check(delivery=delivery).warning_needed
    told = [m for m in mail.outbox if m.to == [personas.alice.email]]
    assert told
    assert "said no" in told[0].subject


def test_a_trainer_who_leaves_once_the_course_has_started_keeps_what_they_are_owed(
    personas, samples, django_capture_on_commit_callbacks
):
    delivery = _delivery(personas, sessions=[_session(1), _session(20)])
    commission = _commission(personas, delivery, _trainer(personas))
    delivery.sessions.filter(number=1).update(date=TODAY - datetime.timedelta(days=1))
    _answer(commission.invitation, InvitationStatus.ACCEPTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _answer(commission.invitation, InvitationStatus.LEFT)
    commission.refresh_from_db()
    assert commission.cancelled_at is None
    assert commission.payment.status == PaymentStatus.OWED
    assert any("A trainer left" in m.subject for m in mail.outbox)


def test_once_a_course_has_started_the_link_takes_no_bookings_and_nothing_is_cancelled_after(
    personas,
):
    delivery = _delivery(personas, sessions=[_session(1), _session(20)])
    booked = services.booking_create(delivery=delivery, name="Ann One", email="ann@example.org")
    delivery.sessions.filter(number=1).update(date=TODAY - datetime.timedelta(days=1))
    with pytest.raises(services.ValidationError, match="already started"):
        services.booking_create(delivery=delivery, name="Ben Two", email="ben@example.org")
    late = services.booking_create(
        delivery=delivery, name="Ben Two", email="ben@example.org", actor=personas.alice
    )
    assert late.status == BookingStatus.BOOKED
    delivery.sessions.filter(number=2).update(date=TODAY - datetime.timedelta(days=1))
    with pytest.raises(services.ValidationError, match="finished"):
        services.booking_cancel(booking=booked)


# A learner's data ----------------------------------------------------------------------------

LOOKUP = reverse("learning:learner_lookup")


def test_a_learner_s_data_is_found_by_email_downloaded_and_deleted(client_for, personas, samples):
    from powershare.audit.models import AccessEvent

    delivery = _delivery(personas, capacity=1)
    ann = services.booking_create(delivery=delivery, name="Ann One", email="ann@example.org")
    waiting = services.booking_create(delivery=delivery, name="Ben Two", email="ben@example.org")
    session = delivery.sessions.get()
    services.attendance_record(actor=personas.alice, session=session, booking=ann, attended=True)
    client = client_for("alice")
    found = client.get(LOOKUP, {"email": "ANN@example.org "})
    text = _text(found)
    assert "Ann One" in text
    assert "session 1: there" in text
    assert "Ben Two" not in text
    assert AccessEvent.objects.filter(
        subject_id=str(ann.learner_id), description__contains="looked up"
    ).exists()
    download = client.get(LOOKUP, {"email": "ann@example.org", "format": "csv"})
    body = b"".join(download.streaming_content).decode()
    assert "Ann One" in body
    assert "Ben Two" not in body
    # Not confirmed: nothing is deleted.
    client.post(LOOKUP, {"email": "ann@example.org"})
    ann.refresh_from_db()
    assert ann.learner is not None
    client.post(LOOKUP, {"email": "ann@example.org", "confirm": "yes"})
    ann.refresh_from_db()
    waiting.refresh_from_db()
    assert ann.learner is None
    assert ann.status == BookingStatus.CANCELLED
    assert waiting.status == BookingStatus.OFFERED  # her place went to the first person waiting
    totals = selectors.attendance_totals(
        deliveries=delivery.__class__.objects.filter(pk=delivery.pk)
    )
    assert totals.totals == {1: 1}
    assert "Nothing is held" in _text(client.get(LOOKUP, {"email": "ann@example.org"}))


@pytest.mark.parametrize("persona", ["bob", "charlie", "erin", "nina"])
def test_only_people_who_manage_learning_look_learners_up(client_for, personas, persona):
    delivery = _delivery(personas)
    services.booking_create(delivery=delivery, name="Ann One", email="ann@example.org")
    client = client_for(persona)
    response = client.get(LOOKUP, {"email": "ann@example.org"})
    if persona == "charlie":  # manages learning elsewhere: sees nothing of council A's
        assert response.status_code == 200
        assert "Ann One" not in _text(response)
        client.post(LOOKUP, {"email": "ann@example.org", "confirm": "yes"})
    else:
        assert response.status_code == 404
    assert delivery.bookings.get().learner is not None

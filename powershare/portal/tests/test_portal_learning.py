"""Erin's learning pages in her portal: the courses she helps deliver (sessions, materials to
download, her support plan and the payment owed) and where her words are used in training.
Only her own: another person's course or a material of a course she doesn't help deliver is
404, and staff without a person record of their own get 404."""

import datetime
import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.engagement import services as engagement_services
from powershare.learning import services as learning_services
from powershare.learning.models import (
    DeliverySession,
    Facilitator,
    SessionMode,
    SupportStage,
    Trainer,
)
from powershare.people.models import Person
from tests.personas import MARKER

TRAINING = reverse("portal:training")
WORDS = reverse("portal:words_in_learning")
HOME = reverse("portal:home")


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _detail(facilitator):
    return reverse("portal:training_detail", args=[facilitator.pk])


def _material(material):
    return reverse("portal:training_material", args=[material.pk])


def _download(response) -> bytes:
    return b"".join(response.streaming_content)


def _commission_erin(personas, samples):
    """Erin commissioned from the trainer pool to co-deliver the sample delivery."""
    trainer = Trainer.objects.create(
        organisation=personas.council_a, person=personas.erin_person, created_by=personas.alice
    )
    return learning_services.commission_create(
        actor=personas.alice,
        delivery=samples["delivery"],
        trainer=trainer,
        hours=Decimal("6"),
        preparation_hours=Decimal("1"),
        support={
            SupportStage.BEFORE: {"plan": "Walk through the slides together"},
            SupportStage.DURING: {"support_person": personas.alice},
            SupportStage.AFTER: {"plan": "A cup of tea and a chat"},
        },
    )


# ---------------------------------------------------------------------------------------------
# Who may open the pages


def _erins_urls(samples):
    return [
        TRAINING,
        WORDS,
        _detail(samples["erin_facilitator"]),
        _material(samples["erin_material"]),
    ]


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "nina"])
def test_staff_without_a_person_record_get_404(client_for, samples, persona):
    client = client_for(persona)
    for url in _erins_urls(samples):
        assert client.get(url).status_code == 404, (persona, url)


def test_erin_opens_her_pages(client_for, samples):
    client = client_for("erin")
    for url in _erins_urls(samples):
        assert client.get(url).status_code == 200, url


def test_erin_sees_only_her_own_training(client_for, samples):
    client = client_for("erin")
    page = _page(client.get(TRAINING))
    assert samples["erin_product"].title in page
    assert MARKER not in page
    # Someone else's place on a team (bob's, the sample trainer's) is 404, whatever the number.
    for facilitator in Facilitator.objects.exclude(pk=samples["erin_facilitator"].pk):
        assert client.get(_detail(facilitator)).status_code == 404
    assert client.get("/my/training/0/").status_code == 404
    assert client.get(f"/my/training/{2**63}/").status_code == 404


def test_erin_downloads_her_courses_material_but_no_other(client_for, samples):
    client = client_for("erin")
    response = client.get(_material(samples["erin_material"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert _download(response).startswith(b"%PDF")
    assert client.get(_material(samples["material"])).status_code == 404
    assert client.get(f"/my/training/materials/{2**63}/file/").status_code == 404


def test_a_cancelled_course_is_no_longer_hers_to_see(client_for, samples):
    delivery = samples["erin_delivery"]
    from django.utils import timezone

    delivery.cancelled_at = timezone.now()
    delivery.save(update_fields=["cancelled_at"])
    client = client_for("erin")
    assert client.get(_detail(samples["erin_facilitator"])).status_code == 404
    assert client.get(_material(samples["erin_material"])).status_code == 404
    assert samples["erin_product"].title not in _page(client.get(TRAINING))


# ---------------------------------------------------------------------------------------------
# One course


def test_the_course_page_shows_sessions_and_materials(client_for, samples):
    delivery = samples["erin_delivery"]
    DeliverySession.objects.create(
        delivery=delivery,
        number=2,
        date=delivery.sessions.get(number=1).date + datetime.timedelta(days=21),
        starts_at=datetime.time(14, 0),
        ends_at=datetime.time(16, 0),
        mode=SessionMode.ONLINE,
        online_link="https://meet.example.org/listening-well",
    )
    page = _page(client_for("erin").get(_detail(samples["erin_facilitator"])))
    first = delivery.sessions.get(number=1)
    assert f"{first.date:%-d %B %Y}" in page
    assert "09:30 to 12:30" in page
    assert first.venue in page
    assert "https://meet.example.org/listening-well" in page
    assert samples["erin_material"].title in page
    assert _material(samples["erin_material"]) in page
    # She was added to the team without a commission: no payment recorded, and she is told
    # who to ask.
    assert "No payment is recorded" in page


def test_a_commissioned_trainer_sees_her_support_plan_and_payment(client_for, personas, samples):
    commission = _commission_erin(personas, samples)
    client = client_for("erin")
    assert samples["delivery"].product.title in _page(client.get(TRAINING))
    page = _page(client.get(_detail(commission.facilitator)))
    for words in (
        "Before: a session to get ready",
        "On the day: someone there for you",
        "After: a chat about how it went",
    ):
        assert words in page
    assert "Walk through the slides together" in page
    assert f"With {personas.alice.full_name}" in page
    assert f"£{commission.payment.amount:,.2f}" in page
    assert "We owe you this" in page
    assert reverse("portal:payments") in page
    # Her invitation waits for her answer.
    assert reverse("portal:opportunity", args=[commission.invitation.pk]) in page
    # She may download the materials of the version taught there.
    assert client.get(_material(samples["material"])).status_code == 200


def test_support_that_has_happened_says_so(client_for, personas, samples):
    commission = _commission_erin(personas, samples)
    before = commission.support.get(stage=SupportStage.BEFORE)
    done = datetime.date.today() - datetime.timedelta(days=1)
    learning_services.commission_support_update(
        actor=personas.alice,
        support=before,
        plan=before.plan,
        support_person=personas.bob,
        planned_on=done,
        done_on=done,
    )
    page = _page(client_for("erin").get(_detail(commission.facilitator)))
    assert f"Done on {done:%-d %B %Y}" in page
    assert f"With {personas.bob.full_name}" in page


def test_opening_her_course_is_recorded_as_reading_her_own_data(client_for, samples):
    from powershare.audit.models import AccessEvent

    before = AccessEvent.objects.count()
    client_for("erin").get(_detail(samples["erin_facilitator"]))
    assert AccessEvent.objects.count() == before + 1


def test_the_training_list_runs_the_same_queries_for_1_or_12_courses(client_for, personas, samples):
    client = client_for("erin")
    client.get(TRAINING)
    with CaptureQueriesContext(connection) as few:
        client.get(TRAINING)
    product, version = samples["erin_product"], samples["erin_delivery"].version
    for n in range(11):
        delivery = samples["erin_delivery"].__class__.objects.create(
            organisation=personas.council_a,
            product=product,
            version=version,
            site=personas.council_a,
            cohort=f"Cohort {n}",
            capacity=10,
        )
        DeliverySession.objects.create(
            delivery=delivery,
            number=1,
            date=datetime.date.today() + datetime.timedelta(days=n),
            starts_at=datetime.time(10),
            ends_at=datetime.time(12),
            mode=SessionMode.IN_PERSON,
            venue="Library",
        )
        Facilitator.objects.create(delivery=delivery, person=personas.erin_person, lived=True)
    with CaptureQueriesContext(connection) as many:
        page = _page(client.get(TRAINING))
    assert "Cohort 10" in page
    assert len(many) == len(few)


# ---------------------------------------------------------------------------------------------
# Her words in training


def test_erin_sees_which_materials_use_her_words(client_for, samples):
    page = _page(client_for("erin").get(WORDS))
    contribution = samples["erin_contribution"]
    assert samples["erin_product"].title in page
    assert samples["erin_material"].title in page
    assert contribution.text in page
    assert reverse("portal:contribution_redact", args=[contribution.pk]) in page
    assert reverse("portal:contribution_withdraw", args=[contribution.pk]) in page
    # Only her own words: the sample material quotes someone else.
    assert MARKER not in page


def test_withdrawn_words_are_not_shown_and_the_material_is_marked_for_updating(
    client_for, personas, samples
):
    contribution = samples["erin_contribution"]
    engagement_services.contribution_withdraw(
        user=personas.erin, contribution=contribution, by_person=True
    )
    page = _page(client_for("erin").get(WORDS))
    assert contribution.text not in page
    assert "You withdrew this" in page
    samples["erin_material"].refresh_from_db()
    assert samples["erin_material"].needs_updating
    assert "We're updating this material" in page


def test_her_contribution_pages_lead_to_where_her_words_are_used(client_for, samples):
    client = client_for("erin")
    assert WORDS in _page(client.get(reverse("portal:contributions")))
    detail = _page(
        client.get(reverse("portal:contribution", args=[samples["erin_contribution"].pk]))
    )
    assert "Used in training" in detail
    assert samples["erin_material"].title in detail
    assert WORDS in detail


def test_the_home_page_has_a_training_section_only_for_those_it_concerns(
    client_for, personas, samples
):
    page = _page(client_for("erin").get(HOME))
    assert "Training you help deliver" in page
    assert TRAINING in page
    assert WORDS in page
    # Someone who neither helps deliver training nor is quoted in it sees no such section.
    Person.objects.create(
        organisation=personas.council_a, full_name="Bob Brown", age_band="26_64", user=personas.bob
    )
    page = _page(client_for("bob").get(HOME))
    assert "Training you help deliver" not in page
    assert "Your words in training" not in page


def test_staff_with_their_own_person_record_see_their_training(client_for, personas, samples):
    bob_person = Person.objects.create(
        organisation=personas.council_a, full_name="Bob Brown", age_band="26_64", user=personas.bob
    )
    on_team = Facilitator.objects.create(
        delivery=samples["erin_delivery"], person=bob_person, lived=True
    )
    client = client_for("bob")
    assert samples["erin_product"].title in _page(client.get(TRAINING))
    assert client.get(_detail(on_team)).status_code == 200
    assert client.get(_detail(samples["erin_facilitator"])).status_code == 404


def test_your_words_in_training_runs_the_same_queries_for_1_or_12_materials(client_for, samples):
    from powershare.learning.models import Material, MaterialQuote

    client = client_for("erin")
    client.get(WORDS)
    with CaptureQueriesContext(connection) as few:
        client.get(WORDS)
    version = samples["erin_material"].version
    for n in range(11):
        material = Material.objects.create(
            version=version, title=f"Quoting handout {n}", kind="handout"
        )
        MaterialQuote.objects.create(material=material, contribution=samples["erin_contribution"])
    with CaptureQueriesContext(connection) as many:
        page = _page(client.get(WORDS))
    assert "Quoting handout 10" in page
    assert len(many) == len(few)

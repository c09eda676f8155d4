"""Learning and a person's rights: their subject access export holds their place in the
trainer pool, the teams they were on, their commissions and support plans, and the materials
that quote them; erasure removes their trainer and team rows and the words of their support
plans, and keeps the commission's hours and payment, the attendance totals and the accounts."""

import io
import json
import zipfile
from decimal import Decimal

import pytest

from powershare.engagement import services as engagement_services
from powershare.engagement.models import ContributionKind, UseLevel
from powershare.learning import selectors, services
from powershare.learning.models import (
    Attendance,
    Commission,
    CommissionSupport,
    Facilitator,
    Material,
    MaterialKind,
    MaterialQuote,
    SupportStage,
    Trainer,
)
from powershare.learning.tests.test_api_learning import _client, _url
from powershare.payments.models import Payment
from powershare.payments.tests import factories as pay
from powershare.people.services import consent_record_create
from powershare.privacy.export import person_export_data, person_export_zip
from powershare.privacy.services import erasure_request_approve, erasure_request_create
from powershare.privacy.tests.builders import RICH_PERSON, make_rich_person
from powershare.privacy.tests.test_erasure_leaves_no_trace import _where_found

NAME = RICH_PERSON["full_name"]
LEARNING_SECTIONS = {
    "learning.Trainer": "Your place in a trainer pool",
    "learning.Facilitator": "Learning you co-delivered",
    "learning.Commission": "Learning you were commissioned to co-deliver",
    "learning.CommissionSupport": "Support planned for you when you co-delivered learning",
    "learning.MaterialQuote": "Learning materials that quote you",
}


@pytest.fixture
def trainer_person(personas, samples, django_capture_on_commit_callbacks):
    """A person in council A's trainer pool, commissioned for the sample delivery (with a
    support plan naming them), on erin's course team too, and quoted in a handout."""
    alice = personas.alice
    pay.rate_card(personas.council_a, "2024-04-01")
    person = make_rich_person(personas)
    for purpose in ("quote_internal", "quote_anonymous"):
        consent_record_create(
            actor=alice, person=person, purpose=purpose, decision="given", method="written"
        )
    with django_capture_on_commit_callbacks(execute=True):
        said = engagement_services.contribution_create(
            actor=alice,
            activity=samples["activity"],
            person=person,
            use_level=UseLevel.ANONYMISED,
            text=f"{NAME} said the letters felt cold.",
            kind=ContributionKind.VIEW,
        )
        services.material_add(
            actor=alice,
            version=samples["version"],
            title="Handout about letters",
            kind=MaterialKind.HANDOUT,
            use_level=UseLevel.ANONYMISED,
            quotes=[said.pk],
        )
        trainer = services.trainer_add(
            actor=alice, person=person, topics=f"{NAME} talks about Thistlewhistle Lane"
        )
        services.commission_create(
            actor=alice,
            delivery=samples["delivery"],
            trainer=trainer,
            hours=Decimal("3"),
            support={
                SupportStage.BEFORE: {"plan": f"Ring {NAME} the week before"},
                SupportStage.AFTER: {"plan": f"Debrief with {NAME} over tea"},
            },
        )
        services.facilitator_add(
            actor=alice, delivery=samples["erin_delivery"], person=person, lived=True
        )
    return person


def _sections(person) -> dict:
    return {s["model"]: s for s in person_export_data(person)["sections"]}


def test_the_export_holds_their_learning(personas, samples, trainer_person):
    person = trainer_person
    sections = _sections(person)
    for model, label in LEARNING_SECTIONS.items():
        assert sections[model]["label"] == label
    (trainer,) = sections["learning.Trainer"]["rows"]
    assert trainer["topics"] == f"{NAME} talks about Thistlewhistle Lane"
    teams = sections["learning.Facilitator"]["rows"]
    assert {row["delivery"]["id"] for row in teams} == {
        samples["delivery"].pk,
        samples["erin_delivery"].pk,
    }
    (commission,) = sections["learning.Commission"]["rows"]
    assert commission["hours"] == "3.00"
    assert commission["delivery"]["id"] == samples["delivery"].pk
    plans = {
        row["stage"]["value"]: row["plan"] for row in sections["learning.CommissionSupport"]["rows"]
    }
    assert plans == {
        "before": f"Ring {NAME} the week before",
        "during": "",
        "after": f"Debrief with {NAME} over tea",
    }
    (quote,) = sections["learning.MaterialQuote"]["rows"]
    assert quote["material"]["label"] == "Handout about letters"
    # Nobody else's learning: the sample commission and team belong to someone else.
    text = json.dumps([sections[m]["rows"] for m in LEARNING_SECTIONS], default=str)
    assert "Topics zq" not in text
    assert "Support zq" not in text
    archive = zipfile.ZipFile(io.BytesIO(person_export_zip(person)))
    html = archive.read("your-data.html").decode()
    for label in LEARNING_SECTIONS.values():
        assert label in html


def test_erasure_removes_their_learning_and_keeps_the_counts_and_the_accounts(
    personas, samples, trainer_person, django_capture_on_commit_callbacks
):
    person = trainer_person
    commission = Commission.objects.get(trainer__person=person)
    payment = Payment.objects.get(pk=commission.payment_id)
    money = (payment.amount, payment.status, payment.worked_on, payment.kind)
    totals = selectors.product_attendance_totals(
        user=personas.alice, product=samples["product"]
    ).totals
    attendance = list(Attendance.objects.order_by("pk").values_list("pk", "attended"))
    found = {place.split(".")[0] for place in _where_found([NAME])}
    assert {"learning_trainer", "learning_commissionsupport"} <= found, found

    request = erasure_request_create(actor=personas.alice, person=person, reason="They asked")
    with django_capture_on_commit_callbacks(execute=True):
        erasure_request_approve(actor=personas.admin, request=request)

    assert not Trainer.objects.filter(person=person).exists()
    assert not Facilitator.objects.filter(person=person).exists()
    commission.refresh_from_db()
    assert commission.trainer_id is None
    assert commission.facilitator_id is None
    assert commission.hours == Decimal("3")
    assert commission.payment_id == payment.pk
    assert set(
        CommissionSupport.objects.filter(commission=commission).values_list("plan", flat=True)
    ) == {""}
    payment.refresh_from_db()
    assert (payment.amount, payment.status, payment.worked_on, payment.kind) == money
    # Attendance stays, and so do the totals.
    assert list(Attendance.objects.order_by("pk").values_list("pk", "attended")) == attendance
    assert (
        selectors.product_attendance_totals(user=personas.alice, product=samples["product"]).totals
        == totals
    )
    # The handout that quoted them now needs updating (their words were erased).
    material = Material.objects.get(title="Handout about letters")
    assert material.needs_updating
    assert MaterialQuote.objects.filter(material=material).exists()
    assert not [p for p in _where_found([NAME, "Thistlewhistle"]) if p.startswith("learning_")]
    # The sample trainer, who was not erased, keeps everything.
    assert Trainer.objects.filter(pk=samples["trainer"].pk).exists()
    assert samples["commission"].support.exclude(plan="").count() == 3


def test_after_erasure_the_api_shows_the_team_without_them(personas, samples, trainer_person):
    request = erasure_request_create(
        actor=personas.alice, person=trainer_person, reason="They asked"
    )
    erasure_request_approve(actor=personas.admin, request=request)
    body = (
        _client(personas, "alice")
        .get(_url("learning_delivery_detail", delivery_id=samples["delivery"].pk))
        .json()
    )
    # bob and the sample trainer remain; the erased trainer's place on the team has gone.
    assert len(body["team"]["members"]) == 2

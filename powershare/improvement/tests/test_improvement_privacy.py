"""Improvement and a person's rights: their subject access export lists the walkthroughs and
self-assessments they took part in; erasure keeps those rows (so the team and the list of who
took part still count them) but drops the link to the person, leaving a neutral description."""

import io
import zipfile

import pytest
from django.urls import reverse

from powershare.improvement import services
from powershare.improvement.models import (
    AssessmentParticipant,
    ParticipantKind,
    TeamRole,
    WalkthroughTeamMember,
)
from powershare.improvement.privacy_registration import ERASED_PERSON_NAME
from powershare.privacy import registry
from powershare.privacy.export import person_export_data, person_export_zip
from powershare.privacy.services import erasure_request_approve, erasure_request_create
from powershare.privacy.tests.builders import RICH_PERSON, make_rich_person

NAME = RICH_PERSON["full_name"]
SECTIONS = {
    "improvement.WalkthroughTeamMember": "Walkthroughs of services you took part in",
    "improvement.AssessmentParticipant": "Self-assessments you took part in",
}


@pytest.fixture
def walker(personas, samples):
    """A person on council A's register who walked the sample walkthrough and took part in the
    sample self-assessment."""
    person = make_rich_person(personas)
    services.team_member_add(
        actor=personas.alice,
        walkthrough=samples["walkthrough"],
        role=TeamRole.EXPERT_BY_EXPERIENCE,
        person=person,
    )
    AssessmentParticipant.objects.create(
        assessment=samples["assessment"], kind=ParticipantKind.EXPERT_BY_EXPERIENCE, person=person
    )
    return person


def _sections(person) -> dict:
    return {s["model"]: s for s in person_export_data(person)["sections"]}


def test_both_person_linked_models_are_registered():
    for model in (WalkthroughTeamMember, AssessmentParticipant):
        entry = registry.entry_for(model)
        assert entry is not None, model
        assert entry.person_lookup == "person"


def test_the_export_holds_the_walkthroughs_and_assessments_they_took_part_in(
    personas, samples, walker
):
    sections = _sections(walker)
    for model, label in SECTIONS.items():
        assert sections[model]["label"] == label
    (team_row,) = sections["improvement.WalkthroughTeamMember"]["rows"]
    assert team_row["walkthrough"] == {
        "id": samples["walkthrough"].pk,
        "label": samples["walkthrough"].title,
    }
    assert team_row["role"]["value"] == TeamRole.EXPERT_BY_EXPERIENCE
    (participant_row,) = sections["improvement.AssessmentParticipant"]["rows"]
    assert participant_row["assessment"]["id"] == samples["assessment"].pk
    # Only their own rows: the sample person's place on the same team is not in it.
    assert team_row["id"] != samples["walkthrough_team_member"].pk
    archive = zipfile.ZipFile(io.BytesIO(person_export_zip(walker)))
    readable = archive.read("your-data.html").decode()
    for label in SECTIONS.values():
        assert label in readable


def test_the_export_lists_who_saw_their_name_on_a_walkthrough(
    personas, samples, walker, client_for
):
    client_for("alice").get(
        reverse("improvement:walkthrough_detail", args=[samples["walkthrough"].pk])
    )
    views = person_export_data(walker)["views"]
    assert any(walker.reference in view["what"] for view in views)


def test_the_export_lists_who_saw_their_name_on_a_self_assessment(
    personas, samples, walker, client_for
):
    assessment = samples["assessment"]
    client_for("alice").get(reverse("improvement:assessment_detail", args=[assessment.pk]))
    views = [v for v in person_export_data(walker)["views"] if walker.reference in v["what"]]
    assert [v["what"] for v in views] == [
        f"{walker.reference}: named as taking part in self-assessment {assessment.pk}"
    ]
    assert views[0]["by"] == str(personas.alice)
    # The sample person, also named on that page, has an event of their own (not the walker's).
    sample_person = samples["person"]
    assert any(
        sample_person.reference in v["what"] for v in person_export_data(sample_person)["views"]
    )
    assert all(sample_person.reference not in v["what"] for v in views)


def test_erasure_keeps_the_rows_and_drops_the_person(personas, samples, walker, client_for):
    walkthrough = samples["walkthrough"]
    assessment = samples["assessment"]
    team_size = walkthrough.team.count()
    participants = assessment.participants.count()
    member = WalkthroughTeamMember.objects.get(person=walker)
    participant = AssessmentParticipant.objects.get(person=walker)

    request = erasure_request_create(actor=personas.alice, person=walker, reason="They asked")
    erasure_request_approve(actor=personas.admin, request=request)

    member.refresh_from_db()
    participant.refresh_from_db()
    assert (member.person_id, member.walkthrough_id, member.name) == (
        None,
        walkthrough.pk,
        ERASED_PERSON_NAME,
    )
    assert member.role == TeamRole.EXPERT_BY_EXPERIENCE
    assert (participant.person_id, participant.assessment_id, participant.name) == (
        None,
        assessment.pk,
        ERASED_PERSON_NAME,
    )
    assert walkthrough.team.count() == team_size
    assert assessment.participants.count() == participants
    # The sample person, who was not erased, keeps their place.
    assert WalkthroughTeamMember.objects.filter(
        pk=samples["walkthrough_team_member"].pk, person=samples["person"]
    ).exists()
    # The walkthrough page shows the erased place neutrally, even to people who see names.
    page = client_for("alice").get(reverse("improvement:walkthrough_detail", args=[walkthrough.pk]))
    text = page.content.decode()
    assert NAME not in text
    assert ERASED_PERSON_NAME in text


def test_an_erased_participant_keeps_a_label_that_matches_how_they_took_part(personas, samples):
    person = make_rich_person(personas)
    rows = {
        kind: AssessmentParticipant.objects.create(
            assessment=samples["assessment"], kind=kind, person=person
        )
        for kind in (ParticipantKind.STAFF, ParticipantKind.PARTNER)
    }
    request = erasure_request_create(actor=personas.alice, person=person, reason="They asked")
    erasure_request_approve(actor=personas.admin, request=request)
    for row in rows.values():
        row.refresh_from_db()
        assert row.person_id is None
    assert rows[ParticipantKind.STAFF].name == "A member of staff"
    assert rows[ParticipantKind.PARTNER].name == "Someone from a partner organisation"

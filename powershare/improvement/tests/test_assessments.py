"""Self-assessments: who sees and changes them, starting one, rating every driver at once,
priorities, who took part (experts by experience named only to those who may see the
register), agreeing, sharing with the national team, the comparison with the previous
assessment, the heat-map, and fixed query counts."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.services import share_create
from powershare.audit.models import AccessEvent
from powershare.improvement import selectors, services
from powershare.improvement.models import (
    AssessmentParticipant,
    AssessmentStatus,
    DriverRating,
    SelfAssessment,
)
from powershare.people.models import Person
from tests.personas import MARKER

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def _url(name, obj) -> str:
    return reverse(f"improvement:{name}", args=[obj.pk])


CHANGE_PAGES = (
    "assessment_edit",
    "assessment_ratings",
    "assessment_participants",
    "assessment_agree",
    "assessment_sharing",
)


def _start(personas, period="2027/28", days_ago=0, **extra) -> SelfAssessment:
    return services.assessment_start(
        actor=personas.alice,
        organisation=personas.council_a,
        period=period,
        assessed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        **extra,
    )


def _rate(personas, assessment, ratings: dict[str, int | None], **extra):
    rows = {r.driver.key: r for r in assessment.ratings.select_related("driver")}
    services.ratings_record(
        actor=personas.alice,
        assessment=assessment,
        ratings={rows[key].pk: {"rating": value, **extra} for key, value in ratings.items()},
    )


def _all_ratings(assessment, value_for=lambda n: n % 5) -> dict[str, int]:
    keys = assessment.ratings.order_by("driver__stage__order", "driver__order").values_list(
        "driver__key", flat=True
    )
    return {key: value_for(n) for n, key in enumerate(keys)}


def _ratings_post(assessment, **changes) -> dict:
    """The ratings form as sent unchanged, with changes by driver key: {key: {field: value}}."""
    data = {}
    for rating in assessment.ratings.select_related("driver"):
        p = f"r{rating.pk}"
        if rating.rating is not None:
            data[f"{p}-rating"] = str(rating.rating)
        data[f"{p}-evidence"] = rating.evidence
        if rating.is_priority:
            data[f"{p}-is_priority"] = "on"
        data[f"{p}-priority_note"] = rating.priority_note
        for name, value in changes.get(rating.driver.key, {}).items():
            if value is None:
                data.pop(f"{p}-{name}", None)
            else:
                data[f"{p}-{name}"] = value
    return data


# ---------------------------------------------------------------------------------------------
# Who may see and do what


def test_alice_opens_every_page(client_for, samples):
    client = client_for("alice")
    assessment = samples["assessment"]
    assert client.get(reverse("improvement:assessment_list")).status_code == 200
    assert client.get(reverse("improvement:assessment_create")).status_code == 200
    assert client.get(_url("assessment_detail", assessment)).status_code == 200
    for name in CHANGE_PAGES:
        assert client.get(_url(name, assessment)).status_code == 200, name
    remove = _url("participant_remove", samples["assessment_participant"])
    assert client.get(remove).status_code == 200


def test_bob_reads_the_assessment_but_every_change_is_not_found(client_for, samples):
    client = client_for("bob")
    assessment = samples["assessment"]
    listing = _text(client.get(reverse("improvement:assessment_list")))
    assert assessment.period in listing
    assert "Start a self-assessment" not in listing
    detail = client.get(_url("assessment_detail", assessment))
    assert detail.status_code == 200
    assert f"Evidence {MARKER}" in _text(detail)
    assert _url("assessment_edit", assessment) not in _text(detail)
    assert "Add an action for this priority" not in _text(detail)
    for name in CHANGE_PAGES:
        assert client.get(_url(name, assessment)).status_code == 404, name
        assert client.post(_url(name, assessment), {}).status_code == 404, name
    remove = _url("participant_remove", samples["assessment_participant"])
    assert client.post(remove).status_code == 404
    assert client.get(reverse("improvement:assessment_create")).status_code == 404
    assert AssessmentParticipant.objects.filter(pk=samples["assessment_participant"].pk).exists()


def test_charlie_finds_nothing_of_council_a(client_for, samples):
    client = client_for("charlie")
    assessment = samples["assessment"]
    assert MARKER not in _text(client.get(reverse("improvement:assessment_list")))
    assert client.get(_url("assessment_detail", assessment)).status_code == 404
    for name in CHANGE_PAGES:
        assert client.get(_url(name, assessment)).status_code == 404, name
        assert client.post(_url(name, assessment), {}).status_code == 404, name
    remove = _url("participant_remove", samples["assessment_participant"])
    assert client.post(remove).status_code == 404
    heatmap = client.get(
        reverse("improvement:heatmap_svg"), {"organisation": samples["organisation"].pk}
    )
    assert heatmap.status_code == 404


def test_nina_sees_the_assessment_only_once_council_a_shares_it(client_for, samples, personas):
    assessment = samples["assessment"]
    client = client_for("nina")
    assert client.get(_url("assessment_detail", assessment)).status_code == 404
    assert MARKER not in _text(client.get(reverse("improvement:assessment_list")))

    share_create(actor=personas.alice, record=assessment, partner=personas.national)

    listing = _text(client.get(reverse("improvement:assessment_list")))
    assert assessment.period in listing
    assert "Shared with your organisation" in listing
    detail = client.get(_url("assessment_detail", assessment))
    assert detail.status_code == 200
    page = _text(detail)
    assert "shares this self-assessment with your organisation" in page
    assert f"Evidence {MARKER}" in page
    # She may not see the register, so the expert by experience is not named.
    assert f"Person {MARKER}" not in page
    assert "An expert by experience" in page
    for name in CHANGE_PAGES:
        assert client.get(_url(name, assessment)).status_code == 404, name
    heatmap = client.get(
        reverse("improvement:heatmap_svg"), {"organisation": samples["organisation"].pk}
    )
    assert heatmap.status_code == 200


def test_an_expert_by_experience_is_named_to_those_who_see_the_register_and_it_is_recorded(
    client_for, samples, personas
):
    assessment = samples["assessment"]
    before = AccessEvent.objects.filter(user=personas.alice).count()
    alice_page = _text(client_for("alice").get(_url("assessment_detail", assessment)))
    assert f"Person {MARKER}" in alice_page
    assert AccessEvent.objects.filter(user=personas.alice).count() == before + 1
    bob_page = _text(client_for("bob").get(_url("assessment_detail", assessment)))
    assert f"Person {MARKER}" not in bob_page
    assert "An expert by experience (expert by experience)" in bob_page
    assert not AccessEvent.objects.filter(user=personas.bob).exists()


def test_erin_sees_no_assessment_pages(client_for, samples):
    client = client_for("erin")
    assert client.get(reverse("improvement:assessment_list")).status_code == 404
    assert client.get(_url("assessment_detail", samples["assessment"])).status_code == 404
    assert client.get(reverse("improvement:heatmap_svg")).status_code == 404


# ---------------------------------------------------------------------------------------------
# Starting and changing an assessment


def test_starting_an_assessment_uses_the_current_version_with_a_rating_per_driver(
    client_for, samples
):
    client = client_for("alice")
    response = client.post(
        reverse("improvement:assessment_create"),
        {"period": "Autumn 2027", "assessed_on": "14/03/2026", "summary": "First look"},
    )
    assessment = SelfAssessment.objects.get(period="Autumn 2027")
    assert response["Location"] == _url("assessment_ratings", assessment)
    assert assessment.version == samples["framework_version"]
    assert assessment.assessed_on == datetime.date(2026, 3, 14)
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.ratings.count() == samples["framework_version"].drivers.count() == 8
    assert not assessment.ratings.filter(rating__isnull=False).exists()


def test_sending_the_start_form_twice_makes_one_assessment(client_for, samples):
    client = client_for("alice")
    data = {"period": "Twice", "assessed_on": "2026-03-14", "form_token": "token-twice-1"}
    client.post(reverse("improvement:assessment_create"), data)
    client.post(reverse("improvement:assessment_create"), data)
    assert SelfAssessment.objects.filter(period="Twice").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "", "assessed_on": "2026-03-14"}, "Say which period it covers"),
        ({"period": "2026/27", "assessed_on": ""}, "Enter the date of the assessment"),
        ({"period": "2026/27", "assessed_on": "31/02/2026"}, "as a real date, like 14/03/2026"),
        ({"period": "2026/27", "assessed_on": "2099-01-01"}, "at most a year from today"),
    ],
)
def test_the_start_form_explains_each_mistake(client_for, samples, data, message):
    response = client_for("alice").post(reverse("improvement:assessment_create"), data)
    assert response.status_code == 200
    assert message in _text(response)
    assert "There is a problem" in _text(response)


def test_changing_the_details_keeps_the_version(client_for, samples):
    assessment = samples["assessment"]
    response = client_for("alice").post(
        _url("assessment_edit", assessment),
        {"period": "2026/27 renamed", "assessed_on": "2026-01-05", "others_taking_part": "8"},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.period == "2026/27 renamed"
    assert assessment.others_taking_part == "8"
    assert assessment.version == samples["framework_version"]


# ---------------------------------------------------------------------------------------------
# Ratings


def test_every_driver_is_rated_on_one_form_grouped_by_stage(client_for, samples):
    assessment = samples["assessment"]
    client = client_for("alice")
    page = _text(client.get(_url("assessment_ratings", assessment)))
    assert page.count('type="radio"') == 8 * 5
    assert '<legend><h2 class="ds_h2">Stage 1: Creating the right conditions</h2></legend>' in (
        page
    )
    assert page.index("Leadership and organisational culture") < page.index(
        "Feedback loops and continuous improvement"
    )
    data = _ratings_post(
        assessment,
        **{
            "budget": {"rating": "4", "evidence": "Money set aside"},
            "staff-wellbeing": {
                "is_priority": "on",
                "priority_note": "Staff are tired; supervision every month.",
            },
        },
    )
    response = client.post(_url("assessment_ratings", assessment), data)
    assert response.status_code == 302
    budget = assessment.ratings.get(driver__key="budget")
    assert (budget.rating, budget.evidence) == (4, "Money set aside")
    wellbeing = assessment.ratings.get(driver__key="staff-wellbeing")
    assert wellbeing.is_priority
    assert wellbeing.priority_note == "Staff are tired; supervision every month."
    # The priority shows on the page with a link to add an action for it.
    detail = _text(client.get(_url("assessment_detail", assessment)))
    assert f"{reverse('improvement:action_create')}?priority={wellbeing.pk}" in detail


def test_a_priority_needs_a_reason_and_nothing_typed_is_lost(client_for, samples):
    assessment = samples["assessment"]
    wellbeing_before = assessment.ratings.get(driver__key="staff-wellbeing").rating
    data = _ratings_post(
        assessment,
        **{
            "budget": {"is_priority": "on", "priority_note": "", "evidence": "Kept words"},
            "staff-wellbeing": {"rating": "3"},
        },
    )
    response = client_for("alice").post(_url("assessment_ratings", assessment), data)
    assert response.status_code == 200
    page = _text(response)
    assert "There is a problem" in page
    assert f"Budget {MARKER}: say why it is a priority and what good would look like." in page
    assert "Kept words" in page
    # Nothing saved: the other driver's new rating waits too.
    assert wellbeing_before != 3
    assert assessment.ratings.get(driver__key="staff-wellbeing").rating == wellbeing_before
    assert not assessment.ratings.get(driver__key="budget").is_priority


def test_a_rating_from_outside_the_list_is_refused(client_for, samples):
    assessment = samples["assessment"]
    data = _ratings_post(assessment, budget={"rating": "9"})
    response = client_for("alice").post(_url("assessment_ratings", assessment), data)
    assert f"Budget {MARKER}: choose a rating from the list." in _text(response)


def test_agreeing_needs_every_driver_rated_then_locks_the_ratings(client_for, samples, personas):
    assessment = _start(personas)
    client = client_for("alice")
    response = client.post(_url("assessment_agree", assessment))
    assert response.status_code == 200
    assert "Rate every driver before agreeing" in _text(response)
    _rate(personas, assessment, _all_ratings(assessment))
    response = client.post(_url("assessment_agree", assessment))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.AGREED
    assert assessment.agreed_at is not None
    # Locked: the ratings page sends people to reopen it, and the service refuses.
    locked = client.get(_url("assessment_ratings", assessment))
    assert locked["Location"] == _url("assessment_agree", assessment)
    with pytest.raises(ValidationError):
        _rate(personas, assessment, {"budget": 1})
    # Reopening makes it a draft again.
    client.post(_url("assessment_agree", assessment))
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.agreed_at is None


def test_an_agreed_assessment_is_locked_until_reopened(client_for, samples, personas):
    assessment = _start(personas, period="Locked period", days_ago=10)
    services.participant_add(
        actor=personas.alice, assessment=assessment, kind="staff", user=personas.bob
    )
    participant = assessment.participants.get()
    _rate(personas, assessment, _all_ratings(assessment))
    services.assessment_agree(actor=personas.alice, assessment=assessment)
    # The services refuse, with a reason.
    with pytest.raises(ValidationError, match="Reopen it"):
        services.assessment_update(
            actor=personas.alice,
            assessment=assessment,
            period="Changed",
            assessed_on=timezone.localdate() - datetime.timedelta(days=500),
        )
    with pytest.raises(ValidationError, match="Reopen it"):
        services.participant_add(
            actor=personas.alice, assessment=assessment, kind="staff", user=personas.alice
        )
    with pytest.raises(ValidationError, match="Reopen it"):
        services.participant_remove(actor=personas.alice, participant=participant)
    # The pages send people to reopen it, and change nothing when posted to.
    client = client_for("alice")
    reopen = _url("assessment_agree", assessment)
    edit = client.post(
        _url("assessment_edit", assessment), {"period": "Changed", "assessed_on": "1 May 2020"}
    )
    assert edit["Location"] == reopen
    assert client.get(_url("assessment_participants", assessment))["Location"] == reopen
    assert client.post(_url("participant_remove", participant))["Location"] == reopen
    assessment.refresh_from_db()
    assert assessment.period == "Locked period"
    assert assessment.participants.filter(pk=participant.pk).exists()
    # Its page says so and offers no way to change it but reopening.
    page = _text(client.get(_url("assessment_detail", assessment)))
    assert "this self-assessment is locked" in page
    assert _url("assessment_edit", assessment) not in page
    assert _url("assessment_participants", assessment) not in page
    assert "Reopen the ratings" in page
    # Reopened, it changes again.
    services.assessment_reopen(actor=personas.alice, assessment=assessment)
    services.participant_remove(actor=personas.alice, participant=participant)
    assert not assessment.participants.exists()


# ---------------------------------------------------------------------------------------------
# Who took part


def test_people_are_added_as_staff_from_the_register_or_by_name(client_for, samples, personas):
    assessment = _start(personas)
    client = client_for("alice")
    url = _url("assessment_participants", assessment)
    assert client.post(url, {"kind": "staff", "user": personas.bob.pk}).status_code == 302
    assert (
        client.post(
            url, {"kind": "expert_by_experience", "person": samples["person"].pk}
        ).status_code
        == 302
    )
    assert client.post(url, {"kind": "partner", "name": "Team manager, Justice"}).status_code == 302
    kinds = set(assessment.participants.values_list("kind", flat=True))
    assert kinds == {"staff", "expert_by_experience", "partner"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "staff"},
            "Choose a member of staff or a person on the register, or enter a name.",
        ),
        (
            {"kind": "staff", "user": "BOB", "name": "Bob"},
            "Choose a member of staff from the list.",
        ),
        ({"user": "1"}, "Choose how they took part."),
        ({"kind": "staff", "name": "Two", "person": "PERSON"}, "Choose one"),
    ],
)
def test_the_people_form_explains_each_mistake(client_for, samples, personas, data, message):
    assessment = _start(personas)
    data = dict(data)
    if data.get("user") == "1":
        data["user"] = personas.bob.pk
    if data.get("person") == "PERSON":
        data["person"] = samples["person"].pk
    response = client_for("alice").post(_url("assessment_participants", assessment), data)
    assert response.status_code == 200
    assert message in _text(response)
    assert not assessment.participants.exists()


def test_only_the_organisations_own_staff_and_register_can_be_added(samples, personas):
    assessment = _start(personas)
    with pytest.raises(ValidationError, match="works in the organisation"):
        services.participant_add(
            actor=personas.alice, assessment=assessment, kind="staff", user=personas.charlie
        )
    other = Person.objects.create(organisation=personas.council_b, full_name="Someone Else")
    with pytest.raises(ValidationError, match="register"):
        services.participant_add(
            actor=personas.alice, assessment=assessment, kind="expert_by_experience", person=other
        )
    erased = Person.objects.create(
        organisation=personas.council_a, full_name="Gone", erased_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="register"):
        services.participant_add(
            actor=personas.alice, assessment=assessment, kind="expert_by_experience", person=erased
        )


def test_removing_someone_asks_first(client_for, samples):
    participant = samples["assessment_participant"]
    client = client_for("alice")
    page = _text(client.get(_url("participant_remove", participant)))
    assert "will no longer be listed" in page
    assert AssessmentParticipant.objects.filter(pk=participant.pk).exists()
    response = client.post(_url("participant_remove", participant))
    assert response["Location"] == _url("assessment_participants", samples["assessment"])
    assert not AssessmentParticipant.objects.filter(pk=participant.pk).exists()


# ---------------------------------------------------------------------------------------------
# Sharing


def test_alice_shares_with_the_national_team_and_stops(client_for, samples, personas):
    assessment = samples["assessment"]
    client = client_for("alice")
    response = client.post(
        _url("assessment_sharing", assessment), {"partner": personas.national.pk}
    )
    assert response.status_code == 302
    assert client_for("nina").get(_url("assessment_detail", assessment)).status_code == 200
    client = client_for("alice")
    share = selectors.assessments_visible(user=personas.alice).get(pk=assessment.pk)
    from powershare.accounts.sharing import share_list_for_record

    share = share_list_for_record(record=share).get()
    end = reverse("improvement:assessment_share_end", args=[assessment.pk, share.pk])
    assert "will no longer see" in _text(client.get(end))
    assert client.post(end).status_code == 302
    assert client_for("nina").get(_url("assessment_detail", assessment)).status_code == 404


# ---------------------------------------------------------------------------------------------
# Comparison and heat-map


def test_the_comparison_matches_drivers_by_key_across_versions(samples, personas):
    earlier = _start(personas, period="Earlier", days_ago=400)
    _rate(
        personas,
        earlier,
        {"leadership-culture": 1, "staff-wellbeing": 3, "budget": 2, "power-sharing": None},
    )
    # A new version: leadership renamed, budget retired, a new driver.
    current = samples["framework_version"]
    stages = [{"key": s.key, "name": s.name} for s in current.stages.all()]
    drivers = [
        {
            "key": d.key,
            "name": "Leaders and culture" if d.key == "leadership-culture" else d.name,
            "stage_key": d.stage.key,
        }
        for d in current.drivers.select_related("stage")
        if d.key != "budget"
    ] + [{"key": "", "name": "Housing", "stage_key": stages[0]["key"]}]
    services.framework_version_publish(
        actor=personas.admin,
        framework=samples["framework"],
        organisation=personas.council_a,
        stages=stages,
        drivers=drivers,
        principles=[{"key": p.key, "name": p.name} for p in current.principles.all()],
    )
    later = _start(personas, period="Later", days_ago=40)
    _rate(
        personas,
        later,
        {"leadership-culture": 2, "staff-wellbeing": 1, "power-sharing": 2, "housing": 0},
    )
    rows = {
        row.key: row
        for row in selectors.assessment_compare(
            ratings=selectors.rating_list(assessment=later),
            previous_ratings=selectors.rating_list(assessment=earlier),
        )
    }
    assert (rows["leadership-culture"].name, rows["leadership-culture"].change) == (
        "Leaders and culture",
        "up",
    )
    assert (rows["leadership-culture"].before, rows["leadership-culture"].now) == (1, 2)
    assert rows["staff-wellbeing"].change == "down"
    assert rows["power-sharing"].change == "not_rated"
    assert rows["housing"].change == "new"
    assert rows["budget"].change == "retired"
    assert rows["budget"].before == 2
    # Drivers rated the same both times.
    assert rows["policies-processes"].change == "not_rated"
    _rate(personas, earlier, {"policies-processes": 2})
    _rate(personas, later, {"policies-processes": 2})
    again = selectors.assessment_compare(
        ratings=selectors.rating_list(assessment=later),
        previous_ratings=selectors.rating_list(assessment=earlier),
    )
    assert next(r for r in again if r.key == "policies-processes").change == "same"


def test_the_previous_assessment_is_the_last_agreed_one_not_a_draft(client_for, samples, personas):
    agreed = _start(personas, period="Agreed before", days_ago=400)
    _rate(personas, agreed, _all_ratings(agreed))
    services.assessment_agree(actor=personas.alice, assessment=agreed)
    draft = _start(personas, period="Draft between", days_ago=200)
    later = _start(personas, period="Latest", days_ago=40)
    assert selectors.assessment_previous(user=personas.alice, assessment=later) == agreed
    assert selectors.assessment_previous(user=personas.alice, assessment=draft) == agreed
    assert selectors.assessment_previous(user=personas.alice, assessment=agreed) is None


def test_the_first_assessment_has_nothing_to_compare_with(client_for, samples, personas):
    page = _text(client_for("alice").get(_url("assessment_detail", samples["assessment"])))
    assert "so there is nothing to compare with yet" in page


def test_the_heat_map_has_a_cell_for_every_rating_and_a_table_of_the_same(
    client_for, samples, personas
):
    earlier = _start(personas, period="Heat earlier", days_ago=400)
    _rate(personas, earlier, {"budget": 4, "leadership-culture": 0})
    cells = DriverRating.objects.filter(assessment__organisation=personas.council_a).count()
    assert cells == 16  # two assessments of 8 drivers
    client = client_for("alice")
    response = client.get(reverse("improvement:heatmap_svg"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert len(re.findall(r'id="heatmap-cell-\d+-\d+"', svg)) == cells
    assert "<title" in svg
    assert "each driver's rating over time" in svg
    assert f"Budget {MARKER}" in svg
    page = _text(client.get(_url("assessment_detail", samples["assessment"])))
    heat = page.split('id="heat-map"')[1]
    assert reverse("improvement:heatmap_svg") + "?organisation=" in heat
    assert 'alt="Heat-map of each driver' in heat
    assert "Heat earlier" in heat
    # Budget was embedded, then (the sample's rating) whatever it is now.
    budget_row = heat.split(f"Budget {MARKER}</th>")[1].split("</tr>")[0]
    assert "Embedded" in budget_row


def test_the_heat_map_of_charlies_own_council_shows_nothing_of_council_a(client_for, samples):
    response = client_for("charlie").get(reverse("improvement:heatmap_svg"))
    assert response.status_code == 200
    assert MARKER not in response.content.decode()
    assert 'id="heatmap-cell-' not in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Fixed query counts


def _many_assessments(samples, personas, count, start=0):
    version = samples["framework_version"]
    for n in range(start, start + count):
        assessment = SelfAssessment.objects.create(
            organisation=personas.council_a,
            version=version,
            period=f"Period {n}",
            assessed_on=timezone.localdate() - datetime.timedelta(days=n + 100),
        )
        DriverRating.objects.bulk_create(
            DriverRating(assessment=assessment, driver=d, rating=n % 5, is_priority=n % 2 == 0)
            for d in version.drivers.all()
        )


def test_the_list_runs_a_fixed_number_of_queries(client_for, samples, personas):
    client = client_for("alice")
    _many_assessments(samples, personas, 3)
    url = reverse("improvement:assessment_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _many_assessments(samples, personas, 27, start=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "31 self-assessments" in _text(response)
    assert len(many.captured_queries) == len(few.captured_queries)


def _version_with(samples, personas, drivers: int):
    current = samples["framework_version"]
    stages = [{"key": s.key, "name": s.name} for s in current.stages.all()]
    return services.framework_version_publish(
        actor=personas.admin,
        framework=samples["framework"],
        organisation=personas.council_a,
        stages=stages,
        drivers=[
            {"key": "", "name": f"Driver {n}", "stage_key": stages[n % len(stages)]["key"]}
            for n in range(drivers)
        ],
        principles=[{"key": "safety", "name": "Safety"}],
    )


def test_the_assessment_page_runs_a_fixed_number_of_queries(client_for, samples, personas):
    client = client_for("alice")
    pages = []
    for days_ago, drivers in ((5, 3), (3, 30)):
        _version_with(samples, personas, drivers)
        assessment = _start(personas, period=f"{drivers} drivers", days_ago=days_ago)
        _rate(
            personas,
            assessment,
            _all_ratings(assessment),
            is_priority=True,
            priority_note="Because",
        )
        for rating in assessment.ratings.all()[:2]:
            services.action_create(
                actor=personas.alice,
                organisation=personas.council_a,
                title="Do it",
                source="self_assessment",
                priority=rating,
                owner=personas.alice,
            )
        pages.append(_url("assessment_detail", assessment))
    for url in pages:
        client.get(url)
    counts = []
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
    assert "30 of 30 drivers" in _text(response)
    assert counts[0] == counts[1] <= 25

"""The JSON API for improvement: /api/frameworks, /api/assessments, /api/actions and
/api/meetings (lists and one of each).

alice (participation lead, council A) and bob (facilitator: his role reads improvement work)
read council A's records; charlie (council B), nina (national) and erin (on the register, no
staff role) get empty lists and 404s, never 403, and never council A's words. nina sees a plan's
actions, or an assessment, only once council A shares it with her organisation. A partner
organisation's staff read the partnership group's meetings and action log, and nothing else.
Lists run a fixed number of queries, and no answer names an expert by experience.
"""

import datetime

import jsonschema_rs
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.accounts.services import api_token_create, share_create
from powershare.improvement import services
from powershare.improvement.models import (
    Action,
    ActionSource,
    ActionStatus,
    Framework,
    FrameworkVersion,
    Meeting,
    MeetingFormat,
    SelfAssessment,
)
from tests.personas import MARKER, sign_in

ERROR_KEYS = {"code", "detail", "errors"}
OUTSIDERS = ["charlie", "nina", "erin"]
LISTS = [
    "improvement_assessment_list",
    "improvement_action_list",
    "improvement_meeting_list",
]


def _url(name, **kwargs):
    return reverse(f"api-1.0:{name}", kwargs=kwargs)


def _client(personas, name) -> Client:
    """Staff by personal token; erin (who has no staff role) by her browser session."""
    if name == "erin":
        client = Client()
        sign_in(client, personas.erin)
        return client
    return _token_client(personas.by_name(name))


def _token_client(user) -> Client:
    _, plain = api_token_create(user=user, name="Tests")
    return Client(headers={"Authorization": f"Bearer {plain}"})


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code
    return body


def _ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def _ids(body) -> set[int]:
    return {item["id"] for item in body["items"]}


def _schema_validator(client, component: str):
    schema = client.get("/api/openapi.json").json()
    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{component}", "components": schema["components"]}
    )


def _detail_urls(samples) -> list[str]:
    return [
        _url("improvement_assessment_detail", assessment_id=samples["assessment"].pk),
        _url("improvement_action_detail", action_id=samples["action"].pk),
        _url("improvement_action_detail", action_id=samples["group_action"].pk),
        _url("improvement_meeting_detail", meeting_id=samples["meeting"].pk),
        _url("improvement_meeting_detail", meeting_id=samples["next_meeting"].pk),
    ]


def _partner_user(samples) -> User:
    """Someone on the staff of the group's partner organisation (Resilience Learning
    Partnership), whose role reads improvement work."""
    partner = samples["group_member"].organisation
    user = User.objects.create_user(email="pat@partner.example", password="x" * 20)
    Membership.objects.create(user=user, organisation=partner, role=Role.PARTICIPATION_LEAD)
    return user


# Frameworks ----------------------------------------------------------------------------------


def test_alice_lists_the_roadmap_with_her_councils_own_version_in_use(personas, samples):
    body = _ok(_client(personas, "alice").get(_url("improvement_framework_list")))
    roadmap = next(f for f in body if f["key"] == "roadmap")
    assert roadmap["id"] == samples["framework"].pk
    [in_use] = roadmap["in_use"]
    assert in_use["organisation_id"] == personas.council_a.pk
    assert in_use["version"]["id"] == samples["framework_version"].pk
    assert in_use["version"]["organisation_id"] == personas.council_a.pk


def test_a_framework_with_stages_drivers_principles_and_history(personas, samples):
    client = _client(personas, "alice")
    body = _ok(
        client.get(_url("improvement_framework_detail", framework_id=samples["framework"].pk))
    )
    version = body["version"]
    assert version["id"] == samples["framework_version"].pk
    assert [s["key"] for s in version["stages"]][0] == "creating-conditions"
    drivers = [d for s in version["stages"] for d in s["drivers"]]
    assert len(drivers) == samples["framework_version"].drivers.count()
    budget = next(d for d in drivers if d["key"] == "budget")
    assert budget["name"] == f"Budget {MARKER}"
    assert budget["stage"] == "creating-conditions"
    assert all(d["stage"] == s["key"] for s in version["stages"] for d in s["drivers"])
    assert len(version["principles"]) == 5
    assert "safety" in {p["key"] for p in version["principles"]}
    history = {(v["organisation_id"], v["number"]) for v in body["versions"]}
    assert (personas.council_a.pk, samples["framework_version"].number) in history
    assert any(organisation is None for organisation, _ in history)
    _schema_validator(client, "FrameworkDetailOut").validate(body)


def test_an_older_version_from_the_history_can_be_read(personas, samples):
    client = _client(personas, "alice")
    default = FrameworkVersion.objects.filter(
        framework=samples["framework"], organisation__isnull=True
    ).first()
    url = _url("improvement_framework_detail", framework_id=samples["framework"].pk)
    body = _ok(client.get(url, {"version_id": default.pk}))
    drivers = [d["name"] for s in body["version"]["stages"] for d in s["drivers"]]
    assert "Budget" in drivers
    assert MARKER not in str(body["version"])


def test_charlie_sees_the_default_roadmap_but_not_council_as_version(personas, samples):
    client = _client(personas, "charlie")
    body = _ok(client.get(_url("improvement_framework_list")))
    assert body, "charlie's council uses the default Roadmap"
    assert MARKER not in str(body)
    [in_use] = next(f for f in body if f["key"] == "roadmap")["in_use"]
    assert in_use["version"]["organisation_id"] is None
    url = _url("improvement_framework_detail", framework_id=samples["framework"].pk)
    detail = _ok(client.get(url))
    assert MARKER not in str(detail)
    assert samples["framework_version"].pk not in {v["id"] for v in detail["versions"]}
    body = _assert_error(
        client.get(url, {"version_id": samples["framework_version"].pk}), 404, "not_found"
    )
    assert MARKER not in str(body)


def test_erin_sees_no_framework(personas, samples):
    client = _client(personas, "erin")
    assert _ok(client.get(_url("improvement_framework_list"))) == []
    url = _url("improvement_framework_detail", framework_id=samples["framework"].pk)
    _assert_error(client.get(url), 404, "not_found")


def test_publishing_a_new_version_leaves_a_past_assessment_as_it_was(personas, samples):
    version = samples["framework_version"]
    services.framework_version_publish(
        actor=personas.admin,
        framework=samples["framework"],
        organisation=personas.council_a,
        stages=[{"key": s.key, "name": s.name} for s in version.stages.all()],
        drivers=[
            {
                "key": d.key,
                "name": "Money and time" if d.key == "budget" else d.name,
                "stage_key": d.stage.key,
            }
            for d in version.drivers.select_related("stage")
        ],
        principles=[{"key": p.key, "name": p.name} for p in version.principles.all()],
        change_note="Budget renamed again",
    )
    client = _client(personas, "alice")
    framework = _ok(
        client.get(_url("improvement_framework_detail", framework_id=samples["framework"].pk))
    )
    assert framework["version"]["number"] == version.number + 1
    assert "Money and time" in {
        d["name"] for s in framework["version"]["stages"] for d in s["drivers"]
    }
    url = _url("improvement_assessment_detail", assessment_id=samples["assessment"].pk)
    assessment = _ok(client.get(url))
    assert assessment["version_id"] == version.pk
    assert assessment["version_number"] == version.number
    budget = next(r for r in assessment["ratings"] if r["driver_key"] == "budget")
    assert budget["driver"] == f"Budget {MARKER}"


# Self-assessments ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_council_a_staff_list_and_read_its_assessment(personas, samples, persona):
    client = _client(personas, persona)
    body = _ok(client.get(_url("improvement_assessment_list")))
    assert _ids(body) == {samples["assessment"].pk}
    [item] = body["items"]
    assert item["organisation_id"] == personas.council_a.pk
    assert item["version_number"] == samples["framework_version"].number
    assert item["status"] == "draft"
    detail = _ok(
        client.get(_url("improvement_assessment_detail", assessment_id=samples["assessment"].pk))
    )
    assert len(detail["ratings"]) == samples["assessment"].ratings.count()
    [priority] = [r for r in detail["ratings"] if r["is_priority"]]
    assert priority["driver_key"] == samples["priority"].driver.key
    assert priority["rating"] == samples["priority"].rating
    assert priority["rating_label"] == samples["priority"].get_rating_display()
    assert priority["priority_note"] == f"Why {MARKER}"
    assert priority["stage_key"] == "implementing-change"
    _schema_validator(client, "ImprovementAssessmentDetailOut").validate(detail)


def test_an_assessment_counts_who_took_part_without_naming_them(personas, samples):
    client = _client(personas, "alice")
    url = _url("improvement_assessment_detail", assessment_id=samples["assessment"].pk)
    response = client.get(url)
    body = _ok(response)
    assert body["taking_part"] == [
        {"kind": "expert_by_experience", "kind_label": "Expert by experience", "count": 1}
    ]
    person = samples["assessment_participant"].person
    assert person.full_name not in response.content.decode()


def test_the_assessment_list_filters_by_status(personas, samples):
    client = _client(personas, "alice")
    url = _url("improvement_assessment_list")
    assert _ids(_ok(client.get(url, {"status": "draft"}))) == {samples["assessment"].pk}
    assert _ids(_ok(client.get(url, {"status": "agreed"}))) == set()
    _assert_error(client.get(url, {"status": "finished"}), 422, "invalid")


# Actions -------------------------------------------------------------------------------------


def test_alice_lists_her_councils_actions_overdue_first(personas, samples):
    client = _client(personas, "alice")
    body = _ok(client.get(_url("improvement_action_list")))
    expected = {
        samples[name].pk
        for name in (
            "action",
            "response_action",
            "intention_action",
            "walkthrough_action",
            "group_action",
        )
    }
    assert _ids(body) == expected
    overdue = [item["is_overdue"] for item in body["items"]]
    assert overdue == sorted(overdue, reverse=True)
    first = next(item for item in body["items"] if item["id"] == samples["action"].pk)
    assert first["is_overdue"] is True
    assert first["owner"] == personas.alice.full_name
    assert first["source"]["kind"] == "self_assessment"
    assert first["source"]["assessment_id"] == samples["assessment"].pk
    assert first["source"]["priority_id"] == samples["priority"].pk
    assert first["plan_id"] == samples["plan"].pk
    _schema_validator(client, "ImprovementActionOut").validate(first)


def test_each_action_links_back_to_where_it_came_from(personas, samples):
    body = _ok(_client(personas, "alice").get(_url("improvement_action_list")))
    by_id = {item["id"]: item["source"] for item in body["items"]}
    assert by_id[samples["walkthrough_action"].pk]["observation_id"] == samples["observation"].pk
    assert by_id[samples["walkthrough_action"].pk]["walkthrough_id"] == samples["walkthrough"].pk
    assert by_id[samples["response_action"].pk]["response_id"] == samples["response"].pk
    assert by_id[samples["intention_action"].pk]["question_id"] == samples["text_question"].pk
    group = by_id[samples["group_action"].pk]
    assert (group["kind"], group["meeting_id"], group["group_id"]) == (
        "partnership_meeting",
        samples["meeting"].pk,
        samples["group"].pk,
    )


def test_the_action_list_filters(personas, samples):
    client = _client(personas, "alice")
    url = _url("improvement_action_list")
    overdue = {samples["action"].pk, samples["group_action"].pk}
    assert _ids(_ok(client.get(url, {"overdue": "true"}))) == overdue
    not_overdue = _ids(_ok(client.get(url, {"overdue": "false"})))
    assert not_overdue == {
        samples["response_action"].pk,
        samples["intention_action"].pk,
        samples["walkthrough_action"].pk,
    }
    assert _ids(_ok(client.get(url, {"source": "walkthrough"}))) == {
        samples["walkthrough_action"].pk
    }
    in_plan = _ids(_ok(client.get(url, {"plan": samples["plan"].pk})))
    assert in_plan == {
        samples["action"].pk,
        samples["response_action"].pk,
        samples["walkthrough_action"].pk,
    }
    assert _ids(_ok(client.get(url, {"status": "done"}))) == set()
    services.action_progress_record(
        actor=personas.alice,
        action=samples["response_action"],
        note="Finished",
        status=ActionStatus.DONE,
        written_on=timezone.localdate(),
    )
    assert _ids(_ok(client.get(url, {"status": "done"}))) == {samples["response_action"].pk}
    _assert_error(client.get(url, {"source": "rumour"}), 422, "invalid")
    _assert_error(client.get(url, {"plan": 0}), 422, "invalid")


def test_an_action_with_its_dated_updates(personas, samples):
    client = _client(personas, "bob")
    body = _ok(client.get(_url("improvement_action_detail", action_id=samples["action"].pk)))
    assert body["title"] == samples["action"].title
    [update] = body["updates"]
    assert update["written_on"] == samples["action_update"].written_on.isoformat()
    assert update["text"] == f"Progress {MARKER}"
    assert update["evidence"] == f"Evidence link {MARKER}"
    assert update["status"] is None
    _schema_validator(client, "ImprovementActionDetailOut").validate(body)


def test_nina_sees_a_plans_actions_only_once_council_a_shares_it(personas, samples):
    client = _client(personas, "nina")
    url = _url("improvement_action_list")
    detail = _url("improvement_action_detail", action_id=samples["action"].pk)
    assert _ids(_ok(client.get(url))) == set()
    _assert_error(client.get(detail), 404, "not_found")
    share_create(actor=personas.alice, record=samples["plan"], partner=personas.national)
    in_plan = {
        samples["action"].pk,
        samples["response_action"].pk,
        samples["walkthrough_action"].pk,
    }
    assert _ids(_ok(client.get(url))) == in_plan
    assert _ok(client.get(detail))["id"] == samples["action"].pk
    # Not the council's other actions, nor its assessment (not shared).
    _assert_error(
        client.get(_url("improvement_action_detail", action_id=samples["intention_action"].pk)),
        404,
        "not_found",
    )
    assert _ids(_ok(client.get(_url("improvement_assessment_list")))) == set()


def test_nina_sees_an_assessment_only_once_council_a_shares_it(personas, samples):
    client = _client(personas, "nina")
    url = _url("improvement_assessment_detail", assessment_id=samples["assessment"].pk)
    _assert_error(client.get(url), 404, "not_found")
    share_create(actor=personas.alice, record=samples["assessment"], partner=personas.national)
    assert _ok(client.get(url))["id"] == samples["assessment"].pk
    assert _ids(_ok(client.get(_url("improvement_assessment_list")))) == {samples["assessment"].pk}


# Partnership meetings ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_council_a_staff_list_the_groups_meetings_latest_first(personas, samples, persona):
    body = _ok(_client(personas, persona).get(_url("improvement_meeting_list")))
    assert [item["id"] for item in body["items"]] == [
        samples["next_meeting"].pk,
        samples["meeting"].pk,
    ]
    assert body["items"][0]["group_id"] == samples["group"].pk


def test_the_meeting_list_filters_by_group(personas, samples):
    client = _client(personas, "alice")
    url = _url("improvement_meeting_list")
    assert len(_ok(client.get(url, {"group": samples["group"].pk}))["items"]) == 2
    assert _ok(client.get(url, {"group": 2**63 - 1}))["items"] == []


def test_a_meeting_with_attendance_agenda_decisions_updates_and_actions(personas, samples):
    client = _client(personas, "alice")
    url = _url("improvement_meeting_detail", meeting_id=samples["meeting"].pk)
    body = _ok(client.get(url))
    partner = samples["group_member"].organisation
    attendance = {row["organisation_id"]: row["status"] for row in body["attendance"]}
    assert attendance == {personas.council_a.pk: "present", partner.pk: "apologies"}
    assert [item["title"] for item in body["agenda"]] == [f"Agenda {MARKER}"]
    assert [d["text"] for d in body["decisions"]] == [f"Decision {MARKER}"]
    assert body["partner_updates"] == [
        {
            "organisation_id": partner.pk,
            "organisation": partner.name,
            "text": f"Partner update {MARKER}",
        }
    ]
    assert [a["id"] for a in body["actions_raised"]] == [samples["group_action"].pk]
    assert body["matters_arising"] == []
    _schema_validator(client, "ImprovementMeetingDetailOut").validate(body)


def test_an_unfinished_action_is_a_matter_arising_at_the_next_meeting(personas, samples):
    client = _client(personas, "alice")
    url = _url("improvement_meeting_detail", meeting_id=samples["next_meeting"].pk)
    assert [a["id"] for a in _ok(client.get(url))["matters_arising"]] == [
        samples["group_action"].pk
    ]
    # Done before the next meeting (its history says so): no longer carried to it.
    services.action_progress_record(
        actor=personas.alice,
        action=samples["group_action"],
        status=ActionStatus.DONE,
        note="All sent",
        written_on=samples["meeting"].met_on + datetime.timedelta(days=1),
    )
    assert _ok(client.get(url))["matters_arising"] == []


def test_a_meetings_matters_arising_are_the_same_as_on_its_page(client_for, personas, samples):
    """Progress reported at a meeting keeps the action on that meeting's record, as on the
    meeting's page and minutes, even once it is done."""
    next_meeting = samples["next_meeting"]
    action = samples["group_action"]
    services.arising_progress_record(
        actor=personas.alice,
        meeting=next_meeting,
        action=action,
        note="All partners sent theirs",
        status=ActionStatus.DONE,
    )
    client = _client(personas, "alice")
    url = _url("improvement_meeting_detail", meeting_id=next_meeting.pk)
    assert [a["id"] for a in _ok(client.get(url))["matters_arising"]] == [action.pk]
    page = client_for("alice").get(reverse("improvement:meeting_detail", args=[next_meeting.pk]))
    assert "Reported here: All partners sent theirs" in page.content.decode()


def test_a_partner_organisations_staff_read_the_meetings_and_action_log_only(personas, samples):
    client = _token_client(_partner_user(samples))
    assert len(_ok(client.get(_url("improvement_meeting_list")))["items"]) == 2
    _ok(client.get(_url("improvement_meeting_detail", meeting_id=samples["meeting"].pk)))
    assert _ids(_ok(client.get(_url("improvement_action_list")))) == {samples["group_action"].pk}
    assert _ids(_ok(client.get(_url("improvement_assessment_list")))) == set()
    _assert_error(
        client.get(_url("improvement_action_detail", action_id=samples["action"].pk)),
        404,
        "not_found",
    )


# Outsiders -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_nothing_of_council_a(personas, samples, persona):
    client = _client(personas, persona)
    for name in LISTS:
        assert _ok(client.get(_url(name))) == {"items": [], "count": 0}, name
    for url in _detail_urls(samples):
        body = _assert_error(client.get(url), 404, "not_found")
        assert MARKER not in str(body)
    body = _ok(client.get(_url("improvement_framework_list")))
    assert MARKER not in str(body)


def test_nobody_signed_in_gets_401(samples):
    for url in [_url(name) for name in LISTS] + _detail_urls(samples):
        _assert_error(Client().get(url), 401, "not_authenticated")
    _assert_error(Client().get(_url("improvement_framework_list")), 401, "not_authenticated")


def test_unknown_and_malformed_ids(personas, samples):
    client = _client(personas, "alice")
    _assert_error(
        client.get(_url("improvement_action_detail", action_id=2**63 - 1)), 404, "not_found"
    )
    _assert_error(client.get("/api/meetings/0"), 422, "invalid")
    _assert_error(client.get("/api/assessments/abc"), 422, "invalid")


# Fixed query counts --------------------------------------------------------------------------


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def _actions(personas, samples, start, stop):
    today = timezone.localdate()
    for n in range(start, stop):
        Action.objects.create(
            organisation=personas.council_a,
            title=f"Extra {n}",
            source=ActionSource.OTHER if n % 2 else ActionSource.PARTNERSHIP_MEETING,
            group=None if n % 2 else samples["group"],
            meeting=None if n % 2 else samples["meeting"],
            plan=samples["plan"] if n % 3 == 0 else None,
            owner=personas.alice if n % 2 else None,
            owner_organisation=None if n % 2 else samples["group_member"].organisation,
            due_on=today + datetime.timedelta(days=n - 10),
        )


def _assessments(personas, samples, start, stop):
    for n in range(start, stop):
        SelfAssessment.objects.create(
            organisation=personas.council_a,
            version=samples["framework_version"],
            period=f"Period {n}",
            assessed_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
        )


def _meetings(samples, start, stop):
    for n in range(start, stop):
        Meeting.objects.create(
            group=samples["group"],
            met_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
            format=MeetingFormat.ONLINE,
        )


def _frameworks(start, stop):
    for n in range(start, stop):
        framework = Framework.objects.create(key=f"extra-{n}", name=f"Extra {n}")
        FrameworkVersion.objects.create(framework=framework, number=1, published_at=timezone.now())


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("improvement_action_list", lambda p, s, a, b: _actions(p, s, a, b)),
        ("improvement_assessment_list", lambda p, s, a, b: _assessments(p, s, a, b)),
        ("improvement_meeting_list", lambda p, s, a, b: _meetings(s, a, b)),
        ("improvement_framework_list", lambda p, s, a, b: _frameworks(a, b)),
    ],
)
def test_lists_run_a_fixed_number_of_queries(personas, samples, name, make):
    client = _client(personas, "alice")
    url = _url(name)
    client.get(url)  # the token's first use is recorded once
    make(personas, samples, 0, 3)
    few, body = _count(client, url)
    make(personas, samples, 3, 30)
    many, more = _count(client, url)
    rows = more["count"] if isinstance(more, dict) else len(more)
    before = body["count"] if isinstance(body, dict) else len(body)
    assert rows == before + 27
    assert many == few


def test_a_meeting_runs_a_fixed_number_of_queries(personas, samples):
    client = _client(personas, "alice")
    url = _url("improvement_meeting_detail", meeting_id=samples["next_meeting"].pk)
    client.get(url)
    few, body = _count(client, url)
    _actions(personas, samples, 0, 20)
    many, more = _count(client, url)
    assert len(more["matters_arising"]) == len(body["matters_arising"]) + 10
    assert many == few


# The schema ----------------------------------------------------------------------------------


def test_the_schema_describes_improvement(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/frameworks",
        "/api/frameworks/{framework_id}",
        "/api/assessments",
        "/api/assessments/{assessment_id}",
        "/api/actions",
        "/api/actions/{action_id}",
        "/api/meetings",
        "/api/meetings/{meeting_id}",
    ):
        assert set(paths[path]) == {"get"}, path
    actions = paths["/api/actions"]["get"]
    assert {"status", "overdue", "source", "plan"} <= {p["name"] for p in actions["parameters"]}


def test_no_answer_names_an_expert_by_experience(personas, samples):
    client = _client(personas, "alice")
    names = {
        samples["assessment_participant"].person.full_name,
        samples["walkthrough_team_member"].person.full_name,
    }
    urls = [_url(name) for name in LISTS] + _detail_urls(samples)
    for url in urls:
        text = client.get(url).content.decode()
        assert not any(name in text for name in names), url

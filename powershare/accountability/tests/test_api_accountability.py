"""The JSON API for "you said, we did": responses (/api/responses…, POST
/api/activities/{id}/responses), an activity's loop (/api/activities/{id}/loop) and an
organisation's figures (/api/feedback/metrics).

alice (participation lead, council A) reads and writes; bob (facilitator) reads but cannot
answer contributions (404); charlie (council B), nina (national) and erin see nothing of
council A's (empty lists, 404). No operation returns what anyone said: only contribution ids.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from powershare.accountability import selectors
from powershare.accountability.models import Response
from powershare.accounts.services import api_token_create
from powershare.engagement.tests import factories as make
from tests.personas import MARKER, sign_in

ERROR_KEYS = {"code", "detail", "errors"}


def _url(name, **kwargs):
    return reverse(f"api-1.0:{name}", kwargs=kwargs)


def _client(personas, name) -> Client:
    """Staff by personal token; erin (who may not have a token) by her browser session."""
    if name == "erin":
        client = Client()
        sign_in(client, personas.erin)
        return client
    _, plain = api_token_create(user=personas.by_name(name), name="Tests")
    return Client(headers={"Authorization": f"Bearer {plain}"})


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code
    return body


def _fields(response) -> set[str]:
    return {error["field"] for error in _assert_error(response, 422, "invalid")["errors"]}


def _create_url(activity):
    return _url("response_create", activity_id=activity.pk)


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


# Reading responses ---------------------------------------------------------------------------


def test_alice_lists_her_councils_responses_with_ids_not_words(personas, samples):
    response = _client(personas, "alice").get(_url("response_list"))
    assert response.status_code == 200
    body = response.json()
    by_id = {item["id"]: item for item in body["items"]}
    sample = samples["response"]
    assert set(by_id) == {sample.pk, samples["erin_response"].pk}
    assert body["count"] == 2
    item = by_id[sample.pk]
    assert item["reference"] == sample.reference
    assert item["activity_id"] == samples["activity"].pk
    assert item["decision"] == "will_do"
    assert item["decision_label"] == "We will do this"
    assert item["what_will_change"] == f"We will change {MARKER}"
    assert item["owner"] == {"id": personas.alice.pk, "name": "Alice Anderson"}
    assert item["status"] == "not_started"
    assert item["status_label"] == "Not started"
    assert item["contribution_ids"] == [samples["contribution"].pk]
    assert [p["text"] for p in item["progress"]] == [f"Progress {MARKER}"]
    # What people said is never in it: only ids.
    assert samples["contribution"].text not in response.content.decode()
    assert samples["erin_contribution"].text not in response.content.decode()


def test_the_list_filters_by_activity_status_and_decision(personas, samples):
    client = _client(personas, "alice")
    activity = samples["activity"]
    ids = [
        i["id"]
        for i in client.get(_url("response_list"), {"activity": activity.pk}).json()["items"]
    ]
    assert ids == [samples["response"].pk]
    Response.objects.filter(pk=samples["erin_response"].pk).update(
        status="complete", decision="done"
    )
    by_status = client.get(_url("response_list"), {"status": "complete"}).json()["items"]
    assert [i["id"] for i in by_status] == [samples["erin_response"].pk]
    by_decision = client.get(_url("response_list"), {"decision": "will_do"}).json()["items"]
    assert [i["id"] for i in by_decision] == [samples["response"].pk]
    _assert_error(client.get(_url("response_list"), {"status": "sideways"}), 422, "invalid")


def test_withdrawn_contributions_drop_out_of_a_responses_ids(personas, samples):
    client = _client(personas, "alice")
    contribution = samples["contribution"]
    contribution.withdrawn_at = timezone.now()
    contribution.save(update_fields=["withdrawn_at"])
    detail = client.get(_url("response_detail", response_id=samples["response"].pk)).json()
    assert detail["contribution_ids"] == []


def test_bob_reads_responses_too(personas, samples):
    client = _client(personas, "bob")
    assert client.get(_url("response_list")).json()["count"] == 2
    detail = client.get(_url("response_detail", response_id=samples["response"].pk))
    assert detail.status_code == 200
    assert detail.json()["id"] == samples["response"].pk


@pytest.mark.parametrize("persona", ["charlie", "nina", "erin"])
def test_outsiders_see_none_of_council_as_responses(personas, samples, persona):
    client = _client(personas, persona)
    listing = client.get(_url("response_list"))
    assert listing.status_code == 200
    assert listing.json()["items"] == []
    assert MARKER not in listing.content.decode()
    for response in (samples["response"], samples["erin_response"]):
        _assert_error(
            client.get(_url("response_detail", response_id=response.pk)), 404, "not_found"
        )
    _assert_error(
        client.get(_url("activity_loop", activity_id=samples["activity"].pk)), 404, "not_found"
    )


def test_a_missing_response_is_the_same_404(personas, samples):
    _assert_error(
        _client(personas, "alice").get(_url("response_detail", response_id=999_999)),
        404,
        "not_found",
    )


def test_without_credentials_it_is_401(client, samples):
    _assert_error(client.get(_url("response_list")), 401, "not_authenticated")


def test_the_list_runs_a_fixed_number_of_queries(personas, samples, django_assert_max_num_queries):
    client = _client(personas, "alice")
    activity = samples["activity"]

    def add(n):
        for i in range(n):
            contribution = make.contribution(activity, text=f"Point {i}")
            response = Response.objects.create(
                organisation=personas.council_a,
                activity=activity,
                decision="considering",
                what_will_change=f"We will look at it {i}.",
                owner=personas.bob,
            )
            response.contributions.add(contribution)
            response.progress.create(text=f"Looked {i}")

    add(2)
    with django_assert_max_num_queries(20) as few:
        assert client.get(_url("response_list")).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_url("response_list"), {"page_size": 100}).json()["count"] == 24


# Answering contributions ---------------------------------------------------------------------


@pytest.fixture
def points(samples):
    """Two new contributions to council A's sample activity, without a response yet."""
    activity = samples["activity"]
    return [make.contribution(activity, text=f"New point {i}") for i in (1, 2)]


def test_alice_answers_two_contributions_at_once(personas, samples, points):
    due = datetime.date.today() + datetime.timedelta(days=30)
    response = _post(
        _client(personas, "alice"),
        _create_url(samples["activity"]),
        {
            "contribution_ids": [c.pk for c in points],
            "decision": "will_do",
            "what_will_change": "  We will open on Saturdays.  ",
            "owner_id": personas.bob.pk,
            "due_on": due.isoformat(),
            "status": "in_progress",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    created = Response.objects.get(pk=body["id"])
    assert sorted(body["contribution_ids"]) == sorted(c.pk for c in points)
    assert set(created.contributions.values_list("pk", flat=True)) == {c.pk for c in points}
    assert body["what_will_change"] == "We will open on Saturdays."
    assert body["owner"] == {"id": personas.bob.pk, "name": personas.bob.full_name}
    assert body["due_on"] == due.isoformat()
    assert body["status"] == "in_progress"
    assert body["progress"] == []
    assert created.created_by == personas.alice
    assert created.activity == samples["activity"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decision": "will_not_do", "reason": ""}, "reason"),
        ({"decision": "maybe"}, "decision"),
        ({"what_will_change": ""}, "what_will_change"),
        ({"what_will_change": "   "}, "what_will_change"),
        ({"contribution_ids": []}, "contribution_ids"),
        ({"contribution_ids": [999_999]}, "contribution_ids"),
        ({"due_on": "1999-12-31"}, "due_on"),
        ({"status": "finished"}, "status"),
    ],
)
def test_what_cannot_be_saved_is_422_field_by_field(personas, samples, points, change, field):
    data = {
        "contribution_ids": [points[0].pk],
        "decision": "will_do",
        "what_will_change": "Something.",
        **change,
    }
    response = _post(_client(personas, "alice"), _create_url(samples["activity"]), data)
    assert field in _fields(response)
    assert not Response.objects.filter(contributions=points[0]).exists()


def test_contributions_of_another_activity_or_withdrawn_are_refused(personas, samples, points):
    client = _client(personas, "alice")
    url = _create_url(samples["activity"])
    base = {"decision": "will_do", "what_will_change": "Something."}
    other = _post(client, url, {**base, "contribution_ids": [samples["erin_contribution"].pk]})
    assert _fields(other) == {"contribution_ids"}
    points[0].withdrawn_at = timezone.now()
    points[0].save(update_fields=["withdrawn_at"])
    withdrawn = _post(client, url, {**base, "contribution_ids": [points[0].pk]})
    assert _fields(withdrawn) == {"contribution_ids"}


def test_the_owner_must_be_on_the_councils_staff(personas, samples, points):
    response = _post(
        _client(personas, "alice"),
        _create_url(samples["activity"]),
        {
            "contribution_ids": [points[0].pk],
            "decision": "will_do",
            "what_will_change": "Something.",
            "owner_id": personas.charlie.pk,
        },
    )
    assert _fields(response) == {"owner_id"}


@pytest.mark.parametrize("persona", ["bob", "charlie", "nina", "erin"])
def test_only_roles_that_run_activities_answer_and_others_get_404(
    personas, samples, points, persona
):
    response = _post(
        _client(personas, persona),
        _create_url(samples["activity"]),
        {"contribution_ids": [points[0].pk], "decision": "will_do", "what_will_change": "X."},
    )
    _assert_error(response, 404, "not_found")
    assert not Response.objects.filter(contributions=points[0]).exists()


def test_a_browser_session_needs_the_csrf_token(personas, samples, points):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.alice)
    response = _post(
        client,
        _create_url(samples["activity"]),
        {"contribution_ids": [points[0].pk], "decision": "will_do", "what_will_change": "X."},
    )
    assert response.status_code == 403
    assert not Response.objects.filter(contributions=points[0]).exists()


# Loops and figures ---------------------------------------------------------------------------


def test_an_activitys_loop_opens_again_and_becomes_overdue(personas, samples):
    client = _client(personas, "alice")
    activity = samples["activity"]
    url = _url("activity_loop", activity_id=activity.pk)
    body = client.get(url).json()
    assert body == {
        "activity_id": activity.pk,
        "loop_state": "closed",
        "loop_state_label": "Loop closed",
        "is_overdue": False,
        "feedback_due_on": activity.feedback_due_on.isoformat(),
        "contribution_total": 1,
        "without_response": 0,
        "not_told": 0,
        "first_feedback_on": samples["letter"].sent_on.isoformat(),
    }
    make.contribution(activity, text="One more thing")
    activity.feedback_due_on = timezone.localdate() - datetime.timedelta(days=1)
    activity.save(update_fields=["feedback_due_on"])
    body = client.get(url).json()
    assert body["loop_state"] == "open"
    assert body["loop_state_label"] == "Waiting for responses"
    assert body["without_response"] == 1
    assert body["contribution_total"] == 2
    assert body["is_overdue"] is True
    assert _client(personas, "bob").get(url).json()["loop_state"] == "open"


def test_metrics_for_alices_council_match_the_figures_page(personas, samples):
    client = _client(personas, "alice")
    a = personas.council_a
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=30), today + datetime.timedelta(days=60)
    response = client.get(
        _url("feedback_metrics"),
        {"organisation": a.pk, "from": start.isoformat(), "to": end.isoformat()},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    expected = selectors.loop_metrics(organisation=a, start=start, end=end)
    assert expected.due >= 2  # the two sample activities
    assert body == {
        "organisation": {"id": a.pk, "name": a.name},
        "from": start.isoformat(),
        "to": end.isoformat(),
        "due": expected.due,
        "closed": expected.closed,
        "on_time": expected.on_time,
        "with_feedback": expected.with_feedback,
        "closed_rate": expected.closed_rate,
        "on_time_rate": expected.on_time_rate,
        "median_days": expected.median_days,
    }
    assert body["closed"] == 2
    assert body["on_time"] == 2
    assert body["closed_rate"] == 2 / expected.due
    assert body["median_days"] == 7.0  # both ended a week ago and were told today


def test_metrics_default_to_the_last_twelve_months(personas, samples):
    body = (
        _client(personas, "alice")
        .get(_url("feedback_metrics"), {"organisation": personas.council_a.pk})
        .json()
    )
    start, end = selectors.default_period()
    assert (body["from"], body["to"]) == (start.isoformat(), end.isoformat())


def test_a_period_that_ends_before_it_starts_has_nothing_due(personas, samples):
    body = (
        _client(personas, "alice")
        .get(
            _url("feedback_metrics"),
            {"organisation": personas.council_a.pk, "from": "2030-01-01", "to": "2020-01-01"},
        )
        .json()
    )
    assert body["due"] == 0
    assert body["closed_rate"] is None
    assert body["median_days"] is None


@pytest.mark.parametrize(("start", "end"), [(None, "0001-01-01"), ("0001-01-01", "9999-12-31")])
def test_metrics_take_any_real_dates(personas, samples, start, end):
    params = {"organisation": personas.council_a.pk, "to": end}
    if start:
        params["from"] = start
    response = _client(personas, "alice").get(_url("feedback_metrics"), params)
    assert response.status_code == 200, response.content
    assert response.json()["to"] == end


@pytest.mark.parametrize("persona", ["charlie", "nina", "erin"])
def test_metrics_for_another_organisation_are_404(personas, samples, persona):
    response = _client(personas, persona).get(
        _url("feedback_metrics"), {"organisation": personas.council_a.pk}
    )
    _assert_error(response, 404, "not_found")


def test_metrics_need_a_real_date_and_an_organisation(personas, samples):
    client = _client(personas, "alice")
    bad_date = client.get(
        _url("feedback_metrics"), {"organisation": personas.council_a.pk, "from": "yesterday"}
    )
    assert "from" in _fields(bad_date)
    assert "organisation" in _fields(client.get(_url("feedback_metrics")))

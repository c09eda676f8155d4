"""Actions: the list (overdue first) and its export, a new action made from where it came from,
an action's page, changes and dated progress updates."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.improvement import services
from powershare.improvement.models import Action, ActionSource, ActionStatus
from tests.personas import MARKER

TODAY = datetime.date.today()


def _url(name, *args):
    return reverse(f"improvement:{name}", args=args)


def _html(response) -> str:
    return response.content.decode()


def _new(query=""):
    return _url("action_create") + query


def _post_new(client, query, **fields):
    data = {"title": "Write it down", "owner": "", "form_token": f"t-{query}-{fields}", **fields}
    return client.post(_new(query), data)


# ---------------------------------------------------------------------------------------------
# The list and its export


def test_the_action_list_shows_overdue_first(client_for, samples):
    html = _html(client_for("alice").get(_url("action_list")))
    overdue = [samples["group_action"].title, samples["action"].title]  # 1 and 3 days overdue
    later = [samples["walkthrough_action"].title, samples["response_action"].title]
    assert max(html.index(t) for t in overdue) < min(html.index(t) for t in later)
    assert html.index(samples["action"].title) < html.index(samples["group_action"].title)
    assert "Overdue" in html


def test_the_action_list_filters_by_status_owner_source_and_overdue(client_for, samples):
    client = client_for("alice")
    html = _html(client.get(_url("action_list") + "?source=walkthrough"))
    assert samples["walkthrough_action"].title in html
    assert samples["action"].title not in html
    html = _html(client.get(_url("action_list") + "?overdue=1"))
    assert samples["action"].title in html
    assert samples["walkthrough_action"].title not in html
    html = _html(client.get(_url("action_list") + "?owner=me&status=open"))
    assert samples["action"].title in html
    assert samples["group_action"].title not in html  # owned by a partner organisation
    html = _html(client.get(_url("action_list") + "?status=done"))
    assert "No actions match" in html
    # Nonsense in the address is ignored, never an error.
    assert client.get(_url("action_list") + "?owner=99999999999&status=x").status_code == 200


def test_bob_reads_the_action_list_and_charlie_and_nina_see_nothing_of_council_a(
    client_for, samples
):
    assert samples["action"].title in _html(client_for("bob").get(_url("action_list")))
    for who in ("charlie", "nina"):
        response = client_for(who).get(_url("action_list"))
        assert response.status_code == 200
        assert MARKER not in _html(response)
    assert client_for("erin").get(_url("action_list")).status_code == 404


def test_the_action_list_runs_a_fixed_number_of_queries(client_for, personas, samples):
    client = client_for("alice")
    client.get(_url("action_list"))

    def make(n):
        for i in range(n):
            services.action_create(
                actor=personas.alice,
                organisation=personas.council_a,
                title=f"Listed {i}",
                source=ActionSource.SELF_ASSESSMENT,
                plan=samples["plan"],
                priority=samples["priority"],
                owner=personas.alice,
                due_on=TODAY + datetime.timedelta(days=i - 5),
            )

    make(3)
    with CaptureQueriesContext(connection) as few:
        client.get(_url("action_list"))
    make(27)
    with CaptureQueriesContext(connection) as many:
        client.get(_url("action_list"))
    assert len(few) == len(many)


def test_the_export_is_a_csv_of_the_filtered_actions(client_for, samples):
    response = client_for("alice").get(_url("action_export") + "?overdue=1")
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Number", "Action", "Organisation"]
    titles = [row[1] for row in rows[1:]]
    assert titles == [samples["action"].title, samples["group_action"].title]
    charlie = client_for("charlie").get(_url("action_export"))
    assert MARKER not in b"".join(charlie.streaming_content).decode()


# ---------------------------------------------------------------------------------------------
# A new action, from its source


def test_an_action_made_from_a_plan_and_its_priority(client_for, personas, samples):
    client = client_for("alice")
    plan, priority = samples["plan"], samples["priority"]
    html = _html(client.get(_new(f"?plan={plan.pk}")))
    assert plan.title in html
    assert priority.driver.name in html  # offered as a priority of the plan
    response = _post_new(
        client,
        f"?plan={plan.pk}",
        priority=priority.pk,
        owner=personas.alice.pk,
        due_on="2030-01-31",
    )
    action = Action.objects.get(title="Write it down")
    assert response["Location"] == _url("action_detail", action.pk)
    assert (action.plan, action.priority, action.source) == (
        plan,
        priority,
        ActionSource.SELF_ASSESSMENT,
    )
    assert action.assessment == samples["assessment"]


@pytest.mark.parametrize(
    ("kind", "sample", "source", "field"),
    [
        ("response", "response", ActionSource.RESPONSE, "response"),
        ("question", "text_question", ActionSource.LEARNING_INTENTIONS, "question"),
        ("observation", "observation", ActionSource.WALKTHROUGH, "observation"),
        ("meeting", "meeting", ActionSource.PARTNERSHIP_MEETING, "meeting"),
        ("priority", "priority", ActionSource.SELF_ASSESSMENT, "priority"),
    ],
)
def test_an_action_records_where_it_came_from_and_links_back(
    client_for, personas, samples, kind, sample, source, field
):
    client = client_for("alice")
    record = samples[sample]
    page = client.get(_new(f"?{kind}={record.pk}"))
    assert page.status_code == 200
    response = _post_new(client, f"?{kind}={record.pk}", owner=personas.alice.pk)
    assert response.status_code == 302, _html(response)
    action = Action.objects.get(title="Write it down")
    assert action.source == source
    assert getattr(action, f"{field}_id") == record.pk
    links = {
        "response": reverse("accountability:response_detail", args=[record.pk]),
        "question": reverse("evaluation:results", args=[getattr(record, "questionnaire_id", 0)]),
        "observation": _url("walkthrough_detail", getattr(record, "walkthrough_id", 0)),
        "meeting": _url("meeting_detail", record.pk),
        "priority": _url("assessment_detail", getattr(record, "assessment_id", 0)),
    }
    assert links[kind] in _html(page)
    assert links[kind] in _html(client.get(_url("action_detail", action.pk)))


def test_learners_intentions_show_some_of_their_words_as_context(client_for, samples):
    question = samples["text_question"]
    from powershare.evaluation import selectors as evaluation_selectors

    answers = evaluation_selectors.free_text_answers(question=question, limit=3)
    html = _html(client_for("alice").get(_new(f"?question={question.pk}")))
    assert question.text in html
    for text in answers:
        assert text[:40] in html


@pytest.mark.parametrize(
    "kind", ["plan", "priority", "response", "question", "observation", "meeting"]
)
def test_charlie_gets_404_for_a_source_of_council_a(client_for, samples, kind):
    sample = {
        "plan": "plan",
        "priority": "priority",
        "response": "response",
        "question": "text_question",
        "observation": "observation",
        "meeting": "meeting",
    }[kind]
    client = client_for("charlie")
    url = _new(f"?{kind}={samples[sample].pk}")
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Taken", "owner_name": "Me"}).status_code == 404
    assert not Action.objects.filter(title="Taken").exists()


def test_bob_and_nina_get_404_on_the_new_action_page(client_for, samples):
    for who in ("bob", "nina"):
        assert client_for(who).get(_new()).status_code == 404
        assert client_for(who).get(_new(f"?plan={samples['plan'].pk}")).status_code == 404


def test_a_source_that_is_not_a_number_is_404(client_for):
    assert client_for("alice").get(_new("?response=abc")).status_code == 404
    assert client_for("alice").get(_new("?response=99999999999999999999")).status_code == 404


def test_a_new_action_needs_what_and_who(client_for):
    response = client_for("alice").post(_new(), {"title": "", "owner": "", "due_on": "31/02/2026"})
    html = _html(response)
    assert response.status_code == 200
    assert "Enter what will be done" in html
    assert "Say who will do it" in html
    assert "as a real date" in html


def test_an_owner_from_another_organisation_is_refused(client_for, personas):
    response = client_for("alice").post(_new(), {"title": "X", "owner": personas.charlie.pk})
    assert "Choose a member of staff from the list" in _html(response)


def test_an_action_without_a_source_record_comes_from_something_else(client_for, personas):
    _post_new(client_for("alice"), "", owner_name="Head of learning, Partner trust")
    action = Action.objects.get(title="Write it down")
    assert action.source == ActionSource.OTHER
    assert action.owner_name == "Head of learning, Partner trust"


# ---------------------------------------------------------------------------------------------
# An action's page, changes and progress


def test_the_action_page_shows_everything_with_dated_updates(client_for, samples):
    action, update = samples["action"], samples["action_update"]
    for who in ("alice", "bob"):
        html = _html(client_for(who).get(_url("action_detail", action.pk)))
        assert "Overdue" in html
        assert update.text in html
        assert update.evidence in html
        assert samples["plan"].title in html
        assert _url("assessment_detail", samples["assessment"].pk) in html
    progress = _url("action_progress", action.pk)
    assert progress in _html(client_for("alice").get(_url("action_detail", action.pk)))
    assert progress not in _html(client_for("bob").get(_url("action_detail", action.pk)))
    for who in ("charlie", "nina", "erin"):
        assert client_for(who).get(_url("action_detail", action.pk)).status_code == 404


def test_alice_changes_an_action_and_bob_and_charlie_get_404(client_for, personas, samples):
    action = samples["action"]
    for who in ("bob", "charlie"):
        assert client_for(who).get(_url("action_edit", action.pk)).status_code == 404
        response = client_for(who).post(_url("action_edit", action.pk), {"title": "Taken"})
        assert response.status_code == 404
    response = client_for("alice").post(
        _url("action_edit", action.pk),
        {"title": "Pay on the day", "owner": personas.alice.pk, "due_on": "2030-05-01"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.due_on) == ("Pay on the day", datetime.date(2030, 5, 1))


def test_progress_with_a_status_change_records_the_day_it_was_done(client_for, samples):
    action = samples["action"]
    for who in ("bob", "charlie"):
        assert client_for(who).get(_url("action_progress", action.pk)).status_code == 404
    client = client_for("alice")
    response = client.post(_url("action_progress", action.pk), {"note": "", "status": ""})
    assert "Say what has happened, or change the status" in _html(response)
    data = {
        "note": "Paid on the day at both sessions",
        "evidence": "Payment run 14",
        "status": ActionStatus.DONE,
        "written_on": "",
        "form_token": "p-1",
    }
    first = client.post(_url("action_progress", action.pk), data)
    assert first.status_code == 302, _html(first)[-3000:]
    assert client.post(_url("action_progress", action.pk), data).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.closed_on == TODAY
    assert action.updates.filter(text="Paid on the day at both sessions").count() == 1
    html = _html(client.get(_url("action_detail", action.pk)))
    assert "Payment run 14" in html
    assert "Overdue" not in html


def test_a_future_dated_update_is_refused(client_for, samples):
    response = client_for("alice").post(
        _url("action_progress", samples["action"].pk),
        {"note": "Later", "written_on": (TODAY + datetime.timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 200
    assert "can&#x27;t be in the future" in _html(response)


# ---------------------------------------------------------------------------------------------
# "Add an action" from other apps' pages


def test_the_response_page_offers_an_action_to_managers_only(client_for, samples):
    link = f"{_new()}?response={samples['response'].pk}"
    url = reverse("accountability:response_detail", args=[samples["response"].pk])
    assert link in _html(client_for("alice").get(url))
    assert link not in _html(client_for("bob").get(url))


def test_the_results_page_offers_an_action_for_learners_intentions(client_for, samples):
    question = samples["text_question"]
    link = f"{_new()}?question={question.pk}"
    results = reverse("evaluation:results", args=[question.questionnaire_id])
    answers = reverse("evaluation:free_text", args=[question.pk])
    assert link in _html(client_for("alice").get(results))
    assert link in _html(client_for("alice").get(answers))
    assert link not in _html(client_for("bob").get(results))


# ---------------------------------------------------------------------------------------------
# A partner reading a group's actions sees nothing of the owner's private records


@pytest.fixture
def partner_client(client, samples):
    """A leader at the Resilience Learning Partnership, a member of council A's group."""
    from powershare.accounts.models import Membership, Organisation, User
    from powershare.accounts.roles import Role
    from tests.personas import sign_in

    partner = Organisation.objects.get(name="Resilience Learning Partnership")
    user = User.objects.create_user(
        email="pia@partner.example", password="x-correct-horse", full_name="Pia Partner"
    )
    Membership.objects.create(user=user, organisation=partner, role=Role.LEADER)
    sign_in(client, user)
    return client


def _readable(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode().replace("&#x27;", "'")


def test_a_partner_never_sees_a_private_plan_priority_or_source_of_a_group_action(
    partner_client, client_for, personas, samples
):
    group, plan, priority = samples["group"], samples["plan"], samples["priority"]
    group_action = samples["group_action"]
    # Put (wrongly) in council A's private plan, under one of its priorities.
    Action.objects.filter(pk=group_action.pk).update(plan=plan, priority=priority)
    sources = {
        "A walkthrough": (
            {"source": ActionSource.WALKTHROUGH, "walkthrough": samples["walkthrough"]},
            samples["walkthrough"].title,
        ),
        "A 'you said, we did' response": (
            {"source": ActionSource.RESPONSE, "response": samples["response"]},
            samples["response"].reference,
        ),
        "Learners' stated intentions": (
            {
                "source": ActionSource.LEARNING_INTENTIONS,
                "question": samples["text_question"],
            },
            samples["text_question"].questionnaire.title,
        ),
    }
    made = {
        label: Action.objects.create(
            organisation=personas.council_a, title=f"Group action {n}", group=group, **fields
        )
        for n, (label, (fields, _private)) in enumerate(sources.items())
    }
    private = [plan.title, priority.driver.name]
    # The list, the action's page and the download.
    listing = _readable(partner_client.get(_url("action_list")))
    assert group_action.title in listing
    detail = _readable(partner_client.get(_url("action_detail", group_action.pk)))
    assert group_action.title in detail
    export = _readable(partner_client.get(_url("action_export")))
    assert group_action.title in export
    for page in (listing, detail, export):
        for text in private:
            assert text not in page
    assert _url("plan_detail", plan.pk) not in detail
    # Where each one came from: a neutral label, no text, no link.
    for label, action in made.items():
        page = _readable(partner_client.get(_url("action_detail", action.pk)))
        assert label in page
        assert sources[label][1] not in page
    # Council A's own staff still see all of it.
    alice = client_for("alice")
    assert plan.title in _readable(alice.get(_url("action_detail", group_action.pk)))
    assert priority.driver.name in _readable(alice.get(_url("action_list")))
    assert plan.title in _readable(alice.get(_url("action_export")))
    walkthrough_page = _readable(alice.get(_url("action_detail", made["A walkthrough"].pk)))
    assert samples["walkthrough"].title in walkthrough_page


def test_a_group_s_action_is_offered_no_plan_or_priority(client_for, samples):
    client = client_for("alice")
    meeting = samples["meeting"]
    html = _html(client.get(_new(f"?meeting={meeting.pk}")))
    assert 'name="plan"' not in html
    assert 'name="priority"' not in html
    assert samples["plan"].title not in html
    both = _new(f"?meeting={meeting.pk}&plan={samples['plan'].pk}")
    assert client.get(both).status_code == 404

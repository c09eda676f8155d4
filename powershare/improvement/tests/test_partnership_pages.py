"""Partnership group pages: who may read and who may change them (alice runs council A's
group; bob reads it; charlie sees nothing; a member organisation's staff read but never
change), the forms that set up a group and its members, the action log (overdue first,
filters, CSV) and fixed query counts."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import Membership, Organisation, User
from powershare.accounts.roles import Role
from powershare.improvement import services
from powershare.improvement.models import (
    Action,
    ActionSource,
    ActionStatus,
    GroupMember,
    Meeting,
    PartnershipGroup,
)
from tests.personas import MARKER, sign_in

READ_PAGES = [
    ("improvement:group_list", None),
    ("improvement:group_detail", "group"),
    ("improvement:action_log", "group"),
    ("improvement:action_log_export", "group"),
    ("improvement:meeting_detail", "meeting"),
    ("improvement:minutes_docx", "meeting"),
]
CHANGE_PAGES = [
    ("improvement:group_edit", "group"),
    ("improvement:member_add", "group"),
    ("improvement:member_edit", "group_member"),
    ("improvement:meeting_create", "group"),
    ("improvement:meeting_edit", "meeting"),
    ("improvement:meeting_attendance", "meeting"),
    ("improvement:agenda_add", "meeting"),
    ("improvement:agenda_edit", "agenda_item"),
    ("improvement:agenda_remove", "agenda_item"),
    ("improvement:decision_add", "meeting"),
    ("improvement:decision_remove", "decision"),
    ("improvement:minutes_agree", "meeting"),
]


def _url(name, key, samples):
    return reverse(name, args=[samples[key].pk]) if key else reverse(name)


def _partner_update_url(samples):
    return reverse(
        "improvement:partner_update_edit",
        args=[samples["meeting"].pk, samples["group_member"].pk],
    )


def _arising_url(samples):
    return reverse(
        "improvement:arising_update",
        args=[samples["next_meeting"].pk, samples["group_action"].pk],
    )


def _all_change_urls(samples):
    return [_url(n, k, samples) for n, k in CHANGE_PAGES] + [
        _partner_update_url(samples),
        _arising_url(samples),
    ]


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.fixture
def partner_staff(client, personas, samples):
    """A leader at the Resilience Learning Partnership, a member of council A's group: may
    manage improvement in her own organisation, not in council A's group."""
    partner = Organisation.objects.get(name="Resilience Learning Partnership")
    user = User.objects.create_user(
        email="pat@partner.example", password="x-correct-horse", full_name="Pat Partner"
    )
    Membership.objects.create(user=user, organisation=partner, role=Role.LEADER)
    sign_in(client, user)
    return client


# ---------------------------------------------------------------------------------------------
# Who may do what


def test_alice_opens_every_partnership_page(client_for, samples):
    client = client_for("alice")
    for name, key in READ_PAGES + CHANGE_PAGES:
        response = client.get(_url(name, key, samples))
        assert response.status_code == 200, name
    assert client.get(_partner_update_url(samples)).status_code == 200
    assert client.get(_arising_url(samples)).status_code == 200


def test_bob_reads_the_group_but_every_change_is_not_found(client_for, samples):
    client = client_for("bob")
    for name, key in READ_PAGES:
        assert client.get(_url(name, key, samples)).status_code == 200, name
    body = client.get(_url("improvement:meeting_detail", "meeting", samples)).content.decode()
    assert f"Decision {MARKER}" in body
    assert "Add the action" not in body
    assert reverse("improvement:meeting_edit", args=[samples["meeting"].pk]) not in body
    for url in _all_change_urls(samples):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "x", "text": "x"}).status_code == 404, url
    # Nor can he add an action through the meeting's own form.
    response = client.post(
        _url("improvement:meeting_detail", "meeting", samples), {"action-title": "Sneaky"}
    )
    assert response.status_code == 404
    assert not Action.objects.filter(title="Sneaky").exists()
    assert client.get(reverse("improvement:group_create")).status_code == 404


def test_charlie_gets_not_found_everywhere_and_sees_no_group(client_for, samples):
    client = client_for("charlie")
    listing = client.get(reverse("improvement:group_list"))
    assert listing.status_code == 200
    assert MARKER not in listing.content.decode()
    for name, key in READ_PAGES + CHANGE_PAGES:
        if key:
            assert client.get(_url(name, key, samples)).status_code == 404, name
    for url in _all_change_urls(samples):
        assert client.post(url, {"title": "x"}).status_code == 404, url
    assert (
        client.get(reverse("improvement:minutes_pdf", args=[samples["meeting"].pk])).status_code
        == 404
    )


def test_a_member_organisations_staff_read_the_group_but_cannot_change_it(partner_staff, samples):
    client = partner_staff
    listing = client.get(reverse("improvement:group_list")).content.decode()
    assert samples["group"].name in listing
    for name, key in READ_PAGES:
        assert client.get(_url(name, key, samples)).status_code == 200, name
    body = client.get(_url("improvement:meeting_detail", "meeting", samples)).content.decode()
    assert f"Partner update {MARKER}" in body
    assert "Record progress" not in body
    for url in _all_change_urls(samples):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "x", "text": "x"}).status_code == 404, url
    samples["group"].refresh_from_db()
    assert samples["group"].name == f"Partnership group {MARKER}"


def test_a_member_organisation_that_left_no_longer_reads_the_group(partner_staff, samples):
    GroupMember.objects.filter(pk=samples["group_member"].pk).update(left_on=timezone.localdate())
    response = partner_staff.get(_url("improvement:group_detail", "group", samples))
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Setting up a group


def test_alice_sets_up_a_group_adds_a_member_and_a_meeting(client_for, personas):
    client = client_for("alice")
    response = client.post(
        reverse("improvement:group_create"),
        {"name": "Delivery group", "purpose": "Keep partners together", "form_token": "t1"},
    )
    group = PartnershipGroup.objects.get(name="Delivery group")
    assert response["Location"] == reverse("improvement:group_detail", args=[group.pk])
    assert group.organisation == personas.council_a
    # The organisation that runs it is its first member.
    assert list(group.members.values_list("organisation", flat=True)) == [personas.council_a.pk]
    # A double click makes nothing new.
    client.post(
        reverse("improvement:group_create"),
        {"name": "Delivery group", "purpose": "Keep partners together", "form_token": "t1"},
    )
    assert PartnershipGroup.objects.filter(name="Delivery group").count() == 1

    response = client.post(
        reverse("improvement:member_add", args=[group.pk]),
        {
            "organisation": personas.national.pk,
            "representatives": "Improvement adviser",
            "form_token": "t2",
        },
    )
    assert response.status_code == 302
    member = group.members.get(organisation=personas.national)
    assert member.representatives == "Improvement adviser"
    # The same organisation can't be added twice: the list no longer offers it.
    again = client.post(
        reverse("improvement:member_add", args=[group.pk]),
        {"organisation": personas.national.pk, "form_token": "t3"},
    )
    assert again.status_code == 200
    assert "Choose an organisation from the list" in again.content.decode()

    response = client.post(
        reverse("improvement:meeting_create", args=[group.pk]),
        {"met_on": "2026-03-21", "format": "in_person", "place": "", "form_token": "t4"},
    )
    assert response.status_code == 200
    assert "Say where the meeting is" in response.content.decode()
    response = client.post(
        reverse("improvement:meeting_create", args=[group.pk]),
        {"met_on": "2026-03-21", "format": "online", "chair": "Chair", "form_token": "t5"},
    )
    meeting = Meeting.objects.get(group=group)
    assert response["Location"] == reverse("improvement:meeting_detail", args=[meeting.pk])
    assert not meeting.attendance.exists()

    # Attendance for every member at once.
    response = client.post(
        reverse("improvement:meeting_attendance", args=[meeting.pk]),
        {
            f"status_{group.members.get(organisation=personas.council_a).pk}": "present",
            f"status_{member.pk}": "apologies",
            f"attended_by_{member.pk}": "",
        },
    )
    assert response.status_code == 302
    statuses = dict(meeting.attendance.values_list("member__organisation__name", "status"))
    assert statuses == {personas.council_a.name: "present", personas.national.name: "apologies"}
    detail = client.get(reverse("improvement:group_detail", args=[group.pk])).content.decode()
    assert "1 attended, 1 sent apologies" in detail


def test_attendance_needs_an_answer_for_every_member(client_for, samples):
    client = client_for("alice")
    meeting = samples["meeting"]
    response = client.post(reverse("improvement:meeting_attendance", args=[meeting.pk]), {})
    assert response.status_code == 200
    assert "Say whether Resilience Learning Partnership attended" in response.content.decode()


def test_a_member_leaves_and_its_past_attendance_stays(client_for, samples):
    client = client_for("alice")
    member = samples["group_member"]
    left = samples["meeting"].met_on + datetime.timedelta(days=1)
    response = client.post(
        reverse("improvement:member_edit", args=[member.pk]),
        {"representatives": "Someone", "left_on": left.isoformat()},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_on == left
    meeting_page = client.get(reverse("improvement:meeting_detail", args=[samples["meeting"].pk]))
    assert "Resilience Learning Partnership" in meeting_page.content.decode()
    # It is not expected at the next meeting.
    attendance = client.get(
        reverse("improvement:meeting_attendance", args=[samples["next_meeting"].pk])
    ).content.decode()
    assert f"status_{member.pk}" not in attendance


# ---------------------------------------------------------------------------------------------
# The action log


def _group_action(personas, samples, title, *, due_on, status=None):
    action = services.meeting_action_add(
        actor=personas.alice,
        meeting=samples["meeting"],
        title=title,
        owner_organisation=personas.council_a,
        owner_name="Lead",
        due_on=due_on,
    )
    if status:
        services.action_progress_record(
            actor=personas.alice, action=action, status=status, note="Finished"
        )
    return action


def test_the_action_log_puts_overdue_first_then_open_by_due_date_then_done(
    client_for, personas, samples
):
    met = samples["meeting"].met_on
    today = timezone.localdate()
    _group_action(personas, samples, "Later one", due_on=today + datetime.timedelta(days=30))
    _group_action(personas, samples, "Sooner one", due_on=today + datetime.timedelta(days=3))
    _group_action(personas, samples, "Finished one", due_on=met, status=ActionStatus.DONE)
    _group_action(personas, samples, "Very late one", due_on=met + datetime.timedelta(days=1))
    client = client_for("alice")
    body = client.get(reverse("improvement:action_log", args=[samples["group"].pk])).content
    body = body.decode()
    order = [
        "Very late one",
        f"Partners send updates {MARKER}",
        "Sooner one",
        "Later one",
        "Finished one",
    ]
    positions = [body.index(title) for title in order]
    assert positions == sorted(positions)
    assert body.count("ds_tag--orange") == 2

    overdue = client.get(
        reverse("improvement:action_log", args=[samples["group"].pk]), {"status": "overdue"}
    ).content.decode()
    assert "Very late one" in overdue
    assert "Sooner one" not in overdue
    assert "2 actions match" in overdue
    partner = samples["group_member"].organisation
    theirs = client.get(
        reverse("improvement:action_log", args=[samples["group"].pk]), {"member": partner.pk}
    ).content.decode()
    assert f"Partners send updates {MARKER}" in theirs
    assert "Sooner one" not in theirs


def test_the_action_log_downloads_as_csv_with_its_filters(client_for, personas, samples):
    today = timezone.localdate()
    _group_action(personas, samples, "=Sooner one", due_on=today + datetime.timedelta(days=3))
    client = client_for("bob")
    response = client.get(
        reverse("improvement:action_log_export", args=[samples["group"].pk]), {"status": "open"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_body(response).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Action", "Status", "Overdue"]
    titles = [row[0] for row in rows[1:]]
    assert titles == [f"Partners send updates {MARKER}", "'=Sooner one"]
    assert rows[1][2] == "Yes"
    assert rows[1][3] == "Resilience Learning Partnership"


def test_the_action_log_runs_a_fixed_number_of_queries(client_for, personas, samples):
    client = client_for("alice")
    url = reverse("improvement:action_log", args=[samples["group"].pk])
    today = timezone.localdate()

    def add(count):
        for n in range(count):
            _group_action(
                personas, samples, f"Bulk action {n}", due_on=today + datetime.timedelta(days=n)
            )

    add(2)  # three with the sample's own
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert "3 actions" in response.content.decode()
    add(27)
    Action.objects.filter(title__startswith="Bulk action").update(title="Bulk")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "30 actions" in response.content.decode()
    assert len(re.findall(r'href="/improvement/actions/\d+/"', response.content.decode())) == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_group_list_runs_a_fixed_number_of_queries(client_for, personas, samples):
    client = client_for("alice")
    url = reverse("improvement:group_list")

    def add(count, start):
        for n in range(start, start + count):
            group = services.group_create(
                actor=personas.alice, organisation=personas.council_a, name=f"Group {n}"
            )
            services.meeting_create(
                actor=personas.alice,
                group=group,
                met_on=timezone.localdate(),
                format="online",
            )

    add(2, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert "3 groups" in response.content.decode()
    add(27, 2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "30 groups" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_meeting_page_runs_a_fixed_number_of_queries(client_for, personas, samples):
    client = client_for("alice")
    meeting = samples["meeting"]
    url = reverse("improvement:meeting_detail", args=[meeting.pk])
    # An earlier meeting whose actions are carried to this one, with progress reported here.
    earlier = services.meeting_create(
        actor=personas.alice,
        group=samples["group"],
        met_on=meeting.met_on - datetime.timedelta(days=30),
        format="online",
    )

    def carry(numbers):
        for n in numbers:
            action = services.meeting_action_add(
                actor=personas.alice, meeting=earlier, title=f"Earlier {n}", owner_name="Lead"
            )
            services.arising_progress_record(
                actor=personas.alice, meeting=meeting, action=action, note=f"Going {n}"
            )

    carry(range(1))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    organisations = [
        Organisation.objects.create(
            name=f"Partner body {n}", slug=f"partner-body-{n}", kind="other"
        )
        for n in range(14)
    ]
    members = [
        services.member_add(actor=personas.alice, group=samples["group"], organisation=o)
        for o in organisations
    ]
    services.attendance_record(
        actor=personas.alice,
        meeting=meeting,
        rows=[
            {"member": m, "status": "present" if i % 2 else "apologies", "attended_by": ""}
            for i, m in enumerate([*members, samples["group_member"]])
        ],
    )
    for n, member in enumerate(members):
        services.partner_update_record(
            actor=personas.alice, meeting=meeting, member=member, text=f"Update {n}"
        )
        services.agenda_item_add(actor=personas.alice, meeting=meeting, title=f"Item {n}")
        services.decision_add(actor=personas.alice, meeting=meeting, text=f"Decided {n}")
        services.meeting_action_add(
            actor=personas.alice,
            meeting=meeting,
            title=f"Do {n}",
            owner_organisation=member.organisation,
        )
    carry(range(1, 10))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    body = response.content.decode()
    assert "Update 13" in body
    assert "Earlier 9" in body
    assert "Going 9" in body
    assert "Do 13" in body
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_meeting_page_shows_no_red_alarm_and_asks_nothing_of_a_reader(client_for, samples):
    body = (
        client_for("bob")
        .get(reverse("improvement:meeting_detail", args=[samples["next_meeting"].pk]))
        .content.decode()
    )
    assert "still to come" in body
    assert f"Partners send updates {MARKER}" in body
    assert "ds_tag--red" not in body


def test_an_action_is_added_from_the_meetings_own_form(client_for, personas, samples):
    client = client_for("alice")
    meeting = samples["meeting"]
    url = reverse("improvement:meeting_detail", args=[meeting.pk])
    partner = samples["group_member"].organisation
    response = client.post(
        url,
        {
            "action-title": "Send comments on the work plan",
            "action-owner_organisation": partner.pk,
            "action-owner_name": "Programme lead",
            "action-due_on": (meeting.met_on + datetime.timedelta(days=10)).isoformat(),
            "form_token": "a1",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Send comments on the work plan")
    assert action.source == ActionSource.PARTNERSHIP_MEETING
    assert action.meeting == meeting
    assert action.group == samples["group"]
    assert action.owner_organisation == partner
    # Only the group's members may own one.
    response = client.post(
        url,
        {
            "action-title": "Someone else's job",
            "action-owner_organisation": personas.council_b.pk,
            "form_token": "a2",
        },
    )
    assert response.status_code == 200
    assert "Choose one of the group&#x27;s members" in response.content.decode()
    assert "<title>Error:" in response.content.decode()

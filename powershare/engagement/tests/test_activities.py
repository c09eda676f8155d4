"""The staff pages about activities: the list and its export, planning and changing an activity,
its page, cancelling it and the settings, as the participation lead (alice) and everyone who
must not."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from powershare.engagement.models import (
    Activity,
    ActivityKind,
    ActivityQuestion,
    ActivitySetting,
    Contribution,
    ContributionKind,
    EngagementSettings,
    Invitation,
    InvitationStatus,
    Ladder,
    UseLevel,
)
from powershare.people.models import Person
from tests.personas import MARKER


def _arnstein():
    return Ladder.objects.get(organisation=None, slug="arnstein")


def _rung(position, ladder=None):
    return (ladder or _arnstein()).rungs.get(position=position)


def _activity(organisation, **overrides):
    rung = overrides.pop("rung", None) or _rung(4)
    today = timezone.localdate()
    fields = {
        "title": "Planning the new family centre",
        "purpose": "Shape how the family centre welcomes people.",
        "kind": ActivityKind.CO_DESIGN_WORKSHOP,
        "starts_on": today + datetime.timedelta(days=10),
        "ends_on": today + datetime.timedelta(days=10),
        "setting": ActivitySetting.COMMUNITY,
        "feedback_due_on": today + datetime.timedelta(days=38),
        "ladder": rung.ladder,
        "rung": rung,
    }
    fields.update(overrides)
    return Activity.objects.create(organisation=organisation, **fields)


def _form(**overrides):
    """What the plan/change form sends for a simple activity."""
    data = {
        "title": "Redesigning the carers' assessment",
        "purpose": "Make the assessment shorter and kinder.",
        "kind": ActivityKind.CO_DESIGN_WORKSHOP,
        "starts_on": "2026-05-04",
        "ends_on": "2026-05-05",
        "times": "10am to 1pm",
        "venue": "Central library, room 2",
        "setting": ActivitySetting.COMMUNITY,
        "rung": _rung(6).pk,
        "questions": "What made the assessment hard?\nWhat would you change first?",
        "lundy_space": "yes",
        "lundy_space_note": "Ground-floor room with a quiet space",
        "lundy_voice": "not_yet",
        "lundy_audience": "no",
        "lundy_influence": "not_yet",
        "form_token": "plan-1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _form_for(activity, **overrides):
    """The change form as it arrives when nothing is touched but `overrides`."""
    words = {True: "yes", False: "no", None: "not_yet"}
    data = {
        "title": activity.title,
        "purpose": activity.purpose,
        "kind": activity.kind,
        "starts_on": activity.starts_on.isoformat(),
        "ends_on": activity.ends_on.isoformat(),
        "setting": activity.setting,
        "rung": activity.rung_id,
        "feedback_due_on": activity.feedback_due_on.isoformat(),
        "questions": "\n".join(q.text for q in activity.questions.all()),
        **{
            f"lundy_{key}": words[getattr(activity, f"lundy_{key}")]
            for key in ("space", "voice", "audience", "influence")
        },
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------------
# Planning an activity


def test_alice_plans_an_activity_and_feedback_is_promised_28_days_after_it_ends(
    client_for, personas
):
    partner = personas.national
    response = client_for("alice").post(
        reverse("engagement:activity_create"), _form(partners=[partner.pk])
    )
    activity = Activity.objects.get(title="Redesigning the carers' assessment")
    assert response.status_code == 302
    assert response["Location"] == reverse("engagement:activity_detail", args=[activity.pk])
    assert activity.organisation == personas.council_a
    assert activity.feedback_due_on == datetime.date(2026, 5, 5) + datetime.timedelta(days=28)
    assert activity.rung == _rung(6)
    assert activity.ladder == _arnstein()  # the ladder is the rung's own
    assert activity.lundy_space is True
    assert activity.lundy_voice is None
    assert activity.lundy_audience is False
    assert activity.lundy_space_note == "Ground-floor room with a quiet space"
    assert [q.text for q in activity.questions.all()] == [
        "What made the assessment hard?",
        "What would you change first?",
    ]
    assert list(activity.partners.all()) == [partner]
    assert activity.created_by == personas.alice


def test_the_promise_follows_the_organisations_own_number_of_days(client_for, personas):
    client = client_for("alice")
    response = client.post(
        reverse("engagement:settings"),
        {"feedback_due_days": "14", "default_ladder": _arnstein().pk},
    )
    assert response.status_code == 302
    assert EngagementSettings.objects.get(organisation=personas.council_a).feedback_due_days == 14
    form_page = client.get(reverse("engagement:activity_create")).content.decode()
    assert "14 days after the activity ends" in form_page
    client.post(reverse("engagement:activity_create"), _form(ends_on="", form_token="plan-2"))
    activity = Activity.objects.get(title="Redesigning the carers' assessment")
    assert activity.ends_on == datetime.date(2026, 5, 4)  # one day when no end is given
    assert activity.feedback_due_on == datetime.date(2026, 5, 18)


def test_a_feedback_date_typed_in_is_kept(client_for, personas):
    client_for("alice").post(
        reverse("engagement:activity_create"), _form(feedback_due_on="2026-06-30")
    )
    activity = Activity.objects.get(title="Redesigning the carers' assessment")
    assert activity.feedback_due_on == datetime.date(2026, 6, 30)


def test_a_double_submit_plans_one_activity(client_for, personas):
    client = client_for("alice")
    first = client.post(reverse("engagement:activity_create"), _form())
    second = client.post(reverse("engagement:activity_create"), _form(), follow=True)
    assert Activity.objects.filter(title="Redesigning the carers' assessment").count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "nothing new was saved" in second.content.decode()


def test_the_form_groups_its_questions_and_offers_rungs_by_ladder(client_for, personas):
    page = client_for("alice").get(reverse("engagement:activity_create")).content.decode()
    for heading in (
        "About",
        "When and where",
        "Ladder of participation",
        "Lundy&#x27;s checks",
        "Support and payment",
        "Feedback promise",
    ):
        assert f"<h2>{heading}</h2>" in page, heading
    assert '<optgroup label="Arnstein&#x27;s ladder of citizen participation">' in page
    assert '<optgroup label="Hart' in page
    assert "Not yet" in page
    assert "(optional)" in page
    assert 'name="form_token"' in page


def test_mistakes_show_on_their_fields_and_keep_what_was_typed(client_for, personas):
    client = client_for("alice")
    response = client.post(
        reverse("engagement:activity_create"),
        _form(title="", starts_on="14th of never", purpose="Keep this purpose typed"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_title"' in page
    assert "Enter a title" in page
    assert "Enter a start date like 2026-03-14" in page
    assert "Keep this purpose typed" in page
    assert "14th of never" in page
    assert "Central library, room 2" in page
    # A rule the service enforces lands on its field too.
    response = client.post(
        reverse("engagement:activity_create"),
        _form(starts_on="2026-05-04", ends_on="2026-05-01", form_token="plan-3"),
    )
    page = response.content.decode()
    assert 'id="id_ends_on-error"' in page
    assert "The end date must be the same as or after the start date." in page
    assert "What would you change first?" in page
    assert not Activity.objects.filter(title="Redesigning the carers' assessment").exists()


def test_a_feedback_date_before_the_end_is_refused_on_its_field(client_for, personas):
    response = client_for("alice").post(
        reverse("engagement:activity_create"), _form(feedback_due_on="2026-05-01")
    )
    page = response.content.decode()
    assert 'id="id_feedback_due_on-error"' in page
    assert "The feedback date must be on or after the day the activity ends" in page
    assert not Activity.objects.filter(title="Redesigning the carers' assessment").exists()


# ---------------------------------------------------------------------------------------------
# Changing an activity


def test_changing_keeps_unchanged_questions_so_contributions_stay_linked(client_for, personas):
    activity = _activity(personas.council_a)
    kept = ActivityQuestion.objects.create(activity=activity, text="What helps you feel safe?")
    dropped = ActivityQuestion.objects.create(
        activity=activity, text="What time suits you?", position=2
    )
    contribution = Contribution.objects.create(
        organisation=personas.council_a,
        activity=activity,
        question=kept,
        group_label="Parents' group",
        kind=ContributionKind.VIEW,
        text="A named worker to call.",
        use_level=UseLevel.INTERNAL,
    )
    response = client_for("alice").post(
        reverse("engagement:activity_edit", args=[activity.pk]),
        _form_for(
            activity,
            title="Planning the family centre together",
            questions="What would you add?\nWhat helps you feel safe?",
        ),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Planning the family centre together"
    questions = list(activity.questions.order_by("position"))
    assert [q.text for q in questions] == ["What would you add?", "What helps you feel safe?"]
    assert questions[1].pk == kept.pk
    assert not ActivityQuestion.objects.filter(pk=dropped.pk).exists()
    contribution.refresh_from_db()
    assert contribution.question_id == kept.pk


def test_the_change_form_shows_what_is_saved(client_for, personas):
    activity = _activity(personas.council_a, lundy_voice=True, lundy_voice_note="Easy read")
    ActivityQuestion.objects.create(activity=activity, text="What helps you feel safe?")
    page = (
        client_for("alice")
        .get(reverse("engagement:activity_edit", args=[activity.pk]))
        .content.decode()
    )
    assert "What helps you feel safe?" in page
    assert 'value="yes" id="id_lundy_voice_0" checked' in page
    assert "Easy read" in page
    assert f'<option value="{activity.rung_id}" selected>' in page


def test_a_change_the_service_refuses_shows_on_its_field(client_for, personas):
    activity = _activity(personas.council_a)
    response = client_for("alice").post(
        reverse("engagement:activity_edit", args=[activity.pk]),
        _form_for(
            activity,
            title="A new title, kept on the page",
            feedback_due_on=(activity.ends_on - datetime.timedelta(days=1)).isoformat(),
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_feedback_due_on-error"' in page
    assert "A new title, kept on the page" in page
    activity.refresh_from_db()
    assert activity.title == "Planning the new family centre"


# ---------------------------------------------------------------------------------------------
# The activity's page and cancelling it


def test_the_activity_page_shows_the_facts_and_the_feedback_promise(client_for, personas):
    activity = _activity(
        personas.council_a,
        title="Reviewing the kinship care leaflet",
        venue="Community hall",
        payment_offered="£25 an hour",
        support_after="A call the next day",
        feedback_due_on=datetime.date(2026, 3, 14),
        starts_on=datetime.date(2026, 2, 1),
        ends_on=datetime.date(2026, 2, 1),
        lundy_space=True,
        lundy_space_note="Quiet room",
    )
    activity.partners.add(personas.national)
    ActivityQuestion.objects.create(activity=activity, text="Is the leaflet clear?")
    page = (
        client_for("alice")
        .get(reverse("engagement:activity_detail", args=[activity.pk]))
        .content.decode()
    )
    assert "People will hear what came of it by <strong>14 March 2026</strong>" in page
    if timezone.localdate() > datetime.date(2026, 3, 14):
        assert "Feedback overdue" in page
    for text in (
        "Community hall",
        "£25 an hour",
        "A call the next day",
        "Is the leaflet clear?",
        personas.national.name,
        "4. Consultation",
        "Arnstein&#x27;s ladder of citizen participation",
        "Quiet room",
        "1 February 2026",
    ):
        assert text in page, text
    assert reverse("engagement:activity_edit", args=[activity.pk]) in page
    # It has finished, so nobody can be invited any more: no button that leads nowhere.
    assert reverse("engagement:invite", args=[activity.pk]) not in page
    upcoming = _activity(personas.council_a)
    upcoming_page = client_for("alice").get(
        reverse("engagement:activity_detail", args=[upcoming.pk])
    )
    assert reverse("engagement:invite", args=[upcoming.pk]) in upcoming_page.content.decode()
    assert reverse("engagement:contribution_capture", args=[activity.pk]) in page
    assert reverse("engagement:activity_cancel", args=[activity.pk]) in page
    assert '<h2 id="history">History</h2>' in page


def test_bob_sees_the_activity_page_without_the_buttons(client_for, personas):
    activity = _activity(personas.council_a)
    page = (
        client_for("bob")
        .get(reverse("engagement:activity_detail", args=[activity.pk]))
        .content.decode()
    )
    assert activity.title in page
    assert reverse("engagement:activity_edit", args=[activity.pk]) not in page
    assert reverse("engagement:invite", args=[activity.pk]) not in page
    assert reverse("engagement:activity_cancel", args=[activity.pk]) not in page


def test_the_page_shows_how_much_say_people_felt_beside_the_rung_staff_chose(client_for, personas):
    activity = _activity(personas.council_a, rung=_rung(6))
    informing = _rung(3)
    for number in range(3):
        person = Person.objects.create(organisation=personas.council_a, full_name=f"P {number}")
        Invitation.objects.create(
            activity=activity,
            person=person,
            status=InvitationStatus.ACCEPTED,
            felt_rung=informing if number < 2 else _rung(6),
        )
    page = (
        client_for("alice")
        .get(reverse("engagement:activity_detail", args=[activity.pk]))
        .content.decode()
    )
    assert "How much say people felt they had" in page
    assert "3 people have answered." in page
    informing_row = page.split("3. Informing</td>")[1].split("</tr>")[0]
    assert "2 of 3 (67%)" in informing_row
    assert "Staff chose this rung" not in informing_row
    partnership_row = page.split("6. Partnership</td>")[1].split("</tr>")[0]
    assert "Staff chose this rung" in partnership_row
    assert "1 of 3 (33%)" in partnership_row


def test_cancelling_asks_first_then_cancels(client_for, personas):
    activity = _activity(personas.council_a)
    client = client_for("alice")
    url = reverse("engagement:activity_cancel", args=[activity.pk])
    page = client.get(url).content.decode()
    assert "You can't undo this." in page
    activity.refresh_from_db()
    assert activity.cancelled_at is None
    response = client.post(url, follow=True)
    activity.refresh_from_db()
    assert activity.cancelled_at is not None
    assert "has been cancelled" in response.content.decode()
    assert "Cancelled" in response.content.decode()
    # Asking again changes nothing.
    cancelled_at = activity.cancelled_at
    client.post(url)
    activity.refresh_from_db()
    assert activity.cancelled_at == cancelled_at


# ---------------------------------------------------------------------------------------------
# Who may do what


def test_bob_may_look_but_not_plan_change_cancel_or_configure(client_for, personas, samples):
    activity = samples["activity"]
    client = client_for("bob")
    for name in ("engagement:activity_list", "engagement:ladder_report"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("engagement:activity_detail", args=[activity.pk])).status_code == 200
    assert client.get(reverse("engagement:activity_create")).status_code == 404
    assert client.post(reverse("engagement:activity_create"), _form()).status_code == 404
    assert client.get(reverse("engagement:settings")).status_code == 404
    assert (
        client.post(reverse("engagement:settings"), {"feedback_due_days": "3"}).status_code == 404
    )
    for name in ("engagement:activity_edit", "engagement:activity_cancel"):
        url = reverse(name, args=[activity.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, _form_for(activity, title="Taken over")).status_code == 404, name
    activity.refresh_from_db()
    assert activity.title.startswith("Activity ")
    assert activity.cancelled_at is None
    assert not Activity.objects.filter(title="Redesigning the carers' assessment").exists()
    assert not EngagementSettings.objects.filter(organisation=personas.council_a).exists()
    page = client.get(reverse("engagement:activity_list")).content.decode()
    assert "Plan an activity" not in page


@pytest.mark.parametrize("persona", ["charlie", "nina", "erin"])
def test_outsiders_get_404_on_council_a_activities(client_for, samples, persona):
    activity = samples["activity"]
    client = client_for(persona)
    for name in (
        "engagement:activity_detail",
        "engagement:activity_edit",
        "engagement:activity_cancel",
    ):
        assert client.get(reverse(name, args=[activity.pk])).status_code == 404, name
    assert client.post(reverse("engagement:activity_cancel", args=[activity.pk])).status_code == 404
    activity.refresh_from_db()
    assert activity.cancelled_at is None


def test_charlie_lists_and_exports_only_his_own_councils_activities(client_for, personas, samples):
    _activity(personas.council_b, title="Angus youth forum")
    client = client_for("charlie")
    page = client.get(reverse("engagement:activity_list")).content.decode()
    assert "Angus youth forum" in page
    assert "1 activity" in page
    assert MARKER not in page
    assert "Erin&#x27;s co-design workshop" not in page
    export = _csv(client.get(reverse("engagement:activity_export"), {"format": "csv"}))
    assert [row["Title"] for row in export] == ["Angus youth forum"]
    xlsx = client.get(reverse("engagement:activity_export"), {"format": "xlsx"})
    assert MARKER not in str(_xlsx_rows(xlsx))


@pytest.mark.parametrize("persona", ["nina", "erin"])
def test_people_without_activities_get_404_on_the_list_and_export(client_for, samples, persona):
    client = client_for(persona)
    for name in (
        "engagement:activity_list",
        "engagement:activity_export",
        "engagement:ladder_report",
        "engagement:activity_create",
        "engagement:settings",
    ):
        assert client.get(reverse(name)).status_code == 404, name


# ---------------------------------------------------------------------------------------------
# The list


def test_the_list_counts_filters_and_flags_overdue_feedback(client_for, personas):
    today = timezone.localdate()
    late = _activity(
        personas.council_a,
        title="Past panel",
        kind=ActivityKind.PANEL,
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today - datetime.timedelta(days=60),
        feedback_due_on=today - datetime.timedelta(days=2),
    )
    _activity(personas.council_a, title="Coming workshop")
    person = Person.objects.create(organisation=personas.council_a, full_name="Someone")
    other = Person.objects.create(organisation=personas.council_a, full_name="Someone else")
    Invitation.objects.create(activity=late, person=person, status=InvitationStatus.ACCEPTED)
    Invitation.objects.create(activity=late, person=other, status=InvitationStatus.INVITED)
    client = client_for("alice")
    page = client.get(reverse("engagement:activity_list")).content.decode()
    assert "2 activities" in page
    assert "1 of 2 invited" in page
    assert "Feedback overdue</strong>" in page
    for link in ("Plan an activity", "Ladder report", "Settings", "Excel (XLSX)"):
        assert link in page, link

    page = client.get(reverse("engagement:activity_list"), {"kind": "panel"}).content.decode()
    assert "1 activity match" in page
    assert "Past panel" in page
    assert "Coming workshop" not in page
    assert f"{reverse('engagement:activity_export')}?kind=panel&amp;format=csv" in page

    page = client.get(reverse("engagement:activity_list"), {"when": "upcoming"}).content.decode()
    assert "Coming workshop" in page
    assert "Past panel" not in page

    page = client.get(reverse("engagement:activity_list"), {"feedback": "overdue"}).content.decode()
    assert "Past panel" in page
    assert "Coming workshop" not in page

    page = client.get(reverse("engagement:activity_list"), {"q": "workshop"}).content.decode()
    assert "1 activity match" in page


def test_the_list_survives_any_query_string(client_for, personas):
    client = client_for("alice")
    for params in (
        {"q": "x" * 5000},
        {"kind": "nonsense", "when": "nonsense", "year": "abc", "page": "999"},
        {"year": "99999999999999999999"},
        {"q": "\x00"},
    ):
        assert client.get(reverse("engagement:activity_list"), params).status_code == 200


def _many(organisation, count, start=0):
    rung = _rung(4)
    today = timezone.localdate()
    activities = Activity.objects.bulk_create(
        Activity(
            organisation=organisation,
            title=f"Activity number {start + i:04}",
            purpose="Bulk",
            kind=ActivityKind.FOCUS_GROUP,
            starts_on=today - datetime.timedelta(days=i % 300),
            ends_on=today - datetime.timedelta(days=i % 300),
            setting=ActivitySetting.ONLINE,
            feedback_due_on=today + datetime.timedelta(days=i % 40 - 20),
            ladder=rung.ladder,
            rung=rung,
        )
        for i in range(count)
    )
    Contribution.objects.bulk_create(
        Contribution(
            organisation=organisation,
            activity=activity,
            group_label="Group",
            kind=ContributionKind.VIEW,
            text="Said",
            use_level=UseLevel.INTERNAL,
        )
        for activity in activities[::3]
    )
    return activities


def test_the_list_runs_a_fixed_number_of_queries(
    client_for, personas, django_assert_max_num_queries
):
    _many(personas.council_a, 10)
    client = client_for("alice")
    client.get(reverse("engagement:activity_list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("engagement:activity_list"))
    _many(personas.council_a, 990, start=10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("engagement:activity_list"), {"page": 3})
    assert "1000 activities" in response.content.decode()


def test_the_export_runs_a_fixed_number_of_queries(client_for, personas):
    _many(personas.council_a, 10)
    client = client_for("alice")
    url = reverse("engagement:activity_export")
    client.get(url)

    def count_queries(file_format):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"format": file_format})
            rows = _csv(response) if file_format == "csv" else _xlsx_rows(response)[1:]
        return len(queries.captured_queries), len(rows)

    few_csv, rows = count_queries("csv")
    assert rows == 10
    few_xlsx, _ = count_queries("xlsx")
    _many(personas.council_a, 990, start=10)
    many_csv, rows = count_queries("csv")
    assert rows == 1000
    many_xlsx, rows = count_queries("xlsx")
    assert rows == 1000
    assert many_csv == few_csv
    assert many_xlsx == few_xlsx


# ---------------------------------------------------------------------------------------------
# The export


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def _xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_the_csv_export_has_the_facts_with_the_lists_filters(client_for, personas, samples):
    panel = _activity(
        personas.council_a,
        title="Interview panel for the new manager",
        kind=ActivityKind.INTERVIEW_PANEL,
        venue="Town house",
        lundy_influence=True,
        rung=_rung(7),
    )
    Invitation.objects.create(
        activity=panel, person=samples["person"], status=InvitationStatus.ACCEPTED
    )
    Contribution.objects.create(
        organisation=personas.council_a,
        activity=panel,
        group_label="Panel",
        kind=ContributionKind.VIEW,
        text="Ask about supervision.",
        use_level=UseLevel.INTERNAL,
    )
    response = client_for("alice").get(
        reverse("engagement:activity_export"), {"format": "csv", "kind": "interview_panel"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["Activity ID"] == str(panel.pk)
    assert row["Title"] == "Interview panel for the new manager"
    assert row["Kind"] == "Interview or selection panel"
    assert row["Organisation"] == personas.council_a.name
    assert row["Venue"] == "Town house"
    assert row["Rung"] == "7. Delegated power"
    assert row["Ladder"] == "Arnstein's ladder of citizen participation"
    assert row["Lundy: influence"] == "Yes"
    assert row["Lundy: space"] == "Not yet"
    assert row["Invited"] == "1"
    assert row["Taking part"] == "1"
    assert row["Contributions that may be shown inside the organisation"] == "1"
    assert row["Feedback due"] == panel.feedback_due_on.isoformat()
    assert row["Cancelled on"] == ""
    # No personal data: not the person who took part, nor what was said.
    body = str(rows)
    assert samples["person"].full_name not in body
    assert "Ask about supervision." not in body


def test_the_xlsx_export_has_the_same_rows(client_for, personas, samples):
    _activity(personas.council_a, title="Only this one", kind=ActivityKind.WALKTHROUGH)
    response = client_for("alice").get(
        reverse("engagement:activity_export"), {"format": "xlsx", "kind": "walkthrough"}
    )
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = _xlsx_rows(response)
    assert rows[0][:3] == ("Activity ID", "Title", "Kind")
    assert [row[1] for row in rows[1:]] == ["Only this one"]


def test_the_export_defuses_text_a_spreadsheet_would_run(client_for, personas):
    _activity(personas.council_a, title='=HYPERLINK("http://evil.example","Click")')
    client = client_for("alice")
    rows = _csv(client.get(reverse("engagement:activity_export"), {"format": "csv"}))
    assert rows[0]["Title"] == '\'=HYPERLINK("http://evil.example","Click")'
    xlsx = _xlsx_rows(client.get(reverse("engagement:activity_export"), {"format": "xlsx"}))
    assert xlsx[1][1].startswith("'=")


def test_an_unknown_format_is_404(client_for, personas):
    response = client_for("alice").get(reverse("engagement:activity_export"), {"format": "pdf"})
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Settings


def test_settings_refuse_a_number_out_of_range_and_keep_it(client_for, personas):
    response = client_for("alice").post(
        reverse("engagement:settings"), {"feedback_due_days": "400", "default_ladder": ""}
    )
    page = response.content.decode()
    assert "Enter a number of days from 1 to 365" in page
    assert "Choose a ladder" in page
    assert 'value="400"' in page
    assert not EngagementSettings.objects.filter(organisation=personas.council_a).exists()


def test_settings_show_the_ladders_wording(client_for, personas):
    page = client_for("alice").get(reverse("engagement:settings")).content.decode()
    assert 'value="28"' in page
    assert "Citizen control" in page
    assert "We decided things together" in page  # what people who took part are asked
    assert "Hart" in page


def test_charlie_changes_only_his_own_councils_settings(client_for, personas):
    client = client_for("charlie")
    assert client.get(reverse("engagement:settings")).status_code == 200
    url = reverse("engagement:settings") + f"?organisation={personas.council_a.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"feedback_due_days": "3"}).status_code == 404
    assert not EngagementSettings.objects.filter(organisation=personas.council_a).exists()
    assert client.get(reverse("engagement:settings") + "?organisation=abc").status_code == 404


# ---------------------------------------------------------------------------------------------
# The home page


def test_the_home_page_puts_overdue_feedback_first_in_its_activities_panel(
    client_for, personas, samples
):
    today = timezone.localdate()
    _activity(
        personas.council_a,
        title="Late one",
        starts_on=today - datetime.timedelta(days=40),
        ends_on=today - datetime.timedelta(days=40),
        feedback_due_on=today - datetime.timedelta(days=1),
    )
    page = client_for("alice").get(reverse("home")).content.decode()
    assert "<h2>Activities</h2>" in page
    assert "1 activity has passed its feedback date" in page
    assert reverse("accountability:dashboard") in page
    bob = client_for("bob").get(reverse("home")).content.decode()
    assert "1 activity has passed its feedback date" in bob
    charlie = client_for("charlie").get(reverse("home")).content.decode()
    assert "passed its feedback date" not in charlie
    assert "<h2>Activities</h2>" not in client_for("admin").get(reverse("home")).content.decode()


def test_someone_in_two_councils_chooses_which_one_runs_it(client_for, personas):
    from powershare.accounts.models import Membership
    from powershare.accounts.roles import Role

    Membership.objects.create(
        user=personas.alice, organisation=personas.council_b, role=Role.PARTICIPATION_LEAD
    )
    EngagementSettings.objects.create(organisation=personas.council_b, feedback_due_days=10)
    client = client_for("alice")
    page = client.get(reverse("engagement:activity_create")).content.decode()
    assert "Which organisation is running it?" in page
    a, b = personas.council_a.display_name, personas.council_b.display_name
    assert f"({a}: 28 days; {b}: 10 days)" in page.replace("&#x27;", "'")
    client.post(reverse("engagement:activity_create"), _form(organisation=personas.council_b.pk))
    activity = Activity.objects.get(title="Redesigning the carers' assessment")
    assert activity.organisation == personas.council_b
    assert activity.feedback_due_on == datetime.date(2026, 5, 15)
    # Settings: one organisation at a time, chosen in the address.
    page = client.get(reverse("engagement:settings")).content.decode()
    assert "Show its settings" in page
    url = reverse("engagement:settings") + f"?organisation={personas.council_b.pk}"
    assert 'value="10"' in client.get(url).content.decode()
    response = client.post(url, {"feedback_due_days": "21", "default_ladder": _arnstein().pk})
    assert response["Location"] == url
    assert EngagementSettings.objects.get(organisation=personas.council_b).feedback_due_days == 21
    assert not EngagementSettings.objects.filter(organisation=personas.council_a).exists()

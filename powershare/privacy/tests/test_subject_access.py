"""Subject access requests: the one-month clock, the pages, the download, and who may see them."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from powershare.audit.models import AccessEvent
from powershare.people.models import Person
from powershare.privacy.models import SubjectAccessRequest, one_calendar_month_after
from powershare.privacy.services import (
    subject_access_export_build,
    subject_access_request_create,
)


def _ready(request):
    subject_access_export_build(request_id=request.pk)
    request.refresh_from_db()
    return request


def _request_for(person, *, received_on, completed_on=None, alice=None):
    return SubjectAccessRequest.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        received_on=received_on,
        due_on=one_calendar_month_after(received_on),
        completed_on=completed_on,
        logged_by=alice,
    )


# ---------------------------------------------------------------------------------------------
# The clock


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),  # a leap year
        (datetime.date(2026, 3, 31), datetime.date(2026, 4, 30)),
        (datetime.date(2026, 1, 15), datetime.date(2026, 2, 15)),
        (datetime.date(2026, 12, 31), datetime.date(2027, 1, 31)),
    ],
)
def test_a_request_is_due_one_calendar_month_after_it_was_received(received, due):
    assert one_calendar_month_after(received) == due


def test_the_due_date_is_set_when_the_request_is_logged(personas, samples):
    received = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)  # a month's end
    request = subject_access_request_create(
        actor=personas.alice, person=samples["person"], received_on=received
    )
    assert request.due_on == one_calendar_month_after(received)


def test_a_request_past_its_due_date_is_shown_overdue(client_for, personas, samples):
    person = samples["person"]
    today = timezone.localdate()
    late = _request_for(person, received_on=today - datetime.timedelta(days=40))
    days_late = (today - late.due_on).days
    assert late.is_overdue
    on_time = _request_for(personas.erin_person, received_on=today)
    assert not on_time.is_overdue

    client = client_for("alice")
    page = client.get(reverse("privacy:subject_access_list")).content.decode()
    assert "Overdue" in page
    assert f"{days_late} days overdue" in page
    assert f"due {on_time.due_on:%-d %B %Y}" in page
    # The overdue one is first.
    assert page.index(f"{days_late} days overdue") < page.index(f"due {on_time.due_on:%-d %B %Y}")
    detail = client.get(reverse("privacy:subject_access_detail", args=[late.pk])).content.decode()
    assert "Overdue" in detail
    assert f"{days_late} days overdue" in detail


def test_the_list_filters_open_answered_and_all(client_for, personas, samples):
    today = timezone.localdate()
    answered = _request_for(
        personas.erin_person,
        received_on=today - datetime.timedelta(days=10),
        completed_on=today - datetime.timedelta(days=2),
    )
    open_one = samples["subject_access_request"]
    client = client_for("alice")
    url = reverse("privacy:subject_access_list")

    def listed(status):
        page = client.get(url, {"status": status} if status else {})
        return {r.pk for r in page.context["page_obj"]}, page.content.decode()

    assert listed(None)[0] == {open_one.pk}
    assert listed("open")[0] == {open_one.pk}
    ids, page = listed("answered")
    assert ids == {answered.pk}
    assert "Answered" in page
    ids, page = listed("all")
    assert ids == {open_one.pk, answered.pk}
    assert "2 requests" in page
    assert client.get(url, {"status": "nonsense", "page": "x"}).status_code == 200


def test_the_list_runs_the_same_number_of_queries_for_many_requests(
    client_for, personas, samples, django_assert_max_num_queries
):
    today = timezone.localdate()
    client = client_for("alice")
    url = reverse("privacy:subject_access_list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    people = Person.objects.bulk_create(
        Person(organisation=personas.council_a, full_name=f"Someone {i:03}") for i in range(40)
    )
    SubjectAccessRequest.objects.bulk_create(
        SubjectAccessRequest(
            organisation=personas.council_a,
            person=person,
            received_on=today - datetime.timedelta(days=i),
            due_on=one_calendar_month_after(today - datetime.timedelta(days=i)),
        )
        for i, person in enumerate(people)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"page": 2})
    assert "41 open requests" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Logging a request


def test_a_participation_lead_logs_a_request_and_the_export_is_prepared(
    client_for, personas, samples, django_capture_on_commit_callbacks
):
    person = samples["person"]
    client = client_for("alice")
    form = client.get(reverse("privacy:subject_access_create", args=[person.pk]))
    body = form.content.decode()
    assert form.status_code == 200
    assert "one calendar month" in body
    assert f'value="{timezone.localdate():%d/%m/%Y}"' in body  # today, already filled in
    received = timezone.localdate() - datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("privacy:subject_access_create", args=[person.pk]),
            {"received_on": f"{received:%d/%m/%Y}", "how_received": "By email", "form_token": "t1"},
        )
    request = SubjectAccessRequest.objects.exclude(pk=samples["subject_access_request"].pk).get()
    assert response["Location"] == reverse("privacy:subject_access_detail", args=[request.pk])
    assert request.received_on == received
    assert request.due_on == one_calendar_month_after(received)
    assert request.logged_by == personas.alice
    assert request.export_status == SubjectAccessRequest.ExportStatus.READY

    # Sending the same form twice logs one request.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            reverse("privacy:subject_access_create", args=[person.pk]),
            {"received_on": f"{received:%d/%m/%Y}", "how_received": "By email", "form_token": "t1"},
        )
    assert again["Location"] == response["Location"]
    assert SubjectAccessRequest.objects.filter(person=person).count() == 2


def test_a_date_in_the_future_or_nonsense_is_explained(client_for, samples):
    client = client_for("alice")
    url = reverse("privacy:subject_access_create", args=[samples["person"].pk])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    body = client.post(url, {"received_on": f"{tomorrow:%d/%m/%Y}"}).content.decode()
    assert "The date received must be today or in the past." in body
    body = client.post(url, {"received_on": "31/02/2026", "how_received": "Phone"}).content.decode()
    assert "Enter the date the request was received, like 25/11/2026" in body
    assert 'value="Phone"' in body
    assert SubjectAccessRequest.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# The request page and the download


def test_the_export_downloads_as_a_zip_and_the_download_is_recorded(client_for, personas, samples):
    request = _ready(samples["subject_access_request"])
    person = samples["person"]
    client = client_for("alice")
    page = client.get(reverse("privacy:subject_access_detail", args=[request.pk])).content.decode()
    assert reverse("privacy:subject_access_download", args=[request.pk]) in page
    assert "Zip file" in page
    response = client.get(reverse("privacy:subject_access_download", args=[request.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "your-data.json" in archive.namelist()
    event = AccessEvent.objects.get(action=AccessEvent.Action.DOWNLOADED)
    assert event.user == personas.alice
    assert event.description.startswith(person.reference)
    assert person.full_name not in event.description


def test_there_is_nothing_to_download_until_the_export_is_ready(client_for, samples):
    request = samples["subject_access_request"]
    client = client_for("alice")
    assert (
        client.get(reverse("privacy:subject_access_download", args=[request.pk])).status_code == 404
    )
    page = client.get(reverse("privacy:subject_access_detail", args=[request.pk])).content.decode()
    assert "Download the export" not in page


def test_the_export_can_be_prepared_again(client_for, samples, django_capture_on_commit_callbacks):
    request = _ready(samples["subject_access_request"])
    first_file = request.export_file
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("alice").post(
            reverse("privacy:subject_access_detail", args=[request.pk]), {"action": "regenerate"}
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.export_status == SubjectAccessRequest.ExportStatus.READY
    assert request.export_file != first_file


def test_a_request_is_marked_as_answered(client_for, personas, samples):
    request = _ready(samples["subject_access_request"])
    client = client_for("alice")
    url = reverse("privacy:subject_access_detail", args=[request.pk])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    body = client.post(
        url, {"action": "complete", "completed_on": f"{tomorrow:%d/%m/%Y}"}
    ).content.decode()
    assert "Enter a date between the day it was received and today." in body
    response = client.post(
        url, {"action": "complete", "completed_on": f"{timezone.localdate():%d/%m/%Y}"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.completed_on == timezone.localdate()
    assert request.completed_by == personas.alice
    assert "Answered on" in client.get(url).content.decode()


def test_looking_at_a_request_is_recorded_without_the_persons_name(client_for, personas, samples):
    request = samples["subject_access_request"]
    person = samples["person"]
    client_for("alice").get(reverse("privacy:subject_access_detail", args=[request.pk]))
    event = AccessEvent.objects.filter(subject_id=str(person.pk)).get()
    assert event.description == f"{person.reference}: subject access request viewed"


# ---------------------------------------------------------------------------------------------
# Who may see what


@pytest.mark.parametrize("persona", ["alice", "admin"])
def test_leads_and_administrators_handle_requests(client_for, samples, persona):
    client = client_for(persona)
    request = samples["subject_access_request"]
    assert client.get(reverse("privacy:subject_access_list")).status_code == 200
    assert (
        client.get(reverse("privacy:subject_access_detail", args=[request.pk])).status_code == 200
    )
    assert (
        client.get(
            reverse("privacy:subject_access_create", args=[samples["person"].pk])
        ).status_code
        == 200
    )


@pytest.mark.parametrize("persona", ["bob", "charlie", "dora", "erin", "nina"])
def test_nobody_else_sees_council_as_requests(client_for, samples, persona):
    request = _ready(samples["subject_access_request"])
    client = client_for(persona)
    for url in (
        reverse("privacy:subject_access_detail", args=[request.pk]),
        reverse("privacy:subject_access_download", args=[request.pk]),
        reverse("privacy:subject_access_create", args=[samples["person"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    posted = client.post(
        reverse("privacy:subject_access_detail", args=[request.pk]), {"action": "regenerate"}
    )
    assert posted.status_code == 404
    created = client.post(
        reverse("privacy:subject_access_create", args=[samples["person"].pk]),
        {"received_on": f"{timezone.localdate():%d/%m/%Y}"},
    )
    assert created.status_code == 404
    assert SubjectAccessRequest.objects.count() == 1
    listing = client.get(reverse("privacy:subject_access_list"))
    if persona in ("charlie", "dora"):
        assert listing.status_code == 200
        assert samples["person"].full_name not in listing.content.decode()
    else:
        assert listing.status_code == 404


def test_erin_cannot_open_her_own_request_through_the_staff_pages(client_for, personas):
    request = _request_for(personas.erin_person, received_on=timezone.localdate())
    client = client_for("erin")
    assert (
        client.get(reverse("privacy:subject_access_detail", args=[request.pk])).status_code == 404
    )


def test_the_service_refuses_someone_without_the_role(personas, samples):
    with pytest.raises(PermissionDenied):
        subject_access_request_create(
            actor=personas.bob, person=samples["person"], received_on=timezone.localdate()
        )

"""The home page puts data protection work that is due first: overdue and soon-due subject
access requests, and erasure requests waiting for this administrator's decision."""

import datetime

from django.urls import reverse
from django.utils import timezone

from powershare.privacy.models import ErasureRequest, SubjectAccessRequest


def _home(client_for, name):
    return client_for(name).get(reverse("home")).content.decode()


def test_overdue_and_soon_due_requests_come_first_on_the_home_page(client_for, personas, samples):
    today = timezone.localdate()
    SubjectAccessRequest.objects.filter(pk=samples["subject_access_request"].pk).update(
        received_on=today - datetime.timedelta(days=40), due_on=today - datetime.timedelta(days=9)
    )
    SubjectAccessRequest.objects.create(
        organisation=personas.council_a,
        person=samples["person"],
        received_on=today - datetime.timedelta(days=26),
        due_on=today + datetime.timedelta(days=3),
    )
    page = _home(client_for, "alice")
    assert "1 subject access request overdue" in page
    assert "1 subject access request due within 7 days" in page
    assert page.index("Data protection: needs attention") < page.index("on your register")
    # Council B sees none of council A's requests; facilitators see no privacy work at all.
    assert "needs attention" not in _home(client_for, "charlie")
    assert "subject access" not in _home(client_for, "bob")


def test_erasure_waiting_shows_to_administrators_who_did_not_ask(client_for, personas, samples):
    assert ErasureRequest.objects.filter(status="pending", requested_by=personas.alice).exists()
    assert "1 erasure request waiting for your decision" in _home(client_for, "admin")
    assert "erasure request waiting" not in _home(client_for, "alice")  # she asked for it
    assert "erasure request waiting" not in _home(client_for, "dora")


def test_a_download_from_the_portal_is_answered_once_ready_and_never_goes_overdue(
    personas, django_capture_on_commit_callbacks
):
    from powershare.privacy.selectors import subject_access_request_list_for
    from powershare.privacy.services import subject_access_request_by_self

    with django_capture_on_commit_callbacks(execute=True):
        request = subject_access_request_by_self(user=personas.erin, person=personas.erin_person)
    request.refresh_from_db()
    assert request.export_status == "ready"
    assert request.completed_on == timezone.localdate()
    open_requests = subject_access_request_list_for(user=personas.alice, open_only=True)
    assert request not in open_requests

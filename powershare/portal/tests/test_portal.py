"""The portal, as a person with lived experience uses it: their own details, choices and data,
and nobody else's."""

import datetime
import io
import json
import re
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from powershare.audit.models import AccessEvent
from powershare.people.models import (
    ConsentDecision,
    ConsentGivenBy,
    ConsentMethod,
    ConsentRecord,
    Person,
    PersonStatus,
)
from powershare.people.selectors import may_we
from powershare.people.services import (
    person_update_by_self,
    portal_invitation_send,
    portal_invitation_tokens,
)
from powershare.privacy.models import SubjectAccessRequest
from powershare.privacy.selectors import consent_statement_current
from powershare.support.models import SupportService
from tests.personas import MARKER, PASSWORD

PORTAL_PAGES = [
    ("portal:home", {}),
    ("portal:details", {}),
    ("portal:details_change", {"section": "name"}),
    ("portal:details_change", {"section": "break"}),
    ("portal:choices", {}),
    ("portal:data", {}),
    ("portal:support", {}),
]


def _signed_in_as_erin(client, personas):
    """Through the sign-in form, as erin would."""
    response = client.post(
        reverse("accounts:login"), {"username": personas.erin.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _form_token(html: str, action: str) -> str:
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"No form posting to {action}"
    return re.search(r'name="form_token" value="([^"]+)"', form.group(0)).group(1)


# ---------------------------------------------------------------------------------------------
# The acceptance test


def test_a_withdrawn_consent_changes_the_may_we_selector_at_once_through_the_portal(
    client, personas
):
    erin = personas.erin_person
    assert may_we(person=erin, purpose="contact").allowed
    client = _signed_in_as_erin(client, personas)

    page = client.get(reverse("portal:choices"))
    assert page.status_code == 200
    html = page.content.decode()
    action = reverse("portal:choice_change", args=["contact"])
    assert "You said yes on" in html
    response = client.post(
        action, {"decision": "withdrawn", "form_token": _form_token(html, action)}, follow=True
    )

    assert not may_we(person=erin, purpose="contact").allowed
    assert "Done. You have withdrawn: Be contacted. This counts straight away." in (
        response.content.decode()
    )
    latest = ConsentRecord.objects.filter(person=erin, purpose="contact").first()
    assert latest.decision == ConsentDecision.WITHDRAWN
    assert latest.method == ConsentMethod.ONLINE
    assert latest.recorded_by == personas.erin


def test_agreeing_again_is_as_easy_as_withdrawing(client_for, personas):
    client = client_for("erin")
    action = reverse("portal:choice_change", args=["contact"])
    client.post(action, {"decision": "withdrawn"})
    html = client.get(reverse("portal:choices")).content.decode()
    assert "You said no on" in html
    client.post(action, {"decision": "given", "form_token": _form_token(html, action)})
    assert may_we(person=personas.erin_person, purpose="contact").allowed


def test_a_double_click_records_one_decision(client_for, personas):
    client = client_for("erin")
    action = reverse("portal:choice_change", args=["contact"])
    before = ConsentRecord.objects.filter(person=personas.erin_person).count()
    for _ in range(2):
        client.post(action, {"decision": "withdrawn", "form_token": "same-token"})
    assert ConsentRecord.objects.filter(person=personas.erin_person).count() == before + 1


def test_choice_change_only_takes_a_post_and_a_known_purpose(client_for):
    client = client_for("erin")
    response = client.get(reverse("portal:choice_change", args=["contact"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:choices")
    assert client.post("/my/choices/not-a-purpose/", {"decision": "given"}).status_code == 404
    response = client.post(reverse("portal:choice_change", args=["contact"]), {"decision": "x"})
    assert response.status_code == 302


def test_under_16s_see_that_a_parent_or_guardian_must_agree_too(client_for, personas):
    erin = personas.erin_person
    erin.date_of_birth = timezone.localdate() - datetime.timedelta(days=14 * 365)
    erin.save()
    html = client_for("erin").get(reverse("portal:choices")).content.decode()
    assert "parent or guardian needs to agree too" in html
    assert "Your parent or guardian has not told us yet." in html
    ConsentRecord.objects.create(
        person=erin,
        purpose="contact",
        statement=consent_statement_current(
            organisation_id=erin.organisation_id, purpose="contact"
        ),
        decision=ConsentDecision.GIVEN,
        given_by=ConsentGivenBy.GUARDIAN,
        guardian_name="Ed Edwards",
        method=ConsentMethod.WRITTEN,
        recorded_by=personas.alice,
    )
    html = client_for("erin").get(reverse("portal:choices")).content.decode()
    assert "Your parent or guardian agreed on" in html


def test_the_choices_page_says_saying_no_never_affects_support(client_for):
    html = client_for("erin").get(reverse("portal:choices")).content.decode()
    assert "Saying no never changes the support you get." in html


# ---------------------------------------------------------------------------------------------
# Who may use the portal


def test_erin_sees_only_her_own_details(client_for, personas, samples):
    client = client_for("erin")
    for name, kwargs in PORTAL_PAGES:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
        body = response.content.decode()
        assert f"Person {MARKER}" not in body, name
        assert f"person.{MARKER}" not in body, name
        if name != "portal:support":  # the support directory is council A's, shared with her
            assert MARKER not in body, name
    details = client.get(reverse("portal:details")).content.decode()
    assert "Erin Edwards" in details
    assert "07700 900 555" in details


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "admin", "dora", "nina"])
def test_staff_without_a_person_record_get_404_on_every_portal_page(client_for, samples, persona):
    client = client_for(persona)
    for name, kwargs in PORTAL_PAGES:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name
    pk = samples["subject_access_request"].pk
    assert client.get(reverse("portal:data_download", args=[pk])).status_code == 404
    response = client.post(reverse("portal:choice_change", args=["contact"]), {"decision": "given"})
    assert response.status_code == 404
    assert client.post(reverse("portal:data")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for name, kwargs in PORTAL_PAGES:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name


def test_an_erased_person_has_no_portal(client_for, personas):
    Person.objects.filter(pk=personas.erin_person.pk).update(erased_at=timezone.now())
    assert client_for("erin").get(reverse("portal:home")).status_code == 404


def test_the_home_page_takes_erin_straight_to_her_portal(client, personas):
    client = _signed_in_as_erin(client, personas)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    page = client.get(reverse("portal:home")).content.decode()
    assert "Hello Erin" in page
    assert "Shona Gray" in page  # her support contact


def test_erin_s_navigation_is_her_own_page(client_for):
    html = client_for("erin").get(reverse("portal:details")).content.decode()
    for label in ("Your details", "Your choices", "Your data", "Get support"):
        assert f">{label}</a>" in html, label
    assert reverse("people:list") not in html
    assert 'aria-current="page">Your details' in html


def test_every_portal_page_has_a_get_support_link(client_for):
    client = client_for("erin")
    support = reverse("portal:support")
    for name, kwargs in PORTAL_PAGES:
        if name == "portal:support":
            continue
        html = client.get(reverse(name, kwargs=kwargs)).content.decode()
        assert re.search(rf'<a href="{support}"[^>]*>Get support</a>', html), name


def test_staff_with_their_own_person_record_can_use_the_portal(client_for, personas):
    Person.objects.create(
        organisation=personas.council_a,
        full_name="Bob Brown",
        preferred_name="Bobby",
        age_band="26_64",
        user=personas.bob,
    )
    client = client_for("bob")
    home = client.get(reverse("home"))
    assert home.status_code == 200  # bob keeps his staff home page
    html = home.content.decode()
    assert "Your own page as an expert by experience" in html
    assert ">Your own page</a>" in html
    assert client.get(reverse("portal:home")).status_code == 200
    assert "Hello Bobby" in client.get(reverse("portal:home")).content.decode()
    response = client.post(
        reverse("portal:details_change", args=["name"]),
        {"full_name": "Bob Brown", "preferred_name": "Rob"},
    )
    assert response.status_code == 302
    assert Person.objects.get(user=personas.bob).preferred_name == "Rob"


# ---------------------------------------------------------------------------------------------
# Details


def test_changing_details_tells_staff_which_details_not_the_values(
    client_for, personas, django_capture_on_commit_callbacks
):
    erin = personas.erin_person
    erin.staff_contact = personas.alice
    erin.save()
    client = client_for("erin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:details_change", args=["contact"]),
            {"email": "erin@people.example", "phone": "07700 900 999", "postal_address": ""},
            follow=True,
        )
    assert "Saved. We have told Alice Anderson." in response.content.decode()
    erin.refresh_from_db()
    assert erin.phone == "07700 900 999"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [personas.alice.email]
    assert "- Phone" in message.body
    assert "07700 900 999" not in message.body
    assert "Erin" not in message.body
    assert "Erin" not in message.subject


def test_without_a_staff_contact_the_message_says_your_contact(
    client_for, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("erin").post(
            reverse("portal:details_change", args=["access"]),
            {"access_needs": "Step-free access", "support_needs": ""},
            follow=True,
        )
    assert "Saved. We have told your contact." in response.content.decode()
    assert [m.to for m in mail.outbox] == [[personas.alice.email]]  # the participation lead


def test_every_question_can_be_skipped_except_the_full_name(client_for, personas):
    client = client_for("erin")
    response = client.post(reverse("portal:details_change", args=["name"]), {"full_name": ""})
    assert response.status_code == 200
    assert "Enter your full name" in response.content.decode()
    for section in ("credit", "times", "safety", "benefits", "break", "support-contact"):
        response = client.post(reverse("portal:details_change", args=[section]), {})
        assert response.status_code == 302, section
    erin = Person.objects.get(pk=personas.erin_person.pk)
    assert erin.full_name == "Erin Edwards"
    assert erin.status == PersonStatus.ACTIVE
    assert erin.credit_as == "first_name"


def test_an_unknown_part_of_the_details_is_404(client_for):
    assert client_for("erin").get("/my/details/passwords/").status_code == 404


def test_erin_can_take_a_break_and_come_back(client_for, personas):
    client = client_for("erin")
    back = timezone.localdate() + datetime.timedelta(days=30)
    client.post(
        reverse("portal:details_change", args=["break"]),
        {"status": "resting", "resting_until": back.isoformat()},
    )
    erin = Person.objects.get(pk=personas.erin_person.pk)
    assert erin.status == PersonStatus.RESTING
    assert erin.resting_until == back
    assert not may_we(person=erin, purpose="contact").allowed
    client.post(reverse("portal:details_change", args=["break"]), {"status": "active"})
    erin.refresh_from_db()
    assert erin.status == PersonStatus.ACTIVE
    assert erin.resting_until is None


def test_erin_cannot_mark_herself_as_left(client_for, personas):
    response = client_for("erin").post(
        reverse("portal:details_change", args=["break"]), {"status": "left"}
    )
    assert response.status_code == 200
    assert "To leave the register, tell your contact." in response.content.decode()
    assert Person.objects.get(pk=personas.erin_person.pk).status == PersonStatus.ACTIVE
    with pytest.raises(ValidationError):
        person_update_by_self(
            user=personas.erin, person=personas.erin_person, status=PersonStatus.LEFT
        )


def test_a_date_in_the_past_is_refused_kindly(client_for, personas):
    response = client_for("erin").post(
        reverse("portal:details_change", args=["break"]),
        {"status": "resting", "resting_until": "2000-01-01"},
    )
    assert response.status_code == 200
    assert "Enter a date in the future" in response.content.decode()
    assert Person.objects.get(pk=personas.erin_person.pk).status == PersonStatus.ACTIVE


def test_viewing_own_details_is_recorded_without_the_name(client_for, personas):
    client_for("erin").get(reverse("portal:details"))
    event = AccessEvent.objects.get(subject_id=str(personas.erin_person.pk))
    assert event.description.startswith(personas.erin_person.reference)
    assert "Erin" not in event.description


# ---------------------------------------------------------------------------------------------
# Your data


def test_erin_downloads_her_own_data(client_for, personas, django_capture_on_commit_callbacks):
    client = client_for("erin")
    assert "Prepare my data" in client.get(reverse("portal:data")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:data"), follow=True)
    assert "We are preparing your data" in response.content.decode()
    request = SubjectAccessRequest.objects.get(person=personas.erin_person)
    assert request.export_status == SubjectAccessRequest.ExportStatus.READY
    html = client.get(reverse("portal:data")).content.decode()
    download = reverse("portal:data_download", args=[request.pk])
    assert download in html

    response = client.get(download)
    assert response.status_code == 200
    day = timezone.localdate(request.exported_at)
    assert f'filename="powershare-your-data-{day:%Y-%m-%d}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {"your-data.json", "your-data.html"} <= set(archive.namelist())
    data = json.loads(archive.read("your-data.json"))
    assert "erin@people.example" in json.dumps(data)
    assert AccessEvent.objects.filter(
        subject_id=str(personas.erin_person.pk), action=AccessEvent.Action.DOWNLOADED
    ).exists()


def test_a_download_being_prepared_says_so_and_is_not_offered(client_for, personas):
    request = SubjectAccessRequest.objects.create(
        organisation=personas.council_a,
        person=personas.erin_person,
        source=SubjectAccessRequest.Source.PORTAL,
        received_on=timezone.localdate(),
        export_status=SubjectAccessRequest.ExportStatus.PREPARING,
        export_started_at=timezone.now(),
    )
    client = client_for("erin")
    html = client.get(reverse("portal:data")).content.decode()
    assert "We are preparing your data" in html
    assert "Prepare my data" not in html
    assert client.get(reverse("portal:data_download", args=[request.pk])).status_code == 404


def test_another_person_s_download_is_404_for_erin(client_for, samples):
    other = samples["subject_access_request"]
    SubjectAccessRequest.objects.filter(pk=other.pk).update(
        export_status=SubjectAccessRequest.ExportStatus.READY, export_file="x.zip"
    )
    client = client_for("erin")
    assert client.get(reverse("portal:data_download", args=[other.pk])).status_code == 404
    assert client.get("/my/data/999999/download/").status_code == 404


# ---------------------------------------------------------------------------------------------
# Support


def test_get_support_lists_urgent_help_first_and_only_services_for_her(client_for, personas):
    SupportService.objects.create(
        organisation=personas.council_a, name="Allotment chats", how_they_help="Talks."
    )
    SupportService.objects.create(
        organisation=personas.council_a,
        name="Night line",
        how_they_help="Listens, day or night.",
        is_crisis_support=True,
    )
    SupportService.objects.create(
        organisation=personas.council_a, name="Hidden one", how_they_help="x", is_active=False
    )
    SupportService.objects.create(
        organisation=personas.council_b, name="Angus only", how_they_help="x"
    )
    html = client_for("erin").get(reverse("portal:support")).content.decode()
    assert html.index("Night line") < html.index("Allotment chats")
    assert "Shona Gray" in html
    assert "Hidden one" not in html
    assert "Angus only" not in html


# ---------------------------------------------------------------------------------------------
# The invitation link


def _invite(personas, django_capture_on_commit_callbacks) -> tuple[Person, str]:
    person = Person.objects.create(
        organisation=personas.council_a,
        full_name="Fiona Fraser",
        email="fiona@people.example",
        age_band="26_64",
    )
    with django_capture_on_commit_callbacks(execute=True):
        portal_invitation_send(actor=personas.alice, person=person)
    link = re.search(r"https?://[^/\s]+(/my/welcome/[^\s]+/)", mail.outbox[-1].body).group(1)
    person.refresh_from_db()
    return person, link


def test_a_valid_invitation_link_sets_the_password_and_signs_in(
    client, personas, django_capture_on_commit_callbacks
):
    person, link = _invite(personas, django_capture_on_commit_callbacks)
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    assert "set-password" in form_url
    assert link.split("/")[-2] not in form_url
    page = client.get(form_url)
    assert page.status_code == 200
    assert "Choose a password" in page.content.decode()
    response = client.post(
        form_url,
        {
            "new_password1": "a long new password 4 Fiona",
            "new_password2": "a long new password 4 Fiona",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200
    assert "Welcome. Your password is saved" in home.content.decode()
    person.user.refresh_from_db()
    assert person.user.check_password("a long new password 4 Fiona")

    # The link works once.
    client.logout()
    response = client.get(link)
    assert response.status_code == 200
    assert "has expired or has already been used" in response.content.decode()


def test_a_weak_password_is_refused_on_the_form(
    client, personas, django_capture_on_commit_callbacks
):
    _, link = _invite(personas, django_capture_on_commit_callbacks)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_an_expired_invitation_link_fails_kindly(
    client, personas, monkeypatch, django_capture_on_commit_callbacks
):
    _, link = _invite(personas, django_capture_on_commit_callbacks)
    later = datetime.datetime.now() + datetime.timedelta(days=8)
    monkeypatch.setattr(portal_invitation_tokens, "_now", lambda: later)
    response = client.get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert "has expired or has already been used" in html
    assert reverse("accounts:password_reset") in html


@pytest.mark.parametrize(
    "path",
    [
        "/my/welcome/MQ/set-password/",
        "/my/welcome/zzzz/abc-def/",
        "/my/welcome/%FF%FE/abc/",
        "/my/welcome/OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5/1-2/",
    ],
)
def test_a_junk_invitation_link_shows_the_kind_page(client, personas, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()
    assert client.post(path, {"new_password1": "x", "new_password2": "x"}).status_code == 200


def test_the_choices_page_reads_the_same_number_of_queries_however_many_decisions(
    client_for, personas
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("erin")
    url = reverse("portal:choices")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    erin = personas.erin_person
    statement = consent_statement_current(organisation_id=erin.organisation_id, purpose="contact")
    for number in range(30):
        ConsentRecord.objects.create(
            person=erin,
            purpose="contact",
            statement=statement,
            decision=ConsentDecision.GIVEN if number % 2 else ConsentDecision.WITHDRAWN,
            method=ConsentMethod.ONLINE,
            recorded_by=personas.erin,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)

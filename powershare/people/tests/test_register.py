"""The register's staff pages: listing, adding and changing people, their consent decisions and
their portal invitation, as the participation lead (alice) and everyone who must not."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from powershare.accounts.models import Membership
from powershare.accounts.roles import Role
from powershare.audit.models import AccessEvent
from powershare.people.models import (
    ConsentPurpose,
    ConsentRecord,
    LivedExperienceArea,
    Person,
    PersonStatus,
)
from powershare.people.selectors import may_we
from powershare.people.services import person_create, portal_invitation_tokens
from tests.personas import MARKER


def _years_ago(years, days=0):
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def _form(**overrides):
    """What the add/change form sends for a simple record."""
    data = {
        "full_name": "Morag Fraser",
        "preferred_name": "Mo",
        "email": "morag@example.org",
        "phone": "07700 900 123",
        "credit_as": "first_name",
        "contact_channel": "email",
        "wellbeing_check_in": "none",
        "status": "active",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _form_for(person, **overrides):
    """The change form as it arrives when nothing is touched but `overrides`."""
    data = {
        "full_name": person.full_name,
        "preferred_name": person.preferred_name,
        "email": person.email,
        "phone": person.phone,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "age_band": person.age_band,
        "credit_as": person.credit_as,
        "contact_channel": person.contact_channel,
        "wellbeing_check_in": person.wellbeing_check_in,
        "status": person.status,
        "access_needs": person.access_needs,
        "areas": [a.pk for a in person.areas.all()],
    }
    data.update(overrides)
    return data


def _add(personas, **fields):
    fields.setdefault("full_name", "Rory Stewart")
    return person_create(actor=personas.alice, organisation_id=personas.council_a.pk, **fields)


def _consent(client, person, **overrides):
    data = {
        "purpose": ConsentPurpose.TAKE_PART,
        "decision": "given",
        "given_by": "person",
        "method": "written",
    }
    data.update(overrides)
    return client.post(reverse("people:consent_add", args=[person.pk]), data)


# ---------------------------------------------------------------------------------------------
# The list


def test_alice_sees_her_register_with_a_count_references_and_flags(client_for, personas):
    area = LivedExperienceArea.objects.create(organisation=personas.council_a, name="Justice")
    young = _add(personas, full_name="Kirsty Young", date_of_birth=_years_ago(14))
    careful = _add(
        personas,
        full_name="Callum Careful",
        check_with_support_contact=True,
        access_needs="Hearing loop",
        status=PersonStatus.RESTING,
        resting_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    careful.areas.add(area)
    body = client_for("alice").get(reverse("people:list")).content.decode()
    assert "3 people" in body  # erin and the two above
    assert young.reference in body
    assert careful.reference in body
    assert "Under 16" in body
    assert "Check with support contact first" in body
    assert "Access needs" in body
    assert "Has a portal login" in body  # erin
    assert "Justice" in body
    until = (timezone.localdate() + datetime.timedelta(days=30)).strftime("%-d %B %Y")
    assert f"Resting until {until}" in body
    for name in ("people:create", "people:import", "people:area_list", "people:retention_review"):
        assert f'href="{reverse(name)}"' in body


@pytest.mark.parametrize(
    "query", ["Morag", "Mo-the-preferred", "morag.f@example", "900 123"], ids=str
)
def test_search_finds_people_by_name_preferred_name_email_or_phone(client_for, personas, query):
    _add(
        personas,
        full_name="Morag Fraser",
        preferred_name="Mo-the-preferred",
        email="morag.f@example.org",
        phone="07700 900 123",
    )
    body = client_for("alice").get(reverse("people:list"), {"q": query}).content.decode()
    assert "Morag Fraser" in body
    assert "Erin Edwards" not in body
    assert "1 person match" in body


def test_filters_narrow_the_list_and_stay_in_the_url(client_for, personas):
    area = LivedExperienceArea.objects.create(organisation=personas.council_a, name="Care")
    tagged = _add(personas, full_name="Tagged Person")
    tagged.areas.add(area)
    _add(personas, full_name="Needs Access", access_needs="Step-free")
    _add(personas, full_name="Young Person", date_of_birth=_years_ago(15))
    _add(personas, full_name="Gone Person", status=PersonStatus.LEFT)
    _add(
        personas,
        full_name="Resting Person",
        status=PersonStatus.RESTING,
        resting_until=timezone.localdate() + datetime.timedelta(days=3),
    )
    _add(personas, full_name="Benefit Person", receives_benefits=True)
    client = client_for("alice")

    def names(**params):
        body = client.get(reverse("people:list"), params).content.decode()
        return {p.full_name for p in Person.objects.all() if p.full_name in body}

    assert names(area=area.pk) == {"Tagged Person"}
    assert names(needs="access") == {"Needs Access"}
    assert names(needs="young") == {"Young Person"}
    assert names(needs="benefits") == {"Benefit Person"}
    assert names(status="left") == {"Gone Person"}
    assert names(resting="1") == {"Resting Person"}
    # Filters are kept in the page links, so a filtered list can be shared and paged.
    body = client.get(reverse("people:list"), {"needs": "access", "status": "active"}).content
    assert b'<option value="access" selected>' in body
    assert b'<option value="active" selected>' in body


def test_odd_filters_and_search_text_are_handled_kindly(client_for, personas):
    client = client_for("alice")
    for params in (
        {"q": "a\x00b"},
        {"q": "x" * 5000},
        {"status": "nonsense", "needs": "nonsense", "area": "abc", "page": "999"},
        {"area": "99999999"},
    ):
        assert client.get(reverse("people:list"), params).status_code == 200


def test_the_list_runs_a_fixed_number_of_queries(
    client_for, personas, django_assert_max_num_queries
):
    area = LivedExperienceArea.objects.create(organisation=personas.council_a, name="Justice")

    def add(count, start):
        people = Person.objects.bulk_create(
            Person(
                organisation=personas.council_a,
                full_name=f"Person {start + i:04}",
                access_needs="Large print" if i % 2 else "",
                date_of_birth=_years_ago(10 + i % 60),
            )
            for i in range(count)
        )
        Person.areas.through.objects.bulk_create(
            Person.areas.through(person_id=p.pk, livedexperiencearea_id=area.pk) for p in people
        )

    add(10, 0)
    client = client_for("alice")
    client.get(reverse("people:list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("people:list"))
    add(490, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("people:list"), {"page": 3})
    assert "501 people" in response.content.decode()  # and erin


def test_listing_records_one_access_event_without_names_or_search_text(client_for, personas):
    _add(personas, full_name="Searchable Name")
    client_for("alice").get(reverse("people:list"), {"q": "Searchable"})
    event = AccessEvent.objects.get(user=personas.alice)
    assert event.organisation == personas.council_a
    assert "Searchable" not in event.description + event.path
    assert event.description.startswith("People register listed")


# ---------------------------------------------------------------------------------------------
# Adding and changing people


def test_alice_adds_a_person_with_areas_and_a_staff_contact(client_for, personas):
    area = LivedExperienceArea.objects.create(organisation=personas.council_a, name="Care")
    response = client_for("alice").post(
        reverse("people:create"),
        _form(areas=[area.pk], staff_contact=personas.bob.pk, date_of_birth="1990-02-03"),
    )
    person = Person.objects.get(full_name="Morag Fraser")
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert person.organisation == personas.council_a
    assert person.created_by == personas.alice
    assert list(person.areas.all()) == [area]
    assert person.staff_contact == personas.bob
    assert person.date_of_birth == datetime.date(1990, 2, 3)
    assert person.age_band == "26_64"


def test_only_someone_who_manages_two_registers_chooses_which(client_for, personas):
    client = client_for("alice")
    assert 'name="organisation"' not in client.get(reverse("people:create")).content.decode()
    Membership.objects.create(
        user=personas.alice, organisation=personas.council_b, role=Role.PARTICIPATION_LEAD
    )
    assert 'name="organisation"' in client.get(reverse("people:create")).content.decode()
    client.post(reverse("people:create"), _form(organisation=personas.council_b.pk))
    assert Person.objects.get(full_name="Morag Fraser").organisation == personas.council_b


def test_mistakes_are_explained_and_nothing_typed_is_lost(client_for, personas):
    response = client_for("alice").post(
        reverse("people:create"),
        _form(full_name="", email="not an email", access_needs="Quiet room"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter their full name" in body
    assert "Enter an email address like name@example.org" in body
    assert "Quiet room" in body
    assert 'value="Mo"' in body
    assert not Person.objects.filter(preferred_name="Mo").exists()


def test_a_service_rule_is_shown_on_its_field(client_for, personas):
    body = (
        client_for("alice")
        .post(reverse("people:create"), _form(date_of_birth="2999-01-01"))
        .content.decode()
    )
    assert "Date of birth must be today or in the past." in body
    assert 'href="#id_date_of_birth"' in body


def test_the_staff_contact_must_work_for_the_persons_organisation(client_for, personas):
    body = (
        client_for("alice")
        .post(reverse("people:create"), _form(staff_contact=personas.charlie.pk))
        .content.decode()
    )
    assert "Choose a member of staff from the list" in body
    assert personas.charlie.full_name not in body
    assert not Person.objects.filter(full_name="Morag Fraser").exists()


def test_the_same_email_is_a_probable_duplicate_until_alice_says_otherwise(client_for, personas):
    existing = _add(personas, full_name="Morag F", email="MORAG@example.org")
    client = client_for("alice")
    response = client.post(reverse("people:create"), _form(access_needs="Quiet room"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "This may be someone already on the register" in body
    assert f'href="{reverse("people:detail", args=[existing.pk])}"' in body
    assert "This is a different person, add them anyway" in body
    assert "Quiet room" in body  # nothing typed is lost
    assert Person.objects.filter(email="morag@example.org").count() == 1

    response = client.post(
        reverse("people:create"), _form(access_needs="Quiet room", different_person="on")
    )
    assert response.status_code == 302
    assert Person.objects.filter(email="morag@example.org").count() == 2


def test_the_same_name_and_date_of_birth_is_a_probable_duplicate(client_for, personas):
    _add(personas, full_name="Morag Fraser", date_of_birth=datetime.date(1990, 2, 3))
    client = client_for("alice")
    other_email = _form(email="other@example.org", date_of_birth="1990-02-03")
    body = client.post(reverse("people:create"), other_email).content.decode()
    assert "This may be someone already on the register" in body
    assert Person.objects.filter(full_name="Morag Fraser").count() == 1
    # Another date of birth is another person: no warning.
    other_birthday = _form(email="other@example.org", date_of_birth="1991-02-03")
    assert client.post(reverse("people:create"), other_birthday).status_code == 302
    assert Person.objects.filter(full_name="Morag Fraser").count() == 2


def test_the_same_form_sent_twice_adds_one_person(client_for, personas):
    client = client_for("alice")
    data = _form(form_token="one-form")
    first = client.post(reverse("people:create"), data)
    second = client.post(reverse("people:create"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Person.objects.filter(full_name="Morag Fraser").count() == 1


def test_alice_changes_a_record_and_the_change_is_in_its_history(client_for, personas):
    person = _add(personas, full_name="Iain Reid", email="iain@example.org")
    client = client_for("alice")
    response = client.post(
        reverse("people:edit", args=[person.pk]),
        _form_for(person, access_needs="Hearing loop", status="resting"),
    )
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    person.refresh_from_db()
    assert person.access_needs == "Hearing loop"
    assert person.status == PersonStatus.RESTING
    body = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Your changes have been saved." in body
    assert "access needs" in body  # the history names the field, not the value's old text


def test_changing_to_another_persons_email_warns_before_saving(client_for, personas):
    _add(personas, full_name="Other Person", email="taken@example.org")
    person = _add(personas, full_name="Iain Reid", email="iain@example.org")
    client = client_for("alice")
    url = reverse("people:edit", args=[person.pk])
    body = client.post(url, _form_for(person, email="taken@example.org")).content.decode()
    assert "This may be someone already on the register" in body
    assert "This is a different person, save anyway" in body
    person.refresh_from_db()
    assert person.email == "iain@example.org"
    # A change that leaves name, email and date of birth alone never asks.
    assert client.post(url, _form_for(person, phone="0123")).status_code == 302


def test_saving_a_record_keeps_a_hidden_area_it_already_has(client_for, personas):
    hidden = LivedExperienceArea.objects.create(
        organisation=personas.council_a, name="Old tag", is_active=False
    )
    person = _add(personas)
    person.areas.add(hidden)
    client_for("alice").post(reverse("people:edit", args=[person.pk]), _form_for(person))
    assert list(person.areas.all()) == [hidden]


# ---------------------------------------------------------------------------------------------
# A person's page


def test_the_page_shows_the_record_and_records_who_looked(client_for, personas, samples):
    person = samples["person"]
    body = client_for("alice").get(reverse("people:detail", args=[person.pk])).content.decode()
    assert person.full_name in body
    assert f"Needs {MARKER}" in body
    assert "Receives benefits that payments might affect" in body
    assert "Check with their support contact first" in body
    event = AccessEvent.objects.get(user=personas.alice, subject_id=str(person.pk))
    assert event.description == f"{person.reference}: record viewed"
    assert MARKER not in event.description


def test_the_page_shows_each_consent_decision_and_the_may_we_answer(client_for, personas, samples):
    person = samples["person"]
    person.check_with_support_contact = True
    person.save()
    body = client_for("alice").get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Be contacted" in body
    assert "Written form" in body
    assert "recorded by Alice Anderson" in body
    assert "wording version 1" in body
    assert "Check with their support contact before contacting them." in body
    assert "They have not been asked about this: take part in activities." in body
    assert f"Form {MARKER}" in body  # the consent history, with its note


def test_the_page_offers_what_alice_may_do(client_for, personas, samples):
    person = _add(personas, email="new@example.org")
    body = client_for("alice").get(reverse("people:detail", args=[person.pk])).content.decode()
    for name in ("people:edit", "people:consent_add", "people:portal_invite"):
        assert f'href="{reverse(name, args=[person.pk])}"' in body
    assert reverse("privacy:subject_access_create", args=[person.pk]) in body
    assert reverse("privacy:erasure_create", args=[person.pk]) in body
    assert "Invite to their portal" in body
    assert "No login" in body


# ---------------------------------------------------------------------------------------------
# Consent


def test_a_decision_recorded_by_staff_counts_at_once(client_for, personas, samples):
    person = samples["person"]
    assert not may_we(person=person, purpose=ConsentPurpose.TAKE_PART)
    client = client_for("alice")
    response = _consent(client, person, note="Signed form in the blue folder")
    assert response["Location"].startswith(reverse("people:detail", args=[person.pk]))
    assert may_we(person=person, purpose=ConsentPurpose.TAKE_PART)
    record = ConsentRecord.objects.filter(person=person).first()
    assert record.recorded_by == personas.alice
    assert record.method == "written"
    assert record.note == "Signed form in the blue folder"

    _consent(client, person, decision="withdrawn", method="verbal")
    assert not may_we(person=person, purpose=ConsentPurpose.TAKE_PART)


def test_the_form_shows_the_wording_staff_read_out(client_for, personas, samples):
    from powershare.privacy.selectors import consent_statements_current

    statement = consent_statements_current(organisation_id=personas.council_a.pk)["take_part"]
    person = samples["person"]
    body = client_for("alice").get(reverse("people:consent_add", args=[person.pk])).content.decode()
    assert statement.title in body
    assert force_str(statement.text)[:40] in body.replace("&#x27;", "'").replace("&quot;", '"')


def test_an_earlier_decision_date_is_kept_and_a_future_one_refused(client_for, personas, samples):
    person = samples["person"]
    client = client_for("alice")
    _consent(client, person, recorded_at="2025-01-02T10:30")
    record = ConsentRecord.objects.filter(person=person, purpose="take_part").get()
    assert timezone.localtime(record.recorded_at).date() == datetime.date(2025, 1, 2)
    body = _consent(client, person, recorded_at="2999-01-01T10:00").content.decode()
    assert "The decision can&#x27;t be in the future." in body


def test_an_under_16_needs_a_parent_or_guardian_too(client_for, personas):
    person = _add(personas, full_name="Young One", date_of_birth=_years_ago(14))
    client = client_for("alice")
    page = client.get(reverse("people:consent_add", args=[person.pk])).content.decode()
    assert "is under 16" in page

    _consent(client, person)
    assert not may_we(person=person, purpose=ConsentPurpose.TAKE_PART)

    body = _consent(client, person, given_by="guardian", guardian_name="").content.decode()
    assert "Enter the name of the parent or guardian" in body
    assert ConsentRecord.objects.filter(person=person).count() == 1

    _consent(client, person, given_by="guardian", guardian_name="Fiona One")
    assert may_we(person=person, purpose=ConsentPurpose.TAKE_PART)
    detail = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Parent or guardian" in detail
    assert "Fiona One" in detail


def test_staff_cannot_record_an_online_decision(client_for, personas, samples):
    person = samples["person"]
    _consent(client_for("alice"), person, method="online")
    assert not ConsentRecord.objects.filter(person=person, purpose="take_part").exists()


# ---------------------------------------------------------------------------------------------
# The portal invitation


def test_alice_invites_a_person_who_gets_a_single_use_link(
    client_for, personas, django_capture_on_commit_callbacks
):
    person = _add(
        personas, full_name="Invited Person", email="invited@example.org", age_band="18_25"
    )
    client = client_for("alice")
    page = client.get(reverse("people:portal_invite", args=[person.pk])).content.decode()
    assert "7 days" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:portal_invite", args=[person.pk]))
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    person.refresh_from_db()
    assert person.portal_invited_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["invited@example.org"]
    path = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[0].body).group(1)
    match = resolve(path)
    assert match.view_name == "portal:welcome"
    uid = force_str(urlsafe_base64_decode(match.kwargs["uidb64"]))
    assert uid == str(person.user_id)
    assert portal_invitation_tokens.check_token(person.user, match.kwargs["token"])
    detail = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Send a new invitation" in detail
    assert "Invited on" in detail


def test_an_invitation_without_an_email_address_says_what_to_do(client_for, personas):
    person = _add(personas, full_name="No Email", age_band="26_64")
    response = client_for("alice").post(reverse("people:portal_invite", args=[person.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Add their email address first" in body
    assert reverse("people:edit", args=[person.pk]) in body
    assert len(mail.outbox) == 0


@pytest.mark.parametrize(
    "age", [{"date_of_birth": _years_ago(11)}, {}], ids=["under 13", "age unknown"]
)
def test_children_under_13_and_people_of_unknown_age_get_no_login(client_for, personas, age):
    person = _add(personas, full_name="Small Child", email="child@example.org", **age)
    response = client_for("alice").post(reverse("people:portal_invite", args=[person.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Children under 13 can" in body
    person.refresh_from_db()
    assert person.user is None
    assert len(mail.outbox) == 0


# ---------------------------------------------------------------------------------------------
# Staff who are also on the register


@pytest.fixture
def alices_own_record(personas):
    return Person.objects.create(
        organisation=personas.council_a,
        full_name="Alice Anderson",
        email="alice.own@example.org",
        age_band="26_64",
        user=personas.alice,
    )


def test_alice_cannot_change_her_own_record_through_her_staff_role(
    client_for, personas, alices_own_record
):
    person = alices_own_record
    client = client_for("alice")
    detail = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "This is your own record. Change it in" in detail
    assert reverse("portal:details") in detail
    assert reverse("people:edit", args=[person.pk]) not in detail

    for name in ("people:edit", "people:consent_add", "people:portal_invite"):
        url = reverse(name, args=[person.pk])
        assert client.get(url).status_code == 403, name
        assert "your portal" in client.get(url).content.decode()
    client.post(reverse("people:edit", args=[person.pk]), _form_for(person, full_name="Changed"))
    _consent(client, person)
    person.refresh_from_db()
    assert person.full_name == "Alice Anderson"
    assert not ConsentRecord.objects.filter(person=person).exists()


# ---------------------------------------------------------------------------------------------
# Everyone else


def _register_urls(samples):
    person, area = samples["person"], samples["area"]
    return {
        "people:list": reverse("people:list"),
        "people:create": reverse("people:create"),
        "people:area_list": reverse("people:area_list"),
        "people:retention_review": reverse("people:retention_review"),
        "people:detail": reverse("people:detail", args=[person.pk]),
        "people:edit": reverse("people:edit", args=[person.pk]),
        "people:consent_add": reverse("people:consent_add", args=[person.pk]),
        "people:portal_invite": reverse("people:portal_invite", args=[person.pk]),
        "people:area_edit": reverse("people:area_edit", args=[area.pk]),
    }


@pytest.mark.parametrize("persona", ["bob", "erin"])
def test_facilitators_and_experts_by_experience_get_404_on_every_register_page(
    client_for, samples, persona
):
    client = client_for(persona)
    for name, url in _register_urls(samples).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, _form()).status_code == 404, name
    assert not Person.objects.filter(full_name="Morag Fraser").exists()


def test_charlie_never_sees_council_a_people(client_for, personas, samples):
    charlie_person = Person.objects.create(
        organisation=personas.council_b, full_name="Bryce Bee", age_band="26_64"
    )
    client = client_for("charlie")
    body = client.get(reverse("people:list"), {"q": "Person"}).content.decode()
    assert MARKER not in body
    body = client.get(reverse("people:list")).content.decode()
    assert "Bryce Bee" in body
    assert MARKER not in body
    assert "Erin" not in body
    assert "1 person" in body
    for name, url in _register_urls(samples).items():
        if name in {"people:list", "people:create", "people:area_list", "people:retention_review"}:
            continue
        assert client.get(url).status_code == 404, name
        assert client.post(url, _form()).status_code == 404, name
    assert client.get(reverse("people:detail", args=[charlie_person.pk])).status_code == 200


def test_an_administrator_reads_the_register_but_does_not_change_it(client_for, samples):
    person = samples["person"]
    client = client_for("admin")
    assert client.get(reverse("people:list")).status_code == 200
    detail = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert person.full_name in detail
    assert "Change details" not in detail
    assert "Record a consent decision" not in detail
    assert reverse("privacy:subject_access_create", args=[person.pk]) in detail
    urls = _register_urls(samples)
    for name in ("people:create", "people:edit", "people:consent_add", "people:portal_invite"):
        assert client.get(urls[name]).status_code == 404, name
        assert client.post(urls[name], _form()).status_code == 404, name
    assert client.get(urls["people:area_edit"]).status_code == 404
    assert client.post(urls["people:area_list"], {"name": "Sneaky"}).status_code == 404
    assert not LivedExperienceArea.objects.filter(name="Sneaky").exists()
    assert 'name="name"' not in client.get(urls["people:area_list"]).content.decode()


# ---------------------------------------------------------------------------------------------
# Areas of lived experience


def test_alice_adds_renames_and_hides_an_area(client_for, personas):
    client = client_for("alice")
    response = client.post(
        reverse("people:area_list"), {"name": "  Care   experience ", "description": "x"}
    )
    assert response["Location"] == reverse("people:area_list")
    area = LivedExperienceArea.objects.get(organisation=personas.council_a, name="Care experience")
    person = _add(personas)
    person.areas.add(area)
    body = client.get(reverse("people:area_list")).content.decode()
    assert "Care experience" in body
    assert f"?area={area.pk}" in body

    again = client.post(reverse("people:area_list"), {"name": "care experience"})
    assert "There is already an area called" in again.content.decode()

    client.post(
        reverse("people:area_edit", args=[area.pk]),
        {"name": "Care-experienced", "description": "Looked after as a child"},
    )
    area.refresh_from_db()
    assert (area.name, area.is_active) == ("Care-experienced", False)
    assert "Hidden" in client.get(reverse("people:area_list")).content.decode()
    assert list(person.areas.all()) == [area]  # hiding keeps it on records that have it


def test_the_area_list_counts_people(client_for, personas, samples):
    body = client_for("alice").get(reverse("people:area_list")).content.decode()
    assert re.search(r">\s*1<span class=\"visually-hidden\"> person with Area", body)


# ---------------------------------------------------------------------------------------------
# Retention


def test_people_who_left_long_ago_are_listed_for_review(client_for, personas, settings):
    settings.PEOPLE_RETENTION_MONTHS = 24
    long_gone = _add(personas, full_name="Long Gone")
    Person.objects.filter(pk=long_gone.pk).update(status=PersonStatus.LEFT, left_on=_years_ago(3))
    recent = _add(personas, full_name="Recently Left")
    Person.objects.filter(pk=recent.pk).update(status=PersonStatus.LEFT, left_on=_years_ago(1))
    body = client_for("alice").get(reverse("people:retention_review")).content.decode()
    assert "Long Gone" in body
    assert "Recently Left" not in body
    assert "24 months" in body
    assert "1 person to review" in body
    assert reverse("privacy:erasure_create", args=[long_gone.pk]) in body
    assert "3\xa0years" in body or "3 years" in body


def test_the_home_page_gives_participation_leads_a_people_panel(client_for, personas):
    long_gone = _add(personas, full_name="Long Gone")
    Person.objects.filter(pk=long_gone.pk).update(status=PersonStatus.LEFT, left_on=_years_ago(5))
    body = client_for("alice").get(reverse("home")).content.decode()
    assert "1 active</a>" in body  # erin
    assert "1 person left the register long enough ago to review" in body
    assert "1 active</a>" not in client_for("bob").get(reverse("home")).content.decode()

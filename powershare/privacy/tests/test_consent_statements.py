"""Consent statements: what each organisation's people agree to, version by version."""

import pytest
from django.urls import reverse

from powershare.people.models import ConsentPurpose, ConsentRecord
from powershare.people.services import consent_record_create
from powershare.privacy.models import ConsentStatement
from powershare.privacy.selectors import consent_statement_current

NEW_TEXT = (
    "You can phone or text me about chances to take part. I can ask you to stop at any time, "
    "and you will."
)


def test_the_list_shows_the_wording_in_use_for_every_purpose(client_for, personas, samples):
    page = client_for("alice").get(reverse("privacy:statement_list"))
    body = page.content.decode()
    assert page.status_code == 200
    for purpose in ConsentPurpose:
        assert purpose.label.replace("“", "").split(" ")[0] in body
    assert "PowerShare&#x27;s default wording" in body or "PowerShare's default wording" in body
    assert "Version 1" in body
    assert "Publish new wording" not in body  # leads read; administrators publish


def test_an_administrator_publishes_new_wording_and_earlier_decisions_keep_theirs(
    client_for, personas, samples
):
    a = personas.council_a
    old = consent_statement_current(organisation_id=a.pk, purpose="contact")
    earlier = ConsentRecord.objects.filter(person=samples["person"], purpose="contact").get()
    client = client_for("admin")
    listing = client.get(reverse("privacy:statement_list")).content.decode()
    assert "Publish new wording" in listing
    url = reverse("privacy:statement_publish", args=["contact"])
    form = client.get(url).content.decode()
    assert old.text in form  # prefilled from the version in use
    assert "keep the version they agreed to" in form
    response = client.post(url, {"title": "Contact me", "text": NEW_TEXT, "form_token": "p1"})
    assert response.status_code == 302
    new = consent_statement_current(organisation_id=a.pk, purpose="contact")
    assert new.organisation == a
    assert new.version == old.version + 1
    assert new.text == NEW_TEXT
    assert new.published_by == personas.admin

    # Sending the same form again publishes nothing more.
    client.post(url, {"title": "Contact me", "text": NEW_TEXT, "form_token": "p1"})
    assert ConsentStatement.objects.filter(organisation=a, purpose="contact").count() == 1

    earlier.refresh_from_db()
    assert earlier.statement == old
    later = consent_record_create(
        actor=personas.alice,
        person=samples["person"],
        purpose="contact",
        decision="withdrawn",
        method="written",
    )
    assert later.statement == new

    listing = client.get(reverse("privacy:statement_list")).content.decode()
    assert f"Version {new.version}" in listing
    assert "Aberdeen City Council&#x27;s own wording" in listing or "own wording" in listing
    assert "Earlier versions" in listing


def test_other_organisations_keep_the_default_wording(client_for, personas):
    a, b = personas.council_a, personas.council_b
    client_for("admin").post(
        reverse("privacy:statement_publish", args=["contact"]),
        {"title": "Contact me", "text": NEW_TEXT},
    )
    assert consent_statement_current(organisation_id=b.pk, purpose="contact").organisation is None
    assert consent_statement_current(organisation_id=a.pk, purpose="contact").organisation == a
    body = client_for("dora").get(reverse("privacy:statement_list")).content.decode()
    assert NEW_TEXT not in body


def test_the_list_counts_the_decisions_recorded_against_each_version(client_for, personas, samples):
    page = client_for("alice").get(reverse("privacy:statement_list"))
    contact = next(p for p in page.context["purposes"] if p["value"] == "contact")
    # Erin and the sample person agreed to be contacted under the default wording.
    assert contact["current"].records_count == 2


def test_mistakes_and_unchanged_wording_are_explained(client_for, personas):
    client = client_for("admin")
    url = reverse("privacy:statement_publish", args=["contact"])
    body = client.post(url, {"title": "", "text": "Too short"}).content.decode()
    assert "Enter a short name" in body
    assert "at least 20 characters" in body
    assert "Too short" in body
    current = consent_statement_current(organisation_id=personas.council_a.pk, purpose="contact")
    body = client.post(url, {"title": current.title, "text": current.text}).content.decode()
    assert "the same as the wording in use now" in body
    assert not ConsentStatement.objects.filter(organisation=personas.council_a).exists()


def test_an_unknown_purpose_is_not_found(client_for, personas):
    url = reverse("privacy:statement_publish", args=["sell_my_data"])
    assert client_for("admin").get(url).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "bob", "erin", "nina"])
def test_only_administrators_publish(client_for, personas, persona):
    client = client_for(persona)
    url = reverse("privacy:statement_publish", args=["contact"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Contact me", "text": NEW_TEXT}).status_code == 404
    assert not ConsentStatement.objects.filter(organisation__isnull=False).exists()


@pytest.mark.parametrize("persona", ["bob", "erin", "nina"])
def test_people_without_a_privacy_role_do_not_see_the_statements_page(
    client_for, persona, personas
):
    assert client_for(persona).get(reverse("privacy:statement_list")).status_code == 404


def test_dora_publishes_for_council_b_only(client_for, personas):
    client_for("dora").post(
        reverse("privacy:statement_publish", args=["contact"]),
        {"title": "Contact me", "text": NEW_TEXT},
    )
    statement = ConsentStatement.objects.get(organisation__isnull=False)
    assert statement.organisation == personas.council_b
    # Asking for council A by its number changes nothing: she has no role there.
    client_for("dora").post(
        reverse("privacy:statement_publish", args=["take_part"])
        + f"?organisation={personas.council_a.pk}",
        {"title": "Take part", "text": NEW_TEXT},
    )
    assert not ConsentStatement.objects.filter(organisation=personas.council_a).exists()


def test_charlie_sees_his_own_councils_wording_not_council_as(client_for, personas):
    client_for("admin").post(
        reverse("privacy:statement_publish", args=["contact"]),
        {"title": "Contact me", "text": NEW_TEXT},
    )
    client = client_for("charlie")
    page = client.get(reverse("privacy:statement_list"))
    assert page.status_code == 200
    assert personas.council_b.name in page.content.decode()
    assert NEW_TEXT not in page.content.decode()
    # Asking for council A's page by its number shows council B's all the same.
    other = client.get(reverse("privacy:statement_list"), {"organisation": personas.council_a.pk})
    assert NEW_TEXT not in other.content.decode()
    assert other.context["organisation"] == personas.council_b

"""The top-level navigation has at most seven items for everyone (docs/UX: "one top-level
navigation per role, at most seven items"), whichever role they hold, and for a person who only
has their own portal."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import ROLES_REQUIRING_TWO_FACTOR, Role
from tests.personas import sign_in

MOST = 7


def _navigation(client, user, url_name="support:list") -> list[str]:
    client.logout()
    sign_in(client, user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200, (url_name, response.status_code)
    return [item["label"] for item in response.context["navigation"]]


def _member(personas, role: str, email: str) -> User:
    organisation = personas.national if role == Role.NATIONAL_COORDINATOR else personas.council_a
    user = User.objects.create_user(email=email, password="x" * 20, full_name=f"Test {role}")
    Membership.objects.create(user=user, organisation=organisation, role=role)
    if role in ROLES_REQUIRING_TWO_FACTOR:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


@pytest.mark.parametrize("role", Role.values)
def test_every_role_sees_at_most_seven_navigation_items(client, personas, role):
    user = _member(personas, role, f"{role}@a.example")
    labels = _navigation(client, user)
    assert 1 <= len(labels) <= MOST, labels
    assert len(set(labels)) == len(labels), labels
    # Payments appear for the roles that can see them (or set their rates), and only for them.
    sees_payments = role in {
        Role.PARTICIPATION_LEAD,
        Role.LEARNING_LEAD,
        Role.LEADER,
        Role.ADMINISTRATOR,
    }
    assert ("Payments" in labels) == sees_payments, labels


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "alice",
            [
                "People",
                "Activities",
                "Feedback",
                "Learning",
                "Improvement",
                "Payments",
                "Support directory",
            ],
        ),
        ("bob", ["Activities", "Feedback", "Learning", "Improvement", "Support directory"]),
        (
            "charlie",
            [
                "People",
                "Activities",
                "Feedback",
                "Learning",
                "Improvement",
                "Payments",
                "Support directory",
            ],
        ),
        ("nina", ["Improvement", "National survey", "Support directory"]),
        ("rhona", ["National survey", "Support directory"]),
        (
            "admin",
            ["People", "Improvement", "Payments", "Support directory", "Audit"],
        ),
        (
            "dora",
            ["People", "Improvement", "Payments", "Support directory", "Audit"],
        ),
    ],
)
def test_each_persona_s_navigation_is_named_by_what_they_do(client, personas, persona, expected):
    labels = _navigation(client, personas.by_name(persona))
    assert labels == expected
    assert len(labels) <= MOST


def test_a_person_with_only_their_portal_sees_at_most_seven_items(client, personas):
    labels = _navigation(client, personas.erin, "portal:support")
    assert len(labels) <= MOST, labels
    assert "Payments" in labels
    assert "Get support" in labels
    # Nothing of the staff pages.
    assert not {"People", "Activities", "Privacy", "Audit"} & set(labels)


def test_a_facilitator_with_their_own_record_keeps_within_seven(client, personas):
    """Like the demo's Sam Docherty: a member of staff who is also on the register gets a link
    to their own page in the account bar, beside their staff navigation."""
    from powershare.engagement.tests.factories import person

    user = _member(personas, Role.FACILITATOR, "facilitator.with.record@a.example")
    person(personas.council_a, user=user)
    labels = _navigation(client, user)
    assert "Your own page" not in labels
    assert len(labels) <= MOST, labels
    html = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("portal:home")}">Your own page</a>' in html


def test_a_participation_lead_with_their_own_record_keeps_within_seven(client, personas):
    from powershare.engagement.tests.factories import person

    user = _member(personas, Role.PARTICIPATION_LEAD, "lead.with.record@a.example")
    person(personas.council_a, user=user)
    labels = _navigation(client, user)
    assert len(labels) <= MOST, labels


def test_privacy_requests_sit_in_the_people_section(client, personas):
    """Subject access and erasure requests are about people on the register: the People item is
    current on those pages, and the register links to them."""
    sign_in(client, personas.alice)
    response = client.get(reverse("privacy:subject_access_list"))
    current = [item["label"] for item in response.context["navigation"] if item["current"]]
    assert current == ["People"]
    register = client.get(reverse("people:list")).content.decode()
    assert reverse("privacy:subject_access_list") in register
    assert reverse("privacy:erasure_list") in register


def test_your_organisation_sits_in_the_account_bar_beside_your_account(client, personas):
    """Improvement took the place "Organisation" had in the menu: staff reach their organisation
    from the account bar on every page, marked as the current page when they are on it."""
    sign_in(client, personas.alice)
    url = reverse("accounts:organisation_list")
    html = client.get(reverse("support:list")).content.decode()
    assert f'<a href="{url}">Your organisation</a>' in html
    html = client.get(url).content.decode()
    assert f'<a href="{url}" aria-current="page">Your organisation</a>' in html
    sign_in(client, personas.erin)
    html = client.get(reverse("portal:support")).content.decode()
    assert "Your organisation" not in html

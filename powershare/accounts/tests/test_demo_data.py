import json
from io import StringIO

from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from powershare.accounts.models import Organisation, OrganisationKind, User


def _row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "support", "audit", "people", "privacy"}
    }


def test_the_32_councils_and_national_bodies_ship_as_reference_data(db):
    councils = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, is_reference=True)
    assert councils.count() == 32
    assert Organisation.objects.filter(name="Improvement Service").exists()
    assert Organisation.objects.filter(name="Resilience Learning Partnership").exists()


def test_demo_data_is_idempotent(demo_database, db):
    first = _row_counts()
    log_entries = LogEntry.objects.count()
    out = StringIO()
    call_command("demo_data", "--force", stdout=out)
    assert _row_counts() == first
    assert LogEntry.objects.count() == log_entries
    assert "nothing to change" in out.getvalue()


def test_the_printed_demo_logins_work(client, demo_database, db):
    out = StringIO()
    call_command("demo_data", "--list-logins", "--format", "json", stdout=out)
    logins = json.loads(out.getvalue())
    assert {"email", "password", "role", "organisation"} <= set(logins[0])
    roles = {login["role"] for login in logins}
    assert {
        "Participation lead",
        "Learning lead",
        "Leader",
        "Facilitator",
        "National coordinator",
        "Administrator",
    } <= roles
    councils_with_every_role = {
        login["organisation"] for login in logins if login["role"] == "Participation lead"
    }
    assert len(councils_with_every_role) >= 2
    for login in logins:
        response = client.post(
            reverse("accounts:login"), {"username": login["email"], "password": login["password"]}
        )
        assert response.status_code == 302, login["email"]
        client.logout()


def test_the_readme_lists_every_demo_login():
    from pathlib import Path

    from powershare.accounts.management.commands.demo_data import DEMO_PASSWORD, DEMO_PEOPLE

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    assert DEMO_PASSWORD in readme
    for email, _, role, organisation, _ in DEMO_PEOPLE:
        assert f"| {email} | {role.label} | {organisation} |" in readme
    from powershare.people.demo import LOGINS

    for login in LOGINS:
        assert f"| {login['email']} | {login['role']} | {login['organisation']} |" in readme


def test_demo_data_refuses_to_load_on_what_looks_like_a_live_service(db):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="looks like a live service"):
        call_command("demo_data", stdout=StringIO())
    assert not User.objects.filter(email__endswith="@fife.example").exists()


def test_the_demo_register_has_varied_people_across_three_organisations(demo_database, db):
    from django.db.models import Count

    from powershare.people.models import ConsentRecord, Person
    from powershare.people.selectors import may_we

    people = Person.objects.all()
    assert 35 <= people.count() <= 45
    by_organisation = dict(
        people.values_list("organisation__name")
        .annotate(n=Count("pk"))
        .values_list("organisation__name", "n")
    )
    assert set(by_organisation) == {
        "Fife Council",
        "Dundee City Council",
        "Resilience Learning Partnership",
        # The learning demo's co-design of the power-sharing course (powershare/learning/demo.py).
        "Scottish Government",
    }
    assert {p.status for p in people} == {"active", "resting", "left"}
    young = [p for p in people if p.needs_guardian_consent]
    assert len(young) >= 4
    assert any(p.is_under(13) for p in people)
    # Young people's consent counts only with their guardian's agreement, which the demo records.
    assert any(may_we(person=p, purpose="contact").allowed for p in young)
    assert ConsentRecord.objects.filter(decision="withdrawn").exists()
    assert people.filter(user__isnull=False).count() == 3
    sam = Person.objects.get(full_name="Sam Docherty")
    assert sam.user.memberships.exists()  # staff and an expert by experience on one login

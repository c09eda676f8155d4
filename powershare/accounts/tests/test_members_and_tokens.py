import re

import pytest
from django.core import mail
from django.urls import reverse

from powershare.accounts.models import ApiToken, Membership, User
from powershare.accounts.roles import Capability, Role, role_can
from powershare.audit.models import AccessEvent


def test_the_national_picture_gives_numbers_with_their_base(client_for, personas):
    body = client_for("nina").get(reverse("home")).content.decode()
    # Council A (alice, bob, admin) and council B (charlie, dora) have people; 32 councils.
    assert "2 of 32 (6%)" in body


def test_every_role_has_a_readable_list_of_what_it_may_do():
    assert role_can(Role.ADMINISTRATOR, Capability.MANAGE_MEMBERS)
    assert not role_can(Role.FACILITATOR, Capability.MANAGE_MEMBERS)
    assert role_can(Role.NATIONAL_COORDINATOR, Capability.VIEW_NATIONAL_AGGREGATES)
    assert not role_can(Role.PARTICIPATION_LEAD, Capability.VIEW_NATIONAL_AGGREGATES)
    for role in Role:
        assert role_can(role, Capability.VIEW_ORGANISATION)


def test_an_administrator_adds_a_member_who_gets_a_set_password_email(
    client_for, personas, django_capture_on_commit_callbacks
):
    client = client_for("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:member_add", args=[personas.council_a.pk]),
            {"full_name": "Dana Doe", "email": "Dana.Doe@A.example", "role": Role.LEARNING_LEAD},
        )
    assert response.status_code == 302
    user = User.objects.get(email="dana.doe@a.example")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.LEARNING_LEAD
    assert len(mail.outbox) == 1
    assert "set your password" in mail.outbox[0].subject.lower()
    link = re.search(r"https?://[^/]+(/password-reset/\S+)", mail.outbox[0].body).group(1)
    client.logout()
    page = client.get(link, follow=True)
    assert "Choose a new password" in page.content.decode()


def test_adding_someone_twice_explains_and_keeps_what_was_typed(client_for, personas):
    client = client_for("admin")
    response = client.post(
        reverse("accounts:member_add", args=[personas.council_a.pk]),
        {"full_name": "Bob Again", "email": personas.bob.email, "role": Role.LEADER},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "is already a member" in body
    assert 'value="Bob Again"' in body


def test_a_member_form_with_mistakes_names_each_field(client_for, personas):
    body = (
        client_for("admin")
        .post(
            reverse("accounts:member_add", args=[personas.council_a.pk]), {"email": "not-an-email"}
        )
        .content.decode()
    )
    assert "Enter their full name" in body
    assert "Enter an email address like name@example.org" in body
    assert "Choose a role" in body
    assert 'value="not-an-email"' in body


def test_participation_leads_cannot_manage_members(client_for, personas):
    client = client_for("alice")
    url = reverse("accounts:member_add", args=[personas.council_a.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"full_name": "X", "email": "x@a.example", "role": "leader"}).status_code
        == 404
    )


def test_an_administrator_changes_a_role_and_removes_a_member(client_for, personas):
    client = client_for("admin")
    membership = Membership.objects.get(user=personas.bob)
    client.post(reverse("accounts:membership_edit", args=[membership.pk]), {"role": Role.LEADER})
    membership.refresh_from_db()
    assert membership.role == Role.LEADER

    page = client.get(reverse("accounts:membership_end", args=[membership.pk]))
    assert "Remove Bob Brown" in page.content.decode()
    client.post(reverse("accounts:membership_end", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.ended_at is not None
    assert client_for("bob").get(reverse("accounts:organisation_list")).status_code == 200
    assert (
        client_for("bob")
        .get(reverse("accounts:organisation_detail", args=[personas.council_a.pk]))
        .status_code
        == 404
    )


def test_administrators_cannot_remove_themselves(client_for, personas):
    client = client_for("admin")
    membership = Membership.objects.get(user=personas.admin)
    response = client.post(reverse("accounts:membership_end", args=[membership.pk]))
    assert "remove yourself. Ask another administrator" in response.content.decode()
    membership.refresh_from_db()
    assert membership.ended_at is None


def test_viewing_the_member_list_is_recorded_as_an_access_to_personal_data(client_for, personas):
    client_for("bob").get(reverse("accounts:organisation_detail", args=[personas.council_a.pk]))
    event = AccessEvent.objects.get()
    assert event.user == personas.bob
    assert event.organisation == personas.council_a
    assert "Member list" in event.description


def test_a_new_api_token_is_shown_once_and_stored_only_as_a_hash(client_for, personas):
    client = client_for("alice")
    client.post(reverse("accounts:settings"), {"name": "Monthly report"})
    page = client.get(reverse("accounts:settings")).content.decode()
    plain = re.search(r'id="new-token">(ps_[^<]+)<', page).group(1)
    token = ApiToken.objects.get(user=personas.alice)
    assert token.token_hash == ApiToken.hash(plain)
    assert plain not in token.token_hash
    assert plain not in client.get(reverse("accounts:settings")).content.decode()


def test_a_token_can_be_revoked_by_its_owner_only(client_for, personas, samples):
    token = samples["api_token"]
    assert (
        client_for("bob").post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code
        == 404
    )
    client_for("alice").post(reverse("accounts:api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_empty_token_name_is_refused_kindly(client_for, personas):
    body = client_for("alice").post(reverse("accounts:settings"), {"name": ""}).content.decode()
    assert "Enter a name for the token" in body
    assert not ApiToken.objects.filter(user=personas.alice).exists()


def test_the_member_list_runs_a_fixed_number_of_queries(
    client_for, personas, django_assert_max_num_queries
):
    from powershare.accounts.services import membership_create

    client = client_for("alice")
    url = reverse("accounts:organisation_detail", args=[personas.council_a.pk])
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for i in range(60):
        membership_create(
            actor=personas.admin,
            organisation=personas.council_a,
            email=f"member{i}@a.example",
            full_name=f"Member {i}",
            role=Role.FACILITATOR,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    members = personas.council_a.memberships.filter(ended_at__isnull=True).count()
    assert members >= 63
    assert f"{members} members" in response.content.decode()


def test_emails_wait_for_the_background_worker_until_the_change_is_saved(
    client_for, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for("admin").post(
            reverse("accounts:member_add", args=[personas.council_a.pk]),
            {"full_name": "Eve Example", "email": "eve@a.example", "role": Role.LEADER},
        )
    assert len(mail.outbox) == 0
    assert len(callbacks) == 1


def test_administrators_see_who_has_not_signed_in_yet(client_for, personas):
    from powershare.accounts.services import membership_create

    membership_create(
        actor=personas.admin,
        organisation=personas.council_a,
        email="new.starter@a.example",
        full_name="New Starter",
        role=Role.LEADER,
    )
    body = client_for("admin").get(reverse("home")).content.decode()
    assert "Needs attention" in body
    # Everyone in council A who has never signed in, the new starter included.
    never = Membership.objects.filter(
        organisation=personas.council_a, user__last_login__isnull=True
    ).count()
    everyone = Membership.objects.filter(organisation=personas.council_a).count()
    assert f"{never} of the {everyone} people in your organisation have not signed in yet" in body
    assert "Needs attention" not in client_for("alice").get(reverse("home")).content.decode()


def test_a_council_cannot_make_anyone_a_national_coordinator(client_for, personas):
    from django.core.exceptions import ValidationError

    from powershare.accounts.services import membership_change_role

    client = client_for("admin")
    page = client.get(reverse("accounts:member_add", args=[personas.council_a.pk])).content.decode()
    assert "National coordinator" not in page
    response = client.post(
        reverse("accounts:member_add", args=[personas.council_a.pk]),
        {"full_name": "Nat", "email": "nat@a.example", "role": Role.NATIONAL_COORDINATOR},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(email="nat@a.example").exists()
    membership = Membership.objects.get(user=personas.bob)
    with pytest.raises(ValidationError):
        membership_change_role(
            actor=personas.admin, membership=membership, role=Role.NATIONAL_COORDINATOR
        )


def test_administrators_cannot_change_their_own_role(client_for, personas):
    membership = Membership.objects.get(user=personas.admin)
    response = client_for("admin").post(
        reverse("accounts:membership_edit", args=[membership.pk]), {"role": Role.LEADER}
    )
    assert "change your own role" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.ADMINISTRATOR


def test_adding_an_existing_account_shows_only_what_was_typed(
    client_for, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("admin").post(
            reverse("accounts:member_add", args=[personas.council_a.pk]),
            {"full_name": "Someone", "email": personas.charlie.email, "role": Role.FACILITATOR},
            follow=True,
        )
    body = response.content.decode()
    assert f"{personas.charlie.email} is now a member" in body
    assert len(mail.outbox) == 1
    assert "Aberdeen City Council" in mail.outbox[0].subject


def test_a_council_admin_cannot_reset_two_factor_for_someone_who_also_works_elsewhere(
    client_for, personas
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from powershare.accounts.services import membership_create

    TOTPDevice.objects.create(user=personas.charlie, name="app", confirmed=True)
    membership = membership_create(
        actor=personas.admin,
        organisation=personas.council_a,
        email=personas.charlie.email,
        full_name="",
        role=Role.FACILITATOR,
    )
    body = (
        client_for("admin")
        .post(reverse("accounts:membership_two_factor_reset", args=[membership.pk]))
        .content.decode()
    )
    assert "also belongs to another organisation" in body
    assert TOTPDevice.objects.filter(user=personas.charlie).exists()


def test_an_administrator_sends_a_new_link_to_someone_who_never_signed_in(
    client_for, personas, django_capture_on_commit_callbacks
):
    from powershare.accounts.services import membership_create

    membership = membership_create(
        actor=personas.admin,
        organisation=personas.council_a,
        email="late.starter@a.example",
        full_name="Late Starter",
        role=Role.LEADER,
    )
    client = client_for("admin")
    assert (
        "Send a new link"
        in client.get(
            reverse("accounts:organisation_detail", args=[personas.council_a.pk])
        ).content.decode()
    )
    url = reverse("accounts:membership_invitation_resend", args=[membership.pk])
    assert client_for("alice").post(url).status_code == 404
    client = client_for("admin")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert [m.to for m in mail.outbox] == [["late.starter@a.example"]]
    assert "/password-reset/" in mail.outbox[0].body


def test_double_submits_make_one_member_and_one_token(client_for, personas):
    client = client_for("admin")
    data = {"full_name": "Fay", "email": "fay@a.example", "role": Role.LEADER, "form_token": "t1"}
    url = reverse("accounts:member_add", args=[personas.council_a.pk])
    client.post(url, data)
    second = client.post(url, data)
    assert second.status_code == 302
    assert Membership.objects.filter(user__email="fay@a.example").count() == 1

    client = client_for("alice")
    for _ in range(2):
        client.post(reverse("accounts:settings"), {"name": "Script", "form_token": "t2"})
    assert ApiToken.objects.filter(user=personas.alice).count() == 1


def test_the_same_token_with_different_content_is_a_new_form(client_for, personas):
    client = client_for("admin")
    url = reverse("accounts:member_add", args=[personas.council_a.pk])
    for name in ["fay", "gus"]:
        client.post(
            url,
            {
                "full_name": name,
                "email": f"{name}@a.example",
                "role": Role.LEADER,
                "form_token": "same",
            },
        )
    assert (
        Membership.objects.filter(user__email__in=["fay@a.example", "gus@a.example"]).count() == 2
    )


def test_a_long_token_still_stops_a_double_submit_and_shows_a_working_token(client_for, personas):
    client = client_for("alice")
    long_token = "x" * 200
    for _ in range(2):
        client.post(reverse("accounts:settings"), {"name": "Script", "form_token": long_token})
    assert ApiToken.objects.filter(user=personas.alice).count() == 1
    page = client.get(reverse("accounts:settings")).content.decode()
    plain = re.search(r'id="new-token">(ps_[^<]+)<', page)
    assert plain is not None
    assert ApiToken.objects.get().token_hash == ApiToken.hash(plain.group(1))


def test_the_member_list_searches_and_filters_by_role(client_for, personas):
    client = client_for("alice")
    url = reverse("accounts:organisation_detail", args=[personas.council_a.pk])
    body = client.get(url, {"q": "bob"}).content.decode()
    assert "<td>Bob Brown</td>" in body
    assert "<td>Alice Anderson</td>" not in body
    assert "1 member matches" in body
    body = client.get(url, {"role": Role.ADMINISTRATOR}).content.decode()
    assert "<td>Ada Admin</td>" in body
    assert "<td>Bob Brown</td>" not in body
    assert client.get(url, {"role": "nonsense", "q": "a\x00"}).status_code == 200

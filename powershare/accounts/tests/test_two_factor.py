from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.personas import PASSWORD


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_an_administrator_must_verify_with_their_app_before_anything_else(client, personas):
    client.post(reverse("accounts:login"), {"username": personas.admin.email, "password": PASSWORD})
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))

    wrong = client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    assert "That code did not match" in wrong.content.decode()
    personas.admin_device.refresh_from_db()
    personas.admin_device.throttle_reset()  # a wrong code makes the next try wait a moment
    right = client.post(
        reverse("accounts:two_factor_verify"), {"code": _code(personas.admin_device)}
    )
    assert right.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_new_administrator_is_sent_to_set_up_two_factor(client, personas):
    TOTPDevice.objects.filter(user=personas.admin).delete()
    client.post(reverse("accounts:login"), {"username": personas.admin.email, "password": PASSWORD})
    response = client.get(reverse("support:list"))
    assert response["Location"] == reverse("accounts:two_factor_setup")

    page = client.get(reverse("accounts:two_factor_setup"))
    body = page.content.decode()
    assert "data:image/svg+xml;base64," in body
    assert "Administrators must use two-factor sign-in" in body
    assert not TOTPDevice.objects.filter(user=personas.admin).exists()  # nothing stored yet

    key = client.session["powershare_totp_setup_key"]
    client.post(reverse("accounts:two_factor_setup"), {"code": _code(TOTPDevice(key=key))})
    device = TOTPDevice.objects.get(user=personas.admin)
    assert device.confirmed
    assert device.key == key
    assert client.get(reverse("support:list")).status_code == 200


def test_repeated_wrong_codes_ask_the_person_to_wait(client, personas):
    client.post(reverse("accounts:login"), {"username": personas.admin.email, "password": PASSWORD})
    for _ in range(3):
        response = client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    assert "Wait a minute" in response.content.decode()


def test_the_setup_code_must_be_six_digits(client_for, personas):
    client = client_for("alice")
    body = client.post(reverse("accounts:two_factor_setup"), {"code": "12ab"}).content.decode()
    assert "Enter the 6 digits shown in your app" in body


def test_other_staff_may_turn_two_factor_on_and_off(client_for, personas):
    client = client_for("alice")
    assert client.get(reverse("home")).status_code == 200  # not required for alice
    client.get(reverse("accounts:two_factor_setup"))
    key = client.session["powershare_totp_setup_key"]
    client.post(reverse("accounts:two_factor_setup"), {"code": _code(TOTPDevice(key=key))})
    assert TOTPDevice.objects.get(user=personas.alice).confirmed

    client.post(reverse("accounts:two_factor_disable"))
    assert not TOTPDevice.objects.filter(user=personas.alice).exists()


def test_administrators_cannot_turn_two_factor_off(client_for, personas):
    client = client_for("admin")
    client.post(reverse("accounts:two_factor_disable"))
    assert TOTPDevice.objects.filter(user=personas.admin, confirmed=True).exists()


def test_someone_who_turned_on_two_factor_is_asked_for_a_code_at_sign_in(client, personas):
    TOTPDevice.objects.create(user=personas.bob, name="app", confirmed=True)
    client.post(reverse("accounts:login"), {"username": personas.bob.email, "password": PASSWORD})
    response = client.get(reverse("support:list"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))


def test_an_administrator_resets_a_members_lost_authenticator(client_for, personas):
    from auditlog.models import LogEntry

    from powershare.accounts.models import Membership

    TOTPDevice.objects.create(user=personas.bob, name="app", confirmed=True)
    membership = Membership.objects.get(user=personas.bob)
    url = reverse("accounts:membership_two_factor_reset", args=[membership.pk])
    assert client_for("alice").post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=personas.bob).exists()

    client = client_for("admin")
    assert "lost their phone" in client.get(url).content.decode()
    client.post(url)
    assert not TOTPDevice.objects.filter(user=personas.bob).exists()
    entry = LogEntry.objects.get_for_object(personas.bob).latest("timestamp")
    assert "two-factor sign-in" in entry.changes_dict
    assert entry.actor == personas.admin


def test_administrators_cannot_reset_their_own_two_factor_here(client_for, personas):
    from powershare.accounts.models import Membership

    membership = Membership.objects.get(user=personas.admin)
    client = client_for("admin")
    body = client.post(
        reverse("accounts:membership_two_factor_reset", args=[membership.pk])
    ).content.decode()
    assert "Ask another administrator" in body
    assert TOTPDevice.objects.filter(user=personas.admin).exists()


def test_the_service_teams_accounts_are_out_of_a_councils_reach(client_for, personas):
    from auditlog.models import LogEntry

    from powershare.accounts.models import User
    from powershare.accounts.services import two_factor_device_remove_all

    ops = User.objects.create_superuser(
        email="ops@service.example", password="x" * 20, full_name="Ops"
    )
    response = client_for("admin").post(
        reverse("accounts:member_add", args=[personas.council_a.pk]),
        {"full_name": "Ops", "email": "ops@service.example", "role": "facilitator"},
    )
    assert "belongs to the PowerShare service team" in response.content.decode()
    assert not ops.memberships.exists()
    TOTPDevice.objects.create(user=ops, name="app", confirmed=True)
    two_factor_device_remove_all(user=ops)
    assert LogEntry.objects.get_for_object(ops).filter(changes__icontains="turned off").exists()


def test_the_code_used_for_set_up_cannot_be_used_again_to_sign_in(client, personas):
    client.post(reverse("accounts:login"), {"username": personas.alice.email, "password": PASSWORD})
    client.get(reverse("accounts:two_factor_setup"))
    key = client.session["powershare_totp_setup_key"]
    code = _code(TOTPDevice(key=key))
    client.post(reverse("accounts:two_factor_setup"), {"code": code})
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login"), {"username": personas.alice.email, "password": PASSWORD})
    replay = client.post(reverse("accounts:two_factor_verify"), {"code": code})
    assert replay.status_code == 200
    assert "did not match" in replay.content.decode()


def test_plain_text_emails_show_apostrophes_as_written(
    client, personas, django_capture_on_commit_callbacks
):
    from django.core import mail

    personas.bob.full_name = "D'Arcy Brown"
    personas.bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": personas.bob.email})
    assert mail.outbox[0].body.startswith("Hello D'Arcy,")
    assert "&#x27;" not in mail.outbox[0].body

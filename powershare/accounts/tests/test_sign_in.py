import re

from django.core import mail
from django.urls import reverse

from tests.personas import PASSWORD


def test_it_signs_in_with_email_and_password_and_lands_on_the_dashboard(client, personas):
    response = client.post(
        reverse("accounts:login"), {"username": personas.alice.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert "Hello, Alice" in home.content.decode()


def test_email_is_not_case_sensitive(client, personas):
    response = client.post(
        reverse("accounts:login"),
        {"username": personas.alice.email.upper(), "password": PASSWORD},
    )
    assert response.status_code == 302


def test_a_bad_login_says_what_to_do_and_keeps_the_email(client, personas):
    response = client.post(
        reverse("accounts:login"), {"username": personas.alice.email, "password": "wrong"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "The email address or password is not right" in body
    assert f'value="{personas.alice.email}"' in body
    assert "<title>Error: " in body


def test_an_empty_login_names_each_missing_field(client, db):
    body = client.post(reverse("accounts:login"), {}).content.decode()
    assert 'href="#id_username">Enter your email address' in body
    assert 'href="#id_password">Enter your password' in body
    assert 'aria-invalid="true"' in body


def test_repeated_failures_lock_the_account_with_a_clear_page(client, personas):
    for _ in range(5):
        client.post(
            reverse("accounts:login"), {"username": personas.alice.email, "password": "wrong"}
        )
    response = client.post(
        reverse("accounts:login"), {"username": personas.alice.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    body = response.content.decode()
    assert "Sign-in is paused for this account" in body
    assert "You can sign in again in 30 minutes" in body
    assert 'class="ds_site-header"' in body


def test_the_lockout_does_not_affect_other_accounts(client, personas):
    for _ in range(5):
        client.post(
            reverse("accounts:login"), {"username": personas.alice.email, "password": "wrong"}
        )
    response = client.post(
        reverse("accounts:login"), {"username": personas.bob.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_password_reset_by_email_works_once(client, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": personas.bob.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your PowerShare password"
    assert "Choose a new password" in message.alternatives[0].content
    link = re.search(r"https?://[^/]+(/password-reset/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = client.post(
        set_url,
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert done.status_code == 302
    signed_in = client.post(
        reverse("accounts:login"),
        {"username": personas.bob.email, "password": "a-brand-new-passphrase"},
    )
    assert signed_in.status_code == 302

    client.logout()
    again = client.get(link, follow=True)
    assert "This link has expired" in again.content.decode()


def test_an_expired_or_broken_reset_link_gives_a_clear_page(client, db):
    response = client.get(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "old-token"})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This link has expired" in body
    assert "Send me a new link" in body


def test_asking_for_a_reset_does_not_reveal_whether_an_account_exists(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


def test_an_unknown_url_gives_the_design_system_404_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert 'class="ds_site-header"' in body


def test_sign_out_asks_then_signs_out(client_for):
    client = client_for("alice")
    page = client.get(reverse("accounts:logout"))
    assert "Sign out" in page.content.decode()
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).status_code == 302


def test_the_lockout_cannot_be_dodged_by_changing_the_emails_capitals(client, personas):
    for variant in ["alice", "ALICE", "Alice", "aLiCe", "ALIce"]:
        email = personas.alice.email.replace("alice", variant)
        client.post(reverse("accounts:login"), {"username": email, "password": "wrong"})
    response = client.post(
        reverse("accounts:login"),
        {"username": personas.alice.email.upper(), "password": PASSWORD},
    )
    assert response.status_code == 429


def test_the_lockout_counts_wrong_passwords_from_any_address(client, personas):
    for number in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": personas.alice.email, "password": "wrong"},
            REMOTE_ADDR=f"198.51.100.{number}",
        )
    response = client.post(
        reverse("accounts:login"),
        {"username": personas.alice.email, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.99",
    )
    assert response.status_code == 429


def test_resetting_the_password_lifts_a_pause_at_once(
    client, personas, django_capture_on_commit_callbacks
):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": personas.bob.email, "password": "no"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": personas.bob.email})
    link = re.search(r"https?://[^/]+(/password-reset/\S+)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        set_url,
        {"new_password1": "fresh-long-passphrase", "new_password2": "fresh-long-passphrase"},
    )
    response = client.post(
        reverse("accounts:login"),
        {"username": personas.bob.email, "password": "fresh-long-passphrase"},
    )
    assert response.status_code == 302


def test_a_reset_link_really_expires_after_two_hours(
    client, personas, django_capture_on_commit_callbacks, monkeypatch
):
    import datetime

    from django.contrib.auth.tokens import PasswordResetTokenGenerator

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": personas.bob.email})
    link = re.search(r"https?://[^/]+(/password-reset/\S+)", mail.outbox[0].body).group(1)
    later = datetime.datetime.now() + datetime.timedelta(hours=2, minutes=1)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    body = client.get(link, follow=True).content.decode()
    assert "This link has expired" in body


def test_someone_whose_welcome_link_expired_can_ask_for_a_new_one(
    client, personas, django_capture_on_commit_callbacks
):
    from powershare.accounts.models import User

    newcomer = User.objects.create_user(email="newcomer@a.example", full_name="New Comer")
    assert not newcomer.has_usable_password()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "Newcomer@A.example"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@a.example"]


def test_signed_in_pages_are_never_kept_by_the_browser(client_for):
    response = client_for("alice").get(reverse("home"))
    assert response["Cache-Control"] == "private, no-store"
    assert "camera=()" in response["Permissions-Policy"]


def test_sign_out_time_is_fixed_at_sign_in_and_pages_offer_to_extend_it(client, personas):
    import datetime

    from django.utils import timezone

    client.post(reverse("accounts:login"), {"username": personas.alice.email, "password": PASSWORD})
    expires = client.session.get_expiry_date()
    assert abs((expires - timezone.now()) - datetime.timedelta(hours=8)) < datetime.timedelta(
        minutes=1
    )
    body = client.get(reverse("support:list")).content.decode()
    assert 'id="session-warning"' in body
    shown = re.search(r'data-expires-at="([^"]+)"', body).group(1)
    assert abs(datetime.datetime.fromisoformat(shown) - expires) < datetime.timedelta(seconds=1)
    # The sign-out time does not drift with each page.
    client.get(reverse("home"))
    assert client.session.get_expiry_date() == expires


def test_staying_signed_in_moves_the_sign_out_time(client, personas, monkeypatch):
    import datetime

    from django.utils import timezone

    client.post(reverse("accounts:login"), {"username": personas.alice.email, "password": PASSWORD})
    session = client.session
    session.set_expiry(timezone.now() + datetime.timedelta(minutes=3))
    session.save()
    response = client.post(reverse("accounts:stay_signed_in"), HTTP_ACCEPT="application/json")
    later = datetime.datetime.fromisoformat(response.json()["expires_at"])
    assert later - timezone.now() > datetime.timedelta(hours=7, minutes=59)
    assert client.session.get_expiry_date() == later
    # Without scripts: a normal form post, back to where the person was.
    response = client.post(reverse("accounts:stay_signed_in"), {"next": "/support-services/"})
    assert response["Location"] == "/support-services/"
    assert (
        client.post(reverse("accounts:stay_signed_in"), {"next": "https://evil.example/"})[
            "Location"
        ]
        == "/"
    )


def test_lookalike_letters_do_not_reach_an_account(client, personas):
    # PostgreSQL upper-cases the dotless i to I, so a case-insensitive match would accept it.
    lookalike = personas.alice.email.replace("i", "\u0131", 1)
    response = client.post(reverse("accounts:login"), {"username": lookalike, "password": PASSWORD})
    assert response.status_code == 200
    assert "The email address or password is not right" in response.content.decode()


def test_email_addresses_are_stored_in_one_form(db):
    from powershare.accounts.models import User

    user = User.objects.create_user(email="  Mixed.Case@Example.ORG ", full_name="M")
    assert user.email == "mixed.case@example.org"
    user.email = "Other@Example.org"
    user.save()
    user.refresh_from_db()
    assert user.email == "other@example.org"


def test_the_reset_form_cannot_flood_an_inbox(client, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            client.post(reverse("accounts:password_reset"), {"email": personas.bob.email})
    assert len(mail.outbox) == 1


def test_email_links_use_the_public_address_when_set(
    client, personas, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://powershare.example.gov.scot"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": personas.bob.email})
    assert "https://powershare.example.gov.scot/password-reset/" in mail.outbox[0].body


def test_the_sign_out_warning_is_shown_without_scripts_once_it_is_due(client, personas):
    import datetime

    from django.utils import timezone

    client.post(reverse("accounts:login"), {"username": personas.alice.email, "password": PASSWORD})
    body = client.get(reverse("home")).content.decode()
    assert re.search(r'id="session-warning"[^>]*\shidden>', body)
    session = client.session
    session.set_expiry(timezone.now() + datetime.timedelta(minutes=3))
    session.save()
    body = client.get(reverse("home")).content.decode()
    assert re.search(r'id="session-warning"[^>]*"\s*>', body)
    assert not re.search(r'id="session-warning"[^>]*\shidden>', body)


def test_sign_out_is_one_button_press_from_any_page(client_for):
    client = client_for("alice")
    body = client.get(reverse("home")).content.decode()
    assert 'action="/sign-out/"' in body
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).status_code == 302

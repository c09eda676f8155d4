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
    assert "wait 30 minutes" in body
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

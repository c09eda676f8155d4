"""Tenancy across the whole project: one council never sees another's records.

Walks every named URL as each persona, filling parameters with council A's records.
"""

import pytest
from django.urls import reverse

from powershare.accounts.services import share_create
from tests.isolation import REGISTRY, has_parameters, named_urls
from tests.personas import MARKER, PASSWORD

PERSONAS = [None, "alice", "bob", "charlie", "nina", "admin", "dora", "erin"]
OTHER_COUNCIL = ["charlie", "dora"]
#: People who must see none of council A's register: another council, the national
#: coordinator (figures only, never personal data), and an expert by experience on council A's
#: own register (who sees only her own record).
OUTSIDERS = [*OTHER_COUNCIL, "nina", "erin"]


def _url(name, samples):
    return reverse(name, kwargs=REGISTRY[name].kwargs(samples))


def test_every_named_url_has_a_registry_entry():
    missing = sorted(set(named_urls()) - set(REGISTRY))
    assert not missing, (
        "These named URLs have no entry in tests/isolation.py REGISTRY, so the isolation walk "
        f"cannot check them: {missing}"
    )


def test_the_registry_names_no_url_that_no_longer_exists():
    stale = sorted(set(REGISTRY) - set(named_urls()))
    assert not stale, f"Remove these from tests/isolation.py REGISTRY: {stale}"


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p or "anonymous")
def test_no_page_fails_for_any_persona(client_for, samples, persona):
    client = client_for(persona)
    for name in named_urls():
        response = client.get(_url(name, samples))
        assert response.status_code < 500, f"{name} answered {response.status_code} for {persona}"


def test_anonymous_visitors_are_sent_to_sign_in(client_for, samples):
    client = client_for(None)
    for name in named_urls():
        entry = REGISTRY[name]
        if entry.public:
            continue
        response = client.get(_url(name, samples))
        if name.startswith("api-1.0:"):
            assert response.status_code == 401, name
            assert response.json()["code"] == "not_authenticated"
        else:
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("accounts:login")), name


#: Council A's opt-in public "you said, we did" page is published in the samples: anyone may
#: read what council A chose to publish there (an activity's title, what will change), but
#: never what anyone said below the public level.
PUBLISHED = {"public:you_said_we_did"}


def _assert_charlie_cannot_see_council_a(client, samples, visible_names=()):
    for name, route in named_urls().items():
        url = _url(name, samples)
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        body = content.decode(errors="replace")
        if name in PUBLISHED:
            assert samples["contribution"].text not in body, f"{name} shows internal words"
        else:
            assert MARKER not in body or name in visible_names, f"{name} shows council A's data"
        entry = REGISTRY[name]
        if (
            has_parameters(route)
            and not entry.public
            and not entry.own_organisation
            and name not in visible_names
        ):
            assert response.status_code == 404, f"{name} answered {response.status_code}, not 404"


#: Erin's own portal: these addresses name a part of her own details, one of her own choices,
#: her own invitation or her own contribution (not someone else's record), and her "Get support" page lists council A's support directory, which
#: is meant for the people on its register. powershare/portal/tests checks them for MARKER.
ERIN_OWN_PAGES = {
    "portal:details_change",
    "portal:choice_change",
    "portal:support",
    # Her own invitation and her own contribution (tests/personas.py): hers to open.
    "portal:opportunity",
    "portal:opportunity_answer",
    "portal:opportunity_leave",
    "portal:opportunity_say",
    "portal:contribution_add",
    "portal:contribution",
    "portal:contribution_redact",
    "portal:contribution_withdraw",
    "portal:contribution_use",
    "portal:feedback_letter",
    "portal:expense",
    "portal:expense_add_cost",
    "portal:expense_remove_cost",
    "portal:expense_send",
    "portal:expense_receipt_add",
    "portal:receipt",
    # The course she co-delivers and its handout (which quotes her own words).
    "portal:training_detail",
    "portal:training_material",
}


#: The national survey: the round (run by nina's national body) and council A's sent return
#: are the national coordinator's to read: the return is council A's answer to her survey and
#: holds no personal data (tests/personas.py keeps MARKER out of it). Changing a return stays
#: with council A's survey respondent: nina gets 404 there.
NINA_NATIONAL_PAGES = {
    name for name in REGISTRY if name.startswith("national:") and name != "national:return_edit"
} | {"api-1.0:national_round_results"}


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_council_b_gets_404_and_sees_nothing_of_council_a(client_for, samples, persona):
    visible = {"erin": ERIN_OWN_PAGES, "nina": NINA_NATIONAL_PAGES}.get(persona, ())
    _assert_charlie_cannot_see_council_a(client_for(persona), samples, visible_names=visible)


@pytest.mark.parametrize("persona", OTHER_COUNCIL)
def test_council_b_cannot_change_council_a_records(client_for, personas, samples, persona):
    """Even council B's administrator gets 404 for every form that changes council A's
    records, and nothing changes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from powershare.accounts.models import Membership, Share

    TOTPDevice.objects.get_or_create(user=personas.bob, name="app", defaults={"confirmed": True})
    client = client_for(persona)
    posts = {
        "accounts:membership_edit": {"role": "leader"},
        "accounts:membership_end": {},
        "accounts:membership_two_factor_reset": {},
        "accounts:membership_invitation_resend": {},
        "accounts:member_add": {"full_name": "X", "email": "x@b.example", "role": "leader"},
        "accounts:api_token_revoke": {},
        "support:edit": {"name": "Taken over", "how_they_help": "x", "phone": "1"},
        "support:sharing": {"partner": personas.council_b.pk},
        "support:share_end": {},
    }
    for name, data in posts.items():
        response = client.post(_url(name, samples), data)
        assert response.status_code == 404, f"{name} answered {response.status_code}"
    membership = Membership.objects.get(pk=samples["membership"].pk)
    assert membership.role == "facilitator"
    assert membership.ended_at is None
    assert TOTPDevice.objects.filter(user=personas.bob).exists()
    assert not Membership.objects.filter(user__email="x@b.example").exists()
    samples["support_service"].refresh_from_db()
    assert samples["support_service"].name.startswith("Service ")
    assert Share.objects.active().filter(pk=samples["share"].pk).exists()
    assert not Share.objects.active().filter(partner=personas.council_b).exists()
    samples["api_token"].refresh_from_db()
    assert samples["api_token"].revoked_at is None


def test_a_password_alone_opens_nothing_for_someone_with_two_factor(client, personas, samples):
    """Half signed in (password right, code not yet given): every page that is not public sends
    the person to the code page, and the API says 401."""
    client.post(reverse("accounts:login"), {"username": personas.admin.email, "password": PASSWORD})
    verify = reverse("accounts:two_factor_verify")
    for name in named_urls():
        if REGISTRY[name].public or name in {"accounts:two_factor_verify", "accounts:logout"}:
            continue
        response = client.get(_url(name, samples))
        if name.startswith("api-1.0:"):
            assert response.status_code == 401, name
        else:
            assert response.status_code == 302, name
            assert response["Location"].startswith(verify), f"{name} -> {response['Location']}"
    # Nor can a password alone replace the authenticator app.
    response = client.post(reverse("accounts:two_factor_setup"), {"code": "123456"})
    assert response["Location"].startswith(verify)
    assert personas.admin_device.__class__.objects.filter(pk=personas.admin_device.pk).exists()


def test_once_shared_charlie_sees_that_record_and_nothing_else(client_for, personas, samples):
    service = samples["support_service"]
    share_create(actor=personas.alice, record=service, partner=personas.council_b)
    client = client_for("charlie")

    detail = client.get(reverse("support:detail", args=[service.pk]))
    assert detail.status_code == 200
    assert service.name in detail.content.decode()
    listing = client.get(reverse("support:list"))
    assert service.name in listing.content.decode()

    # Sharing lets charlie read it, not change it or re-share it.
    for name in ("support:edit", "support:sharing", "support:share_end"):
        assert client.get(_url(name, samples)).status_code == 404, name

    # The shared record's own text carries the marker; everything else of A's stays hidden.
    _assert_charlie_cannot_see_council_a(
        client, samples, visible_names={"support:detail", "support:list"}
    )
    assert "Alice" not in detail.content.decode()  # who shared it and the history stay with A


def test_bob_sees_his_own_council_but_cannot_manage_it(client_for, samples):
    client = client_for("bob")
    assert client.get(_url("accounts:organisation_detail", samples)).status_code == 200
    assert client.get(_url("support:detail", samples)).status_code == 200
    for name in ("support:edit", "support:sharing", "accounts:member_add", "audit:change_log"):
        assert client.get(_url(name, samples)).status_code == 404, name


def test_nina_sees_national_figures_but_no_council_personal_data(client_for, samples):
    client = client_for("nina")
    home = client.get(reverse("home")).content.decode()
    assert "The national picture" in home
    assert MARKER not in home
    assert client.get(_url("accounts:organisation_detail", samples)).status_code == 404

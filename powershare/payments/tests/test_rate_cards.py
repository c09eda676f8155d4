"""Rate cards and payment settings: an administrator (with two-factor sign-in) publishes
versions of the rates and sets the organisation's defaults; staff who see payments may read the
rate cards; a rate card a payment used is never changed; everyone else gets 404."""

import datetime
import html as html_lib
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from powershare.payments import services
from powershare.payments.models import PaymentSettings, RateCard
from tests.personas import MARKER

LIST = reverse("payments:rate_card_list")
CREATE = reverse("payments:rate_card_create")
SETTINGS = reverse("payments:settings")


def _text(response) -> str:
    html = re.sub(r"</?(strong|span|a|em|b)\b[^>]*>", "", response.content.decode())
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _edit(card):
    return reverse("payments:rate_card_edit", args=[card.pk])


def _card_data(**overrides):
    data = {
        "form_token": "card-1",
        "effective_from": "2026-04-06",
        "hourly_rate": "£22.50",
        "half_day_rate": "80",
        "full_day_rate": "150.00",
        "preparation_max_hours": "2",
        "travel_time_policy": "hourly",
        "travel_max_hours": "1.5",
        "mileage_rate": "0.45",
        "notes": "From the new tax year.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def unused_card(personas):
    return RateCard.objects.create(
        organisation=personas.council_a,
        effective_from=datetime.date(2030, 1, 1),
        hourly_rate=Decimal("25.00"),
        half_day_rate=Decimal("90.00"),
        full_day_rate=Decimal("170.00"),
    )


def test_the_administrator_adds_a_rate_card(client_for, personas, samples):
    client = client_for("admin")
    form = client.get(CREATE)
    assert form.status_code == 200
    # Filled in with the rates in force today, so only what changes needs typing.
    assert 'value="20.00"' in form.content.decode()

    response = client.post(CREATE, _card_data(), follow=True)
    assert response.redirect_chain[-1][0] == LIST
    card = RateCard.objects.get(
        organisation=personas.council_a, effective_from=datetime.date(2026, 4, 6)
    )
    assert (card.hourly_rate, card.half_day_rate, card.full_day_rate) == (
        Decimal("22.50"),
        Decimal("80.00"),
        Decimal("150.00"),
    )
    assert (card.preparation_max_hours, card.travel_time_policy, card.travel_max_hours) == (
        Decimal("2.00"),
        "hourly",
        Decimal("1.50"),
    )
    assert card.created_by == personas.admin
    page = _text(response)
    assert "Rate card added." in page
    assert "6 April 2026" in page


def test_a_double_submit_adds_one_rate_card(client_for, personas):
    client = client_for("admin")
    client.post(CREATE, _card_data())
    client.post(CREATE, _card_data())
    assert RateCard.objects.filter(organisation=personas.council_a).count() == 1


def test_mistakes_are_named_and_what_was_typed_is_kept(client_for, personas):
    client = client_for("admin")
    response = client.post(CREATE, _card_data(hourly_rate="twenty", full_day_rate=""))
    assert response.status_code == 200
    page = _text(response)
    assert "There is a problem" in page
    assert "Enter the hourly rate as a number, like 12.50" in page
    assert "Enter the full-day rate" in page
    assert 'value="twenty"' in response.content.decode()
    assert not RateCard.objects.exists()


def test_two_versions_cannot_start_on_the_same_day(client_for, personas, unused_card):
    response = client_for("admin").post(CREATE, _card_data(effective_from="2030-01-01"))
    assert "There is already a rate card starting that day" in _text(response)
    assert RateCard.objects.count() == 1


def test_the_list_says_which_card_is_in_force_and_how_much_each_is_used(
    client_for, personas, samples, unused_card
):
    page = _text(client_for("alice").get(LIST))
    assert "2 rate cards" in page
    assert "1 January 2020 In force today" in page
    used = samples["rate_card"].payments.count()
    assert used >= 2  # the sample person's payment and erin's
    assert f"In use by {used} payments" in page
    assert "1 January 2030 Starts later" in page
    assert "Not used yet" in page
    # Alice reads the rates; changing them is the administrator's.
    assert CREATE not in client_for("alice").get(LIST).content.decode()
    admin_html = client_for("admin").get(LIST).content.decode()
    assert _edit(unused_card) in admin_html
    assert _edit(samples["rate_card"]) not in admin_html


def test_an_unused_rate_card_can_be_changed(client_for, personas, unused_card):
    response = client_for("admin").post(
        _edit(unused_card), _card_data(effective_from="2030-02-01", hourly_rate="26"), follow=True
    )
    assert response.redirect_chain[-1][0] == LIST
    unused_card.refresh_from_db()
    assert unused_card.hourly_rate == Decimal("26.00")
    assert unused_card.effective_from == datetime.date(2030, 2, 1)


def test_a_rate_card_in_use_is_never_changed(client_for, personas, samples):
    card = samples["rate_card"]
    client = client_for("admin")
    page = client.get(_edit(card))
    assert page.status_code == 200
    text = _text(page)
    assert "Payments have been worked out with these rates, so they can't be changed." in text
    assert CREATE in page.content.decode()
    assert 'name="hourly_rate"' not in page.content.decode()

    response = client.post(_edit(card), _card_data(effective_from="2020-01-01", hourly_rate="99"))
    assert response.status_code == 200
    assert "Nothing was changed" in _text(response)
    card.refresh_from_db()
    assert card.hourly_rate == Decimal("20.00")


def test_the_administrator_sets_the_payment_defaults(client_for, personas):
    client = client_for("admin")
    assert client.get(SETTINGS).status_code == 200
    response = client.post(
        SETTINGS,
        {
            "weekly_limit": "50",
            "monthly_limit": "",
            "yearly_limit": "£1,200",
            "default_cost_code": "PX-100",
            "pay_within_days": "10",
            "advice": "Ring the welfare rights team on 01224 000000.",
        },
        follow=True,
    )
    assert "The payment settings have been saved." in _text(response)
    saved = PaymentSettings.objects.get(organisation=personas.council_a)
    assert (saved.weekly_limit, saved.monthly_limit, saved.yearly_limit) == (
        Decimal("50.00"),
        None,
        Decimal("1200.00"),
    )
    assert (saved.default_cost_code, saved.pay_within_days) == ("PX-100", 10)
    assert saved.updated_by == personas.admin

    bad = client.post(SETTINGS, {"weekly_limit": "fifty", "pay_within_days": "0"})
    page = _text(bad)
    assert "Enter the weekly limit as a number, like 12.50" in page
    assert "Enter a number of days from 1 to 90" in page
    assert 'value="fifty"' in bad.content.decode()
    saved.refresh_from_db()
    assert saved.weekly_limit == Decimal("50.00")


def test_the_default_cost_code_is_offered_on_a_new_payment(client_for, personas):
    services.payment_settings_update(
        actor=personas.admin,
        organisation_id=personas.council_a.pk,
        default_cost_code="PX-777",
        pay_within_days=14,
    )
    html = client_for("alice").get(reverse("payments:payment_create")).content.decode()
    assert 'value="PX-777"' in html


def test_alice_reads_the_rate_cards_but_cannot_change_them(client_for, samples, unused_card):
    client = client_for("alice")
    assert client.get(LIST).status_code == 200
    assert client.get(CREATE).status_code == 404
    assert client.post(CREATE, _card_data()).status_code == 404
    assert client.get(_edit(unused_card)).status_code == 404
    assert client.post(_edit(unused_card), _card_data(hourly_rate="1")).status_code == 404
    assert client.get(SETTINGS).status_code == 404
    assert client.post(SETTINGS, {"pay_within_days": "3"}).status_code == 404
    unused_card.refresh_from_db()
    assert unused_card.hourly_rate == Decimal("25.00")
    assert RateCard.objects.count() == 2
    assert not PaymentSettings.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "erin", "nina"])
def test_people_without_the_role_get_404(client_for, samples, persona):
    client = client_for(persona)
    card = samples["rate_card"]
    for url in (LIST, CREATE, _edit(card), SETTINGS):
        assert client.get(url).status_code == 404, url
    for url in (CREATE, _edit(card), SETTINGS):
        assert client.post(url, _card_data(pay_within_days="3")).status_code == 404, url
    assert RateCard.objects.count() == 1


@pytest.mark.parametrize("persona", ["charlie", "dora"])
def test_another_council_sees_none_of_council_as_rates(client_for, personas, samples, persona):
    client = client_for(persona)
    card = samples["rate_card"]
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert MARKER not in listing.content.decode()
    assert "0 rate cards" in _text(listing)
    assert client.get(_edit(card)).status_code == 404
    assert client.post(_edit(card), _card_data(hourly_rate="1")).status_code == 404
    card.refresh_from_db()
    assert card.hourly_rate == Decimal("20.00")


def test_dora_sets_her_own_councils_rates_only(client_for, personas):
    client = client_for("dora")
    client.post(CREATE, _card_data())
    assert RateCard.objects.get().organisation == personas.council_b
    client.post(SETTINGS, {"weekly_limit": "70", "pay_within_days": "14"})
    assert PaymentSettings.objects.get().organisation == personas.council_b
    assert client.get(reverse("payments:home")).status_code == 200


# ---------------------------------------------------------------------------------------------
# Numbers typed in any form: never a server error

ODD_NUMBERS = ["1e30", "-1e30", "9e99", "NaN", "Infinity"]


@pytest.mark.parametrize("typed", ODD_NUMBERS)
@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("hourly_rate", "Enter the hourly rate as a number, like 12.50"),
        ("mileage_rate", "Enter the mileage rate as a number, like 12.50"),
        ("preparation_max_hours", "Enter the preparation hours as a number, like 2 or 1.5"),
        ("travel_max_hours", "Enter the travel hours as a number, like 2 or 1.5"),
    ],
)
def test_a_rate_card_refuses_odd_numbers_kindly(client_for, personas, typed, field, message):
    response = client_for("admin").post(CREATE, _card_data(**{field: typed}))
    assert response.status_code == 200
    page = _text(response)
    assert "There is a problem" in page
    assert message in page
    assert f'value="{typed}"' in response.content.decode()
    assert not RateCard.objects.exists()


def test_a_rate_too_big_is_refused_before_it_is_rounded(client_for, personas):
    response = client_for("admin").post(CREATE, _card_data(hourly_rate="99999999999999999999"))
    assert response.status_code == 200
    assert "The hourly rate can't be more than £10,000.00." in _text(response)
    assert not RateCard.objects.exists()


@pytest.mark.parametrize("typed", ODD_NUMBERS)
@pytest.mark.parametrize("field", ["weekly_limit", "monthly_limit", "yearly_limit"])
def test_the_settings_refuse_odd_numbers_kindly(client_for, personas, typed, field):
    response = client_for("admin").post(SETTINGS, {field: typed, "pay_within_days": "14"})
    assert response.status_code == 200
    assert "limit as a number, like 12.50" in _text(response)
    assert not PaymentSettings.objects.exists()


# ---------------------------------------------------------------------------------------------
# The target for paying people


def test_the_settings_say_where_the_target_is_used(client_for, personas):
    page = _text(client_for("admin").get(SETTINGS))
    assert "“Pay people within” is your target for paying people." in page
    assert "on their home page" in page
    assert "payment reports" in page
    # The administrator doesn't see the reports, so they are named, not linked.
    assert reverse("payments:reports") not in client_for("admin").get(SETTINGS).content.decode()


# ---------------------------------------------------------------------------------------------
# A fixed number of queries, whatever the number of rows


def _cards(organisation, count: int, start: datetime.date) -> None:
    RateCard.objects.bulk_create(
        RateCard(
            organisation=organisation,
            effective_from=start + datetime.timedelta(days=i),
            hourly_rate=Decimal("20.00"),
            half_day_rate=Decimal("75.00"),
            full_day_rate=Decimal("140.00"),
        )
        for i in range(count)
    )


@pytest.mark.parametrize("persona", ["admin", "alice"])
def test_the_rate_card_list_runs_a_fixed_number_of_queries(client_for, personas, persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(persona)

    def queries() -> int:
        client.get(LIST)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, {"page": 2}).status_code == 200
        return len(captured.captured_queries)

    _cards(personas.council_a, 10, datetime.date(2001, 1, 1))
    few = queries()
    _cards(personas.council_a, 190, datetime.date(2010, 1, 1))
    many = queries()
    page = _text(client.get(LIST))
    assert "200 rate cards" in page
    assert many == few

"""The learning overview (what needs attention first: your sessions, registers not taken,
materials to update, teams without lived experience), the learning settings, and the block
"Learning that needs you" on the staff home page."""

import datetime
import html as html_lib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from powershare.learning import selectors
from powershare.learning.models import (
    Attendance,
    DeliverySession,
    Facilitator,
    LearningSettings,
    Material,
    SessionMode,
)
from tests.personas import MARKER

HOME = reverse("learning:home")
SETTINGS = reverse("learning:settings")


def _text(response) -> str:
    body = response.content.decode()
    body = re.sub(r"</?(strong|span|a|em|b)\b[^>]*>", "", body)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_bob_sees_the_sessions_he_is_on_the_team_for_first(client_for, samples):
    """bob is on the sample delivery's team; erin's course is another session coming up."""
    page = _text(client_for("bob").get(HOME))
    yours = page.index("Your next sessions")
    others = page.index("Other sessions coming up")
    sample = samples["delivery"]
    assert yours < page.index(sample.cohort) < others
    assert page.index(samples["erin_delivery"].cohort) > others
    places = selectors.places(delivery=sample)
    assert f"{places.booked} of {sample.capacity}" in page


def test_alice_on_no_team_sees_every_session_coming_up(client_for, samples):
    page = _text(client_for("alice").get(HOME))
    assert "You are not on the team for any session coming up." in page
    assert samples["delivery"].cohort in page
    assert samples["erin_delivery"].cohort in page
    assert "Add a learning product" in page
    assert "Learning settings" in page


def test_registers_not_taken_come_first(client_for, personas, samples):
    held = DeliverySession.objects.create(
        delivery=samples["delivery"],
        number=2,
        date=timezone.localdate() - datetime.timedelta(days=3),
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12, 30),
        mode=SessionMode.IN_PERSON,
        venue="Council A offices",
    )
    response = client_for("bob").get(HOME)
    body = response.content.decode()
    assert "1 register has not been taken" in _text(response)
    assert reverse("learning:register", args=[held.pk]) in body
    Attendance.objects.create(session=held, booking=samples["booking"], attended=True)
    assert "not been taken" not in _text(client_for("bob").get(HOME))


def test_materials_and_teams_that_need_attention(client_for, personas, samples):
    material = samples["material"]
    Material.objects.filter(pk=material.pk).update(
        needs_updating_since=timezone.now(),
        needs_updating_reason="A quoted contribution was withdrawn.",
    )
    Facilitator.objects.filter(delivery=samples["delivery"], lived=True).delete()
    response = client_for("alice").get(HOME)
    page = _text(response)
    assert "1 material needs updating" in page
    assert material.title in page
    assert "1 delivery has no one with lived experience on the team" in page
    assert reverse("learning:team", args=[samples["delivery"].pk]) in response.content.decode()
    home = _text(client_for("alice").get(reverse("home")))
    assert "Learning that needs you" in home
    assert "1 learning material needs updating" in home
    assert "1 delivery has no one with lived experience on the team" in home
    # A recorded reason settles the warning.
    delivery = samples["delivery"]
    delivery.no_lived_experience_reason = "Our trainer is ill; the team agreed to go ahead."
    delivery.save()
    assert "no one with lived experience" not in _text(client_for("alice").get(HOME))


def test_the_overview_is_for_staff_who_see_learning(client_for, samples):
    assert client_for("erin").get(HOME).status_code == 404
    charlie = client_for("charlie").get(HOME)
    assert charlie.status_code == 200  # his own council's learning: none of council A's
    assert MARKER not in charlie.content.decode()
    assert client_for("nina").get(HOME).status_code == 404
    assert "Learning that needs you" not in _text(client_for("nina").get(reverse("home")))


# ---------------------------------------------------------------------------------------------
# Settings


def test_alice_sets_how_long_learners_are_kept_and_offers_are_held(client_for, personas):
    client = client_for("alice")
    form = client.get(SETTINGS).content.decode()
    default = LearningSettings._meta.get_field("learner_retention_days").default
    assert f'value="{default}"' in form
    response = client.post(SETTINGS, {"learner_retention_days": "180", "offer_hours": "24"})
    assert response.status_code == 302
    saved = selectors.learning_settings_for(organisation_id=personas.council_a.pk)
    assert (saved.learner_retention_days, saved.offer_hours) == (180, 24)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"learner_retention_days": "7", "offer_hours": "24"}, "from 30 to 3650"),
        ({"learner_retention_days": "365", "offer_hours": "a day"}, "from 1 to 336"),
        ({"learner_retention_days": "", "offer_hours": "24"}, "Enter how many days"),
    ],
)
def test_settings_mistakes_are_named_and_kept(client_for, personas, data, message):
    response = client_for("alice").post(SETTINGS, data)
    assert response.status_code == 200
    assert message in _text(response)
    assert "There is a problem" in _text(response)
    for value in data.values():
        if value:
            assert f'value="{value}"' in response.content.decode()
    assert not LearningSettings.objects.filter(organisation=personas.council_a).exists()


@pytest.mark.parametrize("persona", ["bob", "erin", "nina"])
def test_only_those_who_run_learning_change_settings(client_for, personas, persona):
    client = client_for(persona)
    assert client.get(SETTINGS).status_code == 404
    data = {"learner_retention_days": "30", "offer_hours": "1"}
    assert client.post(SETTINGS, data).status_code == 404
    assert not LearningSettings.objects.filter(organisation=personas.council_a).exists()


def test_charlie_changes_only_his_own_councils_settings(client_for, personas):
    client = client_for("charlie")
    url = f"{SETTINGS}?organisation={personas.council_a.pk}"
    response = client.post(url, {"learner_retention_days": "40", "offer_hours": "2"})
    assert response.status_code == 302
    assert not LearningSettings.objects.filter(organisation=personas.council_a).exists()
    assert (
        LearningSettings.objects.get(organisation=personas.council_b).learner_retention_days == 40
    )

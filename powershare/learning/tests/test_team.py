"""A delivery's facilitator team: who is on it and the experience each brings, adding staff and
people from the register, changing and removing them, and "nothing about us without us": a
team without lived experience shows a warning until a reason is recorded, and a team made up
entirely of experts by experience is welcomed.

Only MANAGE_LEARNING in the delivery's organisation sees or changes the team: bob (a
facilitator), charlie (another council) and erin (an expert by experience) get 404, and their
POSTs change nothing."""

import html

import pytest
from django.urls import reverse

from powershare.engagement.tests import factories as make
from powershare.learning.models import Delivery, Facilitator
from tests.personas import MARKER


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _team(delivery):
    return reverse("learning:team", args=[delivery.pk])


def _acknowledge(delivery):
    return reverse("learning:team_acknowledge", args=[delivery.pk])


def _add_staff(client, delivery, user, *, experience=("professional",), lead=False, once="t1"):
    data = {"add": "staff", "form_token": once, "staff-user": user.pk}
    data["staff-experience"] = list(experience)
    if lead:
        data["staff-is_lead"] = "on"
    return client.post(_team(delivery), data)


def _add_person(client, delivery, person, *, experience=("lived",), once="p1"):
    return client.post(
        _team(delivery),
        {
            "add": "person",
            "form_token": once,
            "person-person": person.pk,
            "person-experience": list(experience),
        },
    )


# ---------------------------------------------------------------------------------------------
# Who may open the pages


def _team_urls(samples):
    delivery = samples["delivery"]
    facilitator = samples["facilitator"]
    return [
        _team(delivery),
        _acknowledge(delivery),
        reverse("learning:facilitator_edit", args=[facilitator.pk]),
        reverse("learning:facilitator_remove", args=[facilitator.pk]),
    ]


def test_alice_sees_the_team_with_each_persons_experience(client_for, samples):
    response = client_for("alice").get(_team(samples["delivery"]))
    assert response.status_code == 200
    page = _page(response)
    assert "Bob" in page  # bob, a member of staff, leads
    assert samples["trainer"].person.name in page
    assert "Member of staff" in page
    assert "commissioned trainer" in page
    assert "Lived" in page
    assert "Professional" in page
    # Someone has lived experience: no warning.
    assert "Nobody on this team has lived experience" not in page


@pytest.mark.parametrize("persona", ["bob", "charlie", "erin", "nina"])
def test_everyone_else_gets_404_on_the_team_pages(client_for, samples, persona):
    client = client_for(persona)
    for url in _team_urls(samples):
        response = client.get(url)
        assert response.status_code == 404, (persona, url)
        assert MARKER not in response.content.decode()


@pytest.mark.parametrize("persona", ["bob", "charlie", "erin"])
def test_their_posts_change_nothing(client_for, personas, samples, persona):
    client = client_for(persona)
    delivery = samples["delivery"]
    before = Facilitator.objects.filter(delivery=delivery).count()
    assert _add_staff(client, delivery, personas.alice).status_code == 404
    assert (
        client.post(
            reverse("learning:facilitator_remove", args=[samples["facilitator"].pk])
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("learning:facilitator_edit", args=[samples["facilitator"].pk]),
            {"experience": ["lived"]},
        ).status_code
        == 404
    )
    assert (
        client.post(_acknowledge(delivery), {"reason": "A long enough reason"}).status_code == 404
    )
    assert Facilitator.objects.filter(delivery=delivery).count() == before
    facilitator = Facilitator.objects.get(pk=samples["facilitator"].pk)
    assert facilitator.professional
    assert not facilitator.lived
    delivery.refresh_from_db()
    assert delivery.no_lived_experience_reason == ""


def test_a_facilitator_pk_that_is_not_a_number_or_too_big_is_404(client_for):
    client = client_for("alice")
    for pk in (0, 2**63):
        assert client.get(f"/learning/facilitators/{pk}/edit/").status_code == 404


# ---------------------------------------------------------------------------------------------
# Adding, changing and removing


def test_alice_adds_a_member_of_staff_with_several_kinds_of_experience(
    client_for, personas, samples
):
    delivery = samples["delivery"]
    response = _add_staff(
        client_for("alice"), delivery, personas.alice, experience=("professional", "leadership")
    )
    assert response.status_code == 302
    added = Facilitator.objects.get(delivery=delivery, user=personas.alice)
    assert added.professional
    assert added.leadership
    assert not added.lived
    assert "Alice" in _page(client_for("alice").get(response["Location"]))


def test_sending_the_same_form_twice_adds_them_once(client_for, personas, samples):
    client = client_for("alice")
    delivery = samples["delivery"]
    _add_staff(client, delivery, personas.alice, once="same")
    second = _add_staff(client, delivery, personas.alice, once="same")
    assert second.status_code == 302
    assert Facilitator.objects.filter(delivery=delivery, user=personas.alice).count() == 1


def test_alice_adds_a_person_from_the_register_with_lived_experience(client_for, personas, samples):
    delivery = samples["delivery"]
    newcomer = make.person(personas.council_a, "Morag Lindsay")
    response = _add_person(client_for("alice"), delivery, newcomer)
    assert response.status_code == 302
    added = Facilitator.objects.get(delivery=delivery, person=newcomer)
    assert added.lived
    assert added.user_id is None


def test_staff_of_another_council_and_erased_people_cannot_be_chosen(client_for, personas, samples):
    client = client_for("alice")
    delivery = samples["delivery"]
    page = _page(client.get(_team(delivery)))
    assert "Charlie" not in page  # council B's staff are not offered
    erased = make.person(personas.council_a, "Erased Zqperson")
    from django.utils import timezone

    erased.erased_at = timezone.now()
    erased.save()
    other = make.person(personas.council_b, "Council B Zqperson")
    assert "Erased Zqperson" not in _page(client.get(_team(delivery)))
    for person in (erased, other):
        response = _add_person(client, delivery, person, once=f"x{person.pk}")
        assert response.status_code == 200
        assert "Choose a person from the list" in _page(response)
        assert not Facilitator.objects.filter(delivery=delivery, person=person).exists()
    response = _add_staff(client, delivery, personas.charlie)
    assert "Choose a member of staff from the list" in _page(response)
    assert not Facilitator.objects.filter(delivery=delivery, user=personas.charlie).exists()


def test_adding_without_experience_says_what_to_do_and_keeps_the_choice(
    client_for, personas, samples
):
    delivery = samples["delivery"]
    response = _add_staff(client_for("alice"), delivery, personas.alice, experience=())
    assert response.status_code == 200
    page = _page(response)
    assert "There is a problem" in page
    assert "Choose the experience they bring" in page
    assert 'href="#id_staff-experience_0"' in page
    assert f'value="{personas.alice.pk}" selected' in page
    assert not Facilitator.objects.filter(delivery=delivery, user=personas.alice).exists()


@pytest.mark.parametrize("bad", ["abc", "99999999999999999999999", "-1", ""])
def test_a_made_up_choice_gets_a_message_not_an_error(client_for, samples, bad):
    client = client_for("alice")
    response = client.post(
        _team(samples["delivery"]),
        {"add": "person", "person-person": bad, "person-experience": ["lived"]},
    )
    assert response.status_code == 200
    assert "Choose" in _page(response)


def test_alice_changes_someones_experience_and_lead(client_for, samples):
    facilitator = samples["facilitator"]
    response = client_for("alice").post(
        reverse("learning:facilitator_edit", args=[facilitator.pk]),
        {"experience": ["professional", "leadership"]},
    )
    assert response.status_code == 302
    facilitator.refresh_from_db()
    assert facilitator.leadership
    assert facilitator.professional
    assert not facilitator.is_lead


def test_changing_needs_some_experience(client_for, samples):
    facilitator = samples["facilitator"]
    response = client_for("alice").post(
        reverse("learning:facilitator_edit", args=[facilitator.pk]), {"is_lead": "on"}
    )
    assert response.status_code == 200
    assert "Choose the experience they bring" in _page(response)
    facilitator.refresh_from_db()
    assert facilitator.professional


def test_alice_removes_a_member_of_staff(client_for, samples):
    facilitator = samples["facilitator"]
    client = client_for("alice")
    page = _page(client.get(reverse("learning:facilitator_remove", args=[facilitator.pk])))
    assert "Remove" in page
    response = client.post(reverse("learning:facilitator_remove", args=[facilitator.pk]))
    assert response.status_code == 302
    assert not Facilitator.objects.filter(pk=facilitator.pk).exists()


def test_a_commissioned_trainer_is_not_removed_here(client_for, samples):
    commissioned = samples["commission"].facilitator
    url = reverse("learning:facilitator_remove", args=[commissioned.pk])
    client = client_for("alice")
    page = _page(client.get(url))
    assert "cancel the commission" in page.lower()
    assert reverse("learning:commission_cancel", args=[samples["commission"].pk]) in page
    client.post(url)
    assert Facilitator.objects.filter(pk=commissioned.pk).exists()


# ---------------------------------------------------------------------------------------------
# Nothing about us without us


def _staff_only_delivery(samples):
    """The sample delivery with only bob (a member of staff) on its team."""
    delivery = samples["delivery"]
    commission = samples["commission"]
    commission.facilitator = None
    commission.save(update_fields=["facilitator"])
    Facilitator.objects.filter(delivery=delivery, person__isnull=False).delete()
    return delivery


def test_removing_the_last_person_with_lived_experience_brings_the_warning_back(
    client_for, samples
):
    client = client_for("alice")
    delivery = samples["erin_delivery"]
    assert "Nobody on this team has lived experience" not in _page(client.get(_team(delivery)))
    remove = reverse("learning:facilitator_remove", args=[samples["erin_facilitator"].pk])
    assert "Nobody else on the team has lived experience" in _page(client.get(remove))
    client.post(remove)
    page = _page(client.get(_team(delivery)))
    assert "Nobody on this team has lived experience" in page
    assert _acknowledge(delivery) in page


def test_acknowledging_needs_a_reason(client_for, samples):
    client = client_for("alice")
    delivery = _staff_only_delivery(samples)
    for reason in ("", "   ", "Short"):
        response = client.post(_acknowledge(delivery), {"reason": reason})
        assert response.status_code == 200
        page = _page(response)
        assert "Say why there is nobody with lived experience" in page
        assert 'href="#id_reason"' in page
    delivery.refresh_from_db()
    assert delivery.no_lived_experience_reason == ""


def test_a_recorded_reason_is_shown_with_who_and_when(client_for, personas, samples):
    client = client_for("alice")
    delivery = _staff_only_delivery(samples)
    reason = "Our two trainers with lived experience are both on leave this month."
    response = client.post(_acknowledge(delivery), {"reason": reason})
    assert response.status_code == 302
    delivery = Delivery.objects.get(pk=delivery.pk)
    assert delivery.no_lived_experience_reason == reason
    assert delivery.no_lived_experience_acknowledged_by == personas.alice
    page = _page(client.get(_team(delivery)))
    assert reason in page
    assert personas.alice.full_name in page
    assert f"{delivery.no_lived_experience_acknowledged_at:%-d %B %Y}" in page
    assert "Record why nobody has lived experience" not in page


def test_the_reason_page_sends_you_back_when_the_team_has_lived_experience(client_for, samples):
    response = client_for("alice").get(_acknowledge(samples["delivery"]))
    assert response.status_code == 302
    assert response["Location"] == _team(samples["delivery"])


def test_a_team_led_entirely_by_experts_by_experience_is_welcomed(client_for, samples):
    page = _page(client_for("alice").get(_team(samples["erin_delivery"])))
    assert "Everyone on this team brings lived experience" in page
    assert "are welcome" in page
    # The sample delivery has staff too: no such note.
    page = _page(client_for("alice").get(_team(samples["delivery"])))
    assert "Everyone on this team brings lived experience" not in page

"""Odd input never causes a server error: huge ids in multiple choices, far-future dates."""

import pytest
from django.urls import reverse

from . import factories as make

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("value", [HUGE, "-1", "abc", "1e5"])
def test_a_huge_or_odd_partner_id_is_a_kind_message(client_for, personas, value):
    response = client_for("alice").post(
        reverse("engagement:activity_create"),
        {
            "title": "A",
            "purpose": "B",
            "kind": "panel",
            "starts_on": "2026-05-01",
            "setting": "online",
            "partners": [value],
        },
    )
    assert response.status_code == 200
    assert "Choose organisations from the list" in response.content.decode()


def test_a_huge_person_id_on_the_invite_page_is_a_kind_message(client_for, personas):
    activity = make.activity(personas.council_a, days_ago=-10)
    response = client_for("alice").post(
        reverse("engagement:invite", args=[activity.pk]), {"people": [HUGE]}
    )
    assert response.status_code == 200
    assert "Choose people from the list" in response.content.decode()


def test_a_huge_area_id_on_the_person_form_is_a_kind_message(client_for, personas):
    response = client_for("alice").post(
        reverse("people:create"), {"full_name": "Someone", "areas": [HUGE]}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "1066-10-14"])
def test_a_date_far_off_is_refused_with_a_message(client_for, personas, day):
    from .test_activities import _form

    response = client_for("alice").post(
        reverse("engagement:activity_create"), _form(starts_on=day, ends_on=None)
    )
    assert response.status_code == 200
    assert "Enter a date between 1990 and 2200" in response.content.decode()

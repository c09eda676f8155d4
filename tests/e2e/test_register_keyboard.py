"""Keyboard only: a facilitator takes the register of a session with 16 learners booked, using
Tab, Space and Enter, with htmx saving each tick as it goes; the count updates in its live
region, focus stays where it is, and "Save the register" stores every mark. axe-core passes
on the register before and after, and on the planning form showing its errors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from powershare.learning import services
from powershare.learning.models import (
    Attendance,
    Booking,
    BookingSource,
    BookingStatus,
    Learner,
    SessionMode,
)
from tests.e2e.harness import describe_violations

pytestmark = pytest.mark.browser

LEARNERS = 16
NOT_THERE = {4, 11}  # rows (from 0) left unticked: 14 of 16 there
MAX_TABS = 80


def _session_with_learners(personas):
    samples = personas.samples
    delivery = services.delivery_create(
        actor=personas.alice,
        product=samples["product"],
        site=personas.council_a,
        cohort="Keyboard cohort",
        capacity=20,
        sessions=[
            {
                "date": timezone.localdate() + datetime.timedelta(days=3),
                "starts_at": datetime.time(9, 30),
                "ends_at": datetime.time(12, 30),
                "mode": SessionMode.IN_PERSON,
                "venue": "Training room 1",
            }
        ],
    )
    bookings = []
    for n in range(1, LEARNERS + 1):
        learner = Learner.objects.create(
            organisation=personas.council_a,
            name=f"Learner {n:02d}",
            email=f"learner{n:02d}@learners.example",
            job_role="Social worker",
            team=f"Team {n % 3 + 1}",
        )
        bookings.append(
            Booking.objects.create(
                delivery=delivery,
                learner=learner,
                status=BookingStatus.BOOKED,
                source=BookingSource.STAFF,
            )
        )
    return delivery.sessions.get(), bookings


def _tab_to(page: Page, locator) -> None:
    handle = locator.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
    raise AssertionError(f"Pressed Tab {MAX_TABS} times without reaching {locator}")


def test_a_facilitator_takes_a_register_of_16_by_keyboard_alone(open_tab, personas):
    session, bookings = _session_with_learners(personas)
    tab = open_tab("bob")  # a facilitator in council A
    page = tab.page
    tab.goto(reverse("learning:register", args=[session.pk]))
    count = page.locator("#register-count")
    expect(count).to_contain_text(f"0 of {LEARNERS} there")
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)

    boxes = page.locator('#register-form input[name="there"]')
    expect(boxes).to_have_count(LEARNERS)
    _tab_to(page, boxes.first)
    for row, booking in enumerate(bookings):
        box = page.locator(f"#there-{booking.pk}")
        expect(box).to_be_focused()
        if row not in NOT_THERE:
            page.keyboard.press("Space")
            expect(box).to_be_checked()
            # htmx saved it and swapped the row's status; focus stayed on the box.
            expect(page.locator(f"#mark-{booking.pk}")).to_have_text("Marked there")
            expect(box).to_be_focused()
        page.keyboard.press("Tab")
    there = LEARNERS - len(NOT_THERE)
    expect(count).to_contain_text(f"{there} of {LEARNERS} there")
    expect(count).to_contain_text(f"{len(NOT_THERE)} not marked yet")

    save = page.get_by_role("button", name="Save the register")
    expect(save).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".ps-message")).to_contain_text(f"Register saved: {there} of {LEARNERS}")
    expect(count).to_contain_text(f"{there} of {LEARNERS} there")
    marks = Attendance.objects.filter(session=session)
    assert marks.filter(attended=True).count() == there
    assert marks.count() == LEARNERS
    assert set(marks.filter(attended=False).values_list("booking_id", flat=True)) == {
        bookings[row].pk for row in NOT_THERE
    }
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)
    tab.assert_no_problems()


def test_planning_a_delivery_with_errors_passes_axe(open_tab, personas):
    tab = open_tab("alice")
    page = tab.page
    tab.goto(reverse("learning:delivery_create", args=[personas.samples["product"].pk]))
    page.get_by_role("button", name="Plan the delivery").click()
    page.wait_for_load_state("load")
    expect(page.locator(".ds_error-summary")).to_contain_text("Session 2: enter the date")
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)
    tab.assert_no_problems()

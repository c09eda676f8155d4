"""Two learners booking the last place at the same moment: exactly one gets it, the other is
put on the waiting list. Only PostgreSQL runs bookings truly side by side (SQLite lets one
writer in at a time), so this runs there:

    TEST_POSTGRES=1 .venv/bin/python scripts/test_postgres.py -- -q \
        powershare/learning/tests/test_booking_concurrency.py
"""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from powershare.learning import services
from powershare.learning.models import BookingStatus, SessionMode

ROUNDS = 5
#: Each round: this many places already taken, one left.
TAKEN = 2

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show two bookings "
        "racing (run scripts/test_postgres.py with TEST_POSTGRES=1)",
    ),
]


def _delivery_with_one_place_left(personas, round_number):
    product = services.product_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        outcomes=["Say what families told us"],
        title=f"Listening to families, round {round_number}",
        aims="Help practitioners listen well.",
        audience="Social workers",
    )
    delivery = services.delivery_create(
        actor=personas.alice,
        product=product,
        site=personas.council_a,
        cohort="Autumn cohort",
        capacity=TAKEN + 1,
        sessions=[
            {
                "date": timezone.localdate() + datetime.timedelta(days=14),
                "starts_at": datetime.time(9, 30),
                "ends_at": datetime.time(12, 30),
                "mode": SessionMode.IN_PERSON,
                "venue": "Marischal College, Room 4",
            }
        ],
    )
    for n in range(TAKEN):
        services.booking_create(
            delivery=delivery, name=f"Early booker {n}", email=f"early{n}@example.org"
        )
    return delivery


def _book_at_the_same_moment(delivery, names):
    """Each name books in its own thread, with its own database connection; a barrier lets
    them all go at once. Returns {name: status} and any errors."""
    barrier = threading.Barrier(len(names))
    statuses, errors = {}, []

    def book(name):
        try:
            barrier.wait(timeout=10)
            booking = services.booking_create(
                delivery=delivery,
                name=name,
                email=f"{name.lower().replace(' ', '.')}@example.org",
            )
            statuses[name] = booking.status
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a booking never finished"
    return statuses, errors


def test_two_people_booking_the_last_place_at_once_get_one_place_and_one_wait(personas):
    assert connection.vendor == "postgresql"
    for round_number in range(1, ROUNDS + 1):
        delivery = _delivery_with_one_place_left(personas, round_number)
        statuses, errors = _book_at_the_same_moment(delivery, ["Fiona Mackay", "Gregor Reid"])
        assert errors == [], f"round {round_number}: {errors}"
        assert sorted(statuses.values()) == [BookingStatus.BOOKED, BookingStatus.WAITING], (
            f"round {round_number}: {statuses}"
        )
        assert delivery.bookings.filter(status=BookingStatus.BOOKED).count() == delivery.capacity
        assert delivery.bookings.filter(status=BookingStatus.WAITING).count() == 1

"""`manage.py bench_generate --scale small` (the guard `make test` keeps on the generator): it
fills the database with every kind of record issue 12 names, at the small scale's counts, and
the checks of what the services would have made find nothing wrong."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from powershare.system.benchgen import SCALES


def test_the_small_scale_makes_every_kind_of_record(db):
    out = StringIO()
    call_command(
        "bench_generate",
        "--scale",
        "small",
        "--seed",
        "3",
        "--json",
        "--force",
        stdout=out,
        stderr=StringIO(),
    )
    report = json.loads(out.getvalue())
    small = SCALES["small"]
    counts = report["counts"]
    assert report["problems"] == []
    assert counts["people"] == small.experts_by_experience
    assert counts["activities"] == small.activities
    assert counts["contributions"] == small.contributions
    assert counts["deliveries"] == small.deliveries
    assert counts["bookings"] == small.bookings
    assert counts["questionnaire_responses"] == small.questionnaire_responses
    assert counts["responses"] > 0


def test_it_refuses_to_run_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="looks like a live service"):
        call_command("bench_generate", "--scale", "small", stdout=StringIO())

"""Fill a database fast with made-up records at a stated scale, for the benchmarks (issue 12).

`python manage.py bench_generate --scale small|national --seed N` calls `generate()`. Each
domain's rows are made by one module (people_engagement, learning_evaluation), in the order
their foreign keys need, as plain tuples with their ids given, and written in chunks: COPY on
PostgreSQL, executemany on SQLite. That skips the services on purpose (they would take hours at
national scale), so every module must fill in what the services would: derived columns,
counters, copies (an answer's site), and it must leave no row a service could not have made.
`check()` in each module says so afterwards, and the tests of the small scale run it.

Everything made here is fictional; names are drawn from short lists with a seeded random
number generator, so the same seed gives the same database.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Rows written per statement (and per COPY).
CHUNK = 10_000


@dataclass(frozen=True)
class Scale:
    name: str
    councils: int
    experts_by_experience: int
    activities: int
    contributions: int
    deliveries: int
    bookings: int
    questionnaire_responses: int


SCALES = {
    # Issue 12's national scale.
    "national": Scale(
        name="national",
        councils=32,
        experts_by_experience=6_000,
        activities=30_000,
        contributions=300_000,
        deliveries=2_000,
        bookings=200_000,
        questionnaire_responses=1_000_000,
    ),
    # A hundredth of it (councils aside): the guard `make test` runs in seconds.
    "small": Scale(
        name="small",
        councils=4,
        experts_by_experience=60,
        activities=300,
        contributions=3_000,
        deliveries=20,
        bookings=2_000,
        questionnaire_responses=10_000,
    ),
}


_PLANS: dict[tuple, tuple] = {}


def _plan(model, keys: tuple) -> tuple:
    """For each concrete column in order: ("given", attname), ("default", field) or
    ("null", None). Worked out once per model and set of keys given (rows() is called
    millions of times with the same keys)."""
    fields = model._meta.concrete_fields
    given = set(keys)
    missing = [
        f.attname for f in fields if f.attname not in given and not f.null and not f.has_default()
    ]
    if missing:
        raise ValueError(f"bench_generate: {model.__name__} rows need {', '.join(missing)}")
    return tuple(
        ("given", f.attname)
        if f.attname in given
        else ("default", f)
        if f.has_default()
        else ("null", None)
        for f in fields
    )


def rows(model, values: dict) -> tuple:
    """A row of the model's concrete columns, in order. A column the model cannot leave empty
    must be given, so a new column fails here rather than at a confusing insert."""
    key = (model, tuple(values))
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = _plan(model, key[1])
    return tuple(
        values[what] if how == "given" else what.get_default() if how == "default" else None
        for how, what in plan
    )


def insert(model, many: Iterable[tuple]) -> int:
    """Write rows made by `rows()` in chunks; returns how many."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    chunk: list[tuple] = []

    def flush():
        if not chunk:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                # Table and column names are the model's own, quoted; values are parameters.
                statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(statement, chunk)
        chunk.clear()

    for row in many:
        chunk.append(row)
        count += 1
        if len(chunk) >= CHUNK:
            flush()
    flush()
    return count


class Ids:
    """The next free id of each model (ids are given, so rows can point at each other before
    they are written). Sequences are reset at the end (`reset_sequences`)."""

    def __init__(self):
        self._next: dict = {}

    def take(self, model, n: int = 1) -> int:
        """The first of `n` consecutive new ids."""
        if model not in self._next:
            from django.db.models import Max

            self._next[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        first = self._next[model]
        self._next[model] += n
        return first

    def models(self) -> list:
        return list(self._next)


def reset_sequences(models: list) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


@dataclass
class Context:
    """What every module shares: the scale, the seeded random numbers, the councils (with one
    member of staff each, who "made" their records), today's date and the id allocator."""

    scale: Scale
    rng: random.Random
    today: datetime.date
    councils: list = field(default_factory=list)
    #: {council id: user} — a participation lead per council.
    staff: dict = field(default_factory=dict)
    ids: Ids = field(default_factory=Ids)
    #: Shared between modules: ids of people per council, say.
    shared: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def timed(self, name: str):
        context = self

        class _Timer:
            def __enter__(self):
                self.started = time.perf_counter()

            def __exit__(self, *exc):
                context.timings[name] = round(time.perf_counter() - self.started, 1)

        return _Timer()

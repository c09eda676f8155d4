"""Shared fixtures.

The personas and council A's samples take a few hundred database writes to make. Made afresh for
every test they were most of the suite's run time, so they are made once per test module (and
once again whenever a module's tests switch between wanting the samples and wanting the personas
alone) inside an outer transaction that each test's own transaction nests in, as Django's
``TestCase.setUpTestData`` does. Each test rolls back to that point and gets its own deep copy of
the Python objects, so no test sees another's changes. Tests that need committed data
(``transactional_db``, ``live_server``) get no shared world: they make their own, as before.
"""

import copy
from dataclasses import dataclass

import pytest

from tests.personas import make_council_a_samples, make_personas, sign_in

# Tests that commit (or are read by another thread) cannot run inside the shared transaction.
_COMMITTING_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


@dataclass
class _World:
    key: tuple
    atomic: object
    personas: object


_world: _World | None = None


def _world_key(request) -> tuple | None:
    """What shared world this test wants: None for none (or when it must commit)."""
    names = set(request.node.fixturenames)
    if "personas" not in names:
        return None
    marker = request.node.get_closest_marker("django_db")
    if names & _COMMITTING_FIXTURES or (
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    ):
        return None
    return (request.node.module.__name__, "samples" in names)


def _world_on_top() -> bool:
    """Whether the shared world's transaction is the innermost one open."""
    from django.db import connection

    return (
        _world is not None
        and bool(connection.atomic_blocks)
        and (connection.atomic_blocks[-1] is _world.atomic)
    )


def _world_close() -> None:
    global _world
    if _world is not None:
        assert _world_on_top(), "Another transaction was left open inside the shared world."
        world, _world = _world, None
        from django.db import transaction

        transaction.set_rollback(True)
        world.atomic.__exit__(None, None, None)


@pytest.fixture(scope="session")
def _world_session(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _world_close()


@pytest.fixture(scope="module", autouse=True)
def _world_per_module(django_db_blocker):
    """A module's world ends with it, before the next module's own module-wide fixtures begin."""
    yield
    if _world is not None:
        with django_db_blocker.unblock():
            _world_close()


@pytest.fixture
def _django_db_helper(_world_ready, _django_db_helper):
    """pytest-django's per-test transaction, entered inside the shared world's (see above).

    This overrides pytest-django's fixture of the same name: its arguments are set up in order,
    so the world below is ready before the original opens the test's own transaction.
    """
    return _django_db_helper


@pytest.fixture
def _world_ready(request, _world_session, django_db_blocker):
    global _world
    key = _world_key(request)
    with django_db_blocker.unblock():
        from django.db import connection

        if _world is not None and _world.key != key:
            if not _world_on_top():
                # A module-wide transaction of the test module's own is open inside the world:
                # leave both alone and let this test make its own personas.
                return None
            _world_close()
        if key is not None and _world is None:
            if connection.atomic_blocks:
                # The module keeps its own data in a transaction (a demo load, say): the world
                # cannot sit under it, so this test makes its own personas as before.
                return None
            from django.db import transaction

            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                people = make_personas()
                if key[1]:
                    make_council_a_samples(people)
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
            _world = _World(key=key, atomic=atomic, personas=people)
    return _world


def _fresh_copy():
    # One deep copy of everything at once, so relations between the copies stay shared.
    return copy.deepcopy(_world.personas)


_demo: dict = {}


def _demo_close() -> None:
    atomic = _demo.pop("atomic", None)
    if atomic is not None:
        from django.db import transaction

        with _demo["blocker"].unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="session")
def demo_database(django_db_setup, django_db_blocker):
    """The whole demo (`manage.py demo_data`), loaded once for the run inside a transaction
    that is rolled back after the last test that uses it; each of those tests runs in its own
    savepoint inside. They run one after another (see pytest_collection_modifyitems), so no
    other test ever sees the demo's records. Returns what the command printed."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        _world_close()
        atomic = transaction.atomic()
        atomic.__enter__()
        out = StringIO()
        try:
            call_command("demo_data", "--force", stdout=out)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    _demo.update(atomic=atomic, blocker=django_db_blocker)
    yield out.getvalue()
    _demo_close()


def _uses_demo(item) -> bool:
    return item is not None and "demo_database" in getattr(item, "fixturenames", ())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last test on the demo database, the demo is rolled back at once, before the
    tests that commit run."""
    yield
    if _uses_demo(item) and not _uses_demo(nextitem):
        _demo_close()


def _runs_in_a_transaction(item) -> bool:
    """A test pytest-django runs inside a transaction (not one that commits, not one without
    the database). pytest-django has already put these first."""
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    if names & _COMMITTING_FIXTURES or (
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    ):
        return False
    return bool(marker) or "db" in names


def pytest_collection_modifyitems(config, items):
    """Tests on the demo database run after every other test that runs in a transaction (keeping
    their order), and before those that commit: committing tests empty the database after
    them, reference data included."""
    demo = [item for item in items if _uses_demo(item)]
    if not demo:
        return
    chosen = set(map(id, demo))
    rest = [item for item in items if id(item) not in chosen]
    split = next((i for i, item in enumerate(rest) if not _runs_in_a_transaction(item)), len(rest))
    items[:] = rest[:split] + demo + rest[split:]


@pytest.fixture
def personas(_world_ready, db):
    if _world_ready is None:
        return make_personas()
    return _fresh_copy()


@pytest.fixture
def samples(personas):
    if personas.samples:
        return personas.samples
    return make_council_a_samples(personas)


@pytest.fixture
def client_for(client, personas):
    """client_for("alice") returns the test client signed in as that persona."""

    def _client_for(name: str | None):
        client.logout()
        sign_in(client, personas.by_name(name) if name else None)
        return client

    return _client_for


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache: each test starts with none used."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

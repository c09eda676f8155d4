import pytest

from tests.personas import make_council_a_samples, make_personas, sign_in


@pytest.fixture
def personas(db):
    return make_personas()


@pytest.fixture
def samples(personas):
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

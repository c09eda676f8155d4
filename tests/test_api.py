"""The JSON API: its schema, both ways of signing in, tenancy and the one error shape.

Schemathesis fuzzes the same API against a live server in tests/contract (`make test-contract`);
these are the explicit cases, and they run in the normal suite on SQLite and PostgreSQL.
"""

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone
from ninja import NinjaAPI

from config import urls as site_urls
from powershare.accounts.models import ApiToken
from powershare.accounts.services import api_token_create, api_token_revoke
from powershare.api.api import api
from powershare.support.models import SupportService
from tests.personas import verify_two_factor

ERROR_KEYS = {"code", "detail", "errors"}


def _bearer(plain: str) -> dict:
    return {"Authorization": f"Bearer {plain}"}


def _token_for(user, name="Test token"):
    return api_token_create(user=user, name=name)


def _assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["errors"], list)
    return body


# The schema ----------------------------------------------------------------------------------


def test_the_schema_is_openapi_3_1_and_needs_no_sign_in(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1.")
    assert schema["info"]["title"] == "PowerShare API"
    assert set(schema["components"]["securitySchemes"]) == {
        "VerifiedSessionAuth",
        "PersonalTokenAuth",
    }
    for item in schema["paths"].values():
        for operation in item.values():
            assert operation["security"] == [{"VerifiedSessionAuth": []}, {"PersonalTokenAuth": []}]
            assert "401" in operation["responses"]


def test_every_operation_with_parameters_documents_its_422(client):
    schema = client.get("/api/openapi.json").json()
    for route, item in schema["paths"].items():
        for method, operation in item.items():
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in operation["responses"], f"{method.upper()} {route}"


# /api/me -------------------------------------------------------------------------------------


def test_me_with_a_personal_token(client, personas):
    _, plain = _token_for(personas.alice)
    response = client.get("/api/me", headers=_bearer(plain))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == personas.alice.pk
    assert body["email"] == personas.alice.email
    assert body["full_name"] == "Alice Anderson"
    assert body["memberships"] == [
        {
            "organisation_id": personas.council_a.pk,
            "organisation": personas.council_a.name,
            "role": "participation_lead",
            "role_label": "Participation lead",
        }
    ]


def test_me_with_a_browser_session(client_for):
    response = client_for("charlie").get("/api/me")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "charlie@b.example"
    assert [m["organisation"] for m in body["memberships"]] == ["Angus Council"]


def test_me_without_credentials_is_401(client, personas):
    _assert_error(client.get("/api/me"), 401, "not_authenticated")


def test_a_session_that_has_not_finished_two_factor_sign_in_is_refused(client, personas):
    client.force_login(personas.admin)
    _assert_error(client.get("/api/me"), 401, "not_authenticated")
    verify_two_factor(client, personas.admin)
    assert client.get("/api/me").json()["email"] == personas.admin.email


# Tenancy -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "organisation"),
    [("alice", "council_a"), ("bob", "council_a"), ("charlie", "council_b"), ("nina", "national")],
)
def test_organisations_lists_only_your_own(client, personas, persona, organisation):
    _, plain = _token_for(personas.by_name(persona))
    response = client.get("/api/organisations", headers=_bearer(plain))
    assert response.status_code == 200
    expected = getattr(personas, organisation)
    assert [o["id"] for o in response.json()] == [expected.pk]
    assert response.json()[0]["name"] == expected.name


def test_organisations_by_session_is_scoped_the_same_way(client_for, personas):
    response = client_for("nina").get("/api/organisations")
    assert [o["name"] for o in response.json()] == [personas.national.name]


def test_your_own_organisation_in_detail(client, personas):
    _, plain = _token_for(personas.alice)
    a = personas.council_a
    response = client.get(f"/api/organisations/{a.pk}", headers=_bearer(plain))
    assert response.status_code == 200
    assert response.json() == {
        "id": a.pk,
        "name": a.name,
        "kind": "local_authority",
        "kind_label": "Local authority",
        "member_count": 4,  # alice, bob, admin and rhona (survey respondent)
    }


def test_another_councils_organisation_is_404_with_the_error_shape(client, personas, samples):
    _, plain = _token_for(personas.charlie)
    response = client.get(f"/api/organisations/{personas.council_a.pk}", headers=_bearer(plain))
    body = _assert_error(response, 404, "not_found")
    assert body["errors"] == []
    assert personas.council_a.name not in response.content.decode()


def test_another_councils_organisation_is_404_by_session_too(client_for, personas):
    response = client_for("charlie").get(f"/api/organisations/{personas.council_a.pk}")
    _assert_error(response, 404, "not_found")


def test_an_organisation_that_does_not_exist_is_the_same_404(client_for):
    _assert_error(client_for("alice").get("/api/organisations/999999"), 404, "not_found")


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", str(2**63)])
def test_an_invalid_organisation_id_is_422_with_field_errors(client_for, bad_id):
    response = client_for("alice").get(f"/api/organisations/{bad_id}")
    body = _assert_error(response, 422, "invalid")
    assert [error["field"] for error in body["errors"]] == ["organisation_id"]
    assert all(set(error) == {"field", "message"} for error in body["errors"])


# Personal API tokens -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer nonsense",
        "Bearer ps_deadbeef_not-a-real-token",
        "Bearer ",
        "Basic YWxpY2U6c2VjcmV0",
        "ps_deadbeef_missing-the-scheme",
    ],
)
def test_a_bad_token_is_401_with_the_error_shape(client, personas, authorization):
    _token_for(personas.alice)
    response = client.get("/api/me", headers={"Authorization": authorization})
    _assert_error(response, 401, "not_authenticated")


def test_a_revoked_token_stops_working(client, personas):
    token, plain = _token_for(personas.alice)
    assert client.get("/api/me", headers=_bearer(plain)).status_code == 200
    api_token_revoke(token=token)
    _assert_error(client.get("/api/me", headers=_bearer(plain)), 401, "not_authenticated")
    response = client.get("/api/organisations", headers=_bearer(plain))
    _assert_error(response, 401, "not_authenticated")


def test_revoking_one_token_leaves_the_others_working(client, personas):
    first, first_plain = _token_for(personas.alice, "First")
    _, second_plain = _token_for(personas.alice, "Second")
    api_token_revoke(token=first)
    assert client.get("/api/me", headers=_bearer(first_plain)).status_code == 401
    assert client.get("/api/me", headers=_bearer(second_plain)).status_code == 200


def test_a_deactivated_users_token_stops_working(client, personas):
    _, plain = _token_for(personas.bob)
    personas.bob.is_active = False
    personas.bob.save(update_fields=["is_active"])
    _assert_error(client.get("/api/me", headers=_bearer(plain)), 401, "not_authenticated")


def test_using_a_token_records_when_it_was_last_used(client, personas):
    token, plain = _token_for(personas.alice)
    assert token.last_used_at is None
    before = timezone.now()
    assert client.get("/api/me", headers=_bearer(plain)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert before <= token.last_used_at <= timezone.now()


def test_a_failed_token_records_nothing(client, personas):
    token, plain = _token_for(personas.alice)
    api_token_revoke(token=token)
    client.get("/api/me", headers=_bearer(plain))
    token.refresh_from_db()
    assert token.last_used_at is None


def test_only_a_hash_of_the_token_is_stored(personas):
    token, plain = _token_for(personas.alice)
    stored = ApiToken.objects.get(pk=token.pk)
    assert plain not in {stored.token_hash, stored.key_prefix, stored.name}
    assert stored.token_hash == ApiToken.hash(plain)


# CSRF on writes by session -------------------------------------------------------------------
#
# The API has no write operations yet, so these mount one on a probe API that uses the real
# API's authentication (`api.auth`: the session with CSRF, then the personal token) and its
# error handlers.

probe_api = NinjaAPI(auth=api.auth, urls_namespace="api-csrf-probe", docs_url=None)
for exc_class, handler in api._exception_handlers.items():
    probe_api.add_exception_handler(exc_class, handler)


@probe_api.post("/write")
def probe_write(request):
    return {"user": request.auth.email}


@probe_api.post("/audited-write/{organisation_id}")
def probe_audited_write(request, organisation_id: int):
    """Changes an audited model, as the API's write operations will."""
    service = SupportService.objects.create(
        organisation_id=organisation_id, name="Probe helpline", how_they_help="Listens."
    )
    return {"id": service.pk}


def _server_error(request):
    raise RuntimeError("deliberate failure for the API 500 test")


# The whole site plus the probe: a refused CSRF check renders the site's CSRF failure page.
# /api/boom fails outside ninja's handlers, so Django's 500 page answers, under the API's prefix.
urlpatterns = [
    path("probe/", probe_api.urls),
    path("api/boom", _server_error),
    *site_urls.urlpatterns,
]

CSRF_SECRET = "a" * 32


@pytest.fixture
def csrf_client(personas):
    """A client that enforces CSRF, as a browser would meet it (the test client does not)."""
    return Client(enforce_csrf_checks=True)


@pytest.mark.urls("tests.test_api")
def test_a_session_post_without_a_csrf_token_is_refused(csrf_client, personas):
    csrf_client.force_login(personas.alice)
    response = csrf_client.post("/probe/write")
    assert response.status_code == 403
    assert set(response.json()) == ERROR_KEYS


@pytest.mark.urls("tests.test_api")
def test_a_session_post_with_a_wrong_csrf_token_is_refused(csrf_client, personas):
    csrf_client.force_login(personas.alice)
    csrf_client.cookies["csrftoken"] = CSRF_SECRET
    response = csrf_client.post("/probe/write", headers={"X-CSRFToken": "b" * 32})
    assert response.status_code == 403


@pytest.mark.urls("tests.test_api")
def test_a_session_post_with_its_csrf_token_is_accepted(csrf_client, personas):
    csrf_client.force_login(personas.alice)
    csrf_client.cookies["csrftoken"] = CSRF_SECRET
    response = csrf_client.post("/probe/write", headers={"X-CSRFToken": CSRF_SECRET})
    assert response.status_code == 200
    assert response.json() == {"user": personas.alice.email}


@pytest.mark.urls("tests.test_api")
def test_an_anonymous_post_is_401(csrf_client, personas):
    _assert_error(csrf_client.post("/probe/write"), 401, "not_authenticated")


@pytest.mark.urls("tests.test_api")
def test_a_post_with_a_personal_token_needs_no_csrf_token(csrf_client, personas):
    _, plain = _token_for(personas.alice)
    response = csrf_client.post("/probe/write", headers=_bearer(plain))
    assert response.status_code == 200, response.content
    assert response.json() == {"user": personas.alice.email}


def test_an_unknown_api_address_answers_in_the_error_shape(client, db):
    response = client.get("/api/no-such-operation")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get("/api/").json()["code"] == "not_found"


# The change log records who acted through the API --------------------------------------------


def _log_entry_for(service_id: int) -> LogEntry:
    return LogEntry.objects.get(
        content_type__app_label="support",
        content_type__model="supportservice",
        object_pk=str(service_id),
        action=LogEntry.Action.CREATE,
    )


@pytest.mark.urls("tests.test_api")
def test_a_write_with_a_personal_token_is_logged_as_the_tokens_user(csrf_client, personas):
    _, plain = _token_for(personas.alice)
    url = f"/probe/audited-write/{personas.council_a.pk}"
    response = csrf_client.post(url, headers=_bearer(plain))
    assert response.status_code == 200, response.content
    entry = _log_entry_for(response.json()["id"])
    assert entry.actor == personas.alice
    assert entry.actor_email == personas.alice.email


@pytest.mark.urls("tests.test_api")
def test_the_token_actor_does_not_carry_over_to_the_next_request(csrf_client, personas):
    _, plain = _token_for(personas.alice)
    url = f"/probe/audited-write/{personas.council_a.pk}"
    assert csrf_client.post(url, headers=_bearer(plain)).status_code == 200
    # A write in the same thread after that request, outside any request: no actor.
    service = SupportService.objects.create(
        organisation=personas.council_a, name="Written later", how_they_help="Listens."
    )
    assert _log_entry_for(service.pk).actor is None


@pytest.mark.urls("tests.test_api")
def test_a_write_by_session_is_logged_as_the_signed_in_user(csrf_client, personas):
    csrf_client.force_login(personas.alice)
    csrf_client.cookies["csrftoken"] = CSRF_SECRET
    url = f"/probe/audited-write/{personas.council_a.pk}"
    response = csrf_client.post(url, headers={"X-CSRFToken": CSRF_SECRET})
    assert response.status_code == 200, response.content
    assert _log_entry_for(response.json()["id"]).actor == personas.alice


# Errors made outside ninja's handlers use the same shape -------------------------------------


def test_a_method_an_operation_does_not_take_is_405_in_the_error_shape(client, personas):
    _, plain = _token_for(personas.alice)
    response = client.post("/api/me", headers=_bearer(plain))
    body = _assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
    assert "GET" in body["detail"]
    assert body["errors"] == []
    assert int(response["Content-Length"]) == len(response.content)


def test_a_405_without_credentials_is_in_the_error_shape_too(client, db):
    response = client.delete("/api/organisations")
    _assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_a_405_outside_the_api_is_left_alone(client, db):
    response = client.post(reverse("favicon"))
    assert response.status_code == 405
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.urls("tests.test_api")
def test_a_server_error_under_the_api_outside_ninja_is_500_in_the_error_shape(client, db):
    client.raise_request_exception = False
    body = _assert_error(client.get("/api/boom"), 500, "server_error")
    assert "deliberate" not in body["detail"]


def test_a_bad_host_under_the_api_is_400_in_the_error_shape(client, db, settings):
    settings.ALLOWED_HOSTS = ["powershare.example.org"]
    response = client.get("/api/me", headers={"Host": "attacker.example"})
    _assert_error(response, 400, "bad_request")


def _shape(value):
    """A JSON schema without its words (titles, descriptions, examples): only its shape."""
    if isinstance(value, dict):
        return {
            k: _shape(v)
            for k, v in value.items()
            if k not in {"title", "description", "examples", "example"}
        }
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


def test_two_api_schemas_never_share_a_name_with_different_shapes():
    """django-ninja names OpenAPI components after the schema classes: two apps' classes of
    the same name would silently become one, and one operation's documented response would be
    the other's (the contract run caught exactly this once)."""
    import importlib
    import inspect
    import json

    from django.apps import apps
    from ninja import Schema

    by_name: dict[str, set[str]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("powershare."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.api")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == module.__name__:
                shape = json.dumps(_shape(cls.model_json_schema()), sort_keys=True)
                by_name.setdefault(name, set()).add(shape)
    clashes = sorted(name for name, shapes in by_name.items() if len(shapes) > 1)
    assert not clashes, f"Rename these API schemas so each name has one shape: {clashes}"

"""Anonymous means anonymous (issue 9): the tables that hold answers, and the tables that keep
one answer per browser and per paper code, have no column that could say who answered or
exactly when. Checked twice: on the models (`_meta.get_fields()`) and on the database itself
(introspection), so a migration that added such a column would fail here. Then a real answer
is sent with an IP address and a browser name, and neither is found anywhere, nor any change
log entry or audit record."""

import re

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from powershare.audit.models import AccessEvent
from powershare.evaluation import services
from powershare.evaluation.models import (
    Answer,
    PaperCode,
    QuestionnaireKind,
    QuestionnaireResponse,
    TextAnswer,
)
from powershare.evaluation.tests.factories import agree_and_words
from powershare.learning.models import DeliverySession
from powershare.people.models import Person

ANSWER_TABLES = [QuestionnaireResponse, Answer, TextAnswer, PaperCode]
#: Parts of a column's name that would suggest it holds something about the person.
SUSPECT_WORDS = {"ip", "agent", "user", "email", "name", "address", "addr", "remote", "device"}
SUSPECT_PARTS = ("session_key", "user", "agent", "email", "name", "cookie", "ip_", "time")
IP = "203.0.113.197"
AGENT = "ZqPhoneBrowser/7.3 (unique-agent-8461)"


def _suspect(column: str) -> bool:
    words = set(re.split(r"[_\W]+", column.lower()))
    return bool(words & SUSPECT_WORDS) or any(part in column.lower() for part in SUSPECT_PARTS)


@pytest.mark.parametrize("model", ANSWER_TABLES, ids=lambda m: m.__name__)
def test_the_models_hold_nothing_that_could_identify_a_person(model):
    person_models = {get_user_model(), Person}
    for field in model._meta.get_fields():
        if not field.concrete:
            continue  # a reverse relation: not a column of this table
        assert not isinstance(field, models.DateTimeField | models.TimeField), (
            f"{model.__name__}.{field.name} records a time"
        )
        if field.is_relation:
            assert field.related_model not in person_models, (
                f"{model.__name__}.{field.name} points at {field.related_model.__name__}"
            )
        if field.name == "session":
            # The session of the course it came from (a date and a place), not a web session.
            assert field.related_model is DeliverySession
            continue
        assert not _suspect(field.name), f"{model.__name__}.{field.name} looks personal"
        assert not _suspect(field.column), f"{model.__name__}.{field.column} looks personal"


def test_a_response_keeps_the_day_only():
    field = QuestionnaireResponse._meta.get_field("submitted_on")
    assert type(field) is models.DateField
    assert not field.auto_now
    assert not field.auto_now_add


@pytest.mark.django_db
@pytest.mark.parametrize("model", ANSWER_TABLES, ids=lambda m: m.__name__)
def test_the_database_tables_hold_nothing_that_could_identify_a_person(model):
    person_tables = {get_user_model()._meta.db_table, Person._meta.db_table}
    table = model._meta.db_table
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
        relations = connection.introspection.get_relations(cursor, table)
    assert description, f"{table} not found"
    for column in description:
        kind = connection.introspection.get_field_type(column.type_code, column)
        assert kind not in ("DateTimeField", "TimeField"), f"{table}.{column.name} is {kind}"
        if column.name != "session_id":
            assert not _suspect(column.name), f"{table}.{column.name} looks personal"
    for column, relation in relations.items():
        other_table = relation[1]
        assert other_table not in person_tables, f"{table}.{column} points at {other_table}"
    if model is QuestionnaireResponse:
        day = next(c for c in description if c.name == "submitted_on")
        assert connection.introspection.get_field_type(day.type_code, day) == "DateField"


def _rows(model) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a model's own table name
        return "\n".join(" ".join(str(v) for v in row) for row in cursor.fetchall())


def _every_row_of_every_table() -> str:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        found = []
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found.extend(" ".join(str(v) for v in row) for row in cursor.fetchall())
    return "\n".join(found)


def test_answering_stores_no_address_no_browser_no_log_and_no_audit(personas, samples):
    alice = personas.alice
    made = agree_and_words(
        personas,
        samples,
        code="anonymity-check",
        kind=QuestionnaireKind.CUSTOM,
        ask_pairing_code=True,
        needs_code=True,
        days_open_before=1,
    )
    questionnaire, likert, words, link = made.questionnaire, made.agree, made.words, made.link
    code = services.paper_codes_make(actor=alice, link=link, count=1)[0].code
    logs_before = LogEntry.objects.count()
    access_before = AccessEvent.objects.count()

    browser = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    url = reverse("answer:form", args=[link.token])
    assert browser.get(url).status_code == 200
    response = browser.post(
        url,
        {
            f"q{likert.pk}": "4",
            f"q{words.pk}": "Listen first.",
            "paper_code": code,
            "pairing_code": "blue 77",
        },
    )
    assert response.status_code == 302
    assert browser.get(response["Location"]).status_code == 200
    assert questionnaire.responses.count() == 1

    for model in ANSWER_TABLES:
        rows = _rows(model)
        assert IP not in rows, f"{model.__name__} holds the IP address"
        assert "unique-agent-8461" not in rows, f"{model.__name__} holds the browser's name"
    everything = _every_row_of_every_table()
    assert IP not in everything
    assert "unique-agent-8461" not in everything
    # The "already answered" cookie lives in the browser alone: nothing of it is stored.
    cookie = browser.cookies["answer_browser"].value
    assert cookie
    assert cookie not in everything
    assert cookie.split(":")[0] not in everything

    content_types = ContentType.objects.get_for_models(*ANSWER_TABLES).values()
    assert not LogEntry.objects.filter(content_type__in=content_types).exists()
    assert LogEntry.objects.count() == logs_before
    assert AccessEvent.objects.count() == access_before
    assert "sessionid" not in browser.cookies

"""Rules added after review: imports never keep what identifies people or the file's row
order; row numbers in messages are the spreadsheet's; a question can't become quotable after
people answered; pairing is fixed once codes are given and never circular; an empty response
is refused; codes have one shape; a second organisation's product of the same name gets its
own codes; a link keeps its address when its session is removed and its dates keep following
the session after people answer."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from powershare.evaluation import importing, services
from powershare.evaluation.models import (
    AnswerLink,
    QuestionnaireKind,
    QuestionnaireResponse,
    QuestionType,
    TextAnswer,
)
from powershare.learning import services as learning_services
from powershare.learning.models import LearningProduct, SessionMode

pytestmark = pytest.mark.django_db


def _questionnaire(personas, code="review", **extra):
    return services.questionnaire_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        code=code,
        title="Review",
        **extra,
    )


def _run(path, *args) -> str:
    out = io.StringIO()
    call_command("questionnaire_import", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_create_leaves_out_columns_that_could_identify_people(tmp_path, personas):
    path = tmp_path / "forms-export.csv"
    path.write_text(
        "Timestamp,Email address,Your name,How useful was it?,Anything else?\n"
        "2025-03-04 10:15:02,sam@example.org,Sam,Agree,More time\n"
        "2025-03-04 10:16:40,ali@example.org,Ali,Strongly agree,\n",
        encoding="utf-8",
    )
    out = _run(
        path, "--questionnaire", "forms", "--create", "--organisation", personas.council_a.name
    )
    assert "Left out because they could identify people: Timestamp, Email address, Your name" in out
    codes = set(
        QuestionnaireResponse.objects.filter(questionnaire__code="forms")
        .values_list("answers__question__code", flat=True)
        .distinct()
    )
    assert codes == {"how-useful-was-it"}
    everything = " ".join(TextAnswer.objects.values_list("text", flat=True))
    assert "example.org" not in everything
    assert "10:15" not in everything


def test_a_column_of_email_addresses_is_left_out_whatever_its_heading():
    plan = importing.build_plan(
        header=["Contact", "Useful"],
        rows=[["a@b.org", "Agree"], ["c@d.org", "Agree"], ["", "Disagree"]],
        file_name="x.csv",
        code="x",
        questionnaire=None,
        create=True,
        organisation_id=1,
    )
    assert plan.identifying_columns == ["Contact"]
    assert [c.code for c in plan.columns] == ["useful"]


def test_imported_rows_are_stored_in_a_random_order(tmp_path, personas, monkeypatch):
    questionnaire = _questionnaire(personas)
    services.question_add(
        actor=personas.alice,
        questionnaire=questionnaire,
        code="n",
        text="A number",
        type=QuestionType.NUMBER,
    )
    shuffled = []
    monkeypatch.setattr(
        services.random.SystemRandom,
        "shuffle",
        lambda self, rows: shuffled.append(1) or rows.reverse(),
    )
    path = tmp_path / "a.csv"
    path.write_text("n\n1\n2\n3\n", encoding="utf-8")
    _run(path, "--questionnaire", "review")
    assert shuffled == [1]
    stored = list(
        QuestionnaireResponse.objects.filter(questionnaire=questionnaire)
        .order_by("pk")
        .values_list("answers__value", flat=True)
    )
    assert stored == [3, 2, 1]


def test_row_numbers_count_blank_lines_as_the_spreadsheet_does(personas):
    questionnaire = _questionnaire(personas)
    services.question_add(
        actor=personas.alice,
        questionnaire=questionnaire,
        code="useful",
        text="Useful",
        type=QuestionType.LIKERT,
    )
    header, rows = importing.read_table(b"useful\nAgree\n\n\nsort of\n\n", "a.csv")
    plan = importing.build_plan(
        header=header, rows=rows, file_name="a.csv", code="review", questionnaire=questionnaire
    )
    assert [row.number for row in plan.rows] == [2, 5]
    assert plan.errors[0].startswith('Row 5, column "useful": "sort of"')


def test_xlsx_true_and_false_are_yes_and_no():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Came before?"])
    sheet.append([True])
    sheet.append([False])
    data = io.BytesIO()
    book.save(data)
    header, rows = importing.read_table(data.getvalue(), "a.xlsx")
    assert rows == [["Yes"], ["No"]]
    assert importing.infer_type([r[0] for r in rows]) == QuestionType.YES_NO


def test_a_question_cannot_become_quotable_after_people_answered(personas, samples):
    question = samples["text_question"]
    question.quotable = False
    question.save()
    with pytest.raises(ValidationError) as refused:
        services.question_update(actor=personas.alice, question=question, quotable=True)
    assert "quotable" in refused.value.message_dict
    quotable = services.question_add(
        actor=personas.alice,
        questionnaire=samples["questionnaire"],
        code="more-words",
        text="Anything more?",
        type=QuestionType.TEXT,
        quotable=True,
    )
    services.response_submit(link=samples["answer_link"], answers={}, texts={quotable.pk: "Yes"})
    # Taking quotability away is always allowed.
    services.question_update(actor=personas.alice, question=quotable, quotable=False)
    quotable.refresh_from_db()
    assert quotable.quotable is False


def test_pairing_is_fixed_once_codes_are_given_and_never_circular(personas):
    pre = _questionnaire(personas, code="pre", kind=QuestionnaireKind.PRE)
    post = _questionnaire(
        personas, code="post", kind=QuestionnaireKind.POST, paired_with=pre, ask_pairing_code=True
    )
    with pytest.raises(ValidationError) as circular:
        services.questionnaire_update(actor=personas.alice, questionnaire=pre, paired_with=post)
    assert "paired_with" in circular.value.message_dict
    QuestionnaireResponse.objects.create(
        questionnaire=post, submitted_on=timezone.localdate(), pair_key="k"
    )
    with pytest.raises(ValidationError) as fixed:
        services.questionnaire_update(actor=personas.alice, questionnaire=post, paired_with=None)
    assert "paired_with" in fixed.value.message_dict


def test_an_empty_response_is_refused(samples):
    link = samples["answer_link"]
    before = link.questionnaire.responses.count()
    with pytest.raises(ValidationError):
        services.response_submit(link=link, answers={}, texts={})
    assert link.questionnaire.responses.count() == before


@pytest.mark.parametrize("code", ["bad code!", "café", "-starts-with-a-hyphen"])
def test_codes_have_one_shape(personas, code):
    with pytest.raises(ValidationError) as refused:
        _questionnaire(personas, code=code)
    assert "code" in refused.value.message_dict


def test_another_organisations_product_of_the_same_name_gets_its_own_codes(personas, samples):
    theirs = LearningProduct.objects.get(pk=samples["product"].pk)
    theirs.pk = theirs.id = None
    theirs.organisation = personas.council_b
    theirs.save()
    from powershare.learning.models import LearningOutcome, ProductVersion

    version = ProductVersion.objects.create(product=theirs, number=1)
    LearningOutcome.objects.create(version=version, position=1, text="Listen well")
    mine = services.standard_questionnaires_make(actor=personas.alice, product=samples["product"])
    other = services.standard_questionnaires_make(actor=personas.charlie, product=theirs)
    assert {q.code for q in mine}.isdisjoint({q.code for q in other})
    assert all(q.code.startswith(samples["product"].slug) for q in other)


def _two_session_delivery(personas, product):
    day = timezone.localdate() + datetime.timedelta(days=10)
    session = {
        "starts_at": datetime.time(10),
        "ends_at": datetime.time(13),
        "mode": SessionMode.IN_PERSON,
        "venue": "Room 1",
    }
    return learning_services.delivery_create(
        actor=personas.alice,
        product=product,
        site=personas.council_a,
        cohort="Review",
        capacity=10,
        sessions=[
            {**session, "date": day},
            {**session, "date": day + datetime.timedelta(days=14)},
            {**session, "date": day + datetime.timedelta(days=28)},
        ],
    )


def test_a_link_keeps_its_address_when_its_session_is_removed(personas, samples):
    product = samples["product"]
    _, post = services.standard_questionnaires_make(actor=personas.alice, product=product)
    delivery = _two_session_delivery(personas, product)
    link = AnswerLink.objects.get(questionnaire=post, delivery=delivery)
    token = link.token
    assert link.session.number == 3
    learning_services.session_remove(actor=personas.alice, session=link.session)
    link = AnswerLink.objects.get(pk=link.pk)
    assert link.token == token, "the printed QR code still works"
    assert link.session.number == 2
    assert link.opens_on == link.session.date


def test_link_dates_follow_the_session_after_people_answered(personas, samples):
    product = samples["product"]
    pre, _ = services.standard_questionnaires_make(actor=personas.alice, product=product)
    delivery = _two_session_delivery(personas, product)
    link = AnswerLink.objects.get(questionnaire=pre, delivery=delivery)
    question = pre.questions.filter(type=QuestionType.LIKERT).first()
    services.response_submit(link=link, answers={question.pk: 4}, today=link.opens_on)
    first = delivery.sessions.get(number=1)
    later = first.date + datetime.timedelta(days=7)
    learning_services.session_update(actor=personas.alice, session=first, date=later)
    link.refresh_from_db()
    assert link.closes_on == later

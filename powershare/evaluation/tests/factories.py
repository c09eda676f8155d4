"""Records the evaluation tests share, made through the services as staff would make them."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from powershare.evaluation import services
from powershare.evaluation.models import (
    AnswerLink,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionType,
)


@dataclass
class AgreeAndWords:
    """A questionnaire like the standard ones: an agreement scale and a question for words,
    with a link to it for the sample session that is open today."""

    questionnaire: Questionnaire
    agree: Question
    words: Question
    link: AnswerLink


def agree_and_words(
    personas,
    samples,
    *,
    code: str,
    kind: str = QuestionnaireKind.REACTION,
    ask_pairing_code: bool = False,
    needs_code: bool = False,
    days_open_before: int = 0,
) -> AgreeAndWords:
    alice = personas.alice
    questionnaire = services.questionnaire_create(
        actor=alice,
        organisation_id=personas.council_a.pk,
        code=code,
        title="After the course",
        kind=kind,
        product=samples["product"],
        ask_pairing_code=ask_pairing_code,
    )
    agree = services.question_add(
        actor=alice,
        questionnaire=questionnaire,
        code="useful",
        text="The course was useful.",
        type=QuestionType.LIKERT,
    )
    words = services.question_add(
        actor=alice,
        questionnaire=questionnaire,
        code="next",
        text="What will you do next?",
        type=QuestionType.TEXT,
    )
    today = timezone.localdate()
    link = services.link_create(
        actor=alice,
        questionnaire=questionnaire,
        session=samples["session"],
        opens_on=today - datetime.timedelta(days=days_open_before),
        closes_on=today + datetime.timedelta(days=1),
        needs_code=needs_code,
    )
    return AgreeAndWords(questionnaire, agree, words, link)

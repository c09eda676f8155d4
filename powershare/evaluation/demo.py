"""Demo evaluation: the power-sharing product's standard questionnaires, answered anonymously
by the people who attended, and its summary of learning.

The answers are made up here, person by person, and sent through the same service the
answer page uses (`services.response_submit`). How many people answered at each site, and how
many agreed with each statement, follow the source document's published figures:

* before the learning, 28 people answered (Scottish Borders 8, Stirling 10, West Lothian 10)
  and 16, 19, 13, 4 and 6 of them agreed with the five outcome statements;
* after it, 27 answered (7, 10 and 10); 27, 27, 27, 26 and 25 agreed with the five outcome
  statements, and all 27 with each of the four reaction statements.

Every percentage the platform shows (74% and 82% response rates, 57/68/46/14/21% and
100/100/100/96/93% agreement) is computed from these answers and the registers; none is typed
in. Who agreed, the other answers (job role, the people their service works with, how
strongly they agreed or disagreed), and the words people wrote are invented and spread with a
fixed random seed, so a second load is identical.

Idempotent: a product that already has questionnaires is left alone.
"""

import datetime
import random

from powershare.accounts.models import User
from powershare.learning.demo import BORDERS, POWER_SHARING_SLUG, SG, STIRLING, WEST_LOTHIAN
from powershare.learning.models import LearningProduct

from . import services

SEED = 2025
JOB_ROLES = ["Team leader", "Service manager", "Senior manager", "Head of service", "Another role"]
POPULATIONS = ["Children and families", "Justice", "Adults", "More than one of these"]
ABOUT_YOU = [
    ("job-role", "Which best describes your job?", JOB_ROLES),
    ("population", "Who does your service mainly work with?", POPULATIONS),
]

#: site -> (responses before, responses after)
RESPONSES = {BORDERS: (8, 7), STIRLING: (10, 10), WEST_LOTHIAN: (10, 10)}
#: How many agreed with each outcome statement, before and after.
AGREED_BEFORE = [16, 19, 13, 4, 6]
AGREED_AFTER = [27, 27, 27, 26, 25]

HELPED_MOST = [
    "Hearing the recorded voices of people with lived experience.",
    "Time to think about power in my own team, not just in theory.",
    "The ladder of participation exercise: placing our own work on it was eye-opening.",
    "Working through real examples with colleagues from other teams.",
    "The facilitators sharing their own experience so openly.",
    "Space to be honest about where we fall short.",
    "Planning an actual next step before leaving the room.",
    "",
]
COULD_BE_BETTER = [
    "More time in small groups.",
    "Some examples from adult services as well as children's.",
    "A short reading list to take away.",
    "Frontline workers in the room too, not only managers.",
    "",
    "",
]
WILL_DO_NEXT = [
    "Ask the young people's group to help rewrite our review meeting invitations.",
    "Add a lived experience item to our team meeting agenda every month.",
    "Check who is missing when we design changes to the duty service.",
    "Pay people for their time when we ask for their views, and tell them what happened.",
    "Take the self-assessment back to our steering group with power sharing as a priority.",
    "Talk with my team about how we use our professional authority in meetings.",
    "",
]

SUMMARY = {
    "background": (
        "Social work leaders in three councils taking part in the trauma-responsive social "
        "work programme had already completed a self-assessment, and each had named sharing "
        "power with people with lived experience as something to improve. This learning was "
        "made with adults and young people with lived experience of social work to help "
        "those leaders turn that priority into action."
    ),
    "evaluation_method": (
        "Everyone booked was asked to answer a short anonymous questionnaire before their "
        "first session and another after their last, through a link or a QR code. Nobody "
        "gave their name, and the platform stores nothing that could identify them, so "
        "answers before and after can't be matched person by person. Response rates are "
        "worked out against the register of the session each questionnaire belongs to."
    ),
    "key_learning": (
        "A team mixing lived, professional and leadership experience made the sessions feel "
        "safe and credible. Leaders linked what they learned to their own action plans, and "
        "many named a concrete next step."
    ),
    "feedback_loop": (
        "What leaders said will go back to the adults and young people who helped design the "
        "sessions, and their questions and comments will be answered."
    ),
    "next_steps": (
        "Refine the sessions using this feedback; look at how the key messages can reach "
        "frontline staff; agree what facilitators need to deliver the sessions safely; and "
        "consider offering them beyond the programme's pilot councils."
    ),
    "plain_summary": (
        "Thank you for helping us design the power sharing sessions. 38 social work leaders "
        "in three councils came. Before the sessions, about half of them said they could "
        "explain what sharing power means. Afterwards, all of them did, and almost all had a "
        "plan to share more power in their service. Many said your words were the part that "
        "helped them most."
    ),
}


def _spread(rng: random.Random, total: int, agreed: int) -> list[bool]:
    flags = [True] * agreed + [False] * (total - agreed)
    rng.shuffle(flags)
    return flags


def _likert(rng: random.Random, agree: bool) -> int:
    if agree:
        return rng.choice([4, 4, 4, 5, 5])
    return rng.choice([3, 3, 3, 2, 2, 1])


def _answers(rng, questionnaire, agreed_rows: list[list[bool]], person: int, after: bool):
    questions = {q.code: q for q in questionnaire.questions.prefetch_related("choices")}
    answers = {
        questions["job-role"].pk: rng.choice([1, 1, 2, 2, 2, 3, 4, 5]),
        questions["population"].pk: rng.choice([1, 1, 2, 3, 4]),
    }
    for index in range(5):
        answers[questions[f"ilo-{index + 1}"].pk] = _likert(rng, agreed_rows[index][person])
    texts = {}
    if after:
        for code, _ in services.REACTION_STATEMENTS:
            answers[questions[code].pk] = rng.choice([4, 5, 5])
        texts = {
            questions["helped-most"].pk: rng.choice(HELPED_MOST),
            questions["could-be-better"].pk: rng.choice(COULD_BE_BETTER),
            questions["will-do-next"].pk: rng.choice(WILL_DO_NEXT),
        }
    return answers, texts


def _answer_all(rng, questionnaire, agreed: list[int], counts: dict[str, int], after: bool) -> int:
    total = sum(counts.values())
    agreed_rows = [_spread(rng, total, n) for n in agreed]
    person = 0
    for link in questionnaire.links.select_related("delivery__site").order_by(
        "delivery__site__name"
    ):
        for _ in range(counts.get(link.delivery.site.name, 0)):
            answers, texts = _answers(rng, questionnaire, agreed_rows, person, after)
            day = link.closes_on - datetime.timedelta(days=rng.randint(0, 6))
            services.response_submit(
                link=link, answers=answers, texts=texts, today=max(day, link.opens_on)
            )
            person += 1
    return person


def load(stdout=None) -> int:
    product = LearningProduct.objects.filter(organisation__name=SG, slug=POWER_SHARING_SLUG).first()
    if product is None or product.questionnaires.exists():
        return 0
    heather = User.objects.filter(email="heather.lindsay@sg.example").first()
    pre, post = services.standard_questionnaires_make(
        actor=heather, product=product, about_you=ABOUT_YOU
    )
    rng = random.Random(SEED)
    created = 2
    created += _answer_all(
        rng, pre, AGREED_BEFORE, {site: n[0] for site, n in RESPONSES.items()}, after=False
    )
    created += _answer_all(
        rng, post, AGREED_AFTER, {site: n[1] for site, n in RESPONSES.items()}, after=True
    )
    services.summary_update(actor=heather, product=product, **SUMMARY)
    created += 1
    if stdout is not None:
        stdout.write(f"Evaluation: {created} new records.")
    return created

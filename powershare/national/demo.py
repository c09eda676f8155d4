"""Demo national survey rounds, in our own words, made through the services.

* **Round 2024** (covering 2023/24): 27 of the 32 councils sent returns.
* **Round 2025** (covering 2024/25), copied from 2024: 29 of 32 returns. Its computed results
  are the worked example of the source document: early signs of the five short-term outcomes
  seen by 100, 97, 97, 93 and 90% of the councils that answered, and 79% with a multi-agency
  steering group. The key messages and recommendations are written.
* **Round 2026** (covering 2025/26), copied from 2025, is open now: some councils have sent
  their return, some have a draft, the rest have not started, so the chasing list has work in
  it. Fife's nominated respondent (a demo login) has a draft to finish.

Nothing in the answers is about a person. Idempotent: a round that exists is left alone.
"""

import datetime

from django.utils import timezone

from powershare.accounts.management.commands.demo_data import DEMO_PASSWORD
from powershare.accounts.models import Membership, Organisation, OrganisationKind, User
from powershare.accounts.roles import Role

from . import services
from .models import CouncilReturn, ReturnSource, ReturnStatus, SurveyRound

COORDINATOR = "ruth.campbell@improvement.example"
NATIONAL_BODY = "Improvement Service"
FIFE = "Fife Council"
RESPONDENTS = [
    ("gregor.watt@fife.example", "Gregor Watt", FIFE, "Trauma lead officer"),
    ("shona.kerr@dundee.example", "Shona Kerr", "Dundee City Council", "Trauma lead officer"),
]
LOGINS = [
    {
        "email": email,
        "password": DEMO_PASSWORD,
        "role": Role.SURVEY_RESPONDENT.label,
        "organisation": organisation,
        "name": name,
    }
    for email, name, organisation, _ in RESPONDENTS
]

#: Councils that did not send a return, by round.
NOT_SENT = {
    2024: {
        "Inverclyde Council",
        "Orkney Islands Council",
        "East Renfrewshire Council",
        "The Moray Council",
        "West Dunbartonshire Council",
    },
    2025: {"Inverclyde Council", "Orkney Islands Council", "East Renfrewshire Council"},
}

#: For each yes/no question, the positions (among the councils that answered, in name order)
#: of those that said no. 2025: 29 answered, so 0, 1, 1, 2, 3 and 6 "no" answers give 100, 97,
#: 97, 93, 90 and 79%.
NO_AT = {
    2024: {
        "early-signs-knowledge": [4],
        "early-signs-understanding": [1, 8, 19],
        "early-signs-leadership": [2, 6, 12, 21],
        "early-signs-environments": [0, 5, 10, 16, 23],
        "early-signs-wellbeing": [3, 7, 11, 14, 18, 22, 25],
        "steering-group": [1, 4, 7, 9, 13, 17, 20, 24, 26],
    },
    2025: {
        "early-signs-knowledge": [],
        "early-signs-understanding": [3],
        "early-signs-leadership": [11],
        "early-signs-environments": [5, 20],
        "early-signs-wellbeing": [7, 15, 24],
        "steering-group": [2, 9, 13, 18, 22, 27],
    },
}

EXAMPLES = {
    "early-signs-knowledge-examples": [
        "Case recordings in our justice team now talk about what has happened to people, not "
        "only what they have done.",
        "Team leaders say practitioners slow down first visits and explain each step.",
    ],
    "early-signs-wellbeing-examples": [
        "Reflective supervision is now offered monthly to every frontline team.",
    ],
    "driver-activity-examples": [
        "Our lived experience panel reviewed the letters we send before a first meeting, and "
        "we rewrote four of them with the panel.",
        "We walked through the duty office with two paid experts by experience and changed the "
        "waiting area.",
        "Trauma-informed learning is now part of induction for every new member of staff.",
    ],
    "enablers-examples": [
        "Having a named lead for this work meant someone kept it moving when things were busy.",
    ],
    "barriers-examples": [
        "Vacancies in two teams meant staff could not be released for the skilled-level sessions.",
        "Funding year to year makes it hard to plan beyond the next twelve months.",
    ],
}

KEY_MESSAGES = (
    "Councils are at different points on the journey, and nearly all of them now see early "
    "signs of change in how staff understand and respond to trauma.\n\n"
    "Most work is still about creating the right conditions: leaders' commitment, staff "
    "wellbeing and learning. More councils are now turning to how services are designed and "
    "how people with lived experience share power in that work."
)
RECOMMENDATIONS = (
    "Keep local leads in post and support them with national infrastructure: these roles "
    "cannot carry the work alone.\n\n"
    "Put staff wellbeing at the centre of local planning while pressures on the workforce "
    "stay high.\n\n"
    "Link this work to other policy areas so it is part of how services are planned, not a "
    "separate project."
)


def _users(national_body: Organisation) -> tuple[User | None, int]:
    created = 0
    for email, name, organisation_name, job_title in RESPONDENTS:
        organisation = Organisation.objects.filter(name=organisation_name).first()
        if organisation is None:
            continue
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
            created += 1
        _, was_created = Membership.objects.get_or_create(
            user=user,
            organisation=organisation,
            ended_at=None,
            defaults={"role": Role.SURVEY_RESPONDENT, "job_title": job_title},
        )
        created += was_created
    return User.objects.filter(email=COORDINATOR).first(), created


def _row(council: Organisation, position: int, year: int) -> services.ReturnRow:
    """A council's answers: yes/no by NO_AT, options and examples varied by position."""
    from powershare.evaluation.models import NO, YES

    answers = {code: (NO if position in noes else YES) for code, noes in NO_AT[year].items()}
    # Drivers 1-8: every council is active in leadership and learning; others vary.
    answers["driver-activity"] = sorted(
        {1, 4} | {n for n in range(2, 9) if (position + n + year) % 3 != 0}
    )
    answers["enablers"] = sorted({1, 2} | {n for n in (3, 4, 5) if (position + n) % 2 == 0})
    answers["barriers"] = sorted({n for n in (1, 2, 3, 4, 5) if (position + n) % 3 != 1} or {2})
    texts, shareable = {}, set()
    for code, words in EXAMPLES.items():
        if position < len(words):
            texts[code] = words[position]
            # Most councils agree their examples may be quoted; every third keeps them back.
            if position % 3 != 2:
                shareable.add(code)
    return services.ReturnRow(council=council, answers=answers, texts=texts, shareable=shareable)


def _answer(survey_round: SurveyRound, year: int, councils: list[Organisation]) -> None:
    sent = [c for c in councils if c.name not in NOT_SENT[year]]
    rows = [_row(council, position, year) for position, council in enumerate(sent)]
    services.returns_import(
        plan=services.ImportPlan(survey_round=survey_round, rows=rows),
        source=ReturnSource.ONLINE,
    )


def load(stdout=None) -> int:
    national_body = Organisation.objects.filter(
        name=NATIONAL_BODY, kind=OrganisationKind.NATIONAL_BODY
    ).first()
    if national_body is None:
        return 0
    coordinator, created = _users(national_body)
    if SurveyRound.objects.filter(year__in=(2024, 2025, 2026)).exists():
        return created
    councils = list(
        Organisation.objects.filter(
            kind=OrganisationKind.LOCAL_AUTHORITY, is_reference=True
        ).order_by("name")
    )
    first = services.round_create(
        actor=None,
        organisation_id=national_body.pk,
        year=2024,
        title="National learning survey 2024",
        opens_on=datetime.date(2024, 4, 22),
        closes_on=datetime.date(2024, 6, 14),
    )
    _answer(first, 2024, councils)
    second = services.round_copy(actor=None, survey_round=first)
    _answer(second, 2025, councils)
    services.round_update(
        actor=None,
        survey_round=second,
        key_messages=KEY_MESSAGES,
        recommendations=RECOMMENDATIONS,
    )
    # The open round: dates around today, so "due in N days" means something.
    third = services.round_copy(actor=None, survey_round=second)
    today = timezone.localdate()
    services.round_update(
        actor=None,
        survey_round=third,
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=21),
    )
    open_rows = [_row(council, position, 2025) for position, council in enumerate(councils)]
    services.returns_import(
        plan=services.ImportPlan(
            survey_round=third,
            rows=[r for r in open_rows[:11] if r.council.name != FIFE],
        ),
        source=ReturnSource.ONLINE,
    )
    drafts = list(open_rows[11:18])
    # Fife always has a draft (its demo respondent finishes it); once only.
    drafts += [r for r in open_rows if r.council.name == FIFE and r not in drafts]
    for row in drafts:
        row.answers = {k: v for k, v in row.answers.items() if k.startswith("early-signs")}
    services.returns_import(
        plan=services.ImportPlan(survey_round=third, rows=drafts),
        status=ReturnStatus.DRAFT,
        source=ReturnSource.ONLINE,
    )
    created += 3 + CouncilReturn.objects.filter(round__in=(first, second, third)).count()
    if coordinator is not None:
        SurveyRound.objects.filter(pk__in=(first.pk, second.pk, third.pk)).update(
            created_by=coordinator
        )
    if stdout is not None:
        stdout.write(f"National survey: {created} new records.")
    return created

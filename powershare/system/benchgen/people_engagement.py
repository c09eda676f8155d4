"""People, consent, activities, invitations, contributions, "you said, we did" responses,
feedback letters and involvement payments, for the benchmarks (issue 12).

Spread over `ctx.councils`, each council's records made by its member of staff (`ctx.staff`),
one council at a time, so memory stays bounded by the largest council. Each person has a
timeline (joined, consents given and maybe one withdrawn, maybe resting or left), and every
later record follows the rules the services keep on the day it happened:

* people are invited only while they agree to be contacted, have not left and are not resting;
  they accept only if they agree to take part;
* a person's contribution has the widest use level their consent allowed on the day it was
  captured (what the capture service defaults to); a group's has the level the group agreed;
* contributions withdrawn the day after capture are never answered, and their words are erased
  (purged) once the grace period has passed, as the daily purge does;
* responses answer live contributions of their own activity; an activity's loop is closed by a
  sent letter only when every live contribution has a response, and the letter carries them all
  (with its recipients and how each was reached, as `letter_send` records them). Most past
  activities are closed; some are overdue (partly answered, or answered but not sent);
* payments pay attendance (one per invitation), priced from the rate card in force on the day,
  with the person's chosen method; approved by another member of staff (a leader), then paid.

`ctx.shared["people_by_council"]` holds {council id: [person ids]} for the other modules, and
`ctx.shared["people_engagement_expected"]` what the dashboard and register should show per
council (the tests compare them with the app's own selectors).
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import Context, insert, rows

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)

FIRST_NAMES = [
    "Aileen", "Alasdair", "Amina", "Angus", "Beth", "Callum", "Carys", "Catriona", "Craig",
    "Declan", "Eilidh", "Euan", "Fiona", "Gavin", "Isla", "Jamie", "Jenna", "Kenny", "Kirsty",
    "Lachlan", "Lewis", "Lorna", "Mairi", "Malcolm", "Morag", "Murdo", "Niamh", "Owen", "Rhona",
    "Rory", "Sana", "Shona", "Skye", "Stuart", "Tariq", "Una", "Wei", "Yusuf", "Zoe", "Hamish",
]  # fmt: skip
SURNAMES = [
    "Bench", "Allan", "Baird", "Brodie", "Cameron", "Campbell", "Drummond", "Duncan", "Ferguson",
    "Forbes", "Gillies", "Gordon", "Graham", "Hamilton", "Innes", "Kerr", "Lennox", "Logan",
    "MacLeod", "Munro", "Ogilvie", "Rennie", "Sinclair", "Strachan", "Sutherland", "Tait",
    "Urquhart", "Wallace", "Watt", "Young",
]  # fmt: skip
PRONOUNS = ["", "she/her", "he/him", "they/them"]
AREAS = [
    ("Care experience", "Grew up in foster, kinship or residential care"),
    ("Justice", "Contact with the justice system"),
    ("Homelessness", ""),
    ("Mental health", ""),
    ("Unpaid caring", "Looks after a relative or friend"),
    ("Disability", ""),
]
ACCESS_NEEDS = ["Large print papers", "Step-free venue", "Breaks every hour", "Easy-read versions"]
TOPICS = [
    "bus services", "housing repairs", "school transport", "social work letters",
    "the council website", "care leavers' support", "youth clubs", "benefit advice",
    "waiting times", "community safety",
]  # fmt: skip
VENUES = ["Bench Community Hall", "Bench Library", "Council offices, room 2", "Online"]
TIMES = ["10am to 12pm", "1pm to 3pm", "6pm to 8pm", ""]
QUESTIONS = [
    "What works well for you now?",
    "What would you change first?",
    "What gets in the way?",
    "How should we tell you what happened next?",
]
SAYINGS = [
    "Letters are hard to understand.",
    "Staff listened, which made a difference.",
    "Meetings at night are easier for carers.",
    "The website is hard to use on a phone.",
    "Nobody told us what happened last time.",
    "Young people should sit on the panel.",
    "Travel costs stop people coming.",
    "Peer support helped more than anything.",
    "Waiting lists are far too long.",
    "Please use plain words, not jargon.",
]
GROUPS = [
    ("young people, school session", "Bench Youth Partnership"),
    ("parents' group", "Bench Family Centre"),
    ("carers' café", "Bench Carers Centre"),
]
CHANGES = [
    "We will rewrite the letter in plain English with people who took part.",
    "Evening sessions will be offered from next term.",
    "Travel costs will be paid on the day.",
    "The page was changed so it works on a phone.",
    "Two young people will join the interview panel.",
]
REASONS = ["The budget for this was cut this year.", "Another service is already doing this."]
CONSENT_SETS = [
    # (weight, purposes agreed)
    (30, ["contact", "take_part", "keep_information", "quote_internal", "quote_anonymous",
          "quote_named", "publish_public", "photos_video"]),
    (40, ["contact", "take_part", "keep_information", "quote_internal", "quote_anonymous"]),
    (15, ["contact", "take_part", "keep_information", "quote_anonymous", "quote_named"]),
    (10, ["contact", "keep_information"]),
    (5, []),
]  # fmt: skip
#: The purpose behind each use level (engagement.models.USE_PURPOSE).
LEVEL_PURPOSE = {1: "quote_internal", 2: "quote_anonymous", 3: "quote_named", 4: "publish_public"}
FAR = datetime.date(9999, 1, 1)


@dataclass(slots=True)
class _Person:
    pk: int
    joined: datetime.date
    #: The day they stop being invitable: left, started a rest, or withdrew contact.
    stop: datetime.date
    left_on: datetime.date | None
    rest_from: datetime.date | None
    #: purpose -> (given on, withdrawn on or FAR)
    purposes: dict
    email: str
    channel: str
    check_first: bool

    def has(self, purpose: str, day: datetime.date) -> bool:
        given = self.purposes.get(purpose)
        return given is not None and given[0] <= day < given[1]

    def levels(self, day: datetime.date) -> list[int]:
        return [level for level, purpose in LEVEL_PURPOSE.items() if self.has(purpose, day)]

    def contactable(self, day: datetime.date) -> bool:
        if self.left_on is not None and day >= self.left_on:
            return False
        if self.rest_from is not None and day >= self.rest_from:
            return False
        return self.has("contact", day)


@dataclass
class _Expected:
    people: int = 0
    overdue: int = 0
    due_soon: int = 0
    open: int = 0
    without_response: int = 0
    status: Counter = field(default_factory=Counter)


def _split(total: int, weights: list[float]) -> list[int]:
    """`total` shared in proportion to `weights` (largest remainder), exactly."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _pence(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class _Gen:
    """One run: the reference rows every council shares, then each council in turn."""

    def __init__(self, ctx: Context):
        from django.conf import settings
        from django.db import connection
        from django.utils import timezone

        self.ctx = ctx
        self.rng = ctx.rng
        self.today = ctx.today
        midnight = datetime.datetime.combine(ctx.today, datetime.time(), tzinfo=UTC)
        self.latest = min(timezone.now(), midnight) - datetime.timedelta(minutes=1)
        self.yesterday = ctx.today - DAY
        self.purge_days = settings.CONTRIBUTION_PURGE_DAYS
        self.random = ctx.rng.random
        self.latest_day = self.latest.date()
        self.sqlite = connection.vendor == "sqlite"
        # SQLite keeps naive UTC text (as Django writes it); PostgreSQL takes aware values.
        self.db = connection.ops.adapt_datetimefield_value if self.sqlite else (lambda value: value)
        self.purged_before = (self.latest - datetime.timedelta(days=self.purge_days)).date()
        self.counts: Counter = Counter()
        self.expected: dict[int, _Expected] = {}

    # Helpers -----------------------------------------------------------------------------

    def at(self, day: datetime.date, hour: int | None = None):
        """A moment on `day` in working hours (never after the start of today), as the
        database keeps it: aware on PostgreSQL, naive UTC text on SQLite (as Django writes it).
        Made by hand: this runs for every row."""
        r = self.random()
        if hour is None:
            hour, minute = 9 + int(r * 8), int(r * 480) % 60
        else:
            minute = int(r * 60)
        if day >= self.latest_day:
            moment = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
            return self.db(min(moment, self.latest))
        if self.sqlite:
            return f"{day.isoformat()} {hour:02d}:{minute:02d}:00"
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)

    def clamp(self, day: datetime.date, low: datetime.date | None = None) -> datetime.date:
        day = min(day, self.yesterday)
        return max(day, low) if low is not None else day

    def put(self, name: str, model, made: list) -> None:
        self.counts[name] += insert(model, made)

    # Reference rows ----------------------------------------------------------------------

    def prepare(self) -> None:
        from powershare.accounts.models import Membership, User
        from powershare.accounts.roles import Role
        from powershare.engagement.default_ladders import default_ladders_install
        from powershare.engagement.models import EngagementSettings, Ladder
        from powershare.payments.models import PaymentSettings, RateCard
        from powershare.privacy.default_statements import default_statements_install
        from powershare.privacy.selectors import consent_statements_current

        ctx = self.ctx
        default_ladders_install()
        default_statements_install()
        ladders = {
            ladder.slug: (ladder.pk, list(ladder.rungs.order_by("position").values_list("pk")))
            for ladder in Ladder.objects.filter(organisation=None, slug__in=["arnstein", "hart"])
        }
        self.ladders = {slug: (pk, [r[0] for r in rungs]) for slug, (pk, rungs) in ladders.items()}
        self.statements = {
            council.pk: {
                purpose: statement.pk
                for purpose, statement in consent_statements_current(
                    organisation_id=council.pk
                ).items()
            }
            for council in ctx.councils
        }
        self.feedback_days = dict(
            EngagementSettings.objects.filter(organisation__in=ctx.councils).values_list(
                "organisation_id", "feedback_due_days"
            )
        )
        self.cost_codes = dict(
            PaymentSettings.objects.filter(organisation__in=ctx.councils).values_list(
                "organisation_id", "default_cost_code"
            )
        )
        # A second member of staff per council approves payments (never the one who recorded
        # them). A leader may approve spending.
        self.approvers = {}
        for council in ctx.councils:
            email = f"bench.leader.{council.slug}@bench.example"
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email=email, password=None, full_name=f"Bench leader, {council.name}"
            )
            Membership.objects.get_or_create(
                user=user, organisation=council, ended_at=None, defaults={"role": Role.LEADER}
            )
            self.approvers[council.pk] = user.pk
        ctx.shared["approvers"] = dict(self.approvers)
        # Rate cards: two versions per council (unless it has its own), the first in force
        # before anything here happened.
        first_day = self.today - datetime.timedelta(days=5 * 366)
        second_day = self.today - datetime.timedelta(days=365)
        self.cards: dict[int, list[tuple]] = {}
        new = []
        for council in ctx.councils:
            cards = list(
                RateCard.objects.filter(
                    organisation=council, effective_from__lte=first_day
                ).values_list(
                    "pk", "effective_from", "hourly_rate", "half_day_rate", "full_day_rate",
                    "preparation_max_hours",
                )
            )  # fmt: skip
            if cards:
                later = RateCard.objects.filter(organisation=council, effective_from__gt=first_day)
                cards += list(
                    later.values_list(
                        "pk", "effective_from", "hourly_rate", "half_day_rate", "full_day_rate",
                        "preparation_max_hours",
                    )
                )  # fmt: skip
            else:
                staff = ctx.staff[council.pk].pk
                for day, hourly, half, full in (
                    (first_day, "20.00", "60.00", "120.00"),
                    (second_day, "22.00", "66.00", "130.00"),
                ):
                    pk = ctx.ids.take(RateCard)
                    values = (Decimal(hourly), Decimal(half), Decimal(full), Decimal("2"))
                    cards.append((pk, day, *values))
                    new.append(
                        rows(
                            RateCard,
                            {
                                "id": pk,
                                "organisation_id": council.pk,
                                "created_by_id": staff,
                                "created_at": self.at(day - DAY * 7),
                                "updated_at": self.at(day - DAY * 7),
                                "effective_from": day,
                                "hourly_rate": values[0],
                                "half_day_rate": values[1],
                                "full_day_rate": values[2],
                                "preparation_max_hours": values[3],
                                "notes": "",
                            },
                        )
                    )
            self.cards[council.pk] = sorted(cards, key=lambda card: card[1])
        self.put("rate_cards", RateCard, new)

    # One council -------------------------------------------------------------------------

    def council(self, council, n_people: int, n_activities: int, n_contributions: int):
        self.org = council.pk
        self.staff = self.ctx.staff[council.pk].pk
        self.expect = self.expected[council.pk] = _Expected()
        people = self.people(council, n_people)
        activities = self.activities(n_activities)
        invited = self.invitations(activities, people)
        contributions = self.contributions(activities, invited, people, n_contributions)
        self.responses(activities, contributions, invited, people)
        self.payments(activities, invited, max(n_contributions // 20, 0))

    def people(self, council, n: int) -> dict[int, _Person]:
        from powershare.payments.models import PaymentChoice
        from powershare.people.models import (
            ConsentRecord,
            ContactChannel,
            LivedExperienceArea,
            Person,
            age_band_for,
        )

        rng, today, org, staff = self.rng, self.today, self.org, self.staff
        existing = dict(
            LivedExperienceArea.objects.filter(organisation_id=org).values_list("name", "pk")
        )
        area_rows, area_ids = [], []
        for name, description in AREAS:
            pk = existing.get(name)
            if pk is None:
                pk = self.ctx.ids.take(LivedExperienceArea)
                stamp = self.at(today - DAY * 2000)
                area_rows.append(
                    rows(
                        LivedExperienceArea,
                        {
                            "id": pk,
                            "organisation_id": org,
                            "created_by_id": staff,
                            "created_at": stamp,
                            "updated_at": stamp,
                            "name": name,
                            "description": description,
                        },
                    )
                )
            area_ids.append(pk)
        self.put("lived_experience_areas", LivedExperienceArea, area_rows)

        statements = self.statements[org]
        made, tags, consents, choices = [], [], [], []
        self.choices: dict[int, str] = {}
        timeline: dict[int, _Person] = {}
        first = self.ctx.ids.take(Person, n)
        channels = [ContactChannel.EMAIL] * 6 + [
            ContactChannel.PHONE,
            ContactChannel.TEXT,
            ContactChannel.TEXT,
            ContactChannel.POST,
        ]
        consent_weights = [w for w, _ in CONSENT_SETS]
        for pk in range(first, first + n):
            first_name, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            if rng.random() < 0.75:
                joined = today - DAY * rng.randint(3 * 366, 5 * 365)
            else:
                joined = today - DAY * rng.randint(10, 3 * 365)
            age = rng.randint(13, 17) if rng.random() < 0.06 else rng.randint(18, 79)
            dob = None
            if rng.random() < 0.7:
                dob = today - datetime.timedelta(days=int(age * 365.25) + rng.randint(1, 360))
                years = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
                band = age_band_for(years)
            else:
                band = age_band_for(age)
            young = age < 18
            channel = rng.choice(channels)
            if young and channel == ContactChannel.POST:
                channel = ContactChannel.TEXT
            check_first = rng.random() < (0.4 if young else 0.1)
            status, left_on, rest_from, resting_until = "active", None, None, None
            draw = rng.random()
            if draw < 0.07 and joined < today - DAY * 120:
                status = "left"
                left_on = joined + DAY * rng.randint(60, (today - joined).days - 1)
            elif draw < 0.13:
                status = "resting"
                rest_from = max(joined + DAY, today - DAY * rng.randint(1, 90))
                resting_until = None if rng.random() < 0.3 else today + DAY * rng.randint(14, 180)
            agreed = rng.choices(CONSENT_SETS, weights=consent_weights)[0][1]
            purposes = dict.fromkeys(agreed, (joined, FAR))
            withdrawn = None
            if agreed and rng.random() < 0.1 and (today - joined).days > 40:
                purpose = rng.choice(agreed)
                on = today - DAY * rng.randint(1, min(400, (today - joined).days - 31))
                purposes[purpose] = (joined, on)
                withdrawn = (purpose, on)
            stop = min(
                left_on or FAR,
                rest_from or FAR,
                purposes["contact"][1] if "contact" in purposes else joined,
            )
            email = f"{first_name}.{surname}.{pk}@people.bench.example".lower()
            timeline[pk] = _Person(
                pk=pk,
                joined=joined,
                stop=stop,
                left_on=left_on,
                rest_from=rest_from,
                purposes=purposes,
                email="" if channel == ContactChannel.POST else email,
                channel=channel,
                check_first=check_first,
            )
            stamp = self.at(joined)
            self.expect.people += 1
            self.expect.status[status] += 1
            needs = rng.random() < 0.2
            made.append(
                rows(
                    Person,
                    {
                        "id": pk,
                        "organisation_id": org,
                        "created_by_id": staff,
                        "created_at": stamp,
                        "updated_at": stamp,
                        "full_name": f"{first_name} {surname}",
                        "preferred_name": "",
                        "pronouns": rng.choice(PRONOUNS),
                        "email": timeline[pk].email,
                        "phone": f"07700 900{rng.randint(0, 999):03d}",
                        "postal_address": f"{rng.randint(1, 99)} Bench Street\nBench Town"
                        if channel == ContactChannel.POST
                        else "",
                        "date_of_birth": dob,
                        "age_band": band,
                        "credit_as": rng.choice(
                            ["full_name", "first_name", "first_name", "anonymous"]
                        ),
                        "contact_channel": channel,
                        "contact_times": "",
                        "check_with_support_contact": check_first,
                        "access_needs": rng.choice(ACCESS_NEEDS) if needs else "",
                        "support_needs": "",
                        "support_contact_name": "Bench support worker" if check_first else "",
                        "support_contact_role": "Support worker" if check_first else "",
                        "support_contact_phone": "01632 960000" if check_first else "",
                        "support_contact_email": "",
                        "staff_contact_id": staff,
                        "receives_benefits": rng.random() < 0.3,
                        "status": status,
                        "resting_until": resting_until,
                        "left_on": left_on,
                        "topics_to_avoid": "",
                        "rest_days_between_involvements": None,
                        "wellbeing_check_in": "none",
                        "user_id": None,
                        "portal_invited_at": None,
                        "erased_at": None,
                    },
                )
            )
            for area in rng.sample(area_ids, rng.randint(1, 2)):
                tags.append((self.ctx.ids.take(Person.areas.through), pk, area))
            method = rng.choice(["written", "verbal"])
            givers = ["person", "guardian"] if young else ["person"]
            for purpose in agreed:
                for given_by in givers:
                    consents.append(
                        rows(
                            ConsentRecord,
                            {
                                "id": self.ctx.ids.take(ConsentRecord),
                                "person_id": pk,
                                "purpose": purpose,
                                "statement_id": statements[purpose],
                                "decision": "given",
                                "given_by": given_by,
                                "guardian_name": "Their parent or carer"
                                if given_by == "guardian"
                                else "",
                                "method": method if given_by == "person" else "written",
                                "recorded_by_id": staff,
                                "recorded_at": stamp,
                                "note": "",
                            },
                        )
                    )
            if withdrawn is not None:
                purpose, on = withdrawn
                consents.append(
                    rows(
                        ConsentRecord,
                        {
                            "id": self.ctx.ids.take(ConsentRecord),
                            "person_id": pk,
                            "purpose": purpose,
                            "statement_id": statements[purpose],
                            "decision": "withdrawn",
                            "given_by": "person",
                            "guardian_name": "",
                            "method": "verbal",
                            "recorded_by_id": staff,
                            "recorded_at": self.at(on),
                            "note": "Changed their mind.",
                        },
                    )
                )
            if rng.random() < 0.12:
                method = rng.choice(["voucher", "voucher", "decline", "donate", "payroll"])
                self.choices[pk] = method
                choices.append(
                    rows(
                        PaymentChoice,
                        {
                            "id": self.ctx.ids.take(PaymentChoice),
                            "created_at": stamp,
                            "updated_at": stamp,
                            "person_id": pk,
                            "method": method,
                            "charity": "Bench Food Bank" if method == "donate" else "",
                            "limits_set_by": "",
                            "changed_by_id": staff,
                        },
                    )
                )
        self.put("people", Person, made)
        self.put("person_areas", Person.areas.through, tags)
        self.put("consent_records", ConsentRecord, consents)
        self.put("payment_choices", PaymentChoice, choices)
        self.ctx.shared.setdefault("people_by_council", {})[org] = list(timeline)
        return timeline

    def activities(self, n: int) -> list[dict]:
        from powershare.engagement.models import (
            Activity,
            ActivityKind,
            ActivityQuestion,
            normalise_question,
        )

        rng, today, org, staff = self.rng, self.today, self.org, self.staff
        days = self.feedback_days.get(org, 28)
        kinds = list(ActivityKind.values)
        made, questions, activities = [], [], []
        first = self.ctx.ids.take(Activity, n)
        for pk in range(first, first + n):
            young = rng.random() < 0.12
            slug = "hart" if young else "arnstein"
            ladder, rungs = self.ladders[slug]
            rung = (
                rungs[rng.choice([3, 4, 4, 5, 5, 6, 7])]
                if young
                else rungs[rng.choice([2, 3, 3, 4, 5, 5, 6, 7])]
            )
            starts = today - DAY * rng.randint(-60, 3 * 365)
            ends = starts if rng.random() < 0.7 else starts + DAY * rng.randint(1, 60)
            due = ends + DAY * days
            created = self.clamp(starts - DAY * rng.randint(14, 60))
            cancelled = None
            if rng.random() < 0.02:
                cancelled = self.clamp(starts - DAY * rng.randint(1, 10), created)
            kind = rng.choice(kinds)
            topic = rng.choice(TOPICS)
            lundy = starts < today and rng.random() < 0.5
            stamp = self.at(created)
            made.append(
                rows(
                    Activity,
                    {
                        "id": pk,
                        "organisation_id": org,
                        "created_by_id": staff,
                        "created_at": stamp,
                        "updated_at": stamp,
                        "title": f"{ActivityKind(kind).label}: {topic}",
                        "purpose": f"Hear what people think of {topic}, and change it.",
                        "kind": kind,
                        "starts_on": starts,
                        "ends_on": ends,
                        "times": rng.choice(TIMES),
                        "venue": rng.choice(VENUES),
                        "setting": "school"
                        if young
                        else rng.choice(["community", "office", "online"]),
                        "content_notes": "",
                        "support_before": "",
                        "support_during": "",
                        "support_after": "",
                        "payment_offered": rng.choice(["", "£20 an hour", "A £25 voucher"]),
                        "feedback_due_on": due,
                        "ladder_id": ladder,
                        "rung_id": rung,
                        "lundy_space": rng.random() < 0.9 if lundy else None,
                        "lundy_space_note": "",
                        "lundy_voice": rng.random() < 0.85 if lundy else None,
                        "lundy_voice_note": "",
                        "lundy_audience": rng.random() < 0.8 if lundy else None,
                        "lundy_audience_note": "",
                        "lundy_influence": rng.random() < 0.6 if lundy else None,
                        "lundy_influence_note": "",
                        "cancelled_at": self.at(cancelled) if cancelled else None,
                    },
                )
            )
            question_ids = []
            for position, text in enumerate(rng.sample(QUESTIONS, rng.randint(0, 3)), start=1):
                qpk = self.ctx.ids.take(ActivityQuestion)
                question_ids.append(qpk)
                questions.append(
                    rows(
                        ActivityQuestion,
                        {
                            "id": qpk,
                            "activity_id": pk,
                            "position": position,
                            "text": text,
                            "normalised": normalise_question(text),
                        },
                    )
                )
            activities.append(
                {
                    "pk": pk,
                    "starts": starts,
                    "ends": ends,
                    "due": due,
                    "created": created,
                    "cancelled": cancelled is not None,
                    "ladder": slug,
                    "young": young,
                    "questions": question_ids,
                    "title": f"{ActivityKind(kind).label}: {topic}",
                }
            )
        self.put("activities", Activity, made)
        self.put("activity_questions", ActivityQuestion, questions)
        return activities

    def invitations(self, activities: list[dict], people: dict[int, _Person]) -> dict:
        """Returns {activity pk: [(invitation pk, person pk, status, attended)]}."""
        from powershare.engagement.models import Invitation

        rng, today, staff = self.rng, self.today, self.staff
        pool = sorted(people.values(), key=lambda p: p.joined)
        made, invited = [], {}
        for activity in activities:
            if activity["cancelled"]:
                continue
            day = self.clamp(activity["created"] + DAY * rng.randint(0, 7))
            if day > activity["starts"]:
                day = max(activity["created"], activity["starts"] - DAY)
            eligible = [p for p in pool if p.joined <= day < p.stop]
            if not eligible:
                continue
            chosen = rng.sample(eligible, min(len(eligible), rng.randint(3, 10)))
            started = activity["starts"] <= today
            ladder_rungs = self.ladders[activity["ladder"]][1]
            here = invited[activity["pk"]] = []
            for person in chosen:
                pk = self.ctx.ids.take(Invitation)
                may_take_part = person.has("take_part", day)
                draw = rng.random()
                if not may_take_part:
                    status = "declined" if draw < 0.6 else "invited"
                elif started:
                    status = (
                        "accepted" if draw < 0.7 else "declined" if draw < 0.9 else
                        "left" if draw < 0.93 else "withdrawn" if draw < 0.95 else "invited"
                    )  # fmt: skip
                else:
                    status = "invited" if draw < 0.5 else "accepted" if draw < 0.9 else "declined"
                answered = None
                if status in ("accepted", "declined", "left"):
                    answered = self.clamp(day + DAY * rng.randint(1, 7))
                    answered = min(answered, max(activity["ends"], day))
                attended = None
                if started and status in ("accepted", "left"):
                    attended = (
                        True if rng.random() < 0.92 else (False if status == "accepted" else None)
                    )
                left_at = None
                if status == "left":
                    left_at = self.at(self.clamp(activity["starts"], answered or day))
                felt, felt_at = None, None
                if attended and activity["ends"] < today and rng.random() < 0.3:
                    felt = rng.choice(ladder_rungs)
                    felt_at = self.at(self.clamp(activity["ends"] + DAY * rng.randint(0, 10)))
                debrief = bool(attended) and rng.random() < 0.4
                stamp = self.at(day)
                made.append(
                    rows(
                        Invitation,
                        {
                            "id": pk,
                            "created_at": stamp,
                            "updated_at": self.at(answered) if answered else stamp,
                            "activity_id": activity["pk"],
                            "person_id": person.pk,
                            "status": status,
                            "invited_by_id": staff,
                            "invited_at": stamp,
                            "warnings_at_invitation": "[]",
                            "answered_at": self.at(answered) if answered else None,
                            "decline_reason": "",
                            "left_at": left_at,
                            "access_arrangements": "",
                            "attended": attended,
                            "debrief_offered": debrief,
                            "debrief_done": debrief and rng.random() < 0.7,
                            "wellbeing_note": "",
                            "felt_rung_id": felt,
                            "felt_recorded_at": felt_at,
                        },
                    )
                )
                here.append((pk, person.pk, status, attended))
        self.put("invitations", Invitation, made)
        return invited

    def contributions(
        self, activities: list[dict], invited: dict, people: dict[int, _Person], n: int
    ) -> dict:
        """Returns {activity pk: [(contribution pk, person pk or None, group key or None,
        captured on, live)]} with each activity's `floor`: the last day anything happened."""
        from powershare.engagement.models import Contribution, ContributionKind

        rng, today, org, staff = self.rng, self.today, self.org, self.staff
        eligible = [a for a in activities if not a["cancelled"] and a["starts"] < today]
        made, by_activity = [], {}
        if not eligible or n <= 0:
            return by_activity
        weights = [rng.uniform(0.3, 2.0) for _ in eligible]
        per = Counter(a["pk"] for a in rng.choices(eligible, weights=weights, k=n))
        kinds = list(ContributionKind.values)
        first = self.ctx.ids.take(Contribution, n)
        pk = first
        for activity in eligible:
            count = per.get(activity["pk"], 0)
            if not count:
                continue
            last_day = min(activity["ends"], self.yesterday)
            span = (last_day - activity["starts"]).days
            attendees = [
                people[person]
                for _, person, status, attended in invited.get(activity["pk"], [])
                if status in ("accepted", "left") and attended is not False
            ]
            group_only = activity["young"] and rng.random() < 0.5 or rng.random() < 0.1
            group = rng.choice(GROUPS)
            label = f"{group[0]} {rng.randint(1, 5)}" if group[0].endswith("session") else group[0]
            here = by_activity[activity["pk"]] = []
            for _ in range(count):
                captured = activity["starts"] + DAY * rng.randint(0, span)
                person = None
                level = None
                if attendees and not group_only and rng.random() < 0.85:
                    person = rng.choice(attendees)
                    levels = person.levels(captured)
                    if levels:
                        level = max(levels)
                    else:
                        person = None
                if person is None:
                    level = rng.choices([1, 2, 3, 4], weights=[3, 4, 1, 2])[0]
                withdrawn = rng.random() < 0.01
                withdrawn_on = self.clamp(captured + DAY, captured) if withdrawn else None
                withdrawn_at = self.at(withdrawn_on) if withdrawn else None
                purged = withdrawn and withdrawn_on < self.purged_before
                stamp = self.at(captured)
                values = {
                    "id": pk,
                    "organisation_id": org,
                    "created_by_id": staff,
                    "created_at": stamp,
                    "updated_at": withdrawn_at or stamp,
                    "activity_id": activity["pk"],
                    "question_id": rng.choice(activity["questions"])
                    if activity["questions"] and rng.random() < 0.7
                    else None,
                    "kind": rng.choice(kinds),
                    "text": rng.choice(SAYINGS),
                    "person_id": person.pk if person else None,
                    "group_label": "" if person else label,
                    "group_consent_held_by": "" if person else group[1],
                    "use_level": level,
                    "source": "staff",
                    "captured_on": captured,
                    "withdrawn_at": withdrawn_at,
                    "withdrawn_by_person": False,
                    "withdrawn_by_id": staff if withdrawn else None,
                    "purged_at": None,
                }
                if purged:
                    # What contributions_purge_withdrawn leaves behind.
                    purged_on = withdrawn_on + DAY * (self.purge_days - 1)
                    values.update(
                        text="",
                        person_id=None,
                        group_label="[withdrawn]",
                        group_consent_held_by="",
                        purged_at=self.at(purged_on, 3),
                    )
                made.append(rows(Contribution, values))
                here.append(
                    (
                        pk,
                        values["person_id"],
                        None if person or purged else (label, group[1]),
                        withdrawn_on or captured,
                        not withdrawn,
                    )
                )
                pk += 1
        self.put("contributions", Contribution, made)
        return by_activity

    def responses(
        self,
        activities: list[dict],
        contributions: dict,
        invited: dict,
        people: dict[int, _Person],
    ) -> None:
        from powershare.accountability.models import (
            Delivery,
            FeedbackLetter,
            FeedbackRecipient,
            Response,
            ResponseContribution,
            ResponseProgress,
        )
        from powershare.accountability.services import _default_letter

        rng, today, org, staff = self.rng, self.today, self.org, self.staff
        soon = today + DAY * 14
        responses, links, progress = [], [], []
        letters, letter_contributions, letter_responses, recipients = [], [], [], []
        ids = self.ctx.ids
        for activity in activities:
            if activity["cancelled"] or activity["starts"] > today:
                continue
            made = contributions.get(activity["pk"], [])
            live = [c for c in made if c[4]]
            floor = max([c[3] for c in made], default=activity["starts"])
            floor = max(floor, min(activity["ends"], self.yesterday))
            ended = activity["ends"] < today
            letter = False
            if activity["due"] < today:
                draw = rng.random()
                if draw < 0.88:
                    share, letter = 1.0, True
                elif draw < 0.92:
                    share = 1.0
                else:
                    share = rng.uniform(0.3, 0.9)
            elif ended:
                share = 1.0 if rng.random() < 0.4 else rng.uniform(0.5, 1.0)
                letter = share == 1.0 and rng.random() < 0.6
            else:
                share = rng.uniform(0.0, 0.5)
            letter = letter and ended and floor < today
            answered = live if share >= 1.0 else rng.sample(live, int(len(live) * share))
            if share < 1.0 and live and len(answered) == len(live):
                answered = answered[:-1]
            unanswered = len(live) - len(answered)
            sent_on = None
            if letter:
                sent_on = self.clamp(activity["due"] - DAY * rng.randint(-7, 21), floor)
            limit = sent_on or self.yesterday
            rng.shuffle(answered)
            response_ids = []
            at = 0
            while at < len(answered):
                group = answered[at : at + rng.randint(1, 4)]
                at += len(group)
                rpk = ids.take(Response)
                response_ids.append(rpk)
                latest_capture = max(c[3] for c in group)
                made_on = min(latest_capture + DAY * rng.randint(1, 20), limit)
                made_on = max(made_on, latest_capture)
                decision = rng.choices(
                    ["will_do", "done", "will_not_do", "considering"], weights=[4, 3, 1, 2]
                )[0]
                due_on, status, evidence, reason = None, "complete", "", ""
                if decision == "done":
                    evidence = "Minutes of the meeting where it was agreed."
                elif decision == "will_not_do":
                    reason = rng.choice(REASONS)
                elif decision == "will_do":
                    due_on = made_on + DAY * rng.randint(30, 180)
                    status = (
                        ("complete" if rng.random() < 0.75 else rng.choice(["in_progress", "not_started"]))
                        if due_on < today
                        else rng.choice(["in_progress", "not_started"])
                    )  # fmt: skip
                else:
                    due_on = made_on + DAY * rng.randint(14, 120)
                    status = rng.choice(["not_started", "on_hold", "in_progress"])
                stamp = self.at(made_on)
                responses.append(
                    rows(
                        Response,
                        {
                            "id": rpk,
                            "organisation_id": org,
                            "created_by_id": staff,
                            "created_at": stamp,
                            "updated_at": stamp,
                            "activity_id": activity["pk"],
                            "decision": decision,
                            "reason": reason,
                            "what_will_change": rng.choice(CHANGES),
                            "owner_id": staff if rng.random() < 0.85 else None,
                            "due_on": due_on,
                            "status": status,
                            "evidence": evidence,
                        },
                    )
                )
                for contribution in group:
                    links.append((ids.take(ResponseContribution), rpk, contribution[0]))
                if decision in ("will_do", "done") and rng.random() < 0.25:
                    day = self.clamp(made_on + DAY * rng.randint(1, 60), made_on)
                    progress.append(
                        rows(
                            ResponseProgress,
                            {
                                "id": ids.take(ResponseProgress),
                                "response_id": rpk,
                                "happened_on": day,
                                "text": "Met the service manager about it.",
                                "written_by_id": staff,
                                "created_at": self.at(day),
                            },
                        )
                    )
            if sent_on is None:
                if activity["due"] < today:
                    self.expect.overdue += 1
                elif activity["due"] <= soon:
                    self.expect.due_soon += 1
                else:
                    self.expect.open += 1
                self.expect.without_response += unanswered
                continue
            lpk = ids.take(FeedbackLetter)
            words = _default_letter(_Titled(activity["title"], activity["ends"]))
            sent_at = self.at(sent_on, 15)
            letters.append(
                rows(
                    FeedbackLetter,
                    {
                        "id": lpk,
                        "organisation_id": org,
                        "created_by_id": staff,
                        "created_at": self.at(sent_on, 10),
                        "updated_at": sent_at,
                        "activity_id": activity["pk"],
                        "subject": words["subject"],
                        "opening": words["opening"],
                        "closing": words["closing"],
                        "status": "sent",
                        "sent_at": sent_at,
                        "sent_on": sent_on,
                        "sent_by_id": staff,
                    },
                )
            )
            for contribution in answered:
                letter_contributions.append(
                    (ids.take(FeedbackLetter.contributions.through), lpk, contribution[0])
                )
            for rpk in response_ids:
                letter_responses.append((ids.take(FeedbackLetter.responses.through), lpk, rpk))
            audience = {c[1] for c in live if c[1] is not None} | {
                person for _, person, status, _ in invited.get(activity["pk"], [])
                if status == "accepted"
            }  # fmt: skip
            for person_pk in sorted(audience):
                person = people[person_pk]
                if not person.contactable(sent_on):
                    delivery = Delivery.NOT_CONTACTED
                elif person.email and person.channel == "email" and not person.check_first:
                    delivery = Delivery.EMAIL
                else:
                    delivery = Delivery.POST
                posted = None
                if delivery == Delivery.POST and rng.random() < 0.85:
                    posted = self.clamp(sent_on + DAY * rng.randint(0, 3), sent_on)
                recipients.append(
                    rows(
                        FeedbackRecipient,
                        {
                            "id": ids.take(FeedbackRecipient),
                            "letter_id": lpk,
                            "person_id": person_pk,
                            "group_label": "",
                            "group_consent_held_by": "",
                            "delivery": delivery,
                            "sent_on": sent_on,
                            "emailed_at": self.at(sent_on, 16)
                            if delivery == Delivery.EMAIL
                            else None,
                            "posted_on": posted,
                            "read_at": None,
                        },
                    )
                )
            for label, held_by in sorted({c[2] for c in live if c[2] is not None}):
                recipients.append(
                    rows(
                        FeedbackRecipient,
                        {
                            "id": ids.take(FeedbackRecipient),
                            "letter_id": lpk,
                            "person_id": None,
                            "group_label": label,
                            "group_consent_held_by": held_by,
                            "delivery": Delivery.PARTNER,
                            "sent_on": sent_on,
                            "emailed_at": None,
                            "posted_on": None,
                            "read_at": None,
                        },
                    )
                )
        self.put("responses", Response, responses)
        self.put("response_links", ResponseContribution, links)
        self.put("response_progress", ResponseProgress, progress)
        self.put("feedback_letters", FeedbackLetter, letters)
        self.put("letter_contributions", FeedbackLetter.contributions.through, letter_contributions)
        self.put("letter_responses", FeedbackLetter.responses.through, letter_responses)
        self.put("feedback_recipients", FeedbackRecipient, recipients)

    def payments(self, activities: list[dict], invited: dict, n: int) -> None:
        from powershare.payments.models import Payment

        rng, today, org, staff = self.rng, self.today, self.org, self.staff
        ends = {a["pk"]: a["ends"] for a in activities}
        attended = [
            (invitation, person, activity)
            for activity, rows_ in invited.items()
            if ends[activity] < self.yesterday
            for invitation, person, status, was_there in rows_
            if status in ("accepted", "left") and was_there
        ]
        # Recent attendance is paid for first (the queue to approve and pay), the rest at random.
        recent_from = today - DAY * 45
        recent = [row for row in attended if ends[row[2]] >= recent_from]
        older = [row for row in attended if ends[row[2]] < recent_from]
        chosen = rng.sample(recent, min(n // 4, len(recent)))
        chosen += rng.sample(older, min(n - len(chosen), len(older)))
        cards = self.cards[org]
        cost_code = self.cost_codes.get(org, "")
        approver = self.approvers[org]
        made = []
        for invitation, person, activity in chosen:
            worked_on = ends[activity]
            card = [c for c in cards if c[1] <= worked_on][-1]
            _, _, hourly, half, full, prep_max = card
            unit = rng.choices(["hours", "half_day", "full_day"], weights=[6, 3, 1])[0]
            quantity = Decimal(rng.randint(2, 4)) if unit == "hours" else Decimal(1)
            rate = {"hours": hourly, "half_day": half, "full_day": full}[unit]
            prep = Decimal(rng.choice([0, 0, 1, 3]))
            amount = _pence(rate * quantity + hourly * min(prep, prep_max))
            method = self.choices.get(person, "bank_transfer")
            created = self.clamp(worked_on + DAY * rng.randint(1, 10), worked_on)
            age = (today - created).days
            draw = rng.random()
            if age > 45:
                status = "paid" if draw < 0.92 else "cancelled" if draw < 0.95 else "approved"
            elif age > 10:
                status = "approved" if draw < 0.4 else "paid" if draw < 0.7 else "owed"
            else:
                status = "owed" if draw < 0.7 else "approved"
            if method == "decline" and status in ("approved", "paid"):
                status = "declined"
            approved_on = paid_on = None
            if status in ("approved", "paid", "declined"):
                approved_on = self.clamp(created + DAY * rng.randint(1, 7), created)
            if status == "paid":
                paid_on = self.clamp(approved_on + DAY * rng.randint(1, 14), approved_on)
            pk = self.ctx.ids.take(Payment)
            stamp = self.at(created)
            made.append(
                rows(
                    Payment,
                    {
                        "id": pk,
                        "organisation_id": org,
                        "created_by_id": staff,
                        "created_at": stamp,
                        "updated_at": self.at(paid_on or approved_on or created),
                        "person_id": person,
                        "kind": "involvement",
                        "activity_id": activity,
                        "invitation_id": invitation,
                        "description": "",
                        "worked_on": worked_on,
                        "time_unit": unit,
                        "quantity": quantity,
                        "preparation_hours": prep,
                        "travel_hours": Decimal("0"),
                        "rate_card_id": card[0],
                        "rate": rate,
                        "amount": amount,
                        "method": method,
                        "charity": "Bench Food Bank" if method == "donate" else "",
                        "status": status,
                        "cost_code": cost_code,
                        "approved_by_id": approver if approved_on else None,
                        "approved_at": self.at(approved_on) if approved_on else None,
                        "warning_at_approval": "[]",
                        "paid_on": paid_on,
                        "finance_reference": f"FIN-{pk:07d}" if paid_on else "",
                        "marked_paid_by_id": staff if paid_on else None,
                        "adjustment_of_id": None,
                        "reason": "Recorded twice by mistake." if status == "cancelled" else "",
                        "note": "",
                        "prepared_by_ids": json.dumps([staff]),
                    },
                )
            )
        self.put("payments", Payment, made)


@dataclass
class _Titled:
    """What `_default_letter` reads of an activity."""

    title: str
    ends_on: datetime.date


def generate(ctx: Context) -> dict[str, int]:
    scale = ctx.scale
    gen = _Gen(ctx)
    gen.prepare()
    weights = [ctx.rng.uniform(0.5, 1.5) for _ in ctx.councils]
    people = _split(scale.experts_by_experience, weights)
    activities = _split(scale.activities, weights)
    contributions = _split(scale.contributions, weights)
    for council, n_people, n_activities, n_contributions in zip(
        ctx.councils, people, activities, contributions, strict=True
    ):
        gen.council(council, n_people, n_activities, n_contributions)
    ctx.shared["people_engagement_expected"] = {
        pk: {
            "people": e.people,
            "status": dict(e.status),
            "overdue": e.overdue,
            "due_soon": e.due_soon,
            "open": e.open,
            "without_response": e.without_response,
        }
        for pk, e in gen.expected.items()
    }
    return dict(gen.counts)


# Checks ---------------------------------------------------------------------------------------


def check(ctx: Context) -> list[str]:
    """Rules the services keep, asked of the database afterwards (for the councils made here)."""
    from django.db.models import Count, Exists, F, OuterRef, Q

    from powershare.accountability.models import (
        FeedbackLetter,
        FeedbackRecipient,
        Response,
        ResponseContribution,
    )
    from powershare.engagement.models import Activity, Contribution, Invitation
    from powershare.payments.models import Payment, RateCard
    from powershare.people.models import ConsentRecord, Person, age_band_for

    orgs = [c.pk for c in ctx.councils]
    problems: list[str] = []

    def expect_none(what: str, queryset) -> None:
        n = queryset.count()
        if n:
            problems.append(f"{n:,} {what}")

    activities = Activity.objects.filter(organisation_id__in=orgs)
    contributions = Contribution.objects.filter(organisation_id__in=orgs)
    responses = Response.objects.filter(organisation_id__in=orgs)
    expect_none(
        "contributions whose activity belongs to another council",
        contributions.exclude(activity__organisation_id=F("organisation_id")),
    )
    expect_none(
        "contributions from a person on another council's register",
        contributions.filter(person__isnull=False).exclude(
            person__organisation_id=F("organisation_id")
        ),
    )
    expect_none(
        "contributions with neither a person nor a group",
        contributions.filter(person__isnull=True, group_label=""),
    )
    expect_none(
        "activities whose rung is not on their ladder",
        activities.exclude(rung__ladder_id=F("ladder_id")),
    )
    expect_none(
        "activities ending before they start, or promising feedback before they end",
        activities.filter(Q(ends_on__lt=F("starts_on")) | Q(feedback_due_on__lt=F("ends_on"))),
    )
    expect_none(
        "invitations of a person from another council's register",
        Invitation.objects.filter(activity__organisation_id__in=orgs).exclude(
            person__organisation_id=F("activity__organisation_id")
        ),
    )
    expect_none(
        "responses whose activity belongs to another council",
        responses.exclude(activity__organisation_id=F("organisation_id")),
    )
    expect_none(
        "responses answering no contribution",
        responses.annotate(n=Count("links")).filter(n=0),
    )
    links = ResponseContribution.objects.filter(response__organisation_id__in=orgs)
    expect_none(
        "response links to a contribution of another activity",
        links.exclude(contribution__activity_id=F("response__activity_id")),
    )
    expect_none(
        "response links to a missing contribution",
        links.exclude(contribution_id__in=Contribution.objects.values("pk")),
    )
    expect_none(
        "'will not do' responses without a reason",
        responses.filter(decision="will_not_do", reason=""),
    )
    letters = FeedbackLetter.objects.filter(organisation_id__in=orgs)
    expect_none(
        "sent letters without a date, or of another council's activity",
        letters.filter(
            Q(status="sent", sent_on__isnull=True)
            | ~Q(activity__organisation_id=F("organisation_id"))
        ),
    )
    expect_none(
        "letters reporting back on another activity's contributions",
        FeedbackLetter.contributions.through.objects.filter(
            feedbackletter__organisation_id__in=orgs
        ).exclude(contribution__activity_id=F("feedbackletter__activity_id")),
    )
    expect_none(
        "letters sent while a live contribution had no response",
        letters.filter(status="sent").filter(
            Exists(
                Contribution.objects.filter(
                    activity_id=OuterRef("activity_id"),
                    withdrawn_at__isnull=True,
                    purged_at__isnull=True,
                    response_links__isnull=True,
                )
            )
        ),
    )
    expect_none(
        "letter recipients with another date than their letter's",
        FeedbackRecipient.objects.filter(letter__organisation_id__in=orgs).exclude(
            sent_on=F("letter__sent_on")
        ),
    )
    # A person's contribution may be used only as far as they had agreed when it was captured.
    for level, purpose in LEVEL_PURPOSE.items():
        agreed = ConsentRecord.objects.filter(
            person_id=OuterRef("person_id"),
            purpose=purpose,
            given_by="person",
            decision="given",
            recorded_at__date__lte=OuterRef("captured_on"),
        )
        expect_none(
            f"contributions used at level {level} without the person's agreement to {purpose}",
            contributions.filter(person__isnull=False, use_level=level).exclude(Exists(agreed)),
        )
    expect_none(
        "consent records against a statement for another purpose",
        ConsentRecord.objects.filter(person__organisation_id__in=orgs).exclude(
            statement__purpose=F("purpose")
        ),
    )
    people = Person.objects.filter(organisation_id__in=orgs)
    wrong_band = sum(
        1
        for dob, band in people.filter(date_of_birth__isnull=False).values_list(
            "date_of_birth", "age_band"
        )
        if age_band_for(
            ctx.today.year - dob.year - ((ctx.today.month, ctx.today.day) < (dob.month, dob.day))
        )
        != band
    )
    if wrong_band:
        problems.append(f"{wrong_band:,} people whose age band disagrees with their birth date")
    shared = ctx.shared.get("people_by_council", {})
    for org, ids in shared.items():
        found = people.filter(organisation_id=org, pk__in=ids).count()
        if found != len(ids):
            problems.append(f"council {org}: {found} of {len(ids)} shared people found")
    payments = Payment.objects.filter(organisation_id__in=orgs)
    expect_none(
        "payments to a person on another council's register",
        payments.exclude(person__organisation_id=F("organisation_id")),
    )
    expect_none(
        "payments for someone else's invitation or another activity",
        payments.filter(invitation__isnull=False).exclude(
            invitation__person_id=F("person_id"), invitation__activity_id=F("activity_id")
        ),
    )
    expect_none(
        "paid payments without approval, date or reference",
        payments.filter(status="paid").filter(
            Q(approved_by__isnull=True) | Q(paid_on__isnull=True) | Q(finance_reference="")
        ),
    )
    expect_none(
        "approved or declined payments without an approver",
        payments.filter(status__in=["approved", "declined"], approved_by__isnull=True),
    )
    expect_none(
        "payments approved by the person who recorded them",
        payments.filter(approved_by_id=F("created_by_id")),
    )
    expect_none(
        "payments priced from a rate card not in force on the day",
        payments.filter(
            Q(rate_card__effective_from__gt=F("worked_on"))
            | Exists(
                RateCard.objects.filter(
                    organisation_id=OuterRef("organisation_id"),
                    effective_from__gt=OuterRef("rate_card__effective_from"),
                    effective_from__lte=OuterRef("worked_on"),
                )
            )
        ),
    )
    wrong_amount = 0
    for amount, rate, quantity, prep, hourly, prep_max in payments.values_list(
        "amount",
        "rate",
        "quantity",
        "preparation_hours",
        "rate_card__hourly_rate",
        "rate_card__preparation_max_hours",
    ).iterator(chunk_size=10_000):
        if amount != _pence(rate * quantity + hourly * min(prep, prep_max)):
            wrong_amount += 1
    if wrong_amount:
        problems.append(f"{wrong_amount:,} payments whose amount is not rate × time")
    return problems

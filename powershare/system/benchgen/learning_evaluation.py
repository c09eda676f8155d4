"""Learning and evaluation records for the benchmarks: products, deliveries, bookings and
anonymous questionnaire responses (issue 12).

* **Products**: a few per council, owned by it and made by its member of staff, each with one
  published version holding five intended learning outcomes, and its standard pre and post
  questionnaires made by the evaluation service itself (`standard_questionnaires_make`, once
  per product: five agree-or-disagree statements, one per outcome, before and after; after,
  four reaction statements and three questions in people's own words).
* **Deliveries**: taught at the council itself, two sessions each (the first spread over the
  last three years, a few still to come; the second two to four weeks later), a team with the
  member of staff leading and, when the council's register has people, experts by experience
  with lived experience (otherwise the recorded reason the service asks for), and the two
  answer links the service makes for a delivery (pre on the first session, post on the last,
  with the service's default dates). A few deliveries were cancelled before they started.
* **Bookings**: one learner each (as `booking_create` makes them), in the order people booked:
  places go to the first, later people wait once the delivery is full, some cancel; nobody
  waits while a place is free. Registers are taken for every session that has happened.
  Learners of deliveries past their council's retention period have been deleted, as
  `learners_purge` does every day (their bookings and attendance stay, without a learner).
* **Responses**: anonymous answers to the pre and post questionnaires through the deliveries'
  links, each given while its link was open (and not after today), with the link's delivery,
  session and site and the day only (as `response_submit` stores them). Answers carry their
  response's site (as `models._copy_site` does). No summary of learning has been made for
  these products, so none can be out of date (a made one would be, through its count of
  responses: `selectors.summaries_stale`).

Nothing here goes through a service per row: rows are written in chunks by `insert()`.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import operator
from collections import defaultdict

from . import CHUNK, Context, insert, rows

PRODUCTS_PER_COUNCIL = 3
#: Share of responses given to pre questionnaires (the rest to post questionnaires).
PRE_SHARE = 0.45
#: Share of post responses with words in one of the free-text questions.
TEXT_SHARE = 0.20
CANCELLED_DELIVERIES = 0.02
CANCELLED_BOOKINGS = 0.08
#: Chance a booked learner came to session 1 and to session 2.
ATTENDED = (0.88, 0.82)
#: Share of bookings made by staff (the rest through the booking link).
STAFF_BOOKED = 0.15
#: Share of teams with an expert by experience, when the council's register has people.
LIVED_TEAMS = 0.9
#: First sessions fall between this many days ago and this many days ahead.
PAST_DAYS, AHEAD_DAYS = 3 * 365, 60
ONE_DAY = datetime.timedelta(days=1)
HOUR, DAY = 60, 24 * 60
SQLITE_CACHE_KIB = 256 * 1024

PRODUCTS = [
    (
        "Power sharing in practice",
        "Help staff share decisions with the people who use services.",
        "Social workers and team leaders",
    ),
    (
        "Trauma-informed conversations",
        "Help staff hold conversations that do not retraumatise people.",
        "Front-line staff in social work and housing",
    ),
    (
        "Listening to young people",
        "Help staff act on what young people tell them about their care.",
        "Children and families social workers",
    ),
    (
        "Working with experts by experience",
        "Help teams plan, pay and support people with lived experience in their work.",
        "Managers and commissioners",
    ),
    (
        "Co-design basics",
        "Introduce ways of designing services together with the people who use them.",
        "Anyone planning a change to a service",
    ),
    (
        "Feedback that changes things",
        "Help staff close the loop: say what changed because people spoke up.",
        "Team leaders and service managers",
    ),
]
OUTCOMES = [
    "I can explain why sharing power with people matters.",
    "I know how to plan an activity that people can take part in safely.",
    "I can describe how to pay and thank people fairly for their time.",
    "I know how to tell people what changed because of what they said.",
    "I feel confident asking people what support they need.",
    "I can name the barriers that stop people taking part.",
    "I know where to find help in my organisation.",
    "I can use what people with lived experience say in my own work.",
]
FIRST_NAMES = ["Alex", "Sam", "Jamie", "Morgan", "Robin", "Kim", "Lee", "Ailsa", "Euan", "Isla"]
LAST_NAMES = ["Brown", "Reid", "Wilson", "Campbell", "Stewart", "Murray", "Ross", "Paterson"]
JOB_ROLES = ["Social worker", "Team leader", "Support worker", "Service manager", "Student"]
TEAMS = ["Children and families", "Adult services", "Justice", "Housing", "Mental health"]
VENUES = ["Council offices, training room 1", "Community centre", "Library meeting room"]
SEASONS = {12: "Winter", 1: "Winter", 2: "Winter", 3: "Spring", 4: "Spring", 5: "Spring"}
SEASONS |= {6: "Summer", 7: "Summer", 8: "Summer", 9: "Autumn", 10: "Autumn", 11: "Autumn"}
WORDS = [
    "Ask people what they need before the meeting.",
    "Share the agenda in plain English.",
    "Pay people on the day.",
    "Listen more and talk less.",
    "Tell people what changed.",
    "Meeting the experts by experience helped most.",
    "More time for questions.",
]
NO_LIVED_REASON = (
    "The expert by experience booked for this delivery could not come; they reviewed the "
    "materials beforehand."
)


def _likert_table(blank: int, prefer_not: int, *shares: int) -> list[int | None]:
    """A hundred answers in proportion: None for blank, 0 for prefer not to say, then 1-5."""
    table: list[int | None] = [None] * blank + [0] * prefer_not
    for value, share in enumerate(shares, 1):
        table += [value] * share
    if len(table) != 100:
        raise ValueError("Likert shares must add up to 100")
    return table


LIKERT_PRE = _likert_table(4, 2, 8, 20, 32, 24, 10)
LIKERT_POST = _likert_table(4, 2, 2, 5, 15, 42, 30)
LIKERT_REACTION = _likert_table(3, 1, 2, 4, 12, 40, 38)


def _columns(model, names: tuple[str, ...]):
    """For the high-volume tables: tuples made in the order of `names` are put in the model's
    column order by the function returned (identity when they already are). Every column must
    be named, so a new column fails here."""
    order = tuple(f.attname for f in model._meta.concrete_fields)
    if sorted(order) != sorted(names):
        raise ValueError(
            f"bench_generate: {model.__name__} columns are {order}, the generator makes {names}"
        )
    if order == names:
        return None
    return operator.itemgetter(*(names.index(a) for a in order))


class _Values:
    """Dates, times and datetimes as the database takes them in bulk: aware datetimes on
    PostgreSQL; on SQLite, naive UTC text as Django stores them (and times as text)."""

    def __init__(self):
        from django.db import connection

        self.sqlite = connection.vendor == "sqlite"

    def at(self, day: datetime.date, hour: int = 10, minute: int = 0):
        moment = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=datetime.UTC)
        if self.sqlite:
            return moment.replace(tzinfo=None).isoformat(" ")
        return moment

    def after(self, day: datetime.date, minutes: int):
        """`minutes` after midnight (UTC) at the start of `day`."""
        return self.at(day + datetime.timedelta(days=minutes // DAY), *divmod(minutes % DAY, HOUR))

    def time(self, hour: int, minute: int = 0):
        value = datetime.time(hour, minute)
        return value.isoformat() if self.sqlite else value


# ---------------------------------------------------------------------------------------------
# Products and their standard questionnaires


def _products(ctx: Context, v: _Values) -> tuple[list[dict], dict[str, int]]:
    from django.utils.text import slugify

    from powershare.evaluation.models import Question, Questionnaire, QuestionType
    from powershare.evaluation.services import standard_questionnaires_make
    from powershare.learning.models import (
        LearningOutcome,
        LearningProduct,
        ProductStatus,
        ProductVersion,
    )

    rng, today = ctx.rng, ctx.today
    specs = []
    for council in ctx.councils:
        for title, aims, audience in rng.sample(PRODUCTS, min(PRODUCTS_PER_COUNCIL, len(PRODUCTS))):
            created = today - datetime.timedelta(days=PAST_DAYS + 100 + rng.randint(0, 60))
            specs.append(
                {
                    "council": council.pk,
                    "staff": ctx.staff[council.pk].pk,
                    "title": title,
                    "aims": aims,
                    "audience": audience,
                    "created": created,
                    "published": created + datetime.timedelta(days=7),
                    "outcomes": rng.sample(OUTCOMES, 5),
                }
            )
    first_product = ctx.ids.take(LearningProduct, len(specs))
    first_version = ctx.ids.take(ProductVersion, len(specs))
    first_outcome = ctx.ids.take(LearningOutcome, 5 * len(specs))
    for n, spec in enumerate(specs):
        spec["id"], spec["version"] = first_product + n, first_version + n
    insert(
        LearningProduct,
        (
            rows(
                LearningProduct,
                {
                    "id": s["id"],
                    "organisation_id": s["council"],
                    "created_by_id": s["staff"],
                    "created_at": v.at(s["created"]),
                    "updated_at": v.at(s["published"]),
                    "slug": slugify(s["title"]),
                    "title": s["title"],
                    "aims": s["aims"],
                    "audience": s["audience"],
                    "prerequisite_learning": "",
                    "sessions_planned": 2,
                    "session_minutes": 180,
                    "interval_min_weeks": 2,
                    "interval_max_weeks": 4,
                    "status": ProductStatus.PUBLISHED,
                    "owner_id": s["staff"],
                },
            )
            for s in specs
        ),
    )
    insert(
        ProductVersion,
        (
            rows(
                ProductVersion,
                {
                    "id": s["version"],
                    "created_at": v.at(s["created"]),
                    "updated_at": v.at(s["published"]),
                    "product_id": s["id"],
                    "number": 1,
                    "changes": "",
                    "created_by_id": s["staff"],
                    "published_at": v.at(s["published"]),
                },
            )
            for s in specs
        ),
    )
    insert(
        LearningOutcome,
        (
            rows(
                LearningOutcome,
                {
                    "id": first_outcome + 5 * n + position - 1,
                    "version_id": s["version"],
                    "position": position,
                    "text": text,
                },
            )
            for n, s in enumerate(specs)
            for position, text in enumerate(s["outcomes"], 1)
        ),
    )

    # The standard questionnaires, by the service (once per product: there are few), then
    # dated when the product was published rather than today.
    staff_by_pk = {user.pk: user for user in ctx.staff.values()}
    by_pk = LearningProduct.objects.in_bulk([s["id"] for s in specs])
    for s in specs:
        standard_questionnaires_make(actor=staff_by_pk[s["staff"]], product=by_pk[s["id"]])
        made_at = datetime.datetime.combine(s["published"], datetime.time(11), datetime.UTC)
        Questionnaire.objects.filter(product_id=s["id"]).update(
            created_at=made_at, updated_at=made_at
        )
    questionnaires = {
        (product_id, kind): pk
        for pk, product_id, kind in Questionnaire.objects.filter(
            product_id__in=by_pk, is_standard=True
        ).values_list("pk", "product_id", "kind")
    }
    questions: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for pk, questionnaire_id, kind, purpose in (
        Question.objects.filter(questionnaire_id__in=questionnaires.values())
        .order_by("questionnaire_id", "position")
        .values_list("pk", "questionnaire_id", "type", "purpose")
    ):
        key = "text" if kind == QuestionType.TEXT else purpose
        questions[questionnaire_id][key].append(pk)
    for s in specs:
        s["pre"] = questionnaires[(s["id"], "pre")]
        s["post"] = questionnaires[(s["id"], "post")]
        s["pre_likert"] = questions[s["pre"]]["outcome"]
        s["post_outcome"] = questions[s["post"]]["outcome"]
        s["post_reaction"] = questions[s["post"]]["reaction"]
        s["post_text"] = questions[s["post"]]["text"]
    made = {
        "learning_products": len(specs),
        "learning_outcomes": 5 * len(specs),
        "questionnaires": len(questionnaires),
        "questions": Question.objects.filter(questionnaire_id__in=questionnaires.values()).count(),
    }
    return specs, made


# ---------------------------------------------------------------------------------------------
# Deliveries, sessions, teams and answer links


def _deliveries(ctx: Context, v: _Values, products: list[dict]) -> tuple[list[dict], dict]:
    from powershare.evaluation.models import AnswerLink
    from powershare.evaluation.models import new_token as link_token
    from powershare.evaluation.services import POST_CLOSES_DAYS_AFTER, PRE_OPENS_DAYS_BEFORE
    from powershare.learning.models import (
        Delivery,
        DeliverySession,
        Facilitator,
        LearningSettings,
        SessionMode,
    )
    from powershare.learning.models import new_token as booking_token
    from powershare.learning.services import MAX_CAPACITY
    from powershare.people.models import Person, PersonStatus

    rng, today, n = ctx.rng, ctx.today, ctx.scale.deliveries
    council_ids = [c.pk for c in ctx.councils]
    # People on each council's register who could be on a team: not erased, not left, by
    # when they joined (nobody teaches before they are on the register).
    people: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    for organisation_id, pk, joined in (
        Person.objects.filter(organisation_id__in=council_ids, erased_at__isnull=True)
        .exclude(status=PersonStatus.LEFT)
        .values_list("organisation_id", "pk", "created_at")
    ):
        people[organisation_id].append((joined.date(), pk))
    for joined in people.values():
        joined.sort()
    default_retention = LearningSettings._meta.get_field("learner_retention_days").default
    retention = dict(
        LearningSettings.objects.filter(organisation_id__in=council_ids).values_list(
            "organisation_id", "learner_retention_days"
        )
    )

    first_delivery = ctx.ids.take(Delivery, n)
    first_session = ctx.ids.take(DeliverySession, 2 * n)
    first_link = ctx.ids.take(AnswerLink, 2 * n)
    booking_counts = _spread(ctx.scale.bookings, n, rng)
    deliveries = []
    for i in range(n):
        product = rng.choice(products)
        council = product["council"]
        first = today + datetime.timedelta(days=rng.randint(-PAST_DAYS, AHEAD_DAYS))
        second = first + datetime.timedelta(days=rng.randint(14, 28))
        # Planned one to three months ahead (and never after today).
        created = min(first - datetime.timedelta(days=rng.randint(30, 90)), today - ONE_DAY)
        cancelled = None
        if rng.random() < CANCELLED_DELIVERIES:
            latest = min(first, today)
            cancelled = created + datetime.timedelta(
                days=rng.randint(1, max(1, (latest - created).days))
            )
        # The bookings: how many, and what became of them (see _bookings).
        bookings = booking_counts[i]
        if cancelled:
            capacity, plan = max(1, min(MAX_CAPACITY, bookings + rng.randint(-5, 10))), None
        else:
            gone = sum(rng.random() < CANCELLED_BOOKINGS for _ in range(bookings))
            active = bookings - gone
            capacity = max(1, min(MAX_CAPACITY, round(active * rng.uniform(0.85, 1.25))))
            plan = (min(active, capacity), gone, active - min(active, capacity))
        # Learners are deleted the day after their retention period ends (learners_purge).
        ended = min(second, cancelled) if cancelled else second
        purge_on = ended + datetime.timedelta(days=retention.get(council, default_retention) + 1)
        team = []
        there = bisect.bisect_right(people[council], (created, float("inf")))
        if there and rng.random() < LIVED_TEAMS:
            team = [pk for _, pk in rng.sample(people[council][:there], min(there, 2))]
            team = team[: rng.randint(1, 2)]
        deliveries.append(
            {
                "id": first_delivery + i,
                "product": product,
                "council": council,
                "staff": product["staff"],
                "sessions": (first_session + 2 * i, first_session + 2 * i + 1),
                "dates": (first, second),
                "links": (first_link + 2 * i, first_link + 2 * i + 1),
                "created": created,
                "cancelled": cancelled,
                "bookings": bookings,
                "capacity": capacity,
                "plan": plan,
                "purged": purge_on if purge_on <= today and bookings else None,
                "online": rng.random() < 0.3,
                "people": team,
            }
        )

    def delivery_rows():
        for d in deliveries:
            first = d["dates"][0]
            yield rows(
                Delivery,
                {
                    "id": d["id"],
                    "organisation_id": d["council"],
                    "created_by_id": d["staff"],
                    "created_at": v.at(d["created"]),
                    "updated_at": v.at(d["cancelled"] or d["created"]),
                    "product_id": d["product"]["id"],
                    "version_id": d["product"]["version"],
                    "site_id": d["council"],
                    "cohort": f"{SEASONS[first.month]} {first.year} cohort",
                    "capacity": d["capacity"],
                    "booking_token": booking_token(),
                    "booking_open": d["cancelled"] is None,
                    "no_lived_experience_reason": "" if d["people"] else NO_LIVED_REASON,
                    "no_lived_experience_acknowledged_by_id": None if d["people"] else d["staff"],
                    "no_lived_experience_acknowledged_at": None
                    if d["people"]
                    else v.at(d["created"], 12),
                    "cancelled_at": v.at(d["cancelled"], 15) if d["cancelled"] else None,
                    "learners_purged_at": v.at(d["purged"], 3) if d["purged"] else None,
                },
            )

    def session_rows():
        for d in deliveries:
            for number, (pk, day) in enumerate(zip(d["sessions"], d["dates"], strict=True), 1):
                online = d["online"] and number == 2
                yield rows(
                    DeliverySession,
                    {
                        "id": pk,
                        "delivery_id": d["id"],
                        "number": number,
                        "date": day,
                        "starts_at": v.time(9, 30),
                        "ends_at": v.time(12, 30),
                        "mode": SessionMode.ONLINE if online else SessionMode.IN_PERSON,
                        "venue": "" if online else VENUES[d["id"] % len(VENUES)],
                        "online_link": f"https://meet.example.org/bench-{pk}" if online else "",
                    },
                )

    def facilitator_rows():
        pk = ctx.ids.take(Facilitator, 0)
        for d in deliveries:
            team = [
                {"user_id": d["staff"], "professional": True, "is_lead": True},
                *({"person_id": person, "lived": True} for person in d["people"]),
            ]
            for member in team:
                yield rows(
                    Facilitator,
                    {"id": pk, "delivery_id": d["id"], "added_at": v.at(d["created"], 11)} | member,
                )
                pk += 1
        ctx.ids.take(Facilitator, pk - ctx.ids.take(Facilitator, 0))

    def link_rows():
        # As links_ensure_for_delivery makes them when the delivery is planned.
        for d in deliveries:
            first, last = d["dates"]
            for kind, pk, session, opens, closes in (
                (
                    "pre",
                    d["links"][0],
                    d["sessions"][0],
                    first - datetime.timedelta(days=PRE_OPENS_DAYS_BEFORE),
                    first,
                ),
                (
                    "post",
                    d["links"][1],
                    d["sessions"][1],
                    last,
                    last + datetime.timedelta(days=POST_CLOSES_DAYS_AFTER),
                ),
            ):
                d[kind] = (opens, closes)
                yield rows(
                    AnswerLink,
                    {
                        "id": pk,
                        "questionnaire_id": d["product"][kind],
                        "delivery_id": d["id"],
                        "session_id": session,
                        "token": link_token(),
                        "opens_on": opens,
                        "closes_on": closes,
                        "created_at": v.at(d["created"], 10, 5),
                    },
                )

    made = {
        "deliveries": insert(Delivery, delivery_rows()),
        "delivery_sessions": insert(DeliverySession, session_rows()),
        "facilitators": insert(Facilitator, facilitator_rows()),
        "answer_links": insert(AnswerLink, link_rows()),
    }
    return deliveries, made


# ---------------------------------------------------------------------------------------------
# Bookings, learners and registers


def _spread(total: int, parts: int, rng) -> list[int]:
    """`total` split into `parts` uneven whole numbers that add up to it."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in rng.sample(range(parts), total - sum(counts)):
        counts[i] += 1
    return counts


def _bookings(ctx: Context, v: _Values, deliveries: list[dict]) -> dict:
    from powershare.learning.models import (
        Attendance,
        Booking,
        BookingSource,
        BookingStatus,
        Learner,
    )
    from powershare.learning.models import new_token as booking_token

    rng, today = ctx.rng, ctx.today
    rand, randint = rng.random, rng.randint
    booking_id = ctx.ids.take(Booking, sum(d["bookings"] for d in deliveries))
    learners: list[tuple] = []
    bookings: list[tuple] = []
    attendance: list[tuple] = []
    made = {"learners": 0, "bookings": 0, "attendance_records": 0}

    def flush():
        made["learners"] += insert(Learner, learners)
        made["bookings"] += insert(Booking, bookings)
        made["attendance_records"] += insert(Attendance, attendance)
        learners.clear()
        bookings.clear()
        attendance.clear()

    for d in deliveries:
        n, opened, cancelled_on = d["bookings"], d["created"], d["cancelled"]
        first, last = d["dates"]
        # People book (in minutes from the midnight before the delivery was planned at 10:00)
        # between 11:00 that day and 17:00 on the day of the first session (or the day before
        # it was cancelled at 15:00), never after yesterday, in this order.
        if cancelled_on:
            end = ((cancelled_on - opened).days - 1) * DAY + 17 * HOUR
        else:
            end = (min(first, today - ONE_DAY) - opened).days * DAY + 17 * HOUR
        start = 11 * HOUR
        moments = sorted(randint(start, max(start, end)) for _ in range(n))
        if d["plan"] is None:
            statuses = [BookingStatus.CANCELLED] * n
            waiting_from = None
        else:
            # Places go to the first to book; once it is full, later people wait.
            booked, gone, waiting = d["plan"]
            early = [BookingStatus.BOOKED] * booked + [BookingStatus.CANCELLED] * gone
            rng.shuffle(early)
            statuses = early + [BookingStatus.WAITING] * waiting
            waiting_from = len(early) if waiting else None
        # Someone cancels before anyone waits (a place freed later would have been offered to
        # the first person waiting), or at any time up to the last session when nobody waits.
        if waiting_from is not None:
            cancel_by = moments[waiting_from] - 1
        else:
            cancel_by = (min(last, today - ONE_DAY) - opened).days * DAY + 20 * HOUR
        learner_id = ctx.ids.take(Learner, 0 if d["purged"] else n)
        for k, status in enumerate(statuses):
            booked_at = v.after(opened, moments[k])
            staff = rand() < STAFF_BOOKED
            cancelled_at = None
            if status == BookingStatus.CANCELLED:
                if cancelled_on:
                    cancelled_at = v.at(cancelled_on, 15)
                else:
                    cancelled_at = v.after(
                        opened, randint(moments[k] + 1, max(moments[k] + 1, cancel_by))
                    )
            learner = None
            if d["purged"] is None:
                learner = learner_id + k
                first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                email = f"{first_name}.{last_name}.{booking_id}@learners.example".lower()
                learners.append(
                    rows(
                        Learner,
                        {
                            "id": learner,
                            "organisation_id": d["council"],
                            "created_by_id": d["staff"] if staff else None,
                            "created_at": booked_at,
                            "updated_at": booked_at,
                            "name": f"{first_name} {last_name}",
                            "email": email,
                            "job_role": rng.choice(JOB_ROLES),
                            "team": rng.choice(TEAMS),
                        },
                    )
                )
            bookings.append(
                rows(
                    Booking,
                    {
                        "id": booking_id,
                        "delivery_id": d["id"],
                        "learner_id": learner,
                        "status": status,
                        "source": BookingSource.STAFF if staff else BookingSource.LINK,
                        "token": booking_token(),
                        "booked_at": booked_at,
                        "cancelled_at": cancelled_at,
                    },
                )
            )
            if status == BookingStatus.BOOKED:
                # The register of every session that has happened was taken on the day.
                for number, (session, day) in enumerate(
                    zip(d["sessions"], d["dates"], strict=True)
                ):
                    if day < today:
                        attendance.append(
                            rows(
                                Attendance,
                                {
                                    "id": ctx.ids.take(Attendance),
                                    "session_id": session,
                                    "booking_id": booking_id,
                                    "attended": rand() < ATTENDED[number],
                                    "recorded_by_id": d["staff"],
                                    "recorded_at": v.at(day, 13),
                                },
                            )
                        )
            booking_id += 1
        if len(bookings) >= CHUNK:
            flush()
    flush()
    return made


# ---------------------------------------------------------------------------------------------
# Anonymous questionnaire responses


def _responses(ctx: Context, v: _Values, deliveries: list[dict]) -> dict:
    from powershare.evaluation.models import (
        Answer,
        QuestionnaireResponse,
        ResponseSource,
        TextAnswer,
    )

    rng, today, total = ctx.rng, ctx.today, ctx.scale.questionnaire_responses
    rand, randrange = rng.random, rng.randrange
    # Links that have opened, of deliveries that went ahead: (link, questionnaire, delivery,
    # session, site, first day, days it was open up to today, likert tables, text questions).
    pools: dict[str, list[tuple]] = {"pre": [], "post": []}
    for d in deliveries:
        if d["cancelled"]:
            continue
        product = d["product"]
        for index, kind in enumerate(("pre", "post")):
            opens, closes = d[kind]
            if opens > today:
                continue
            if kind == "pre":
                likert = [(q, LIKERT_PRE) for q in product["pre_likert"]]
                texts = []
            else:
                likert = [(q, LIKERT_POST) for q in product["post_outcome"]]
                likert += [(q, LIKERT_REACTION) for q in product["post_reaction"]]
                texts = product["post_text"]
            pools[kind].append(
                (
                    d["links"][index],
                    product[kind],
                    d["id"],
                    d["sessions"][index],
                    d["council"],
                    opens,
                    (min(closes, today) - opens).days,
                    likert,
                    texts,
                )
            )
    if not pools["pre"] and not pools["post"]:
        return {"questionnaire_responses": 0, "answers": 0, "text_answers": 0}
    pre, post = pools["pre"] or pools["post"], pools["post"] or pools["pre"]

    response_order = _columns(
        QuestionnaireResponse,
        (
            "id",
            "questionnaire_id",
            "link_id",
            "delivery_id",
            "session_id",
            "site_id",
            "site_label",
            "submitted_on",
            "source",
            "import_batch_id",
            "pair_key",
        ),
    )
    answer_order = _columns(
        Answer, ("id", "response_id", "question_id", "value", "site_id", "site_label")
    )
    text_order = _columns(TextAnswer, ("id", "response_id", "question_id", "text", "shareable"))
    online = ResponseSource.ONLINE
    days = [datetime.timedelta(days=n) for n in range(400)]
    made = {"questionnaire_responses": 0, "answers": 0, "text_answers": 0}
    response_id = ctx.ids.take(QuestionnaireResponse, total)
    for start in range(0, total, CHUNK):
        answer_id = ctx.ids.take(Answer, 0)
        text_id = ctx.ids.take(TextAnswer, 0)
        responses, answers, texts = [], [], []
        for _ in range(min(CHUNK, total - start)):
            pool = pre if rand() < PRE_SHARE else post
            link, questionnaire, delivery, session, site, opens, span, likert, text_questions = (
                pool[randrange(len(pool))]
            )
            responses.append(
                (
                    response_id,
                    questionnaire,
                    link,
                    delivery,
                    session,
                    site,
                    "",
                    opens + days[randrange(span + 1)],
                    online,
                    None,
                    "",
                )
            )
            answered = False
            for question, table in likert:
                value = table[int(rand() * 100)]
                if value is not None:
                    # The response's site, as models._copy_site gives every answer.
                    answers.append((answer_id, response_id, question, value, site, ""))
                    answer_id += 1
                    answered = True
            if text_questions and (rand() < TEXT_SHARE or not answered):
                texts.append(
                    (
                        text_id,
                        response_id,
                        text_questions[randrange(len(text_questions))],
                        WORDS[randrange(len(WORDS))],
                        False,
                    )
                )
                text_id += 1
            elif not answered:
                # response_submit refuses a response with nothing in it: keep one answer.
                question, table = likert[0]
                answers.append((answer_id, response_id, question, 3, site, ""))
                answer_id += 1
            response_id += 1
        ctx.ids.take(Answer, len(answers))
        ctx.ids.take(TextAnswer, len(texts))
        if response_order:
            responses = map(response_order, responses)
        if answer_order:
            answers = map(answer_order, answers)
        if text_order:
            texts = map(text_order, texts)
        made["questionnaire_responses"] += insert(QuestionnaireResponse, responses)
        made["answers"] += insert(Answer, answers)
        made["text_answers"] += insert(TextAnswer, texts)
    return made


# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _large_sqlite_cache():
    """On SQLite, a page cache of up to 256 MiB while loading (the default is 2 MiB): the
    answers' indexes are written all over, and this makes the load about a third faster."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def generate(ctx: Context) -> dict[str, int]:
    with _large_sqlite_cache():
        return _generate(ctx)


def _generate(ctx: Context) -> dict[str, int]:
    v = _Values()
    with ctx.timed("learning: products and questionnaires"):
        products, made = _products(ctx, v)
    with ctx.timed("learning: deliveries"):
        deliveries, more = _deliveries(ctx, v, products)
        made |= more
    with ctx.timed("learning: bookings"):
        made |= _bookings(ctx, v, deliveries)
    with ctx.timed("evaluation: responses"):
        made |= _responses(ctx, v, deliveries)
    with ctx.timed("evaluation: result tallies"):
        from powershare.evaluation.models import ResultTally
        from powershare.evaluation.tallies import tallies_rebuild

        # The services count each response into the tallies as they store it; this bulk
        # load counts them all at once.
        tallies_rebuild()
        made["result_tallies"] = ResultTally.objects.count()
    ctx.shared["learning_products"] = [p["id"] for p in products]
    ctx.shared["deliveries"] = [d["id"] for d in deliveries]
    return made


# ---------------------------------------------------------------------------------------------
# Checks afterwards, in SQL over the whole tables


ANSWER_PROBLEMS = """
    SELECT
        SUM(CASE WHEN a.site_id <> r.site_id OR (a.site_id IS NULL) <> (r.site_id IS NULL)
                 OR a.site_label <> r.site_label THEN 1 ELSE 0 END),
        SUM(CASE WHEN q.questionnaire_id <> r.questionnaire_id THEN 1 ELSE 0 END),
        SUM(CASE WHEN q.type = 'likert' AND NOT (a.value BETWEEN 1 AND 5
                 OR (a.value = 0 AND q.allow_prefer_not)) THEN 1 ELSE 0 END)
    FROM evaluation_answer a
    JOIN evaluation_questionnaireresponse r ON r.id = a.response_id
    JOIN evaluation_question q ON q.id = a.question_id
"""
TEXT_PROBLEMS = """
    SELECT COUNT(*) FROM evaluation_textanswer t
    JOIN evaluation_questionnaireresponse r ON r.id = t.response_id
    JOIN evaluation_question q ON q.id = t.question_id
    WHERE q.questionnaire_id <> r.questionnaire_id OR q.type <> 'text'
"""
RESPONSE_PROBLEMS = """
    SELECT COUNT(*) FROM evaluation_questionnaireresponse r
    JOIN evaluation_answerlink l ON l.id = r.link_id
    JOIN evaluation_questionnaire q ON q.id = r.questionnaire_id
    LEFT JOIN learning_delivery d ON d.id = r.delivery_id
    WHERE l.questionnaire_id <> r.questionnaire_id
       OR l.delivery_id <> r.delivery_id OR (l.delivery_id IS NULL) <> (r.delivery_id IS NULL)
       OR l.session_id <> r.session_id
       OR r.site_id <> d.site_id
       OR q.product_id <> d.product_id
       OR r.submitted_on < l.opens_on OR r.submitted_on > l.closes_on OR r.submitted_on > %s
"""
ATTENDANCE_PROBLEMS = """
    SELECT COUNT(*) FROM learning_attendance a
    JOIN learning_booking b ON b.id = a.booking_id
    JOIN learning_deliverysession s ON s.id = a.session_id
    WHERE b.delivery_id <> s.delivery_id
"""
LEARNER_PROBLEMS = """
    SELECT COUNT(*) FROM learning_booking b
    JOIN learning_learner l ON l.id = b.learner_id
    JOIN learning_delivery d ON d.id = b.delivery_id
    WHERE l.organisation_id <> d.organisation_id
"""


def check(ctx: Context) -> list[str]:
    from django.db import connection
    from django.db.models import Count, Exists, F, Min, OuterRef, Q
    from django.db.models.functions import TruncDate

    from powershare.evaluation.models import LearningSummary, QuestionnaireResponse, SummaryStatus
    from powershare.evaluation.selectors import summaries_stale
    from powershare.learning.models import (
        HOLDS_A_PLACE,
        Booking,
        BookingStatus,
        Delivery,
        Facilitator,
    )

    problems = []
    with connection.cursor() as cursor:
        cursor.execute(ANSWER_PROBLEMS)
        site, questionnaire, value = (n or 0 for n in cursor.fetchone())
        if site:
            problems.append(f"{site} answers do not carry their response's site")
        if questionnaire:
            problems.append(f"{questionnaire} answers are to another questionnaire's questions")
        if value:
            problems.append(f"{value} agree-or-disagree answers hold a value not allowed")
        cursor.execute(TEXT_PROBLEMS)
        if n := cursor.fetchone()[0]:
            problems.append(f"{n} free-text answers are to questions not of their questionnaire")
        cursor.execute(RESPONSE_PROBLEMS, [ctx.today])
        if n := cursor.fetchone()[0]:
            problems.append(
                f"{n} responses disagree with their link (questionnaire, delivery, session, "
                "site or dates) or are to another product's questionnaire"
            )
        cursor.execute(ATTENDANCE_PROBLEMS)
        if n := cursor.fetchone()[0]:
            problems.append(f"{n} attendance records are for another delivery's booking")
        cursor.execute(LEARNER_PROBLEMS)
        if n := cursor.fetchone()[0]:
            problems.append(f"{n} bookings hold a learner of another organisation")

    deliveries = Delivery.objects.annotate(
        holds=Count("bookings", filter=Q(bookings__status__in=HOLDS_A_PLACE)),
        waiting=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITING)),
        active=Count("bookings", filter=~Q(bookings__status=BookingStatus.CANCELLED)),
    )
    if n := deliveries.filter(holds__gt=F("capacity")).count():
        problems.append(f"{n} deliveries have more places taken than they have")
    if n := Booking.objects.filter(
        Q(status=BookingStatus.CANCELLED, cancelled_at__isnull=True)
        | Q(cancelled_at__lt=F("booked_at"))
        | Q(booked_at__lt=F("delivery__created_at"))
    ).count():
        problems.append(f"{n} bookings were made or cancelled out of order")
    if n := deliveries.filter(cancelled_at__isnull=False, active__gt=0).count():
        problems.append(f"{n} cancelled deliveries still have people booked or waiting")
    not_started = deliveries.annotate(first=Min("sessions__date")).filter(first__gt=ctx.today)
    if n := not_started.filter(
        cancelled_at__isnull=True, waiting__gt=0, holds__lt=F("capacity")
    ).count():
        problems.append(f"{n} deliveries not started have people waiting while places are free")
    if n := (
        Delivery.objects.filter(no_lived_experience_reason="")
        .exclude(Exists(Facilitator.objects.filter(delivery=OuterRef("pk"), lived=True)))
        .count()
    ):
        problems.append(f"{n} teams have nobody with lived experience and no reason recorded")
    missing_links = (
        Delivery.objects.filter(cancelled_at__isnull=True)
        .annotate(
            standard=Count(
                "product__questionnaires",
                filter=Q(product__questionnaires__is_standard=True),
                distinct=True,
            ),
            linked=Count(
                "answer_links",
                filter=Q(answer_links__questionnaire__is_standard=True),
                distinct=True,
            ),
        )
        .exclude(standard=F("linked"))
    )
    if n := missing_links.count():
        problems.append(f"{n} deliveries lack a link to one of their standard questionnaires")
    # A summary made before its product's latest response must be waiting to be remade.
    stale = (
        LearningSummary.objects.filter(status=SummaryStatus.READY, made_at__isnull=False)
        .exclude(pk__in=summaries_stale().values("pk"))
        .annotate(made_on=TruncDate("made_at"))
        .filter(
            Exists(
                QuestionnaireResponse.objects.filter(
                    questionnaire__product_id=OuterRef("product_id"),
                    submitted_on__gt=OuterRef("made_on"),
                )
            )
        )
    )
    if n := stale.count():
        problems.append(f"{n} summaries of learning are older than their answers but not stale")
    from powershare.evaluation.tallies import tallies_check

    differences = tallies_check()
    if differences:
        problems.append(
            f"{len(differences)} result tallies differ from a fresh count, e.g. {differences[0]}"
        )
    return problems

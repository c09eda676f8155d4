"""Demo learning: two co-designed learning products, their deliveries, teams, bookings and
registers. Every name, quote and detail here is invented; the attendance figures follow the
source document's table.

* **Power sharing with experts by experience** (slug `power-sharing-with-experts-by-experience`),
  owned by the Scottish Government (the learning team of the national trauma-responsive social
  work programme). Five intended learning outcomes, two 3-hour sessions two to four weeks
  apart, published. Its co-design record: a workshop with adults and one with young people on
  the Scottish Government's register, whose words shaped it; the session 1 slides quote one of
  them. Delivered in 2025 at Scottish Borders, Stirling and West Lothian councils by mixed
  teams: staff, and experts by experience from the register. Learners were booked and the
  registers taken, so the attendance table reads 11/9, 11/10 and 16/14 (38 and 33 in all):
  those figures are counted from the attendance records by
  `selectors.attendance_totals`, never typed in here. A few people booked did not come.
* **Lived experience in practice**, owned by Fife Council (Callum Reid, learning lead): learning
  for newly qualified social workers in their supported first year, on topics people with lived
  experience chose. A trainer pool of four people on Fife's register who agreed to train; an
  upcoming delivery (dates follow the day the demo is loaded) with two of them commissioned
  through the service, each for the session on their topic (so their invitations and payments
  owed exist, each under the weekly limit people on benefits set), support planned before,
  on the day and after (Jamie Wilson's preparation session is done), a member of staff on the
  team too, and bookings by staff and through the booking link: it is full, with two people
  on the waiting list.

Loads after powershare.payments.demo (Fife's rate card prices the trainers' payments) and works
through the services staff and learners would use. The 2025 deliveries were planned with dates
ahead, booked, then moved to their real dates (as payments.demo moves what happened into the
past), and their registers taken. The Scottish Government keeps learners' details for two
years after a course, so the demo's registers can still be opened.

Idempotent: a product that already exists (same organisation and web address) is left alone
with everything under it; staff and people already there are reused.
"""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from powershare.accounts.management.commands.demo_data import DEMO_PASSWORD
from powershare.accounts.models import Membership, Organisation, User
from powershare.accounts.roles import Role
from powershare.engagement import services as engagement_services
from powershare.engagement.models import (
    ActivityKind,
    ActivitySetting,
    Contribution,
    ContributionKind,
    Invitation,
    InvitationStatus,
    Ladder,
    UseLevel,
)
from powershare.people import services as people_services
from powershare.people.models import ConsentMethod, ConsentPurpose, Person

from . import services
from .models import (
    BookingSource,
    LearningProduct,
    MaterialKind,
    ProductStatus,
    SessionMode,
    SupportStage,
)

SG = "Scottish Government"
BORDERS = "Scottish Borders Council"
STIRLING = "Stirling Council"
WEST_LOTHIAN = "West Lothian Council"
FIFE = "Fife Council"

POWER_SHARING_SLUG = "power-sharing-with-experts-by-experience"
FIFE_SLUG = "lived-experience-in-practice"

# (email, full name, role, organisation, job title)
STAFF = [
    (
        "heather.lindsay@sg.example",
        "Heather Lindsay",
        Role.LEARNING_LEAD,
        SG,
        "Learning lead, national trauma-responsive social work programme",
    ),
    (
        "ruaridh.munro@sg.example",
        "Ruaridh Munro",
        Role.PARTICIPATION_LEAD,
        SG,
        "Lived experience engagement lead, national trauma-responsive social work programme",
    ),
    (
        "gregor.elliot@borders.example",
        "Gregor Elliot",
        Role.FACILITATOR,
        BORDERS,
        "Senior social worker and practice educator",
    ),
    (
        "kirsten.drummond@stirling.example",
        "Kirsten Drummond",
        Role.FACILITATOR,
        STIRLING,
        "Team manager, adult social work",
    ),
    (
        "amira.bashir@westlothian.example",
        "Amira Bashir",
        Role.FACILITATOR,
        WEST_LOTHIAN,
        "Learning and development officer",
    ),
]

LOGINS = [
    {
        "email": email,
        "password": DEMO_PASSWORD,
        "role": role.label,
        "organisation": organisation,
        "name": name,
    }
    for email, name, role, organisation, _ in STAFF
]

#: Consents everyone on the Scottish Government's demo register gave, on a written form.
SG_CONSENTS = [
    ConsentPurpose.CONTACT,
    ConsentPurpose.TAKE_PART,
    ConsentPurpose.KEEP_INFORMATION,
    ConsentPurpose.QUOTE_INTERNAL,
    ConsentPurpose.QUOTE_ANONYMOUS,
]

# The Scottish Government's register for the programme: (full name, preferred name, pronouns,
# age band, credit, extra consents). Adults first, then young people.
SG_PEOPLE = [
    ("Eilidh MacKenzie", "", "she/her", "26_64", "first_name", [ConsentPurpose.QUOTE_NAMED]),
    ("Robert Kane", "Rab", "he/him", "26_64", "first_name", []),
    ("Siobhan Carr", "", "she/her", "26_64", "full_name", [ConsentPurpose.QUOTE_NAMED]),
    ("Mia Kowalska", "", "she/her", "16_17", "first_name", []),
    ("Ross Taylor", "", "he/him", "18_25", "first_name", []),
]

# (title, kind of group, date, times, venue, ladder slug, rung position, questions,
#  [(person, kind, what they said)])
SG_ACTIVITIES = [
    (
        "Power sharing learning: co-design workshop with adults",
        "adults",
        datetime.date(2024, 9, 12),
        "10am to 2pm",
        "Community hall, Edinburgh",
        "arnstein",
        6,
        [
            "What does it look like when a worker shares power with you?",
            "What should every social worker learn about power?",
        ],
        [
            (
                "Eilidh MacKenzie",
                ContributionKind.IDEA,
                "Power is who writes the report. Let me read it and add my own words before it "
                "goes to the panel.",
            ),
            (
                "Robert Kane",
                ContributionKind.EXPERIENCE,
                "The worker who said sorry when they got something wrong is the one I started "
                "to trust. Nobody had done that before.",
            ),
            (
                "Siobhan Carr",
                ContributionKind.VIEW,
                "Ask me what support would look like for me, instead of reading out what is "
                "on offer.",
            ),
            (
                "Eilidh MacKenzie",
                ContributionKind.VIEW,
                "Sharing power doesn't mean handing everything over. It means agreeing "
                "together what we decide together.",
            ),
        ],
    ),
    (
        "Power sharing learning: co-design with young people",
        "young people",
        datetime.date(2024, 10, 3),
        "4pm to 6pm",
        "Youth project, Glasgow",
        "hart",
        6,
        ["What helps you feel listened to by a worker?"],
        [
            (
                "Mia Kowalska",
                ContributionKind.IDEA,
                "Tell us who will read what we say and what happens next. Then we can decide "
                "what to share.",
            ),
            (
                "Ross Taylor",
                ContributionKind.EXPERIENCE,
                "Meetings about me happened without me. Even a text to say what was decided "
                "would have helped.",
            ),
            (
                "Mia Kowalska",
                ContributionKind.IDEA,
                "Use our words, not case-file words.",
            ),
        ],
    ),
]

POWER_SHARING = {
    "title": "Power sharing with experts by experience",
    "aims": "To help social work staff notice the power they hold, understand how it can feel "
    "to people on the other side of decisions, and share it with people who have lived "
    "experience of services. It builds on trauma-informed practice, and it was designed and "
    "is taught together with experts by experience.",
    "audience": "Social work staff at all levels, from social work assistants to senior leaders",
    "prerequisite_learning": "The trauma-skilled level of trauma-informed practice (the level "
    "before this one), or similar learning about how trauma can affect people",
    "sessions_planned": 2,
    "session_minutes": 180,
    "interval_min_weeks": 2,
    "interval_max_weeks": 4,
}

POWER_SHARING_OUTCOMES = [
    "Explain where power sits in social work relationships, and how decisions can feel to the "
    "people they are about.",
    "Describe what people with lived experience bring to practice, services and learning, and "
    "why it counts as expertise.",
    "Connect sharing power with trauma-informed practice: safety, trust, choice, "
    "collaboration and empowerment.",
    "Recognise everyday moments in your own work where power could be shared, and what gets in "
    "the way.",
    "Plan one change you will make in your practice or team to share power, and how you will "
    "know it made a difference.",
]

#: Whose words the session 1 slides quote (anonymised in training).
SLIDES_QUOTE = "Robert Kane"

# Each delivery: site, cohort, places, the two sessions (date, mode, venue or link), the site's
# member of staff who takes the register, the team, and the learners booked: how many, and
# which of them (by position in the booking order) were not there at each session.
POWER_SHARING_DELIVERIES = [
    {
        "site": BORDERS,
        "cohort": "Spring 2025",
        "capacity": 16,
        "sessions": [
            (datetime.date(2025, 3, 4), SessionMode.IN_PERSON, "Training room, council offices, Newtown St Boswells"),
            (datetime.date(2025, 3, 25), SessionMode.IN_PERSON, "Training room, council offices, Newtown St Boswells"),
        ],
        "register_taker": "gregor.elliot@borders.example",
        # (staff email or register name, lived, professional, leadership, lead)
        "team": [
            ("heather.lindsay@sg.example", False, True, False, False),
            ("gregor.elliot@borders.example", False, True, False, False),
            ("Eilidh MacKenzie", True, False, False, True),
        ],
        "booked": 13,
        "absent": {1: [3, 9], 2: [3, 5, 9, 12]},
        "domain": "borders.example",
    },
    {
        "site": STIRLING,
        "cohort": "Early summer 2025",
        "capacity": 16,
        "sessions": [
            (datetime.date(2025, 5, 7), SessionMode.IN_PERSON, "Learning centre, Stirling"),
            (datetime.date(2025, 5, 28), SessionMode.ONLINE, "https://meet.example.org/stirling-power-sharing-2"),
        ],
        "register_taker": "kirsten.drummond@stirling.example",
        "team": [
            ("kirsten.drummond@stirling.example", False, True, True, False),
            ("Robert Kane", True, False, False, True),
            ("Ross Taylor", True, False, False, False),
        ],
        "booked": 12,
        "absent": {1: [7], 2: [2, 7]},
        "domain": "stirling.example",
    },
    {
        "site": WEST_LOTHIAN,
        "cohort": "Autumn 2025",
        "capacity": 20,
        "sessions": [
            (datetime.date(2025, 9, 10), SessionMode.IN_PERSON, "Training suite, civic centre, Livingston"),
            (datetime.date(2025, 10, 1), SessionMode.IN_PERSON, "Training suite, civic centre, Livingston"),
        ],
        "register_taker": "amira.bashir@westlothian.example",
        "team": [
            ("heather.lindsay@sg.example", False, True, False, False),
            ("amira.bashir@westlothian.example", False, True, False, False),
            ("Siobhan Carr", True, False, False, True),
            ("Robert Kane", True, False, False, False),
        ],
        "booked": 18,
        "absent": {1: [4, 15], 2: [4, 8, 11, 15]},
        "domain": "westlothian.example",
    },
]  # fmt: skip

FIRST_NAMES = [
    "Alison", "Brian", "Catriona", "Darren", "Elaine", "Fraser", "Gillian", "Hamish", "Isla",
    "Jack", "Karen", "Lewis", "Mhairi", "Niall", "Olivia", "Peter", "Rhona", "Scott", "Tracy",
    "Usman", "Vicky", "William", "Yasmin", "Zoe",
]  # fmt: skip
SURNAMES = [
    "Aitken", "Brodie", "Craig", "Dunlop", "Forsyth", "Galloway", "Hendry", "Innes", "Johnston",
    "Kerr", "Laidlaw", "McAllister", "Nicol", "Ogilvie", "Pringle", "Rennie", "Sinclair", "Tait",
    "Urquhart", "Waddell",
]  # fmt: skip
JOB_ROLES = [
    "Social worker",
    "Senior social worker",
    "Social work assistant",
    "Team manager",
    "Mental health officer",
    "Community care worker",
    "Service manager",
    "Family support worker",
]
TEAMS = [
    "Children and families",
    "Adult services",
    "Justice social work",
    "Duty and assessment",
    "Fostering and adoption",
    "Mental health",
]

# --- Fife ------------------------------------------------------------------------------------

FIFE_STAFF = {
    "callum": "callum.reid@fife.example",
    "aileen": "aileen.murray@fife.example",
    "tariq": "tariq.hussain@fife.example",
}

FIFE_PRODUCT = {
    "title": "Lived experience in practice",
    "aims": "Part of the supported first year in practice: newly qualified social workers learn "
    "directly from people with lived experience of social work, on the topics those people "
    "chose as the ones that matter most.",
    "audience": "Newly qualified social workers in their supported first year",
    "prerequisite_learning": "A social work degree; no earlier learning needed",
    "sessions_planned": 3,
    "session_minutes": 150,
    "interval_min_weeks": 2,
    "interval_max_weeks": 2,
}

FIFE_OUTCOMES = [
    "Describe, from the stories the trainers share, how first contact with social work can "
    "feel for children, adults and families.",
    "Use plain, respectful words in conversations, letters and records, and check them with "
    "the person.",
    "Explain how to involve people in decisions about their own support, including when there "
    "are risks.",
    "Reflect on the power you hold as a new worker, and how you can share it from your first "
    "cases.",
]

FIFE_ACTIVITY = {
    "title": "Newly qualified social workers: choosing the learning topics",
    "days_ago": 150,
    "questions": ["What should a new social worker learn first from people like you?"],
    "said": [
        (
            "Jamie Wilson",
            ContributionKind.IDEA,
            "Learn the words we use. A letter full of jargon tells me I'm a case, not a person.",
        ),
        (
            "Kirsty Buchanan",
            ContributionKind.EXPERIENCE,
            "My first worker asked what was going well before asking what was wrong. I still "
            "remember that.",
        ),
        (
            "Margaret Lindsay",
            ContributionKind.VIEW,
            "Carers know the person best. Ask us early, not when things have gone wrong.",
        ),
        (
            "Ewan Scott",
            ContributionKind.CONCERN,
            "Book the interpreter before the meeting, not on the day. Otherwise I am left out.",
        ),
    ],
}

#: Fife's trainer pool: (person, topics they like to train on). The first two are commissioned,
#: each to co-deliver the session on their topic (one session's hours, and an hour to prepare).
FIFE_TRAINERS = [
    ("Jamie Wilson", "Leaving care and finding a home; how letters and records feel to read"),
    ("Kirsty Buchanan", "Recovery, and being a parent with a social worker"),
    ("Ewan Scott", "Deaf awareness and working with interpreters"),
    ("Archie Henderson", "Caring for a family member for many years"),
]

FIFE_LEARNERS = [
    ("Abbie Nicolson", "Kirkcaldy children and families team"),
    ("Callan Moyes", "Dunfermline adult services"),
    ("Dana Petrie", "Glenrothes duty team"),
    ("Ellis Greig", "Levenmouth children and families team"),
    ("Farah Qureshi", "Cowdenbeath adult services"),
    ("Gavin Lumsden", "Justice social work, Kirkcaldy"),
    ("Heidi Baird", "Fostering and adoption"),
    ("Imran Sadiq", "Mental health officer service"),
    ("Jenna Wallace", "Dunfermline children and families team"),
    ("Kyle Imrie", "Hospital discharge team"),
    ("Lauren Soutar", "Glenrothes adult services"),
    ("Marcus Beveridge", "Justice social work, Dunfermline"),
    ("Nicole Haig", "St Andrews children and families team"),
    ("Owen Cargill", "Kirkcaldy adult services"),
]
#: How many of FIFE_LEARNERS staff booked; the rest booked through the link.
FIFE_BOOKED_BY_STAFF = 8
FIFE_CAPACITY = 12


# ---------------------------------------------------------------------------------------------


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small one-page PDF with a title and some lines of text (demo material files)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = [f"BT /F1 20 Tf 56 770 Td ({escape(title)}) Tj ET", "BT /F1 12 Tf 56 730 Td 18 TL"]
    body += [f"({escape(line)}) '" for line in lines]
    body.append("ET")
    content = "\n".join(body).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _staff(stdout=None) -> tuple[dict[str, User], int]:
    created = 0
    users = {}
    organisations = {o.name: o for o in Organisation.objects.filter(name__in={s[3] for s in STAFF})}
    for email, name, role, organisation_name, job_title in STAFF:
        organisation = organisations.get(organisation_name)
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
            defaults={"role": role, "job_title": job_title},
        )
        created += was_created
        users[email] = user
    return users, created


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(moment, timezone.now())


def _sg_register(organisation, participation_lead) -> tuple[dict[str, Person], int]:
    """The Scottish Government's register for the programme, through the people services."""
    people, created = {}, 0
    for full_name, preferred, pronouns, age_band, credit, extra in SG_PEOPLE:
        person = Person.objects.filter(organisation=organisation, full_name=full_name).first()
        if person is None:
            person = people_services.person_create(
                actor=participation_lead,
                organisation_id=organisation.pk,
                full_name=full_name,
                preferred_name=preferred,
                pronouns=pronouns,
                email=f"{full_name.lower().replace(' ', '.')}@sg.people.example",
                age_band=age_band,
                credit_as=credit,
                contact_channel="email",
                staff_contact=participation_lead,
            )
            for purpose in [*SG_CONSENTS, *extra]:
                people_services.consent_record_create(
                    actor=participation_lead,
                    person=person,
                    purpose=purpose,
                    decision="given",
                    method=ConsentMethod.WRITTEN,
                    note="Agreed on the form at the start of the co-design work.",
                    recorded_at=_at(datetime.date(2024, 8, 20)),
                )
            created += 1
        people[full_name] = person
    return people, created


def _activity_with_words(
    *,
    organisation,
    actor,
    title,
    purpose,
    day,
    times,
    venue,
    ladder_slug,
    rung,
    questions,
    said,
    people,
):
    """A finished co-design activity: the people who spoke invited and there, and what they
    said captured on the day (through the engagement service's checks)."""
    ladder = Ladder.objects.get(organisation__isnull=True, slug=ladder_slug)
    activity = engagement_services.activity_create(
        actor=actor,
        organisation_id=organisation.pk,
        questions=questions,
        title=title,
        purpose=purpose,
        kind=ActivityKind.CO_DESIGN_WORKSHOP,
        starts_on=day,
        ends_on=day,
        times=times,
        venue=venue,
        setting=ActivitySetting.COMMUNITY,
        payment_offered="Paid for your time, with travel costs repaid",
        ladder=ladder,
        rung=ladder.rungs.get(position=rung),
    )
    question = activity.questions.order_by("position").first()
    contributions = []
    for name, kind, text in said:
        person = people[name]
        Invitation.objects.get_or_create(
            activity=activity,
            person=person,
            defaults={
                "status": InvitationStatus.ACCEPTED,
                "invited_by": actor,
                "invited_at": _at(day - datetime.timedelta(days=21)),
                "answered_at": _at(day - datetime.timedelta(days=18)),
                "attended": True,
            },
        )
        values = engagement_services.contribution_check(
            activity=activity,
            person=person,
            use_level=None,
            text=text,
            kind=kind,
            question=question,
        )
        contributions.append(
            Contribution.objects.create(
                organisation_id=organisation.pk, created_by=actor, captured_on=day, **values
            )
        )
    return activity, contributions


def _learners(index: int, count: int, domain: str) -> list[dict]:
    """`count` fictional learners, different for each delivery (by `index`)."""
    learners = []
    for n in range(count):
        first = FIRST_NAMES[(n * 5 + index * 7) % len(FIRST_NAMES)]
        last = SURNAMES[(n * 3 + index * 11 + n // len(SURNAMES)) % len(SURNAMES)]
        learners.append(
            {
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}@{domain}",
                "job_role": JOB_ROLES[(n + index) % len(JOB_ROLES)],
                "team": TEAMS[(n * 2 + index) % len(TEAMS)],
            }
        )
    return learners


def _power_sharing(users, stdout=None) -> int:
    organisations = {
        o.name: o
        for o in Organisation.objects.filter(name__in=[SG, BORDERS, STIRLING, WEST_LOTHIAN])
    }
    sg = organisations.get(SG)
    if sg is None or len(organisations) < 4:
        return 0
    if LearningProduct.objects.filter(organisation=sg, slug=POWER_SHARING_SLUG).exists():
        return 0
    heather = users["heather.lindsay@sg.example"]
    ruaridh = users["ruaridh.munro@sg.example"]
    people, created = _sg_register(sg, ruaridh)

    # The co-design record: what adults and young people said shaped the product.
    activities, contributions = [], []
    for title, group, day, times, venue, ladder, rung, questions, said in SG_ACTIVITIES:
        activity, words = _activity_with_words(
            organisation=sg,
            actor=heather,
            title=title,
            purpose=f"Shape new learning on power sharing for social work staff with {group} "
            "who have lived experience of social work: what it should cover and how it "
            "should feel.",
            day=day,
            times=times,
            venue=venue,
            ladder_slug=ladder,
            rung=rung,
            questions=questions,
            said=said,
            people=people,
        )
        activities.append(activity)
        contributions.extend(words)
        created += 1 + 2 * len(words)

    product = services.product_create(
        actor=heather,
        organisation_id=sg.pk,
        outcomes=POWER_SHARING_OUTCOMES,
        slug=POWER_SHARING_SLUG,
        **POWER_SHARING,
    )
    version = product.versions.get(number=1)
    services.co_design_set(
        actor=heather, product=product, activities=activities, contributions=contributions
    )
    quoted = next(c for c in contributions if c.person.full_name == SLIDES_QUOTE)
    slides = _pdf(
        "Session 1: power in everyday practice",
        [
            "Where does power sit in the room?",
            "Who writes the record, who reads it, who decides?",
            "",
            '"The worker who said sorry when they got something wrong is the one',
            'I started to trust." (expert by experience, co-design workshop)',
            "",
            "Pause: one moment this week where you could share a decision.",
        ],
    )
    services.material_add(
        actor=heather,
        version=version,
        title="Session 1 slides: power in everyday practice",
        kind=MaterialKind.SLIDES,
        upload=SimpleUploadedFile("session-1-slides.pdf", slides, "application/pdf"),
        use_level=UseLevel.ANONYMISED,
        quotes=[quoted.pk],
    )
    services.product_status_set(actor=heather, product=product, status=ProductStatus.PUBLISHED)
    services.learning_settings_update(
        actor=heather, organisation_id=sg.pk, learner_retention_days=730, offer_hours=48
    )
    created += 4

    today = timezone.localdate()
    for index, spec in enumerate(POWER_SHARING_DELIVERIES):
        created += _power_sharing_delivery(
            index, spec, product=product, heather=heather, users=users, people=people,
            site=organisations[spec["site"]], today=today,
        )  # fmt: skip
    return created


def _session_values(day, mode, where) -> dict:
    return {
        "date": day,
        "starts_at": datetime.time(9, 30),
        "ends_at": datetime.time(12, 30),
        "mode": mode,
        "venue": where if mode == SessionMode.IN_PERSON else "",
        "online_link": where if mode == SessionMode.ONLINE else "",
    }


def _power_sharing_delivery(index, spec, *, product, heather, users, people, site, today) -> int:
    # Planned ahead and booked, then moved to the dates it really happened.
    ahead = today + datetime.timedelta(days=60)
    sessions = [
        _session_values(ahead + datetime.timedelta(weeks=3 * n), mode, where)
        for n, (_, mode, where) in enumerate(spec["sessions"])
    ]
    delivery = services.delivery_create(
        actor=heather,
        product=product,
        site=site,
        cohort=spec["cohort"],
        capacity=spec["capacity"],
        sessions=sessions,
    )
    created = 1 + len(sessions)
    for who, lived, professional, leadership, lead in spec["team"]:
        member = {"user": users[who]} if "@" in who else {"person": people[who]}
        services.facilitator_add(
            actor=heather,
            delivery=delivery,
            lived=lived,
            professional=professional,
            leadership=leadership,
            is_lead=lead,
            **member,
        )
        created += 1
    bookings = []
    for learner in _learners(index, spec["booked"], spec["domain"]):
        bookings.append(
            services.booking_create(
                delivery=delivery,
                actor=heather,
                source=BookingSource.STAFF,
                tell_learner=False,
                **learner,
            )
        )
    created += 2 * len(bookings)
    taker = users[spec["register_taker"]]
    for session, (day, mode, where) in zip(
        delivery.sessions.order_by("number"), spec["sessions"], strict=True
    ):
        session = services.session_update(
            actor=heather, session=session, **_session_values(day, mode, where)
        )
        absent = set(spec["absent"][session.number])
        services.attendance_record_many(
            actor=taker,
            session=session,
            attended_booking_ids=[b.pk for n, b in enumerate(bookings) if n not in absent],
        )
        created += len(bookings)
    return created


# --- Fife: lived-experience trainers for newly qualified social workers ------------------------


def _fife(stdout=None) -> int:
    fife = Organisation.objects.filter(name=FIFE).first()
    if fife is None:
        return 0
    if LearningProduct.objects.filter(organisation=fife, slug=FIFE_SLUG).exists():
        return 0
    staff = {key: User.objects.filter(email=email).first() for key, email in FIFE_STAFF.items()}
    names = {name for name, _ in FIFE_TRAINERS} | {name for name, _, _ in FIFE_ACTIVITY["said"]}
    people = {
        p.full_name: p
        for p in Person.objects.not_erased().filter(organisation=fife, full_name__in=names)
    }
    if not all(staff.values()) or set(people) != names:
        return 0
    callum, aileen, tariq = staff["callum"], staff["aileen"], staff["tariq"]
    today = timezone.localdate()
    created = 0

    # The topics were chosen with people with lived experience.
    day = today - datetime.timedelta(days=FIFE_ACTIVITY["days_ago"])
    activity, words = _activity_with_words(
        organisation=fife,
        actor=callum,
        title=FIFE_ACTIVITY["title"],
        purpose="Choose, with people who know social work from the other side, what newly "
        "qualified social workers most need to learn in their first year.",
        day=day,
        times="1pm to 3pm",
        venue="Community centre, Kirkcaldy",
        ladder_slug="arnstein",
        rung=6,
        questions=FIFE_ACTIVITY["questions"],
        said=FIFE_ACTIVITY["said"],
        people=people,
    )
    created += 1 + 2 * len(words)
    product = services.product_create(
        actor=callum,
        organisation_id=fife.pk,
        outcomes=FIFE_OUTCOMES,
        slug=FIFE_SLUG,
        **FIFE_PRODUCT,
    )
    version = product.versions.get(number=1)
    services.co_design_set(
        actor=callum, product=product, activities=[activity], contributions=words
    )
    handout = _pdf(
        "Words that help, words that hurt",
        [
            "Before you send a letter, read it as the person getting it.",
            "",
            '"Learn the words we use. A letter full of jargon tells me',
            "I'm a case, not a person.\" (someone with lived experience, Fife)",
            "",
            "Swap: 'non-engagement' for 'did not come: we will ask why'.",
            "Swap: 'presenting needs' for 'what matters to you'.",
        ],
    )
    services.material_add(
        actor=callum,
        version=version,
        title="Handout: words that help, words that hurt",
        kind=MaterialKind.HANDOUT,
        upload=SimpleUploadedFile("words-that-help.pdf", handout, "application/pdf"),
        use_level=UseLevel.ANONYMISED,
        quotes=[words[0].pk],
    )
    services.product_status_set(actor=callum, product=product, status=ProductStatus.PUBLISHED)
    created += 3

    trainers = []
    for name, topics in FIFE_TRAINERS:
        trainers.append(
            services.trainer_add(
                actor=callum,
                person=people[name],
                topics=topics,
                agreed_on=today - datetime.timedelta(days=120),
            )
        )
        created += 1

    first = today + datetime.timedelta(days=24)
    sessions = []
    for n in range(FIFE_PRODUCT["sessions_planned"]):
        online = n == 1
        sessions.append(
            {
                "date": first + datetime.timedelta(weeks=2 * n),
                "starts_at": datetime.time(13, 30),
                "ends_at": datetime.time(16, 0),
                "mode": SessionMode.ONLINE if online else SessionMode.IN_PERSON,
                "venue": "" if online else "Training room 2, council offices, Glenrothes",
                "online_link": "https://meet.example.org/fife-nqsw-2" if online else "",
            }
        )
    delivery = services.delivery_create(
        actor=callum,
        product=product,
        site=fife,
        cohort=f"Newly qualified social workers, {first:%B %Y}",
        capacity=FIFE_CAPACITY,
        sessions=sessions,
    )
    created += 1 + len(sessions)
    services.facilitator_add(
        actor=callum, delivery=delivery, user=tariq, professional=True, is_lead=True
    )
    created += 1

    hours = Decimal(FIFE_PRODUCT["session_minutes"]) / 60
    for position, trainer in enumerate(trainers[:2]):
        before_on = (
            today - datetime.timedelta(days=4)
            if position == 0
            else first - datetime.timedelta(days=7)
        )
        commission = services.commission_create(
            actor=callum,
            delivery=delivery,
            trainer=trainer,
            hours=hours,
            preparation_hours=Decimal("1"),
            support={
                SupportStage.BEFORE: {
                    "plan": "Preparation session: go through the session plan together and "
                    "agree which parts of your story you want to share, and which you don't.",
                    "support_person": callum,
                    "planned_on": before_on,
                },
                SupportStage.DURING: {
                    "plan": "Aileen is there on the day as your named support person. Agree a "
                    "sign for taking a break at any time.",
                    "support_person": aileen,
                },
                SupportStage.AFTER: {
                    "plan": "A debrief with Aileen within a week of the last session: how it "
                    "went, and how you are.",
                    "support_person": aileen,
                },
            },
        )
        created += 6  # the commission, its place on the team, invitation, payment, support
        if position == 0:
            # Jamie's preparation session has happened.
            before = commission.support.get(stage=SupportStage.BEFORE)
            services.commission_support_update(
                actor=callum,
                support=before,
                plan=before.plan,
                support_person=before.support_person,
                planned_on=before.planned_on,
                done_on=before_on,
            )

    for n, (name, team) in enumerate(FIFE_LEARNERS):
        by_staff = n < FIFE_BOOKED_BY_STAFF
        services.booking_create(
            delivery=delivery,
            name=name,
            email=f"{name.lower().replace(' ', '.')}@fife.example",
            job_role="Newly qualified social worker",
            team=team,
            actor=callum if by_staff else None,
            source=BookingSource.STAFF if by_staff else BookingSource.LINK,
            tell_learner=False,
        )
        created += 2
    return created


def load(stdout=None) -> int:
    from powershare.engagement.default_ladders import default_ladders_install

    default_ladders_install()  # the co-design activities use the shipped ladders
    users, created = _staff()
    if len(users) == len(STAFF):
        created += _power_sharing(users, stdout)
    created += _fife(stdout)
    if stdout is not None and created:
        stdout.write(f"Learning: {created} new records.")
    return created

"""Demo people: about forty fictional experts by experience across two councils and a
lived-experience-led organisation, with varied needs, consents and statuses, young people
among them. Every name, story and detail here is invented.

Three of them have portal logins (see LOGINS), one of whom is also a member of staff.
"""

import datetime

from django.utils import timezone

from powershare.accounts.management.commands.demo_data import DEMO_PASSWORD
from powershare.accounts.models import Membership, Organisation, User
from powershare.accounts.roles import Role

from .models import (
    ConsentDecision,
    ConsentGivenBy,
    ConsentMethod,
    ConsentPurpose,
    ConsentRecord,
    LivedExperienceArea,
    Person,
    age_band_for,
)

FIFE = "Fife Council"
DUNDEE = "Dundee City Council"
RLP = "Resilience Learning Partnership"

# A participation lead for the lived-experience-led organisation, who runs its register.
STAFF = [
    (
        "lorna.kerr@rlp.example",
        "Lorna Kerr",
        Role.PARTICIPATION_LEAD,
        RLP,
        "Participation coordinator",
    ),
]

STAFF_CONTACT = {
    FIFE: "aileen.murray@fife.example",
    DUNDEE: "priya.nair@dundee.example",
    RLP: "lorna.kerr@rlp.example",
}

AREAS = {
    FIFE: [
        ("Care experience", "Grew up in foster, kinship or residential care"),
        ("Justice", "Contact with the justice system"),
        ("Homelessness", ""),
        ("Mental health", ""),
        ("Substance use", "Their own or a family member's"),
        ("Domestic abuse", ""),
        ("Unpaid caring", "Looks after a relative or friend"),
        ("Disability", ""),
    ],
    DUNDEE: [
        ("Care experience", ""),
        ("Justice", ""),
        ("Mental health", ""),
        ("Substance use", ""),
        ("Parenting with support", "Children's services involved with their family"),
        ("Disability", ""),
    ],
    RLP: [
        ("Childhood trauma", ""),
        ("Care experience", ""),
        ("Justice", ""),
        ("Recovery", "Recovery from substance use"),
    ],
}

CONSENT_SETS = {
    "all": list(ConsentPurpose.values),
    "standard": ["contact", "take_part", "keep_information", "quote_internal", "quote_anonymous"],
    "quiet": ["contact", "keep_information"],
    "named": ["contact", "take_part", "keep_information", "quote_anonymous", "quote_named"],
    "none": [],
}

# (organisation, full name, preferred name, pronouns, age: years or an age band, areas,
#  status, consents, channel, access needs, support needs, check with support contact first,
#  receives benefits, credit, email login?)
PEOPLE = [
    (FIFE, "Jamie Wilson", "", "they/them", 24, ["Care experience", "Homelessness"], "active", "all", "email", "Large print papers, sent a week ahead", "Likes to meet the facilitator beforehand", False, True, "first_name", True),
    (FIFE, "Margaret Lindsay", "Maggie", "she/her", 58, ["Unpaid caring", "Disability"], "active", "standard", "phone", "Step-free venue; hearing loop", "", False, True, "full_name", False),
    (FIFE, "Connor McBride", "", "he/him", 19, ["Care experience", "Justice"], "active", "standard", "text", "", "Throughcare worker comes along", True, True, "anonymous", False),
    (FIFE, "Leah Robertson", "", "she/her", 15, ["Care experience"], "active", "standard", "support_contact", "", "Prefers a trusted adult present", True, False, "first_name", False),
    (FIFE, "Daniel Okafor", "Dan", "he/him", 33, ["Mental health"], "resting", "standard", "email", "Breaks every 45 minutes", "", False, False, "first_name", False),
    (FIFE, "Shona Paterson", "", "she/her", 41, ["Domestic abuse"], "active", "quiet", "email", "", "Never share her address; meet in a safe venue", True, True, "anonymous", False),
    (FIFE, "Archie Henderson", "", "he/him", 67, ["Unpaid caring"], "active", "named", "post", "Papers by post, not email", "", False, False, "full_name", False),
    (FIFE, "Kirsty Buchanan", "", "she/her", 29, ["Substance use", "Justice"], "active", "all", "text", "", "Recovery worker is her support contact", True, True, "first_name", False),
    (FIFE, "Ryan Mitchell", "", "he/him", 14, ["Care experience"], "active", "standard", "support_contact", "Easy-read versions", "Residential worker attends", True, False, "first_name", False),
    (FIFE, "Hannah Thomson", "", "she/her", 36, ["Mental health", "Homelessness"], "left", "quiet", "email", "", "", False, True, "anonymous", False),
    (FIFE, "Ewan Scott", "", "he/him", 45, ["Disability"], "active", "standard", "email", "British Sign Language interpreter", "", False, True, "first_name", False),
    (FIFE, "Nadia Rahman", "", "she/her", 22, ["Care experience", "Mental health"], "active", "none", "email", "", "", False, False, "first_name", False),
    (FIFE, "Iain Murdoch", "", "he/him", 52, ["Justice", "Substance use"], "left", "standard", "phone", "", "", False, True, "anonymous", False),
    (FIFE, "Chloe Davidson", "", "she/her", 17, ["Care experience"], "active", "all", "text", "", "", False, False, "first_name", False),
    (FIFE, "Fraser Gillespie", "", "he/him", 12, ["Care experience"], "active", "quiet", "support_contact", "Short sessions only", "Foster carer attends", True, False, "anonymous", False),
    (DUNDEE, "Ayesha Khan", "", "she/her", 15, ["Care experience"], "active", "standard", "email", "", "Kinship carer (her gran) is her support contact", False, False, "first_name", True),
    (DUNDEE, "Stephen Duffy", "Steve", "he/him", 48, ["Justice", "Substance use"], "active", "all", "phone", "", "Peer mentor from recovery café", False, True, "full_name", False),
    (DUNDEE, "Grace Morrison", "", "she/her", 31, ["Parenting with support"], "active", "standard", "email", "Childcare during sessions", "", False, True, "first_name", False),
    (DUNDEE, "Liam Cairns", "", "he/him", 20, ["Care experience", "Mental health"], "resting", "standard", "text", "", "", False, True, "first_name", False),
    (DUNDEE, "Patricia Flynn", "Trish", "she/her", 62, ["Disability"], "active", "named", "post", "Wheelchair user; accessible taxi", "", False, True, "full_name", False),
    (DUNDEE, "Mohammed Ali", "", "he/him", 27, ["Justice"], "active", "quiet", "email", "Interpreter (Urdu) for long meetings", "", False, False, "anonymous", False),
    (DUNDEE, "Megan Reilly", "", "she/her", 16, ["Care experience"], "active", "standard", "text", "", "", False, False, "first_name", False),
    (DUNDEE, "Brian Doherty", "", "he/him", 55, ["Substance use"], "left", "standard", "phone", "", "", False, True, "anonymous", False),
    (DUNDEE, "Sophie Grant", "", "she/her", 38, ["Parenting with support", "Mental health"], "active", "all", "email", "Sessions within school hours", "", True, True, "first_name", False),
    (DUNDEE, "Kai Anderson", "", "he/him", 13, ["Care experience"], "active", "standard", "support_contact", "Easy-read versions", "Social worker is his support contact", True, False, "first_name", False),
    (DUNDEE, "Eilidh Watt", "", "she/her", 26, ["Disability", "Mental health"], "active", "standard", "email", "Quiet room available", "", False, True, "first_name", False),
    (DUNDEE, "Thomas Byrne", "Tam", "he/him", 44, ["Justice"], "active", "none", "phone", "", "", False, False, "anonymous", False),
    (DUNDEE, "Rachel Simpson", "", "she/her", 35, ["Care experience"], "resting", "named", "email", "", "", False, False, "full_name", False),
    (RLP, "Sam Docherty", "", "he/him", 39, ["Childhood trauma", "Recovery"], "active", "all", "email", "", "", False, False, "full_name", True),
    (RLP, "Morven Ross", "", "she/her", 47, ["Childhood trauma"], "active", "named", "email", "", "", False, True, "full_name", False),
    (RLP, "Jordan Kelly", "", "they/them", 23, ["Care experience", "Childhood trauma"], "active", "standard", "text", "Captions on videos", "", False, True, "first_name", False),
    (RLP, "Colin Fraser", "", "he/him", 51, ["Justice", "Recovery"], "active", "all", "phone", "", "", False, True, "full_name", False),
    (RLP, "Aisha Begum", "", "she/her", 30, ["Childhood trauma"], "resting", "standard", "email", "", "Counsellor is her support contact", True, False, "first_name", False),
    (RLP, "Neil Crawford", "", "he/him", 60, ["Recovery"], "active", "quiet", "post", "Large print", "", False, True, "anonymous", False),
    (RLP, "Lucy Barr", "", "she/her", 18, ["Care experience"], "active", "standard", "text", "", "", False, False, "first_name", False),
    (RLP, "Gordon Hay", "", "he/him", 56, ["Justice"], "left", "standard", "email", "", "", False, True, "anonymous", False),
    (RLP, "Zara Hussain", "", "she/her", 28, ["Childhood trauma", "Care experience"], "active", "all", "email", "", "", False, False, "full_name", False),
    (RLP, "Paul Quinn", "", "he/him", 42, ["Recovery"], "active", "standard", "text", "", "", False, True, "first_name", False),
    (RLP, "Fiona Wallace", "", "she/her", 34, ["Childhood trauma"], "active", "named", "email", "Breaks when needed", "", False, False, "full_name", False),
    (RLP, "Derek Bell", "", "he/him", 64, ["Justice", "Recovery"], "active", "quiet", "phone", "", "", False, True, "anonymous", False),
]  # fmt: skip

SUPPORT_CONTACTS = [
    ("Morven Kerr", "Support worker, Kingdom Carers Hub", "01632 960 201"),
    ("Andy Lyall", "Throughcare and aftercare worker", "01632 960 202"),
    ("Carol Bain", "Recovery worker, Tayside Recovery Café", "01632 960 203"),
    ("", "", ""),
]

TOPICS_TO_AVOID = [
    "",
    "Details of time in custody",
    "Anything about her ex-partner",
    "Hospital stays",
    "",
    "Contact with birth family",
]


def _email_for(full_name: str, organisation: str) -> str:
    domain = {FIFE: "fife", DUNDEE: "dundee", RLP: "rlp"}[organisation]
    return f"{full_name.lower().replace(' ', '.')}@{domain}.people.example"


def _login_email(full_name: str, organisation: str) -> str:
    """Portal logins: Sam Docherty also works for RLP, so his person record uses his
    staff login; the others get their own address."""
    if full_name == "Sam Docherty":
        return "sam.docherty@rlp.example"
    return f"{full_name.lower().replace(' ', '.')}@people.example"


LOGINS = [
    {
        "email": _login_email(row[1], row[0]),
        "password": DEMO_PASSWORD,
        "role": "Expert by experience" + (" (and facilitator)" if row[1] == "Sam Docherty" else ""),
        "organisation": row[0],
        "name": row[1],
    }
    for row in PEOPLE
    if row[-1] and row[1] != "Sam Docherty"
] + [
    {
        "email": email,
        "password": DEMO_PASSWORD,
        "role": role.label,
        "organisation": organisation,
        "name": name,
    }
    for email, name, role, organisation, _ in STAFF
]


def _date_of_birth(age: int, index: int) -> datetime.date:
    today = timezone.localdate()
    # Spread birthdays through the year so ages stay right whatever day the demo loads.
    birthday = today - datetime.timedelta(days=37 * (index % 9) + 1)
    return (
        birthday.replace(year=birthday.year - age)
        if not (birthday.month == 2 and birthday.day == 29)
        else birthday.replace(year=birthday.year - age, day=28)
    )


def load(stdout=None) -> int:
    created = 0
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=[FIFE, DUNDEE, RLP])}
    for email, name, role, organisation_name, job_title in STAFF:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
            created += 1
        _, was_created = Membership.objects.get_or_create(
            user=user,
            organisation=organisations[organisation_name],
            ended_at=None,
            defaults={"role": role, "job_title": job_title},
        )
        created += was_created
    areas = {}
    for organisation_name, tags in AREAS.items():
        for tag, description in tags:
            area, was_created = LivedExperienceArea.objects.get_or_create(
                organisation=organisations[organisation_name],
                name=tag,
                defaults={"description": description},
            )
            areas[(organisation_name, tag)] = area
            created += was_created
    from powershare.privacy.selectors import consent_statements_current

    statements = {
        name: consent_statements_current(organisation_id=org.pk)
        for name, org in organisations.items()
    }
    staff_contacts = {
        name: User.objects.filter(email=email).first() for name, email in STAFF_CONTACT.items()
    }
    today = timezone.localdate()
    for index, row in enumerate(PEOPLE):
        (
            organisation_name,
            full_name,
            preferred,
            pronouns,
            age,
            tags,
            status,
            consent_set,
            channel,
            access,
            support,
            check_first,
            benefits,
            credit,
            has_login,
        ) = row
        organisation = organisations[organisation_name]
        if Person.objects.filter(organisation=organisation, full_name=full_name).exists():
            continue
        contact_name, contact_role, contact_phone = SUPPORT_CONTACTS[index % len(SUPPORT_CONTACTS)]
        person = Person.objects.create(
            organisation=organisation,
            full_name=full_name,
            preferred_name=preferred,
            pronouns=pronouns,
            email=_email_for(full_name, organisation_name) if channel != "post" else "",
            phone=f"07700 900 {100 + index:03d}",
            postal_address=f"{10 + index} Example Street\nDemo Town\nKY1 {index % 9}AB"
            if channel == "post"
            else "",
            date_of_birth=_date_of_birth(age, index) if index % 3 else None,
            age_band="",
            credit_as=credit,
            contact_channel=channel,
            contact_times="Weekday afternoons" if index % 2 else "",
            check_with_support_contact=check_first,
            access_needs=access,
            support_needs=support,
            support_contact_name=contact_name if (support or check_first) else "",
            support_contact_role=contact_role if (support or check_first) else "",
            support_contact_phone=contact_phone if (support or check_first) else "",
            staff_contact=staff_contacts[organisation_name],
            receives_benefits=benefits,
            status=status,
            resting_until=today + datetime.timedelta(days=30 + index)
            if status == "resting"
            else None,
            left_on=today - datetime.timedelta(days=400 + 120 * index)
            if status == "left"
            else None,
            topics_to_avoid=TOPICS_TO_AVOID[index % len(TOPICS_TO_AVOID)],
            rest_days_between_involvements=[None, 7, 14, 28][index % 4],
            wellbeing_check_in=["none", "after", "before_and_after", "before"][index % 4],
            created_by=staff_contacts[organisation_name],
        )
        person.age_band = age_band_for(person.age_on(today) if person.date_of_birth else age)
        person.save(update_fields=["age_band"])
        person.areas.set([areas[(organisation_name, tag)] for tag in tags])
        created += 1
        agreed_at = timezone.now() - datetime.timedelta(days=200 - index)
        for purpose in CONSENT_SETS[consent_set]:
            ConsentRecord.objects.create(
                person=person,
                purpose=purpose,
                statement=statements[organisation_name][purpose],
                decision=ConsentDecision.GIVEN,
                method=ConsentMethod.WRITTEN if index % 2 else ConsentMethod.VERBAL,
                recorded_by=staff_contacts[organisation_name],
                recorded_at=agreed_at,
            )
            if person.needs_guardian_consent:
                ConsentRecord.objects.create(
                    person=person,
                    purpose=purpose,
                    statement=statements[organisation_name][purpose],
                    decision=ConsentDecision.GIVEN,
                    given_by=ConsentGivenBy.GUARDIAN,
                    guardian_name="Their parent or carer (demo)",
                    method=ConsentMethod.WRITTEN,
                    recorded_by=staff_contacts[organisation_name],
                    recorded_at=agreed_at,
                )
        if consent_set == "standard" and index % 5 == 0:
            # Someone who changed their mind about being quoted: withdrawal is a new record.
            ConsentRecord.objects.create(
                person=person,
                purpose=ConsentPurpose.QUOTE_ANONYMOUS,
                statement=statements[organisation_name][ConsentPurpose.QUOTE_ANONYMOUS],
                decision=ConsentDecision.WITHDRAWN,
                method=ConsentMethod.VERBAL,
                recorded_by=staff_contacts[organisation_name],
                recorded_at=agreed_at + datetime.timedelta(days=60),
                note="Said on the phone they would rather not be quoted for now.",
            )
        if has_login:
            login_email = _login_email(full_name, organisation_name)
            user = User.objects.filter(email=login_email).first()
            if user is None:
                user = User.objects.create_user(
                    email=login_email, password=DEMO_PASSWORD, full_name=full_name
                )
            person.user = user
            person.email = login_email
            person.portal_invited_at = agreed_at
            person.save(update_fields=["user", "email", "portal_invited_at"])
    if stdout is not None and created:
        stdout.write(f"People register: {created} new records.")
    return created

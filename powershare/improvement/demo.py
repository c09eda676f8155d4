"""Demo improvement work, in our own words, made through the services as people would.

* **Fife Council** assessed itself against the Roadmap twice (a year ago and two months ago),
  with staff and two experts by experience; the second assessment chose three priorities. Its
  action plan holds actions under those priorities, one from the walkthrough of the Glenrothes
  office (the engagement demo's walkthrough activity, whose experts by experience were paid),
  and one from a "you said, we did" response. Some are done, one is overdue.
* **The Scottish Government's partnership delivery group** has 14 member organisations. It met
  ten weeks ago and two weeks ago, and meets again in four weeks: actions from the first meeting
  that were not done are carried into the later meetings' matters arising, so the action log
  runs across all three. Partner updates and decisions are invented and deliberately modest.

Dates are counted back from today, so "overdue" and "due soon" mean something whenever the demo
is loaded. Idempotent: an organisation that already has the record is left alone.
"""

import datetime

from django.utils import timezone

from powershare.accounts.models import Organisation, OrganisationKind, User

from . import selectors, services
from .default_frameworks import ROADMAP_KEY
from .models import (
    ActionSource,
    ActionStatus,
    AttendanceStatus,
    Framework,
    MeetingFormat,
    ObservationKind,
    ParticipantKind,
    PartnershipGroup,
    SelfAssessment,
    TeamRole,
)

FIFE = "Fife Council"
SG = "Scottish Government"
WALKTHROUGH_ACTIVITY = "Walkthrough: the front door at the Glenrothes office"
GROUP_NAME = "Trauma-responsive social work partnership delivery group"

# (name, short name, kind) — the group's 14 members; the Scottish Government runs it.
PARTNERS = [
    ("Care Inspectorate", "", OrganisationKind.NATIONAL_BODY),
    ("Community Justice Scotland", "", OrganisationKind.NATIONAL_BODY),
    ("Convention of Scottish Local Authorities", "COSLA", OrganisationKind.NATIONAL_BODY),
    ("Children and Young People's Centre for Justice", "CYCJ", OrganisationKind.UNIVERSITY),
    (
        "Higher Education Institutions Heads of Social Work",
        "HEI heads of social work",
        OrganisationKind.UNIVERSITY,
    ),
    ("Improvement Service", "", OrganisationKind.NATIONAL_BODY),
    ("NHS Education for Scotland", "NES", OrganisationKind.HEALTH_BOARD),
    ("Scottish Association of Social Work", "SASW", OrganisationKind.THIRD_SECTOR),
    ("Scottish Government", "", OrganisationKind.NATIONAL_BODY),
    ("Social Work Education Partnership", "SWEP", OrganisationKind.THIRD_SECTOR),
    ("Social Work Scotland", "SWS", OrganisationKind.THIRD_SECTOR),
    (
        "Social Work Scotland Learning and Development Sub-group",
        "SWS learning and development",
        OrganisationKind.THIRD_SECTOR,
    ),
    ("Scottish Social Services Council", "SSSC", OrganisationKind.NATIONAL_BODY),
    ("Who Cares? Scotland", "", OrganisationKind.LIVED_EXPERIENCE_LED),
]

# Fife's two self-assessments: (period, days ago, {driver key: (rating, evidence)}, priorities)
ASSESSMENTS = [
    (
        "2024/25",
        420,
        {
            "leadership-culture": (1, "Senior managers signed the leadership pledge this year."),
            "staff-wellbeing": (1, "Supervision happens, but rarely makes room for reflection."),
            "budget": (0, "No money set aside yet; payments come from team budgets."),
            "staff-knowledge": (2, "About a third of staff have done the skilled-level learning."),
            "power-sharing": (1, "People are asked for views now and then, not involved."),
            "policies-processes": (0, "Letters and forms have not been looked at yet."),
            "service-design": (1, "One office has a quieter waiting area."),
            "feedback-improvement": (0, "People rarely hear what came of what they said."),
        },
        {},
    ),
    (
        "2025/26",
        60,
        {
            "leadership-culture": (2, "Leaders talk about it at every all-staff meeting."),
            "staff-wellbeing": (2, "Reflective sessions started in two teams."),
            "budget": (1, "A small budget for paying experts by experience from April."),
            "staff-knowledge": (3, "Most staff have done the learning; managers next."),
            "power-sharing": (2, "A paid panel of experts by experience meets monthly."),
            "policies-processes": (1, "The first appointment letter is being rewritten."),
            "service-design": (2, "The Glenrothes walkthrough gave a list of changes."),
            "feedback-improvement": (2, "Activities now promise a date for feedback."),
        },
        {
            "power-sharing": "Experts by experience should help decide, not only advise: "
            "good looks like a panel that sets part of the agenda and is paid on the day.",
            "staff-wellbeing": "Staff who feel safe can make others feel safe: good looks like "
            "reflective supervision for every team.",
            "policies-processes": "Our letters can frighten people: good looks like every "
            "standard letter checked with people who have received one.",
        },
    ),
]


def _org(name: str, short_name: str, kind: str) -> tuple[Organisation, bool]:
    from django.utils.text import slugify

    organisation = Organisation.objects.filter(name=name).first()
    if organisation is not None:
        return organisation, False
    return (
        Organisation.objects.create(
            name=name, short_name=short_name, slug=slugify(name)[:80], kind=kind
        ),
        True,
    )


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _fife_person(fife: Organisation, full_name: str):
    from powershare.people.models import Person

    return Person.objects.filter(organisation=fife, full_name=full_name).first()


def _load_fife(today: datetime.date) -> int:
    fife = Organisation.objects.filter(name=FIFE).first()
    if fife is None or SelfAssessment.objects.filter(organisation=fife).exists():
        return 0
    fiona = _user("fiona.grant@fife.example")
    aileen = _user("aileen.murray@fife.example")
    callum = _user("callum.reid@fife.example")
    tariq = _user("tariq.hussain@fife.example")
    framework = Framework.objects.get(key=ROADMAP_KEY)
    created = 0
    assessments = []
    for period, days_ago, ratings, priorities in ASSESSMENTS:
        assessment = services.assessment_start(
            actor=fiona,
            organisation=fife,
            period=period,
            assessed_on=today - datetime.timedelta(days=days_ago),
            framework=framework,
            summary=f"Agreed at a half-day session of the improvement group, {period}.",
            others_taking_part="Eight frontline staff from the duty and justice teams",
        )
        services.participant_add(
            actor=fiona, assessment=assessment, kind=ParticipantKind.MANAGER, user=fiona
        )
        services.participant_add(
            actor=fiona, assessment=assessment, kind=ParticipantKind.STAFF, user=aileen
        )
        for name in ("Margaret Lindsay", "Jamie Wilson"):
            person = _fife_person(fife, name)
            if person is not None:
                services.participant_add(
                    actor=fiona,
                    assessment=assessment,
                    kind=ParticipantKind.EXPERT_BY_EXPERIENCE,
                    person=person,
                )
                created += 1
        rows = {}
        for rating in assessment.ratings.select_related("driver"):
            value, evidence = ratings[rating.driver.key]
            note = priorities.get(rating.driver.key, "")
            rows[rating.pk] = {
                "rating": value,
                "evidence": evidence,
                "is_priority": bool(note),
                "priority_note": note,
            }
        services.ratings_record(actor=fiona, assessment=assessment, ratings=rows)
        services.assessment_agree(actor=fiona, assessment=assessment)
        assessments.append(assessment)
        created += 3 + len(rows)
    latest = assessments[-1]
    priority = {r.driver.key: r for r in latest.ratings.select_related("driver")}

    plan = services.plan_create(
        actor=fiona,
        organisation=fife,
        title="Trauma-informed improvement plan 2025/26",
        assessment=latest,
        starts_on=today - datetime.timedelta(days=55),
        ends_on=today + datetime.timedelta(days=310),
        summary="What we will do about the three priorities we chose, and what the "
        "walkthrough and the people we work with told us.",
    )
    created += 1

    def act(title, key, owner, due_in, **extra):
        return services.action_create(
            actor=fiona,
            organisation=fife,
            title=title,
            source=extra.pop("source", ActionSource.SELF_ASSESSMENT),
            plan=plan,
            priority=priority[key] if key else None,
            owner=owner,
            due_on=today + datetime.timedelta(days=due_in),
            **extra,
        )

    pay = act("Pay experts by experience on the day they take part", "power-sharing", aileen, -10)
    services.action_progress_record(
        actor=aileen,
        action=pay,
        note="Finance agreed same-day payments by bank transfer; the form is with IT.",
        status=ActionStatus.IN_PROGRESS,
        written_on=today - datetime.timedelta(days=20),
    )
    act(
        "Set up a lived experience reference group for the justice service",
        "power-sharing",
        fiona,
        45,
    )
    supervision = act(
        "Offer reflective supervision to every duty team", "staff-wellbeing", fiona, -5
    )
    services.action_progress_record(
        actor=fiona,
        action=supervision,
        note="All four duty teams now have a monthly reflective session.",
        evidence="Session timetable and the first round of staff feedback (internal drive).",
        status=ActionStatus.DONE,
        written_on=today - datetime.timedelta(days=8),
    )
    act(
        "Rewrite the first appointment letter with people who have received it",
        "policies-processes",
        callum,
        20,
    )
    created += 6

    # The walkthrough: the engagement demo's walkthrough activity, its people paid there.
    from powershare.engagement.models import Activity

    activity = Activity.objects.filter(organisation=fife, title=WALKTHROUGH_ACTIVITY).first()
    walkthrough = services.walkthrough_create(
        actor=aileen,
        organisation=fife,
        title="Glenrothes office: arriving and waiting",
        service="Adult social work duty team, Glenrothes",
        walked_on=activity.starts_on if activity else today - datetime.timedelta(days=12),
        purpose="See the building as someone coming for their first appointment would.",
        summary="Staff were warm, but the building works against them: signs, the waiting "
        "area and the first interview room all need change.",
        activity=activity,
    )
    entrance = services.site_add(actor=aileen, walkthrough=walkthrough, name="Main entrance")
    waiting = services.site_add(
        actor=aileen, walkthrough=walkthrough, name="Reception and waiting area"
    )
    rooms = services.site_add(actor=aileen, walkthrough=walkthrough, name="Interview rooms")
    services.team_member_add(
        actor=aileen, walkthrough=walkthrough, role=TeamRole.MANAGER, user=fiona
    )
    services.team_member_add(actor=aileen, walkthrough=walkthrough, role=TeamRole.STAFF, user=tariq)
    for name in ("Jamie Wilson", "Margaret Lindsay"):
        person = _fife_person(fife, name)
        if person is not None:
            services.team_member_add(
                actor=aileen,
                walkthrough=walkthrough,
                role=TeamRole.EXPERT_BY_EXPERIENCE,
                person=person,
            )
            created += 1
    principles = {p.key: p for p in walkthrough.version.principles.all()}
    observations = [
        (
            "safety",
            waiting,
            ObservationKind.IMPROVE,
            "People can be overheard giving their "
            "name and reason for visiting at the reception desk.",
        ),
        (
            "safety",
            rooms,
            ObservationKind.STRENGTH,
            "Interview rooms have two doors and a window, so nobody feels shut in.",
        ),
        (
            "trust",
            entrance,
            ObservationKind.IMPROVE,
            "The signs tell people what they must not do before they say where to go.",
        ),
        (
            "choice",
            waiting,
            ObservationKind.IMPROVE,
            "There is one kind of seat and nowhere quieter to wait.",
        ),
        (
            "collaboration",
            rooms,
            ObservationKind.STRENGTH,
            "Workers sat beside people, not across a desk.",
        ),
        (
            "empowerment",
            waiting,
            ObservationKind.STRENGTH,
            "Leaflets about advocacy and peer support are easy to find.",
        ),
    ]
    made = {}
    for key, site, kind, words in observations:
        made[words] = services.observation_add(
            actor=aileen,
            walkthrough=walkthrough,
            principle=principles[key],
            site=site,
            kind=kind,
            text=words,
        )
    created += 4 + len(observations)
    services.action_create(
        actor=aileen,
        organisation=fife,
        title="Give reception a private space to say why you have come",
        source=ActionSource.WALKTHROUGH,
        plan=plan,
        observation=made[observations[0][3]],
        owner=aileen,
        due_on=today + datetime.timedelta(days=30),
    )
    services.action_create(
        actor=aileen,
        organisation=fife,
        title="Replace the entrance signs with ones that welcome people first",
        source=ActionSource.WALKTHROUGH,
        plan=plan,
        observation=made[observations[2][3]],
        owner=tariq,
        due_on=today + datetime.timedelta(days=14),
    )
    created += 2

    # One from a "you said, we did" response.
    from powershare.accountability.models import Response

    response = Response.objects.filter(organisation=fife).order_by("pk").first()
    if response is not None:
        services.action_create(
            actor=fiona,
            organisation=fife,
            title="Check every standard letter with the lived experience panel",
            source=ActionSource.RESPONSE,
            plan=plan,
            response=response,
            source_note="Our response promised to look again at how letters are written.",
            owner=callum,
            due_on=today + datetime.timedelta(days=60),
        )
        created += 1
    return created


# The first meeting's actions: (title, owner organisation, owner, due in days after the meeting,
# what happened: None (still open), ("between", days after the meeting) or "at-second")
FIRST_ACTIONS = [
    (
        "Send comments on the draft work plan and update your own actions",
        SG,
        "All partners",
        14,
        "at-second",
    ),
    (
        "Arrange a conversation about linking with engagement work already funded",
        SG,
        "Programme lead",
        30,
        ("between", 21),
    ),
    (
        "Check the learning materials for where trauma content is thin",
        "Community Justice Scotland",
        "Learning and development lead",
        42,
        None,
    ),
    (
        "Share what implementation support is already on offer to councils",
        "Improvement Service",
        "Improvement adviser",
        28,
        "at-second",
    ),
    ("Add a short section on how social work meets other services", SG, "Policy officer", 35, None),
    (
        "Explore more trauma content in practice educator courses",
        "Social Work Education Partnership",
        "Partnership manager",
        56,
        None,
    ),
    (
        "Find out what care-experienced young people have already said on this",
        "Who Cares? Scotland",
        "Participation worker",
        21,
        "at-second",
    ),
]

SECOND_ACTIONS = [
    ("Bring a first draft of the leaders' briefing to the next meeting", SG, "Programme lead", 21),
    (
        "Circulate the list of councils asking for implementation support",
        "Improvement Service",
        "Improvement adviser",
        10,
    ),
    (
        "Propose how people with lived experience join this group as members",
        "Who Cares? Scotland",
        "Participation worker",
        28,
    ),
    (
        "Report on placements for students with lived experience of care",
        "Scottish Social Services Council",
        "Education adviser",
        42,
    ),
]

PARTNER_UPDATES = {
    "Care Inspectorate": "Looking at its own inspection processes through a trauma lens.",
    "Community Justice Scotland": "Reviewing its justice learning materials.",
    "Improvement Service": "Drafting an improvement framework for councils; comments welcome.",
    "NHS Education for Scotland": "New short animations are due in the spring.",
    "Social Work Education Partnership": "Early talks about practice educator training.",
    "Who Cares? Scotland": "Holds a lot of what young people have told it; happy to share.",
}


def _load_partnership(today: datetime.date) -> int:
    sg = Organisation.objects.filter(name=SG).first()
    heather = User.objects.filter(email="heather.lindsay@sg.example").first()
    if sg is None or heather is None:
        return 0
    if PartnershipGroup.objects.filter(organisation=sg, name=GROUP_NAME).exists():
        return 0
    created = 0
    members = {}
    group = services.group_create(
        actor=heather,
        organisation=sg,
        name=GROUP_NAME,
        purpose="Partners bring their own part of the programme's work plan, say how it is "
        "going, and hold each other to the actions agreed.",
    )
    created += 1
    for name, short_name, kind in PARTNERS:
        organisation, made = _org(name, short_name, kind)
        created += made
        if organisation.pk == sg.pk:
            members[name] = group.members.get(organisation=sg)
            continue
        members[name] = services.member_add(
            actor=heather,
            group=group,
            organisation=organisation,
            representatives="Nominated lead for the programme",
            joined_on=today - datetime.timedelta(days=200),
        )
        created += 1
    orgs = {name: m.organisation for name, m in members.items()}

    def attendance(meeting, apologies):
        services.attendance_record(
            actor=heather,
            meeting=meeting,
            rows=[
                {
                    "member": member,
                    "status": AttendanceStatus.APOLOGIES
                    if name in apologies
                    else AttendanceStatus.PRESENT,
                }
                for name, member in members.items()
            ],
        )

    first = services.meeting_create(
        actor=heather,
        group=group,
        met_on=today - datetime.timedelta(days=70),
        format=MeetingFormat.ONLINE,
        chair="Programme lead, Scottish Government",
        purpose="Partners report on their parts of the work plan and agree how to work together.",
    )
    attendance(
        first,
        {"Scottish Social Services Council", "Higher Education Institutions Heads of Social Work"},
    )
    for title, notes in [
        ("Welcome, introductions and apologies", "Two apologies were noted."),
        (
            "Update from the programme team",
            "New staff are in post; the learning materials are going through endorsement.",
        ),
        (
            "Co-designing with people with lived experience",
            "Several funded projects involve "
            "people with lived experience; the team will look for links so nobody is asked the "
            "same questions twice.",
        ),
        ("Updates from partners", "Each partner spoke about their own actions."),
    ]:
        services.agenda_item_add(actor=heather, meeting=first, title=title, notes=notes)
    for name, words in PARTNER_UPDATES.items():
        services.partner_update_record(
            actor=heather, meeting=first, member=members[name], text=words
        )
    services.decision_add(
        actor=heather,
        meeting=first,
        text="The work plan's context section will say plainly that this builds on existing work.",
    )
    services.decision_add(
        actor=heather, meeting=first, text="The group will meet every two months, online."
    )
    first_actions = []
    for title, owner, owner_name, due_after, _outcome in FIRST_ACTIONS:
        first_actions.append(
            services.meeting_action_add(
                actor=heather,
                meeting=first,
                title=title,
                owner_organisation=orgs[owner],
                owner_name=owner_name,
                due_on=first.met_on + datetime.timedelta(days=due_after),
            )
        )
    services.meeting_update(
        actor=heather,
        meeting=first,
        met_on=first.met_on,
        format=first.format,
        place=first.place,
        chair=first.chair,
        purpose=first.purpose,
        minutes="The group's third meeting. Partners welcomed the programme's progress and "
        "asked that its communications be clear it builds on work already under way. "
        "Workforce pressures were noted by several partners.",
    )
    created += 1 + 4 + len(PARTNER_UPDATES) + 2 + len(first_actions)

    # Between the meetings, one action was finished.
    for action, (*_, outcome) in zip(first_actions, FIRST_ACTIONS, strict=True):
        if isinstance(outcome, tuple):
            services.action_progress_record(
                actor=heather,
                action=action,
                note="Met on Teams; three links agreed and written into the work plan.",
                status=ActionStatus.DONE,
                written_on=first.met_on + datetime.timedelta(days=outcome[1]),
            )
            created += 1

    second = services.meeting_create(
        actor=heather,
        group=group,
        met_on=today - datetime.timedelta(days=14),
        format=MeetingFormat.HYBRID,
        place="Victoria Quay, Edinburgh, and online",
        chair="Programme lead, Scottish Government",
        purpose="Matters arising, partner updates and the leaders' briefing.",
    )
    attendance(
        second,
        {
            "Convention of Scottish Local Authorities",
            "NHS Education for Scotland",
            "Social Work Scotland Learning and Development Sub-group",
        },
    )
    services.minutes_agree(actor=heather, meeting=first, agreed_on=second.met_on)
    for title, notes in [
        ("Minutes of the last meeting and matters arising", "The minutes were agreed."),
        (
            "A briefing for chief social work officers",
            "Partners want something short that leaders can use with their own teams.",
        ),
        ("Updates from partners", "Shorter updates this time; written ones to follow."),
    ]:
        services.agenda_item_add(actor=heather, meeting=second, title=title, notes=notes)
    for action, (*_, outcome) in zip(first_actions, FIRST_ACTIONS, strict=True):
        if outcome == "at-second":
            services.arising_progress_record(
                actor=heather,
                meeting=second,
                action=action,
                note="Reported done at the meeting.",
                status=ActionStatus.DONE,
            )
            created += 1
        elif outcome is None:
            services.arising_progress_record(
                actor=heather,
                meeting=second,
                action=action,
                note="Under way; carried forward.",
                status=ActionStatus.IN_PROGRESS,
            )
            created += 1
    services.decision_add(
        actor=heather,
        meeting=second,
        text="A two-page briefing for leaders will be drafted by the programme team.",
    )
    for title, owner, owner_name, due_after in SECOND_ACTIONS:
        services.meeting_action_add(
            actor=heather,
            meeting=second,
            title=title,
            owner_organisation=orgs[owner],
            owner_name=owner_name,
            due_on=second.met_on + datetime.timedelta(days=due_after),
        )
    created += 1 + 3 + 1 + len(SECOND_ACTIONS)

    third = services.meeting_create(
        actor=heather,
        group=group,
        met_on=today + datetime.timedelta(days=28),
        format=MeetingFormat.ONLINE,
        chair="Programme lead, Scottish Government",
        purpose="The leaders' briefing, and lived experience membership of the group.",
    )
    for title in (
        "Minutes of the last meeting and matters arising",
        "Draft leaders' briefing",
        "Lived experience membership of the group",
    ):
        services.agenda_item_add(actor=heather, meeting=third, title=title)
    created += 4

    # Learners' stated intentions from the programme's own evaluation become an action too.
    from powershare.evaluation.models import Question, QuestionPurpose

    question = (
        Question.objects.filter(questionnaire__organisation=sg, purpose=QuestionPurpose.NEXT_STEPS)
        .order_by("pk")
        .first()
    )
    if question is not None:
        services.action_create(
            actor=heather,
            organisation=sg,
            title="Offer a follow-up session on involving people in recruitment",
            source=ActionSource.LEARNING_INTENTIONS,
            question=question,
            source_note="Many learners said they would involve people with lived experience "
            "in interview panels next.",
            owner=heather,
            due_on=today + datetime.timedelta(days=40),
        )
        created += 1
    return created


def load(stdout=None) -> int:
    today = timezone.localdate()
    created = _load_fife(today) + _load_partnership(today)
    # The national team sees Fife's plan because Fife chose to share it.
    fife = Organisation.objects.filter(name=FIFE).first()
    national = Organisation.objects.filter(name="Improvement Service").first()
    fiona = User.objects.filter(email="fiona.grant@fife.example").first()
    plan = (
        selectors.plans_visible(user=fiona).filter(organisation=fife).order_by("pk").first()
        if fiona
        else None
    )
    if plan is not None and national is not None:
        from django.contrib.contenttypes.models import ContentType

        from powershare.accounts.models import Share
        from powershare.accounts.services import share_create

        shared = Share.objects.active().filter(
            content_type=ContentType.objects.get_for_model(plan),
            object_id=plan.pk,
            partner=national,
        )
        if not shared.exists():
            share_create(actor=fiona, record=plan, partner=national)
            created += 1
    if stdout is not None:
        stdout.write(f"Improvement: {created} new records.")
    return created

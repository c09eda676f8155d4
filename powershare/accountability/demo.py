"""Demo "you said, we did": responses to most of the demo activities that have finished, with
owners, due dates, progress and evidence; feedback letters sent on time for some activities and
late for others; activities overdue now, and some due in the next fortnight, so the dashboard
has something in every group; a youth group's replies to a letter that went round the loop
again; changes after feedback, told to people in batched updates; and Fife Council's public
page. Every word here is invented.

Loads after powershare.engagement.demo and works through the services a participation lead
would use, then moves dates into the past (letters, progress, changes) so the demo always looks
live: every date follows the day the demo is loaded.

Idempotent: an activity that already has a response or a letter is left alone, and so is an
organisation that already has a public page. Deterministic: contributions are shared among an
activity's responses by question, in the order they were recorded.
"""

import datetime

from django.utils import timezone

from powershare.accounts.models import Organisation, User
from powershare.engagement.models import Activity, Contribution
from powershare.engagement.services import activity_update

from . import selectors, services
from .models import (
    Decision,
    Delivery,
    FeedbackLetter,
    FeedbackRecipient,
    PublicPage,
    Response,
    ResponseChange,
    ResponseStatus,
)

#: No logins of its own: the demo staff and portal people come from the earlier modules.
LOGINS: list[dict] = []

FIFE = "Fife Council"
DUNDEE = "Dundee City Council"
RLP = "Resilience Learning Partnership"

STAFF = {
    "aileen": "aileen.murray@fife.example",
    "callum": "callum.reid@fife.example",
    "fiona": "fiona.grant@fife.example",
    "tariq": "tariq.hussain@fife.example",
    "priya": "priya.nair@dundee.example",
    "euan": "euan.macleod@dundee.example",
    "jean": "jean.baxter@dundee.example",
    "kofi": "kofi.mensah@dundee.example",
    "lorna": "lorna.kerr@rlp.example",
    "sam": "sam.docherty@rlp.example",
}

WILL_DO, DONE, WILL_NOT_DO, CONSIDERING = (
    Decision.WILL_DO,
    Decision.DONE,
    Decision.WILL_NOT_DO,
    Decision.CONSIDERING,
)
NOT_STARTED, IN_PROGRESS, COMPLETE, ON_HOLD = (
    ResponseStatus.NOT_STARTED,
    ResponseStatus.IN_PROGRESS,
    ResponseStatus.COMPLETE,
    ResponseStatus.ON_HOLD,
)

# What happens to each activity's loop:
# * "on_time" / "late": every contribution answered, the letter sent before / after the
#   promised date (`sent`: days from the promised date);
# * "replies": on time, then a youth group's replies to the letter are recorded, answered and
#   told in a second letter;
# * "ready": every contribution answered, the letter drafted but not sent;
# * "partial": only the questions with a response below are answered (the rest wait).
#
# Each response answers the contributions to its `question` (None: those to no question).
# `due` is days after the activity ended; `events` are (days after the activity ended, what
# happened, change): a progress note, moving the status or (with "decision") the decision.
# Events dated after the letter are changes people are told about in a batched update.
PLANS = [
    {
        "organisation": FIFE,
        "title": "Power sharing learning: co-design session 1 with adults",
        "loop": "on_time",
        "sent": -3,
        "responses": [
            {
                "question": 1,
                "decision": WILL_DO,
                "what": "The learning opens with what a real say looks like, in the words of the "
                "people in this session. Each leader taking it plans one decision they will "
                "share before it is made, not after.",
                "owner": "callum",
                "due": 60,
                "events": [
                    (
                        12,
                        "First draft of the opening section written with two panel members.",
                        IN_PROGRESS,
                    ),
                    (24, "Panel members read the draft and asked for shorter sentences. Done.", ""),
                ],
                "evidence": "Draft learning materials, section one.",
            },
            {
                "question": 2,
                "decision": WILL_DO,
                "what": 'A short "stop doing" list goes into the learning. It starts with '
                "deciding things before the meeting and only asking people to comment after.",
                "owner": "callum",
                "due": 75,
                "events": [
                    (20, "List drafted from the sticky notes and the session notes.", IN_PROGRESS),
                    (45, "The list is in the final version of the materials.", COMPLETE),
                ],
            },
            {
                "question": 3,
                "decision": DONE,
                "what": "Every group now agrees its own ground rules at the start. There is "
                "always a quiet room and a named person to talk to during and after.",
                "owner": "aileen",
                "status": COMPLETE,
                "evidence": "Ground rules sheet used at every session since.",
            },
            {
                "question": None,
                "decision": CONSIDERING,
                "what": "Paying people for the time they spend preparing, not only for the "
                "session itself. We will decide when next year's budget is set.",
                "owner": "fiona",
                "due": 90,
                "status": ON_HOLD,
                "events": [
                    (
                        60,
                        "Agreed in the budget meeting: preparation time will be paid.",
                        "decision:will_do",
                    ),
                    (60, "Payment forms updated to include preparation time.", IN_PROGRESS),
                ],
            },
        ],
    },
    {
        "organisation": FIFE,
        "title": "Power sharing learning: co-design session 2 with adults",
        "loop": "late",
        "sent": 9,
        "responses": [
            {
                "question": 1,
                "decision": WILL_DO,
                "what": "Each part of the learning ends with one thing to try on Monday morning, "
                "chosen by the people in this session.",
                "owner": "callum",
                "due": 50,
                "events": [
                    (15, "The Monday morning actions are written into each part.", IN_PROGRESS)
                ],
            },
            {
                "question": 2,
                "decision": WILL_DO,
                "what": "A list of words that shut people out, with plainer words to use "
                "instead, goes to every team and into the learning.",
                "owner": "aileen",
                "due": 40,
                "events": [
                    (20, "List agreed with the panel.", IN_PROGRESS),
                    (
                        45,
                        "Sent to every team manager with a short note on why it matters.",
                        COMPLETE,
                    ),
                ],
            },
            {
                "question": 3,
                "decision": WILL_NOT_DO,
                "what": "We will keep recording the sessions in writing, as now.",
                "reason": "Some people asked for sessions to be filmed for leaders to watch. "
                "Others said they would not come if there was a camera, so we will not film "
                "them. Leaders will hear your words read out instead.",
                "owner": "aileen",
            },
            {
                "question": None,
                "decision": DONE,
                "what": "The outline of the learning was shared with everyone who came, and "
                "changed twice after your comments.",
                "owner": "callum",
                "status": COMPLETE,
            },
        ],
    },
    {
        "organisation": FIFE,
        "title": "Lived-experience panel: the letters we send",
        "loop": "replies",
        "sent": -4,
        "group": "margin notes on the sample letters",
        "replies": [
            "Thanks for changing the appointment letter. Could the reminder text come two days "
            "before, not the day before?",
            "We liked the new first line. Please keep the phone number at the top where we can "
            "see it.",
        ],
        "reply_response": {
            "decision": WILL_DO,
            "what": "Reminder texts will go two days before an appointment, and the phone "
            "number stays at the top of every letter.",
            "owner": "tariq",
            "due": 95,
        },
        "responses": [
            {
                "question": 1,
                "decision": WILL_DO,
                "what": "All five letters will say in the first line why you are getting it, "
                "then who to call and what happens next.",
                "owner": "tariq",
                "due": 85,
                "events": [
                    (
                        14,
                        "Two of the five letters rewritten and checked by the panel.",
                        IN_PROGRESS,
                    ),
                    (40, "Three letters now in use; the last two are with the printers.", ""),
                ],
            },
            {
                "question": 2,
                "decision": DONE,
                "what": 'Phrases like "concerns have been raised" are gone from the letters. '
                "They now say plainly what someone is worried about and what we will do.",
                "owner": "aileen",
                "status": COMPLETE,
                "evidence": "The new letters, checked by the panel.",
            },
            {
                "question": None,
                "decision": WILL_DO,
                "what": "Letters will say how long you are likely to wait and who to call in the "
                "meantime.",
                "owner": "tariq",
                "due": 70,
                "events": [(65, "Waiting times added to the first-visit letter.", COMPLETE)],
            },
        ],
    },
    {
        "organisation": FIFE,
        "title": "Interview panel: senior practitioner, children and families",
        "loop": "partial",
        "responses": [
            {
                "question": 1,
                "decision": WILL_DO,
                "what": "What the panel looked for (honesty about what you don't know, "
                "listening more than talking) will be written into the scoring guide for the "
                "next interviews.",
                "owner": "aileen",
                "due": 40,
                "events": [(10, "Panel members' notes typed up for the scoring guide.", "")],
            },
        ],
    },
    {
        "organisation": FIFE,
        "title": "Walkthrough: the front door at the Glenrothes office",
        "loop": "partial",
        # The team promised to feed back within three weeks of the walkthrough.
        "feedback_days": 21,
        "responses": [
            {
                "question": 2,
                "decision": WILL_DO,
                "what": "Softer chairs, a water cooler and a board showing who is on duty today "
                "in the waiting area.",
                "owner": "tariq",
                "due": 40,
                "events": [(5, "Chairs ordered. Water cooler asked for.", IN_PROGRESS)],
            },
        ],
    },
    {
        "organisation": DUNDEE,
        "title": "Teaching session: lived experience and the first home visit (university)",
        "loop": "on_time",
        "sent": -1,
        "responses": [
            {
                "question": 1,
                "decision": DONE,
                "what": "The university added a session on the first visit, taught with people "
                "who have had one, to the second-year course.",
                "owner": "euan",
                "status": COMPLETE,
                "evidence": "Course outline for next year.",
            },
            {
                "question": 2,
                "decision": WILL_DO,
                "what": "Students will practise reading the person's own words back to them "
                "before anything goes in the notes.",
                "owner": "euan",
                "due": 90,
                "events": [
                    (30, "Role-play written with two of the speakers.", IN_PROGRESS),
                    (90, "Used with the new students this term.", COMPLETE),
                ],
            },
            {
                "question": None,
                "decision": WILL_NOT_DO,
                "what": "Speakers will still be given the questions in advance.",
                "reason": "Some students asked for speakers to take questions without warning. "
                "The speakers said they need time to choose what to share, so we will keep "
                "sending the questions beforehand.",
                "owner": "priya",
            },
        ],
    },
    {
        "organisation": DUNDEE,
        "title": "Power sharing learning: co-design with young people, session 1",
        "loop": "late",
        "sent": 12,
        "responses": [
            {
                "question": 1,
                "decision": WILL_DO,
                "what": "The young people's part of the learning starts with the times adults "
                "really listened, told by young people in their own words.",
                "owner": "euan",
                "due": 35,
                "events": [(20, "Stories chosen with the group.", IN_PROGRESS)],
            },
            {
                "question": 2,
                "decision": WILL_DO,
                "what": "Leaders taking the learning will be asked to share one real decision "
                "with a group of young people within three months.",
                "owner": "jean",
                "due": 120,
            },
            {
                "question": 3,
                "decision": DONE,
                "what": "Meetings about a young person now happen somewhere they choose, not "
                "only in the office, and they can bring someone with them.",
                "owner": "priya",
                "status": COMPLETE,
            },
            {
                "question": None,
                "decision": CONSIDERING,
                "what": "A short film made by young people for leaders. We are finding out "
                "what it would cost and who could help make it.",
                "owner": "euan",
                "due": 150,
                "status": ON_HOLD,
            },
        ],
    },
    {
        "organisation": DUNDEE,
        "title": "Focus group: waiting for a first visit",
        "loop": "ready",
        "opening": "Thank you for telling us what waiting for a first visit was like. Here is "
        "what we have changed, and what we are still working on.",
        "responses": [
            {
                "question": 1,
                "decision": WILL_DO,
                "what": "Everyone waiting for a first visit will get a call or text every two "
                "weeks, saying where they are in the queue.",
                "owner": "kofi",
                "due": 60,
                "events": [(30, "Duty team trialling fortnightly calls.", IN_PROGRESS)],
            },
            {
                "question": 2,
                "decision": WILL_DO,
                "what": "The first letter will give a named person and a phone number to call "
                "while you wait.",
                "owner": "priya",
                "due": 45,
                "events": [(40, "New letter in use.", COMPLETE)],
            },
            {
                "question": None,
                "decision": WILL_NOT_DO,
                "what": "We will keep one waiting list, in order of need.",
                "reason": "Some people asked for a separate, faster list for families with "
                "young children. We looked at it with the duty team, but it would make others "
                "wait longer who need help just as much.",
                "owner": "jean",
            },
        ],
    },
    {
        "organisation": DUNDEE,
        "title": "Power sharing learning: co-design with young people, session 2",
        "loop": "partial",
        "responses": [
            {
                "question": 2,
                "decision": WILL_DO,
                "what": "A list of words adults should never use about young people, made by "
                "the group, goes into the learning and to every team.",
                "owner": "priya",
                "due": 60,
                "events": [(20, "The group checked the list twice.", IN_PROGRESS)],
            },
        ],
    },
    {
        "organisation": RLP,
        "title": "Lived-experience forum: being believed",
        "loop": "on_time",
        "sent": -6,
        "responses": [
            {
                "question": 1,
                "decision": WILL_DO,
                "what": "The forum's message about being believed becomes a one-page guide for "
                "services, written by members.",
                "owner": "lorna",
                "due": 60,
                "events": [
                    (20, "Members wrote the first draft together.", IN_PROGRESS),
                    (100, "The guide is printed and has gone to twelve services.", COMPLETE),
                ],
                "evidence": "The printed guide.",
            },
            {
                "question": 2,
                "decision": WILL_DO,
                "what": "Members will take the message to team meetings in person, two at a "
                "time, with travel and time paid.",
                "owner": "sam",
                "due": 120,
                "events": [(50, "First two team meetings booked.", IN_PROGRESS)],
            },
            {
                "question": None,
                "decision": DONE,
                "what": "Everyone who came hears back within four weeks, even when the answer "
                "is no. This letter is the first.",
                "owner": "lorna",
                "status": COMPLETE,
            },
        ],
    },
    {
        "organisation": RLP,
        "title": "Training co-delivery: trauma-informed practice for newly qualified workers",
        "loop": "ready",
        "responses": [
            {
                "question": 1,
                "decision": WILL_DO,
                "what": "The day will use real (anonymised) letters and reports, with fewer "
                "slides.",
                "owner": "sam",
                "due": 35,
                "events": [(10, "Slides cut from forty to twelve.", IN_PROGRESS)],
            },
            {
                "question": 2,
                "decision": DONE,
                "what": "Trainers now get a check-in call the day after every session, and "
                "are paid for preparation.",
                "owner": "lorna",
                "status": COMPLETE,
            },
            {
                "question": None,
                "decision": CONSIDERING,
                "what": "Running the day twice a year instead of once. We will decide with the "
                "trainers.",
                "owner": "lorna",
                "due": 60,
            },
        ],
    },
]

PUBLIC_INTRODUCTION = (
    "People who use our services tell us what needs to change. This page shows what they said, "
    "with their agreement, and what we did about it, including what we decided not to do and "
    "why. It is updated every time we send feedback to the people who took part."
)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(moment, timezone.now())


def _clamp(day: datetime.date, earliest: datetime.date, latest: datetime.date) -> datetime.date:
    return max(earliest, min(day, latest))


def _share_out(activity: Activity, plan: dict) -> list[list[Contribution]]:
    """Each response's contributions: those to its question, in the order recorded; with
    every contribution answered, the rest go to the response for no question (or the last)."""
    specs = plan["responses"]
    by_question: dict = {}
    for index, spec in enumerate(specs):
        by_question.setdefault(spec["question"], []).append(index)
    answer_all = plan["loop"] != "partial"
    shares: list[list[Contribution]] = [[] for _ in specs]
    turn: dict = {}
    live = Contribution.objects.filter(
        activity=activity, withdrawn_at__isnull=True, purged_at__isnull=True
    ).select_related("question")
    for contribution in live.order_by("pk"):
        position = contribution.question.position if contribution.question else None
        choices = by_question.get(position)
        if choices is None:
            if not answer_all:
                continue
            choices = by_question.get(None) or [len(specs) - 1]
        n = turn.get(tuple(choices), 0)
        turn[tuple(choices)] = n + 1
        shares[choices[n % len(choices)]].append(contribution)
    return shares


def _response_create(activity, spec, contributions, *, actor, staff, today) -> Response:
    ended = activity.ends_on
    response = services.response_create(
        actor=actor,
        activity=activity,
        contributions=contributions,
        decision=spec["decision"],
        what_will_change=spec["what"],
        reason=spec.get("reason", ""),
        owner=staff[spec["owner"]],
        due_on=ended + datetime.timedelta(days=spec["due"]) if "due" in spec else None,
        status=spec.get("status", NOT_STARTED),
        evidence=spec.get("evidence", ""),
    )
    written = _at(_clamp(ended + datetime.timedelta(days=3), ended, today))
    Response.objects.filter(pk=response.pk).update(created_at=written, updated_at=written)
    return response


def _event_apply(response, event, *, actor, day) -> None:
    """A progress note (and a change of status or decision), dated `day`. After the response
    was reported back, the service records the change; it is dated `day` too."""
    _, text, change = event
    before = set(ResponseChange.objects.filter(response=response).values_list("pk", flat=True))
    status = ""
    if change.startswith("decision:"):
        services.response_update(actor=actor, response=response, decision=change.split(":")[1])
    else:
        status = change
    services.response_progress_add(
        actor=actor, response=response, text=text, happened_on=day, status=status
    )
    made = ResponseChange.objects.filter(response=response).exclude(pk__in=before)
    made.update(changed_at=_at(day, hour=14))


def _letter_send(activity, *, actor, day, posted=True) -> FeedbackLetter:
    """Send the activity's letter through the service, then date it `day`: emails count as
    gone that day (so nothing is emailed now) and printed letters as posted the day after."""
    letter = services.letter_draft_start(actor=actor, activity=activity)
    services.letter_send(actor=actor, letter=letter)
    sent_at = _at(day)
    FeedbackLetter.objects.filter(pk=letter.pk).update(sent_on=day, sent_at=sent_at)
    recipients = FeedbackRecipient.objects.filter(letter=letter)
    recipients.update(sent_on=day)
    recipients.filter(delivery=Delivery.EMAIL).update(emailed_at=sent_at)
    if posted:
        recipients.filter(delivery=Delivery.POST).update(posted_on=day + datetime.timedelta(days=1))
    # About half of the people with a portal have opened it there.
    readers = recipients.filter(person__user__isnull=False).order_by("pk")
    for index, recipient in enumerate(readers):
        if index % 2 == 0:
            recipient.read_at = _at(day + datetime.timedelta(days=2), hour=19)
            recipient.save(update_fields=["read_at"])
    letter.refresh_from_db()
    return letter


def _replies_record(activity, plan, letter, *, actor, staff, today) -> int:
    """The youth group's replies, passed on by the partner ten days after the letter, and the
    response to them."""
    day = _clamp(letter.sent_on + datetime.timedelta(days=10), letter.sent_on, today)
    replies = services.group_replies_record(
        actor=actor, letter=letter, group_label=plan["group"], replies=plan["replies"]
    )
    Contribution.objects.filter(pk__in=[r.pk for r in replies]).update(captured_on=day)
    _response_create(
        activity, plan["reply_response"], replies, actor=actor, staff=staff, today=today
    )
    return len(replies) + 1


def _plan_load(plan, activity, *, staff, today) -> tuple[int, list]:
    """Responses, progress and letters for one activity. Returns (records created, events
    still to apply after every letter has gone: (day, response, event, actor))."""
    actor = activity.created_by
    created = 0
    if plan.get("feedback_days"):
        activity = activity_update(
            actor=actor,
            activity=activity,
            feedback_due_on=activity.ends_on + datetime.timedelta(days=plan["feedback_days"]),
        )
    shares = _share_out(activity, plan)
    letter_day = None
    if plan["loop"] in ("on_time", "late", "replies"):
        letter_day = _clamp(
            activity.feedback_due_on + datetime.timedelta(days=plan["sent"]),
            activity.ends_on,
            today - datetime.timedelta(days=1),
        )
    later = []
    for spec, contributions in zip(plan["responses"], shares, strict=True):
        if not contributions:
            continue
        response = _response_create(
            activity, spec, contributions, actor=actor, staff=staff, today=today
        )
        created += 1
        for event in spec.get("events", []):
            day = activity.ends_on + datetime.timedelta(days=event[0])
            if day > today:
                continue
            owner = staff[spec["owner"]]
            who = (
                owner
                if not event[2].startswith("decision:")
                and selectors.response_may_add_progress(user=owner, response=response)
                else actor
            )
            if letter_day is None or day < letter_day:
                _event_apply(response, event, actor=who, day=day)
                created += 1
            else:
                later.append((day, response, event, who))
    if letter_day is not None:
        letter = _letter_send(activity, actor=actor, day=letter_day)
        created += 1 + letter.recipients.count()
        if plan["loop"] == "replies":
            created += _replies_record(
                activity, plan, letter, actor=actor, staff=staff, today=today
            )
            second_day = _clamp(
                letter_day + datetime.timedelta(days=24),
                letter_day,
                today - datetime.timedelta(days=1),
            )
            second = _letter_send(activity, actor=actor, day=second_day, posted=False)
            created += 1 + second.recipients.count()
    elif plan["loop"] == "ready":
        letter = services.letter_draft_start(actor=actor, activity=activity)
        if plan.get("opening"):
            services.letter_update(
                actor=actor,
                letter=letter,
                subject=letter.subject,
                opening=plan["opening"],
                closing=letter.closing,
            )
        created += 1
    return created, later


def _changes_tell(later: list, *, today) -> int:
    """Apply the events after each letter, oldest first; people hear about each day's changes
    in one update the next morning."""
    created = 0
    by_day: dict[datetime.date, list] = {}
    for day, response, event, actor in sorted(later, key=lambda item: (item[0], item[1].pk)):
        by_day.setdefault(day, []).append((response, event, actor))
    for day, items in sorted(by_day.items()):
        for response, event, actor in items:
            _event_apply(response, event, actor=actor, day=day)
            created += 1
        notices = services.changes_announce(now=_at(day + datetime.timedelta(days=1), hour=8))
        created += len(notices)
    return created


def _public_page(organisations, staff) -> int:
    """Fife Council (the most loops closed in the demo) publishes its page."""
    closed = {}
    for name, organisation in organisations.items():
        activities = selectors.with_loop_status(
            Activity.objects.filter(organisation=organisation)
        ).filter(loop_state="closed")
        closed[name] = activities.count()
    if not closed or not max(closed.values()):
        return 0
    name = max(sorted(closed), key=lambda n: closed[n])
    organisation = organisations[name]
    if PublicPage.objects.filter(organisation=organisation).exists():
        return 0
    actor = {FIFE: "aileen", DUNDEE: "priya", RLP: "lorna"}[name]
    services.public_page_update(
        actor=staff[actor],
        organisation=organisation,
        is_published=True,
        introduction=PUBLIC_INTRODUCTION,
    )
    return 1


def load(stdout=None) -> int:
    names = {FIFE, DUNDEE, RLP}
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=names)}
    staff = {key: User.objects.filter(email=email).first() for key, email in STAFF.items()}
    if set(organisations) != names or not all(staff.values()):
        return 0
    today = timezone.localdate()
    created = 0
    later = []
    for plan in PLANS:
        activity = (
            Activity.objects.filter(
                organisation=organisations[plan["organisation"]],
                title=plan["title"],
                cancelled_at__isnull=True,
                ends_on__lt=today,
            )
            .select_related("created_by")
            .first()
        )
        if activity is None or activity.created_by is None:
            continue
        if Response.objects.filter(activity=activity).exists():
            continue
        if FeedbackLetter.objects.filter(activity=activity).exists():
            continue
        made, events = _plan_load(plan, activity, staff=staff, today=today)
        created += made
        later += events
    created += _changes_tell(later, today=today)
    created += _public_page(organisations, staff)
    if stdout is not None and created:
        stdout.write(f"Accountability: {created} new records.")
    return created

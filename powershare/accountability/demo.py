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
organisation that already has a public page. Deterministic: each response answers the
contributions whose words it is about, in the order they were recorded.
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
    LetterStatus,
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
#: The person with a portal login whose latest letter is left unread.
PORTAL_PERSON = "Jamie Wilson"

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
# * "replies": sent (on time or late), then a youth group's replies to the letter are recorded, answered and
#   told in a second letter;
# * "ready": every contribution answered, the letter drafted but not sent;
# * "partial": only the contributions a response below is about are answered (the rest wait).
#
# Each response answers the contributions whose words contain one of its `about` phrases
# (lower case), whatever question they were given to, so a response is only linked to what
# it really answers; a contribution may be answered by more than one response. A response
# with `about` None answers whatever no other response did (loops answered in full only).
# `due` is days after the activity ended, always after the letter that promises it; `events`
# are (days after the activity ended, what happened, change[, new words]): a progress note,
# moving the status or (with "decision:...") the decision, with the new `what_will_change`.
# Events dated after the letter are changes people are told about in a batched update.
PLANS = [
    {
        "organisation": FIFE,
        "title": "Power sharing learning: co-design session 1 with adults",
        "loop": "on_time",
        "sent": -3,
        "responses": [
            {
                "about": (
                    "having a say means",
                    "change the agenda",
                    "ready to hear no",
                    "first time a manager asked",
                    "budget is set",
                ),
                "decision": WILL_DO,
                "what": "The learning opens with what a real say looks like, in the words of the "
                "people in this session. Each leader taking it plans one decision they will "
                "share before it is made, not after, and at least one of them is about money.",
                "owner": "callum",
                "due": 60,
                "events": [
                    (
                        12,
                        "First draft of the opening section written with two panel members.",
                        IN_PROGRESS,
                    ),
                    (40, "Panel members read the draft and asked for shorter sentences.", ""),
                ],
                "evidence": "Draft learning materials, section one.",
            },
            {
                "about": (
                    "decided already",
                    "sign off something",
                    "same three of us",
                    "name went on the report",
                    "decisions had been made before",
                ),
                "decision": WILL_DO,
                "what": 'A short "stop doing" list goes into the learning. It starts with '
                "deciding things before the meeting, asking the same few people every time, "
                "and putting names on reports that did not use their words.",
                "owner": "callum",
                "due": 75,
                "events": [
                    (20, "List drafted from the sticky notes and the session notes.", IN_PROGRESS),
                    (45, "The list is in the final version of the materials.", COMPLETE),
                ],
            },
            {
                "about": (
                    "ground rules",
                    "quiet room",
                    "say 'pass'",
                    "nobody called afterwards",
                    "check-in call",
                    "who to speak to afterwards",
                    "leaves the room",
                ),
                "decision": DONE,
                "what": "Every group now agrees its own ground rules at the start, including "
                "what stays in the room. There is always a quiet room, you can say 'pass' at "
                "any time, and a named worker calls everyone the day after.",
                "owner": "aileen",
                "status": COMPLETE,
                "evidence": "Ground rules sheet used at every session since.",
            },
            {
                "about": (
                    "where they would like to meet",
                    "community café",
                    "bus route",
                    "case conference",
                    "room tells you",
                    "community centre",
                ),
                "decision": WILL_DO,
                "what": "We will ask where you would like to meet before booking anywhere, and "
                "choose places near a bus route, never the rooms used for case conferences.",
                "owner": "aileen",
                "due": 50,
                "events": [(35, "Three community venues near bus routes booked.", IN_PROGRESS)],
            },
            {
                "about": (
                    "own account",
                    "file always seems to win",
                    "leave things out",
                ),
                "decision": CONSIDERING,
                "what": "Letting people add their own account to their records, next to the "
                "worker's. We are checking with the records team what the system can do, and "
                "will tell you what we decide.",
                "owner": "fiona",
                "due": 90,
                "status": ON_HOLD,
                "events": [
                    (
                        60,
                        "Agreed with the records team: people can add their own account.",
                        "decision:will_do",
                        "You will be able to add your own account to your records, next to the "
                        "worker's. The records team are building it now.",
                    ),
                    (60, "Records team started on the change.", IN_PROGRESS),
                ],
            },
            {
                "about": ("believe me", "believed me", "being believed", "three different workers"),
                "decision": WILL_DO,
                "what": "Being believed gets its own part in the learning, told in your words: "
                "the years of not being believed, and the one worker who did believe you.",
                "owner": "callum",
                "due": 70,
            },
            {
                "about": ("papers a week before", "vote on the final version", "co-chair"),
                "decision": WILL_DO,
                "what": "Papers go out a week before every meeting, a panel member co-chairs "
                "with a worker, and the panel votes on the final version of the learning.",
                "owner": "aileen",
                "due": 45,
                "events": [(30, "Papers for the next meeting sent a week early.", IN_PROGRESS)],
            },
            {
                "about": None,
                "decision": DONE,
                "what": "Everything said at the session was typed up word for word, without "
                "names, and read by the team writing the learning.",
                "owner": "callum",
                "status": COMPLETE,
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
                "about": (
                    "first time a manager asked",
                    "budget is set",
                    "papers a week before",
                    "co-chair",
                ),
                "decision": WILL_DO,
                "what": "Each part of the learning ends with one thing to try on Monday morning, "
                "chosen by you: sending papers a week before, sharing the chair, and bringing "
                "people in before the budget is set.",
                "owner": "callum",
                "due": 50,
                "events": [
                    (15, "The Monday morning actions are written into each part.", IN_PROGRESS)
                ],
            },
            {
                "about": (
                    "legal notice",
                    "concerns have been raised",
                    "plain-words summary",
                    "test every standard letter",
                    "first line of a letter",
                    "name spelled wrong",
                    "your own family",
                ),
                "decision": WILL_DO,
                "what": "A list of words that shut people out, with plainer words to use "
                "instead, goes to every team and into the learning.",
                "owner": "aileen",
                "due": 42,
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
                "about": ("vote on the final version",),
                "decision": WILL_NOT_DO,
                "what": "The panel will see every draft, and we will write down what we "
                "changed after each of its comments, or why we did not.",
                "reason": "You asked for the panel to vote on the final version. The council's "
                "learning board signs off all staff training, so we cannot hand that vote "
                "over. We can make sure none of your comments is quietly dropped.",
                "owner": "aileen",
            },
            {
                "about": (
                    "ground rules",
                    "check-in call",
                    "nobody called afterwards",
                    "who to speak to afterwards",
                    "someone they trust",
                    "say 'pass'",
                    "checked in at the break",
                    "without warning",
                    "leaves the room",
                    "safe enough to be honest",
                ),
                "decision": DONE,
                "what": "Every group now agrees its own ground rules, including what stays in "
                "the room. You can bring someone you trust and say 'pass' at any time, and a "
                "named worker calls everyone the day after.",
                "owner": "aileen",
                "status": COMPLETE,
            },
            {
                "about": (
                    "reflective writing",
                    "ten minutes at the end",
                    "one honest conversation",
                    "used for good",
                ),
                "decision": DONE,
                "what": "What you said about teaching (proper time, honest conversations "
                "instead of slides, a part in marking) went to the university team who run "
                "the social work course. They have written back to the panel.",
                "owner": "callum",
                "status": COMPLETE,
            },
            {
                "about": None,
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
        "loop": "on_time",
        "sent": -4,
        "responses": [
            {
                "about": (
                    "first line of a letter",
                    "did not understand what it was for",
                    "jargon",
                    "legal notice",
                    "plain-words summary",
                    "your own family",
                    "test every standard letter",
                ),
                "decision": WILL_DO,
                "what": "All five letters will say in the first line why you are getting it, "
                "then who to call and what happens next, in plain words with no initials.",
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
                "about": ("concerns have been raised", "name spelled wrong"),
                "decision": DONE,
                "what": 'Phrases like "concerns have been raised" are gone from the letters. '
                "They now say plainly what someone is worried about, and a second person "
                "checks names and dates before any letter goes out.",
                "owner": "aileen",
                "status": COMPLETE,
                "evidence": "The new letters, checked by the panel.",
            },
            {
                "about": (
                    "waiting is easier",
                    "four months",
                    "fallen apart",
                    "six weeks",
                    "forgotten or are in trouble",
                    "friday afternoon",
                ),
                "decision": WILL_DO,
                "what": "Letters will say how long you are likely to wait and who to call in the "
                "meantime, and worrying letters will not be posted on a Friday.",
                "owner": "tariq",
                "due": 70,
                "events": [(65, "Waiting times added to the first-visit letter.", COMPLETE)],
            },
            {
                "about": ("other languages", "read it out to her"),
                "decision": CONSIDERING,
                "what": "Every letter in easy read and in other languages, without you having "
                "to ask. We are working out the cost with the translation service.",
                "owner": "tariq",
                "due": 80,
            },
            {
                "about": None,
                "decision": DONE,
                "what": "The panel's notes on each sample letter went, word for word, to the "
                "team rewriting them.",
                "owner": "tariq",
                "status": COMPLETE,
            },
        ],
    },
    {
        "organisation": FIFE,
        "title": "Interview panel: senior practitioner, children and families",
        "loop": "partial",
        "responses": [
            {
                # Overdue on purpose (no letter has promised it yet): the reminder demo.
                "about": (
                    "admitted what they did not know",
                    "listens more than they talk",
                    "curious about you",
                    "families as partners",
                ),
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
                "about": ("signs should say", "rules off the wall", "quiet room"),
                "decision": WILL_DO,
                "what": "New signs in everyday words instead of team names, a welcome in place "
                "of the list of rules, and a quiet room off the waiting area.",
                "owner": "tariq",
                "due": 40,
                "events": [(5, "Signs ordered. Rules taken down.", IN_PROGRESS)],
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
                "about": (
                    "first weeks",
                    "after i spoke to the students",
                    "one honest conversation",
                    "other side of the desk",
                    "used for good",
                ),
                "decision": DONE,
                "what": "The university added a session on the first visit, taught with people "
                "who have had one, to the first weeks of the second-year course.",
                "owner": "euan",
                "status": COMPLETE,
                "evidence": "Course outline for next year.",
            },
            {
                "about": (
                    "own words back",
                    "own account",
                    "leave things out",
                    "believe",
                    "let down before",
                ),
                "decision": WILL_DO,
                "what": "Students will practise reading the person's own words back to them "
                "before anything goes in the notes, and learn why people hold things back "
                "until they feel safe.",
                "owner": "euan",
                "due": 90,
                "events": [
                    (30, "Role-play written with two of the speakers.", IN_PROGRESS),
                    (90, "Used with the new students this term.", COMPLETE),
                ],
            },
            {
                "about": ("reflective writing",),
                "decision": WILL_NOT_DO,
                "what": "Marking stays with university staff. Speakers will be invited, and "
                "paid, to read some of the writing and talk it over with the students.",
                "reason": "You asked to help mark the students' reflective writing. The "
                "university's rules say only its own staff can mark work that counts towards "
                "the degree, so we cannot do this.",
                "owner": "priya",
            },
            {
                "about": ("hardest story for free", "ten minutes at the end", "hard on the "),
                "decision": WILL_DO,
                "what": "Speakers will be paid, given a full hour early in the day, offered a "
                "call the day after, and told what the students learned.",
                "owner": "priya",
                "due": 60,
                "events": [(40, "Payment and the call the day after agreed.", IN_PROGRESS)],
            },
            {
                "about": (
                    "story again",
                    "start from the beginning",
                    "old and new worker",
                    "real letters and reports",
                    "pair each new worker",
                ),
                "decision": WILL_DO,
                "what": "Students will rewrite real letters and reports (details changed), and "
                "practise a handover visit where the old and new worker go together.",
                "owner": "euan",
                "due": 100,
            },
            {
                "about": None,
                "decision": DONE,
                "what": "The speakers' words were shared with the course team, without names, "
                "to plan next year's teaching.",
                "owner": "euan",
                "status": COMPLETE,
            },
        ],
    },
    {
        "organisation": DUNDEE,
        "title": "Power sharing learning: co-design with young people, session 1",
        "loop": "replies",
        "sent": 12,
        # The group's own label, from the engagement demo: the partner passed the letter on.
        "group": "young people, school session 1",
        "replies": [
            "Thanks for letting us choose where to meet. Could the games part be longer, and "
            "could we have it after school instead of in class time?",
            "We liked hearing that you might make a film. We want to be in it and help make "
            "it, not just watch it.",
        ],
        "reply_response": {
            "decision": WILL_DO,
            "what": "Sessions will be after school, with a longer part for games, and young "
            "people from the group will help plan and make the film if it goes ahead.",
            "owner": "euan",
            "due": 110,
        },
        "responses": [
            {
                "about": (
                    "youth worker explained",
                    "checked in at the break",
                    "believed me",
                    "believe me about",
                    "being believed",
                    "three different workers",
                    "community centre felt relaxed",
                ),
                "decision": WILL_DO,
                "what": "The young people's part of the learning starts with the times adults "
                "really listened, told by young people in their own words.",
                "owner": "euan",
                "due": 60,
                "events": [(20, "Stories chosen with the group.", IN_PROGRESS)],
            },
            {
                "about": (
                    "what they can and can't change",
                    "things that affect us",
                    "sign off something",
                    "vote on the final version",
                    "talk over us",
                ),
                "decision": WILL_DO,
                "what": "Leaders taking the learning will say first what they can and can't "
                "change, and share one real decision with a group of young people within three "
                "months.",
                "owner": "jean",
                "due": 120,
            },
            {
                "about": (
                    "community café",
                    "bus route",
                    "glass screens",
                    "bad memories",
                    "quiet room",
                    "turned back at the door",
                    "say 'pass'",
                    "like i wasn't there",
                    "taxis up front",
                ),
                "decision": DONE,
                "what": "Meetings about a young person now happen somewhere they choose, with "
                "any taxi paid up front. They can bring someone with them, say 'pass', or step "
                "out to a quiet room.",
                "owner": "priya",
                "status": COMPLETE,
            },
            {
                "about": ("games and sticky notes", "run part of the session"),
                "decision": DONE,
                "what": "Sessions with young people now use games and sticky notes, and young "
                "people run part of each one.",
                "owner": "euan",
                "status": COMPLETE,
            },
            {
                "about": ("own account", "own words back", "let down before"),
                "decision": WILL_DO,
                "what": "The learning will ask workers to read young people's own words back "
                "to them, and never to write up testing as lying.",
                "owner": "jean",
                "due": 90,
            },
            {
                "about": ("short video",),
                "decision": CONSIDERING,
                "what": "A short film made by young people about what changed. We are finding "
                "out what it would cost and who could help make it.",
                "owner": "euan",
                "due": 150,
                "status": ON_HOLD,
            },
            {
                "about": None,
                "decision": DONE,
                "what": "Everything the group said was written up, without names, for the team "
                "writing the learning.",
                "owner": "euan",
                "status": COMPLETE,
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
                "about": (
                    "where i am in the queue",
                    "silence while you wait",
                    "forgotten or are in trouble",
                    "phoned every monday",
                    "drop off the list",
                    "fallen apart",
                    "six weeks",
                ),
                "decision": WILL_DO,
                "what": "Everyone waiting for a first visit will get a call or text every two "
                "weeks, saying where they are in the queue and how to ask to be seen sooner if "
                "things get worse.",
                "owner": "kofi",
                "due": 60,
                "events": [(30, "Duty team trialling fortnightly calls.", IN_PROGRESS)],
            },
            {
                "about": (
                    "who to call in the meantime",
                    "friday afternoon",
                    "plain-words summary",
                    "your own family",
                ),
                "decision": WILL_DO,
                "what": "The first letter will give a plain summary at the top, a named person "
                "and a phone number to call while you wait, and will not be posted on a Friday.",
                "owner": "priya",
                "due": 45,
                "events": [(40, "New letter in use.", COMPLETE)],
            },
            {
                "about": ("other languages", "translator"),
                "decision": WILL_DO,
                "what": "The first letter will come in easy read and in other languages without "
                "you having to ask.",
                "owner": "jean",
                "due": 75,
            },
            {
                "about": None,
                "decision": DONE,
                "what": "What you told us was shared, without names, with the duty team.",
                "owner": "kofi",
                "status": COMPLETE,
            },
        ],
    },
    {
        "organisation": DUNDEE,
        "title": "Power sharing learning: co-design with young people, session 2",
        "loop": "partial",
        "responses": [
            {
                "about": ("concerns have been raised",),
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
                "about": (
                    "believe",
                    "own words back",
                    "file always seems to win",
                    "leave things out",
                    "three different workers",
                    "own account",
                    "i was a child",
                ),
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
                "about": ("same three of us",),
                "decision": WILL_DO,
                "what": "Members will take the message to team meetings in person, two at a "
                "time, with travel and time paid, and different members each time.",
                "owner": "sam",
                "due": 120,
                "events": [(50, "First two team meetings booked.", IN_PROGRESS)],
            },
            {
                "about": (
                    "hear back",
                    "hearing back",
                    "never heard anything",
                    "here is why",
                    "what happened next",
                    "disappear",
                    "two years later",
                    "you said, we did",
                    "card saying",
                    "name went on the report",
                ),
                "decision": DONE,
                "what": "Everyone who came hears back within four weeks, even when the answer "
                "is no. This letter is the first.",
                "owner": "lorna",
                "status": COMPLETE,
            },
            {
                "about": ("invite people back",),
                "decision": WILL_DO,
                "what": "Everyone who came will be invited back six months after this letter, "
                "to see what has changed.",
                "owner": "sam",
                "due": 200,
            },
            {
                "about": (
                    "decisions had been made before",
                    "sign off something",
                    "having a say",
                    "change the agenda",
                    "decided already",
                    "ready to hear no",
                    "first time a manager asked",
                    "papers a week before",
                    "co-chair",
                ),
                "decision": WILL_DO,
                "what": "From the next forum, a member co-chairs with a worker, papers go out a "
                "week before, and members set part of the agenda.",
                "owner": "sam",
                "due": 90,
                "events": [(70, "A member co-chaired the forum for the first time.", COMPLETE)],
            },
            {
                "about": None,
                "decision": DONE,
                "what": "Your words were kept, without names, for the guide and the team meetings.",
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
                "about": (
                    "slides",
                    "real letters and reports",
                    "listen before",
                    "other side of the desk",
                    "after i spoke to the students",
                ),
                "decision": WILL_DO,
                "what": "The day will use real (anonymised) letters and reports, with fewer "
                "slides, and start with listening before the law.",
                "owner": "sam",
                "due": 45,
                "events": [(10, "Slides cut from forty to twelve.", IN_PROGRESS)],
            },
            {
                "about": (
                    "check-in call",
                    "nobody called afterwards",
                    "who to speak to afterwards",
                    "checks in afterwards",
                    "paid me",
                    "paying people",
                    "without warning",
                    "checked in at the break",
                ),
                "decision": DONE,
                "what": "Trainers now get a check-in call the day after every session, know who "
                "to speak to on the day, and are paid for preparation.",
                "owner": "lorna",
                "status": COMPLETE,
            },
            {
                "about": ("affects benefits", "pay travel on the day"),
                "decision": WILL_DO,
                "what": "Before you agree to take part, you will get a note on how payment could "
                "affect your benefits, and travel will be paid on the day.",
                "owner": "lorna",
                "due": 50,
            },
            {
                "about": ("someone they trust", "say 'pass'", "safe enough"),
                "decision": DONE,
                "what": "Trainers can bring someone they trust to every session, and say 'pass' "
                "on any question without explaining.",
                "owner": "sam",
                "status": COMPLETE,
            },
            {
                "about": ("reflective writing",),
                "decision": WILL_NOT_DO,
                "what": "Trainers will read some of the workers' writing and talk it over with "
                "them, paid for their time.",
                "reason": "You asked for trainers to help mark the workers' reflective writing. "
                "Each worker's employer marks it under its own rules, so we cannot add our "
                "trainers to the marking.",
                "owner": "lorna",
            },
            {
                "about": None,
                "decision": DONE,
                "what": "The trainers' notes from the day were shared, without names, with the "
                "team planning the next one.",
                "owner": "lorna",
                "status": COMPLETE,
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
    """Each response's contributions: those whose words contain one of its `about` phrases, in
    the order recorded. In a loop answered in full, the response with `about` None takes the
    contributions nothing else answers."""
    specs = plan["responses"]
    answer_all = plan["loop"] != "partial"
    shares: list[list[Contribution]] = [[] for _ in specs]
    rest = next((i for i, spec in enumerate(specs) if spec["about"] is None), None)
    live = Contribution.objects.filter(
        activity=activity, withdrawn_at__isnull=True, purged_at__isnull=True
    )
    for contribution in live.order_by("pk"):
        text = contribution.text.lower()
        matched = [
            index
            for index, spec in enumerate(specs)
            if spec["about"] and any(phrase in text for phrase in spec["about"])
        ]
        if not matched and answer_all and rest is not None:
            matched = [rest]
        for index in matched:
            shares[index].append(contribution)
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
    """A progress note (and a change of status, or of decision with the new words about what
    will change), dated `day`. After the response was reported back, the service records the
    change; it is dated `day` too."""
    _, text, change, *words = event
    before = set(ResponseChange.objects.filter(response=response).values_list("pk", flat=True))
    status = ""
    if change.startswith("decision:"):
        fields = {"decision": change.split(":")[1]}
        if words:
            fields["what_will_change"] = words[0]
        services.response_update(actor=actor, response=response, **fields)
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


def _portal_reads(*, today) -> None:
    """Jamie Wilson (the demo's portal login) has read every letter but the latest, so the
    portal shows one letter as new and the home page says so."""
    recipients = list(
        FeedbackRecipient.objects.filter(
            person__full_name=PORTAL_PERSON, letter__status=LetterStatus.SENT
        ).order_by("sent_on", "pk")
    )
    for recipient in recipients[:-1]:
        if recipient.read_at is None:
            day = _clamp(recipient.sent_on + datetime.timedelta(days=2), recipient.sent_on, today)
            recipient.read_at = _at(day, hour=19)
            recipient.save(update_fields=["read_at"])
    if recipients and recipients[-1].read_at is not None:
        recipients[-1].read_at = None
        recipients[-1].save(update_fields=["read_at"])


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
    if created:
        _portal_reads(today=today)
    created += _public_page(organisations, staff)
    if stdout is not None and created:
        stdout.write(f"Accountability: {created} new records.")
    return created

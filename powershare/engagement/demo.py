"""Demo engagement: activities on the ladders of participation, invitations from the demo
registers, and about 300 contributions at mixed use levels. Every title, venue and word here
is invented.

Loads after powershare.people.demo and uses its people and logins: Jamie Wilson (Fife) and
Ayesha Khan (Dundee) each have an invitation waiting for their answer, an activity coming up,
a finished one where they can say how much say they had, and contributions of their own.

Idempotent: an activity that already exists (same organisation and title) is left alone with
everything under it. Deterministic: each activity has its own seeded random generator, so the
same people say the same things on every machine (dates follow the day the demo is loaded).
"""

import datetime
import random

from django.utils import timezone

from powershare.accounts.models import Organisation, User
from powershare.people.models import ConsentMethod, ConsentPurpose, ConsentRecord, Person
from powershare.people.selectors import may_we

from . import selectors, services
from .models import (
    Activity,
    ActivityKind,
    ActivitySetting,
    Contribution,
    ContributionKind,
    Invitation,
    InvitationStatus,
    Ladder,
    UseLevel,
)

#: No logins of its own: the demo people's portal logins come from powershare.people.demo.
LOGINS: list[dict] = []

FIFE = "Fife Council"
DUNDEE = "Dundee City Council"
RLP = "Resilience Learning Partnership"
CYCJ = "Children and Young People's Centre for Justice"

STAFF = {
    "aileen": "aileen.murray@fife.example",
    "callum": "callum.reid@fife.example",
    "priya": "priya.nair@dundee.example",
    "euan": "euan.macleod@dundee.example",
    "lorna": "lorna.kerr@rlp.example",
}

#: People who agreed to be quoted with their name but were never asked about quotes inside the
#: organisation. Each use level needs its own agreement, so the demo records that one too (as a
#: participation lead would at the start of the co-design work).
EXTRA_CONSENTS = [
    (FIFE, "Archie Henderson", ConsentPurpose.QUOTE_INTERNAL, "aileen"),
    (DUNDEE, "Patricia Flynn", ConsentPurpose.QUOTE_INTERNAL, "priya"),
    (RLP, "Morven Ross", ConsentPurpose.QUOTE_INTERNAL, "lorna"),
    (RLP, "Fiona Wallace", ConsentPurpose.QUOTE_INTERNAL, "lorna"),
]

# ---------------------------------------------------------------------------------------------
# What people said: short statements by theme and kind, combined with a seeded random so three
# hundred contributions read differently.

BANK = {
    "say": {
        "view": [
            "Having a say means being there before the decision is made, not after it has been "
            "written up.",
            "It only feels like power sharing if we can change the agenda, not just comment on it.",
            "People with lived experience should be in the room when the budget is set, not just "
            "when the leaflet is designed.",
        ],
        "idea": [
            "Give the panel a vote on the final version, not just a chance to comment.",
            "Let one of us co-chair the meetings, sharing the job with a worker.",
            "Send the papers a week before so we can think and talk to others first.",
        ],
        "concern": [
            "I worry this gets written up as co-produced when most of it was decided already.",
            "If the same three of us are always asked, it is not really everyone's voice.",
        ],
        "experience": [
            "At my own review the decisions had been made before I walked in; I was only told "
            "the outcome.",
            "The first time a manager asked what I would change and then changed it, I came back "
            "the next month.",
            "I have sat on groups where my name went on the report but nobody used what I said.",
        ],
        "quote": [
            "Don't ask me to sign off something I never got to shape.",
            "Sharing power means being ready to hear no.",
        ],
    },
    "believed": {
        "view": [
            "Being believed the first time you say something should not depend on who is on duty.",
            "Workers need to understand that people leave things out until they feel safe.",
            "When your file says one thing and you say another, the file always seems to win.",
        ],
        "idea": [
            "Read the person's own words back to them before anything goes in the file.",
            "Let people add their own account to their records, next to the worker's.",
        ],
        "concern": [
            "Young people who have been let down before may test you; that should not be "
            "written up as lying.",
            "If you need three professionals to back you up before anyone listens, a lot of "
            "people just stop talking.",
        ],
        "experience": [
            "I told three different workers the same thing before anyone wrote it down.",
            "It took a year for someone to believe me about what was happening at home.",
            "One worker said she believed me, and it changed how I spoke to everyone after that.",
        ],
        "quote": [
            "Believe me first, check later.",
            "I was a child; I shouldn't have had to prove it.",
        ],
    },
    "waiting": {
        "view": [
            "Waiting is easier if you know how long it will be and who to call in the meantime.",
            "Six weeks feels like nothing to a team and like forever to a family in crisis.",
        ],
        "idea": [
            "Send a short text every fortnight while someone is waiting, even with no news.",
            "Give everyone on the waiting list a named person to phone.",
            "Put the expected waiting time on the first letter.",
        ],
        "concern": [
            "People give up and drop off the list, and then it looks like they did not need help.",
            "Waiting with no word makes you think you have been forgotten or are in trouble.",
        ],
        "experience": [
            "I waited four months for a first visit and nobody rang once in that time.",
            "By the time someone came out, the thing I needed help with had already fallen apart.",
            "I phoned every Monday to check I was still on the list.",
        ],
        "quote": [
            "Silence while you wait feels like a no.",
            "Just tell me where I am in the queue.",
        ],
    },
    "letters": {
        "view": [
            "Letters should read like a person wrote them to you, not like a legal notice.",
            "The first line of a letter should say why you are getting it.",
            "Phrases like 'concerns have been raised' frighten people before they have read the "
            "rest.",
        ],
        "idea": [
            "Test every standard letter with people who have received one.",
            "Put a plain-words summary in a box at the top of each letter.",
            "Offer letters in other languages and in easy read without people having to ask.",
        ],
        "concern": [
            "Letters that arrive on a Friday afternoon leave people worrying all weekend with "
            "nobody to call.",
            "Some letters still use initials and jargon that nobody outside the office "
            "understands.",
        ],
        "experience": [
            "I got a letter about a meeting about my own children and did not understand what it "
            "was for.",
            "My mum could not read the letter, so I read it out to her, and it was about me.",
            "The letter had my name spelled wrong and somebody else's date of birth.",
        ],
        "quote": [
            "Write to me the way you'd want someone to write to your own family.",
            "A letter shouldn't need a translator when it's in English.",
        ],
    },
    "places": {
        "view": [
            "Meeting somewhere ordinary, like a community café, makes it easier to talk.",
            "Offices with glass screens and buzzers make you feel like you are the problem.",
            "Being near a bus route matters more than having a nice room.",
        ],
        "idea": [
            "Ask people where they would like to meet before booking the room.",
            "Have a quiet room people can step into without having to explain why.",
            "Pay for taxis up front instead of asking people to claim it back later.",
        ],
        "concern": [
            "Some venues are next to places people have bad memories of, like the court.",
            "Online-only sessions leave out people without data or a quiet space at home.",
        ],
        "experience": [
            "The first meeting was in the same room as my case conference years ago.",
            "I nearly turned back at the door because I could not see anyone I knew.",
            "The session in the community centre felt relaxed; there was tea and nobody rushed us.",
        ],
        "quote": [
            "The room tells you whether you're welcome before anyone speaks.",
        ],
    },
    "workers": {
        "view": [
            "Having the same worker for more than a few months makes all the difference.",
            "Every new worker means telling your story again from the start.",
        ],
        "idea": [
            "When a worker leaves, the old and new worker should visit together once.",
            "Let people say what they want a new worker to know before they meet.",
        ],
        "concern": [
            "Young people stop trusting anyone when workers keep changing.",
            "Handovers lose the small things that matter, like how someone likes to be spoken to.",
        ],
        "experience": [
            "I had seven social workers in two years and only met three of them.",
            "My worker remembered my dog's name; it sounds small, but it meant she listened.",
            "Nobody told me my worker had left until I phoned and asked for her.",
        ],
        "quote": [
            "I shouldn't have to start from the beginning every time someone leaves.",
            "The relationship is the service.",
        ],
    },
    "training": {
        "view": [
            "New social workers should hear from people with lived experience in their first "
            "weeks, not at the end.",
            "Students learn more from one honest conversation than from a slide about trauma.",
            "Training should cover how it feels to be on the other side of the desk.",
        ],
        "idea": [
            "Pair each new worker with someone with lived experience for a conversation every "
            "few months.",
            "Use real letters and reports, with details changed, and ask students to rewrite them.",
            "Have people with lived experience help to mark the students' reflective writing.",
        ],
        "concern": [
            "People get asked to tell their hardest story for free and never hear what the "
            "students learned.",
            "Training about trauma can be hard on the trainers if nobody checks in afterwards.",
        ],
        "experience": [
            "After I spoke to the students, one came up and said she would change how she starts "
            "home visits.",
            "Teaching the class felt like my story was being used for good for the first time.",
            "I was asked to speak for ten minutes at the end of a long day, and half the room had "
            "gone.",
        ],
        "quote": [
            "Teach them to listen before you teach them the law.",
            "The best training I ever saw had no slides at all.",
        ],
    },
    "safety": {
        "view": [
            "It feels safe when you can say 'pass' and nobody asks why.",
            "Knowing who to speak to afterwards makes it easier to take part in the first place.",
        ],
        "idea": [
            "Agree ground rules together at the start and put them on the wall.",
            "Offer a check-in call the day after every session.",
            "Let people bring someone they trust along.",
        ],
        "concern": [
            "Some topics come up without warning, and people are left carrying them home.",
            "I worry about what happens to what we say once it leaves the room.",
        ],
        "experience": [
            "The facilitator noticed I had gone quiet and checked in at the break, which helped.",
            "I left one session shaken and nobody called afterwards.",
        ],
        "quote": [
            "Safe enough to be honest is the whole point.",
        ],
    },
    "feedback": {
        "view": [
            "Hearing back is the part that makes it worth taking part.",
            "Even 'we could not do this, and here is why' is better than silence.",
        ],
        "idea": [
            "Send a 'you said, we did' update to everyone who took part, on the date promised.",
            "Invite people back a few months later to see what changed.",
        ],
        "concern": [
            "If we never hear back, people will stop coming.",
            "Reports come out two years later and nobody tells us.",
        ],
        "experience": [
            "I gave my views to three consultations and never heard anything about any of them.",
            "Getting a card saying what had changed because of our group was the best part.",
        ],
        "quote": [
            "Tell us what happened next, even if nothing did.",
            "Don't take our words and disappear.",
        ],
    },
    "money": {
        "view": [
            "Paying people for their time shows their expertise is valued like anyone else's.",
            "Vouchers feel like a thank-you for a child, not payment for work.",
        ],
        "idea": [
            "Tell people how payment affects benefits before they agree, not after.",
            "Pay travel on the day, or by bank transfer within a week.",
        ],
        "concern": [
            "Some people can't take part because being paid might affect their benefits.",
            "Waiting weeks to be paid back for travel is hard when you have no money to start "
            "with.",
        ],
        "experience": [
            "I had to borrow the bus fare to get to the session and waited a month for it back.",
            "It was the first time anyone paid me for knowing what I know.",
        ],
        "quote": [
            "Our time is worth the same as yours.",
        ],
    },
    "young": {
        "view": [
            "Adults should explain what they can and can't change before asking us anything.",
            "Sessions in school time mean missing class, so they need to be worth it.",
            "We want to be asked about things that affect us, not just the colour of the leaflet.",
        ],
        "idea": [
            "Use games and sticky notes instead of sitting round a table with adults.",
            "Let young people run part of the session ourselves.",
            "Make a short video about what changed and send it to everyone who came.",
        ],
        "concern": [
            "Some young people don't want their carers or teachers to know what they said.",
            "Adults talk over us when they get excited about their own ideas.",
        ],
        "experience": [
            "At my last review everyone talked about me like I wasn't there.",
            "I liked that we got to pick the snacks and the music.",
            "A youth worker explained everything beforehand, so I wasn't nervous.",
        ],
        "quote": [
            "Ask us, then actually listen.",
            "We're the experts on being us.",
        ],
    },
    "front_door": {
        "view": [
            "Reception is the first thing people see, and it sets the tone for everything after.",
            "Signs should say where to go in words people use, not team names.",
        ],
        "idea": [
            "Put water and a phone charger in the waiting area.",
            "Have a named person meet people at the door for planned visits.",
            "Take the list of rules off the wall and put up a welcome instead.",
        ],
        "concern": [
            "The waiting area can be seen from the street, so anyone passing can see you.",
            "The buzzer and the screen make it feel like you are being checked for trouble.",
        ],
        "experience": [
            "I sat in reception for forty minutes and nobody told me why.",
            "The receptionist remembered me and asked how my week was, and I relaxed straight "
            "away.",
        ],
        "quote": [
            "Make the door feel like help, not a barrier.",
        ],
    },
    "recruitment": {
        "view": [
            "A good worker is curious about you as a person, not only about your case.",
            "The strongest answers came from candidates who admitted what they did not know.",
            "Candidates who spoke about families as partners stood out.",
        ],
        "idea": [
            "Keep a lived-experience question in every interview for this post.",
            "Give the panel time to agree scores together before the managers decide.",
        ],
        "concern": [
            "One candidate talked about 'cases' all the way through and never about people.",
            "If our scores are only noted and not counted, the panel is for show.",
        ],
        "experience": [
            "On the panel, I saw a candidate's face change when they realised I had used the "
            "service.",
            "Our scores were added to the managers' scores, and it felt like a real say.",
        ],
        "quote": [
            "Hire the person who listens more than they talk.",
        ],
    },
}

OPENERS = {
    "view": ["", "", "", "For me, ", "Honestly, ", "I think "],
    "idea": ["", "", "", "Idea: ", "Suggestion: ", "Could we try this? "],
    "concern": ["", "", "", "My worry: ", "A concern: "],
    "experience": ["", "", "", "From my own experience: ", "What happened to me: "],
    "quote": [""],
}

TAILS = [
    "That would make a big difference.",
    "Most people I know would say the same.",
    "It's a small thing but it matters.",
    "Others in the group agreed.",
    "Please don't lose this one.",
    "This came up more than once.",
    "It would cost very little.",
    "I'd like to hear back about this.",
]

KINDS = (
    [ContributionKind.VIEW] * 6
    + [ContributionKind.IDEA] * 5
    + [ContributionKind.CONCERN] * 3
    + [ContributionKind.EXPERIENCE] * 4
    + [ContributionKind.QUOTE] * 2
)


def _sentence_start(opener: str, sentence: str) -> str:
    keeps_capital = sentence.startswith(("I ", "I'"))
    if opener and not keeps_capital and not opener.endswith("? "):
        return opener + sentence[0].lower() + sentence[1:]
    return opener + sentence


def _compose(rng: random.Random, themes: list[str], kind: str) -> str:
    theme = rng.choice(themes)
    main = rng.choice(BANK[theme][kind])
    if main.startswith("I ") or main.startswith("I'"):
        opener = rng.choice([o for o in OPENERS[kind] if o != "I think "])
    else:
        opener = rng.choice(OPENERS[kind])
    parts = [_sentence_start(opener, main)]
    if kind == ContributionKind.QUOTE:
        return parts[0]
    if rng.random() < 0.45:
        other_kind = rng.choice(["view", "experience", "idea"])
        other = rng.choice(BANK[rng.choice(themes)][other_kind])
        if other != main:
            parts.append(other)
    if rng.random() < 0.25:
        parts.append(rng.choice(TAILS))
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# The activities


def _lundy(space=None, voice=None, audience=None, influence=None, **notes) -> dict:
    values = {"space": space, "voice": voice, "audience": audience, "influence": influence}
    fields = {f"lundy_{key}": value for key, value in values.items()}
    fields.update({f"lundy_{key}": note for key, note in notes.items()})
    return fields


SUPPORT_ADULTS = {
    "support_before": "A call from a facilitator the week before to talk the session through "
    "and agree what helps you.",
    "support_during": "Two facilitators, one with lived experience; a quiet room; a break "
    "every hour; you can say 'pass' at any time.",
    "support_after": "A check-in call within two days, and the support contacts on your portal "
    "page if you want to talk more.",
}

SUPPORT_YOUNG = {
    "support_before": "A youth worker from the partner meets each young person beforehand to "
    "explain what will happen and answer questions.",
    "support_during": "The youth worker stays for the whole session; a chill-out space; "
    "nobody has to speak.",
    "support_after": "The youth worker checks in the next day; the young person's trusted "
    "adult is told the session has finished.",
}

SUPPORT_TEACHING = {
    "support_before": "A planning call with the lecturer to agree what you will and won't "
    "talk about.",
    "support_during": "The lecturer chairs questions; you can stop at any point.",
    "support_after": "A debrief with a facilitator straight afterwards, and a call a few days "
    "later.",
}

# Each activity: where and when (days from today, or a fixed day last year), the ladder and
# rung staff chose, who is invited, and how many contributions were captured afterwards.
# "pinned" fixes some people's answers so the portals of Jamie and Ayesha tell a story.
ACTIVITIES = [
    # --- Fife Council -------------------------------------------------------------------------
    {
        "organisation": FIFE,
        "actor": "callum",
        "title": "Power sharing learning: co-design session 1 with adults",
        "purpose": "Shape a learning product that helps social work leaders share power with "
        "people with lived experience: what it should cover and how it should feel.",
        "kind": ActivityKind.CO_DESIGN_WORKSHOP,
        "last_year": (10, 8),
        "times": "10am to 1pm",
        "venue": "Community centre, upstairs room, Kirkcaldy",
        "setting": ActivitySetting.COMMUNITY,
        "partners": [RLP],
        "ladder": "arnstein",
        "rung": 6,
        "content_notes": "We will talk about times people felt they had no say in decisions "
        "about their own lives, including care and child protection.",
        "support": SUPPORT_ADULTS,
        "payment_offered": "£25 an hour for your time; travel paid on the day",
        "lundy": _lundy(
            True,
            True,
            True,
            True,
            space_note="Community venue chosen by the group; quiet room next door.",
            voice_note="Sticky notes and pairs as well as the whole group.",
            audience_note="The learning lead and an RLP trainer took part throughout.",
            influence_note="The three main asks are the backbone of the draft learning product.",
        ),
        "questions": [
            ("What does having a real say look like to you?", ["say"]),
            ("What should leaders stop doing?", ["say", "believed"]),
            ("What would make it safe to speak up in a group like this?", ["safety", "places"]),
        ],
        "people": [
            "Jamie Wilson",
            "Margaret Lindsay",
            "Connor McBride",
            "Kirsty Buchanan",
            "Archie Henderson",
            "Ewan Scott",
            "Chloe Davidson",
            "Daniel Okafor",
            "Shona Paterson",
        ],
        "pinned": {
            "Jamie Wilson": {"status": "accepted", "attended": True, "felt": 6, "weight": 3},
            "Daniel Okafor": {
                "status": "accepted",
                "attended": True,
                "wellbeing": "Checked in by phone two days later. Said the session was tiring "
                "but worthwhile; no concerns.",
            },
            "Connor McBride": {"status": "left"},
        },
        "groups": [
            (
                "sticky notes from the wall, co-design session 1",
                "Fife Council participation team (group agreement signed on the day)",
                UseLevel.ANONYMISED,
                12,
            )
        ],
        "contributions": 32,
    },
    {
        "organisation": FIFE,
        "actor": "callum",
        "title": "Power sharing learning: co-design session 2 with adults",
        "purpose": "Turn what people told us in session 1 into the outline of the learning "
        "product, and decide together what stays in and what comes out.",
        "kind": ActivityKind.CO_DESIGN_WORKSHOP,
        "last_year": (11, 12),
        "times": "10am to 1pm",
        "venue": "Community centre, upstairs room, Kirkcaldy",
        "setting": ActivitySetting.COMMUNITY,
        "partners": [RLP],
        "ladder": "arnstein",
        "rung": 6,
        "content_notes": "We will look at the language used in letters and meetings, some of "
        "which people found upsetting.",
        "support": SUPPORT_ADULTS,
        "payment_offered": "£25 an hour for your time; travel paid on the day",
        "lundy": _lundy(
            True,
            True,
            True,
            None,
            space_note="Same venue as session 1, at the group's request.",
            voice_note="People chose which parts of the outline to work on.",
            audience_note="The head of service came for the last hour to listen.",
        ),
        "questions": [
            (
                "What should the learning ask leaders to do differently on Monday morning?",
                ["say", "training"],
            ),
            ("Which words in letters and meetings shut people out?", ["letters"]),
            ("What would make it safe to speak up in a group like this?", ["safety"]),
        ],
        "people": [
            "Jamie Wilson",
            "Margaret Lindsay",
            "Kirsty Buchanan",
            "Archie Henderson",
            "Ewan Scott",
            "Chloe Davidson",
            "Leah Robertson",
        ],
        "pinned": {"Jamie Wilson": {"status": "accepted", "attended": True, "weight": 2}},
        "groups": [
            (
                "table notes, co-design session 2",
                "Fife Council participation team (group agreement signed on the day)",
                UseLevel.ANONYMISED,
                10,
            )
        ],
        "contributions": 30,
    },
    {
        "organisation": FIFE,
        "actor": "aileen",
        "title": "Lived-experience panel: the letters we send",
        "purpose": "Rewrite the five letters families receive most often so they are clear, "
        "kind and say what happens next.",
        "kind": ActivityKind.PANEL,
        "days": -80,
        "times": "1pm to 3.30pm",
        "venue": "Council offices, Glenrothes: ground floor meeting room",
        "setting": ActivitySetting.OFFICE,
        "ladder": "arnstein",
        "rung": 5,
        "content_notes": "We will read real letters about child protection meetings and court, "
        "with every name and detail removed.",
        "support": SUPPORT_ADULTS,
        "payment_offered": "£25 an hour; travel and childcare paid",
        "lundy": _lundy(
            True,
            True,
            False,
            None,
            space_note="Ground floor room with a hearing loop.",
            voice_note="Letters sent a week ahead so people could mark them up at home.",
            audience_note="Managers were not there; the notes went to them afterwards.",
        ),
        "questions": [
            ("What should a letter from social work always tell you?", ["letters"]),
            ("How did the last letter you got make you feel?", ["letters", "waiting"]),
        ],
        "people": [
            "Jamie Wilson",
            "Margaret Lindsay",
            "Kirsty Buchanan",
            "Archie Henderson",
            "Ewan Scott",
            "Connor McBride",
            "Chloe Davidson",
        ],
        "pinned": {
            "Jamie Wilson": {"status": "accepted", "attended": True, "felt": 4, "weight": 3},
            "Margaret Lindsay": {
                "status": "accepted",
                "attended": True,
                "felt": 3,
                "wellbeing": "Said one of the letters brought back a hard time. Talked it "
                "through at the break and was happy to carry on; fine on the follow-up call.",
            },
        },
        "groups": [
            (
                "margin notes on the sample letters",
                "Fife Council participation team (panel agreement)",
                UseLevel.INTERNAL,
                8,
            )
        ],
        "contributions": 28,
    },
    {
        "organisation": FIFE,
        "actor": "aileen",
        "title": "Interview panel: senior practitioner, children and families",
        "purpose": "People with lived experience interview and score candidates alongside "
        "managers, with their scores counted in the decision.",
        "kind": ActivityKind.INTERVIEW_PANEL,
        "days": -45,
        "times": "9.30am to 4pm",
        "venue": "Council offices, Glenrothes: interview suite",
        "setting": ActivitySetting.OFFICE,
        "ladder": "arnstein",
        "rung": 6,
        "content_notes": "Candidates may describe child protection work and family court.",
        "support": SUPPORT_ADULTS,
        "payment_offered": "Full day rate (£150); lunch provided",
        "lundy": _lundy(
            True,
            True,
            True,
            True,
            influence_note="The panel's scores were a third of each candidate's total.",
        ),
        "questions": [
            ("What did you look for in a good answer?", ["recruitment"]),
            ("What should every candidate for this post be asked?", ["recruitment", "workers"]),
        ],
        "people": ["Kirsty Buchanan", "Archie Henderson", "Ewan Scott", "Margaret Lindsay"],
        "pinned": {},
        "contributions": 12,
    },
    {
        "organisation": FIFE,
        "actor": "aileen",
        "title": "Walkthrough: the front door at the Glenrothes office",
        "purpose": "Walk through the building as a visitor would and say what to change so "
        "people feel welcome from the moment they arrive.",
        "kind": ActivityKind.WALKTHROUGH,
        "days": -12,
        "times": "2pm to 4pm",
        "venue": "Council offices, Glenrothes: meet at the main entrance",
        "setting": ActivitySetting.OFFICE,
        "ladder": "arnstein",
        "rung": 4,
        "content_notes": "",
        "support": SUPPORT_ADULTS,
        "payment_offered": "£25 an hour; travel paid",
        "lundy": _lundy(
            True,
            True,
            True,
            None,
            audience_note="The building manager walked round with the group.",
        ),
        "questions": [
            ("What did you notice when you came in?", ["front_door", "places"]),
            ("What one change would make the waiting area feel welcoming?", ["front_door"]),
        ],
        "people": [
            "Jamie Wilson",
            "Margaret Lindsay",
            "Ewan Scott",
            "Connor McBride",
            "Archie Henderson",
        ],
        "pinned": {"Jamie Wilson": {"status": "accepted", "attended": True, "weight": 2}},
        "contributions": 20,
    },
    {
        "organisation": FIFE,
        "actor": "aileen",
        "title": "Reference group: trauma-informed practice plan",
        "purpose": "A group of people with lived experience who meet monthly to steer the "
        "council's plan for trauma-informed social work and check it is working.",
        "kind": ActivityKind.REFERENCE_GROUP,
        "this_year": ((1, 15), (12, 10)),
        "times": "First Tuesday of the month, 6pm to 7.30pm",
        "venue": "Community centre, Glenrothes",
        "setting": ActivitySetting.COMMUNITY,
        "ladder": "arnstein",
        "rung": 6,
        "content_notes": "Discussions can touch on trauma, care and contact with services.",
        "support": SUPPORT_ADULTS,
        "payment_offered": "£40 a meeting; travel paid",
        "lundy": {},
        "questions": [
            ("What should the plan change first?", ["waiting", "workers", "feedback"]),
            ("How will we know it is working?", ["feedback", "say"]),
        ],
        "people": ["Kirsty Buchanan", "Archie Henderson", "Jamie Wilson", "Margaret Lindsay"],
        "pinned": {
            "Jamie Wilson": {"status": "accepted", "attended": True, "weight": 1},
            "Kirsty Buchanan": {"status": "accepted", "attended": True},
            "Archie Henderson": {"status": "accepted", "attended": True},
        },
        "contributions": 18,
    },
    {
        "organisation": FIFE,
        "actor": "callum",
        "title": "Power sharing learning: trying out the draft materials",
        "purpose": "Try the draft learning product as if you were a leader taking it, and "
        "decide together what to change before it goes live.",
        "kind": ActivityKind.CO_DESIGN_WORKSHOP,
        "days": 16,
        "times": "10am to 2pm, lunch included",
        "venue": "Community centre, upstairs room, Kirkcaldy",
        "setting": ActivitySetting.COMMUNITY,
        "partners": [RLP],
        "ladder": "arnstein",
        "rung": 6,
        "content_notes": "The draft includes short stories about care, child protection and "
        "hospital stays.",
        "support": SUPPORT_ADULTS,
        "payment_offered": "£25 an hour for your time; travel paid on the day",
        "lundy": {},
        "questions": [
            ("Which parts of the draft would you change, and why?", ["say", "training"]),
            ("What does having a real say look like to you?", ["say"]),
        ],
        "people": [
            "Jamie Wilson",
            "Margaret Lindsay",
            "Connor McBride",
            "Kirsty Buchanan",
            "Chloe Davidson",
            "Daniel Okafor",
        ],
        "pinned": {
            "Jamie Wilson": {"status": "invited"},
            "Margaret Lindsay": {"status": "accepted"},
            "Chloe Davidson": {"status": "declined", "reason": "It's the day of my college exam."},
            "Daniel Okafor": {"status": "invited"},
        },
        "contributions": 0,
    },
    {
        "organisation": FIFE,
        "actor": "aileen",
        "title": "Lived-experience panel: support when you leave care",
        "purpose": "Tell us what good support looks like when you leave care, so we can "
        "change how throughcare and aftercare workers plan with young adults.",
        "kind": ActivityKind.PANEL,
        "days": 33,
        "times": "5pm to 7pm, food provided",
        "venue": "Youth and community hub, Dunfermline",
        "setting": ActivitySetting.COMMUNITY,
        "ladder": "arnstein",
        "rung": 5,
        "content_notes": "We will talk about leaving care, housing and money worries.",
        "support": SUPPORT_ADULTS,
        "payment_offered": "£25 an hour; travel paid",
        "lundy": {},
        "questions": [
            ("What should a letter from social work always tell you?", ["letters"]),
            ("Who helped most when you left care, and how?", ["workers"]),
        ],
        "people": ["Jamie Wilson", "Connor McBride", "Chloe Davidson", "Leah Robertson"],
        "pinned": {
            "Jamie Wilson": {"status": "accepted"},
            "Connor McBride": {"status": "accepted"},
        },
        "contributions": 0,
    },
    {
        "organisation": FIFE,
        "actor": "aileen",
        "title": "Focus group: evening session on waiting times",
        "purpose": "Hear from people who work in the day about waiting for a first visit.",
        "kind": ActivityKind.FOCUS_GROUP,
        "days": 9,
        "times": "6.30pm to 8pm",
        "venue": "Library meeting room, Kirkcaldy",
        "setting": ActivitySetting.COMMUNITY,
        "ladder": "arnstein",
        "rung": 4,
        "content_notes": "",
        "support": SUPPORT_ADULTS,
        "payment_offered": "£25 an hour",
        "lundy": {},
        "questions": [("How long did you wait for a first visit?", ["waiting"])],
        "people": ["Ewan Scott", "Margaret Lindsay"],
        "pinned": {},
        "contributions": 0,
        "cancelled": True,
    },
    # --- Dundee City Council ------------------------------------------------------------------
    {
        "organisation": DUNDEE,
        "actor": "euan",
        "title": "Power sharing learning: co-design with young people, session 1",
        "purpose": "Young people tell us what leaders need to understand about sharing "
        "decisions with them, for the power sharing learning product.",
        "kind": ActivityKind.CO_DESIGN_WORKSHOP,
        "last_year": (11, 20),
        "times": "1pm to 3pm",
        "venue": "A secondary school in Dundee: the library",
        "setting": ActivitySetting.SCHOOL,
        "partners": [CYCJ],
        "ladder": "hart",
        "rung": 6,
        "content_notes": "We will talk about times adults made decisions about young people's "
        "lives, including care and court.",
        "support": SUPPORT_YOUNG,
        "payment_offered": "A £20 high street voucher and lunch (the group's choice)",
        "lundy": _lundy(
            True,
            True,
            True,
            True,
            space_note="Young people chose the room, the snacks and the music.",
            voice_note="Games, drawings and sticky notes; nobody had to speak out loud.",
            audience_note="The learning lead stayed for the whole session.",
            influence_note="Their three headline asks are in the draft learning product.",
        ),
        "questions": [
            ("When have adults really listened to you?", ["young", "believed"]),
            (
                "What should leaders know about sharing decisions with young people?",
                ["young", "say"],
            ),
            ("What would make a meeting about you feel less scary?", ["young", "places", "safety"]),
        ],
        "people": ["Ayesha Khan", "Megan Reilly", "Kai Anderson"],
        "pinned": {
            "Ayesha Khan": {"status": "accepted", "attended": True, "felt": 4, "weight": 3},
            "Kai Anderson": {
                "status": "accepted",
                "attended": True,
                "felt": 6,
                "wellbeing": "The youth worker checked in the next day. He enjoyed it and "
                "wants to come to the next one.",
            },
            "Megan Reilly": {"status": "accepted", "attended": True, "felt": 5},
        },
        "groups": [
            (
                "young people, school session 1",
                "Children and Young People's Centre for Justice youth workers",
                UseLevel.ANONYMISED,
                18,
            )
        ],
        "contributions": 8,
    },
    {
        "organisation": DUNDEE,
        "actor": "euan",
        "title": "Power sharing learning: co-design with young people, session 2",
        "purpose": "Young people choose the stories, words and pictures for the young people's "
        "part of the learning product.",
        "kind": ActivityKind.CO_DESIGN_WORKSHOP,
        "days": -55,
        "times": "1pm to 3pm",
        "venue": "A secondary school in Dundee: the library",
        "setting": ActivitySetting.SCHOOL,
        "partners": [CYCJ],
        "ladder": "hart",
        "rung": 6,
        "content_notes": "Some of the stories mention care, court and being moved between "
        "placements.",
        "support": SUPPORT_YOUNG,
        "payment_offered": "A £20 high street voucher and lunch (the group's choice)",
        "lundy": _lundy(
            True,
            True,
            True,
            None,
            audience_note="Two managers joined for the last half hour to hear the choices.",
        ),
        "questions": [
            ("Which story should leaders hear first, and why?", ["young", "say"]),
            ("What words should adults never use about young people?", ["young", "letters"]),
        ],
        "people": ["Ayesha Khan", "Megan Reilly", "Kai Anderson"],
        "pinned": {
            "Ayesha Khan": {"status": "accepted", "attended": True, "weight": 3},
            "Kai Anderson": {"status": "accepted", "attended": True},
        },
        "groups": [
            (
                "young people, school session 2",
                "Children and Young People's Centre for Justice youth workers",
                UseLevel.INTERNAL,
                16,
            )
        ],
        "contributions": 8,
    },
    {
        "organisation": DUNDEE,
        "actor": "euan",
        "title": "Teaching session: lived experience and the first home visit (university)",
        "purpose": "Second-year social work students hear what a first home visit is like from "
        "the other side, and practise opening a conversation.",
        "kind": ActivityKind.TEACHING_SESSION,
        "last_year": (3, 5),
        "times": "10am to 12 noon",
        "venue": "University social work department, lecture room 2",
        "setting": ActivitySetting.OFFICE,
        "ladder": "arnstein",
        "rung": 6,
        "content_notes": "Speakers may describe child protection visits and removal of children.",
        "support": SUPPORT_TEACHING,
        "payment_offered": "£120 for the session, including preparation; travel paid",
        "lundy": {},
        "questions": [
            (
                "What do you want new social workers to understand about a first visit?",
                ["training", "believed"],
            ),
            ("What did a good worker do that others didn't?", ["workers", "training"]),
        ],
        "people": [
            "Stephen Duffy",
            "Grace Morrison",
            "Sophie Grant",
            "Patricia Flynn",
            "Eilidh Watt",
        ],
        "pinned": {},
        "groups": [
            (
                "speakers' planning notes, written together",
                "Dundee City Council learning team (speakers' agreement)",
                UseLevel.ANONYMISED,
                6,
            )
        ],
        "contributions": 22,
    },
    {
        "organisation": DUNDEE,
        "actor": "euan",
        "title": "Teaching session: letters, reports and records (university)",
        "purpose": "Students rewrite a real (anonymised) report with people who have read "
        "reports written about themselves.",
        "kind": ActivityKind.TEACHING_SESSION,
        "this_year": ((2, 18), (2, 18)),
        "times": "2pm to 4pm",
        "venue": "University social work department, seminar room 4",
        "setting": ActivitySetting.OFFICE,
        "ladder": "arnstein",
        "rung": 6,
        "content_notes": "The example report describes neglect and a parent's mental health.",
        "support": SUPPORT_TEACHING,
        "payment_offered": "£120 for the session, including preparation; travel paid",
        "lundy": {},
        "questions": [
            ("What should students never write about a family?", ["letters", "believed"]),
            ("What would you want a report about you to say first?", ["letters", "say"]),
        ],
        "people": ["Stephen Duffy", "Sophie Grant", "Patricia Flynn", "Grace Morrison"],
        "pinned": {
            "Stephen Duffy": {"status": "accepted", "attended": True},
            "Sophie Grant": {"status": "accepted", "attended": True},
            "Patricia Flynn": {"status": "accepted", "attended": True, "felt": 5},
            "Grace Morrison": {"status": "accepted", "attended": True},
        },
        "contributions": 20,
    },
    {
        "organisation": DUNDEE,
        "actor": "euan",
        "title": "Teaching session: working alongside families (university)",
        "purpose": "Final-year students hear how to plan with families rather than for them.",
        "kind": ActivityKind.TEACHING_SESSION,
        "days": 23,
        "times": "10am to 12 noon",
        "venue": "University social work department, lecture room 2",
        "setting": ActivitySetting.OFFICE,
        "ladder": "arnstein",
        "rung": 6,
        "content_notes": "Speakers may talk about family court and children being looked after.",
        "support": SUPPORT_TEACHING,
        "payment_offered": "£120 for the session, including preparation; travel paid",
        "lundy": {},
        "questions": [("What should students do differently at a family meeting?", ["training"])],
        "people": ["Stephen Duffy", "Grace Morrison", "Sophie Grant"],
        "pinned": {
            "Stephen Duffy": {"status": "accepted"},
            "Grace Morrison": {"status": "invited"},
            "Sophie Grant": {"status": "accepted"},
        },
        "contributions": 0,
    },
    {
        "organisation": DUNDEE,
        "actor": "priya",
        "title": "Focus group: waiting for a first visit",
        "purpose": "Find out what waiting is like and what would help, to change how the "
        "duty team keeps in touch with people on the waiting list.",
        "kind": ActivityKind.FOCUS_GROUP,
        "days": -120,
        "times": "11am to 1pm",
        "venue": "Recovery café back room, Dundee",
        "setting": ActivitySetting.COMMUNITY,
        "ladder": "arnstein",
        "rung": 4,
        "content_notes": "People may talk about crises while waiting for help.",
        "support": SUPPORT_ADULTS,
        "payment_offered": "£25 an hour; travel paid",
        "lundy": _lundy(
            True,
            True,
            False,
            False,
            audience_note="The duty manager was invited but could not come.",
            influence_note="Nothing has changed yet.",
        ),
        "questions": [
            ("How long did you wait, and what happened while you waited?", ["waiting"]),
            ("What would have helped while you waited?", ["waiting", "letters"]),
        ],
        "people": [
            "Stephen Duffy",
            "Grace Morrison",
            "Sophie Grant",
            "Eilidh Watt",
            "Liam Cairns",
            "Patricia Flynn",
        ],
        "pinned": {
            "Liam Cairns": {
                "status": "accepted",
                "attended": True,
                "felt": 3,
                "wellbeing": "Said the topic was close to home. Agreed a short check-in call the "
                "following week, which went well.",
            },
            "Stephen Duffy": {"status": "accepted", "attended": True, "felt": 3},
        },
        "contributions": 24,
    },
    {
        "organisation": DUNDEE,
        "actor": "priya",
        "title": "Young people's reference group: how we write to young people",
        "purpose": "Young people check the letters and texts we send them and tell us what to "
        "change.",
        "kind": ActivityKind.REFERENCE_GROUP,
        "days": 12,
        "times": "4pm to 5.30pm, pizza provided",
        "venue": "Young people's drop-in space, Dundee",
        "setting": ActivitySetting.COMMUNITY,
        "partners": [CYCJ],
        "ladder": "hart",
        "rung": 5,
        "content_notes": "",
        "support": SUPPORT_YOUNG,
        "payment_offered": "A £15 voucher and food",
        "lundy": {},
        "questions": [("What should a letter to a young person always say?", ["young", "letters"])],
        "people": ["Ayesha Khan", "Megan Reilly", "Kai Anderson"],
        "pinned": {
            "Ayesha Khan": {"status": "invited"},
            "Megan Reilly": {"status": "accepted"},
            "Kai Anderson": {"status": "invited"},
        },
        "contributions": 0,
    },
    {
        "organisation": DUNDEE,
        "actor": "euan",
        "title": "Power sharing learning: co-design with young people, session 3",
        "purpose": "Young people watch the rough cut of the learning film and decide what "
        "changes before leaders see it.",
        "kind": ActivityKind.CO_DESIGN_WORKSHOP,
        "days": 35,
        "times": "1pm to 3pm",
        "venue": "A secondary school in Dundee: the library",
        "setting": ActivitySetting.SCHOOL,
        "partners": [CYCJ],
        "ladder": "hart",
        "rung": 6,
        "content_notes": "The film includes young people talking about care and court.",
        "support": SUPPORT_YOUNG,
        "payment_offered": "A £20 high street voucher and lunch",
        "lundy": {},
        "questions": [("What should change in the film before leaders see it?", ["young"])],
        "people": ["Ayesha Khan", "Megan Reilly", "Kai Anderson"],
        "pinned": {
            "Ayesha Khan": {"status": "accepted"},
            "Megan Reilly": {"status": "accepted"},
            "Kai Anderson": {"status": "accepted"},
        },
        "contributions": 0,
    },
    # --- Resilience Learning Partnership ------------------------------------------------------
    {
        "organisation": RLP,
        "actor": "lorna",
        "title": "Lived-experience forum: being believed",
        "purpose": "Our members decide what services most need to hear about being believed, "
        "and how we take that message to them.",
        "kind": ActivityKind.LIVED_EXPERIENCE_FORUM,
        "last_year": (6, 11),
        "times": "11am to 3pm, lunch included",
        "venue": "RLP meeting room, Glasgow",
        "setting": ActivitySetting.COMMUNITY,
        "ladder": "arnstein",
        "rung": 7,
        "content_notes": "We will talk about not being believed about abuse and trauma.",
        "support": SUPPORT_ADULTS,
        "payment_offered": "Half-day rate (£75); travel paid",
        "lundy": _lundy(
            True,
            True,
            True,
            True,
            influence_note="Members chose the three messages and where to take them.",
        ),
        "questions": [
            ("What do services most need to hear about being believed?", ["believed"]),
            ("Who needs to hear it, and how should we tell them?", ["say", "feedback"]),
        ],
        "people": [
            "Sam Docherty",
            "Morven Ross",
            "Jordan Kelly",
            "Colin Fraser",
            "Aisha Begum",
            "Lucy Barr",
            "Zara Hussain",
            "Paul Quinn",
            "Fiona Wallace",
        ],
        "pinned": {
            "Aisha Begum": {
                "status": "accepted",
                "attended": True,
                "wellbeing": "Stepped out for a while in the second hour. Offered a call "
                "afterwards; she said she was fine and had support that week.",
            },
            "Morven Ross": {"status": "accepted", "attended": True, "felt": 7, "weight": 2},
            "Paul Quinn": {"status": "left"},
        },
        "groups": [
            (
                "flip chart notes, members' forum",
                "Resilience Learning Partnership (members' group agreement)",
                UseLevel.INTERNAL,
                10,
            )
        ],
        "contributions": 30,
    },
    {
        "organisation": RLP,
        "actor": "lorna",
        "title": "Training co-delivery: trauma-informed practice for newly qualified workers",
        "purpose": "Trainers with lived experience co-deliver a day on trauma-informed practice "
        "to social workers in their first year.",
        "kind": ActivityKind.TRAINING_CO_DELIVERY,
        "days": -30,
        "feedback_days": 42,
        "times": "9.30am to 4pm",
        "venue": "Online",
        "setting": ActivitySetting.ONLINE,
        "ladder": "arnstein",
        "rung": 7,
        "content_notes": "Trainers share parts of their own stories of trauma and recovery.",
        "support": SUPPORT_TEACHING,
        "payment_offered": "Full day rate (£150), including preparation time",
        "lundy": _lundy(
            True,
            True,
            True,
            None,
            voice_note="Trainers chose which parts of their story to share.",
        ),
        "questions": [
            ("What should newly qualified workers take away from today?", ["training", "safety"]),
            (
                "What support do trainers with lived experience need before and after?",
                ["safety", "money"],
            ),
        ],
        "people": ["Sam Docherty", "Jordan Kelly", "Colin Fraser", "Zara Hussain", "Lucy Barr"],
        "pinned": {
            "Jordan Kelly": {
                "status": "accepted",
                "attended": True,
                "felt": 6,
                "wellbeing": "Asked for the slides further in advance next time. No wellbeing "
                "concerns raised.",
            },
        },
        "groups": [
            (
                "trainers' debrief notes, written together",
                "Resilience Learning Partnership (trainers' agreement)",
                UseLevel.INTERNAL,
                8,
            )
        ],
        "contributions": 26,
    },
    {
        "organisation": RLP,
        "actor": "lorna",
        "title": "Teaching session: sharing power in practice (university, third-year students)",
        "purpose": "Third-year students plan a meeting with a family, with trainers with lived "
        "experience playing and then stepping out of the family's part.",
        "kind": ActivityKind.TEACHING_SESSION,
        "days": 40,
        "times": "1pm to 4pm",
        "venue": "University social work department, Glasgow",
        "setting": ActivitySetting.OFFICE,
        "ladder": "arnstein",
        "rung": 6,
        "content_notes": "The role play includes a child protection meeting.",
        "support": SUPPORT_TEACHING,
        "payment_offered": "£120 for the session, including preparation; travel paid",
        "lundy": {},
        "questions": [
            ("What should students notice about power in the room?", ["say", "training"])
        ],
        "people": ["Sam Docherty", "Colin Fraser", "Zara Hussain", "Morven Ross"],
        "pinned": {},
        "contributions": 0,
    },
]

# Contributions written out in full, for the stories the demo tells: a redaction asked for in
# the portal, one asked for by phone, and two withdrawals.
# (activity title, person, kind, question number or None, text, use level or None, what next)
STORIES = [
    (
        "Lived-experience panel: the letters we send",
        "Jamie Wilson",
        ContributionKind.EXPERIENCE,
        2,
        "When the letter came to my flat on Rosebank Road, my neighbour saw the council logo "
        "and asked me about it. Plain envelopes would help.",
        UseLevel.ANONYMISED,
        ("redact_by_person", "on Rosebank Road", "It says where I live."),
    ),
    (
        "Focus group: waiting for a first visit",
        "Stephen Duffy",
        ContributionKind.EXPERIENCE,
        1,
        "My worker at the time, Mr Gallacher, never returned my calls, so I stopped ringing.",
        UseLevel.ANONYMISED,
        (
            "redact_by_staff",
            "Mr Gallacher",
            "Asked by phone: he does not want the worker named.",
        ),
    ),
    (
        "Power sharing learning: co-design with young people, session 2",
        "Ayesha Khan",
        ContributionKind.EXPERIENCE,
        1,
        "I told the group about my gran's house and the day I moved there.",
        None,
        ("withdraw_by_person",),
    ),
    (
        "Lived-experience forum: being believed",
        "Morven Ross",
        ContributionKind.EXPERIENCE,
        1,
        "The story I told about my sister and what happened when we were young.",
        UseLevel.ANONYMISED,
        ("withdraw_by_staff",),
    ),
]

#: Something Jamie added in the portal after the walkthrough.
PORTAL_ADDITION = (
    "Walkthrough: the front door at the Glenrothes office",
    "Jamie Wilson",
    ContributionKind.IDEA,
    2,
    "I forgot to say on the day: the sign for the accessible toilet points the wrong way, and "
    "the baby changing room is locked unless you ask.",
)

#: The most contributions one person makes in one activity.
MOST_PER_PERSON = 4

DECLINE_REASONS = [
    "I've got a college class that afternoon.",
    "Not feeling up to a group just now.",
    "Childcare fell through that week.",
]

WELLBEING_GENERIC = [
    "Checked in after the session; said they enjoyed it and felt listened to.",
    "Quieter than usual in the second half. Rang the next day; no concerns.",
]


# ---------------------------------------------------------------------------------------------
# Loading


def _dates(spec: dict, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """An activity's first and last day: days from today, a day last year, or a span this
    year."""
    if "days" in spec:
        day = today + datetime.timedelta(days=spec["days"])
        return day, day
    if "last_year" in spec:
        month, day = spec["last_year"]
        date = datetime.date(today.year - 1, month, day)
        return date, date
    (m1, d1), (m2, d2) = spec["this_year"]
    return datetime.date(today.year, m1, d1), datetime.date(today.year, m2, d2)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(hour))
    return min(timezone.make_aware(moment), timezone.now())


def _extra_consents(organisations, staff, people) -> int:
    created = 0
    for organisation_name, full_name, purpose, actor in EXTRA_CONSENTS:
        person = people.get((organisation_name, full_name))
        if person is None or ConsentRecord.objects.filter(person=person, purpose=purpose).exists():
            continue
        from powershare.people.services import consent_record_create

        consent_record_create(
            actor=staff[actor],
            person=person,
            purpose=purpose,
            decision="given",
            method=ConsentMethod.WRITTEN,
            note="Agreed on the form at the start of the co-design work.",
            recorded_at=timezone.now() - datetime.timedelta(days=420),
        )
        created += 1
    return created


def _activity_create(spec, *, organisation, actor, ladders, partners, today) -> Activity:
    starts_on, ends_on = _dates(spec, today)
    ladder = ladders[spec["ladder"]]
    rung = ladder.rungs.get(position=spec["rung"])
    fields = {
        "title": spec["title"],
        "purpose": spec["purpose"],
        "kind": spec["kind"],
        "starts_on": starts_on,
        "ends_on": ends_on,
        "times": spec["times"],
        "venue": spec["venue"],
        "setting": spec["setting"],
        "content_notes": spec["content_notes"],
        "payment_offered": spec["payment_offered"],
        "ladder": ladder,
        "rung": rung,
        **spec["support"],
        **spec["lundy"],
    }
    if spec.get("feedback_days"):
        fields["feedback_due_on"] = ends_on + datetime.timedelta(days=spec["feedback_days"])
    return services.activity_create(
        actor=actor,
        organisation_id=organisation.pk,
        questions=[text for text, _ in spec["questions"]],
        partners=[partners[name] for name in spec.get("partners", []) if name in partners],
        **fields,
    )


def _invitations_create(spec, activity, *, rng, actor, people, today) -> list[Invitation]:
    organisation_name = spec["organisation"]
    invitees = [people[(organisation_name, name)] for name in spec["people"]]
    invitees = [
        p for p in invitees if may_we(person=p, purpose=ConsentPurpose.CONTACT, respect_rest=False)
    ]
    checked = {
        c.person.pk: c for c in selectors.candidates_checked(activity=activity, people=invitees)
    }
    finished = activity.starts_on < today
    invited_at = min(
        _at(activity.starts_on - datetime.timedelta(days=21)),
        timezone.now() - datetime.timedelta(days=2),
    )
    invitations = []
    for person in invitees:
        candidate = checked[person.pk]
        if candidate.blocked:
            continue
        pinned = spec["pinned"].get(person.full_name, {})
        may_take_part = may_we(person=person, purpose=ConsentPurpose.TAKE_PART, respect_rest=False)
        status = pinned.get("status")
        if status is None:
            roll = rng.random()
            if not may_take_part:
                status = "declined" if roll < 0.5 else "invited"
            elif finished:
                status = "accepted" if roll < 0.72 else "declined" if roll < 0.92 else "invited"
            else:
                status = "accepted" if roll < 0.4 else "invited" if roll < 0.85 else "declined"
        invitation = Invitation(
            activity=activity,
            person=person,
            status=status,
            invited_by=actor,
            invited_at=invited_at,
            warnings_at_invitation=candidate.warnings,
        )
        if status != InvitationStatus.INVITED:
            invitation.answered_at = min(
                invited_at + datetime.timedelta(days=rng.randint(1, 6)), timezone.now()
            )
        if status == InvitationStatus.DECLINED:
            invitation.decline_reason = pinned.get("reason") or (
                rng.choice(DECLINE_REASONS) if rng.random() < 0.25 else ""
            )
        if status in (InvitationStatus.ACCEPTED, InvitationStatus.LEFT) and person.access_needs:
            needs = person.access_needs
            invitation.access_arrangements = "Arranged: " + needs[0].lower() + needs[1:] + "."
        if finished and status == InvitationStatus.ACCEPTED:
            invitation.attended = pinned.get("attended", rng.random() < 0.86)
        if finished and status == InvitationStatus.LEFT:
            invitation.attended = True
            invitation.left_at = _at(activity.starts_on, hour=12)
        if finished and invitation.attended:
            invitation.debrief_offered = rng.random() < 0.9 or "felt" in pinned
            invitation.debrief_done = invitation.debrief_offered and rng.random() < 0.65
            invitation.wellbeing_note = pinned.get("wellbeing", "")
            if not invitation.wellbeing_note and rng.random() < 0.08:
                invitation.wellbeing_note = rng.choice(WELLBEING_GENERIC)
            felt = pinned.get("felt")
            # About four in ten of the others say how much say they felt they had; some felt
            # less than staff thought, which is what the ladder report is for.
            if felt is None and not pinned and rng.random() < 0.4:
                shift = rng.choice([-2, -1, -1, 0, 0, 1])
                felt = max(1, min(8, activity.rung.position + shift))
            if felt:
                invitation.felt_rung = activity.ladder.rungs.get(position=felt)
                invitation.felt_recorded_at = _at(activity.ends_on + datetime.timedelta(days=3))
        invitation.save()
        invitations.append(invitation)
    return invitations


def _contributions_create(spec, activity, invitations, *, rng, actor, today) -> int:
    if spec["contributions"] == 0 and not spec.get("groups"):
        return 0
    if activity.starts_on >= today:
        return 0
    questions = list(activity.questions.order_by("position"))
    themes_by_question = {
        q.pk: themes for q, (_, themes) in zip(questions, spec["questions"], strict=True)
    }
    all_themes = sorted({t for _, themes in spec["questions"] for t in themes})
    contributors = []
    for invitation in invitations:
        if not invitation.attended:
            continue
        allowed = selectors.use_levels_consented(person=invitation.person)
        if not allowed:
            continue  # not agreed to be quoted in any way: nothing they said is recorded
        weight = spec["pinned"].get(invitation.person.full_name, {}).get("weight", 1)
        contributors.extend([(invitation.person, allowed)] * weight)
    last_day = min(activity.ends_on, today - datetime.timedelta(days=1))

    def captured_on() -> datetime.date:
        span = (last_day - activity.starts_on).days
        if span <= 0:
            return activity.starts_on
        return activity.starts_on + datetime.timedelta(days=rng.randint(0, span))

    rows, seen = [], set()

    def add(person, allowed, *, group=None):
        question = rng.choice(questions) if rng.random() < 0.9 else None
        themes = themes_by_question[question.pk] if question else all_themes
        if group and "young" not in themes and spec["ladder"] == "hart":
            themes = [*themes, "young"]
        kind = rng.choice(KINDS)
        for _ in range(6):
            text = _compose(rng, themes, kind)
            if text not in seen:
                break
        seen.add(text)
        if group:
            label, held_by, level, _ = group
            values = services.contribution_check(
                activity=activity,
                person=None,
                group_label=label,
                group_consent_held_by=held_by,
                use_level=level,
                text=text,
                kind=kind,
                question=question,
            )
        else:
            level = max(allowed) if rng.random() < 0.5 else rng.choice(allowed)
            values = services.contribution_check(
                activity=activity,
                person=person,
                use_level=level,
                text=text,
                kind=kind,
                question=question,
            )
        rows.append(
            Contribution(
                organisation_id=activity.organisation_id,
                created_by=actor,
                captured_on=captured_on(),
                **values,
            )
        )

    # Nobody says more than a few things per session.
    said = {}
    for _ in range(spec["contributions"]):
        open_to_say = [c for c in contributors if said.get(c[0].pk, 0) < MOST_PER_PERSON]
        if not open_to_say:
            break
        person, allowed = rng.choice(open_to_say)
        said[person.pk] = said.get(person.pk, 0) + 1
        add(person, allowed)
    for group in spec.get("groups", []):
        for _ in range(group[3]):
            add(None, None, group=group)
    Contribution.objects.bulk_create(rows)
    return len(rows)


def _stories_create(activities, *, staff_for, people, today) -> int:
    """The written-out contributions, and what happened to them next, through the services a
    person or a participation lead would use."""
    created = 0
    for title, name, kind, question_number, text, level, action in STORIES:
        activity = activities.get(title)
        if activity is None:
            continue
        person = people[(activity.organisation.name, name)]
        question = (
            activity.questions.filter(position=question_number).first() if question_number else None
        )
        actor = staff_for[activity.pk]
        values = services.contribution_check(
            activity=activity,
            person=person,
            use_level=level,
            text=text,
            kind=kind,
            question=question,
        )
        contribution = Contribution.objects.create(
            organisation_id=activity.organisation_id,
            created_by=actor,
            captured_on=activity.ends_on,
            **values,
        )
        created += 1
        verb = action[0]
        if verb == "redact_by_person":
            services.contribution_redact(
                user=person.user,
                contribution=contribution,
                words=action[1],
                reason=action[2],
                by_person=True,
            )
        elif verb == "redact_by_staff":
            services.contribution_redact(
                user=actor,
                contribution=contribution,
                words=action[1],
                reason=action[2],
                by_person=False,
            )
        elif verb == "withdraw_by_person":
            services.contribution_withdraw(
                user=person.user, contribution=contribution, by_person=True
            )
        elif verb == "withdraw_by_staff":
            services.contribution_withdraw(user=actor, contribution=contribution, by_person=False)
        created += verb.startswith("redact")
    title, name, kind, question_number, text = PORTAL_ADDITION
    activity = activities.get(title)
    if activity is not None and activity.starts_on < today:
        person = people[(activity.organisation.name, name)]
        invitation = Invitation.objects.filter(activity=activity, person=person).first()
        if invitation is not None and person.user is not None:
            services.contribution_add_by_self(
                user=person.user,
                invitation=invitation,
                text=text,
                kind=kind,
                question=activity.questions.filter(position=question_number).first(),
            )
            created += 1
    return created


def load(stdout=None) -> int:
    from .default_ladders import default_ladders_install

    default_ladders_install()
    names = {FIFE, DUNDEE, RLP, CYCJ}
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=names)}
    if not {FIFE, DUNDEE, RLP} <= set(organisations):
        return 0
    staff = {key: User.objects.filter(email=email).first() for key, email in STAFF.items()}
    if not all(staff.values()):
        return 0
    people = {
        (p.organisation.name, p.full_name): p
        for p in Person.objects.not_erased()
        .filter(organisation__name__in=[FIFE, DUNDEE, RLP])
        .select_related("organisation", "user")
    }
    ladders = {ladder.slug: ladder for ladder in Ladder.objects.filter(organisation__isnull=True)}
    today = timezone.localdate()
    created = _extra_consents(organisations, staff, people)
    new_activities, staff_for = {}, {}
    for spec in ACTIVITIES:
        organisation = organisations[spec["organisation"]]
        if Activity.objects.filter(organisation=organisation, title=spec["title"]).exists():
            continue
        if any((spec["organisation"], name) not in people for name in spec["people"]):
            continue
        actor = staff[spec["actor"]]
        rng = random.Random(f"powershare-demo:{spec['title']}")
        activity = _activity_create(
            spec,
            organisation=organisation,
            actor=actor,
            ladders=ladders,
            partners=organisations,
            today=today,
        )
        invitations = _invitations_create(
            spec, activity, rng=rng, actor=actor, people=people, today=today
        )
        created += 1 + len(invitations)
        created += _contributions_create(
            spec, activity, invitations, rng=rng, actor=actor, today=today
        )
        if spec.get("cancelled"):
            services.activity_cancel(actor=actor, activity=activity)
        new_activities[activity.title] = activity
        staff_for[activity.pk] = actor
    created += _stories_create(new_activities, staff_for=staff_for, people=people, today=today)
    if stdout is not None and created:
        stdout.write(f"Engagement: {created} new records.")
    return created

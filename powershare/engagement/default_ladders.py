"""The ladders of participation PowerShare ships with, in our own words.

Installed by a migration, and again by the test personas (tests that empty the database take
them with it). Organisations may add their own ladders; these have no organisation and every
organisation can use them.
"""

# (slug, name, for children and young people, description,
#  [(rung name, what it means for staff, the same said to a person who took part)])
LADDERS = [
    (
        "arnstein",
        "Arnstein's ladder of citizen participation",
        False,
        "Eight rungs from non-participation, through tokenism, to citizen power.",
        [
            (
                "Manipulation",
                "People are placed on a group to be persuaded, not to shape anything.",
                "I was there so they could say they had asked me",
            ),
            (
                "Therapy",
                "The activity aims to change the people taking part, not the service.",
                "It felt like it was about fixing me, not the service",
            ),
            (
                "Informing",
                "People are told about decisions already made; information flows one way.",
                "I was told what was going to happen",
            ),
            (
                "Consultation",
                "Views are asked for, with no promise they will change anything.",
                "They asked what I thought, but I'm not sure it will change anything",
            ),
            (
                "Placation",
                "A few people are given seats, but those in power still decide.",
                "I had a seat at the table, but others made the decisions",
            ),
            (
                "Partnership",
                "Planning and decisions are shared through agreed structures.",
                "We decided things together",
            ),
            (
                "Delegated power",
                "People with lived experience hold most of the say over this work.",
                "People like me had most of the say",
            ),
            (
                "Citizen control",
                "People with lived experience run it and decide.",
                "People like me were in charge",
            ),
        ],
    ),
    (
        "hart",
        "Hart's ladder of children's and young people's participation",
        True,
        "Eight rungs for work with children and young people: three of non-participation, "
        "then five of growing participation.",
        [
            (
                "Manipulation",
                "Young people's words or images are used for adults' aims without their "
                "understanding.",
                "Adults used what I said for their own plans",
            ),
            (
                "Decoration",
                "Young people are there to make an event look good, with no say.",
                "I was there to make it look good",
            ),
            (
                "Tokenism",
                "Young people seem to have a voice but have little choice about what or how.",
                "I got to speak, but it didn't really count",
            ),
            (
                "Assigned but informed",
                "Adults decide, but young people understand the purpose and their role.",
                "Adults decided, but they explained why I was there",
            ),
            (
                "Consulted and informed",
                "Adults run it, young people's views are taken seriously, and they hear back.",
                "They listened to me and told me what happened",
            ),
            (
                "Adult-initiated, shared decisions with young people",
                "Adults start it, and decisions are shared with young people.",
                "Adults started it, and we decided things together",
            ),
            (
                "Young people initiated and directed",
                "Young people start and lead it; adults support.",
                "Young people started it and led it",
            ),
            (
                "Young people initiated, shared decisions with adults",
                "Young people start it and invite adults to share decisions.",
                "Young people started it and asked adults to decide with us",
            ),
        ],
    ),
]


def default_ladders_install(ladder_model=None, rung_model=None) -> None:
    """Create the shipped ladders if missing (safe to run again; leaves edits alone)."""
    if ladder_model is None:
        from .models import Ladder as ladder_model  # noqa: N813
        from .models import LadderRung as rung_model  # noqa: N813
    for slug, name, for_children, description, rungs in LADDERS:
        ladder, created = ladder_model.objects.get_or_create(
            organisation=None,
            slug=slug,
            defaults={
                "name": name,
                "for_children_and_young_people": for_children,
                "description": description,
            },
        )
        if not created:
            continue
        for position, (rung_name, meaning, plain) in enumerate(rungs, start=1):
            rung_model.objects.create(
                ladder=ladder,
                position=position,
                name=rung_name,
                description=meaning,
                plain_words=plain,
            )

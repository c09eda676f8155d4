"""The Roadmap for trauma-informed and responsive change as PowerShare ships it, in our own words.

Installed by a migration, and again by the test personas (tests that empty the database take it
with it). It has no organisation, so every organisation uses it until its administrator
publishes a version of its own. The national report speaks of nine drivers but names eight:
these are the eight, each under the stage where its work mostly starts; administrators add more
by publishing a new version.
"""

ROADMAP_KEY = "roadmap"
ROADMAP_NAME = "Roadmap for trauma-informed and responsive change"
ROADMAP_DESCRIPTION = (
    "Three stages of organisational change, the drivers that move a service through them, and "
    "the five trauma-informed principles used to look at a service."
)

# (key, name, description, [(driver key, driver name, description)])
STAGES = [
    (
        "creating-conditions",
        "Creating the right conditions",
        "Leaders, money and staff support lined up so that change can start and last.",
        [
            (
                "leadership-culture",
                "Leadership and organisational culture",
                "Leaders model trauma-informed ways of working and make room for them.",
            ),
            (
                "staff-wellbeing",
                "Staff care, support and wellbeing",
                "Staff are looked after, so they can look after others.",
            ),
            (
                "budget",
                "Budget",
                "Money and time are set aside for the work and for paying people fairly.",
            ),
        ],
    ),
    (
        "implementing-change",
        "Implementing change",
        "Trauma-informed ways of working put into everyday practice, processes and services.",
        [
            (
                "staff-knowledge",
                "Staff knowledge, skills, confidence and capacity",
                "Staff have the learning, the confidence and the time to work this way.",
            ),
            (
                "power-sharing",
                "Power sharing with people with lived experience of trauma",
                "People with lived experience shape decisions, paid and supported to do so.",
            ),
            (
                "policies-processes",
                "Policies and processes",
                "Forms, letters, meetings and procedures avoid causing harm or distress.",
            ),
            (
                "service-design",
                "Service design and delivery",
                "Places, routes in and ways of working feel safe and respectful.",
            ),
        ],
    ),
    (
        "sustaining-change",
        "Sustaining and consolidating change",
        "The change kept going, checked and learned from until it is simply how things are done.",
        [
            (
                "feedback-improvement",
                "Feedback loops and continuous improvement",
                "People hear what changed because of what they said, and the service keeps "
                "learning.",
            ),
        ],
    ),
]

# (key, name, description)
PRINCIPLES = [
    ("safety", "Safety", "People feel physically and emotionally safe."),
    ("trust", "Trustworthiness", "People can rely on what they are told and on what happens."),
    ("choice", "Choice", "People have real options and a say in what happens to them."),
    ("collaboration", "Collaboration", "Decisions are made with people, not for them."),
    ("empowerment", "Empowerment", "People's strengths are recognised and built on."),
]


def default_frameworks_install(
    framework_model=None,
    version_model=None,
    stage_model=None,
    driver_model=None,
    principle_model=None,
) -> None:
    """Make the shipped Roadmap's first version if it is missing (safe to run again)."""
    from django.utils import timezone

    if framework_model is None:
        from .models import Driver, Framework, FrameworkVersion, Principle, Stage

        framework_model, version_model, stage_model = Framework, FrameworkVersion, Stage
        driver_model, principle_model = Driver, Principle
    framework, _ = framework_model.objects.get_or_create(
        key=ROADMAP_KEY, defaults={"name": ROADMAP_NAME, "description": ROADMAP_DESCRIPTION}
    )
    if version_model.objects.filter(framework=framework, organisation__isnull=True).exists():
        return
    version = version_model.objects.create(
        framework=framework,
        organisation=None,
        number=1,
        change_note="As PowerShare ships it.",
        published_at=timezone.now(),
    )
    for stage_order, (key, name, description, drivers) in enumerate(STAGES, start=1):
        stage = stage_model.objects.create(
            version=version, key=key, order=stage_order, name=name, description=description
        )
        for order, (driver_key, driver_name, driver_description) in enumerate(drivers, start=1):
            driver_model.objects.create(
                version=version,
                stage=stage,
                key=driver_key,
                order=order,
                name=driver_name,
                description=driver_description,
            )
    for order, (key, name, description) in enumerate(PRINCIPLES, start=1):
        principle_model.objects.create(
            version=version, key=key, order=order, name=name, description=description
        )

"""Consent follows every contribution into every output.

Hypothesis generates sequences of contributions, consent changes, redactions and withdrawals.
After each sequence every registered output (tests/contribution_outputs.py: HTML lists and
detail pages, CSV and XLSX exports, API lists) is rendered, and none may contain withdrawn or
removed words, or words above the use the output applies. Lists must also contain everything
that is allowed, so an output that shows nothing cannot pass.

Every contribution's words are unique tokens ("qz007w1"), so a token's presence is exact
whatever the output's escaping.
"""

import io
import json
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powershare.engagement import services
from powershare.engagement.models import USE_PURPOSE, UseLevel
from powershare.engagement.tests import factories as make
from tests.contribution_outputs import ACTION_PAGES, OUTPUTS, Output, registered_names
from tests.isolation import REGISTRY, named_urls
from tests.pdf_text import pdf_text
from tests.personas import sign_in

QUOTE_PURPOSES = [USE_PURPOSE[level] for level in UseLevel]
TOKENS_PER_CONTRIBUTION = 3
#: The label of the world's anonymous group (a partner holds its consent).
GROUP_LABEL = "Young people, session 2"
#: Targets whose page is about the staff sample activity (erin's contributions are elsewhere).
STAFF_ACTIVITY_TARGETS = {"activity", "response", "letter", "group_version"}


@dataclass
class Tracked:
    """What the test believes about one contribution."""

    pk: int
    person: int | None  # index into World.people, or None for a group
    use_level: int
    tokens: list[str]
    removed: set[str] = field(default_factory=set)
    withdrawn: bool = False

    @property
    def remaining(self) -> list[str]:
        return [t for t in self.tokens if t not in self.removed]


@dataclass
class World:
    people: list  # Person objects; people[0] is erin
    consent: list[dict]  # per person: {purpose: bool}
    activity: object
    erin_activity: object
    contributions: list[Tracked] = field(default_factory=list)
    counter: int = 0
    #: "You said, we did" (tests/personas.py): the response to the staff sample activity and
    #: to erin's, the sent letter of each, and the letter's recipient for the world's group.
    responses: dict = field(default_factory=dict)
    letter: object = None
    erin_letter: object = None
    group_recipient: object = None

    def allowed(self, tracked: Tracked, use: int) -> bool:
        if tracked.withdrawn or tracked.use_level < use:
            return False
        if tracked.person is None:
            return True
        return self.consent[tracked.person][USE_PURPOSE[UseLevel(use)]]

    def forbidden_everywhere(self) -> set[str]:
        found = set()
        for tracked in self.contributions:
            found |= tracked.removed
            if tracked.withdrawn:
                found |= set(tracked.tokens)
        return found


# Operations -----------------------------------------------------------------------------------

people_index = st.integers(min_value=0, max_value=2)
operation = st.one_of(
    st.tuples(st.just("add"), st.one_of(st.none(), people_index), st.integers(1, 4)),
    st.tuples(st.just("consent"), people_index, st.sampled_from(QUOTE_PURPOSES), st.booleans()),
    st.tuples(st.just("redact"), st.integers(0, 20), st.integers(0, 2)),
    st.tuples(st.just("withdraw"), st.integers(0, 20), st.booleans()),
)
initial_consent = st.lists(
    st.fixed_dictionaries({purpose: st.booleans() for purpose in QUOTE_PURPOSES}),
    min_size=3,
    max_size=3,
)


def _apply(world: World, op, personas) -> None:
    kind = op[0]
    if kind == "add":
        _, who, wanted = op
        person = None if who is None else world.people[who]
        if person is not None:
            agreed = [lvl for lvl in UseLevel if world.consent[who][USE_PURPOSE[lvl]]]
            if not agreed:
                return
            use_level = (
                max(lvl for lvl in agreed if lvl <= wanted)
                if min(agreed) <= wanted
                else min(agreed)
            )
        else:
            use_level = wanted
        world.counter += 1
        tokens = [f"qz{world.counter:03d}w{k}" for k in range(TOKENS_PER_CONTRIBUTION)]
        activity = world.erin_activity if who == 0 else world.activity
        values = {
            "person": person,
            "use_level": use_level,
            "text": " ".join(tokens),
            "kind": "view",
        }
        if person is None:
            values.update(group_label=GROUP_LABEL, group_consent_held_by="Partner")
        created = services.contribution_create(actor=personas.alice, activity=activity, **values)
        world.contributions.append(Tracked(created.pk, who, use_level, tokens))
    elif kind == "consent":
        _, who, purpose, given_ = op
        make.consent(world.people[who], purpose, given=given_)
        world.consent[who][purpose] = given_
    elif kind == "redact":
        _, index, word = op
        live = [t for t in world.contributions if not t.withdrawn and t.remaining]
        if not live:
            return
        tracked = live[index % len(live)]
        token = tracked.tokens[word]
        if token in tracked.removed:
            return
        by_person = tracked.person == 0
        services.contribution_redact(
            user=personas.erin if by_person else personas.alice,
            contribution=_contribution(tracked.pk),
            words=token,
            reason="Asked",
            by_person=by_person,
        )
        tracked.removed.add(token)
    elif kind == "withdraw":
        _, index, by_erin = op
        live = [t for t in world.contributions if not t.withdrawn]
        if not live:
            return
        tracked = live[index % len(live)]
        by_person = by_erin and tracked.person == 0
        services.contribution_withdraw(
            user=personas.erin if by_person else personas.alice,
            contribution=_contribution(tracked.pk),
            by_person=by_person,
        )
        tracked.withdrawn = True


def _contribution(pk):
    from powershare.engagement.models import Contribution

    return Contribution.objects.get(pk=pk)


def _answer_everything(world: World) -> None:
    """Link every contribution (withdrawn ones too: they may have been answered before they
    were withdrawn) to the response of its activity, so the letters, the response pages and
    the public page have everyone's words to show or to leave out."""
    from powershare.accountability.models import ResponseContribution

    ResponseContribution.objects.bulk_create(
        [
            ResponseContribution(
                response=world.responses["erin" if tracked.person == 0 else "staff"],
                contribution_id=tracked.pk,
            )
            for tracked in world.contributions
        ],
        ignore_conflicts=True,
    )
    # As if each letter had carried them: a sent letter shows only what it carried.
    for tracked in world.contributions:
        (world.erin_letter if tracked.person == 0 else world.letter).contributions.add(tracked.pk)
    # As if every contribution had shaped the sample learning product and its handout quoted
    # them all (recorded before any was withdrawn or narrowed).
    from powershare.learning.models import MaterialQuote

    ids = [tracked.pk for tracked in world.contributions]
    _learning_sample(world, "product").shaped_by_contributions.add(*ids)
    material = _learning_sample(world, "material")
    MaterialQuote.objects.bulk_create(
        [MaterialQuote(material=material, contribution_id=pk) for pk in ids],
        ignore_conflicts=True,
    )


# Rendering ------------------------------------------------------------------------------------


def _body(response, kind: str) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if kind == "xlsx" and response.status_code == 200:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join("" if cell is None else str(cell) for cell in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if kind == "pdf" and response.status_code == 200:
        return pdf_text(content)
    text = content.decode("utf-8", errors="replace")
    if kind == "json" and response.status_code == 200:
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def _urls(output: Output, world: World) -> list[tuple[str, Tracked | None]]:
    """(url, the contribution it is about, if one)."""
    if output.target in ("each_contribution", "each_erin_contribution"):
        chosen = [
            t for t in world.contributions if output.target == "each_contribution" or t.person == 0
        ]
        return [(_reverse(output, {_pk_name(output): t.pk}), t) for t in chosen]
    kwargs = {
        "activity": lambda: {"pk": world.activity.pk},
        "response": lambda: {"pk": world.responses["staff"].pk},
        "letter": lambda: {"pk": world.letter.pk},
        "erin_letter": lambda: {"pk": world.erin_letter.pk},
        "group_version": lambda: {"pk": world.letter.pk, "recipient": world.group_recipient.pk},
        "organisation": lambda: {"slug": world.activity.organisation.slug},
        "product": lambda: {"pk": _learning_sample(world, "product").pk},
        "version": lambda: {"pk": _learning_sample(world, "version").pk},
        "material": lambda: {"pk": _learning_sample(world, "material").pk},
        "": dict,
    }[output.target]()
    return [(_reverse(output, kwargs), None)]


def _learning_sample(world: World, what: str):
    """Council A's sample learning product (tests/personas.py), its first version or its
    handout."""
    from powershare.learning.models import LearningProduct

    product = LearningProduct.objects.get(organisation=world.activity.organisation, slug="course-a")
    if what == "product":
        return product
    version = product.versions.get(number=1)
    return version if what == "version" else version.materials.order_by("pk").first()


def _pk_name(output: Output) -> str:
    return "contribution_id" if output.url_name.startswith("api-1.0:") else "pk"


def _reverse(output: Output, kwargs: dict) -> str:
    url = reverse(output.url_name, kwargs=kwargs)
    if output.query:
        url += "?" + "&".join(f"{k}={v}" for k, v in output.query.items())
    return url


def _check(output: Output, world: World, clients: dict) -> None:
    forbidden_everywhere = world.forbidden_everywhere()
    for url, about in _urls(output, world):
        response = clients[output.persona].get(url)
        assert response.status_code in (200, 302, 404), f"{output.label}: {response.status_code}"
        body = _body(response, output.kind)
        leaked = {t for t in forbidden_everywhere if t in body}
        assert not leaked, f"{output.label} ({url}) shows withdrawn or removed words {leaked}"
        if output.use is not None:
            above = {
                token
                for tracked in world.contributions
                if not world.allowed(tracked, output.use)
                for token in tracked.tokens
                if token in body
            }
            assert not above, f"{output.label} ({url}) shows words above their use: {above}"
        if output.use is not None and output.use >= UseLevel.ANONYMISED:
            _check_names(output, world, body)
        if about is not None and response.status_code == 200:
            visible = about.person == 0 if output.use is None else world.allowed(about, output.use)
            if visible and not about.withdrawn:
                missing = [t for t in about.remaining if t not in body]
                assert not missing, f"{output.label} ({url}) lost allowed words {missing}"
        if output.complete:
            assert response.status_code == 200, f"{output.label}: {response.status_code}"
            for tracked in world.contributions:
                if output.use is None:
                    expected = tracked.person == 0 and not tracked.withdrawn
                else:
                    expected = world.allowed(tracked, output.use)
                if output.target in STAFF_ACTIVITY_TARGETS and tracked.person == 0:
                    expected = False  # erin's contributions belong to another activity
                if expected:
                    missing = [t for t in tracked.remaining if t not in body]
                    assert not missing, f"{output.label} does not show allowed words {missing}"


def _check_names(output: Output, world: World, body: str) -> None:
    """Where an output is for use outside the organisation, a person is named only if the use
    names people, they agree today to be named, and one of their contributions shown allows it."""
    named_use = UseLevel.ATTRIBUTED
    for index in (1, 2):
        name = f"Zqfirst{index}"
        may_be_named = (
            output.use >= named_use
            and world.consent[index][USE_PURPOSE[named_use]]
            and any(
                t.person == index and world.allowed(t, output.use) and t.use_level >= named_use
                for t in world.contributions
            )
        )
        if not may_be_named:
            assert name not in body, f"{output.label} names person {index}, who may not be named"
        elif output.complete:
            assert name in body, f"{output.label} does not credit person {index} as they chose"


@pytest.fixture
def clients(personas):
    signed_in = {"anonymous": Client()}
    for name in ("alice", "erin"):
        client = Client()
        sign_in(client, personas.by_name(name))
        signed_in[name] = client
    return signed_in


@pytest.fixture
def base_world(personas, samples):
    erin = personas.erin_person
    # Names that can be searched for exactly, credited in full when they may be named.
    others = [
        make.person(personas.council_a, f"Zqfirst{i} Zqlast{i}", credit_as="full_name")
        for i in (1, 2)
    ]
    return {
        "people": [erin, *others],
        "activity": samples["activity"],
        "erin_activity": samples["erin_invitation"].activity,
        **_accountability_world(samples),
    }


def _accountability_world(samples) -> dict:
    """The samples' responses and sent letters, and a partner's copy of the staff letter for
    the world's anonymous group (as if the letter had been sent after the group spoke)."""
    from powershare.accountability.models import Delivery, FeedbackRecipient

    letter = samples["letter"]
    group_recipient = FeedbackRecipient.objects.create(
        letter=letter,
        group_label=GROUP_LABEL,
        group_consent_held_by="Partner",
        delivery=Delivery.PARTNER,
        sent_on=letter.sent_on,
    )
    # Someone the staff letter goes to by post, so the printed letters have a page to check.
    from powershare.engagement.tests import factories as engagement_make

    reader = engagement_make.person(letter.organisation, "Zqpost Reader")
    FeedbackRecipient.objects.create(
        letter=letter, person=reader, delivery=Delivery.POST, sent_on=letter.sent_on
    )
    return {
        "responses": {"staff": samples["response"], "erin": samples["erin_response"]},
        "letter": letter,
        "erin_letter": samples["erin_letter"],
        "group_recipient": group_recipient,
    }


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(consents=initial_consent, operations=st.lists(operation, min_size=1, max_size=10))
def test_no_output_shows_withdrawn_removed_or_unagreed_words(
    personas, base_world, clients, consents, operations
):
    with transaction.atomic():
        for person, decisions in zip(base_world["people"], consents, strict=True):
            for purpose, given_ in decisions.items():
                make.consent(person, purpose, given=given_)
        world = World(
            people=base_world["people"],
            consent=[dict(d) for d in consents],
            activity=base_world["activity"],
            erin_activity=base_world["erin_activity"],
            responses=base_world["responses"],
            letter=base_world["letter"],
            erin_letter=base_world["erin_letter"],
            group_recipient=base_world["group_recipient"],
        )
        for op in operations:
            _apply(world, op, personas)
        _answer_everything(world)
        for output in OUTPUTS + ACTION_PAGES:
            _check(output, world, clients)
        transaction.set_rollback(True)


def _kind_of(response, url: str) -> str:
    if "format=xlsx" in url:
        return "xlsx"
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "pdf"
    return "html"


def test_every_output_that_shows_contributions_is_registered(personas, samples, clients):
    """Walk every named URL as staff and as the contributor, with contributions everyone may
    see: any page that shows their words must be in tests/contribution_outputs.py."""
    for person in (personas.erin_person,):
        make.consent(person, *QUOTE_PURPOSES)
    staff = services.contribution_create(
        actor=personas.alice,
        activity=samples["activity"],
        group_label="Everyone",
        group_consent_held_by="Partner",
        use_level=UseLevel.PUBLIC,
        text="qzregistrycheckstaff",
        kind="idea",
    )
    own = services.contribution_create(
        actor=personas.alice,
        activity=samples["erin_invitation"].activity,
        person=personas.erin_person,
        use_level=UseLevel.PUBLIC,
        text="qzregistrycheckerin",
        kind="idea",
    )
    assert staff.pk
    assert own.pk
    # Answered, so pages that show what people said through a response or a letter show them.
    from powershare.accountability.models import ResponseContribution

    ResponseContribution.objects.create(response=samples["response"], contribution=staff)
    ResponseContribution.objects.create(response=samples["erin_response"], contribution=own)
    samples["letter"].contributions.add(staff)
    samples["erin_letter"].contributions.add(own)
    registered = registered_names()
    unregistered = []
    for name in named_urls():
        kwargs = REGISTRY[name].kwargs(samples)
        url = reverse(name, kwargs=kwargs)
        for persona in ("alice", "erin", "anonymous"):
            response = clients[persona].get(url)
            if response.status_code != 200:
                continue
            body = _body(response, _kind_of(response, url))
            if ("qzregistrycheck" in body) and name not in registered:
                unregistered.append(f"{name} as {persona}")
    assert not unregistered, (
        "These pages show contributions but are not in tests/contribution_outputs.py, so the "
        f"consent test does not check them: {unregistered}"
    )

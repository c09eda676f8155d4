"""What improvement holds about a person on the register, for subject access and erasure.

* **WalkthroughTeamMember**: the walkthroughs they walked as an expert by experience.
* **AssessmentParticipant**: the self-assessments they took part in.

Erasure: the rows stay, so each walkthrough's team and each assessment's list of who took part
still count them, but the link to the person goes and a neutral description takes its place.
"""

from django.db.models import Case, Value, When

from powershare.privacy import registry

from .models import AssessmentParticipant, ParticipantKind, WalkthroughTeamMember

#: What an erased person's place on a team is shown as: only experts by experience come from
#: the register (team_member_add refuses a person in any other role).
ERASED_PERSON_NAME = "An expert by experience"
#: What an erased person's place in an assessment is shown as, by how they took part (a
#: person from the register may be listed in any of the ways).
ERASED_PARTICIPANT_NAMES = {
    ParticipantKind.EXPERT_BY_EXPERIENCE: ERASED_PERSON_NAME,
    ParticipantKind.STAFF: "A member of staff",
    ParticipantKind.MANAGER: "A manager or leader",
    ParticipantKind.PARTNER: "Someone from a partner organisation",
}


def _drop_team_member(person, rows) -> None:
    rows.update(person=None, user=None, name=ERASED_PERSON_NAME)


def _drop_participant(person, rows) -> None:
    rows.update(
        person=None,
        user=None,
        name=Case(
            *(
                When(kind=kind, then=Value(label))
                for kind, label in ERASED_PARTICIPANT_NAMES.items()
            ),
            default=Value("Someone who took part"),
        ),
    )


registry.register(
    WalkthroughTeamMember,
    person_lookup="person",
    label="Walkthroughs of services you took part in",
    erase=_drop_team_member,
    order=70,
)
registry.register(
    AssessmentParticipant,
    person_lookup="person",
    label="Self-assessments you took part in",
    erase=_drop_participant,
    order=71,
)

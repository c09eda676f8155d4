"""What improvement holds about a person on the register, for subject access and erasure.

* **WalkthroughTeamMember**: the walkthroughs they walked as an expert by experience.
* **AssessmentParticipant**: the self-assessments they took part in.

Erasure: the rows stay, so each walkthrough's team and each assessment's list of who took part
still count them, but the link to the person goes and a neutral description takes its place.
"""

from powershare.privacy import registry

from .models import AssessmentParticipant, WalkthroughTeamMember

#: What an erased person's place on a team or in an assessment is shown as.
ERASED_PERSON_NAME = "An expert by experience"


def _drop_person(person, rows) -> None:
    rows.update(person=None, user=None, name=ERASED_PERSON_NAME)


registry.register(
    WalkthroughTeamMember,
    person_lookup="person",
    label="Walkthroughs of services you took part in",
    erase=_drop_person,
    order=70,
)
registry.register(
    AssessmentParticipant,
    person_lookup="person",
    label="Self-assessments you took part in",
    erase=_drop_person,
    order=71,
)

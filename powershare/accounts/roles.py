"""What each role may do: the one readable place that answers "can a <role> do <thing>?".

Roles belong to a membership (a user's place in one organisation), so the same person can be a
learning lead in one organisation and a facilitator in another. Experts by experience sign in to
their own portal through their person record (powershare.people), never through a role here;
one login may hold both a staff membership and a person record.
"""

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    PARTICIPATION_LEAD = "participation_lead", "Participation lead"
    LEARNING_LEAD = "learning_lead", "Learning lead"
    LEADER = "leader", "Leader"
    FACILITATOR = "facilitator", "Facilitator"
    NATIONAL_COORDINATOR = "national_coordinator", "National coordinator"
    ADMINISTRATOR = "administrator", "Administrator"
    #: A council's nominated member of staff for the annual national survey.
    SURVEY_RESPONDENT = "survey_respondent", "Survey respondent"


class Capability(StrEnum):
    VIEW_ORGANISATION = "view your organisation and its members"
    VIEW_SUPPORT_DIRECTORY = "view the support directory"
    MANAGE_SUPPORT_DIRECTORY = "add and edit support services"
    SHARE_RECORDS = "share your organisation's records with partner organisations"
    MANAGE_MEMBERS = "add members, change their roles and end memberships"
    VIEW_AUDIT = "browse the change log and the record of who viewed personal data"
    VIEW_NATIONAL_AGGREGATES = "see figures across organisations (never personal data)"
    USE_API = "create personal API tokens"
    VIEW_PEOPLE = "see the people register, their needs and consent records"
    MANAGE_PEOPLE = "add and change people, record consent and invite people to their portal"
    HANDLE_SUBJECT_ACCESS = "log subject access requests and prepare a person's data"
    REQUEST_ERASURE = "ask for a person's record to be erased"
    APPROVE_ERASURE = "approve or turn down erasure requests"
    MANAGE_CONSENT_STATEMENTS = "publish new versions of the consent statements"
    VIEW_ENGAGEMENT = "see activities, the ladder report and what people contributed"
    MANAGE_ENGAGEMENT = (
        "plan activities, invite people, record taking part and capture contributions"
    )
    VIEW_WELLBEING_NOTES = "read and write wellbeing check-in notes about people taking part"
    VIEW_PAYMENTS = "see payments, expense claims, receipts and spending reports"
    MANAGE_PAYMENTS = (
        "record payments owed and expense claims, set benefits limits with a person, and "
        "send approved payments to finance"
    )
    APPROVE_PAYMENTS = "approve payments and expense claims that someone else recorded"
    MANAGE_PAYMENT_RATES = "publish rate cards and set payment defaults"
    VIEW_LEARNING = "see learning products, deliveries, sessions and attendance totals"
    MANAGE_LEARNING = (
        "create learning products and deliveries, book learners, and commission "
        "lived-experience trainers"
    )
    RECORD_ATTENDANCE = "see who is booked on a session and take its register"
    VIEW_IMPROVEMENT = (
        "see self-assessments, action plans, walkthroughs and partnership group meetings"
    )
    MANAGE_IMPROVEMENT = (
        "run self-assessments and walkthroughs, keep action plans and partnership meetings"
    )
    MANAGE_FRAMEWORKS = "publish new versions of improvement frameworks like the Roadmap"
    RUN_NATIONAL_SURVEY = (
        "run the annual survey of councils: rounds, questions, reminders and the national report"
    )
    RESPOND_TO_NATIONAL_SURVEY = "draft, save and send your council's national survey return"


_EVERY_STAFF_ROLE = {
    Capability.VIEW_ORGANISATION,
    Capability.VIEW_SUPPORT_DIRECTORY,
    Capability.USE_API,
}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.PARTICIPATION_LEAD: frozenset(
        _EVERY_STAFF_ROLE
        | {
            Capability.MANAGE_SUPPORT_DIRECTORY,
            Capability.SHARE_RECORDS,
            Capability.VIEW_PEOPLE,
            Capability.MANAGE_PEOPLE,
            Capability.HANDLE_SUBJECT_ACCESS,
            Capability.REQUEST_ERASURE,
            Capability.VIEW_ENGAGEMENT,
            Capability.MANAGE_ENGAGEMENT,
            Capability.VIEW_WELLBEING_NOTES,
            Capability.VIEW_PAYMENTS,
            Capability.MANAGE_PAYMENTS,
            Capability.APPROVE_PAYMENTS,
            # Participation leads bring experts by experience into learning: they commission
            # trainers and run deliveries alongside learning leads.
            Capability.VIEW_LEARNING,
            Capability.MANAGE_LEARNING,
            Capability.RECORD_ATTENDANCE,
            # They organise walkthroughs with experts by experience and keep the actions.
            Capability.VIEW_IMPROVEMENT,
            Capability.MANAGE_IMPROVEMENT,
        }
    ),
    # Learning leads co-design learning products, so they run activities too; the register's
    # details and wellbeing notes stay with participation leads.
    Role.LEARNING_LEAD: frozenset(
        _EVERY_STAFF_ROLE
        | {
            Capability.MANAGE_SUPPORT_DIRECTORY,
            Capability.SHARE_RECORDS,
            Capability.VIEW_ENGAGEMENT,
            Capability.MANAGE_ENGAGEMENT,
            # They commission lived-experience trainers, so they record and approve their pay.
            Capability.VIEW_PAYMENTS,
            Capability.MANAGE_PAYMENTS,
            Capability.APPROVE_PAYMENTS,
            Capability.VIEW_LEARNING,
            Capability.MANAGE_LEARNING,
            Capability.RECORD_ATTENDANCE,
            # Learners' stated intentions become actions in the plan.
            Capability.VIEW_IMPROVEMENT,
            Capability.MANAGE_IMPROVEMENT,
        }
    ),
    # Leaders act on plans and dashboards; elsewhere in their organisation they read only,
    # and they may approve spending as the second pair of eyes.
    Role.LEADER: frozenset(
        _EVERY_STAFF_ROLE
        | {
            Capability.VIEW_ENGAGEMENT,
            Capability.VIEW_PAYMENTS,
            Capability.APPROVE_PAYMENTS,
            # Learning's products, deliveries and totals; never learners' names.
            Capability.VIEW_LEARNING,
            # Self-assessment, action plans, walkthroughs and the partnership group are theirs,
            # and they choose whom to share a plan with (the national team, say).
            Capability.SHARE_RECORDS,
            Capability.VIEW_IMPROVEMENT,
            Capability.MANAGE_IMPROVEMENT,
        }
    ),
    # Facilitators read activities and what was said inside the organisation, not who was asked;
    # they see learning and take the register for sessions.
    Role.FACILITATOR: frozenset(
        _EVERY_STAFF_ROLE
        | {
            Capability.VIEW_ENGAGEMENT,
            Capability.VIEW_LEARNING,
            Capability.RECORD_ATTENDANCE,
            Capability.VIEW_IMPROVEMENT,
        }
    ),
    # National coordinators see a council's plans only when the council shares them.
    Role.NATIONAL_COORDINATOR: frozenset(
        _EVERY_STAFF_ROLE
        | {
            Capability.VIEW_NATIONAL_AGGREGATES,
            Capability.VIEW_IMPROVEMENT,
            Capability.RUN_NATIONAL_SURVEY,
        }
    ),
    # A council's nominated member of staff answers the national survey for the council (the
    # council is the respondent, not the person). They may link the council's self-assessment
    # to the return (chosen by its period) but not open it, nor the council's other improvement
    # records: reading those takes a role that sees improvement.
    Role.SURVEY_RESPONDENT: frozenset(_EVERY_STAFF_ROLE | {Capability.RESPOND_TO_NATIONAL_SURVEY}),
    Role.ADMINISTRATOR: frozenset(
        _EVERY_STAFF_ROLE
        | {
            Capability.MANAGE_SUPPORT_DIRECTORY,
            Capability.SHARE_RECORDS,
            Capability.MANAGE_MEMBERS,
            Capability.VIEW_AUDIT,
            # Administrators read the register to answer subject access requests and to check
            # an erasure before approving it; adding and changing people is the leads' work.
            Capability.VIEW_PEOPLE,
            Capability.HANDLE_SUBJECT_ACCESS,
            Capability.APPROVE_ERASURE,
            Capability.MANAGE_CONSENT_STATEMENTS,
            Capability.MANAGE_PAYMENT_RATES,
            Capability.VIEW_IMPROVEMENT,
            Capability.MANAGE_FRAMEWORKS,
        }
    ),
}

#: Roles that must use two-factor authentication before they can do anything else.
ROLES_REQUIRING_TWO_FACTOR = frozenset({Role.ADMINISTRATOR})


def role_can(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


def capabilities_for(role: str) -> list[Capability]:
    return sorted(ROLE_CAPABILITIES.get(role, frozenset()), key=lambda c: list(Capability).index(c))


def roles_for_organisation(organisation) -> list[str]:
    """The roles a member of this organisation can hold. National coordinators see figures
    across every organisation, so only national bodies can have them; only councils answer
    the national survey, so only they have survey respondents."""
    if organisation.kind == "national_body":
        return [role for role in Role.values if role != Role.SURVEY_RESPONDENT]
    if organisation.kind == "local_authority":
        return [role for role in Role.values if role != Role.NATIONAL_COORDINATOR]
    return [
        role
        for role in Role.values
        if role not in (Role.NATIONAL_COORDINATOR, Role.SURVEY_RESPONDENT)
    ]

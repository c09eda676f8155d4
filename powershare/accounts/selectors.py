"""Reads about users, organisations and memberships. Scoping lives here."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from .models import ApiToken, Membership, Organisation, OrganisationKind, User
from .roles import Capability, Role, role_can


def membership_list_for(*, user: User) -> QuerySet[Membership]:
    """The user's current memberships, with their organisations."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.current().filter(user=user).select_related("organisation")


def current_memberships(*, user: User) -> list[Membership]:
    # Asked many times per request (navigation, scoping, dashboards): read once per user object.
    cached = getattr(user, "_powershare_memberships", None)
    if cached is None:
        cached = list(membership_list_for(user=user))
        if user.is_authenticated:
            user._powershare_memberships = cached
    return cached


def organisation_ids_where(*, user: User, capability: Capability) -> list[int]:
    """The organisations in which the user holds a role that grants the capability."""
    return [
        m.organisation_id for m in current_memberships(user=user) if role_can(m.role, capability)
    ]


def user_can(*, user: User, capability: Capability, organisation_id: int | None = None) -> bool:
    ids = organisation_ids_where(user=user, capability=capability)
    return bool(ids) if organisation_id is None else organisation_id in ids


def user_roles(*, user: User) -> set[str]:
    return {m.role for m in current_memberships(user=user)}


def organisation_list_for(*, user: User) -> QuerySet[Organisation]:
    """Organisations the user belongs to, with how many current members each has."""
    ids = organisation_ids_where(user=user, capability=Capability.VIEW_ORGANISATION)
    return Organisation.objects.filter(pk__in=ids).annotate(
        member_count=Count("memberships", filter=Q(memberships__ended_at__isnull=True))
    )


def organisation_get_for(*, user: User, pk: int) -> Organisation:
    """One of the user's own organisations; any other answers 404, never 403."""
    try:
        return organisation_list_for(user=user).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such organisation") from None


def organisation_partner_choices(*, exclude_ids: list[int]) -> QuerySet[Organisation]:
    """Every organisation a record could be shared with: this is public reference data."""
    return Organisation.objects.exclude(pk__in=exclude_ids).order_by("name")


def member_list_for(
    *, user: User, organisation: Organisation, search: str = "", role: str = ""
) -> QuerySet[Membership]:
    """Current members of one of the user's organisations, by name; optionally only those whose
    name or email contains `search`, or who hold `role`."""
    if not user_can(
        user=user, capability=Capability.VIEW_ORGANISATION, organisation_id=organisation.pk
    ):
        raise Http404("No such organisation")
    members = Membership.objects.current().filter(organisation=organisation)
    if search:
        members = members.filter(
            Q(user__full_name__icontains=search) | Q(user__email__icontains=search)
        )
    if role in Role.values:
        members = members.filter(role=role)
    return members.select_related("user").order_by("user__full_name", "pk")


def membership_get_for_manager(*, user: User, pk: int) -> Membership:
    """A current membership the user may manage (administrators of its organisation)."""
    ids = organisation_ids_where(user=user, capability=Capability.MANAGE_MEMBERS)
    try:
        return (
            Membership.objects.current()
            .select_related("user", "organisation")
            .get(pk=pk, organisation_id__in=ids)
        )
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such membership") from None


def api_token_list_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def api_token_get_for(*, user: User, pk: int) -> ApiToken:
    try:
        return ApiToken.objects.get(user=user, pk=pk, revoked_at__isnull=True)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404("No such token") from None


def national_organisation_summary() -> dict:
    """Counts across every organisation, for national coordinators: no personal data."""
    by_kind = dict(
        Organisation.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    # "Has a current member", as a subquery: a join on memberships with ended_at IS NULL would
    # also match organisations with no memberships at all.
    has_people = Exists(Membership.objects.current().filter(organisation_id=OuterRef("pk")))
    with_members = Organisation.objects.filter(has_people).count()
    councils = by_kind.get(OrganisationKind.LOCAL_AUTHORITY, 0)
    councils_using = Organisation.objects.filter(
        has_people, kind=OrganisationKind.LOCAL_AUTHORITY
    ).count()
    return {
        "by_kind": [(label, by_kind.get(value, 0)) for value, label in OrganisationKind.choices],
        "organisations": sum(by_kind.values()),
        "organisations_with_members": with_members,
        "councils": councils,
        "councils_using": councils_using,
    }


def staff_role_counts(*, organisation_ids: list[int]) -> list[tuple[str, int]]:
    counts = dict(
        Membership.objects.current()
        .filter(organisation_id__in=organisation_ids)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    return [(label, counts.get(value, 0)) for value, label in Role.choices]


def organisation_list_where(*, user: User, capability: Capability) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=organisation_ids_where(user=user, capability=capability)
    )


def members_never_signed_in(*, user: User) -> tuple[int, int]:
    """(people added to the administrator's organisations who have not yet signed in, all the
    people in those organisations), counted in one query."""
    ids = organisation_ids_where(user=user, capability=Capability.MANAGE_MEMBERS)
    counts = (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id__in=ids,
            memberships__ended_at__isnull=True,
        )
        .distinct()
        .aggregate(
            never=Count("pk", filter=Q(last_login__isnull=True), distinct=True),
            everyone=Count("pk", distinct=True),
        )
    )
    return counts["never"], counts["everyone"]


def two_factor_device_list_for(*, user: User):
    """The user's confirmed authenticator apps."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True)


_NAME_NOISE = ("the ", "city of ")


def organisation_name_key(name: str) -> str:
    """A name reduced so that "Stirling", "stirling council" and "Stirling Council " match:
    case, spaces, "&"/"and", a leading "the" and a trailing "council" are ignored."""
    key = " ".join((name or "").casefold().replace("&", " and ").split())
    for noise in _NAME_NOISE:
        if key.startswith(noise):
            key = key[len(noise) :]
    for suffix in (" city council", " council", " islands council"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key.strip()


def organisations_by_name_key() -> dict[str, Organisation]:
    """Every organisation by its name key (and short name's key): for matching names typed in
    files. A key two organisations share matches neither."""
    index: dict[str, Organisation | None] = {}
    for organisation in Organisation.objects.only("pk", "name", "short_name", "slug", "kind"):
        for name in {organisation.name, organisation.short_name}:
            key = organisation_name_key(name)
            if not key:
                continue
            if key in index and index[key] is not None and index[key].pk != organisation.pk:
                index[key] = None
            else:
                index.setdefault(key, organisation)
    return {key: org for key, org in index.items() if org is not None}

"""Every write about users, memberships, API tokens and sharing."""

import datetime
import secrets
from functools import partial

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, Membership, Organisation, Share, User
from .roles import Capability, Role, roles_for_organisation
from .security import email_link_base
from .selectors import organisation_ids_where, user_can


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token. The plain token is returned once and never stored."""
    if not user_can(user=user, capability=Capability.USE_API):
        raise PermissionDenied("Only staff members can create API tokens.")
    for _ in range(5):  # a clash of the 8-character prefix is rare; try another
        key_prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(key_prefix=key_prefix).exists():
            break
    plain = f"{ApiToken.PREFIX}_{key_prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name.strip(), key_prefix=key_prefix, token_hash=ApiToken.hash(plain)
    )
    return token, plain


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, plain: str) -> User | None:
    """The active user behind a token, recording when it was last used (at most once a minute)."""
    if not plain or not plain.startswith(f"{ApiToken.PREFIX}_"):
        return None
    try:
        token = ApiToken.objects.select_related("user").get(
            token_hash=ApiToken.hash(plain), revoked_at__isnull=True
        )
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _check_manages_members(actor: User, organisation_id: int, refusal: str) -> None:
    if not user_can(
        user=actor, capability=Capability.MANAGE_MEMBERS, organisation_id=organisation_id
    ):
        raise PermissionDenied(refusal)


def _check_role_fits(role: str, organisation: Organisation) -> None:
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role from the list."})
    if role not in roles_for_organisation(organisation):
        raise ValidationError(
            {"role": f"{Role(role).label} is a role for national bodies only. Choose another role."}
        )


@transaction.atomic
def membership_create(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    full_name: str,
    role: str,
    job_title: str = "",
    request=None,
) -> Membership:
    """Add someone to an organisation with a role; new people get an email to set a password."""
    _check_manages_members(actor, organisation.pk, "You can't add members to this organisation.")
    _check_role_fits(role, organisation)
    email = email.strip().lower()
    user = User.objects.filter(email=User.normalise_email(email)).first()
    if user is not None and user.is_superuser:
        raise ValidationError(
            {"email": "This address belongs to the PowerShare service team. Choose another."}
        )
    is_new = user is None
    if is_new:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    if Membership.objects.current().filter(user=user, organisation=organisation).exists():
        raise ValidationError(
            {
                "email": f"{email} is already a member of {organisation.name}. Change their role instead."
            }
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, organisation=organisation, role=role, job_title=job_title.strip()
            )
    except IntegrityError:
        raise ValidationError({"email": f"{email} is already a member."}) from None
    _email_new_member(membership=membership, is_new=is_new, request=request)
    return membership


def _email_new_member(*, membership: Membership, is_new: bool, request) -> None:
    from .forms import QueuedEmailPasswordResetForm
    from .tasks import membership_added_email_send

    if is_new:
        form = QueuedEmailPasswordResetForm({"email": membership.user.email})
        if form.is_valid():
            form.save(request=request, kind="welcome")
        return
    domain, use_https = email_link_base(request)
    transaction.on_commit(
        partial(
            membership_added_email_send.enqueue,
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            domain=domain,
            use_https=use_https,
        )
    )


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    _check_manages_members(
        actor, membership.organisation_id, "You can't change roles in this organisation."
    )
    _check_role_fits(role, membership.organisation)
    if membership.user_id == actor.pk and role != membership.role:
        raise ValidationError(
            {"role": "You can't change your own role. Ask another administrator."}
        )
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_end(*, actor: User, membership: Membership) -> Membership:
    """End a membership: the person keeps their account but loses access to the organisation."""
    _check_manages_members(
        actor, membership.organisation_id, "You can't end memberships in this organisation."
    )
    if membership.user_id == actor.pk:
        raise ValidationError("You can't remove yourself. Ask another administrator.")
    if membership.ended_at is None:
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at", "updated_at"])
    return membership


@transaction.atomic
def share_create(*, actor: User, record, partner: Organisation) -> Share:
    """Share a record with a partner organisation. Only its owner's members may share it."""
    if not user_can(
        user=actor, capability=Capability.SHARE_RECORDS, organisation_id=record.organisation_id
    ):
        raise PermissionDenied("Only the organisation that owns this record can share it.")
    if partner.pk == record.organisation_id:
        raise ValidationError({"partner": "Choose another organisation: yours already owns this."})
    content_type = ContentType.objects.get_for_model(record)
    existing = Share.objects.active().filter(
        content_type=content_type, object_id=record.pk, partner=partner
    )
    if existing.exists():
        raise ValidationError({"partner": f"This is already shared with {partner.name}."})
    return Share.objects.create(
        content_type=content_type,
        object_id=record.pk,
        owner_id=record.organisation_id,
        partner=partner,
        shared_by=actor,
    )


@transaction.atomic
def share_end(*, actor: User, share: Share) -> Share:
    """Stop sharing: the partner loses sight of the record at once."""
    if not user_can(
        user=actor, capability=Capability.SHARE_RECORDS, organisation_id=share.owner_id
    ):
        raise PermissionDenied("Only the organisation that owns this record can stop sharing it.")
    if share.ended_at is None:
        share.ended_at = timezone.now()
        share.ended_by = actor
        share.save(update_fields=["ended_at", "ended_by"])
    return share


def two_factor_code_matches(*, key: str, code: str) -> int | None:
    """The time step a 6-digit code fits for the key being set up (allowing one step of clock
    drift), or None when it does not fit."""
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6)
    now = totp.t()
    for step in (now - 1, now, now + 1):
        totp.time = step * 30
        if totp.token() == int(code):
            return step
    return None


def _log_two_factor_change(user: User, change: str) -> None:
    """Put a change to someone's two-factor sign-in in the change log of each of their
    organisations (authenticator keys themselves are never logged)."""
    organisation_ids = list(
        Membership.objects.current().filter(user=user).values_list("organisation_id", flat=True)
    )
    # Someone with no organisation (the service team) still gets one entry, which superusers see.
    for organisation_id in organisation_ids or [None]:
        LogEntry.objects.log_create(
            user,
            action=LogEntry.Action.UPDATE,
            changes={"two-factor sign-in": ["", change]},
            force_log=True,
            additional_data={"organisation_id": organisation_id} if organisation_id else None,
        )


@transaction.atomic
def two_factor_device_add(*, user: User, key: str, used_step: int) -> TOTPDevice:
    """Turn on two-factor sign-in with a confirmed authenticator app (replacing any other).
    Callers must make sure the person has passed the code step of any existing app first."""
    TOTPDevice.objects.filter(user=user).delete()
    # The code used to set the app up is spent: it cannot be used again at the next sign-in.
    device = TOTPDevice.objects.create(
        user=user, key=key, name="Authenticator app", confirmed=True, last_t=used_step
    )
    _log_two_factor_change(user, "turned on")
    return device


@transaction.atomic
def two_factor_device_remove_all(*, user: User) -> None:
    if TOTPDevice.objects.filter(user=user).delete()[0]:
        _log_two_factor_change(user, "turned off")


@transaction.atomic
def two_factor_reset_for_member(*, actor: User, membership: Membership) -> int:
    """An administrator removes a member's authenticator app (lost or replaced phone). They must
    set up a new one at their next sign-in if their role requires it. Recorded in the change log.

    The app protects the person's sign-in everywhere, so only someone who administers every
    organisation the person belongs to may reset it."""
    if membership.user_id == actor.pk:
        raise ValidationError(
            "You can't reset your own two-factor sign-in here. Ask another administrator."
        )
    if membership.user.is_superuser:
        raise ValidationError(
            "Only the PowerShare service team can reset this person's two-factor sign-in."
        )
    managed = set(organisation_ids_where(user=actor, capability=Capability.MANAGE_MEMBERS))
    theirs = set(
        Membership.objects.current()
        .filter(user_id=membership.user_id)
        .values_list("organisation_id", flat=True)
    )
    if membership.organisation_id not in managed:
        raise PermissionDenied("You can't reset two-factor sign-in in this organisation.")
    if not theirs <= managed:
        raise ValidationError(
            f"{membership.user.full_name} also belongs to another organisation, so their "
            "two-factor sign-in can only be reset by the PowerShare service team."
        )
    deleted, _ = TOTPDevice.objects.filter(user=membership.user).delete()
    if deleted:
        _log_two_factor_change(membership.user, "reset by an administrator")
    return deleted


def sign_in_pause_lift(*, user: User) -> None:
    """Someone who proved they own the email address (a password reset) may sign in at once,
    even if wrong passwords had paused their account."""
    from axes.utils import reset

    reset(username=user.email.lower())


def membership_invitation_resend(*, actor: User, membership: Membership, request=None) -> None:
    """Email a new set-password link to a member who has never signed in (links last 2 hours)."""
    _check_manages_members(
        actor, membership.organisation_id, "You can't send invitations for this organisation."
    )
    if membership.user.last_login is None:
        _email_new_member(membership=membership, is_new=True, request=request)


def session_extend(*, session) -> "datetime.datetime":
    """Move the sign-out time to SESSION_COOKIE_AGE from now, and return it."""
    expires_at = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    session.set_expiry(expires_at)
    return expires_at

"""Every write about users, memberships, API tokens and sharing."""

import secrets

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, Membership, Organisation, Share, User
from .roles import Capability, Role
from .selectors import user_can


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token. The plain token is returned once and never stored."""
    if not user_can(user=user, capability=Capability.USE_API):
        raise PermissionDenied("Only staff members can create API tokens.")
    key_prefix = secrets.token_hex(4)
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
    if not user_can(
        user=actor, capability=Capability.MANAGE_MEMBERS, organisation_id=organisation.pk
    ):
        raise PermissionDenied("You can't add members to this organisation.")
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role from the list."})
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
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
    if is_new:
        transaction.on_commit(lambda: _send_welcome(user=user, request=request))
    return membership


def _send_welcome(*, user: User, request) -> None:
    from .forms import QueuedEmailPasswordResetForm

    form = QueuedEmailPasswordResetForm({"email": user.email})
    if form.is_valid():
        # A new account has no usable password, so Django's own reset form would skip it.
        form.get_users = lambda email: [user]
        form.save(
            request=request,
            use_https=bool(request and request.is_secure()),
            subject_template_name="accounts/email/welcome_subject.txt",
            email_template_name="accounts/email/welcome.txt",
            html_email_template_name="accounts/email/welcome.html",
            domain_override=None if request else "localhost",
        )


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    if not user_can(
        user=actor, capability=Capability.MANAGE_MEMBERS, organisation_id=membership.organisation_id
    ):
        raise PermissionDenied("You can't change roles in this organisation.")
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role from the list."})
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
    if not user_can(
        user=actor, capability=Capability.MANAGE_MEMBERS, organisation_id=membership.organisation_id
    ):
        raise PermissionDenied("You can't end memberships in this organisation.")
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


def two_factor_code_matches(*, key: str, code: str) -> bool:
    """Whether a 6-digit code fits the key being set up (allowing one step of clock drift)."""
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6)
    return totp.verify(int(code), tolerance=1)


@transaction.atomic
def two_factor_device_add(*, user: User, key: str) -> TOTPDevice:
    """Turn on two-factor sign-in with a confirmed authenticator app (replacing any other)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, key=key, name="Authenticator app", confirmed=True)


@transaction.atomic
def two_factor_device_remove_all(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()


@transaction.atomic
def two_factor_reset_for_member(*, actor: User, membership: Membership) -> int:
    """An administrator removes a member's authenticator app (lost or replaced phone). They must
    set up a new one at their next sign-in if their role requires it. Recorded in the change log."""
    if not user_can(
        user=actor, capability=Capability.MANAGE_MEMBERS, organisation_id=membership.organisation_id
    ):
        raise PermissionDenied("You can't reset two-factor sign-in in this organisation.")
    if membership.user_id == actor.pk:
        raise ValidationError(
            "You can't reset your own two-factor sign-in here. Ask another administrator."
        )
    deleted, _ = TOTPDevice.objects.filter(user=membership.user).delete()
    if deleted:
        LogEntry.objects.log_create(
            membership.user,
            action=LogEntry.Action.UPDATE,
            changes={"two-factor sign-in": ["on", "reset by an administrator"]},
            force_log=True,
            additional_data={"organisation_id": membership.organisation_id},
        )
    return deleted

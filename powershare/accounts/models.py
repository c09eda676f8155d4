import hashlib

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from powershare.lib.models import TimestampedModel

from .roles import Role


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    HEALTH_BOARD = "health_board", "Health board"
    THIRD_SECTOR = "third_sector", "Third sector organisation"
    LIVED_EXPERIENCE_LED = "lived_experience_led", "Lived-experience-led organisation"
    UNIVERSITY = "university", "University"
    NATIONAL_BODY = "national_body", "National body"


class Organisation(TimestampedModel):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    is_reference = models.BooleanField(
        default=False, help_text="Shipped as reference data (the 32 councils, national bodies)."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.short_name or self.name

    def get_additional_data(self):
        return {"organisation_id": self.pk}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Every user needs an email address.")
        user = self.model(email=User.normalise_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Emails are stored in one normal form and matched exactly. A case-insensitive database
        # match would let lookalike letters (PostgreSQL upper-cases 'ı' to 'I') reach an
        # account under a name the sign-in lockout counts separately.
        return self.get(email=User.normalise_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in. Staff roles come from memberships, never from the user itself."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    personal_data_fields = ("email", "full_name", "last_login")

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    @property
    def is_staff(self):
        # Django's own admin site is not used; our administrators work in PowerShare's pages.
        return False

    @staticmethod
    def normalise_email(email: str) -> str:
        """The one form an email address is stored, matched and counted in."""
        return email.strip().lower()

    def save(self, *args, **kwargs):
        self.email = User.normalise_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class MembershipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)


class Membership(TimestampedModel):
    """A user's role in one organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    job_title = models.CharField(max_length=120, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    personal_data_fields = ("user", "job_title")

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(ended_at__isnull=True),
                name="one_current_membership_per_organisation",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"

    @property
    def is_current(self):
        return self.ended_at is None

    def get_additional_data(self):
        return {"organisation_id": self.organisation_id}


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the token itself is shown once."""

    PREFIX = "ps"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    key_prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_active(self):
        return self.revoked_at is None


class ShareQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class Share(models.Model):
    """The owner of a record lets a partner organisation see it (and what hangs under it).

    Members of the partner organisation then see the record as their role allows. Ending a
    share takes effect at once; the row stays as history.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="shares_given")
    partner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="shares_received"
    )
    shared_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    shared_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-shared_at"]
        indexes = [models.Index(fields=["content_type", "partner", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "partner"],
                condition=Q(ended_at__isnull=True),
                name="one_active_share_per_partner",
            ),
            models.CheckConstraint(
                condition=~Q(owner=models.F("partner")), name="share_with_another_organisation"
            ),
        ]

    def __str__(self):
        return f"{self.owner} shares {self.content_type.name} {self.object_id} with {self.partner}"

    def get_additional_data(self):
        return {"organisation_id": self.owner_id}

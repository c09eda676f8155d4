"""Navigation by role: each person sees only the sections their roles can use."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .middleware import two_factor_pending
from .roles import Capability
from .security import lockout_limits
from .selectors import current_memberships, user_can

# (label, url name, capability needed (or any one of several), url prefix marking it current)
# At most seven for any role (docs/UX): the service name in the header leads home, and "Your
# organisation" sits in the account bar beside "Your account".
NAVIGATION = [
    # Subject access and erasure requests are about people on the register, so they sit in the
    # People section (its pages link to them) rather than taking a place of their own.
    ("People", "people:list", Capability.VIEW_PEOPLE, ("/people/", "/privacy/")),
    ("Activities", "engagement:activity_list", Capability.VIEW_ENGAGEMENT, "/activities/"),
    ("Feedback", "accountability:dashboard", Capability.VIEW_ENGAGEMENT, "/feedback/"),
    ("Learning", "learning:home", Capability.VIEW_LEARNING, "/learning/"),
    ("Improvement", "improvement:home", Capability.VIEW_IMPROVEMENT, "/improvement/"),
    # The coordinator's rounds, or a council's survey respondent's returns: one entry either way.
    (
        "National survey",
        "national:home",
        (Capability.RUN_NATIONAL_SURVEY, Capability.RESPOND_TO_NATIONAL_SURVEY),
        "/national/",
    ),
    (
        "Payments",
        "payments:home",
        (Capability.VIEW_PAYMENTS, Capability.MANAGE_PAYMENT_RATES),
        "/payments/",
    ),
    ("Support directory", "support:list", Capability.VIEW_SUPPORT_DIRECTORY, "/support-services/"),
    ("Audit", "audit:change_log", Capability.VIEW_AUDIT, "/audit/"),
]


# An expert by experience's own page (the portal): (label, url name, url prefix or None).
# At most seven (docs/UX): the service name in the header leads home; "Your data" is reached
# from the home page and from "Your details".
PORTAL_NAVIGATION = [
    ("Opportunities", "portal:opportunities", "/my/opportunities/"),
    ("Things you've said", "portal:contributions", "/my/said/"),
    ("What happened", "portal:feedback", "/my/heard-back/"),
    ("Payments", "portal:payments", "/my/payments/"),
    ("Your details", "portal:details", "/my/details/"),
    ("Your choices", "portal:choices", "/my/choices/"),
    ("Get support", "portal:support", "/my/support/"),
]


def _with_portal_navigation(request, user, staff_items, context):
    """Someone with their own person record and no staff role sees only their portal; staff
    who also have a record keep their staff navigation, and the account bar links to their
    own page (so the navigation stays at seven items at most)."""
    from powershare.people.selectors import is_portal_only, person_for_user

    if person_for_user(user=user) is None:
        return staff_items
    if not is_portal_only(user=user):
        context["own_page_url"] = reverse("portal:home")
        return staff_items
    return [_item(request, label, name, prefix) for label, name, prefix in PORTAL_NAVIGATION]


def _item(request, label: str, url_name: str, prefix: str | tuple | None) -> dict:
    url = reverse(url_name)
    current = request.path == url if prefix is None else request.path.startswith(prefix)
    return {"label": label, "url": url, "current": current}


def navigation(request):
    context = {
        "site_name": settings.SITE_NAME,
        "site_phase": settings.SITE_PHASE,
        "lockout": lockout_limits(),
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or two_factor_pending(user):
        return context
    items = []
    for label, url_name, capability, prefix in NAVIGATION:
        # Superusers (the service team) hold no organisation role: they see the audit trail only.
        superuser_sees = user.is_superuser and capability == Capability.VIEW_AUDIT
        needed = capability if isinstance(capability, tuple) else (capability,)
        if capability is not None and not (
            superuser_sees or any(user_can(user=user, capability=c) for c in needed)
        ):
            continue
        items.append(_item(request, label, url_name, prefix))
    items = _with_portal_navigation(request, user, items, context)
    context["navigation"] = items
    expires_at = request.session.get_expiry_date()
    context["session_expires_at"] = expires_at
    context["session_warning_seconds"] = settings.SESSION_WARNING_SECONDS
    # Shown straight away, scripts or not, once sign-out is this close.
    context["session_warning_due"] = (
        expires_at - timezone.now()
    ).total_seconds() <= settings.SESSION_WARNING_SECONDS
    context["current_memberships"] = current_memberships(user=user)
    if user_can(user=user, capability=Capability.VIEW_ORGANISATION):
        context["organisation_url"] = reverse("accounts:organisation_list")
    return context

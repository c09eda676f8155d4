from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from powershare.accounts import selectors as account_selectors
from powershare.accounts.roles import Capability, Role
from powershare.people.selectors import is_portal_only, person_for_user
from powershare.support.selectors import support_service_list_for

from .selectors import health_report


@login_required
def home(request):
    """A dashboard per role, built from what exists so far: organisations, roles and members."""
    user = request.user
    memberships = account_selectors.current_memberships(user=user)
    if is_portal_only(user=user):
        return redirect("portal:home")  # an expert by experience's home is their own page
    own_person = person_for_user(user=user)
    own_ids = [m.organisation_id for m in memberships]
    context = {
        "own_person": own_person,
        "page_title": f"Hello, {user.get_short_name()}",
        "memberships": memberships,
        "organisations": account_selectors.organisation_list_for(user=user),
        "role_counts": account_selectors.staff_role_counts(organisation_ids=own_ids),
        "support_count": support_service_list_for(user=user).count()
        if account_selectors.user_can(user=user, capability=Capability.VIEW_SUPPORT_DIRECTORY)
        else None,
        "is_national": account_selectors.user_can(
            user=user, capability=Capability.VIEW_NATIONAL_AGGREGATES
        ),
        "is_administrator": any(m.role == Role.ADMINISTRATOR for m in memberships),
    }
    if context["is_administrator"]:
        context["never_signed_in"], context["members_total"] = (
            account_selectors.members_never_signed_in(user=user)
        )
    if context["is_national"]:
        context["national"] = account_selectors.national_organisation_summary()
    if account_selectors.user_can(
        user=user, capability=Capability.HANDLE_SUBJECT_ACCESS
    ) or account_selectors.user_can(user=user, capability=Capability.APPROVE_ERASURE):
        from powershare.privacy.selectors import privacy_attention_for

        context["privacy_attention"] = privacy_attention_for(user=user)
    if account_selectors.user_can(user=user, capability=Capability.VIEW_ENGAGEMENT):
        from powershare.accountability.selectors import dashboard_counts_for
        from powershare.engagement import selectors as engagement_selectors

        context["activities"] = engagement_selectors.activity_summary_for(user=user)
        context["feedback"] = dashboard_counts_for(user=user)
        if account_selectors.user_can(user=user, capability=Capability.MANAGE_ENGAGEMENT):
            context["activities"]["invitations_waiting"] = (
                engagement_selectors.invitations_waiting_for(user=user).count()
            )
    if account_selectors.user_can(user=user, capability=Capability.VIEW_PAYMENTS):
        from powershare.payments.selectors import payment_counts_for

        context["payments"] = payment_counts_for(user=user)
    if account_selectors.user_can(user=user, capability=Capability.VIEW_LEARNING):
        from powershare.learning.selectors import learning_home_summary

        context["learning"] = learning_home_summary(user=user)
    if account_selectors.user_can(user=user, capability=Capability.MANAGE_PEOPLE):
        from powershare.people import selectors as people_selectors

        context["people"] = {
            "counts": people_selectors.people_with_consent_counts(user=user),
            "to_review": people_selectors.people_for_retention_review(user=user).count(),
            "invited": people_selectors.people_with_pending_portal_invitation(user=user).count(),
        }
    return render(request, "system/home.html", context)


def accessibility(request):
    return render(request, "system/accessibility.html", {"page_title": "Accessibility statement"})


def privacy(request):
    return render(request, "system/privacy.html", {"page_title": "Privacy notice"})


def cookies(request):
    return render(request, "system/cookies.html", {"page_title": "Cookies"})


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the real icon."""
    return redirect(static("images/favicon.svg"), permanent=True)


@never_cache
@require_GET
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)

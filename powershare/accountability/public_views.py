"""The opt-in public 'you said, we did' page, and its settings.

The public page needs no sign-in and shows the same to everyone: activities whose feedback was
sent, what they were for, what was decided and what will change, and only the words people
agreed may go on a public page (selectors.public_sections applies the consent rule at the
public level, with the credit each person chose). No staff names, no owners, nothing else
about anyone. It may be cached by browsers and shared caches for a few minutes.

The settings page (publish or stop, and the introduction) needs MANAGE_ENGAGEMENT in the
organisation; anyone else gets 404. It also offers a preview of the page as the public would
see it, published or not.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe

from powershare.accounts import selectors as account_selectors
from powershare.accounts.roles import Capability
from powershare.lib.forms import form_errors_to_fields, posted

from . import selectors, services
from .public_forms import PublicPageForm

#: Activities on one page of the public page.
PAGE_SIZE = 20
#: How long browsers and shared caches may keep the public page, in seconds.
PUBLIC_MAX_AGE = 300


def _same_for_everyone(view):
    """For a page that reads nothing from the session and shows the same to every visitor.

    The sign-in middleware looks at the session on every request, and Django then adds
    `Vary: Cookie`, which stops shared caches serving the page to anyone with a different
    cookie. For visitors who are not signed in nothing here depends on the session, so say it
    was not used. (Signed-in staff still get `Cache-Control: private, no-store` from
    PrivateResponsesMiddleware.)"""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if session is not None and not session.modified and not signed_in:
            session.accessed = False
        return response

    return wrapped


def _public_context(request, *, organisation, introduction: str) -> dict:
    """What the public page shows: a page of activities with feedback sent, each with its
    responses and the public-level words, in a fixed number of queries."""
    page = Paginator(selectors.public_activities(organisation=organisation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    activities = list(page.object_list)
    sections = selectors.public_sections(activities=activities)
    for activity in activities:
        activity.public_sections = sections.get(activity.pk, [])
    return {
        "page_title": f"You said, we did: {organisation.name}",
        "organisation": organisation,
        "introduction": introduction,
        "activities": activities,
        "page_obj": page,
    }


@require_safe
@_same_for_everyone
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_page(request, slug):
    page = selectors.public_page_get(slug=slug)
    return render(
        request,
        "accountability/public_page.html",
        _public_context(request, organisation=page.organisation, introduction=page.introduction),
    )


# ---------------------------------------------------------------------------------------------
# Settings


def _chosen_organisation(request, organisations):
    """The organisation named by ?organisation=, or the first one; 404 for any other."""
    wanted = request.GET.get("organisation")
    if wanted in (None, ""):
        return organisations[0]
    found = next((o for o in organisations if str(o.pk) == wanted), None)
    if found is None:
        raise Http404("No such organisation")
    return found


def _settings_url(organisation, organisations, **extra) -> str:
    url = reverse("accountability:public_page_settings")
    params = {"organisation": organisation.pk} if len(organisations) > 1 else {}
    params.update(extra)
    return url + ("?" + urlencode(params) if params else "")


@login_required
@require_http_methods(["GET", "POST"])
def public_page_settings(request):
    organisations = list(
        account_selectors.organisation_list_where(
            user=request.user, capability=Capability.MANAGE_ENGAGEMENT
        ).order_by("name")
    )
    if not organisations:
        raise Http404("No such page")
    organisation = _chosen_organisation(request, organisations)
    page = selectors.public_page_for(organisation=organisation)
    introduction = page.introduction if page else ""
    if request.method == "GET" and request.GET.get("preview"):
        context = _public_context(request, organisation=organisation, introduction=introduction)
        context.update(
            preview=True,
            is_published=bool(page and page.is_published),
            settings_url=_settings_url(organisation, organisations),
        )
        return render(request, "accountability/public_page.html", context)
    form = PublicPageForm(
        posted(request),
        initial={"is_published": bool(page and page.is_published), "introduction": introduction},
    )
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.public_page_update(
                actor=request.user,
                organisation=organisation,
                is_published=form.cleaned_data["is_published"],
                introduction=form.cleaned_data["introduction"],
            )
        except ValidationError as error:
            form_errors_to_fields(form, error)
        else:
            messages.success(
                request,
                f"{organisation.display_name}'s public page is published."
                if updated.is_published
                else f"Saved. {organisation.display_name}'s public page is not published.",
            )
            return redirect(_settings_url(organisation, organisations))
    public_url = reverse("public:you_said_we_did", kwargs={"slug": organisation.slug})
    return render(
        request,
        "accountability/public_page_settings.html",
        {
            "page_title": "Your public “you said, we did” page",
            "breadcrumbs": [
                {"label": "Home", "url": reverse("home")},
                {"label": "Feedback", "url": reverse("accountability:dashboard")},
                {"label": "Public page"},
            ],
            "form": form,
            "organisation": organisation,
            "organisations": organisations,
            "public_page": page,
            "public_url": request.build_absolute_uri(public_url),
            "preview_url": _settings_url(organisation, organisations, preview=1),
        },
    )

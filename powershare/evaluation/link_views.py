"""Staff pages about answer links: making a link for a session, one link with its address and
QR code (PNG and SVG, for slides and handouts), changing its dates or closing it now, and
single-use paper codes printed as a handout.

Seeing a link and its QR code needs VIEW_LEARNING in the questionnaire's organisation or at
the delivery's site (so a facilitator can put it on the screen in the room); making and
changing links and codes needs MANAGE_LEARNING in the questionnaire's organisation. Anything
else answers 404, never 403.
"""

import datetime
import io

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.lib.forms import act_then_go, posted
from powershare.system.submissions import submit_form_once

from . import selectors, services
from .link_forms import LinkCreateForm, LinkDatesForm, PaperCodesForm, session_label
from .services import POST_CLOSES_DAYS_AFTER

#: Paper codes shown on one page of the handout.
CODES_PER_PAGE = 120
#: QR codes: medium error correction (survives a smudge or a fold), the standard quiet zone,
#: and a PNG big enough to stay sharp on a slide.
QR_ERROR = "m"
QR_BORDER = 4
QR_PNG_SCALE = 10
QR_SVG_SCALE = 10


# ---------------------------------------------------------------------------------------------
# Helpers


def answer_url(request, link) -> str:
    """The full address people answer at: the site's public address when it is set (QR codes
    get printed), otherwise the address this request came to."""
    path = reverse("answer:form", args=[link.token])
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def link_label(link) -> str:
    if link.session_id:
        return session_label(link.session)
    return "A link of its own"


def _detail_url(link) -> str:
    return reverse("evaluation:link_detail", args=[link.pk])


def _crumbs(user, questionnaire, *items):
    crumbs = [
        {"label": "Home", "url": reverse("home")},
        {"label": "Learning", "url": reverse("learning:home")},
    ]
    # A facilitator at the delivery's site sees the link, not the questionnaire's pages.
    if user_can(
        user=user,
        capability=Capability.VIEW_LEARNING,
        organisation_id=questionnaire.organisation_id,
    ):
        crumbs += [
            {"label": "Evaluation", "url": reverse("evaluation:questionnaire_list")},
            {
                "label": questionnaire.title,
                "url": reverse("evaluation:questionnaire_detail", args=[questionnaire.pk]),
            },
        ]
    return [*crumbs, *items]


def _link_crumbs(user, link, *items):
    return _crumbs(
        user, link.questionnaire, {"label": link_label(link), "url": _detail_url(link)}, *items
    )


def _can_manage(user, link) -> bool:
    return user_can(
        user=user,
        capability=Capability.MANAGE_LEARNING,
        organisation_id=link.questionnaire.organisation_id,
    )


def _status(link, today) -> str:
    if today < link.opens_on:
        return "not_yet"
    if today > link.closes_on:
        return "closed"
    return "open"


def _file_name(link, extension: str) -> str:
    parts = [link.questionnaire.code]
    if link.delivery_id:
        parts.append(link.delivery.site.slug)
    parts.append(f"session-{link.session.number}" if link.session_id else f"link-{link.pk}")
    return "-".join(parts) + f"-qr.{extension}"


def _download(content: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


# ---------------------------------------------------------------------------------------------
# Making and changing links


@login_required
@require_http_methods(["GET", "POST"])
def link_create(request, pk):
    user = request.user
    questionnaire = selectors.questionnaire_get_for(
        user=user, pk=pk, may=Capability.MANAGE_LEARNING
    )
    sessions = (
        selectors.sessions_for_new_link(questionnaire=questionnaire)
        if questionnaire.product_id
        else None
    )
    today = timezone.localdate()
    form = LinkCreateForm(
        posted(request),
        sessions=sessions,
        initial={
            "opens_on": today,
            "closes_on": today + datetime.timedelta(days=POST_CLOSES_DAYS_AFTER),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            link = services.link_create(
                actor=user,
                questionnaire=questionnaire,
                session=data.get("session"),
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                needs_code=data["needs_code"],
            )
            return _detail_url(link)

        done = submit_form_once(
            request,
            form,
            create,
            success="Link made. Share its address or QR code with the people who will answer.",
        )
        if done is not None:
            return done
    return render(
        request,
        "evaluation/link_form.html",
        {
            "page_title": "Make an answer link",
            "page_caption": questionnaire.title,
            "breadcrumbs": _crumbs(user, questionnaire, {"label": "Make an answer link"}),
            "questionnaire": questionnaire,
            "form": form,
            "creating": True,
            "cancel_url": reverse("evaluation:questionnaire_detail", args=[questionnaire.pk]),
        },
    )


@login_required
@require_GET
def link_detail(request, pk):
    user = request.user
    link = selectors.link_get_for(user=user, pk=pk)
    questionnaire = link.questionnaire
    today = timezone.localdate()
    return render(
        request,
        "evaluation/link_detail.html",
        {
            "page_title": "Answer link",
            "page_caption": questionnaire.title,
            "breadcrumbs": _crumbs(user, questionnaire, {"label": link_label(link)}),
            "link": link,
            "label": link_label(link),
            "questionnaire": questionnaire,
            "url": answer_url(request, link),
            "status": _status(link, today),
            "figures": selectors.link_figures(link=link),
            "can_manage": _can_manage(user, link),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def link_edit(request, pk):
    user = request.user
    link = selectors.link_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    today = timezone.localdate()
    problem = ""
    if request.method == "POST" and "close_now" in request.POST:

        def close():
            services.link_close_now(actor=user, link=link)
            return "The link is closed: nobody can answer through it now."

        response, problem = act_then_go(
            request, close, to=_detail_url(link), not_found="No such link"
        )
        if response is not None:
            return response
        form = LinkDatesForm(
            initial={
                "opens_on": link.opens_on,
                "closes_on": link.closes_on,
                "needs_code": link.needs_code,
            }
        )
    else:
        form = LinkDatesForm(
            posted(request),
            initial={
                "opens_on": link.opens_on,
                "closes_on": link.closes_on,
                "needs_code": link.needs_code,
            },
        )
        if request.method == "POST" and form.is_valid():

            def change():
                services.link_update(actor=user, link=link, **form.cleaned_data)
                return "Link changed."

            response, _ = act_then_go(
                request, change, to=_detail_url(link), form=form, not_found="No such link"
            )
            if response is not None:
                return response
    return render(
        request,
        "evaluation/link_form.html",
        {
            "page_title": "Change the answer link",
            "page_caption": link.questionnaire.title,
            "breadcrumbs": _link_crumbs(user, link, {"label": "Change"}),
            "questionnaire": link.questionnaire,
            "link": link,
            "label": link_label(link),
            "form": form,
            "creating": False,
            "open_now": _status(link, today) == "open",
            "error": problem,
            "cancel_url": _detail_url(link),
        },
    )


# ---------------------------------------------------------------------------------------------
# QR codes


def _qr(request, pk):
    link = selectors.link_get_for(user=request.user, pk=pk)
    url = answer_url(request, link)
    return link, url, segno.make(url, error=QR_ERROR)


@login_required
@require_GET
def link_qr_svg(request, pk):
    link, url, qr = _qr(request, pk)
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        scale=QR_SVG_SCALE,
        border=QR_BORDER,
        title=f"QR code for {link.questionnaire.title}: {url}",
        dark="#000000",
        light="#ffffff",
    )
    return _download(out.getvalue(), "image/svg+xml", _file_name(link, "svg"))


@login_required
@require_GET
def link_qr_png(request, pk):
    link, _, qr = _qr(request, pk)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=QR_PNG_SCALE, border=QR_BORDER)
    return _download(out.getvalue(), "image/png", _file_name(link, "png"))


# ---------------------------------------------------------------------------------------------
# Paper codes


@login_required
@require_http_methods(["GET", "POST"])
def paper_codes(request, pk):
    user = request.user
    link = selectors.link_get_for(user=user, pk=pk, may=Capability.MANAGE_LEARNING)
    form = PaperCodesForm(posted(request))
    if request.method == "POST" and form.is_valid():
        count = form.cleaned_data["count"]

        def make():
            services.paper_codes_make(actor=user, link=link, count=count)
            return reverse("evaluation:paper_codes", args=[link.pk])

        done = submit_form_once(
            request,
            form,
            make,
            success=f"{count} code{'' if count == 1 else 's'} made. Print this page to hand "
            "them out.",
        )
        if done is not None:
            return done
    page = Paginator(selectors.paper_codes_unused(link=link), CODES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "evaluation/paper_codes.html",
        {
            "page_title": "Paper codes",
            "page_caption": link.questionnaire.title,
            "breadcrumbs": _link_crumbs(user, link, {"label": "Paper codes"}),
            "link": link,
            "label": link_label(link),
            "questionnaire": link.questionnaire,
            "url": answer_url(request, link),
            "figures": selectors.link_figures(link=link),
            "page_obj": page,
            "codes": page.object_list,
            "form": form,
        },
    )

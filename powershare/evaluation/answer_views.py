"""The anonymous answer pages, reached through a session's link or QR code without signing in.

Anonymous means anonymous: these views never sign anyone in, start no session, send no
message through the session, log nothing about the person and audit nothing (the answers are
not personal data). What is stored is what services.response_submit stores.

One response per browser: the first visit sets a random cookie, limited to this link's
address. Only a hash of it is kept, in a table with no tie to the answers (LinkReceipt), so
the same browser is told it has already answered, and nobody can tell which answers were its.
"""

import re
import secrets

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from powershare.lib.forms import posted

from . import selectors, services
from .answer_forms import AnswerForm

COOKIE = "answer_browser"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _private(response):
    """Nothing here belongs in a shared cache or a search engine."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _browser_token(request) -> str:
    """This browser's random token for the link, or "" when it has none (or a strange one)."""
    token = request.COOKIES.get(COOKIE, "")
    return token if _TOKEN_SHAPE.match(token) else ""


def _set_cookie(request, response, link) -> None:
    response.set_cookie(
        COOKIE,
        secrets.token_urlsafe(24),
        max_age=COOKIE_MAX_AGE,
        path=reverse("answer:form", args=[link.token]),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def _already_answered(link, token: str) -> bool:
    return bool(token) and selectors.link_answered_from(
        link=link, browser_hash=services.browser_hash(token)
    )


def _context(link, **extra) -> dict:
    questionnaire = link.questionnaire
    return {
        "page_title": questionnaire.title,
        "page_caption": "Anonymous questionnaire",
        "link": link,
        "questionnaire": questionnaire,
        **extra,
    }


def _page(request, template, link, **extra):
    return _private(render(request, template, _context(link, **extra)))


def _open_today(link, today) -> bool:
    cancelled = link.delivery_id is not None and link.delivery.is_cancelled
    return link.is_open_on(today) and not cancelled


def _not_open_page(request, link, today):
    return _page(
        request,
        "evaluation/answer/not_open.html",
        link,
        not_yet=today < link.opens_on and not (link.delivery_id and link.delivery.is_cancelled),
    )


def _already_page(request, link):
    return _page(request, "evaluation/answer/already.html", link)


def _show_errors(form, error: ValidationError) -> None:
    """A service's refusal on the field it is about (questions are named by their code)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, messages in error.error_dict.items():
        name = form.field_for_code(key) or (key if key in form.fields else None)
        form.add_error(name, messages)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    link = selectors.link_by_token(token=token)
    questionnaire = link.questionnaire
    today = timezone.localdate()
    browser = _browser_token(request)
    if not _open_today(link, today):
        response = _not_open_page(request, link, today)
    elif _already_answered(link, browser):
        response = _already_page(request, link)
    else:
        form = AnswerForm(
            posted(request),
            questions=selectors.question_list(questionnaire=questionnaire),
            needs_code=link.needs_code,
            ask_pairing_code=questionnaire.ask_pairing_code,
        )
        if request.method == "POST" and form.is_valid():
            answers, texts = form.answers()
            try:
                services.response_submit(
                    link=link,
                    answers=answers,
                    texts=texts,
                    browser_token=browser,
                    paper_code=form.cleaned_data.get("paper_code", ""),
                    pairing_code=form.cleaned_data.get("pairing_code", ""),
                    today=today,
                )
            except services.AlreadyAnswered:
                return _already_page(request, link)
            except ValidationError as error:
                _show_errors(form, error)
            else:
                return redirect("answer:thanks", token=link.token)
        response = _page(
            request,
            "evaluation/answer/form.html",
            link,
            form=form,
            groups=form.groups(),
        )
    if request.method == "GET" and not browser:
        _set_cookie(request, response, link)
    return response


@never_cache
@require_http_methods(["GET"])
def thanks(request, token):
    link = selectors.link_by_token(token=token)
    return _page(
        request,
        "evaluation/answer/thanks.html",
        link,
        page_title="Thank you",
        page_caption=link.questionnaire.title,
    )

"""The anonymous answer pages, reached through a session's link or QR code without signing in.

Anonymous means anonymous: these views never sign anyone in, start no session, send no
message through the session, log nothing about the person and audit nothing (the answers are
not personal data). What is stored is what services.response_submit stores.

One response per browser: after someone sends their answers, their browser gets a cookie
limited to this link's address, holding a random value signed with the link's token. The
server keeps nothing about it, so nothing on the server can ever be matched to the answers;
the same browser is told it has already answered. (A table of cookie hashes was tried and
dropped: its rows were written in the same order as the responses, so a cookie could be
matched to its answers.)
"""

import secrets

from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from powershare.lib.forms import posted

from . import selectors, services
from .answer_forms import AnswerForm

COOKIE = "answer_browser"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365
_SALT = "evaluation.answered"


def _private(response):
    """Nothing here belongs in a shared cache or a search engine."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _set_answered_cookie(request, response, link) -> None:
    value = signing.dumps([link.token, secrets.token_urlsafe(12)], salt=_SALT, compress=True)
    response.set_cookie(
        COOKIE,
        value,
        max_age=COOKIE_MAX_AGE,
        path=reverse("answer:form", args=[link.token]),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def _already_answered(request, link) -> bool:
    """This browser sent answers through this link (its signed cookie says so)."""
    try:
        token, _ = signing.loads(request.COOKIES.get(COOKIE, ""), salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return False
    return token == link.token


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


@sensitive_post_parameters()  # never put someone's answers in an error report
@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    link = selectors.link_by_token(token=token)
    questionnaire = link.questionnaire
    today = timezone.localdate()
    if not _open_today(link, today):
        response = _not_open_page(request, link, today)
    elif _already_answered(request, link):
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
                    paper_code=form.cleaned_data.get("paper_code", ""),
                    pairing_code=form.cleaned_data.get("pairing_code", ""),
                    today=today,
                    questions=form.questions,
                )
            except ValidationError as error:
                _show_errors(form, error)
            else:
                done = redirect("answer:thanks", token=link.token)
                _set_answered_cookie(request, done, link)
                return done
        response = _page(
            request,
            "evaluation/answer/form.html",
            link,
            form=form,
            groups=form.groups(),
        )
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

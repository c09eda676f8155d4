"""Placeholder views: replaced by the real pages (issue 11)."""

from django.http import HttpResponse


def home(request):
    return HttpResponse(status=501)


def round_create(request):
    return HttpResponse(status=501)


def round_detail(request, pk):
    return HttpResponse(status=501)


def round_progress(request, pk):
    return HttpResponse(status=501)


def round_edit(request, pk):
    return HttpResponse(status=501)


def round_councils(request, pk):
    return HttpResponse(status=501)


def round_narrative(request, pk):
    return HttpResponse(status=501)


def round_copy(request, pk):
    return HttpResponse(status=501)


def reminders_send(request, pk):
    return HttpResponse(status=501)


def round_questions(request, pk):
    return HttpResponse(status=501)


def question_add(request, pk):
    return HttpResponse(status=501)


def question_edit(request, pk):
    return HttpResponse(status=501)


def question_remove(request, pk):
    return HttpResponse(status=501)


def question_move(request, pk):
    return HttpResponse(status=501)


def return_reopen(request, pk):
    return HttpResponse(status=501)

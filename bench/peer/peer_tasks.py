"""What the benchmarks ask of the peer, run with the peer's virtualenv python (never PowerShare's):

    python peer_tasks.py setup --name NAME       # migrate; make (once) the survey; print JSON
    python peer_tasks.py count --survey ID       # responses and answers stored; print JSON
    python peer_tasks.py submit-check --survey ID --post JSON   # POST it as a browser would
    python peer_tasks.py results --survey ID --runs N [--warm-up N] [--tracemalloc]

`results` times the peer's own report (survey.exporter.tex.Survey2Tex.create_tex over the
agree-or-disagree questions: for each, Question2TexChart, which counts the answers with
Question.sorted_answers_cardinality) and prints the median, each run, the peak resident
memory of this process, optionally the tracemalloc peak of one more run, and the counts the
report used (recorded as they pass, for the benchmark to compare with PowerShare's).

The environment comes from bench/peer.environment(): PYTHONPATH=bench/peer,
DJANGO_SETTINGS_MODULE=peer_site.settings, PEER_DATABASE_URL.
"""

import argparse
import json
import resource
import statistics
import sys
import time

import django

#: The five-point agree scale, as the peer stores a choice: slugified.
AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
PREFER_NOT = "Prefer not to say"
#: (text, type, choices) in order: 5 outcome statements (2nd and 4th offer "prefer not to
#: say"), 4 reaction statements, 1 free-text question — PowerShare's bench questionnaire.
QUESTIONS = [
    *(
        (f"Statement ilo-{n}", "radio", AGREE + ([PREFER_NOT] if n in (2, 4) else []))
        for n in range(1, 6)
    ),
    *((f"Statement {c}", "radio", AGREE) for c in ("useful", "recommend", "led-well", "supported")),
    ("Statement will-do-next", "text", []),
]


def process_peak_mib() -> float:
    """This process's own peak resident memory: VmHWM (Linux), which starts afresh at exec
    (getrusage's ru_maxrss begins with the parent's peak when started by a large process)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(name: str) -> dict:
    import datetime

    from django.core.management import call_command
    from django.utils.text import slugify

    call_command("migrate", verbosity=0)
    from survey.models import Question, Survey

    survey = Survey.objects.filter(name=name).first()
    if survey is None:
        survey = Survey.objects.create(
            name=name,
            description="After the learning",
            is_published=True,
            need_logged_user=False,
            editable_answers=True,
            display_method=Survey.ALL_IN_ONE_PAGE,
            publish_date=datetime.date(2020, 1, 1),
            expire_date=datetime.date(2099, 12, 31),
        )
        for order, (text, qtype, choices) in enumerate(QUESTIONS, 1):
            Question.objects.create(
                survey=survey,
                text=text,
                order=order,
                required=False,
                type=qtype,
                choices=",".join(choices) if choices else None,
            )
    questions = list(survey.questions.order_by("order", "pk"))
    post = {}
    for question in questions:
        if question.type == "text":
            post[f"question_{question.pk}"] = "Ask the people we work with first."
        else:
            post[f"question_{question.pk}"] = slugify("Agree")
    return {
        "survey_id": survey.pk,
        "question_ids": [q.pk for q in questions],
        "likert_question_ids": [q.pk for q in questions if q.type != "text"],
        "choices": {
            str(q.pk): [slugify(c, allow_unicode=True) for c in q.get_clean_choices()]
            for q in questions
        },
        "path": survey.get_absolute_url(),
        "post": post,
        "csrf": {"cookie": "csrftoken", "field": "csrfmiddlewaretoken", "header": "X-CSRFToken"},
    }


def count(survey_id: int) -> dict:
    from survey.models import Answer, Response

    return {
        "responses": Response.objects.filter(survey_id=survey_id).count(),
        "answers": Answer.objects.filter(response__survey_id=survey_id).count(),
    }


def submit_check(survey_id: int, post: dict, times: int) -> dict:
    """GET the answer page and POST the body `times` times as a browser would (CSRF cookie and
    field, checks enforced), through the full middleware stack: each must redirect to the
    confirmation page and store one Response and one Answer per question."""
    import re

    from django.test import Client
    from survey.models import Survey

    path = Survey.objects.get(pk=survey_id).get_absolute_url()
    before = count(survey_id)
    statuses = []
    for _ in range(times):
        client = Client(enforce_csrf_checks=True)
        page = client.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        body = dict(post, csrfmiddlewaretoken=token.group(1) if token else "")
        statuses.append((page.status_code, client.post(path, body).status_code))
    after = count(survey_id)
    return {
        "statuses": statuses,
        "responses_added": after["responses"] - before["responses"],
        "answers_added": after["answers"] - before["answers"],
    }


def results(survey_id: int, runs: int, warm_up: int, trace: bool) -> dict:
    import gc
    import tracemalloc

    from survey.exporter.tex.survey2tex import Survey2Tex
    from survey.models import Question, Survey

    survey = Survey.objects.get(pk=survey_id)
    likert = list(survey.questions.exclude(type="text").order_by("order", "pk"))
    recorded: dict = {}
    original = Question.sorted_answers_cardinality

    def recording(self, *args, **kwargs):
        # The peer's own method, called as its report calls it; its result kept for the check.
        cardinality = original(self, *args, **kwargs)
        recorded[self.pk] = dict(cardinality)
        return cardinality

    Question.sorted_answers_cardinality = recording

    def report() -> str:
        return Survey2Tex(survey).create_tex(questions=likert)

    for _ in range(warm_up):
        report()
    seconds, cpu = [], []
    for _ in range(runs):
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        report()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    rss = process_peak_mib()
    traced = None
    if trace:
        gc.collect()
        tracemalloc.start()
        report()
        traced = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return {
        "runs": runs,
        "warm_up": warm_up,
        "seconds": [round(s, 3) for s in seconds],
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "min_ms": round(min(seconds) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
        "cpu_median_ms": round(statistics.median(cpu) * 1000, 1),
        "peak_rss_mib": round(rss, 1),
        "python_peak_mib": round(traced, 1) if traced is not None else None,
        "counts": {str(pk): c for pk, c in recorded.items()},
        "django": django.get_version(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--name", default="PowerShare bench")
    p = sub.add_parser("count")
    p.add_argument("--survey", type=int, required=True)
    p = sub.add_parser("submit-check")
    p.add_argument("--survey", type=int, required=True)
    p.add_argument("--post", required=True, help="The body as JSON.")
    p.add_argument("--times", type=int, default=2)
    p = sub.add_parser("results")
    p.add_argument("--survey", type=int, required=True)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--warm-up", type=int, default=0)
    p.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    django.setup()
    if args.command == "setup":
        out = setup(args.name)
    elif args.command == "count":
        out = count(args.survey)
    elif args.command == "submit-check":
        out = submit_check(args.survey, json.loads(args.post), args.times)
    else:
        out = results(args.survey, args.runs, args.warm_up, args.tracemalloc)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

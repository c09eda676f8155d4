"""Anonymous submission over HTTP: PowerShare's answer page, the peer's survey page and a bare
Django view, side by side (issue 12).

    .venv/bin/python bench/http_submit.py --database-url URL [--quick] --json FILE

Three servers, each gunicorn with 2 sync workers on 127.0.0.1 (a free port), one after another
under the same load from wrk (-t1 -c8 unless told) in a second process:

1. PowerShare (`config.wsgi`, debug off, as harness.django_environment sets it; plain HTTP, so
   the HTTPS redirect is turned off with DJANGO_SECURE_SSL_REDIRECT=0). The target is the
   anonymous answer page (answer:form) of a link made here through services.link_create: a
   product's standard "after" questionnaire, on a session of one of its deliveries, open
   today. Every POST is a complete, valid set of answers with a fixed CSRF cookie and token
   pair and without the "already answered" cookie, so each one is a real submission (302 to
   the thank-you page).
2. The peer, django-survey-and-report 1.5.0, in its own virtualenv (bench/peer), on its own
   throwaway database of the same kind, posting its survey's valid form.
3. The floor: bench/bare, one Django view that reads the POST and answers a tiny page (same
   Python, Django and gunicorn; CSRF middleware on).

The servers run together but only one is under load at a time: a short warm-up each, then
`--rounds` rounds of `--duration` seconds, the servers taking turns in each round (so a change
in the machine's load touches all three alike); requests per second are the median of the
rounds, latencies (p50/p99, wrk --latency) are the round with the median rate. After each run
the stored rows are counted: they must equal the successful responses wrk saw, plus at most
the requests still in flight when wrk stopped (the server completes those after wrk has gone;
bench/wrk/post.lua counts them). Any other status or socket error is an error, and there must
be none. Queries per submission are counted in-process for one POST (Django's test client,
CaptureQueriesContext), for PowerShare and, in its virtualenv, for the peer.

Why -t1 -c8 and sync workers: the machine has 2 cores for wrk, the server and the database.
One wrk thread costs little; 8 connections keep both sync workers busy while the other
requests wait in the listen queue (so the latencies include that wait, the same for every
server). Sync workers are what PowerShare's deployment notes use and the simplest like-for-
like setting; with threads, the servers' waits for the database (the peer commits each of
its ~20 writes separately) would overlap and favour the one that waits most. The application
CPU time per request (from /proc, gunicorn's master and workers) is reported beside the rate:
it is less disturbed than the rate by other work on the machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

BENCH = Path(__file__).resolve().parent
LUA = BENCH / "wrk" / "post.lua"
BARE = BENCH / "bare"
WORKERS = 2
TEXT_ANSWER = "The stories from people with lived experience stayed with me."
#: Settings every PowerShare process here gets on top of harness.django_environment: the
#: servers are reached over plain HTTP on 127.0.0.1, so no redirect to HTTPS.
PLAIN_HTTP = {"DJANGO_SECURE_SSL_REDIRECT": "0"}


def parse_args():
    parser = harness.arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, help="Seconds of load per run (10; 2 quick).")
    parser.add_argument("--rounds", type=int, help="Rounds of runs per server (3; 1 quick).")
    parser.add_argument("--warm-up", type=float, help="Seconds of warm-up per server (3; 1 quick).")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c (8).")
    parser.add_argument("--threads", type=int, default=1, help="wrk -t (1).")
    parser.add_argument(
        "--servers",
        default="powershare,peer,bare",
        help="Comma-separated servers to run, of powershare, peer, bare (all).",
    )
    args = parser.parse_args()
    args.duration = args.duration or (2.0 if args.quick else 10.0)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.warm_up = args.warm_up if args.warm_up is not None else (1.0 if args.quick else 3.0)
    args.servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    return args


# Servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (Linux /proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """One gunicorn (2 sync workers) on a free port, its output in a temporary file."""

    def __init__(self, name: str, label: str, python: Path, app: str, env: dict, **kw):
        self.name, self.label = name, label
        self.port = free_port()
        self.path = kw.get("path", "/")
        self.ready_path = kw.get("ready_path", self.path)
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix=f"http-{name}-", suffix=".log", delete=False
        )
        command = [str(python), "-m", "gunicorn", app, "--workers", str(WORKERS)]
        command += ["--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--log-level", "warning", "--timeout", "60", "--graceful-timeout", "5"]
        command += ["--backlog", "2048"]
        if kw.get("chdir"):
            command += ["--chdir", str(kw["chdir"])]
        self.command = command
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=kw.get("cwd", harness.ROOT),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def ready(self, timeout: float = 90) -> None:
        """Wait until both workers are up and have loaded the application."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.label} did not start:\n{self.output()}")
            if len(self.workers()) == WORKERS:
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", self.port), timeout=1),
                ):
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{self.label} was not ready in {timeout} s:\n{self.output()}")
        # Each worker loads the application (URLs, views) on its first request: a few
        # requests at once reach both workers before any load is measured.
        with ThreadPoolExecutor(2 * WORKERS) as pool:
            statuses = list(pool.map(self._get, [self.ready_path] * 2 * WORKERS))
        if not all(statuses):
            raise RuntimeError(f"{self.label} did not answer {self.ready_path}:\n{self.output()}")

    def _get(self, path: str) -> int:
        try:
            with urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=120) as response:
                return response.status
        except HTTPError as error:
            return error.code
        except OSError:
            return 0

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """CPU time of the master and its workers so far (the application's share; the
        database server's is not counted)."""
        return _cpu_seconds(self.process.pid) + sum(_cpu_seconds(p) for p in self.workers())

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self, wait: bool = True) -> None:
        """Gunicorn's quick shutdown (SIGINT): nothing is under load any more."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        if wait:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.log.close()
            Path(self.log.name).unlink(missing_ok=True)


def stop_all(servers: list[Server]) -> None:
    for server in servers:
        server.stop(wait=False)
    for server in servers:
        server.stop()


# wrk -------------------------------------------------------------------------------------------


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit(
            "wrk is not installed: apt-get install -y wrk (scripts/ensure_test_tools.sh)"
        )
    return found


def wrk_run(args, server: Server, body_file: Path, cookie: str, seconds: float) -> dict:
    command = [wrk_binary(), f"-t{args.threads}", f"-c{args.connections}"]
    command += [f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "30s"]
    command += ["-s", str(LUA), server.url, "--", str(body_file), cookie]
    cpu_before = server.cpu_seconds()
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    cpu = server.cpu_seconds() - cpu_before
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(line.removeprefix("WRK_JSON "))
    responses = sum(result["statuses"].values())
    result["rps"] = responses / (result["duration_us"] / 1e6)
    result["in_flight"] = max(0, result["started"] - responses)
    result["socket_errors"] = sum(
        result["errors"][k] for k in ("connect", "read", "write", "timeout")
    )
    result["server_cpu_ms_per_request"] = 1000 * cpu / responses if responses else None
    return result


# The three sites -------------------------------------------------------------------------------


class Target:
    """A server under test: what to POST, and how to count what it stored."""

    name = label = ""
    expect = 302

    def __init__(self):
        self.server: Server | None = None
        self.runs: list[dict] = []
        self.checks: list[dict] = []
        self.queries: dict | None = None
        self.note = ""
        self.last_stored: int | None = None

    def stored(self) -> int | None:
        return None

    def check(self, result: dict, before: int | None, after: int | None) -> dict:
        ok = result["statuses"].get(str(self.expect), 0)
        wrong = {k: v for k, v in result["statuses"].items() if k != str(self.expect)}
        check = {
            "ok": ok,
            "wrong_status": wrong,
            "socket_errors": result["socket_errors"],
            "in_flight": result["in_flight"],
        }
        if before is not None and after is not None:
            check["stored"] = after - before
            check["stored_matches"] = ok <= after - before <= ok + result["in_flight"]
        return check

    def settle(self) -> int | None:
        """The stored count once the server has finished what wrk left in flight."""
        last, stable_since = self.stored(), time.monotonic()
        while last is not None and time.monotonic() - stable_since < 0.3:
            time.sleep(0.1)
            now = self.stored()
            if now != last:
                last, stable_since = now, time.monotonic()
        return last


class PowerShare(Target):
    name, label = "powershare", "PowerShare answer page"

    def __init__(self, url: str):
        super().__init__()
        self.database_url = url
        os.environ.update(PLAIN_HTTP)
        harness.django_setup(url)
        self.link = self._open_link()
        self.csrf = secrets.token_hex(16)  # 32 characters a-f0-9: a valid CSRF secret
        self.form = self._answers()
        self.body = urlencode({"csrfmiddlewaretoken": self.csrf, **self.form})
        self.cookie = f"csrftoken={self.csrf}"

    def _open_link(self):
        """An answer link open today to a product's standard after-questionnaire, for a
        session of one of its deliveries: a new one, made as that council's learning staff
        would, on the first session free for it; when none is free (a database this script
        has already used many times), a link open today from before."""
        import datetime

        from django.utils import timezone

        from powershare.evaluation import selectors, services
        from powershare.evaluation.models import AnswerLink, Questionnaire, QuestionnaireKind

        today = timezone.localdate()
        questionnaires = Questionnaire.objects.filter(
            is_standard=True, kind=QuestionnaireKind.POST
        ).order_by("pk")
        for questionnaire in questionnaires:
            session = selectors.sessions_for_new_link(questionnaire=questionnaire).first()
            actor = _learning_staff(questionnaire.organisation_id) if session else None
            if actor is None:
                continue
            link = services.link_create(
                actor=actor,
                questionnaire=questionnaire,
                session=session,
                opens_on=today - datetime.timedelta(days=1),
                closes_on=today + datetime.timedelta(days=30),
            )
            return selectors.link_by_token(token=link.token)
        link = (
            AnswerLink.objects.filter(
                questionnaire__in=questionnaires,
                session__isnull=False,
                delivery__cancelled_at__isnull=True,
                needs_code=False,
                opens_on__lte=today,
                closes_on__gte=today,
            )
            .order_by("-pk")
            .first()
        )
        if link is None:
            raise SystemExit("No standard questionnaire with a session free for a new link.")
        return selectors.link_by_token(token=link.token)

    def _answers(self) -> dict:
        """A complete, valid answer to every open question, as the form names them."""
        from powershare.evaluation import selectors
        from powershare.evaluation.answer_forms import field_name
        from powershare.evaluation.models import QuestionType

        form = {}
        for question in selectors.question_list(questionnaire=self.link.questionnaire):
            if question.is_closed:
                continue
            name = field_name(question)
            if question.type == QuestionType.LIKERT:
                form[name] = "4"
            elif question.type == QuestionType.YES_NO:
                form[name] = "1"
            elif question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
                form[name] = str(question.choices.all()[0].value)
            elif question.type == QuestionType.NUMBER:
                form[name] = "7"
            else:
                form[name] = TEXT_ANSWER
        if self.link.questionnaire.ask_pairing_code:
            form["pairing_code"] = "bench pairing code"
        return form

    @property
    def path(self) -> str:
        from django.urls import reverse

        return reverse("answer:form", args=[self.link.token])

    def stored(self) -> int:
        from powershare.evaluation.models import QuestionnaireResponse

        return QuestionnaireResponse.objects.filter(link_id=self.link.pk).count()

    def count_queries(self) -> dict:
        """One POST through Django's test client, its queries captured."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        for _ in range(2):  # the second, as a running server would (caches filled)
            client = Client(enforce_csrf_checks=True)
            client.cookies["csrftoken"] = self.csrf
            with CaptureQueriesContext(connection) as captured:
                response = client.post(self.path, {"csrfmiddlewaretoken": self.csrf, **self.form})
        connection.close()  # nothing held open (SQLite) while the servers write
        if response.status_code != self.expect:
            raise RuntimeError(f"PowerShare answered {response.status_code}, not {self.expect}")
        return _query_summary([q["sql"] for q in captured.captured_queries])

    def start(self) -> None:
        from django.db import connections

        connections.close_all()  # nothing held open (SQLite) while the servers write
        env = {**harness.django_environment(self.database_url), **PLAIN_HTTP}
        self.server = Server(
            self.name,
            self.label,
            harness.PYTHON,
            "config.wsgi",
            env,
            path=self.path,
            ready_path="/healthz",
        )


def _learning_staff(organisation_id: int):
    """Someone who may make answer links in this organisation (None if nobody may)."""
    from powershare.accounts.models import User
    from powershare.accounts.roles import Capability
    from powershare.accounts.selectors import user_can

    members = User.objects.filter(
        memberships__organisation_id=organisation_id,
        memberships__ended_at__isnull=True,
        is_active=True,
    ).order_by("pk")
    return next(
        (
            user
            for user in members
            if user_can(
                user=user,
                capability=Capability.MANAGE_LEARNING,
                organisation_id=organisation_id,
            )
        ),
        None,
    )


class Bare(Target):
    name, label = "bare", "Bare Django view (floor)"
    expect = 200

    def __init__(self, form: dict):
        super().__init__()
        self.csrf = secrets.token_hex(16)
        self.body = urlencode({"csrfmiddlewaretoken": self.csrf, **form})
        self.cookie = f"csrftoken={self.csrf}"
        self.queries = {"statements": 0, "transaction": 0, "captured": 0, "sql": []}

    def start(self) -> None:
        env = dict(os.environ)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.server = Server(
            self.name,
            self.label,
            harness.PYTHON,
            "bare_site:application",
            env,
            chdir=BARE,
            path="/answer/",
        )


class Peer(Target):
    """django-survey-and-report 1.5.0 through bench/peer (its own virtualenv and database):
    its survey of 9 agree-or-disagree questions and one free-text question, all answered."""

    name, label = "peer", "django-survey-and-report 1.5.0 survey page"

    def __init__(self, vendor: str, stack: contextlib.ExitStack):
        super().__init__()
        import peer

        self.peer = peer
        self.python = Path(peer.ensure_venv())
        self.database_url = stack.enter_context(
            harness.throwaway_database(vendor, label="peerhttp")
        )
        made = peer.setup(self.database_url)
        self.survey_id = made["survey_id"]
        self.path = made["path"]
        csrf = made.get("csrf") or {}
        token = secrets.token_hex(16)
        field = csrf.get("field", "csrfmiddlewaretoken")
        self.body = urlencode({field: token, **made["post"]}, doseq=True)
        self.cookie = f"{csrf.get('cookie', 'csrftoken')}={token}"
        self.env = peer.environment(self.database_url)
        self.cwd = getattr(peer, "HERE", BENCH / "peer")

    def stored(self) -> int:
        return _count_rows(self.database_url, "survey_response", "survey_id", self.survey_id)

    def count_queries(self) -> dict | None:
        """The same in-process count, run by the peer's Python in its environment."""
        code = _PEER_QUERIES.format(path=self.path, body=self.body, cookie=self.cookie)
        done = subprocess.run(
            [str(self.python), "-c", code],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        line = next((x for x in done.stdout.splitlines() if x.startswith("QUERIES ")), None)
        if done.returncode != 0 or line is None:
            self.note = "queries not counted: " + (done.stderr.strip().splitlines() or ["?"])[-1]
            return None
        status, sql = json.loads(line.removeprefix("QUERIES "))
        if status != self.expect:
            self.note = f"queries not counted: the peer answered {status}"
            return None
        return _query_summary(sql)

    def start(self) -> None:
        self.server = Server(
            self.name,
            self.label,
            self.python,
            "peer_site.wsgi:application",
            self.env,
            cwd=self.cwd,
            path=self.path,
        )


_PEER_QUERIES = r"""
import json, django
django.setup()
from http.cookies import SimpleCookie
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
cookie = SimpleCookie()
cookie.load({cookie!r})
for _ in range(2):  # the second, as a running server would (caches filled)
    client = Client(enforce_csrf_checks=True)
    for key, morsel in cookie.items():
        client.cookies[key] = morsel.value
    with CaptureQueriesContext(connection) as captured:
        response = client.post({path!r}, data={body!r},
                               content_type="application/x-www-form-urlencoded")
print("QUERIES " + json.dumps([response.status_code, [q["sql"] for q in captured]]))
"""


def _count_rows(url: str, table: str, column: str, value: int) -> int:
    """Rows of `table` whose `column` is `value`, read straight from the database."""
    sql = f"SELECT count(*) FROM {table} WHERE {column} = "  # noqa: S608 - our own names
    if harness.vendor_of(url) == "sqlite":
        import sqlite3

        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            return db.execute(sql + "?", [value]).fetchone()[0]
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        return db.execute(sql + "%s", [value]).fetchone()[0]


def _is_transaction_control(sql: str) -> bool:
    words = sql.split()
    return bool(words) and words[0].upper() in {
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
    }


def _query_summary(sql: list[str]) -> dict:
    """Statements that read or write, apart from transaction control (BEGIN [IMMEDIATE],
    COMMIT, savepoints), which Django's query log also holds."""
    control = sum(1 for one in sql if _is_transaction_control(one))
    return {
        "statements": len(sql) - control,
        "transaction": control,
        "captured": len(sql),
        "sql": [one[:300] for one in sql],
    }


def _statement_kinds(sql: list[str]) -> list[str]:
    """'SELECT evaluation_answerlink', 'INSERT evaluation_answer', ... for each statement."""
    import re

    kinds = []
    for one in sql:
        if _is_transaction_control(one):
            continue
        verb = one.split()[0].upper() if one.split() else ""
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?([\w.]+)"?', one, re.IGNORECASE)
        kinds.append(f"{verb} {table.group(1) if table else '?'}")
    return kinds


# Running ---------------------------------------------------------------------------------------


def load(args, target: Target, seconds: float, folder: Path, record: bool) -> dict:
    body_file = folder / f"{target.name}.body"
    body_file.write_text(target.body)
    before = target.last_stored if target.last_stored is not None else target.settle()
    result = wrk_run(args, target.server, body_file, target.cookie, seconds)
    after = target.last_stored = target.settle()
    check = target.check(result, before, after)
    result["ok_rps"] = check["ok"] / (result["duration_us"] / 1e6)
    harness.say(
        f"{target.name}: {result['rps']:,.0f} req/s, p50 {result['latency_us']['p50'] / 1000:.1f}"
        f" ms, p99 {result['latency_us']['p99'] / 1000:.1f} ms, {check}"
    )
    if record:
        target.runs.append(result)
    target.checks.append(check)
    return result


def measure(args) -> tuple[list[Target], dict]:
    vendor = harness.vendor_of(args.database_url)
    targets: list[Target] = []
    skipped: list[str] = []
    servers: list[Server] = []

    def start(target: Target) -> None:
        target.start()
        servers.append(target.server)

    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        stack.callback(lambda: stop_all(servers))
        try:
            with ThreadPoolExecutor(1) as pool:
                peer_made = None
                if "peer" in args.servers:
                    import peer

                    if args.quick and not (peer.VENV / "bin" / "python").exists():
                        # Installing it takes a while: the quick pass goes without it until
                        # it is made (make bench, or bench/results.py, makes it).
                        skipped.append("the peer (its virtualenv is not installed yet)")
                        harness.say("peer skipped in the quick pass: .bench/peer-venv not there")
                    else:  # its database is made and migrated meanwhile
                        peer_made = pool.submit(Peer, vendor, stack)
                powershare = PowerShare(args.database_url)
                if "powershare" in args.servers:
                    targets.append(powershare)
                    start(powershare)
                if "bare" in args.servers:
                    bare = Bare(powershare.form)
                    start(bare)
                powershare.queries = powershare.count_queries()  # while the servers start
                harness.say(
                    f"PowerShare: link {powershare.path}, "
                    f"{powershare.queries['statements']} statements"
                )
                if peer_made is not None:
                    targets.append(peer_made.result())
                    start(targets[-1])
                    counted = pool.submit(targets[-1].count_queries)
                if "bare" in args.servers:
                    targets.append(bare)
                for target in targets:
                    target.server.ready()
                harness.say("servers ready: " + ", ".join(t.server.url for t in targets))
                if peer_made is not None:
                    next(t for t in targets if isinstance(t, Peer)).queries = counted.result()
            for target in targets:
                if args.warm_up > 0:
                    load(args, target, args.warm_up, folder, record=False)
            for _ in range(args.rounds):
                for target in targets:
                    load(args, target, args.duration, folder, record=True)
        except BaseException:
            for server in servers:
                harness.say(f"{server.name} server output:\n{server.output()}")
            raise
        commands = [
            " ".join(targets[0].server.command[1:]).replace(str(harness.ROOT) + "/", "")
            if targets
            else "",
            f"wrk -t{args.threads} -c{args.connections} -d{round(args.duration)}s --latency "
            "-s bench/wrk/post.lua URL -- BODY_FILE COOKIE",
        ]
    return targets, {"commands": commands, "skipped": skipped}


def summarise(target: Target) -> dict:
    rates = [r["ok_rps"] for r in target.runs]
    middle = sorted(target.runs, key=lambda r: r["ok_rps"])[len(target.runs) // 2]
    cpu = [r["server_cpu_ms_per_request"] for r in target.runs if r["server_cpu_ms_per_request"]]
    errors = sum(sum(c["wrong_status"].values()) + c["socket_errors"] for c in target.checks)
    stored_ok = all(c.get("stored_matches", True) for c in target.checks)
    return {
        "label": target.label,
        "rps_median": round(statistics.median(rates), 1),
        "rps_runs": [round(r, 1) for r in rates],
        "p50_ms": round(middle["latency_us"]["p50"] / 1000, 2),
        "p99_ms": round(middle["latency_us"]["p99"] / 1000, 2),
        "server_cpu_ms_per_request": round(statistics.median(cpu), 2) if cpu else None,
        "requests": sum(sum(r["statuses"].values()) for r in target.runs),
        "errors": errors,
        "stored_matches": stored_ok if any("stored" in c for c in target.checks) else None,
        "checks": target.checks,
        "queries": target.queries,
        "note": target.note,
        "runs": target.runs,
    }


def main() -> None:
    args = parse_args()
    wrk_binary()
    started = time.perf_counter()
    targets, extra = measure(args)
    figures = {t.name: summarise(t) for t in targets}
    figures["settings"] = {
        "workers": WORKERS,
        "worker_class": "sync",
        "wrk_threads": args.threads,
        "connections": args.connections,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "warm_up_s": args.warm_up,
        "seconds": round(time.perf_counter() - started, 1),
        "skipped": extra["skipped"],
    }
    ps, peer, bare = (figures.get(n) for n in ("powershare", "peer", "bare"))
    rows = []
    for name in ("powershare", "peer", "bare"):
        f = figures.get(name)
        if f is None:
            continue
        q = f["queries"]
        queries = "–" if q is None else f"{q['statements']} (+{q['transaction']} BEGIN/COMMIT)"
        stored = {True: "yes", False: "NO", None: "–"}[f["stored_matches"]]
        rows.append(
            [
                f["label"],
                f"{f['rps_median']:,.0f}",
                harness.fmt_ms(f["p50_ms"]),
                harness.fmt_ms(f["p99_ms"]),
                f"{f['errors']:,}",
                stored,
                queries,
                "–"
                if not f["server_cpu_ms_per_request"]
                else f"{f['server_cpu_ms_per_request']} ms",
                harness.fmt_ratio(ps["rps_median"] / f["rps_median"])
                if ps and f["rps_median"]
                else "–",
            ]
        )
    note = (
        f"gunicorn with {WORKERS} sync workers per server on 127.0.0.1, wrk -t{args.threads} "
        f"-c{args.connections} in a second process, on a {harness.machine()['nproc']}-core "
        "machine that also runs the database; "
        f"{args.rounds} round(s) of {args.duration:g} s per server after a {args.warm_up:g} s "
        "warm-up, the servers taking turns. Requests/s: successful submissions per second "
        "(302 for PowerShare and the peer, 200 for the floor), the median round; p50/p99 from "
        "that round. PowerShare's POST answers 9 agree-or-disagree questions and 3 in people's "
        "own words; the peer's 9 and 1. 'Stored = answered': the new rows equal the successful "
        "responses (plus at most the requests still in flight when wrk stopped). Queries: SQL "
        "statements of one submission, counted in-process, plus transaction control. App CPU: "
        "the gunicorn processes' CPU time per request (the database server's is not in it)."
    )
    if extra["skipped"]:
        note += " Not run: " + "; ".join(extra["skipped"]) + "."
    tables = [
        harness.table(
            "Anonymous submission over HTTP",
            [
                "Server",
                "Requests/s",
                "p50",
                "p99",
                "Errors",
                "Stored = answered",
                "Queries per submission",
                "App CPU per request",
                "PowerShare ÷ this",
            ],
            rows,
            note=note,
        )
    ]
    targets_out = []
    if ps and peer:
        ratio = ps["rps_median"] / peer["rps_median"] if peer["rps_median"] else float("inf")
        why = ""
        if ratio < 10:
            cpu = (ps["server_cpu_ms_per_request"], peer["server_cpu_ms_per_request"])
            why = (
                "Both are bound by the 2 cores they share with the database and wrk: PowerShare "
                f"takes {cpu[0]} ms of application CPU per submission to the peer's {cpu[1]} ms, "
                "most of it Django (middleware, form, ORM) for its statements; the floor shows "
                "what Django alone costs. Next: the questionnaire's questions kept in each "
                "process (keyed by a version the question services change) and fewer model "
                "objects on the answer page (see docs/benchmarks.md)."
            )
        targets_out.append(
            harness.target(
                "Anonymous submissions per second, PowerShare vs the peer",
                "≥ 10× the peer's",
                f"{harness.fmt_ratio(ratio)} ({ps['rps_median']:,.0f} vs "
                f"{peer['rps_median']:,.0f} per second)",
                ratio >= 10,
                why=why,
            )
        )
    if ps and ps["queries"]:
        q = ps["queries"]
        kinds = ", ".join(_statement_kinds(q["sql"]))
        targets_out.append(
            harness.target(
                "Queries per anonymous submission",
                "≤ 6",
                f"{q['statements']} (+{q['transaction']} BEGIN/COMMIT)",
                q["statements"] <= 6,
                why="" if q["statements"] <= 6 else f"The statements: {kinds}.",
            )
        )
    if ps and (ps["errors"] or ps["stored_matches"] is False):
        targets_out.append(
            harness.target(
                "Every submission stored, no errors",
                "0 errors",
                f"{ps['errors']} errors, stored rows match: {ps['stored_matches']}",
                False,
                why="see figures.powershare.checks in the JSON",
            )
        )
    if ps and bare:
        figures["powershare_vs_bare"] = round(ps["rps_median"] / bare["rps_median"], 3)
    if ps and peer:
        figures["powershare_vs_peer"] = round(ps["rps_median"] / peer["rps_median"], 2)
    body = harness.report(
        benchmark="http_submit",
        args=args,
        tables=tables,
        targets=targets_out,
        figures=figures,
        commands=[" ".join([Path(sys.executable).name, *sys.argv]), *extra["commands"]],
    )
    for table in body["tables"]:
        print(f"\n{table['title']}\n")
        print(" | ".join(table["columns"]))
        for row in table["rows"]:
            print(" | ".join(str(c) for c in row))
    for t in body["targets"]:
        print(
            f"- {t['what']}: {t['measured']} (goal {t['goal']}: {'met' if t['met'] else 'missed'})"
        )
    # The peer's own errors (if any) are its figures; PowerShare's or the floor's stop the run.
    bad = [f["label"] for f in (ps, bare) if f and (f["errors"] or f["stored_matches"] is False)]
    if bad:
        raise SystemExit(f"errors or unstored submissions: {', '.join(bad)} (see the JSON)")


if __name__ == "__main__":
    main()

"""Scale-out: two PowerShare instances and two task workers on one PostgreSQL database, under
load. Does every background task run exactly once, with no error and the right results?

    .venv/bin/python bench/scale_out.py --database-url URL [--quick] --json FILE

On the database `bench/run.py` made and filled (`manage.py bench_generate`), it starts:

- two app instances: gunicorn, 2 sync workers each (1 with --quick), on two free ports;
- two task workers: `manage.py db_worker` (PowerShare's, with its heartbeat), polling every
  half second, each with its own --worker-id;

all with `harness.django_environment(url)` (debug off, as in production, served over plain
HTTP), the same secret key, and the settings in bench/scale_out_settings.py: email goes to
files in a temporary folder, so every message either worker sends is counted afterwards.

Then staff sign in (a session made here for each council's bench participation lead,
`bench.lead.<slug>@bench.example`) and, from several threads at once, each request going to
the other instance than the one before, do through the web pages what queues background work:

- invite a few people from the register to an activity that has not ended (invitation emails);
- start a "you said, we did" letter for an activity whose contributions all have a response,
  give it a title, and send it (feedback emails);
- book learners on a course that has not finished (booking emails, waiting list when full).

Then, at the same moment on both instances, the same form twice (a double click that reaches
two servers: a booking, an invitation, a letter), and two different forms inviting the same
person to the same activity (two members of staff, or two browser tabs, at once).

When both workers have emptied the queue it checks: every task queued since the start ran once
(SUCCESSFUL, run by one worker, none FAILED, none left READY or RUNNING) and was queued once
(no invitation, letter or booking in two tasks); every email expected arrived once (no two
messages to the same person about the same thing) and nothing else was sent; no request had an
error (no 5xx, no unexpected 4xx); and the database says what the actions should have made
(the invitations asked for and no others, each letter sent once with every email recipient
marked as emailed, one booking per learner and no course over capacity).

Scheduled work is kept out: before the workers start, every scheduled task is marked as just
queued (and put back afterwards), so their heartbeats queue nothing during the run and the
counts are the actions' alone. The sessions it made are deleted; what the actions made stays.

On SQLite it reports "not applicable" (one file, one writer: scaling out means PostgreSQL).
"""

from __future__ import annotations

import contextlib
import datetime
import email
import email.policy
import html
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

BENCH = Path(__file__).resolve().parent
SETTINGS = "scale_out_settings"
WORKER_INTERVAL = 0.5  # seconds a worker waits before looking again when the queue is empty
START_TIMEOUT = 60
DRAIN_TIMEOUT = {"quick": 60, "full": 600}
REQUEST_TIMEOUT = 120

#: How much each council's member of staff does. Quick: a few actions, still both instances and
#: both workers; full: enough requests in flight at once to find a race, and no more.
PLANS = {
    # Quick: 1 gunicorn worker per instance (still two instances, two task workers), a few
    # actions, the races for one council.
    "quick": {
        "councils": 3,
        "threads": 3,
        "gunicorn_workers": 1,
        "invites": 1,
        "people": 2,
        "letters": 1,
        "bookings": 2,
        "probes": 1,
    },
    "full": {
        "councils": 12,
        "threads": 6,
        "gunicorn_workers": 2,
        "invites": 2,
        "people": 3,
        "letters": 1,
        "bookings": 2,
        "probes": 4,
    },
}

say = harness.say


# Processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def terminate(self) -> None:
        """SIGTERM to the process group it leads (gunicorn's master and its workers); a task
        worker finishes the task it is running first."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)

    def wait(self, timeout: float = 20) -> None:
        """Wait for it to end; SIGKILL to its group if it does not."""
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)


def start(name: str, command: list[str], env: dict, folder: Path) -> Process:
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            command,
            cwd=harness.ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
    return Process(name, popen, log)


def wait_up(port: int, process: Process, timeout: float = START_TIMEOUT) -> dict:
    """Wait until the instance answers /healthz with its database reachable; its report (a 503
    there for another reason, say a migration the database lacks, is reported, not fatal)."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} stopped at start:\n{process.tail()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            body = response.read()
            connection.close()
            report = json.loads(body)
            if report.get("database") == "ok":
                return {"status": response.status, **report}
            last = f"{response.status} {body[:300]!r}"
        except (OSError, ValueError) as error:
            last = str(error)
        time.sleep(0.25)
    raise RuntimeError(f"{process.name} not up after {timeout} s: {last}\n{process.tail()}")


def wait_workers(worker_ids: list[str], workers: list[Process], timeout=START_TIMEOUT) -> None:
    """Wait until each worker has recorded its first heartbeat (it takes tasks after that)."""
    from powershare.system.models import WorkerHeartbeat

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            if worker.popen.poll() is not None:
                raise RuntimeError(f"{worker.name} stopped at start:\n{worker.tail()}")
        if WorkerHeartbeat.objects.filter(worker_id__in=worker_ids).count() == len(worker_ids):
            return
        time.sleep(0.25)
    raise RuntimeError(f"the workers did not start in {timeout} s")


# The load driver -----------------------------------------------------------------------------


@dataclass
class Hit:
    method: str
    what: str
    port: int
    status: int
    ms: float
    ok: bool
    note: str = ""


class Browser:
    """One member of staff's browser: their cookies, and each request to the other instance
    than the one before (so a form fetched from one is sent to the other)."""

    def __init__(self, ports, session_key: str, hits: list, lock, *, follow: bool = True):
        self.ports, self.follow = ports, follow
        self.turn = random.randrange(len(ports))
        self.cookies = {"sessionid": session_key}
        self.connections: dict[int, http.client.HTTPConnection] = {}
        self.hits, self.lock = hits, lock

    def next_port(self) -> int:
        self.turn = (self.turn + 1) % len(self.ports)
        return self.ports[self.turn]

    def _connection(self, port: int) -> http.client.HTTPConnection:
        if port not in self.connections:
            self.connections[port] = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=REQUEST_TIMEOUT
            )
        return self.connections[port]

    def request(
        self,
        method: str,
        path: str,
        data: dict | list | None = None,
        *,
        what: str,
        expect: tuple[int, ...],
        port: int | None = None,
    ) -> tuple[int, str, str]:
        """(status, body, location). Redirects are not followed here."""
        port = port or self.next_port()
        headers = {"Host": f"127.0.0.1:{port}", "User-Agent": "powershare-bench-scale-out"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        started = time.perf_counter()
        for attempt in (1, 2):
            connection = self._connection(port)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                text = response.read().decode("utf-8", errors="replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed: once more on a new one. (gunicorn's
                # sync workers close after each response; a failure on a new one is real.)
                connection.close()
                del self.connections[port]
                if attempt == 2:
                    raise
        ms = (time.perf_counter() - started) * 1000
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            self.connections.pop(port, None)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        ok = response.status in expect
        note = "" if ok else _problem_text(text)
        with self.lock:
            self.hits.append(Hit(method, what, port, response.status, ms, ok, note))
        return response.status, text, response.getheader("Location", "")

    def get(self, path: str, *, what: str, expect=(200,), port=None) -> str:
        return self.request("GET", path, what=what, expect=expect, port=port)[1]

    def post(self, path: str, data, *, what: str, expect=(302,), port=None, follow=True):
        status, text, location = self.request(
            "POST", path, data, what=what, expect=expect, port=port
        )
        if status == 302 and follow and self.follow and location.startswith("/"):
            # What a browser does next: the page it is sent to, with the message about it.
            self.get(location, what=f"{what} (page after)")
        return status, text, location

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()


def _problem_text(text: str) -> str:
    found = re.search(r'class="ds_error-summary[^"]*".*?</(?:ul|div)>', text, re.S)
    chunk = found.group(0) if found else text[:400]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", chunk)).split())[:300]


def hidden(text: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', text) or re.search(
        rf'value="([^"]*)" name="{name}"', text
    )
    if not found:
        raise LookupError(f"no {name} on the page")
    return html.unescape(found.group(1))


def tokens(text: str) -> dict:
    data = {"csrfmiddlewaretoken": hidden(text, "csrfmiddlewaretoken")}
    with contextlib.suppress(LookupError):
        data["form_token"] = hidden(text, "form_token")
    return data


# What is done --------------------------------------------------------------------------------


@dataclass
class Council:
    organisation_id: int
    slug: str
    user_id: int
    session_key: str = ""
    open_activities: list[int] = field(default_factory=list)
    letter_activities: list[int] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)


@dataclass
class Ledger:
    """What the actions asked for, to compare with what the database and the mail say."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    invited: set = field(default_factory=set)  # (activity_id, person_id) a POST asked for
    invite_posts: int = 0
    letters: set = field(default_factory=set)  # letter ids sent
    letter_subjects: dict = field(default_factory=dict)  # letter id -> subject
    booked: list = field(default_factory=list)  # (delivery_id, learner email) per booking asked
    skipped: list = field(default_factory=list)
    probes: dict = field(default_factory=dict)  # race -> [{statuses, what it touched}]

    def probe(self, name: str, result: dict) -> None:
        with self.lock:
            self.probes.setdefault(name, []).append(result)


def invite(b: Browser, ledger: Ledger, activity_id: int, people: int, rng, taken, lock) -> bool:
    """Tick `people` people not yet invited on the invite page's first page and invite them."""
    from django.urls import reverse

    path = reverse("engagement:invite", args=[activity_id])
    page = b.get(path, what="invite page")
    choices = [int(v) for v in re.findall(r'type="checkbox" name="people" value="(\d+)"', page)]
    with lock:
        choices = [pk for pk in choices if (activity_id, pk) not in taken]
        chosen = rng.sample(choices, min(people, len(choices)))
        taken.update((activity_id, pk) for pk in chosen)
    if not chosen:
        return False
    data = tokens(page) | {"people": [str(pk) for pk in chosen]}
    status, _, _ = b.post(path, data, what="invite people")
    if status == 302:
        with ledger.lock:
            ledger.invited.update((activity_id, pk) for pk in chosen)
            ledger.invite_posts += 1
    return True


def send_letter(b: Browser, ledger: Ledger, activity_id: int, run_id: str) -> bool:
    from django.urls import reverse

    compose = reverse("accountability:letter_compose", args=[activity_id])
    page = b.get(compose, what="letter page")
    if 'name="start"' in page:
        b.post(compose, tokens(page) | {"start": "1"}, what="start a letter", follow=False)
        page = b.get(compose, what="letter page")
    if 'name="send"' not in page:
        return False
    subject = f"What we did with what you told us (bench {run_id}, activity {activity_id})"
    data = tokens(page) | {
        "subject": subject,
        "opening": "Thank you for taking part. Here is what we did with what you told us.",
        "closing": "Get in touch if you have any questions.",
        "send": "1",
    }
    status, _, location = b.post(compose, data, what="save the letter", follow=False)
    match = re.search(r"/letters/(\d+)/send/", location or "")
    if status != 302 or not match:
        return False
    letter_id = int(match.group(1))
    page = b.get(location, what="letter send page")
    if "Send the letter" not in page:
        return False
    status, _, _ = b.post(location, tokens(page), what="send the letter")
    if status == 302:
        with ledger.lock:
            ledger.letters.add(letter_id)
            ledger.letter_subjects[letter_id] = subject
    return True


def book(b: Browser, ledger: Ledger, delivery_id: int, learner_email: str, n: int) -> bool:
    from django.urls import reverse

    path = reverse("learning:booking_create", args=[delivery_id])
    page = b.get(path, what="booking page")
    data = tokens(page) | {
        "name": f"Bench Learner {n}",
        "email": learner_email,
        "job_role": "Social worker",
        "team": "Bench team",
    }
    status, _, _ = b.post(path, data, what="book a learner")
    if status == 302:
        with ledger.lock:
            ledger.booked.append((delivery_id, learner_email))
    return True


def post_both(pair: list[Browser], ports, path: str, forms: list, what: str, expect) -> list:
    """POST forms[i] from pair[i] to instance i, both released at the same moment, as a double
    click that reaches both servers; their statuses (or the exception, as text)."""
    barrier = threading.Barrier(2)
    statuses: list = [None, None]

    def send(i: int) -> None:
        barrier.wait()
        try:
            statuses[i] = pair[i].request(
                "POST", path, forms[i], what=what, expect=expect, port=ports[i]
            )[0]
        except Exception as error:  # noqa: BLE001 - reported as the probe's result
            statuses[i] = repr(error)

    threads = [threading.Thread(target=send, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def probes(council: Council, ports, hits, lock, ledger: Ledger, run_id: str, rng, taken) -> None:
    """Races on purpose: the same form sent to both instances at the same moment (a booking, an
    invitation, a letter), and two different forms inviting the same person at once."""
    from django.urls import reverse

    pair = [Browser(ports, council.session_key, hits, lock) for _ in range(2)]

    def share_cookies() -> None:
        # One browser double-clicking: the same cookies (and so the same CSRF secret) on both.
        pair[1].cookies = dict(pair[0].cookies)

    # 1. The same booking form twice at once. The second may be told the learner is already
    # booked (200) or that the form was already sent (302): either way, one booking.
    if council.deliveries:
        path = reverse("learning:booking_create", args=[council.deliveries[0]])
        page = pair[0].get(path, what="booking page")
        share_cookies()
        learner = f"bench.scaleout.{run_id}.double@bench.example"
        data = tokens(page) | {"name": "Bench Double", "email": learner, "team": "Bench team"}
        statuses = post_both(pair, ports, path, [data, data], "booking form twice", (200, 302))
        ledger.probe("booking form twice", {"statuses": statuses, "email": learner})
        if 302 in statuses:
            ledger.booked.append((council.deliveries[0], learner))

    # 2. The same invitation form twice at once; 3. two different forms (two tabs, or two
    # members of staff) inviting the same person at once. Both must end on the activity page.
    for activity_id in council.open_activities[-3:]:
        path = reverse("engagement:invite", args=[activity_id])
        page = pair[0].get(path, what="invite page")
        share_cookies()
        choices = [int(v) for v in re.findall(r'type="checkbox" name="people" value="(\d+)"', page)]
        choices = [pk for pk in choices if (activity_id, pk) not in taken]
        if len(choices) < 3:
            continue
        first, second, both = rng.sample(choices, 3)
        taken.update((activity_id, pk) for pk in (first, second, both))
        same = tokens(page) | {"people": [str(first)]}
        statuses = post_both(pair, ports, path, [same, same], "invite form twice", (302,))
        ledger.probe("invite form twice", {"statuses": statuses, "activity": activity_id})
        if 302 in statuses:
            ledger.invited.add((activity_id, first))
        pages = [b.get(path, what="invite page") for b in pair]
        forms = [
            tokens(pages[0]) | {"people": [str(second), str(both)]},
            tokens(pages[1]) | {"people": [str(both)]},
        ]
        what = "invite one person from two forms"
        statuses = post_both(pair, ports, path, forms, what, (302,))
        ledger.probe(
            "one person from two forms",
            {
                "statuses": statuses,
                "activity": activity_id,
                "person": both,
            },
        )
        if statuses[0] == 302:
            ledger.invited.update({(activity_id, second), (activity_id, both)})
        if statuses[1] == 302:
            ledger.invited.add((activity_id, both))
        break

    # 4. The same letter sent from both instances at once: one is sent, the other is told it
    # already was (200) or that the form was already sent (302).
    for activity_id in council.letter_activities[-2:]:
        compose = reverse("accountability:letter_compose", args=[activity_id])
        page = pair[0].get(compose, what="letter page")
        if 'name="start"' in page:
            pair[0].post(
                compose, tokens(page) | {"start": "1"}, what="start a letter", follow=False
            )
            page = pair[0].get(compose, what="letter page")
        if 'name="send"' not in page:
            continue
        subject = f"What we did with what you told us (bench {run_id}, twice, {activity_id})"
        data = tokens(page) | {"subject": subject, "opening": "Thank you.", "send": "1"}
        status, _, location = pair[0].post(compose, data, what="save the letter", follow=False)
        match = re.search(r"/letters/(\d+)/send/", location or "")
        if status != 302 or not match:
            continue
        page = pair[0].get(location, what="letter send page")
        share_cookies()
        form = tokens(page)
        statuses = post_both(pair, ports, location, [form, form], "letter sent twice", (200, 302))
        letter_id = int(match.group(1))
        ledger.probe("letter sent twice", {"statuses": statuses, "letter": letter_id})
        if 302 in statuses:
            ledger.letters.add(letter_id)
            ledger.letter_subjects[letter_id] = subject
        break
    for b in pair:
        b.close()


# Before and after ----------------------------------------------------------------------------


def councils_for(plan: dict, rng) -> list[Council]:
    from django.db.models import Max

    from powershare.accountability.selectors import with_loop_status
    from powershare.accounts.models import Membership
    from powershare.accounts.roles import Role
    from powershare.engagement.models import Activity
    from powershare.learning.models import Delivery

    today = datetime.date.today()
    memberships = (
        Membership.objects.filter(
            role=Role.PARTICIPATION_LEAD,
            ended_at__isnull=True,
            user__email__startswith="bench.lead.",
            user__email__endswith="@bench.example",
            user__is_active=True,
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )
    found = []
    for m in memberships:
        council = Council(m.organisation_id, m.organisation.slug, m.user_id)
        council.deliveries = list(
            Delivery.objects.filter(organisation_id=m.organisation_id, cancelled_at__isnull=True)
            .annotate(last=Max("sessions__date"))
            .filter(last__gte=today)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        found.append(council)
    # Councils with a course to book on first, so bookings happen at every scale.
    found.sort(key=lambda c: (not c.deliveries, rng.random()))
    found = found[: plan["councils"]]
    for council in found:
        live = Activity.objects.filter(
            organisation_id=council.organisation_id, cancelled_at__isnull=True
        )
        council.open_activities = list(
            live.filter(ends_on__gte=today).order_by("?").values_list("pk", flat=True)[:12]
        )
        # Activities whose contributions all have a response: loops ready to close first, then
        # closed ones (a second letter is allowed). Looked for among a random 300 of them.
        sample = list(live.order_by("?").values_list("pk", flat=True)[:300])
        ready = with_loop_status(live.filter(pk__in=sample)).filter(
            without_response=0, contribution_total__gt=0
        )
        states = list(ready.values_list("pk", "loop_state"))
        council.letter_activities = [pk for pk, state in states if state == "ready"][:6]
        council.letter_activities += [pk for pk, state in states if state == "closed"][:6]
    return found


def sessions_make(councils: list[Council]) -> None:
    """A signed-in session for each council's lead, as django.contrib.auth.login makes it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from powershare.accounts.models import User

    users = User.objects.in_bulk([c.user_id for c in councils])
    for council in councils:
        user = users[council.user_id]
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        council.session_key = store.session_key


def sessions_delete(councils: list[Council]) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=[c.session_key for c in councils]).delete()


@contextlib.contextmanager
def scheduled_work_held():
    """Mark every scheduled task as just queued, so the workers' heartbeats queue none during
    the run; put the marks back afterwards."""
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    from powershare.system.models import ScheduledRun
    from powershare.system.schedule import scheduled

    # A task module registers its scheduled tasks when imported, and not every app imports its
    # own at start (a worker learns of them when it first runs one of that app's tasks).
    for config in apps.get_app_configs():
        if config.name.startswith("powershare."):
            try:
                import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.tasks":
                    raise
    names = [item.name for item in scheduled()]
    before = dict(ScheduledRun.objects.filter(name__in=names).values_list("name", "last_queued_at"))
    now = timezone.now()
    for name in names:
        ScheduledRun.objects.update_or_create(name=name, defaults={"last_queued_at": now})
    try:
        yield names
    finally:
        ScheduledRun.objects.filter(name__in=[n for n in names if n not in before]).delete()
        for name, when in before.items():
            ScheduledRun.objects.filter(name=name).update(last_queued_at=when)


def read_mail(folder: Path) -> list[dict]:
    separator = b"\n" + b"-" * 79 + b"\n"
    messages = []
    for path in sorted(folder.glob("*")):
        for chunk in path.read_bytes().split(separator):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk, policy=email.policy.default)
            messages.append(
                {"to": str(message["To"]).strip().lower(), "subject": str(message["Subject"])}
            )
    return messages


def mail_key(message: dict, letter_subjects: set[str]) -> tuple:
    subject, to = " ".join(message["subject"].split()), message["to"]
    if subject.startswith("You're invited: "):
        return ("invitation", to, subject[len("You're invited: ") :].rsplit(" (", 1)[0])
    if subject.startswith(("You're booked: ", "You're on the waiting list: ")):
        return ("booking", to)
    if subject in letter_subjects:
        return ("letter", to, subject)
    return ("other", to, subject)


def drain(started, timeout: float, workers: list[Process]) -> bool:
    """Wait until no task queued since `started` is READY or RUNNING (False: time ran out)."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            if worker.popen.poll() is not None:
                raise RuntimeError(f"{worker.name} stopped:\n{worker.tail()}")
        pending = DBTaskResult.objects.filter(
            enqueued_at__gte=started, status__in=["READY", "RUNNING"]
        )
        if not pending.exists():
            return True
        time.sleep(0.25)
    return False


def verify(ledger: Ledger, launched, started, worker_ids: list[str], mail: list[dict]) -> dict:
    """Compare what the actions asked for with the task table, the mail and the database."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from powershare.accountability.models import Delivery as Via
    from powershare.accountability.models import FeedbackLetter, FeedbackRecipient
    from powershare.engagement.models import Invitation
    from powershare.engagement.tasks import invitation_emails_send  # noqa: F401
    from powershare.learning.models import Booking, BookingStatus
    from powershare.learning.models import Delivery as Course
    from powershare.people.models import ConsentPurpose, ContactChannel
    from powershare.people.selectors import may_we

    tasks = list(DBTaskResult.objects.filter(enqueued_at__gte=started))
    # Tasks queued before the run (by something else) that our workers ran during it: theirs
    # are the only other emails allowed.
    earlier = [
        t
        for t in DBTaskResult.objects.filter(enqueued_at__lt=started, started_at__gte=launched)
        if set(t.worker_ids) & set(worker_ids)
    ]
    earlier_sent = sum(t.return_value or 0 for t in earlier if t.status == "SUCCESSFUL")
    by_status = Counter(t.status for t in tasks)
    by_kind = Counter(t.task_path.rsplit(".", 1)[-1] for t in tasks)
    ran_twice = [str(t.id) for t in tasks if len(t.worker_ids) > 1]
    share = Counter(t.worker_ids[-1] for t in tasks if t.worker_ids)
    strangers = [w for w in share if w not in worker_ids]
    problems: list[str] = []
    for t in tasks:
        if t.status == "FAILED":
            problems.append(f"task {t.task_path} failed: {t.traceback.strip().splitlines()[-1]}")

    # Each thing was queued once: no invitation, letter or booking in two tasks.
    queued: Counter = Counter()
    for t in tasks:
        kwargs = t.args_kwargs.get("kwargs", {})
        if t.task_path.endswith("invitation_emails_send"):
            queued.update(("invitation", pk) for pk in kwargs["invitation_ids"])
        elif t.task_path.endswith("feedback_emails_send"):
            queued[("letter", kwargs["letter_id"])] += 1
        elif t.task_path.endswith("booking_email_send"):
            queued[("booking", kwargs["booking_id"])] += 1
        else:
            problems.append(f"a task nobody asked for was queued: {t.task_path}")
    queued_twice = sorted(str(k) for k, n in queued.items() if n > 1)

    # The invitations: exactly those asked for (none lost, none extra, none twice).
    made = list(
        Invitation.objects.filter(invited_at__gte=started)
        .select_related("person", "activity")
        .order_by("pk")
    )
    pairs = Counter((i.activity_id, i.person_id) for i in made)
    if set(pairs) != ledger.invited or any(n > 1 for n in pairs.values()):
        problems.append(
            f"invitations: {len(ledger.invited)} asked for, {len(made)} made "
            f"({len(set(pairs) - ledger.invited)} unasked, {len(ledger.invited - set(pairs))} missing)"
        )
    if {("invitation", i.pk) for i in made} != {k for k in queued if k[0] == "invitation"}:
        problems.append("invitations: the invitations in the tasks are not the ones made")

    # The letters: each sent once, every email recipient marked as emailed.
    letters = FeedbackLetter.objects.filter(pk__in=ledger.letters)
    if sorted(letters.filter(status="sent").values_list("pk", flat=True)) != sorted(ledger.letters):
        problems.append("letters: not every letter sent is marked as sent")
    recipients = list(
        FeedbackRecipient.objects.filter(letter_id__in=ledger.letters).select_related("person")
    )
    doubled = (
        FeedbackRecipient.objects.filter(letter_id__in=ledger.letters, person__isnull=False)
        .values("letter_id", "person_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    if doubled.exists():
        problems.append(f"letters: {doubled.count()} people recorded twice on one letter")
    by_email = [r for r in recipients if r.delivery == Via.EMAIL and r.person.email]
    unmarked = [r.pk for r in by_email if r.emailed_at is None]
    if unmarked:
        problems.append(f"letters: {len(unmarked)} email recipients not marked as emailed")
    if {("letter", pk) for pk in ledger.letters} != {k for k in queued if k[0] == "letter"}:
        problems.append("letters: the letters in the tasks are not the ones sent")

    # The bookings: one per learner asked for; no course over its capacity.
    asked = Counter(e for _, e in ledger.booked)
    bookings = list(
        Booking.objects.filter(learner__email__in=list(asked)).select_related("learner", "delivery")
    )
    got = Counter(b.learner.email for b in bookings)
    if got != asked:
        problems.append(f"bookings: {sum(asked.values())} asked for, {len(bookings)} made")
    if {("booking", b.pk) for b in bookings} != {k for k in queued if k[0] == "booking"}:
        problems.append("bookings: the bookings in the tasks are not the ones made")
    for course in Course.objects.filter(pk__in={d for d, _ in ledger.booked}):
        holding = course.bookings.filter(
            status__in=[BookingStatus.BOOKED, BookingStatus.OFFERED]
        ).count()
        if holding > course.capacity:
            problems.append(f"bookings: course {course.pk} holds {holding} of {course.capacity}")

    # The mail: each expected message once, nothing else.
    expected: Counter = Counter()
    for i in made:
        p = i.person
        if (
            p.email
            and p.contact_channel == ContactChannel.EMAIL
            and not p.check_with_support_contact
            and may_we(person=p, purpose=ConsentPurpose.CONTACT)
        ):
            expected[("invitation", p.email.lower(), i.activity.title)] += 1
    subjects = dict(letters.values_list("pk", "subject"))
    for r in by_email:
        expected[("letter", r.person.email.lower(), subjects[r.letter_id])] += 1
    for b in bookings:
        expected[("booking", b.learner.email.lower())] += 1
    sent = Counter(mail_key(m, set(subjects.values())) for m in mail)
    duplicated = sum(n - expected[k] for k, n in sent.items() if n > expected[k] > 0)
    missing = sum(max(0, n - sent[k]) for k, n in expected.items())
    other = sum(n for k, n in sent.items() if not expected[k])
    returned = sum(t.return_value or 0 for t in tasks if t.status == "SUCCESSFUL")
    returned += earlier_sent
    if duplicated:
        problems.append(f"mail: {duplicated} messages sent twice")
    if missing:
        problems.append(f"mail: {missing} expected messages never sent")
    if other > earlier_sent:
        problems.append(f"mail: {other - earlier_sent} messages nobody asked for")
    if returned != len(mail):
        problems.append(
            f"mail: the tasks say they sent {returned}, the mail folder has {len(mail)}"
        )
    if strangers:
        problems.append(f"tasks run by workers other than ours: {strangers}")
    return {
        "tasks": len(tasks),
        "tasks_by_status": dict(by_status),
        "tasks_by_kind": dict(by_kind),
        "tasks_ran_twice": ran_twice,
        "things_queued_twice": queued_twice,
        "worker_share": {w: share.get(w, 0) for w in worker_ids},
        "invitations_asked": len(ledger.invited),
        "invitations_made": len(made),
        "letters_sent": len(ledger.letters),
        "letter_recipients": len(recipients),
        "letter_email_recipients": len(by_email),
        "bookings_asked": sum(asked.values()),
        "bookings_made": len(bookings),
        "emails_expected": sum(expected.values()),
        "emails_sent": len(mail),
        "emails_duplicated": duplicated,
        "emails_missing": missing,
        "emails_other": max(0, other - earlier_sent),
        "emails_by_kind": dict(Counter(k[0] for k in sent.elements())),
        "tasks_say_sent": returned,
        "earlier_tasks_run": len(earlier),
        "earlier_tasks_emails": earlier_sent,
        "problems": problems,
    }


# The run -------------------------------------------------------------------------------------


def not_applicable(args) -> dict:
    return harness.report(
        benchmark="scale_out",
        args=args,
        tables=[
            harness.table(
                "Scale-out: two app instances and two task workers on one database",
                ["Database", "Result"],
                [["SQLite", "not applicable: one file, one writer (scale out on PostgreSQL)"]],
            )
        ],
        targets=[],
        figures={"applicable": False},
    )


def load(councils, plan, ports, ledger: Ledger, rng, run_id: str, follow: bool):
    """The staff's actions from plan["threads"] threads, then the races on purpose; the
    requests made and the errors the driver met."""
    hits: list[Hit] = []
    errors: list[str] = []
    lock = threading.Lock()
    work = []
    booking = 0
    for council in councils:
        work += [("invite", council, 0)] * plan["invites"]
        work += [("letter", council, 0)] * plan["letters"]
        for _ in range(plan["bookings"] if council.deliveries else 0):
            booking += 1
            work.append(("book", council, booking))
    rng.shuffle(work)
    taken: set = set()  # (activity, person) pairs already chosen by some thread

    def next_of(items: list):
        with lock:
            return items.pop(0) if items else None

    def driver() -> None:
        browsers: dict[int, Browser] = {}
        while (item := next_of(work)) is not None:
            kind, council, n = item
            b = browsers.get(council.organisation_id)
            if b is None:
                b = browsers[council.organisation_id] = Browser(
                    ports, council.session_key, hits, lock, follow=follow
                )
            try:
                if kind == "invite":
                    while (activity := next_of(council.open_activities)) is not None:
                        if invite(b, ledger, activity, plan["people"], rng, taken, lock):
                            break
                    else:
                        ledger.skipped.append(f"{council.slug}: nobody left to invite")
                elif kind == "letter":
                    while (activity := next_of(council.letter_activities)) is not None:
                        if send_letter(b, ledger, activity, run_id):
                            break
                    else:
                        ledger.skipped.append(f"{council.slug}: no letter to send")
                else:
                    learner = f"bench.scaleout.{run_id}.{n}@bench.example"
                    book(b, ledger, council.deliveries[n % len(council.deliveries)], learner, n)
            except Exception as error:  # noqa: BLE001 - counted as an error; the run goes on
                errors.append(f"{kind} {council.slug}: {error!r}")
        for b in browsers.values():
            b.close()

    threads = [threading.Thread(target=driver) for _ in range(plan["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for council in councils[: plan["probes"]]:
        try:
            probes(council, ports, hits, lock, ledger, run_id, rng, taken)
        except Exception as error:  # noqa: BLE001
            errors.append(f"races {council.slug}: {error!r}")
    return hits, errors


def run(args) -> dict:
    mode = "quick" if args.quick else "full"
    plan = PLANS[mode]
    rng = random.Random(args.seed)
    run_id = secrets.token_hex(3)
    phases: dict[str, float] = {}
    clock = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = round(now - clock, 1)
        clock = now
        say(f"{name}: {phases[name]} s")

    # One secret key for this process and every process it starts: the sessions made here
    # must be valid on both instances.
    os.environ["BENCH_SECRET_KEY"] = os.environ.get("BENCH_SECRET_KEY") or secrets.token_hex(32)
    harness.django_setup(args.database_url)
    from django.utils import timezone

    councils = councils_for(plan, rng)
    if not councils:
        raise SystemExit("no bench participation leads: run manage.py bench_generate first")
    sessions_make(councils)
    folder = Path(tempfile.mkdtemp(prefix="powershare-scale-out-"))
    mail_dir = folder / "mail"
    mail_dir.mkdir()
    env = harness.django_environment(args.database_url)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        PYTHONPATH=os.pathsep.join([str(harness.ROOT), str(BENCH)]),
        POWERSHARE_BENCH_MAIL_DIR=str(mail_dir),
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain HTTP on 127.0.0.1, as behind a proxy's TLS
        DJANGO_LOG_LEVEL="WARNING",
    )
    worker_ids = [f"scale-out-{run_id}-worker-{n}" for n in (1, 2)]
    ports = [free_port(), free_port()]
    processes: list[Process] = []
    ledger = Ledger()
    figures: dict = {"plan": plan, "ports": ports, "worker_ids": worker_ids, "phases": phases}
    phase("prepare")
    try:
        with scheduled_work_held():
            launched = timezone.now()
            for n, worker_id in enumerate(worker_ids, 1):
                command = [str(harness.PYTHON), "manage.py", "db_worker", "--no-reload"]
                command += ["--interval", str(WORKER_INTERVAL), "--worker-id", worker_id]
                processes.append(start(f"worker-{n}", command, env, folder))
            for n, port in enumerate(ports, 1):
                command = [str(harness.PYTHON), "-m", "gunicorn", "config.wsgi"]
                command += ["-w", str(plan["gunicorn_workers"]), "-b", f"127.0.0.1:{port}"]
                command += ["--timeout", str(REQUEST_TIMEOUT), "--graceful-timeout", "10"]
                processes.append(start(f"app-{n}", command, env, folder))
            wait_workers(worker_ids, processes[:2])
            figures["healthz"] = [wait_up(port, processes[2 + n]) for n, port in enumerate(ports)]
            phase("start")
            say(f"2 instances on ports {ports[0]} and {ports[1]}, 2 workers; load from "
                f"{plan['threads']} threads, {len(councils)} councils")  # fmt: skip
            started = timezone.now()
            hits, errors = load(councils, plan, ports, ledger, rng, run_id, follow=args.follow)
            phase("load")
            drained = drain(started, DRAIN_TIMEOUT[mode], processes[:2])
            phase("drain")
            result = verify(ledger, launched, started, worker_ids, read_mail(mail_dir))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()
        with contextlib.suppress(Exception):
            sessions_delete(councils)
    phase("check and stop")
    figures["drained"] = drained
    logs = {p.name: p.tail(15) for p in processes}
    crashed = [p.name for p in processes if "Traceback" in p.log.read_text(errors="replace")]
    return summarise(
        args, plan, figures, hits, errors, ledger, result, logs, crashed, councils, folder
    )


def summarise(
    args, plan, figures, hits, errors, ledger, result, logs, crashed, councils, folder
) -> dict:
    bad = [h for h in hits if not h.ok]
    per_port = Counter(h.port for h in hits)
    ms = [h.ms for h in hits]
    by_status = Counter(h.status for h in hits)
    tasks = result["tasks"]
    status = result["tasks_by_status"]
    succeeded, failed = status.get("SUCCESSFUL", 0), status.get("FAILED", 0)
    left = status.get("READY", 0) + status.get("RUNNING", 0)
    shares = result["worker_share"]
    ports, phases = figures["ports"], figures["phases"]
    probes_text = "; ".join(
        f"{name}: " + ", ".join("/".join(str(s) for s in p["statuses"]) for p in found)
        for name, found in ledger.probes.items()
    )
    rows = [
        ["Councils (staff signed in) / driver threads", f"{len(councils)} / {plan['threads']}"],
        [
            "Requests (instance 1 / instance 2)",
            f"{len(hits):,} ({per_port[ports[0]]:,} / {per_port[ports[1]]:,})",
        ],
        ["Responses by status", ", ".join(f"{k}: {v:,}" for k, v in sorted(by_status.items()))],
        ["Request time p50 / p95", f"{_ms(ms, 50)} / {_ms(ms, 95)}" if ms else "–"],
        ["Errors (5xx, unexpected status, driver)", f"{len(bad) + len(errors)}"],
        [
            "Actions",
            f"{ledger.invite_posts} invitation forms ({result['invitations_made']} invitations), "
            f"{result['letters_sent']} letters ({result['letter_recipients']} recipients), "
            f"{result['bookings_made']} bookings"
            + (f"; {len(ledger.skipped)} skipped (nothing left to do)" if ledger.skipped else ""),
        ],
        ["Races on purpose (the two statuses, per council)", probes_text or "–"],
        [
            "Tasks queued / succeeded / failed / left",
            f"{tasks} / {succeeded} / {failed} / {left}",
        ],
        *(
            [
                [
                    "Tasks queued before the run, run in it (emails)",
                    f"{result['earlier_tasks_run']} ({result['earlier_tasks_emails']})",
                ]
            ]
            if result["earlier_tasks_run"]
            else []
        ),  # fmt: skip
        [
            "Tasks run twice / things queued twice",
            f"{len(result['tasks_ran_twice'])} / {len(result['things_queued_twice'])}",
        ],
        [
            "Each worker's share of tasks",
            " / ".join(f"{shares[w]} ({shares[w] / tasks:.0%})" if tasks else "0" for w in shares),
        ],
        [
            "Emails expected / sent / twice / missing / unasked",
            f"{result['emails_expected']} / {result['emails_sent']} / "
            f"{result['emails_duplicated']} / {result['emails_missing']} / {result['emails_other']}",
        ],
        [
            "Seconds: start the 4 processes / load / until the queue was empty after it",
            f"{phases['start']} / {phases['load']} / "
            + (
                f"{phases['drain']}" if figures["drained"] else f"not empty after {phases['drain']}"
            ),
        ],
    ]
    twice = len(result["tasks_ran_twice"]) + len(result["things_queued_twice"])
    twice += result["emails_duplicated"]
    error_count = len(bad) + len(errors) + failed + left + len(crashed)
    consistent = not result["problems"]
    targets = [
        harness.target(
            "Scale-out: no task runs twice (2 instances, 2 workers)",
            "0 tasks run or queued twice, 0 duplicate emails",
            f"{len(result['tasks_ran_twice'])} of {tasks} run twice, "
            f"{len(result['things_queued_twice'])} queued twice, "
            f"{result['emails_duplicated']} duplicate emails",
            twice == 0,
            "" if twice == 0 else "See the tasks and emails listed in the JSON report.",
        ),
        harness.target(
            "Scale-out: no error under load",
            "0 failed requests, 0 failed or unfinished tasks",
            f"{len(bad) + len(errors)} of {len(hits):,} requests, {failed} failed and {left} "
            f"unfinished tasks" + (f", tracebacks in {', '.join(crashed)}" if crashed else ""),
            error_count == 0,
            "" if error_count == 0 else _why(bad, errors, result),
        ),
        harness.target(
            "Scale-out: results consistent",
            "the database and the mail say what the actions made",
            "consistent" if consistent else f"{len(result['problems'])} problems",
            consistent,
            "" if consistent else "; ".join(result["problems"])[:500],
        ),
    ]
    figures.update(
        requests=len(hits),
        requests_by_port={str(k): v for k, v in per_port.items()},
        responses_by_status={str(k): v for k, v in by_status.items()},
        request_ms_p50=round(harness.percentile(ms, 50), 1) if ms else None,
        request_ms_p95=round(harness.percentile(ms, 95), 1) if ms else None,
        request_ms_median_by_page={
            what: round(statistics.median([h.ms for h in hits if h.what == what]), 1)
            for what in sorted({h.what for h in hits})
        },
        failed_requests=[h.__dict__ for h in bad][:50],
        driver_errors=errors[:50],
        skipped=ledger.skipped,
        probes=ledger.probes,
        worker_interval_seconds=WORKER_INTERVAL,
        process_logs_with_tracebacks=crashed,
        process_log_tails={k: v for k, v in logs.items() if k in crashed},
        **result,
    )
    note = (
        f"{len(councils)} councils' participation leads, from {plan['threads']} threads, each "
        "request to the other instance than the one before; gunicorn with "
        f"{plan['gunicorn_workers']} sync worker(s) per instance "
        f"({2 * plan['gunicorn_workers']} requests in flight at once across the two, on 2 "
        "cores: enough to race, not a throughput test); db_worker polling every "
        f"{WORKER_INTERVAL} s. Emails counted from the file backend both workers wrote to."
    )
    body = harness.report(
        benchmark="scale_out",
        args=args,
        tables=[
            harness.table(
                "Scale-out: two app instances and two task workers on one PostgreSQL, under load",
                ["What", "Measured"],
                rows,
                note,
            )
        ],
        targets=targets,
        figures=figures,
    )
    if not any(t["met"] is False for t in targets) and not getattr(args, "keep_files", False):
        with contextlib.suppress(OSError):
            for path in sorted(folder.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            folder.rmdir()
    else:
        say(f"logs and mail kept in {folder}")
    return body


def _ms(values: list[float], p: float) -> str:
    return harness.fmt_ms(harness.percentile(values, p))


def _why(bad: list[Hit], errors: list[str], result: dict) -> str:
    parts = [f"{h.method} {h.what} → {h.status} on :{h.port} {h.note}".strip() for h in bad[:3]]
    parts += errors[:3]
    parts += [p for p in result["problems"] if p.startswith("task")][:3]
    return "; ".join(parts)[:500]


def main(argv: list[str] | None = None) -> int:
    parser = harness.arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--keep-files", action="store_true", help="Keep the logs and the mail.")
    parser.add_argument(
        "--follow",
        action="store_true",
        help="After each form, also load the page it redirects to (as a browser would).",
    )
    args = parser.parse_args(argv)
    sqlite = harness.vendor_of(args.database_url) == "sqlite"
    body = not_applicable(args) if sqlite else run(args)
    for table in body["tables"]:
        print(f"\n{table['title']}\n")
        print("| " + " | ".join(table["columns"]) + " |")
        print("| " + " | ".join("---" for _ in table["columns"]) + " |")
        for row in table["rows"]:
            print("| " + " | ".join(str(c) for c in row) + " |")
    for target in body["targets"]:
        mark = "met" if target["met"] else "MISSED"
        print(f"- {target['what']}: {target['measured']} ({mark}) {target['why']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

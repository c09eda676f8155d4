"""bench/scale_out.py: the parts that need no servers (the SQLite report, reading back the mail
Django's file backend wrote, the form tokens and cookies a browser keeps), and, when asked for
with BENCH_SCALE_OUT_E2E=1 and PostgreSQL is reachable, the quick pass end to end on a database
of its own. (`make test-bench` already runs the quick pass on PostgreSQL through bench/run.py.)"""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness
import pytest
import scale_out


def test_on_sqlite_it_says_not_applicable(tmp_path, bench_report):
    database = tmp_path / "never-made.sqlite3"
    report = bench_report(
        "scale_out.py", "--database-url", f"sqlite:///{database}", "--quick", timeout=60
    )
    assert report["benchmark"] == "scale_out" and report["database"] == "sqlite"
    (table,) = report["tables"]
    assert "not applicable" in table["rows"][0][1]
    assert report["targets"] == []
    assert not database.exists()


def test_the_mail_is_read_back_one_message_each(tmp_path):
    from django.core.mail import EmailMessage
    from django.core.mail.backends.filebased import EmailBackend

    title = "Walkthrough: what matters to you about benefit advice and money worries"
    messages = [
        EmailMessage(f"You're invited: {title} (7 December 2026)", "Hello", to=["A@x.example"]),
        EmailMessage("You're booked: Working with experts, from 1 May 2027", "Hi", to=["b@x.org"]),
        EmailMessage("What we did (bench 1, activity 2)", "Thanks\n" + "-" * 79, to=["c@x.org"]),
    ]
    messages[1].attach("sessions.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    # Two workers' connections: two files, one with two messages.
    EmailBackend(file_path=str(tmp_path)).send_messages(messages[:2])
    EmailBackend(file_path=str(tmp_path)).send_messages(messages[2:])

    mail = scale_out.read_mail(tmp_path)

    assert len(mail) == 3
    keys = sorted(scale_out.mail_key(m, {"What we did (bench 1, activity 2)"}) for m in mail)
    assert keys == [
        ("booking", "b@x.org"),
        ("invitation", "a@x.example", title),
        ("letter", "c@x.org", "What we did (bench 1, activity 2)"),
    ]
    assert scale_out.mail_key({"to": "d@x.org", "subject": "Your reminders"}, set())[0] == "other"


class _Page(BaseHTTPRequestHandler):
    """A page with a form, setting cookies as Django does with debug off (Secure), then one
    deleting the messages cookie. It notes the cookies each request sent."""

    sent: list[str] = []

    def do_GET(self):  # noqa: N802 - the standard library's name
        body = (
            b'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" '
            b'value="abc&amp;123"><input type="hidden" name="form_token" value="tok" '
            b'autocomplete="off"></form>'
        )
        self.sent.append(self.headers.get("Cookie", ""))
        self.send_response(200)
        if self.path == "/form/":
            self.send_header("Set-Cookie", "csrftoken=secret1; Path=/; SameSite=Lax; Secure")
            self.send_header("Set-Cookie", "messages=hello; HttpOnly; Path=/; Secure")
        else:
            self.send_header(
                "Set-Cookie",
                'messages=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/',
            )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_browser_keeps_secure_cookies_over_plain_http_and_reads_form_tokens():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        hits = []
        browser = scale_out.Browser([port], "session1", hits, threading.Lock())
        page = browser.get("/form/", what="form")
        assert scale_out.tokens(page) == {"csrfmiddlewaretoken": "abc&123", "form_token": "tok"}
        assert browser.cookies == {
            "sessionid": "session1",
            "csrftoken": "secret1",
            "messages": "hello",
        }
        browser.get("/again/", what="again")
        # Sent back all three; the deleted one forgotten.
        assert "messages" not in browser.cookies
        assert _Page.sent[0] == "sessionid=session1"
        assert set(_Page.sent[1].split("; ")) == {
            "sessionid=session1",
            "csrftoken=secret1",
            "messages=hello",
        }
        assert [h.status for h in hits] == [200, 200] and all(h.ok for h in hits)
        browser.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(
    os.environ.get("BENCH_SCALE_OUT_E2E") != "1", reason="set BENCH_SCALE_OUT_E2E=1 to run"
)
def test_quick_pass_on_postgres_meets_its_targets(bench_report):
    if not harness.postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with harness.throwaway_database("postgres", label="scaleouttest") as url:
        harness.manage(url, "migrate", "--no-input", "-v0")
        harness.manage(url, "bench_generate", "--scale", "small", "--seed", "1", "--force")
        report = bench_report("scale_out.py", "--database-url", url, "--quick", timeout=240)
    figures = report["figures"]
    assert figures["tasks"] > 0 and figures["emails_sent"] > 0
    assert set(figures["worker_share"]) == set(figures["worker_ids"])
    assert len(figures["requests_by_port"]) == 2
    missed = [t for t in report["targets"] if not t["met"]]
    assert not missed, missed

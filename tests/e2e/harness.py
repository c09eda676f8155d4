"""Helpers for the browser tests: a signed-in browser tab per persona, axe-core and the crawl.

A `PersonaTab` wraps one Playwright context (one per persona, so cookies never mix) and watches
every page it opens for Content Security Policy violations, JavaScript errors and assets that
failed to load. `axe_check` runs axe-core against the page as it is, and `crawl` walks every
page a persona can reach.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, Response, expect

from tests.personas import PASSWORD

BASE_DIR = Path(__file__).resolve().parents[2]
AXE_SOURCE_PATH = BASE_DIR / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
VIEWPORT = {"width": 1280, "height": 800}
MAX_PAGES_PER_PERSONA = 420

# None: not signed in. erin is an expert by experience: she signs in to her own portal.
PERSONA_NAMES = [None, "alice", "bob", "charlie", "nina", "admin", "dora", "erin"]

# Paths the crawl never opens: static files, the machine-readable API description, and
# downloads (a browser saves them rather than showing a page; tests open them directly).
SKIPPED_PREFIXES = ("/static/",)
SKIPPED_PATHS = {"/api/openapi.json"}
# Downloads (a browser would save them, not show them): exports, files, CSV templates, PDFs,
# Word minutes, answer links' QR codes and charts (images for slides and handouts).
SKIPPED_SUFFIXES = (
    ".csv",
    ".pdf",
    ".docx",
    "/download/",
    "/export/",
    "/file/",
    ".png",
    ".svg",
)

_AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(String).join(" "),
      html: n.html,
      summary: n.failureSummary || "",
    })),
  }));
}"""


def persona_id(name: str | None) -> str:
    return name or "anonymous"


def axe_source() -> str:
    if not AXE_SOURCE_PATH.is_file():
        raise FileNotFoundError(
            f"{AXE_SOURCE_PATH} is missing: run `make install` (npm ci installs axe-core)."
        )
    return AXE_SOURCE_PATH.read_text(encoding="utf-8")


def page_key(url: str, *, ignore_next: bool = False) -> str:
    """Path and query of a URL: the identity of a page for the crawl."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if ignore_next:
        # The sign-in page with ?next=/a/ and ?next=/b/ is the same page to a person.
        query = [(k, v) for k, v in query if k != "next"]
    return parts.path + (f"?{urlencode(sorted(query))}" if query else "")


@dataclass
class Violation:
    persona: str
    url: str
    id: str
    impact: str | None
    help: str
    help_url: str
    nodes: list[dict]

    def describe(self) -> str:
        lines = [
            f"[{self.persona}] {self.url}",
            f"  {self.id} ({self.impact}): {self.help}",
            f"  {self.help_url}",
        ]
        for node in self.nodes[:8]:
            html = " ".join(node["html"].split())
            if len(html) > 240:
                html = html[:237] + "..."
            lines.append(f"    - {node['target']}")
            lines.append(f"      {html}")
            summary = " ".join(node["summary"].split())
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(self.nodes) > 8:
            lines.append(f"    ... and {len(self.nodes) - 8} more elements")
        return "\n".join(lines)


def describe_violations(violations: list[Violation]) -> str:
    return f"{len(violations)} axe-core violation(s):\n\n" + "\n\n".join(
        v.describe() for v in violations
    )


@dataclass
class PersonaTab:
    """One persona's browser context and tab, watching for CSP and JavaScript errors."""

    browser: Browser
    base_url: str
    persona: str
    axe: str
    page: Page = field(init=False)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.context = self.browser.new_context(viewport=VIEWPORT, base_url=self.base_url)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("response", self._on_response)

    # -- watching -----------------------------------------------------------------------------

    def _on_console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"CSP violation on {self.page.url}: {message.text}")

    def _on_page_error(self, error):
        self.problems.append(f"JavaScript error on {self.page.url}: {error}")

    def _on_response(self, response: Response):
        request = response.request
        if request.resource_type != "document" and response.status >= 400:
            self.problems.append(
                f"{request.resource_type} {response.url} answered {response.status} "
                f"(on {self.page.url})"
            )

    def assert_no_problems(self):
        assert not self.problems, f"Browser problems for {self.persona}:\n" + "\n".join(
            f"- {p}" for p in self.problems
        )

    # -- driving ------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def goto(self, path: str) -> Response | None:
        return self.page.goto(self.url(path), wait_until="load")

    def sign_in(self, user, device=None):
        """Sign in through the real form, and the two-factor step when the person has an app."""
        page = self.page
        self.goto("/sign-in/")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("load")
        if device is not None:
            assert urlsplit(page.url).path == "/sign-in/code/", f"No code step: {page.url}"
            device.refresh_from_db()
            code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            page.get_by_label("Code from your authenticator app").fill(f"{code:06d}")
            page.get_by_role("button", name="Continue").click()
            page.wait_for_load_state("load")
        # Staff land on their dashboard; people with only a portal go straight to it.
        expect(page).to_have_url(re.compile(rf"^{re.escape(self.url('/'))}(my/)?$"))
        expect(page.locator(".ps-account-bar")).to_contain_text(user.full_name)

    # -- axe ------------------------------------------------------------------------------------

    def axe_check(self) -> list[Violation]:
        """Run axe-core on the current page; the violations found (an empty list is good)."""
        page = self.page
        if not page.evaluate("() => typeof window.axe === 'object'"):
            # evaluate() is not subject to the page's CSP, unlike an injected <script>.
            page.evaluate(self.axe)
        found = page.evaluate(_AXE_RUN, AXE_TAGS)
        return [
            Violation(
                persona=self.persona,
                url=page.url,
                id=v["id"],
                impact=v["impact"],
                help=v["help"],
                help_url=v["helpUrl"],
                nodes=v["nodes"],
            )
            for v in found
        ]

    def close(self):
        self.context.close()


@dataclass
class Visit:
    requested: str
    final: str
    status: int
    axe_run: bool


@dataclass
class CrawlResult:
    visits: list[Visit] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    capped: bool = False


def page_shape(path: str) -> tuple:
    """What kind of page an address opens: its view and the names of its query parameters."""
    parts = urlsplit(path)
    try:
        view = resolve(parts.path).view_name
    except Resolver404:
        view = parts.path
    return view, tuple(sorted({name for name, _ in parse_qsl(parts.query)} - {"page"}))


def crawlable(tab: PersonaTab, href: str) -> str | None:
    """The path+query of a link worth following, or None."""
    parts = urlsplit(href)
    base = urlsplit(tab.base_url)
    if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
        return None  # mailto:, tel:, javascript: and other sites
    if (
        parts.path.startswith(SKIPPED_PREFIXES)
        or parts.path in SKIPPED_PATHS
        or parts.path.endswith(SKIPPED_SUFFIXES)
    ):
        return None
    return page_key(href)


def crawl(tab: PersonaTab, start: list[str], limit: int = MAX_PAGES_PER_PERSONA) -> CrawlResult:
    """Open every page reachable from `start` by following links; run axe on each new page.

    Only GET requests are made (links are followed by opening their address), so no form is
    ever submitted: the sign-out page is visited, its button never pressed.
    """
    result = CrawlResult()
    queue = [key for key in dict.fromkeys(crawlable(tab, tab.url(u)) for u in start) if key]
    queued = set(queue)
    must_visit = set(queue)
    checked: set[str] = set()
    shapes: set[tuple] = set()
    page = tab.page
    while queue:
        if len(result.visits) >= limit:
            result.capped = True
            break
        path = queue.pop(0)
        # A page found by following a link is opened only if no page of the same kind (the
        # same view, asked the same questions) has been: the twentieth payment's page is the
        # first one's template with other figures. Every named address is always opened.
        shape = page_shape(path)
        if path not in must_visit and shape in shapes:
            continue
        shapes.add(shape)
        response = tab.goto(path)
        status = response.status if response is not None else 0
        final = page_key(page.url)
        if status >= 500 or status == 0:
            result.server_errors.append(f"{path} answered {status}")
        content_type = response.headers.get("content-type", "") if response else ""
        is_html = content_type.startswith("text/html")
        final_key = page_key(page.url, ignore_next=True)
        # Every "not found" page is the same page: check it once per persona, not once per
        # address (another organisation's staff meet dozens of them).
        seen_key = "404" if status == 404 else final_key
        run_axe = is_html and seen_key not in checked
        if run_axe:
            checked.add(seen_key)
            result.violations.extend(tab.axe_check())
        result.visits.append(Visit(path, final, status, run_axe))
        if not run_axe:
            continue  # JSON, or a page already checked: its links were already collected
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map((e) => e.href)")
        for href in hrefs:
            key = crawlable(tab, href)
            if key is not None and key not in queued:
                queued.add(key)
                queue.append(key)
    return result

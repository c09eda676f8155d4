"""PDF documents (printable letters and pages) made from Django templates with WeasyPrint.

A PDF is rendered on the server from an ordinary template that extends
`includes/pdf_base.html`. WeasyPrint may only read our own static files: the URL fetcher below
refuses every other address, so a template (or text a person typed into one) can never make the
server fetch something from the network or read a file outside the static folders. Refused
addresses are left out of the PDF and logged; the rest of the document still renders.

The PDF is tagged and marked as PDF/UA-1 (WeasyPrint's accessible variant), with the document
language and title taken from the template's `<html lang>` and `<title>`.
"""

import functools
import logging
import mimetypes
import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils._os import safe_join

logger = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"
# Used to resolve relative addresses when there is neither a request nor POWERSHARE_SITE_URL.
FALLBACK_BASE_URL = "http://localhost/"


class RefusedURLError(ValueError):
    """WeasyPrint asked for an address that is not one of our static files."""


def _base_url(request=None) -> str:
    if request is not None:
        return request.build_absolute_uri("/")
    site_url = getattr(settings, "SITE_URL", "")
    return f"{site_url}/" if site_url else FALLBACK_BASE_URL


def _static_roots() -> list[str]:
    """Every folder a static file may come from: STATIC_ROOT and the finders' folders."""
    roots = []
    if settings.STATIC_ROOT:
        roots.append(os.path.realpath(settings.STATIC_ROOT))
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(os.path.realpath(location))
    return roots


def _inside(path: str, roots: list[str]) -> bool:
    return any(os.path.commonpath([path, root]) == root for root in roots)


def static_file_path(relative: str) -> Path | None:
    """The file on disk for a static path such as "images/logo.png", or None.

    Looks in STATIC_ROOT first (where collectstatic puts the hashed names that `{% static %}`
    writes in production), then asks the staticfiles finders (development and tests). Refuses
    anything that climbs out of a static folder, also through a symbolic link.
    """
    parts = relative.split("/")
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    if any(part in ("", ".", "..") for part in parts):
        return None
    candidates = []
    if settings.STATIC_ROOT:
        try:
            candidates.append(safe_join(str(settings.STATIC_ROOT), relative))
        except SuspiciousFileOperation:
            return None
    found = finders.find(relative)
    if found:
        candidates.append(found)
    roots = _static_roots()
    for candidate in candidates:
        real = os.path.realpath(candidate)
        if os.path.isfile(real) and _inside(real, roots):
            return Path(real)
    return None


@functools.cache
def _url_fetcher_class():
    # WeasyPrint takes half a second to import (it loads Pango), so only when a PDF is made.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesURLFetcher(URLFetcher):
        """Answers only addresses under STATIC_URL on our own base URL, from files on disk.

        Never opens a network connection and never reads a file:// address: `fetch` does not
        call the parent's fetch at all.
        """

        def __init__(self, *, base_url: str):
            super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
            self.static_prefix = urljoin(base_url, settings.STATIC_URL)
            if not self.static_prefix.endswith("/"):
                self.static_prefix += "/"

        def fetch(self, url, headers=None):
            path = self._static_path(url)
            if path is None:
                logger.warning("PDF: refused to fetch %.200s (not one of our static files)", url)
                raise RefusedURLError(f"Only our own static files may be used in a PDF: {url}")
            content_type, _ = mimetypes.guess_type(path.name)
            return URLFetcherResponse(
                url,
                body=path.read_bytes(),
                headers={"Content-Type": content_type or "application/octet-stream"},
            )

        def _static_path(self, url) -> Path | None:
            if not isinstance(url, str):
                return None
            try:
                parts = urlsplit(url)
                prefix = urlsplit(self.static_prefix)
            except ValueError:
                return None
            if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password:
                return None
            if (parts.scheme.lower(), parts.netloc.lower()) != (
                prefix.scheme.lower(),
                prefix.netloc.lower(),
            ):
                return None
            if not parts.path.startswith(prefix.path):
                return None
            return static_file_path(unquote(parts.path[len(prefix.path) :]))

    return StaticFilesURLFetcher


def static_files_url_fetcher(*, base_url: str):
    """A WeasyPrint URL fetcher that serves our static files and refuses everything else."""
    return _url_fetcher_class()(base_url=base_url)


def render_pdf(*, template: str, context: dict, request=None) -> bytes:
    """Render a template (extending `includes/pdf_base.html`) to a tagged PDF/UA-1 document."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    base_url = _base_url(request)
    document = HTML(
        string=html,
        base_url=base_url,
        url_fetcher=static_files_url_fetcher(base_url=base_url),
    )
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)


def safe_pdf_filename(filename: str) -> str:
    """An ASCII file name ending in .pdf, safe inside a quoted Content-Disposition value."""
    text = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"\.pdf$", "", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text)
    text = re.sub(r"-{2,}", "-", text).strip("-.")[:100]
    return f"{text or 'document'}.pdf"


def pdf_response(*, filename: str, pdf: bytes, inline: bool = False) -> HttpResponse:
    """A PDF download (or, with `inline`, a PDF to open in the browser). Never cached."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{safe_pdf_filename(filename)}"'
    response["Cache-Control"] = "no-store, private"
    response["Content-Length"] = str(len(pdf))
    return response

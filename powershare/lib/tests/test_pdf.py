"""PDF letters: their text, page numbers and accessibility metadata, a URL fetcher that only
ever hands WeasyPrint our own static files, and a download response that is never cached."""

import copy
import re
import socket
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser

from powershare.lib import pdf
from powershare.lib.pdf import RefusedURLError, pdf_response, render_pdf, safe_pdf_filename
from tests.pdf_text import pdf_info, pdf_text, pdf_xmp_metadata

STATIC_CSS = Path(django_settings.BASE_DIR) / "static" / "css" / "powershare.css"

LETTER = """{% extends "includes/pdf_base.html" %}
{% block title %}You said, we did{% endblock %}
{% block content %}
<h1>You said, we did</h1>
<p>Dear {{ name }},</p>
<p>{{ said }}</p>
{% for line in lines %}<p>{{ line }}</p>{% endfor %}
{% endblock %}
"""

HOSTILE = """{% extends "includes/pdf_base.html" %}
{% load static %}
{% block title %}Hostile{% endblock %}
{% block content %}
<link rel="stylesheet" href="http://example.org/remote.css">
<link rel="attachment" href="file:///etc/passwd">
<style>@import url("https://example.org/imported.css");
  body { background: url("file:///etc/passwd"); }</style>
<h1>Only our own files</h1>
<img src="http://example.org/tracker.png" alt="remote picture">
<img src="file:///etc/passwd" alt="local file">
<img src="/static/../config/settings.py" alt="climbing out">
<img src="//example.org/static/images/favicon.svg" alt="another host">
<img src="{% static 'images/favicon.svg' %}" alt="our logo">
{% endblock %}
"""


@pytest.fixture
def pdf_templates(settings):
    """Adds the test templates above (in memory) in front of the project's own templates."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.locmem.Loader",
            {"test/letter.html": LETTER, "test/hostile.html": HOSTILE},
        ),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    settings.TEMPLATES = templates


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection is recorded and fails."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network is switched off in this test")

    def refuse_create(address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network is switched off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse_create)
    return attempts


@pytest.fixture
def fetches(monkeypatch):
    """Records every address WeasyPrint asks for, and whether it was served or refused."""
    fetcher_class = pdf._url_fetcher_class()
    original = fetcher_class.fetch
    seen = []

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except RefusedURLError:
            seen.append((url, "refused"))
            raise
        seen.append((url, "served"))
        return response

    monkeypatch.setattr(fetcher_class, "fetch", spy)
    return seen


def _decompressed(pdf_bytes: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) opened up."""
    parts = [pdf_bytes]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf_bytes, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _fetcher(base_url="http://testserver/"):
    return pdf.static_files_url_fetcher(base_url=base_url)


# Rendering ------------------------------------------------------------------------------------


def test_a_letter_renders_to_a_pdf_with_its_words_and_page_numbers(pdf_templates):
    document = render_pdf(
        template="test/letter.html",
        context={"name": "Zoë", "said": "You said the bus times were wrong – it’s £25 later."},
    )

    text = pdf_text(document)
    assert document.startswith(b"%PDF-")
    assert "You said, we did" in text
    assert "Dear Zoë," in text
    assert "You said the bus times were wrong – it’s £25 later." in text
    assert "Page 1 of 1" in text


def test_what_people_typed_is_printed_as_text_not_markup(pdf_templates):
    document = render_pdf(
        template="test/letter.html",
        context={"name": "Sam", "said": '<img src="http://example.org/x.png"> <b>bold</b>'},
    )

    assert '<img src="http://example.org/x.png"> <b>bold</b>' in pdf_text(document)


def test_page_numbers_count_every_page(pdf_templates):
    lines = [f"Line {number} of what we changed." for number in range(1, 121)]

    document = render_pdf(
        template="test/letter.html", context={"name": "Sam", "said": "", "lines": lines}
    )

    pages = int(pdf_info(document)["Pages"])
    assert pages >= 2
    text_pages = pdf_text(document).split("\f")
    assert f"Page 1 of {pages}" in text_pages[0]
    assert f"Page {pages} of {pages}" in text_pages[pages - 1]
    assert "Line 120 of what we changed." in text_pages[pages - 1]


def test_the_pdf_is_a4_tagged_titled_in_british_english_and_pdf_ua(pdf_templates):
    document = render_pdf(template="test/letter.html", context={"name": "Sam", "said": "Hi"})

    info = pdf_info(document)
    assert info["Title"] == "You said, we did"
    assert info["Tagged"] == "yes"
    assert "(A4)" in info["Page size"]
    assert 'pdfuaid:part="1"' in pdf_xmp_metadata(document)
    opened = _decompressed(document)
    assert b"/Lang (en-GB)" in opened
    assert b"/DisplayDocTitle true" in opened
    assert b"DejaVu" in opened or b"Noto" in opened


def test_a_request_gives_the_base_address_and_our_static_image_is_used(
    pdf_templates, rf, fetches, no_network
):
    request = rf.get("/letters/1/")
    request.user = AnonymousUser()

    render_pdf(template="test/hostile.html", context={}, request=request)

    assert ("http://testserver/static/images/favicon.svg", "served") in fetches
    assert no_network == []


# The URL fetcher ------------------------------------------------------------------------------


def test_rendering_never_fetches_anything_but_our_static_files(pdf_templates, fetches, no_network):
    document = render_pdf(template="test/hostile.html", context={})

    refused = {url for url, outcome in fetches if outcome == "refused"}
    served = {url for url, outcome in fetches if outcome == "served"}
    assert {
        "http://example.org/remote.css",
        "https://example.org/imported.css",
        "http://example.org/tracker.png",
        "file:///etc/passwd",
        "http://localhost/config/settings.py",
        "http://example.org/static/images/favicon.svg",
    } <= refused
    assert served == {"http://localhost/static/images/favicon.svg"}
    assert no_network == []
    assert "Only our own files" in pdf_text(document)
    opened = _decompressed(document)
    assert b"/EmbeddedFile" not in opened
    assert b"root:x:0:0" not in opened


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/picture.png",
        "https://example.org/static/css/powershare.css",
        "http://testserver.example.org/static/css/powershare.css",
        "https://testserver/static/css/powershare.css",
        "http://user:secret@testserver/static/css/powershare.css",
        "file:///etc/passwd",
        f"file://{STATIC_CSS}",
        "ftp://testserver/static/css/powershare.css",
        "data:text/plain,hello",
        "http://testserver/config/settings.py",
        "http://testserver/staticx/css/powershare.css",
        "http://testserver/static/",
        "http://testserver/static/../config/settings.py",
        "http://testserver/static/%2e%2e/config/settings.py",
        "http://testserver/static/css/%2e%2e/%2e%2e/config/settings.py",
        "http://testserver/static/css//powershare.css",
        "http://testserver/static/css%5c..%5c..%5cconfig%5csettings.py",
        "http://testserver/static/css/not-there.css",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url, no_network):
    with pytest.raises(RefusedURLError):
        _fetcher()(url)
    assert no_network == []


def test_the_fetcher_serves_a_static_file_from_the_finders():
    response = _fetcher()("http://testserver/static/css/powershare.css")

    assert response.read() == STATIC_CSS.read_bytes()
    assert response.content_type == "text/css"


def test_the_fetcher_serves_collected_files_from_static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "letters.3f2a.css").write_text("h1 { color: black; }")

    response = _fetcher()("http://testserver/static/css/letters.3f2a.css")

    assert response.read() == b"h1 { color: black; }"


def test_the_fetcher_refuses_a_link_out_of_static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    secret = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    secret.write_text("not for a PDF")
    (tmp_path / "linked.txt").symlink_to(secret)

    with pytest.raises(RefusedURLError):
        _fetcher()("http://testserver/static/linked.txt")


def test_the_fetcher_follows_the_configured_static_url(settings):
    settings.STATIC_URL = "/assets/"

    response = _fetcher()("http://testserver/assets/css/powershare.css")

    assert response.read() == STATIC_CSS.read_bytes()
    with pytest.raises(RefusedURLError):
        _fetcher()("http://testserver/static/css/powershare.css")


# The response ---------------------------------------------------------------------------------


def test_pdf_response_is_a_download_that_is_never_cached():
    response = pdf_response(filename="you-said-we-did.pdf", pdf=b"%PDF-1.7 test")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="you-said-we-did.pdf"'
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Length"] == str(len(b"%PDF-1.7 test"))
    assert response.content == b"%PDF-1.7 test"


def test_pdf_response_can_open_in_the_browser():
    response = pdf_response(filename="letter", pdf=b"%PDF-", inline=True)

    assert response["Content-Disposition"] == 'inline; filename="letter.pdf"'
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Letter for Zoë Ó Briain.pdf", "Letter-for-Zoe-O-Briain.pdf"),
        ('say "hello"\r\nSet-Cookie: x=1', "say-hello-Set-Cookie-x-1.pdf"),
        ("../../etc/passwd", "etc-passwd.pdf"),
        ("", "document.pdf"),
        ("日本語", "document.pdf"),
        ("report.PDF", "report.pdf"),
    ],
)
def test_pdf_file_names_are_plain_ascii(given, expected):
    assert safe_pdf_filename(given) == expected
    response = pdf_response(filename=given, pdf=b"%PDF-")
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'

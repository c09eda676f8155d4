"""Read a PDF's text and information in tests, with poppler-utils' pdftotext and pdfinfo.

`make test` installs poppler-utils (scripts/ensure_test_tools.sh). Elsewhere: apt-get install
poppler-utils.
"""

import shutil
import subprocess

import pytest

_INSTALL_HINT = (
    "is needed to read PDFs in the tests but was not found. It comes with Debian's "
    "poppler-utils package: run `make test-sqlite` (which installs it) or "
    "`sudo apt-get install poppler-utils`."
)


def _tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/bin")
    if path is None:
        pytest.fail(f"{name} {_INSTALL_HINT}", pytrace=False)
    return path


def _run(name: str, pdf_bytes: bytes, *arguments: str) -> str:
    if not pdf_bytes.startswith(b"%PDF-"):
        pytest.fail(f"Not a PDF (starts with {pdf_bytes[:20]!r})", pytrace=False)
    result = subprocess.run(
        [_tool(name), *arguments],
        input=pdf_bytes,
        capture_output=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{name} could not read the PDF (exit status {result.returncode}): "
            f"{result.stderr.decode(errors='replace')}",
            pytrace=False,
        )
    return result.stdout.decode("utf-8", errors="replace")


def pdf_text(pdf_bytes: bytes) -> str:
    """The text of a PDF, laid out as on the page (`pdftotext -layout`), pages split by \\f."""
    return _run("pdftotext", pdf_bytes, "-layout", "-enc", "UTF-8", "-", "-")


def pdf_info(pdf_bytes: bytes) -> dict[str, str]:
    """pdfinfo's fields (Title, Tagged, Pages, Page size, …) as a dictionary."""
    output = _run("pdfinfo", pdf_bytes, "-")
    info = {}
    for line in output.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = value.strip()
    return info


def pdf_xmp_metadata(pdf_bytes: bytes) -> str:
    """The PDF's XMP metadata packet (`pdfinfo -meta`), as XML text."""
    output = _run("pdfinfo", pdf_bytes, "-meta", "-")
    start = output.find("<?xpacket")
    return output[start:] if start != -1 else ""

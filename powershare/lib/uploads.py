"""Uploaded files: what may be uploaded (checked by name, size and first bytes, never trusting
the browser's content type), and handing a stored file back only to someone a view has checked.

Files are stored under random keys in the default storage (MEDIA_ROOT, which no web server
serves), so the only way to a file is through a view that checks who is asking.
"""

import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404

ZIP = b"PK\x03\x04"


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda head: any(head.startswith(p) for p in prefixes)


def _iso_media(head: bytes) -> bool:
    # HEIC/HEIF photos (iPhones): an ISO media box "ftyp" with an image brand.
    return head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"heif"}


def _any_iso_media(head: bytes) -> bool:
    # MP4 video and M4A audio: an ISO media box "ftyp" at bytes 4 to 8.
    return head[4:8] == b"ftyp"


def _mp3(head: bytes) -> bool:
    # An ID3 tag, or straight into an MPEG audio frame (11 bits of frame sync set).
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


@dataclass(frozen=True)
class FileKind:
    content_type: str
    #: True when the first bytes look right; None for plain text (checked for binary instead).
    looks_right: Callable[[bytes], bool] | None
    #: Office files are zip archives: the entry that makes each one what it claims to be.
    zip_entry: str = ""


KINDS = {
    ".pdf": FileKind("application/pdf", _starts(b"%PDF-")),
    ".png": FileKind("image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    ".jpg": FileKind("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".jpeg": FileKind("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".heic": FileKind("image/heic", _iso_media),
    ".heif": FileKind("image/heif", _iso_media),
    ".webp": FileKind("image/webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    ".docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _starts(ZIP),
        "[Content_Types].xml",
    ),
    ".xlsx": FileKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _starts(ZIP),
        "[Content_Types].xml",
    ),
    ".odt": FileKind("application/vnd.oasis.opendocument.text", _starts(ZIP), "mimetype"),
    ".pptx": FileKind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _starts(ZIP),
        "[Content_Types].xml",
    ),
    ".odp": FileKind("application/vnd.oasis.opendocument.presentation", _starts(ZIP), "mimetype"),
    ".mp4": FileKind("video/mp4", _any_iso_media),
    ".m4a": FileKind("audio/mp4", _any_iso_media),
    ".mp3": FileKind("audio/mpeg", _mp3),
    ".txt": FileKind("text/plain", None),
    ".csv": FileKind("text/csv", None),
}


def _zip_has(upload, entry: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            return entry in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def _size(count: int) -> str:
    """1.5 MB, 10 MB, 3 KB: rounded up, so a file just over a limit never reads as the limit."""
    if count >= 1_048_576:
        return f"{math.ceil(count / 104_857.6) / 10:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, math.ceil(count / 1024))} KB"


def upload_check(
    upload, *, extensions: tuple[str, ...], described: str, max_bytes: int, field: str = "file"
) -> tuple[str, str]:
    """(extension, content type) of an allowed upload, else ValidationError on `field` in plain
    words. `described` names the allowed kinds for people ("a PDF, PNG or JPEG file")."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    if extension not in extensions:
        raise ValidationError({field: f"Upload {described}. “{name[:80]}” is not one of those."})
    if upload.size > max_bytes:
        raise ValidationError(
            {field: f"The file is {_size(upload.size)}. The limit is {_size(max_bytes)}."}
        )
    if upload.size == 0:
        raise ValidationError({field: "The file is empty."})
    kind = KINDS[extension]
    head = upload.read(16)
    upload.seek(0)
    if (kind.looks_right and not kind.looks_right(head)) or (
        kind.zip_entry and not _zip_has(upload, kind.zip_entry)
    ):
        raise ValidationError(
            {
                field: "The file's contents don't match its name "
                f"(it doesn't look like a {extension} file)."
            }
        )
    if kind.looks_right is None and b"\x00" in upload.read(4096):
        upload.seek(0)
        raise ValidationError({field: "A text file can't contain binary data."})
    upload.seek(0)
    return extension, kind.content_type


def download_name(name: str, fallback: str = "evidence") -> str:
    """A file name safe to offer for download: no folders, quotes or control characters."""
    path = PurePath(name.replace("\\", "/")).name
    suffix = PurePath(path).suffix
    stem = path[: -len(suffix)] if suffix else path
    stem = re.sub(r"[^\w .()-]", "_", stem, flags=re.ASCII).strip(" .")[:100] or fallback
    suffix = re.sub(r"[^\w.]", "", suffix, flags=re.ASCII)[:10]
    return f"{stem}{suffix}"


def protected_file_response(
    field_file, *, original_name: str, content_type: str, inline: bool = False
) -> FileResponse:
    """The stored file as a private, never-cached download (404 if it has gone from storage).
    Images may be shown inline (a receipt photo); nothing else is."""
    try:
        stored = field_file.open("rb")
    except (OSError, ValueError):
        raise Http404("No such file") from None
    download = FileResponse(
        stored,
        as_attachment=not (inline and content_type.startswith("image/")),
        filename=download_name(original_name, fallback="file"),
        content_type=content_type,
    )
    download["X-Content-Type-Options"] = "nosniff"
    download["Cache-Control"] = "private, no-store"
    # A photo opened in the browser is shown by the browser's own image page, which styles
    # itself inline: allow that and nothing else. SVG is never accepted, so an image can't
    # carry styles or scripts of its own.
    image_page = not download.get("Content-Disposition", "").startswith("attachment")
    download["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        if image_page
        else "default-src 'none'; sandbox"
    )
    return download

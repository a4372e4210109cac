"""Uploaded files: checked by content, stored outside ``static/`` under random names.

``store_upload(file_storage, allowed=DOCUMENT_TYPES)`` sniffs the content (never trusting the
browser's content type or the file name), checks the size, sanitises the original name for
display, writes the bytes under ``instance/uploads/<2 hex>/<uuid>`` and returns a
:class:`StoredFile` row with the SHA-256. Files are served only through views that have checked
permission on the object the file belongs to (:func:`send_stored_file`).
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import FileStorage

from lokapp.core.time import utcnow
from lokapp.core.types import UTCDateTime
from lokapp.extensions import db


@dataclass(frozen=True)
class FileType:
    key: str
    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = FileType("pdf", "application/pdf", (".pdf",), "PDF")
PNG = FileType("png", "image/png", (".png",), "PNG")
JPEG = FileType("jpeg", "image/jpeg", (".jpg", ".jpeg"), "JPEG")
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", (".odt",), "ODT")
DOCX = FileType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",),
    "DOCX",
)

DOCUMENT_TYPES = (PDF, ODT, DOCX, PNG, JPEG)
IMAGE_TYPES = (PNG, JPEG)


class UploadError(ValueError):
    """A refused upload; ``str(error)`` is a Swedish message for the user."""


class StoredFile(db.Model):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def path(self) -> Path:
        return upload_root() / self.storage_name[:2] / self.storage_name


def upload_root() -> Path:
    return Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")


def sniff(head: bytes, data: bytes | None = None) -> FileType | None:
    """Identify a file by its first bytes (and, for ZIP-based formats, its contents)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04") and data is not None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").strip()
                    if mimetype == ODT.content_type.encode():
                        return ODT
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return DOCX
        except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
            return None
    return None


_UNSAFE = re.compile(r"[^\w .()\-]+", re.UNICODE)


def safe_filename(name: str | None, fallback_ext: str = "") -> str:
    """A display name without directories, control characters or path tricks."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" ._")
    name = re.sub(r"\.{2,}", ".", name)
    if not name:
        name = "fil" + fallback_ext
    stem, ext = os.path.splitext(name)
    return stem[: 200 - len(ext[:20])] + ext[:20]


def max_upload_bytes() -> int:
    return int(current_app.config.get("MAX_UPLOAD_BYTES")
               or current_app.config.get("MAX_CONTENT_LENGTH") or 20 * 1024 * 1024)


def store_upload(upload: FileStorage, *, allowed: tuple[FileType, ...] = DOCUMENT_TYPES,
                 user=None, max_bytes: int | None = None) -> StoredFile:
    """Check and store an upload; raise :class:`UploadError` with a Swedish message."""
    if upload is None or not upload.filename:
        raise UploadError(_l("Välj en fil."))
    limit = max_bytes or max_upload_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(_l("Filen är för stor. Den får vara högst %(mb)s MB.",
                             mb=f"{limit / 1024 / 1024:.0f}"))
    if not data:
        raise UploadError(_l("Filen är tom."))
    kind = sniff(data[:16], data)
    allowed_labels = ", ".join(t.label for t in allowed)
    if kind is None or kind not in allowed:
        raise UploadError(_l("Filtypen stöds inte. Tillåtna filtyper: %(types)s.",
                             types=allowed_labels))
    original = safe_filename(upload.filename, kind.extensions[0])
    ext = os.path.splitext(original)[1].lower()
    if ext not in kind.extensions:
        raise UploadError(_l(
            "Filens innehåll (%(kind)s) stämmer inte med filändelsen \"%(ext)s\". Spara filen "
            "med rätt filändelse och försök igen.", kind=kind.label, ext=ext or "–"))
    storage_name = uuid.uuid4().hex
    stored = StoredFile(
        storage_name=storage_name,
        original_name=original,
        content_type=kind.content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=getattr(user, "id", None),
    )
    path = stored.path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    db.session.add(stored)
    db.session.flush()
    return stored


def send_stored_file(stored: StoredFile, *, inline: bool = False):
    """Serve a stored file; the caller has already checked permission."""
    return send_file(stored.path, mimetype=stored.content_type, as_attachment=not inline,
                     download_name=stored.original_name, max_age=0, etag=stored.sha256)

import hashlib
import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from lokapp.core.uploads import (
    DOCUMENT_TYPES,
    IMAGE_TYPES,
    UploadError,
    safe_filename,
    store_upload,
)

PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 200


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX_BYTES = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT_BYTES = _zip({"mimetype": b"application/vnd.oasis.opendocument.text",
                  "content.xml": b"<office:document-content/>"})


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.fixture
def upload_dir(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config.pop("UPLOAD_DIR")


@pytest.mark.parametrize(("data", "name", "content_type"), [
    (PDF_BYTES, "stadgar.pdf", "application/pdf"),
    (PNG_BYTES, "logga.png", "image/png"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "bild.JPG", "image/jpeg"),
    (DOCX_BYTES, "Verksamhetsberättelse 2025.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (ODT_BYTES, "protokoll.odt", "application/vnd.oasis.opendocument.text"),
])
def test_accepted_types_are_stored_with_checksum(db, upload_dir, data, name, content_type):
    stored = store_upload(upload(data, name))
    assert stored.content_type == content_type
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size_bytes == len(data)
    assert stored.path.read_bytes() == data
    assert upload_dir in stored.path.parents
    assert name not in str(stored.path)  # stored under a random name


@pytest.mark.parametrize(("data", "name", "message"), [
    (PDF_BYTES, "bild.png", "stämmer inte med filändelsen"),
    (EXE_BYTES, "faktura.pdf", "Filtypen stöds inte"),
    (b"<html><script>alert(1)</script>", "sida.pdf", "Filtypen stöds inte"),
    (_zip({"evil.exe": EXE_BYTES}), "dokument.docx", "Filtypen stöds inte"),
    (b"", "tom.pdf", "Filen är tom"),
])
def test_refused_uploads_say_why(db, upload_dir, data, name, message):
    with pytest.raises(UploadError, match=message):
        store_upload(upload(data, name))
    assert not upload_dir.exists() or not any(upload_dir.rglob("*"))


def test_oversize_is_refused(db, upload_dir):
    with pytest.raises(UploadError, match="för stor"):
        store_upload(upload(PDF_BYTES + b"0" * 2048, "stor.pdf"), max_bytes=1024)


def test_images_only_where_images_are_asked_for(db, upload_dir):
    with pytest.raises(UploadError, match="PNG, JPEG"):
        store_upload(upload(PDF_BYTES, "foto.pdf"), allowed=IMAGE_TYPES)
    assert len(DOCUMENT_TYPES) == 5


@pytest.mark.parametrize(("raw", "expected"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\kassör\\årsmöte.pdf", "årsmöte.pdf"),
    ("stadgar\x00.pdf.exe", "stadgar.pdf.exe"),
    ("<script>.pdf", "script_.pdf"),
    ("....pdf", "pdf"),
    ("", "fil.pdf"),
])
def test_safe_filename(raw, expected):
    assert safe_filename(raw, ".pdf") == expected


def test_path_tricks_never_leave_the_upload_dir(db, upload_dir):
    stored = store_upload(upload(PDF_BYTES, "../../../../tmp/x.pdf"))
    assert stored.original_name == "x.pdf"
    assert upload_dir in stored.path.parents

"""Photos of premises: checked, turned upright, resized, stripped of metadata, stored.

An administrator uploads a JPEG or PNG with a description (alt text, required: the photo must
say something to someone who cannot see it). The original is never kept – it may carry the
camera's position and other EXIF data; what is stored is a JPEG of at most
:data:`DISPLAY_SIZE` pixels and a thumbnail of at most :data:`THUMBNAIL_SIZE`, both re-encoded
without metadata, through :func:`lokapp.core.uploads.store_upload` (content sniffing, size
limit, random storage names).
"""
from __future__ import annotations

import io
from typing import Any

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

from lokapp.bookings.models import Premises, PremisesPhoto
from lokapp.core import audit
from lokapp.core.uploads import IMAGE_TYPES, UploadError, max_upload_bytes, sniff, store_upload
from lokapp.extensions import db

DISPLAY_SIZE = (1600, 1200)
THUMBNAIL_SIZE = (480, 360)
MAX_PIXELS = 50_000_000  # refuse decompression bombs well before Pillow's own limit
MAX_PHOTOS = 12


def _encode(image: Image.Image, size: tuple[int, int]) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), copy.width, copy.height


def _open(data: bytes) -> Image.Image:
    kind = sniff(data[:16], data)
    if kind not in IMAGE_TYPES:
        raise UploadError(_("Bilden måste vara en JPEG- eller PNG-fil."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise UploadError(_("Bilden är för stor. Den får ha högst 50 miljoner "
                                    "bildpunkter."))
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise UploadError(_("Bilden går inte att läsa. Spara den som JPEG eller PNG och "
                            "försök igen.")) from error
    if image.mode != "RGB":
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    return image


def add_photo(premises: Premises, upload: FileStorage, alt_text: str, user: Any
              ) -> PremisesPhoto:
    """Store a resized photo and its thumbnail; raise :class:`UploadError` with a Swedish
    message for anything that is not a readable JPEG or PNG within the limits."""
    if len(premises.photos) >= MAX_PHOTOS:
        raise UploadError(_("En lokal kan ha högst %(max)d bilder. Ta bort en först.",
                            max=MAX_PHOTOS))
    if upload is None or not upload.filename:
        raise UploadError(_("Välj en bild."))
    limit = max_upload_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(_("Bilden är för stor. Den får vara högst %(mb)s MB.",
                            mb=f"{limit / 1024 / 1024:.0f}"))
    image = _open(data)
    display, width, height = _encode(image, DISPLAY_SIZE)
    thumbnail, _w, _h = _encode(image, THUMBNAIL_SIZE)
    stem = f"lokal-{premises.id}"
    stored = store_upload(FileStorage(io.BytesIO(display), filename=f"{stem}.jpg"),
                          allowed=IMAGE_TYPES, user=user)
    small = store_upload(FileStorage(io.BytesIO(thumbnail), filename=f"{stem}-liten.jpg"),
                         allowed=IMAGE_TYPES, user=user)
    photo = PremisesPhoto(file=stored, thumbnail=small, alt_text=alt_text, width=width,
                          height=height, sort_order=len(premises.photos))
    premises.photos.append(photo)
    db.session.flush()
    audit.record("premises.photo_add", premises, actor=user, photo_id=photo.id,
                 alt_text=alt_text, original_bytes=len(data))
    return photo


def remove_photo(premises: Premises, photo: PremisesPhoto, user: Any) -> None:
    """Remove the photo from the premises (the stored files stay, as every upload does)."""
    audit.record("premises.photo_remove", premises, actor=user, photo_id=photo.id,
                 alt_text=photo.alt_text)
    premises.photos.remove(photo)
    db.session.flush()

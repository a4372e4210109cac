"""Photos of premises: resized, turned upright, without metadata, with a description."""
from __future__ import annotations

import io
from html import unescape

from PIL import Image

from lokapp.bookings.models import Premises
from lokapp.extensions import db


def _jpeg(width=4000, height=3000, orientation=None) -> bytes:
    image = Image.new("RGB", (width, height), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "Kameratillverkare"  # Make
    exif[0x8825] = {2: (59.0, 36.0, 0.0)}  # GPS latitude
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(client, premises_id, data, alt="Ljus sal med stolar i rader", name="sal.jpg"):
    return client.post(f"/admin/lokaler/{premises_id}/bilder",
                       data={"photo": (io.BytesIO(data), name), "alt_text": alt},
                       content_type="multipart/form-data")


def test_photo_is_resized_stripped_and_shown_with_its_description(client, login_as,
                                                                  make_premises):
    premises = make_premises()
    db.session.commit()
    login_as("admin")
    response = _upload(client, premises.id, _jpeg(orientation=6))  # rotated 90° by EXIF
    assert response.status_code == 302
    db.session.expire_all()
    [photo] = db.session.get(Premises, premises.id).photos
    assert (photo.width, photo.height) == (900, 1200)  # upright, within 1600 × 1200
    served = client.get(f"/lokaler/{premises.id}/bilder/{photo.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (900, 1200)
    assert not image.getexif()  # no camera, no position
    small = Image.open(io.BytesIO(client.get(
        f"/lokaler/{premises.id}/bilder/{photo.id}/liten").data))
    assert max(small.size) <= 480
    page = unescape(client.get(f"/lokaler/{premises.id}").get_data(as_text=True))
    assert 'alt="Ljus sal med stolar i rader"' in page


def test_refused_uploads_explain_why(client, login_as, make_premises):
    premises = make_premises()
    db.session.commit()
    login_as("admin")
    html = unescape(_upload(client, premises.id, b"%PDF-1.4 inte en bild", name="x.jpg")
                    .get_data(as_text=True))
    assert "Bilden måste vara en JPEG- eller PNG-fil." in html
    html = unescape(_upload(client, premises.id, _jpeg(40, 30), alt="").get_data(as_text=True))
    assert "Fyll i beskrivning av bilden." in html
    assert db.session.get(Premises, premises.id).photos == []


def test_photos_of_unpublished_premises_are_not_public(client, login_as, make_premises):
    premises = make_premises(is_published=False)
    db.session.commit()
    login_as("admin")
    _upload(client, premises.id, _jpeg(400, 300))
    db.session.expire_all()
    [photo] = db.session.get(Premises, premises.id).photos
    assert client.get(f"/lokaler/{premises.id}/bilder/{photo.id}").status_code == 200
    client.post("/logga-ut")
    with client.session_transaction() as session:
        session.clear()
    assert client.get(f"/lokaler/{premises.id}/bilder/{photo.id}").status_code == 404


def test_removing_a_photo(client, login_as, make_premises):
    premises = make_premises()
    db.session.commit()
    login_as("admin")
    _upload(client, premises.id, _jpeg(400, 300))
    db.session.expire_all()
    [photo] = db.session.get(Premises, premises.id).photos
    photo_id = photo.id
    client.post(f"/admin/lokaler/{premises.id}/bilder/{photo_id}/ta-bort")
    db.session.expire_all()
    assert db.session.get(Premises, premises.id).photos == []
    assert client.get(f"/lokaler/{premises.id}/bilder/{photo_id}").status_code == 404


def test_a_photo_is_found_only_under_its_own_premises(client, login_as, make_premises):
    premises, other = make_premises(), make_premises(name="Annan lokal")
    db.session.commit()
    login_as("admin")
    _upload(client, premises.id, _jpeg(400, 300))
    db.session.expire_all()
    [photo] = db.session.get(Premises, premises.id).photos
    assert client.get(f"/lokaler/{other.id}/bilder/{photo.id}").status_code == 404
    assert client.post(f"/admin/lokaler/{other.id}/bilder/{photo.id}/ta-bort").status_code == 404
    db.session.expire_all()
    assert len(db.session.get(Premises, premises.id).photos) == 1
    assert client.get(f"/lokaler/{premises.id}/bilder/{photo.id}").status_code == 200

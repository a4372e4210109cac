"""Preparing, signing and withdrawing: who may, what is recorded, what is mailed."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lokapp.agreement import queries, services
from lokapp.agreement.models import AgreementSignature, SignatureState
from lokapp.agreement.queries import Standing
from lokapp.associations.models import RegisterState

from .conftest import text

CLIENT_IP = "203.0.113.7"


@pytest.fixture
def club(make_association, make_user, add_member):
    """A registered association with a contact person and a firmatecknare."""
    association = make_association("Västerås Schackklubb", email="info@schack.example.se")
    contact = make_user(name="Karin Kontakt", email="karin@schack.example.se")
    signer = make_user(name="Fredrik Firmatecknare", email="fredrik@schack.example.se")
    add_member(association, contact, roles=("contact",))
    add_member(association, signer, signatory=True, roles=("chair",))
    return association, contact, signer


def _signatures(db, association):
    db.session.expire_all()
    return db.session.scalars(select(AgreementSignature)
                              .where(AgreementSignature.association_id == association.id)
                              .order_by(AgreementSignature.id)).all()


def test_a_representative_prepares_and_the_firmatecknare_is_mailed(
        client, login_as, db, club, seeded, outbox, audit_events):
    association, contact, signer = club
    login_as(user=contact)
    page = text(client.get(f"/forening/{association.id}/lok"))
    assert "Förbered undertecknandet" in page
    assert "Underteckna LÖK:en</button>" not in page
    assert "Bara en firmatecknare kan underteckna" in page

    response = client.post(f"/forening/{association.id}/lok/forbered",
                           data={"version_id": seeded.id})
    assert response.status_code == 302
    [signature] = _signatures(db, association)
    assert signature.state == SignatureState.PREPARED
    assert (signature.prepared_by_id, signature.prepared_by_name) == (contact.id, "Karin Kontakt")
    assert signature.version_id == seeded.id and signature.signed_at is None
    assert audit_events("agreement.prepare")

    [mail] = outbox("väntar på din underskrift")
    assert mail.recipients == ["fredrik@schack.example.se"]
    assert "Karin Kontakt" in mail.body_text

    # Preparing twice is refused; the representative still cannot sign.
    response = client.post(f"/forening/{association.id}/lok/forbered",
                           data={"version_id": seeded.id})
    assert response.status_code == 403
    assert "redan förberett" in text(response)
    page = text(client.get(f"/forening/{association.id}/lok"))
    assert "väntar nu på att en firmatecknare undertecknar" in page
    assert queries.standing(association.id).standing == Standing.NOT_SIGNED


def test_only_a_firmatecknare_may_sign(client, login_as, db, club, seeded):
    association, contact, _signer = club
    login_as(user=contact)
    response = client.post(f"/forening/{association.id}/lok/underteckna",
                           data={"version_id": seeded.id, "confirm": "y"})
    assert response.status_code == 403
    assert "Bara en firmatecknare kan underteckna LÖK:en för föreningen." in text(response)
    assert _signatures(db, association) == []
    with pytest.raises(services.AgreementError, match="firmatecknare"):
        services.sign(association, contact, seeded)


def test_the_firmatecknare_signs_with_an_explicit_confirmation(
        client, login_as, db, club, seeded, outbox, audit_events):
    association, contact, signer = club
    services.prepare(association, contact, seeded)
    login_as(user=signer)
    page = text(client.get(f"/forening/{association.id}/lok"))
    assert "Jag är firmatecknare och undertecknar LÖK:en för föreningen" in page
    assert seeded.checksum[:12] in page

    # Without the tick nothing is signed.
    response = client.post(f"/forening/{association.id}/lok/underteckna",
                           data={"version_id": seeded.id})
    assert response.status_code == 400
    assert "Kryssa i rutan" in text(response)
    assert _signatures(db, association)[0].state == SignatureState.PREPARED

    before = datetime.now(UTC)
    response = client.post(f"/forening/{association.id}/lok/underteckna",
                           data={"version_id": seeded.id, "confirm": "y"},
                           environ_base={"REMOTE_ADDR": CLIENT_IP})
    assert response.status_code == 302
    [signature] = _signatures(db, association)  # the prepared signing became the signature
    assert signature.state == SignatureState.SIGNED
    assert (signature.signed_by_id, signature.signed_by_name) == (signer.id,
                                                                 "Fredrik Firmatecknare")
    assert signature.prepared_by_id == contact.id
    assert signature.signed_at >= before.replace(microsecond=0)
    assert signature.signed_at.tzinfo is not None
    assert signature.signed_from_ip == CLIENT_IP
    assert signature.signed_checksum == seeded.checksum and signature.checksum_matches
    assert signature.version_id == seeded.id

    [event] = audit_events("agreement.sign")
    assert event.actor_id == signer.id and event.actor_ip == CLIENT_IP
    assert event.details["checksum"] == seeded.checksum

    [receipt] = outbox("Kvitto")
    assert receipt.recipients == ["fredrik@schack.example.se"]
    assert seeded.checksum in receipt.body_text and CLIENT_IP in receipt.body_text
    assert queries.has_signed_current(association.id)
    assert queries.standing(association.id).standing == Standing.SIGNED_CURRENT

    page = text(client.get(f"/forening/{association.id}/lok"))
    assert "Har undertecknat den gällande LÖK:en" in page
    response = client.post(f"/forening/{association.id}/lok/underteckna",
                           data={"version_id": seeded.id, "confirm": "y"})
    assert response.status_code == 403
    assert "redan undertecknat" in text(response)


def test_signing_directly_without_preparing(db, club, seeded):
    association, _contact, signer = club
    signature = services.sign(association, signer, seeded, ip="198.51.100.1", notify=False)
    assert signature.prepared_at is None and signature.signed_from_ip == "198.51.100.1"
    assert queries.has_signed_current(association.id)


def test_a_stale_page_cannot_sign_a_version_that_is_no_longer_current(
        client, login_as, db, club, seeded, new_version):
    association, _contact, signer = club
    newer = new_version()
    login_as(user=signer)
    response = client.post(f"/forening/{association.id}/lok/underteckna",
                           data={"version_id": seeded.id, "confirm": "y"})
    assert response.status_code == 302
    assert _signatures(db, association) == []
    page = text(client.get(response.headers["Location"]))
    assert "har fått en ny version" in page
    assert services.sign(association, signer, newer, notify=False).version_id == newer.id


def test_a_user_of_one_association_cannot_sign_for_another(
        client, login_as, db, club, make_association, seeded):
    _association, _contact, signer = club
    other = make_association("Annan förening")
    login_as(user=signer)
    assert client.get(f"/forening/{other.id}/lok").status_code == 403
    for path in ("forbered", "underteckna", "aterkalla", "avbryt"):
        response = client.post(f"/forening/{other.id}/lok/{path}",
                               data={"version_id": seeded.id, "confirm": "y"})
        assert response.status_code == 403, path
        assert "Du företräder inte den här föreningen." in text(response)
    assert _signatures(db, other) == []


def test_only_registered_associations_sign(client, login_as, db, make_association, make_user,
                                           add_member, seeded):
    pending = make_association("Ny förening", register_state=RegisterState.PENDING)
    signer = make_user()
    add_member(pending, signer, signatory=True)
    login_as(user=signer)
    page = text(client.get(f"/forening/{pending.id}/lok"))
    assert "inte registrerad" in page
    response = client.post(f"/forening/{pending.id}/lok/underteckna",
                           data={"version_id": seeded.id, "confirm": "y"})
    assert response.status_code == 403
    assert "Bara föreningar som är registrerade" in text(response)


def test_withdrawing_keeps_the_history(client, login_as, db, club, seeded, outbox,
                                       audit_events):
    association, contact, signer = club
    services.sign(association, signer, seeded, notify=False)

    login_as(user=contact)
    assert client.post(f"/forening/{association.id}/lok/aterkalla",
                       data={"confirm": "y"}).status_code == 403

    login_as(user=signer)
    response = client.post(f"/forening/{association.id}/lok/aterkalla", data={"reason": "x"})
    assert response.status_code == 400  # the confirmation is required
    response = client.post(f"/forening/{association.id}/lok/aterkalla",
                           data={"reason": "Styrelsen beslutade det på årsmötet.",
                                 "confirm": "y"})
    assert response.status_code == 302
    [signature] = _signatures(db, association)
    assert signature.state == SignatureState.WITHDRAWN
    assert signature.withdrawn_by_id == signer.id and signature.withdrawn_at is not None
    assert signature.withdrawal_reason == "Styrelsen beslutade det på årsmötet."
    assert signature.signed_checksum == seeded.checksum  # the signing is still on record
    assert not queries.has_signed_current(association.id)
    assert audit_events("agreement.withdraw")
    [mail] = outbox("återkallat")
    assert mail.recipients == ["fredrik@schack.example.se", "info@schack.example.se"]

    page = text(client.get(f"/forening/{association.id}/lok"))
    assert "Återkallad" in page and "Styrelsen beslutade det på årsmötet." in page
    assert "Jag är firmatecknare och undertecknar" in page  # may sign again

    # Signing again adds a new row; the withdrawn one stays.
    services.sign(association, signer, seeded, notify=False)
    assert [s.state for s in _signatures(db, association)] == [SignatureState.WITHDRAWN,
                                                               SignatureState.SIGNED]


def test_withdrawing_after_a_new_version_withdraws_the_earlier_signature(
        db, club, seeded, new_version):
    association, _contact, signer = club
    services.sign(association, signer, seeded, notify=False)
    new_version()
    assert queries.standing(association.id).standing == Standing.SIGNED_EARLIER
    services.withdraw(association, signer, None)
    assert queries.standing(association.id).standing == Standing.NOT_SIGNED


def test_a_preparation_can_be_cancelled(client, login_as, db, club, seeded, audit_events):
    association, contact, _signer = club
    services.prepare(association, contact, seeded)
    login_as(user=contact)
    assert client.post(f"/forening/{association.id}/lok/avbryt").status_code == 302
    [signature] = _signatures(db, association)
    assert signature.state == SignatureState.CANCELLED and signature.cancelled_by_id == contact.id
    assert audit_events("agreement.cancel_preparation")
    assert client.post(f"/forening/{association.id}/lok/avbryt").status_code == 403


def test_staff_can_read_the_page_with_the_signing_address(client, login_as, db, club, seeded):
    association, _contact, signer = club
    services.sign(association, signer, seeded, ip=CLIENT_IP, notify=False)
    login_as("officer")
    page = text(client.get(f"/forening/{association.id}/lok"))
    assert CLIENT_IP in page and "Kontrollsumman stämmer" in page
    assert "Jag är firmatecknare" not in page


def test_an_unrelated_resident_gets_403_and_a_missing_association_404(client, login_as, club):
    association, _contact, _signer = club
    login_as("resident")
    assert client.get(f"/forening/{association.id}/lok").status_code == 403
    assert client.get("/forening/999999/lok").status_code == 404


def test_anonymous_is_sent_to_login(client, club):
    association, _contact, _signer = club
    response = client.get(f"/forening/{association.id}/lok")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_a_forged_version_id_is_refused(client, login_as, club):
    association, _contact, signer = club
    login_as(user=signer)
    response = client.post(f"/forening/{association.id}/lok/underteckna",
                           data={"version_id": "999999", "confirm": "y"})
    assert response.status_code == 400


def test_one_open_signing_per_association_and_version_is_enforced_by_the_database(
        db, club, seeded):
    from sqlalchemy.exc import IntegrityError

    association, _contact, _signer = club
    for _ in range(2):
        db.session.add(AgreementSignature(association_id=association.id, version_id=seeded.id,
                                          state=SignatureState.PREPARED))
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.flush()

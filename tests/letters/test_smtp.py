"""End to end: the decision is committed, the worker sends the mail, the SMTP server receives
the PDF intact (same SHA-256 as the stored letter)."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from lokapp.associations import services as register
from lokapp.associations.models import Association, Category, LegalForm, RegisterState
from lokapp.core.mail import OutboxMessage, OutboxStatus, send_pending
from lokapp.extensions import db
from lokapp.letters import services
from lokapp.letters.models import Letter
from tests.associations.register_helpers import numbered_case, officer, person


def test_the_smtp_server_receives_the_letter_intact(app, committing_db, use_smtp):
    category = db.session.scalars(select(Category).order_by(Category.sort_order)).first()
    association = Association(name="Råby Kulturförening", legal_form=LegalForm.NONPROFIT,
                              category=category, description="Kultur i Råby.", orgnr="8024320015",
                              register_state=RegisterState.PENDING)
    db.session.add(association)
    db.session.flush()
    applicant = person(name="Sara Sökande", email="sara@example.se")
    case = numbered_case("registration", "submitted", applicant, association)
    register.reject_registration(case, officer(), "Föreningen har inga stadgar.")
    db.session.commit()
    letter = db.session.scalars(select(Letter)).one()
    sha, filename, letter_id = letter.sha256, letter.filename, letter.id
    db.session.commit()  # end the read transaction (SQLite: the worker needs the write lock)

    report = send_pending()
    assert report.sent == 1
    [received] = use_smtp.wait_for(1)
    assert received.rcpt_tos == ("sara@example.se",)
    message = received.message
    [attachment] = [part for part in message.iter_attachments()]
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == filename
    data = attachment.get_content()
    assert hashlib.sha256(data).hexdigest() == sha
    body = message.get_body(("plain",)).get_content()
    assert "Föreningen har inga stadgar." in body

    # a resend arrives with the very same bytes
    services.resend(db.session.get(Letter, letter_id), None)
    db.session.commit()
    send_pending()
    second = use_smtp.wait_for(2)[1].message
    [again] = list(second.iter_attachments())
    assert again.get_content() == data
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {OutboxStatus.SENT}

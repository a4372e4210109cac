"""Issuing: the register's decisions make letters, stored with their context and PDF, e-mailed
through the outbox in the decision's transaction; resends send the same bytes."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from lokapp.associations import services as register
from lokapp.core.audit import AuditEvent
from lokapp.core.mail import OutboxMessage, build_email, messages_for
from lokapp.extensions import db
from lokapp.letters import rendering, services
from lokapp.letters.context import UnlawfulLetter
from lokapp.letters.models import Letter, LetterDispatch, LetterKind
from tests.associations.register_helpers import add_member, numbered_case, person
from tests.letters.conftest import REASONS, approve, letter_of, pdf_text, reject


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_rejection_makes_one_letter_and_one_mail_with_the_pdf(submitted, case_officer):
    letter = reject(submitted, case_officer)
    assert letter.kind == LetterKind.REGISTRATION_REJECTED
    assert letter.sha256 == hashlib.sha256(letter.pdf).hexdigest() and letter.size == len(
        letter.pdf)
    assert letter.template_version == 1 and letter.template.version == 1
    assert letter.recipients == ["sara@example.se"]
    assert letter.context["decision"]["reasons"] == REASONS
    assert letter.decision_ref.startswith("h")
    assert letter.sent_at is not None
    [message] = db.session.scalars(messages_for("cases", submitted.id)).all()
    assert message.recipients == ["sara@example.se"]
    assert message.subject == "Beslut om registrering av Bäckby Schackklubb"
    assert "Föreningen har ingen verksamhet i Västerås." in message.body_text
    assert f"/brev/{letter.id}" in message.body_text
    [attachment] = message.attachments
    assert attachment.content_type == "application/pdf"
    assert attachment.data == letter.pdf and attachment.filename == letter.filename
    [dispatch] = letter.dispatches
    assert dispatch.outbox_message_id == message.id and not dispatch.is_resend
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "letter.issued" in actions


def test_an_approval_letter(submitted, case_officer):
    letter = approve(submitted, case_officer, note="Välkomna!")
    text = " ".join(pdf_text(letter.pdf).split())
    assert "är registrerad i Västerås stads föreningsregister" in text
    assert "Kommentar från handläggaren" in text and "Välkomna!" in text
    assert "Skäl för beslutet" not in text
    assert letter.context["decision"]["note"] == "Välkomna!"


def test_every_register_decision_gets_its_letter(db, make_association, case_officer):
    association = make_association(name="Hälla Hembygdsförening", bankgiro="50501055")
    tove = person(name="Tove Kassör", email="tove@example.se")
    add_member(association, tove, "treasurer")
    from lokapp.associations.services import PaymentData

    case = register.request_sensitive_change(
        association, PaymentData(orgnr=association.orgnr, bankgiro="54029681", plusgiro=None),
        tove)
    register.reject_sensitive_change(case, case_officer, "Kontoinnehavaren är inte föreningen.")
    letter = letter_of(case)
    assert letter.kind == LetterKind.CHANGE_REJECTED
    assert letter.context["changes"] == [{"label": "Bankgiro", "old": "5050-1055",
                                          "new": "5402-9681"}]
    text = " ".join(pdf_text(letter.pdf).split())
    assert "Bankgiro: 5050-1055 (begärd ändring: 5402-9681)" in text
    assert "Kontoinnehavaren är inte föreningen." in text


def test_the_letter_is_part_of_the_decisions_transaction(submitted, case_officer):
    nested = db.session.begin_nested()
    reject(submitted, case_officer)
    assert _count(Letter) == 1 and _count(OutboxMessage) == 1
    nested.rollback()
    assert _count(Letter) == 0 and _count(OutboxMessage) == 0


def test_one_letter_per_decision(submitted, case_officer):
    letter = reject(submitted, case_officer)
    again = services.issue_letter(submitted, LetterKind.REGISTRATION_REJECTED)
    assert again.id == letter.id
    assert _count(Letter) == 1 and _count(LetterDispatch) == 1 and _count(OutboxMessage) == 1


def test_resend_sends_identical_bytes_and_never_rerenders(submitted, case_officer, monkeypatch):
    letter = reject(submitted, case_officer)
    original = letter.pdf

    def refuse(*args, **kwargs):
        raise AssertionError("a sent letter must never be rendered again")

    monkeypatch.setattr(rendering, "render_pdf", refuse)
    monkeypatch.setattr(rendering, "render_html", refuse)
    services.resend(letter, case_officer)
    first, second = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert first.attachments[0].data == second.attachments[0].data == original
    assert build_email(second).get_payload()[-1].get_content() == original
    assert [d.is_resend for d in letter.dispatches] == [False, True]
    assert letter.pdf == original


def test_reasons_are_mandatory_for_a_rejection(submitted, case_officer):
    # The workflow asks for a note; the letters refuse a rejection without reasons as well,
    # whoever calls them.
    from lokapp.core.cases import CaseHistory

    with pytest.raises(Exception, match="Motivering"):
        register.reject_registration(submitted, case_officer, "   ")
    submitted.state = "rejected"
    db.session.add(CaseHistory(case_id=submitted.id, actor_id=case_officer.id,
                               from_state="submitted", to_state="rejected", action="reject"))
    db.session.flush()
    with pytest.raises(UnlawfulLetter, match="motiveras"):
        services.issue_letter(submitted, LetterKind.REGISTRATION_REJECTED)
    assert _count(Letter) == 0


def test_a_case_without_a_decision_gets_no_letter(submitted):
    with pytest.raises(services.LetterError):
        services.issue_letter(submitted, LetterKind.REGISTRATION_APPROVED)


def test_no_mail_address_keeps_the_letter_on_the_case(db, make_association, case_officer):
    association = make_association(name="Tyst förening", register_state="pending", email=None)
    case = numbered_case("registration", "submitted", None, association)
    letter = reject(case, case_officer)
    assert letter.recipients == [] and letter.sent_at is None and letter.dispatches == []
    with pytest.raises(services.LetterError):
        services.resend(letter, case_officer)


def test_a_new_template_version_is_used_and_recorded(submitted, case_officer, make_user):
    kind = LetterKind.REGISTRATION_REJECTED
    current = services.current_template(kind)
    texts = {"subject_sv": "Avslag för {{ association.name }}",
             "body_sv": "<p>Nej tyvärr, {{ association.name }}.</p>",
             "subject_en": current.subject_en, "body_en": current.body_en}
    saved = services.save_template(kind, texts, make_user("admin"))
    letter = reject(submitted, case_officer)
    assert letter.template_id == saved.id and letter.template_version == 2
    assert letter.title == "Avslag för Bäckby Schackklubb"
    assert "Nej tyvärr, Bäckby Schackklubb." in pdf_text(letter.pdf)


def test_the_hook_is_called_with_the_decision(monkeypatch, submitted, case_officer):
    calls = []
    monkeypatch.setattr("lokapp.letters.services.issue_decision",
                        lambda case, decision: calls.append(decision))
    register.approve_registration(submitted, case_officer)
    assert calls == ["registration_approved"]

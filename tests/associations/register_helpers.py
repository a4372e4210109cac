"""Helpers for the register workflow tests (the fixtures are in ``conftest.py``)."""
from __future__ import annotations

import io
import itertools
import re

from sqlalchemy import select
from stdnum import luhn

from lokapp.associations import services
from lokapp.associations.models import (
    AgeBand,
    Association,
    AssociationDocument,
    Category,
    District,
    DocumentType,
    Gender,
    RegisterState,
)
from lokapp.auth.models import (
    AssociationMember,
    AssociationMemberRole,
    AssociationRole,
    GlobalRole,
    StaffArea,
    User,
    UserArea,
    UserRole,
)
from lokapp.core.audit import AuditEvent
from lokapp.core.cases import Case, assign_number, open_case
from lokapp.core.mail import OutboxMessage
from lokapp.core.time import utcnow
from lokapp.extensions import db

PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 200

_seq = itertools.count(1)


def text(response) -> str:
    return response.get_data(as_text=True)


def orgnr(n: int) -> str:
    """A valid compact organisationsnummer (starts with 8: ideell förening)."""
    base = f"87{n % 10_000_000:07d}"
    return base + luhn.calc_check_digit(base)


def person(role: str | None = None, areas: tuple[str, ...] = (), email: str | None = None,
           name: str | None = None) -> User:
    """A user without a usable password (no argon2 – cheap), for service tests."""
    n = next(_seq)
    user = User(email=email or f"reg-person-{n}@example.se", name=name or f"Person {n}",
                password_hash="!", email_verified_at=utcnow())
    if role:
        user.roles.append(UserRole(role=GlobalRole(role)))
    for area in areas:
        user.areas.append(UserArea(area=StaffArea(area)))
    db.session.add(user)
    db.session.flush()
    return user


def officer() -> User:
    return person("officer", areas=("register",))


def add_member(association: Association, user: User, *roles: str,
               signatory: bool = False) -> AssociationMember:
    member = AssociationMember(user_id=user.id, association_id=association.id,
                               is_signatory=signatory)
    for role in roles or ("administrator",):
        member.roles.append(AssociationMemberRole(role=AssociationRole(role)))
    db.session.add(member)
    db.session.flush()
    return member


def numbered_case(case_type: str, state: str, applicant: User | None,
                  association: Association) -> Case:
    """A case of ``case_type`` put straight into ``state`` (numbered unless a draft)."""
    case = open_case(case_type, subject="Test", applicant=applicant,
                     association_id=association.id)
    if state != "draft":
        case.submitted_at = utcnow()
        assign_number(case)
    case.state = state
    db.session.flush()
    return case


def add_document(association: Association, doc_type: DocumentType, year: int,
                 user: User | None = None) -> AssociationDocument:
    from werkzeug.datastructures import FileStorage

    user = user or person()
    return services.upload_document(association, doc_type, year,
                                    FileStorage(io.BytesIO(PDF_BYTES), f"{doc_type.value}.pdf"),
                                    user)


def messages(to: str | None = None) -> list[OutboxMessage]:
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [m for m in rows if to is None or to in m.recipients]


def audit_actions(object_type: str | None = None) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return list(db.session.scalars(query))


def link_path(message: OutboxMessage, prefix: str) -> str:
    match = re.search(r"http://localhost(" + re.escape(prefix) + r"[A-Za-z0-9_\-/]*)",
                      message.body_text)
    assert match, f"no {prefix} link in:\n{message.body_text}"
    return match.group(1)


def first_ids() -> tuple[int, list[int]]:
    category = db.session.scalars(select(Category.id).order_by(Category.sort_order)).first()
    districts = list(db.session.scalars(select(District.id).order_by(District.sort_order)
                                        .limit(2)))
    return category, districts


def registration_form(**overrides) -> dict:
    """Valid POST data for the registration form; pass ``field=value`` to change one."""
    category, districts = first_ids()
    data = {
        "name": "Bäckby Schackklubb", "legal_form": "nonprofit", "orgnr": "802432-0015",
        "category": str(category), "districts": [str(d) for d in districts],
        "languages": ["sv", "ar"], "description": "Vi spelar schack varje tisdag.",
        "email": "info@schack.example.se", "phone": "021-12 34 56",
        "website": "www.schack.example.se", "street_address": "Bäckbyvägen 1",
        "postal_code": "72345", "city": "Västerås", "founded_year": "1985",
        "has_accessible_premises": "y", "is_public": "y", "bankgiro": "5050-1055",
        "plusgiro": "",
        "board-0-name": "Anna Andersson", "board-0-role": "chair",
        "board-0-email": "anna@example.se",
        "board-1-name": "Bo Berg", "board-1-role": "treasurer", "board-1-email": "",
        "counts-age_26_64_woman": "12", "counts-age_26_64_man": "9",
        "counts-age_13_20_other": "1",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def counts_form(prefix: str = "counts-", **values: int) -> dict:
    data = {f"{prefix}{b.name.lower()}_{g.name.lower()}": "" for b in AgeBand for g in Gender}
    data.update({f"{prefix}{k}": str(v) for k, v in values.items()})
    return data


def pdf(name: str = "dokument.pdf", data: bytes = PDF_BYTES):
    return (io.BytesIO(data), name)


def login(client, user: User) -> User:
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return user


def registered(make_association, **kwargs) -> Association:
    kwargs.setdefault("register_state", RegisterState.REGISTERED)
    return make_association(**kwargs)


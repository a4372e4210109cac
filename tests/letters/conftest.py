"""Fixtures of the letter tests: decided register cases made through the register's services."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lokapp.associations import services as register
from lokapp.associations.models import RegisterState
from lokapp.extensions import db
from lokapp.letters.models import Letter
from tests.associations.register_helpers import add_member, numbered_case, officer, person

REASONS = "Föreningen har ingen verksamhet i Västerås.\n\nDet krävs enligt reglerna."


@pytest.fixture(autouse=True)
def _request_context(app):
    """Lazy Swedish messages and absolute links need a request context."""
    with app.test_request_context():
        yield


@pytest.fixture
def association(db, make_association):
    return make_association(name="Bäckby Schackklubb", register_state=RegisterState.PENDING,
                            street_address="Bäckbyvägen 1", postal_code="72345",
                            city="Västerås", email="info@schack.example.se")


@pytest.fixture
def applicant(db):
    return person(name="Sara Sökande", email="sara@example.se")


@pytest.fixture
def case_officer(db):
    user = officer()
    user.name, user.title, user.phone = "Karin Handläggare", "Föreningskonsulent", "021-39 12 34"
    user.email = f"karin{user.id}@vasteras.se"
    db.session.flush()
    return user


@pytest.fixture
def submitted(association, applicant):
    return numbered_case("registration", "submitted", applicant, association)


def reject(case, by, reasons=REASONS) -> Letter:
    register.reject_registration(case, by, reasons)
    return letter_of(case)


def approve(case, by, note=None) -> Letter:
    register.approve_registration(case, by, note)
    return letter_of(case)


def letter_of(case) -> Letter:
    return db.session.scalars(select(Letter).where(Letter.case_id == case.id)
                              .order_by(Letter.id.desc())).first()


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pdf_reader(data).pages)


def member_of(association, name="Mats Medlem"):
    user = person(name=name)
    add_member(association, user, "chair")
    return user

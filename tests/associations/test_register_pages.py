"""The association's own pages, the officers' list and the register's mail templates."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lokapp.associations.models import Association, AssociationDocument, MemberCount
from lokapp.core.audit import AuditEvent
from lokapp.core.mail import queue_mail
from lokapp.core.time import today_local
from lokapp.extensions import db
from tests.associations.register_helpers import (
    EXE_BYTES,
    add_member,
    first_ids,
    login,
    numbered_case,
    officer,
    pdf,
    person,
    registration_form,
    text,
)


@pytest.fixture
def association(db, make_association):
    return make_association(name="Erikslunds Fotbollsklubb",
                            registered_at=datetime(2020, 1, 10, tzinfo=UTC))


@pytest.fixture
def admin(client, association):
    user = person(name="Ada Admin")
    add_member(association, user, "administrator")
    return login(client, user)


def test_overview_shows_the_status_and_exactly_what_is_missing(client, admin, association,
                                                               signed):
    page = text(client.get(f"/forening/{association.id}"))
    assert "Registrerad" in page or "Spärrad" in page
    assert "<li>LÖK:en är inte undertecknad</li>" in page
    assert "<li>Stadgar saknas</li>" in page
    signed.add(association.id)
    page = text(client.get(f"/forening/{association.id}"))
    assert "LÖK:en är inte undertecknad" not in page


def test_editing_public_data_changes_it_directly_with_an_audit_event(client, admin, association):
    page = text(client.get(f"/forening/{association.id}/uppgifter"))
    assert 'value="Erikslunds Fotbollsklubb"' in page
    data = {k: v for k, v in registration_form(name="Erikslunds FK").items()
            if k not in ("orgnr", "legal_form", "bankgiro", "plusgiro")
            and not k.startswith("counts-")}
    response = client.post(f"/forening/{association.id}/uppgifter", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Association, association.id)
    assert changed.name == "Erikslunds FK"
    assert [m.name for m in changed.board_members] == ["Anna Andersson", "Bo Berg"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "association.update"))
    assert event.details["changes"]["name"] == ["Erikslunds Fotbollsklubb", "Erikslunds FK"]
    assert event.details["changes"]["board"][1] == ["Anna Andersson (chair)", "Bo Berg (treasurer)"]
    assert "anna@example.se" not in str(event.details)  # no board emails in the log
    # Sensitive fields are not on this form and are not changed by it.
    response = client.post(f"/forening/{association.id}/uppgifter",
                           data={**data, "orgnr": "556036-0793", "bankgiro": "5402-9681"})
    db.session.expire_all()
    assert db.session.get(Association, association.id).orgnr == association.orgnr
    assert db.session.get(Association, association.id).bankgiro is None
    # Saving again without changes records nothing new.
    client.post(f"/forening/{association.id}/uppgifter", data=data)
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "association.update")).all()) == 1


def test_documents_page_upload_and_refusal(client, admin, association, upload_dir):
    year = today_local().year
    response = client.post(f"/forening/{association.id}/dokument",
                           content_type="multipart/form-data",
                           data={"doc_type": "equality_policy", "year": str(year),
                                 "file": pdf("policy.pdf")})
    assert response.status_code == 302
    page = text(client.get(f"/forening/{association.id}/dokument"))
    assert "Likabehandlingspolicy" in page and "policy.pdf" in page
    response = client.post(f"/forening/{association.id}/dokument",
                           content_type="multipart/form-data",
                           data={"doc_type": "statutes", "year": str(year),
                                 "file": pdf("stadgar.pdf", EXE_BYTES)})
    assert "Filtypen stöds inte" in text(response)
    response = client.post(f"/forening/{association.id}/dokument",
                           content_type="multipart/form-data",
                           data={"doc_type": "statutes", "year": "1999", "file": pdf()})
    assert "Not a valid choice" not in text(response)
    assert len(db.session.scalars(select(AssociationDocument)).all()) == 1


def test_member_counts_page(client, admin, association):
    db.session.add(MemberCount(association_id=association.id, year=2025, age_band="7-12",
                               gender="woman", count=17))
    db.session.commit()
    page = text(client.get(f"/forening/{association.id}/medlemsantal"))
    assert "<caption>Antal medlemmar 2025</caption>" in page
    assert "<td>17</td>" in page


# --- the officers' list ---------------------------------------------------------------------

def test_officer_queue_lists_filters_and_pages(client, db, make_association):
    applicant = person(name="Sara Sökande")
    cases = []
    for n in range(55):
        association = make_association(name=f"Förening {n:02d}")
        cases.append(numbered_case("registration" if n % 2 else "annual_update", "submitted",
                                   applicant, association))
    closed = numbered_case("registration", "approved", applicant, make_association())
    login(client, officer())
    page = text(client.get("/handlaggning/foreningsregister"))
    assert "55 ärenden" in page and "Sida 1 av 2" in page and "Sara Sökande" in page
    assert cases[0].number in page and closed.number not in page
    page = text(client.get("/handlaggning/foreningsregister?typ=registration"))
    assert "27 ärenden" in page
    page = text(client.get("/handlaggning/foreningsregister?visa=alla&sida=2"))
    assert "56 ärenden" in page and "Sida 2 av 2" in page
    assert client.get("/handlaggning/foreningsregister?sida=-5&typ=ogiltig").status_code == 200


def test_officer_queue_query_count_does_not_grow(client, db, make_association, count_queries):
    login(client, officer())
    applicant = person()

    def add(n):
        for _ in range(n):
            numbered_case("registration", "submitted", applicant, make_association())
        db.session.commit()

    add(3)
    with count_queries() as few:
        assert client.get("/handlaggning/foreningsregister").status_code == 200
    add(47)
    with count_queries() as many:
        assert client.get("/handlaggning/foreningsregister").status_code == 200
    assert many.count == few.count, many
    assert many.count <= 8, many


def test_officer_case_page_query_count_is_bounded(client, db, make_association, count_queries):
    login(client, officer())
    association = make_association()
    case = numbered_case("registration", "submitted", person(), association)
    db.session.commit()
    with count_queries() as queries:
        assert client.get(f"/handlaggning/foreningsregister/{case.id}").status_code == 200
    assert queries.count <= 25, queries


def test_my_associations_query_count_does_not_grow(client, db, make_association,
                                                   count_queries):
    user = login(client, person())

    def add(n):
        for _ in range(n):
            add_member(make_association(), user, "administrator")
        db.session.commit()

    add(2)
    with count_queries() as few:
        client.get("/mina-foreningar")
    add(20)
    with count_queries() as many:
        client.get("/mina-foreningar")
    assert many.count == few.count, many


# --- mail templates -------------------------------------------------------------------------

LINES = [{"label": "Bankgiro", "old": "5050-1055", "new": "5402-9681"}]
BASE = {"name": "Anna <b>", "association": "Förening & Co", "number": "LOK 2026/00001"}
CONTEXTS = {
    "mail/association_registration_received": {**BASE, "link": "http://localhost/x",
                                               "resubmitted": False},
    "mail/association_completion_requested": {**BASE, "link": "http://localhost/x",
                                               "message": "Mer <b>", "deadline": "2026-05-01",
                                               "kind": "registration"},
    "mail/association_annual_update_received": {**BASE, "link": "http://localhost/x",
                                                "year": 2026},
    "mail/association_change_received": {**BASE, "link": "http://localhost/x", "lines": LINES},
    "mail/association_invitation": {"association": "Förening & Co", "inviter": "Ada <b>",
                                    "roles": ["Ordförande"], "is_signatory": True,
                                    "link": "http://localhost/x", "days": 7},
    "mail/association_reminder": {"association": "Förening & Co", "kind": "overdue",
                                  "year": 2026, "due_date": "2026-04-30",
                                  "blocked_from": "2026-06-30", "link": "http://localhost/x"},
}


@pytest.mark.parametrize("template", CONTEXTS)
def test_mail_renders_in_swedish_text_and_escaped_html(app, db, template):
    message = queue_mail(to="anna@example.se", subject="Ämne", template=template,
                         context=CONTEXTS[template])
    assert message.body_text.startswith("Hej")
    assert "Västerås stad" in message.body_text
    assert "Förening & Co" in message.body_text
    assert "Förening &amp; Co" in message.body_html
    assert "<b>" not in message.body_html.replace("<body", "")
    if "link" in CONTEXTS[template]:
        assert "http://localhost/x" in message.body_text
        assert 'href="http://localhost/x"' in message.body_html
    assert "{{" not in message.body_text and "%(" not in message.body_text


def test_all_register_mail_templates_are_tested():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates" / "mail"
    names = {f"mail/{p.stem}" for p in root.glob("association_*.txt")}
    assert names == set(CONTEXTS)


def test_forms_offer_active_categories_and_districts(app, db):
    from lokapp.associations.forms import RegistrationForm

    form = RegistrationForm(meta={"csrf": False})
    category, districts = first_ids()
    assert form.category.choices[0][0] == category
    assert [d for d, _ in form.districts.choices][:2] == districts
    assert form.languages.choices[0] == ("sv", "Svenska")

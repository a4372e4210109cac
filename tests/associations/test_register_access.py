"""Who sees what: association A's people never see B's pages, documents or member data."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from lokapp.associations import services
from lokapp.associations.models import Association, DocumentType, RegisterState
from lokapp.auth.models import AssociationMember, User
from lokapp.core.cases import Case
from lokapp.extensions import db
from tests.associations.register_helpers import (
    PDF_BYTES,
    add_document,
    add_member,
    login,
    numbered_case,
    officer,
    person,
    text,
)


@dataclass
class Side:
    association: Association
    admin: User
    member: AssociationMember  # a second person (chair) to manage
    document_id: int
    invitation_id: int
    registration: Case
    registrant: User


def _side(make_association, name: str) -> Side:
    association = make_association(name=name)
    admin = person(name=f"Admin {name}")
    add_member(association, admin, "administrator")
    member = add_member(association, person(name=f"Ordförande {name}"), "chair")
    document = add_document(association, DocumentType.STATUTES, 2025, admin)
    invitation = services.invite(association, f"ny-{association.id}@example.se", ["contact"],
                                 False, admin)
    registrant = person()
    pending = make_association(name=f"{name} (ansökan)", register_state=RegisterState.PENDING)
    registration = numbered_case("registration", "needs_completion", registrant, pending)
    return Side(association, admin, member, document.id, invitation.id, registration,
                registrant)


@pytest.fixture
def world(db, make_association, upload_dir):
    a = _side(make_association, "Förening A")
    b = _side(make_association, "Förening B")
    db.session.commit()
    return a, b


def association_pages(side: Side) -> list[tuple[str, str]]:
    """Every page of an association: (method, url)."""
    a, m = side.association.id, side.member.id
    return [
        ("GET", f"/forening/{a}"),
        ("GET", f"/forening/{a}/uppgifter"),
        ("POST", f"/forening/{a}/uppgifter"),
        ("GET", f"/forening/{a}/dokument"),
        ("POST", f"/forening/{a}/dokument"),
        ("GET", f"/forening/{a}/dokument/{side.document_id}"),
        ("GET", f"/forening/{a}/medlemsantal"),
        ("GET", f"/forening/{a}/arlig-uppdatering"),
        ("POST", f"/forening/{a}/arlig-uppdatering"),
        ("GET", f"/forening/{a}/personer"),
        ("POST", f"/forening/{a}/personer"),
        ("GET", f"/forening/{a}/personer/{m}"),
        ("POST", f"/forening/{a}/personer/{m}"),
        ("POST", f"/forening/{a}/personer/{m}/ta-bort"),
        ("POST", f"/forening/{a}/inbjudningar/{side.invitation_id}/aterkalla"),
        ("GET", f"/forening/{a}/betalning"),
        ("POST", f"/forening/{a}/betalning"),
        ("POST", f"/forening/{a}/betalning/aterkalla"),
    ]


def registration_pages(side: Side) -> list[tuple[str, str]]:
    c = side.registration.id
    return [("GET", f"/forening/registreringar/{c}"),
            ("GET", f"/forening/registreringar/{c}/komplettera"),
            ("POST", f"/forening/registreringar/{c}/komplettera")]


def officer_pages(side: Side) -> list[tuple[str, str]]:
    c = side.registration.id
    return [("GET", "/handlaggning/foreningsregister"),
            ("GET", f"/handlaggning/foreningsregister/{c}"),
            ("POST", f"/handlaggning/foreningsregister/{c}/atgard/approve"),
            ("POST", f"/handlaggning/foreningsregister/{c}/komplettering")]


def _open(client, method, url):
    return client.open(url, method=method, data={})


def test_the_administrator_of_a_uses_every_page_of_a(client, world):
    a, _b = world
    login(client, a.admin)
    for method, url in association_pages(a):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 200, url


def test_a_never_sees_b(client, world):
    a, b = world
    login(client, a.admin)
    for method, url in association_pages(b) + registration_pages(b):
        response = _open(client, method, url)
        assert response.status_code == 403, f"{method} {url}: {response.status_code}"
        assert "Förening B" not in text(response), url
        assert response.data != PDF_BYTES
    for method, url in officer_pages(b):
        assert _open(client, method, url).status_code == 403, url


def test_b_objects_through_a_urls_are_not_found(client, world):
    a, b = world
    login(client, a.admin)
    aid = a.association.id
    assert client.get(f"/forening/{aid}/dokument/{b.document_id}").status_code == 404
    assert client.get(f"/forening/{aid}/personer/{b.member.id}").status_code == 404
    assert client.post(f"/forening/{aid}/personer/{b.member.id}/ta-bort").status_code == 404
    assert client.post(f"/forening/{aid}/inbjudningar/{b.invitation_id}/aterkalla"
                       ).status_code == 404
    db.session.expire_all()
    assert db.session.get(AssociationMember, b.member.id) is not None


def test_a_pages_show_no_b_data(client, world):
    a, b = world
    login(client, a.admin)
    for url in ("/mina-foreningar", f"/forening/{a.association.id}",
                f"/forening/{a.association.id}/dokument",
                f"/forening/{a.association.id}/personer"):
        page = text(client.get(url))
        assert "Förening B" not in page and "Admin Förening B" not in page, url
        assert f"/dokument/{b.document_id}\"" not in page


def test_a_registrant_sees_only_their_own_registration(client, world):
    a, b = world
    login(client, a.registrant)
    for method, url in registration_pages(a):
        assert _open(client, method, url).status_code in (200, 302), url
    for method, url in registration_pages(b):
        assert _open(client, method, url).status_code == 403, url
    # The registrant is not a representative until approved.
    assert client.get(f"/forening/{a.registration.association_id}").status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "resident", "officer_without_area",
                                 "officer_other_area", "coordinator"])
def test_outsiders_see_nothing(client, world, who):
    a, _b = world
    if who == "resident":
        login(client, person())
    elif who == "officer_without_area":
        login(client, person("officer"))
    elif who == "officer_other_area":
        login(client, person("officer", areas=("grants", "bookings")))
    elif who == "coordinator":
        login(client, person("coordinator", areas=("register",)))
    for method, url in association_pages(a) + registration_pages(a) + officer_pages(a):
        response = _open(client, method, url)
        if who == "anonymous":
            assert response.status_code == 302, url
            assert "/logga-in" in response.headers["Location"]
        else:
            assert response.status_code == 403, f"{who} {method} {url}"
        assert "Förening A" not in text(response)
    db.session.expire_all()
    assert db.session.get(Case, a.registration.id).state == "needs_completion"


def test_a_register_officer_reads_every_association_but_does_not_act_for_them(client, world):
    a, b = world
    login(client, officer())
    for side in (a, b):
        aid = side.association.id
        for url in (f"/forening/{aid}", f"/forening/{aid}/dokument",
                    f"/forening/{aid}/dokument/{side.document_id}",
                    f"/forening/{aid}/medlemsantal", f"/forening/{aid}/personer",
                    f"/forening/registreringar/{side.registration.id}"):
            assert client.get(url).status_code == 200, url
        for method, url in [("GET", f"/forening/{aid}/uppgifter"),
                            ("GET", f"/forening/{aid}/arlig-uppdatering"),
                            ("POST", f"/forening/{aid}/personer"),
                            ("GET", f"/forening/{aid}/betalning"),
                            ("GET", f"/forening/registreringar/{side.registration.id}"
                                    "/komplettera")]:
            assert _open(client, method, url).status_code == 403, url
    for method, url in officer_pages(a):
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_downloads_are_private_and_not_cached(client, world):
    a, _b = world
    login(client, a.admin)
    response = client.get(f"/forening/{a.association.id}/dokument/{a.document_id}")
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "no-cache" in response.headers.get("Cache-Control", "") or \
        "max-age=0" in response.headers.get("Cache-Control", "")
    client.post("/logga-ut")
    response = client.get(f"/forening/{a.association.id}/dokument/{a.document_id}")
    assert response.status_code == 302


def test_a_removed_person_loses_access(client, world):
    a, _b = world
    chair = db.session.get(AssociationMember, a.member.id).user
    login(client, chair)
    assert client.get(f"/forening/{a.association.id}").status_code == 200
    login(client, a.admin)
    client.post(f"/forening/{a.association.id}/personer/{a.member.id}/ta-bort")
    login(client, chair)
    assert client.get(f"/forening/{a.association.id}").status_code == 403
    assert client.get(f"/forening/{a.association.id}/dokument/{a.document_id}"
                      ).status_code == 403


def test_nonexistent_objects_are_not_found(client, world):
    a, _b = world
    login(client, a.admin)
    assert client.get("/forening/999999").status_code == 404
    assert client.get(f"/forening/{a.association.id}/dokument/999999").status_code == 404
    login(client, officer())
    assert client.get("/handlaggning/foreningsregister/999999").status_code == 404

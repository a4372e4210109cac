from __future__ import annotations

import pytest

from lokapp.auth.models import AssociationMember, AssociationMemberRole, AssociationRole
from tests.auth.conftest import text


def test_account_requires_login(client):
    response = client.get("/konto")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in")


def test_resident_account_page(client, login_as):
    user = login_as("resident", name="Rut Resident", email="rut@example.se")
    response = client.get("/konto")
    assert response.status_code == 200
    body = text(response)
    assert "Rut Resident" in body and "rut@example.se" in body
    assert "Din behörighet på staden" not in body
    for name in ("current_password", "password", "password_confirm", "name"):
        assert f'name="{name}"' in body
    assert user.name in body


def test_staff_account_page_shows_roles_areas_and_limit(client, login_as):
    login_as("officer", areas=("grants", "register"), delegation_limit_sek=50000)
    body = text(client.get("/konto"))
    assert "Din behörighet på staden" in body
    assert "Handläggare" in body
    assert "Bidrag" in body and "Föreningsregister" in body
    assert "50\u00a0000 kr" in body or "50 000 kr" in body or "50\u202f000 kr" in body


def _association_id(request) -> int:
    """A real association once the register exists (its factory), else a bare id."""
    try:
        make_association = request.getfixturevalue("make_association")
    except pytest.FixtureLookupError:
        return 42
    return make_association().id


def test_account_page_lists_associations(client, db, login_as, request):
    user = login_as("resident")
    member = AssociationMember(user_id=user.id, association_id=_association_id(request),
                               is_signatory=True)
    member.roles.append(AssociationMemberRole(role=AssociationRole.CHAIR))
    db.session.add(member)
    db.session.commit()
    body = text(client.get("/konto"))
    assert "Föreningar du företräder" in body
    assert "Ordförande" in body and "firmatecknare" in body


def test_change_name(client, db, login_as, audit_events):
    user = login_as("resident", name="Gammalt Namn")
    response = client.post("/konto/namn", data={"name": "  Nytt Namn  "})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Nytt Namn"
    [event] = audit_events("auth.name_changed")
    assert event.details == {"before": "Gammalt Namn", "after": "Nytt Namn"}


def test_change_name_empty_is_refused(client, login_as):
    login_as("resident")
    response = client.post("/konto/namn", data={"name": ""})
    assert response.status_code == 200
    assert "Fyll i namn." in text(response)

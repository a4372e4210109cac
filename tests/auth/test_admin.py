from __future__ import annotations

import pytest
from sqlalchemy import select

from lokapp.auth.models import AuthToken, TokenPurpose, User
from lokapp.auth.passwords import has_usable_password
from tests.auth.conftest import STRONG_PASSWORD, is_logged_in, link_path, text


def _staff_data(**overrides):
    data = {"name": "Sara Lind", "email": "Sara.Lind@vasteras.se", "title": "Handläggare",
            "phone": "021-39 00 00", "roles": ["officer"], "areas": ["grants", "register"],
            "delegation_limit_sek": "50 000"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("path", ["/admin/personal", "/admin/personal/ny"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in")


@pytest.mark.parametrize("role", ["resident", "officer", "supervisor", "coordinator"])
def test_only_admins_get_in(client, login_as, role):
    user = login_as(role)
    for path in ("/admin/personal", "/admin/personal/ny", f"/admin/personal/{user.id}"):
        assert client.get(path).status_code == 403
    assert client.post("/admin/personal/ny", data=_staff_data()).status_code == 403
    assert client.post(f"/admin/personal/{user.id}",
                       data=_staff_data(roles=["admin"])).status_code == 403


def test_staff_list(client, login_as, make_user, count_queries):
    login_as("admin", name="Alva Admin")
    make_user("officer", name="Olle Officer", areas=("grants",), delegation_limit_sek=50000)
    make_user("resident", name="Rut Resident")
    with count_queries() as queries:
        response = client.get("/admin/personal")
    assert response.status_code == 200
    body = text(response)
    assert "Olle Officer" in body and "Alva Admin" in body
    assert "Rut Resident" not in body
    assert "Bidrag" in body and "Handläggare" in body
    assert queries.count <= 6, queries


def test_create_staff_sends_an_invitation(client, db, login_as, outbox, audit_events):
    admin = login_as("admin")
    response = client.post("/admin/personal/ny", data=_staff_data())
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "sara.lind@vasteras.se"))
    assert response.headers["Location"] == f"/admin/personal/{user.id}"
    assert user.role_names == {"officer"}
    assert user.area_names == {"grants", "register"}
    assert user.delegation_limit_sek == 50000
    assert user.title == "Handläggare"
    assert not has_usable_password(user.password_hash)

    [event] = audit_events("admin.staff_created")
    assert event.actor_id == admin.id
    assert event.details["roles"] == ["officer"]

    [message] = outbox(to="sara.lind@vasteras.se")
    assert message.subject == "Välkommen till lokapp – välj ditt lösenord"
    token = db.session.scalar(select(AuthToken).where(AuthToken.user_id == user.id))
    assert token.purpose == TokenPurpose.RESET_PASSWORD
    assert (token.expires_at - token.created_at).total_seconds() == 72 * 3600

    # The new person cannot log in before choosing a password …
    client.post("/logga-ut")
    assert client.post("/logga-in", data={"email": "sara.lind@vasteras.se",
                                          "password": ""}).status_code == 200
    # … and after following the link is logged in, verified and staff.
    path = link_path(message, "/aterstall-losenord/")
    assert "Välj ditt lösenord" in text(client.get(path))
    response = client.post(path, data={"password": STRONG_PASSWORD,
                                       "password_confirm": STRONG_PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.is_verified and has_usable_password(user.password_hash)
    assert "Handläggare" in text(client.get("/konto"))


def test_create_staff_validation_keeps_input(client, login_as, outbox):
    login_as("admin")
    response = client.post("/admin/personal/ny", data=_staff_data(
        roles=[], delegation_limit_sek="femtio", email="inte-en-adress", phone="ring mig"))
    assert response.status_code == 200
    body = text(response)
    assert "Välj minst en roll." in body
    assert "Skriv beloppet i hela kronor med siffror" in body
    assert "Skriv en giltig e-postadress" in body
    assert "Skriv telefonnumret med siffror" in body
    assert 'value="Sara Lind"' in body
    assert 'value="femtio"' in body
    assert 'value="grants" checked' in body or 'checked id="areas-' in body
    assert outbox() == []


def test_create_staff_refuses_negative_and_huge_limits(client, login_as):
    login_as("admin")
    for value in ("-1", "99999999999"):
        response = client.post("/admin/personal/ny", data=_staff_data(delegation_limit_sek=value))
        assert response.status_code == 200
        assert ("Skriv ett belopp mellan 0 och 1 000 000 000 kronor." in text(response)
                or "Skriv beloppet i hela kronor" in text(response))


def test_create_staff_with_existing_email_links_to_the_account(client, login_as, make_user):
    login_as("admin")
    resident = make_user(email="sara.lind@vasteras.se")
    response = client.post("/admin/personal/ny", data=_staff_data())
    assert response.status_code == 200
    assert "Det finns redan ett konto med den e-postadressen." in text(response)
    assert f"/admin/personal/{resident.id}" in text(response)


def test_create_staff_refuses_tampered_choices(client, login_as):
    login_as("admin")
    response = client.post("/admin/personal/ny", data=_staff_data(roles=["superuser"]))
    assert response.status_code == 200
    assert "Välj bland alternativen i listan." in text(response)


def test_edit_staff_records_before_and_after(client, db, login_as, make_user, audit_events):
    login_as("admin")
    officer = make_user("officer", areas=("grants",), delegation_limit_sek=10000)
    page = client.get(f"/admin/personal/{officer.id}")
    assert page.status_code == 200
    assert 'value="10000"' in text(page)

    response = client.post(f"/admin/personal/{officer.id}", data={
        "name": officer.name, "roles": ["officer", "supervisor"], "areas": ["grants", "events"],
        "delegation_limit_sek": "250000"})
    assert response.status_code == 302
    db.session.refresh(officer)
    assert officer.role_names == {"officer", "supervisor"}
    assert officer.area_names == {"grants", "events"}
    assert officer.delegation_limit_sek == 250000
    [event] = audit_events("admin.staff_updated")
    assert event.details["before"] == {"roles": ["officer"], "areas": ["grants"],
                                       "delegation_limit_sek": 10000}
    assert event.details["after"] == {"roles": ["officer", "supervisor"],
                                      "areas": ["events", "grants"],
                                      "delegation_limit_sek": 250000}


def test_disable_staff_ends_their_session(app, client, db, login_as, make_user):
    login_as("admin")
    officer = make_user("officer")
    db.session.commit()
    their = app.test_client()
    with their.session_transaction() as session:
        session["_user_id"] = officer.get_id()
    assert is_logged_in(their)
    response = client.post(f"/admin/personal/{officer.id}", data={
        "name": officer.name, "roles": ["officer"], "is_disabled": "y"})
    assert response.status_code == 302
    db.session.refresh(officer)
    assert officer.is_disabled
    assert not is_logged_in(their)


def test_admin_cannot_remove_own_admin_role_or_disable_self(client, db, login_as,
                                                            audit_events):
    admin = login_as("admin", name="Alva Admin")
    response = client.post(f"/admin/personal/{admin.id}", data={
        "name": "Alva Admin", "roles": ["officer"], "title": "Ny titel"})
    assert response.status_code == 200
    assert "Du kan inte ta bort din egen administratörsroll." in text(response)
    assert 'value="Ny titel"' in text(response)

    response = client.post(f"/admin/personal/{admin.id}", data={
        "name": "Alva Admin", "roles": ["admin"], "is_disabled": "y"})
    assert response.status_code == 200
    assert "Du kan inte stänga av ditt eget konto." in text(response)

    db.session.refresh(admin)
    assert admin.has_role("admin") and not admin.is_disabled and admin.title is None
    assert audit_events("admin.staff_updated") == []

    # Changing one's own title is fine.
    response = client.post(f"/admin/personal/{admin.id}", data={
        "name": "Alva Admin", "roles": ["admin"], "title": "Systemförvaltare"})
    assert response.status_code == 302


def test_admin_can_remove_another_admins_role(client, db, login_as, make_user):
    login_as("admin")
    other = make_user("admin")
    response = client.post(f"/admin/personal/{other.id}", data={
        "name": other.name, "roles": ["coordinator"]})
    assert response.status_code == 302
    db.session.refresh(other)
    assert other.role_names == {"coordinator"}


def test_resend_invitation(client, login_as, make_user, outbox):
    login_as("admin")
    officer = make_user("officer")
    response = client.post(f"/admin/personal/{officer.id}/inbjudan")
    assert response.status_code == 302
    assert len(outbox(to=officer.email)) == 1


def test_unknown_staff_id_is_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/personal/999999").status_code == 404

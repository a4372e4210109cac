"""People: invitations with single-use tokens, roles, the last administrator, switching."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lokapp.associations import services
from lokapp.associations.models import AssociationInvitation
from lokapp.auth.models import AssociationMember
from lokapp.core.time import utcnow
from lokapp.extensions import db
from tests.associations.register_helpers import (
    add_member,
    audit_actions,
    link_path,
    login,
    messages,
    person,
    text,
)


@pytest.fixture
def association(db, make_association):
    return make_association(name="Råby Kulturförening")


@pytest.fixture
def admin(client, association):
    user = person(name="Ada Admin", email="ada@example.se")
    add_member(association, user, "administrator")
    return login(client, user)


def invite(client, association, email="nils@example.se", roles=("chair",), signatory=True):
    data = {"email": email, "roles": list(roles)}
    if signatory:
        data["is_signatory"] = "y"
    return client.post(f"/forening/{association.id}/personer", data=data)


def member_of(association, user) -> AssociationMember | None:
    db.session.expire_all()
    return db.session.scalar(select(AssociationMember).where(
        AssociationMember.association_id == association.id,
        AssociationMember.user_id == user.id))


def test_invite_and_accept(client, admin, association):
    response = invite(client, association, email="Nils@Example.se")
    assert response.status_code == 302
    invitation = db.session.scalar(select(AssociationInvitation))
    assert invitation.email == "nils@example.se"
    assert invitation.roles == ["chair"] and invitation.is_signatory
    assert len(invitation.token_hash) == 64
    [mail] = messages("nils@example.se")
    assert "Inbjudan att företräda Råby Kulturförening" in mail.subject
    assert "Ada Admin" in mail.body_text and "Ordförande" in mail.body_text
    path = link_path(mail, "/inbjudan/")
    assert invitation.token_hash not in path  # only the hash is stored
    assert "association.invitation_sent" in audit_actions("associations")

    # Anonymous: the page explains and offers to log in, coming back here.
    client.post("/logga-ut")
    page = text(client.get(path))
    assert "Inbjudan att företräda Råby Kulturförening" in page
    assert f'href="/logga-in?next={path}"' in page

    nils = login(client, person(email="nils@example.se", name="Nils Nilsson"))
    assert "Tacka ja" in text(client.get(path))
    response = client.post(path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/forening/{association.id}")
    member = member_of(association, nils)
    assert member.role_names == {"chair"} and member.is_signatory
    assert db.session.scalar(select(AssociationInvitation)).accepted_by_id == nils.id
    assert "association.invitation_accepted" in audit_actions("associations")
    # Single use.
    assert client.post(path).status_code == 400
    assert "redan använts" in text(client.get(path))


def test_accepting_adds_roles_to_an_existing_member(db, association):
    user = person(email="both@example.se")
    invitation = _invitation(association, person(), "both@example.se", roles=["treasurer"])
    add_member(association, user, "contact")  # became a member meanwhile
    services.accept_invitation(invitation, user)
    assert member_of(association, user).role_names == {"contact", "treasurer"}


def _invitation(association, inviter, email, roles=("chair",)):
    invitation = services.invite(association, email, roles, False, inviter)
    return invitation


def test_expired_used_revoked_and_unknown_links(client, admin, association):
    invite(client, association)
    path = link_path(messages("nils@example.se")[-1], "/inbjudan/")
    invitation = db.session.scalar(select(AssociationInvitation))
    nils = person(email="nils@example.se")

    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    login(client, nils)
    assert "har gått ut" in text(client.get(path))
    assert client.post(path).status_code == 400
    assert member_of(association, nils) is None

    invitation.expires_at = utcnow() + timedelta(days=1)
    invitation.revoked_at = utcnow()
    db.session.commit()
    assert "har återkallats" in text(client.get(path))
    assert client.post(path).status_code == 400

    assert client.get("/inbjudan/" + "x" * 43).status_code == 400
    assert "Vi hittar ingen inbjudan" in text(client.get("/inbjudan/" + "x" * 43))
    assert client.get("/inbjudan/" + "x" * 500).status_code == 400


def test_the_wrong_user_cannot_accept(client, admin, association):
    invite(client, association)
    path = link_path(messages("nils@example.se")[-1], "/inbjudan/")
    eve = login(client, person(email="eve@example.se"))
    response = client.post(path)
    assert response.status_code == 403
    assert "Inbjudan gäller en annan e-postadress" in text(response)
    assert member_of(association, eve) is None
    # The invitation still works for the right person.
    nils = login(client, person(email="nils@example.se"))
    assert client.post(path).status_code == 302
    assert member_of(association, nils) is not None


def test_a_new_invitation_replaces_the_old_link(client, admin, association):
    invite(client, association)
    first = link_path(messages("nils@example.se")[-1], "/inbjudan/")
    invite(client, association, roles=("treasurer",))
    second = link_path(messages("nils@example.se")[-1], "/inbjudan/")
    login(client, person(email="nils@example.se"))
    assert client.post(first).status_code == 400
    assert client.post(second).status_code == 302


def test_inviting_a_current_member_is_refused(client, admin, association):
    page = text(invite(client, association, email="ada@example.se"))
    assert "företräder redan föreningen" in page
    assert db.session.scalar(select(AssociationInvitation)) is None


def test_invitation_form_validation(client, admin, association):
    page = text(invite(client, association, email="inte en adress", roles=()))
    assert "Skriv en giltig e-postadress" in page
    assert "Välj minst en roll" in page


def test_revoke_an_invitation(client, admin, association):
    invite(client, association)
    invitation = db.session.scalar(select(AssociationInvitation))
    assert "nils@example.se" in text(client.get(f"/forening/{association.id}/personer"))
    client.post(f"/forening/{association.id}/inbjudningar/{invitation.id}/aterkalla")
    db.session.expire_all()
    assert db.session.get(AssociationInvitation, invitation.id).revoked_at is not None
    assert "association.invitation_revoked" in audit_actions("associations")


def test_change_roles_and_remove(client, admin, association):
    other = person(name="Olle Ordförande")
    member = add_member(association, other, "chair")
    url = f"/forening/{association.id}/personer/{member.id}"
    page = text(client.get(url))
    assert "Roller för Olle Ordförande" in page
    client.post(url, data={"roles": ["treasurer", "grant_manager"], "is_signatory": "y"})
    changed = member_of(association, other)
    assert changed.role_names == {"treasurer", "grant_manager"} and changed.is_signatory
    assert "association.member_changed" in audit_actions("associations")
    client.post(f"{url}/ta-bort")
    assert member_of(association, other) is None
    assert "association.member_removed" in audit_actions("associations")


def test_the_last_administrator_cannot_be_removed_or_demoted(client, admin, association):
    me = member_of(association, admin)
    url = f"/forening/{association.id}/personer/{me.id}"
    response = client.post(url, data={"roles": ["chair"]})
    assert "Föreningen måste ha minst en administratör" in text(response)
    assert member_of(association, admin).role_names == {"administrator"}
    response = client.post(f"{url}/ta-bort", follow_redirects=True)
    assert "Föreningen måste ha minst en administratör" in text(response)
    assert member_of(association, admin) is not None
    # With a second administrator, the first may step down.
    add_member(association, person(), "administrator")
    db.session.commit()
    client.post(url, data={"roles": ["chair"]})
    assert member_of(association, admin).role_names == {"chair"}


def test_people_of_another_association_cannot_be_changed(client, admin, association,
                                                         make_association):
    other = make_association()
    stranger = add_member(other, person(), "administrator")
    assert client.get(f"/forening/{association.id}/personer/{stranger.id}").status_code == 404
    assert client.post(f"/forening/{association.id}/personer/{stranger.id}/ta-bort"
                       ).status_code == 404
    assert client.get(f"/forening/{other.id}/personer/{stranger.id}").status_code == 403


def test_only_the_administrator_manages_people(client, association):
    chair = person()
    add_member(association, chair, "chair")
    login(client, chair)
    page = text(client.get(f"/forening/{association.id}/personer"))
    assert "Bjud in en person" not in page
    assert invite(client, association).status_code == 403


def test_a_person_represents_several_associations_and_switches(client, db, make_association):
    one = make_association(name="Alfa Idrott")
    two = make_association(name="Beta Kultur")
    make_association(name="Gamma Miljö")
    user = person()
    add_member(one, user, "administrator")
    add_member(two, user, "treasurer")
    login(client, user)
    page = text(client.get("/mina-foreningar"))
    assert "Alfa Idrott" in page and "Beta Kultur" in page and "Gamma Miljö" not in page
    assert "Kassör" in page and "Administratör för föreningen" in page
    assert client.get(f"/forening/{two.id}").status_code == 200
    page = text(client.get("/mina-foreningar"))
    assert "senast vald" in page
    with client.session_transaction() as session:
        assert session["current_association_id"] == two.id
    assert client.get(f"/forening/{one.id}").status_code == 200
    with client.session_transaction() as session:
        assert session["current_association_id"] == one.id


def test_my_page_lists_pending_registrations_and_invitations(client, db, make_association):
    from lokapp.associations.models import RegisterState
    from tests.associations.register_helpers import numbered_case

    user = person(email="me@example.se")
    pending = make_association(name="Väntande förening", register_state=RegisterState.PENDING)
    numbered_case("registration", "submitted", user, pending)
    invited = make_association(name="Inbjudande förening")
    services.invite(invited, "me@example.se", ["contact"], False, person())
    login(client, user)
    page = text(client.get("/mina-foreningar"))
    assert "Väntande förening" in page and "Inkommen" in page
    assert "Inbjudande förening" in page
    assert "Du företräder ingen förening i registret ännu." in page

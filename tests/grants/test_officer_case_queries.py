"""The officer's case page asks each jäv question once: the association membership and the
declared jäv are remembered for the request (and forgotten when the request changes them)."""
from __future__ import annotations

import pytest

from lokapp.associations.permissions import membership
from lokapp.auth.models import AssociationMember, AssociationMemberRole, AssociationRole
from lokapp.casework import services as casework
from lokapp.core.permissions import check
from lokapp.extensions import db
from lokapp.grants.permissions import disqualified
from tests.grants.test_applications import member
from tests.grants.test_decisions import _project, officer, status, submitted  # noqa: F401

# Measured before the request cache: 29 queries for the page of a submitted application, of
# which 7 asked for the same membership.
MAX_CASE_PAGE_QUERIES = 23


def _member_queries(statements) -> int:
    return sum("association_members" in s for s in statements)


@pytest.fixture
def case(programmes, make_user, make_association, status):  # noqa: F811
    application = submitted(_project(programmes), make_user, make_association)
    db.session.commit()
    return application


def _add(case, handler, make_user, times: int) -> None:
    """Members of the association, colleagues' declared jäv, notes and messages."""
    for _n in range(times):
        member(make_user, case.association)
        casework.declare_disqualification(case.case, officer(make_user), "Släkt med ordföranden.")
        casework.add_note(case.case, handler, "En anteckning.")
        casework.send_message(case.case, handler, "Ett meddelande.")
    db.session.commit()


def test_the_case_page_asks_for_the_membership_once_and_does_not_grow(
        client, login_as, make_user, case, count_queries):
    handler = officer(make_user)
    login_as(user=handler)
    url = f"/bidrag/handlaggning/{case.id}"
    client.get(url)
    with count_queries() as bare:
        assert client.get(url).status_code == 200
    assert _member_queries(bare.statements) == 1
    assert len(bare.statements) <= MAX_CASE_PAGE_QUERIES

    _add(case, handler, make_user, 1)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _add(case, handler, make_user, 4)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert len(large.statements) == len(small.statements)
    assert _member_queries(large.statements) == 1


def test_membership_is_remembered_for_the_request_and_forgotten_when_it_changes(
        case, make_user, count_queries):
    handler = officer(make_user)
    with count_queries() as q:
        assert not disqualified(handler, case.association_id)
        assert not disqualified(handler, case.association_id)
        assert check("grants.handle", handler, case.case)
    assert _member_queries(q.statements) == 1

    link = AssociationMember(user_id=handler.id, association_id=case.association_id)
    link.roles.append(AssociationMemberRole(role=AssociationRole.CHAIR))
    db.session.add(link)
    db.session.flush()
    assert disqualified(handler, case.association_id)
    assert not check("grants.handle", handler, case.case)

    db.session.delete(link)
    db.session.flush()
    assert membership(handler, case.association_id) is None
    assert check("grants.handle", handler, case.case)


def test_a_rolled_back_membership_is_not_remembered(case, make_user):
    handler = officer(make_user)
    assert membership(handler, case.association_id) is None
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            link = AssociationMember(user_id=handler.id, association_id=case.association_id)
            db.session.add(link)
            db.session.flush()
            assert membership(handler, case.association_id) is link
            raise RuntimeError("rolled back")
    assert membership(handler, case.association_id) is None


def test_a_declaration_in_the_same_request_refuses_at_once(case, make_user, count_queries):
    handler = officer(make_user)
    assert check("grants.handle", handler, case.case)
    casework.declare_disqualification(case.case, handler, "Jag är styrelseledamot.")
    with count_queries() as q:
        refused = check("grants.handle", handler, case.case)
        assert not check("casework.notes", handler, case.case)
    assert not refused and "anmält jäv" in refused.reason
    assert q.statements == []


def test_a_rolled_back_declaration_is_not_remembered(case, make_user):
    handler = officer(make_user)
    assert check("grants.handle", handler, case.case)
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            casework.declare_disqualification(case.case, handler, "Jag är styrelseledamot.")
            assert not check("grants.handle", handler, case.case)
            raise RuntimeError("rolled back")
    assert check("grants.handle", handler, case.case)


def test_a_proposed_case_page_loads_the_application_of_the_case_once(
        client, login_as, make_user, case, count_queries):
    from lokapp.grants import services

    proposer, handler = officer(make_user, limit=10_000), officer(make_user)
    services.assign_to_me(case, proposer)
    services.decide(case, proposer, outcome="approved", amount_sek=None, reasons="")
    db.session.commit()
    assert case.case.state == "proposed"
    login_as(user=handler)
    url = f"/bidrag/handlaggning/{case.id}"
    client.get(url)
    with count_queries() as q:
        page = client.get(url)
    assert page.status_code == 200 and "Fastställ" in page.get_data(as_text=True)
    # The page's own load by id and one application_of(case) – three before the cache.
    assert sum(s.lstrip().startswith("SELECT grant_applications.") for s in q.statements) == 2
    assert len(q.statements) <= 28

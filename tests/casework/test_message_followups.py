"""Casework polish around messages and jäv: the queue flags cases with an unanswered message
from the applicant (a text badge and the filter "Obesvarade meddelanden", at a fixed number of
queries), the reply mails the assigned officer and flags the case page, the officer's message
reaches every member of the association with an applying role once, and a declared jäv also
stops marking the grant's payout as paid."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lokapp.casework import queries, services
from lokapp.casework.models import CaseMessage
from lokapp.core.cases import Case
from lokapp.core.mail import OutboxMessage
from lokapp.core.permissions import check
from lokapp.core.time import utcnow
from lokapp.extensions import db
from tests.bookings.helpers import add_member
from tests.casework.test_queue import make_case  # noqa: F401 - a fixture

BADGE = "Obesvarat meddelande"


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _row(page: str, number: str) -> str:
    """The queue's table row of the case ``number`` ('' if it is not listed)."""
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        if f">{number}<" in row:
            return row
    return ""


def _message(case, *, from_officer: bool, minutes_ago: int, author=None) -> CaseMessage:
    message = CaseMessage(case_id=case.id, is_from_officer=from_officer, body="Text",
                          author_id=getattr(author, "id", None),
                          created_at=utcnow() - timedelta(minutes=minutes_ago))
    db.session.add(message)
    db.session.flush()
    return message


def _mails(to: str) -> list[OutboxMessage]:
    return [m for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if to in m.recipients]


# --- the queue: badge and filter --------------------------------------------------------------

def test_unanswered_is_a_reply_newer_than_every_officer_message(make_case):  # noqa: F811
    asked_answered = make_case("registration")   # officer, reply, officer again
    replied = make_case("registration")          # officer, then the reply
    only_officer = make_case("registration")     # the officer wrote, no reply
    reply_first = make_case("registration")      # the applicant wrote first, no answer
    same_instant = make_case("registration")     # reply and answer at the same time, answer later
    quiet = make_case("registration")            # no messages at all
    _message(asked_answered, from_officer=True, minutes_ago=30)
    _message(asked_answered, from_officer=False, minutes_ago=20)
    _message(asked_answered, from_officer=True, minutes_ago=10)
    _message(replied, from_officer=True, minutes_ago=30)
    _message(replied, from_officer=False, minutes_ago=5)
    _message(only_officer, from_officer=True, minutes_ago=5)
    _message(reply_first, from_officer=False, minutes_ago=5)
    now = utcnow()
    for from_officer in (False, True):
        db.session.add(CaseMessage(case_id=same_instant.id, is_from_officer=from_officer,
                                   body="Text", created_at=now))
        db.session.flush()
    ids = set(db.session.scalars(queries.unanswered_cases()))
    assert ids & {c.id for c in (asked_answered, replied, only_officer, reply_first,
                                 same_instant, quiet)} == {replied.id, reply_first.id}


def test_the_queue_shows_a_badge_and_filters_unanswered(client, login_as,
                                                        make_case):  # noqa: F811
    me = login_as("officer", areas=("register",))
    waiting = make_case("registration", assigned=me)
    answered = make_case("registration")
    other = make_case("registration")
    _message(waiting, from_officer=True, minutes_ago=60, author=me)
    _message(waiting, from_officer=False, minutes_ago=5)
    _message(answered, from_officer=False, minutes_ago=60)
    _message(answered, from_officer=True, minutes_ago=5, author=me)
    db.session.commit()
    page = _text(client.get("/handlaggning"))
    assert BADGE in _row(page, waiting.number)
    assert BADGE not in _row(page, answered.number) and _row(page, answered.number)
    assert BADGE not in _row(page, other.number) and _row(page, other.number)
    assert 'id="f-obesvarade"' in page and "Obesvarade meddelanden" in page

    page = _text(client.get("/handlaggning?obesvarade=1"))
    assert _row(page, waiting.number) and not _row(page, answered.number)
    assert not _row(page, other.number)
    assert 'id="f-obesvarade" name="obesvarade" type="checkbox" value="1" checked' in page
    # The filter stays in the page links, the export link and the assign form's return.
    assert "obesvarade=1" in page.split("Ladda ner listan som Excelfil")[0].rsplit("href=", 1)[1]
    assert re.search(r'action="/handlaggning/tilldela\?[^"]*obesvarade=1', page)
    sheet = load_workbook(BytesIO(client.get("/handlaggning/export.xlsx?obesvarade=1").data))
    assert [r[0] for r in sheet.active.iter_rows(min_row=2, values_only=True)] == [
        waiting.number]

    # The officer answers: the badge and the filtered row go.
    _message(waiting, from_officer=True, minutes_ago=0, author=me)
    db.session.commit()
    assert BADGE not in _row(_text(client.get("/handlaggning")), waiting.number)
    assert not _row(_text(client.get("/handlaggning?obesvarade=1")), waiting.number)


def test_the_queue_with_unanswered_messages_keeps_its_query_count(
        client, login_as, make_case, make_association, count_queries):  # noqa: F811
    me = login_as("officer", areas=("register", "grants"))
    for i in range(2):
        case = make_case("registration", assigned=me)
        _message(case, from_officer=False, minutes_ago=i)
    db.session.commit()
    counts = {}
    for url in ("/handlaggning?status=alla", "/handlaggning?status=alla&obesvarade=1"):
        with count_queries() as few:
            assert client.get(url).status_code == 200
        counts[url] = few.count
    for i in range(40):
        case = make_case("grant_application" if i % 2 else "registration",
                         association=make_association())
        _message(case, from_officer=True, minutes_ago=30)
        if i % 3:
            _message(case, from_officer=False, minutes_ago=i)
    db.session.commit()
    for url, few in counts.items():
        with count_queries() as many:
            page = _text(client.get(url))
        assert many.count == few, (url, many.statements)
        assert page.count(BADGE) >= 20
    assert counts["/handlaggning?status=alla"] <= 12


# --- the reply: the assigned officer's mail and the flag on the case page ---------------------

@pytest.mark.usefixtures("no_csrf")
def test_a_reply_mails_the_assigned_officer_and_flags_the_case_page(client, login_as, grant,
                                                                     grant_officer, make_user):
    colleague = make_user("officer", areas=("grants",))
    login_as(user=grant_officer)
    client.post(f"/bidrag/handlaggning/{grant.id}/atgard/assign")
    client.post(f"/handlaggning/arenden/{grant.case_id}/meddelanden",
                data={"message": "Skicka gärna projektplanen igen."})
    page = _text(client.get(f"/bidrag/handlaggning/{grant.id}"))
    assert BADGE not in page and "till alla i föreningen som får söka bidrag" in page

    login_as(user=grant.case.applicant)
    assert client.post(f"/arenden/{grant.case_id}/svara",
                       data={"message": "Nu är den bifogad."}).status_code == 302
    assert BADGE not in _text(client.get(f"/bidrag/ansokningar/{grant.id}"))  # officers only
    assert [m.subject for m in _mails(grant_officer.email)
            if "Nu är den bifogad." in m.body_text]
    assert _mails(colleague.email) == []

    login_as(user=grant_officer)
    page = _text(client.get(f"/bidrag/handlaggning/{grant.id}"))
    assert BADGE in page and "inte besvarat ännu" in page
    assert BADGE in _row(_text(client.get("/handlaggning")), grant.case.number)
    client.post(f"/handlaggning/arenden/{grant.case_id}/meddelanden",
                data={"message": "Tack, då har vi allt."})
    assert BADGE not in _text(client.get(f"/bidrag/handlaggning/{grant.id}"))


@pytest.mark.usefixtures("no_csrf")
def test_a_reply_without_an_assigned_officer_mails_nobody_but_is_flagged(client, login_as,
                                                                         grant, grant_officer):
    login_as(user=grant_officer)
    client.post(f"/handlaggning/arenden/{grant.case_id}/meddelanden", data={"message": "Fråga"})
    assert db.session.get(Case, grant.case_id).assigned_officer_id is None
    before = db.session.query(OutboxMessage).count()
    login_as(user=grant.case.applicant)
    client.post(f"/arenden/{grant.case_id}/svara", data={"message": "Svar"})
    assert db.session.query(OutboxMessage).count() == before
    login_as(user=grant_officer)
    assert BADGE in _row(_text(client.get("/handlaggning?obesvarade=1&tilldelad=ingen")),
                         grant.case.number)


# --- the officer's message reaches every applying member once ---------------------------------

def test_an_officer_message_goes_to_every_applying_member_once(grant, grant_officer,
                                                               make_user):
    association = grant.association
    applicant = grant.case.applicant  # administrator of the association
    chair_and_treasurer = make_user()
    add_member(chair_and_treasurer, association, "chair", "treasurer")
    grant_manager = make_user()
    add_member(grant_manager, association, "grant_manager")
    contact = make_user()
    add_member(contact, association, "contact")
    disabled = make_user(disabled=True)
    add_member(disabled, association, "chair")
    outsider = make_user()
    add_member(outsider, association, "booking_manager")
    db.session.flush()
    recipients = services.message_recipients(grant.case)
    assert [u.id for u in recipients] == [applicant.id] + sorted(
        [chair_and_treasurer.id, grant_manager.id])
    services.send_message(grant.case, grant_officer, "Vi behöver en ny budget.")
    for person, expected in ((applicant, 1), (chair_and_treasurer, 1), (grant_manager, 1),
                             (contact, 0), (disabled, 0), (outsider, 0)):
        mails = [m for m in _mails(person.email) if "Vi behöver en ny budget." in m.body_text]
        assert len(mails) == expected, person.name
    greeting = _mails(grant_manager.email)[-1]
    assert grant_manager.name in greeting.body_text


def test_an_applicant_who_left_the_association_gets_no_more_messages(grant, grant_officer,
                                                                     make_user):
    from lokapp.auth.models import AssociationMember

    applicant = grant.case.applicant
    treasurer = make_user()
    add_member(treasurer, grant.association, "treasurer")
    db.session.execute(AssociationMember.__table__.delete().where(
        AssociationMember.user_id == applicant.id))
    db.session.expire_all()
    assert [u.id for u in services.message_recipients(grant.case)] == [treasurer.id]


def test_a_registration_message_goes_to_the_registrant_only(make_case,  # noqa: F811
                                                            make_user):
    registrant = make_user()
    case = make_case("registration")
    case.applicant_id = registrant.id
    board = make_user()
    add_member(board, _association(case), "chair")
    db.session.flush()
    db.session.expire(case)
    assert [u.id for u in services.message_recipients(case)] == [registrant.id]


def _association(case):
    from lokapp.associations.models import Association

    return db.session.get(Association, case.association_id)


# --- declared jäv also stops marking the payout as paid ----------------------------------------

@pytest.mark.usefixtures("no_csrf")
def test_declared_jav_refuses_mark_paid(client, login_as, grant, make_user, count_queries):
    from lokapp.casework.services import declare_disqualification
    from lokapp.grants import payouts
    from lokapp.grants import services as grant_services
    from lokapp.grants.models import GrantPayout, PayoutState
    from tests.grants.test_decisions import officer

    association = grant.association
    association.bankgiro = "56781234"
    association.bank_details_verified_at = utcnow()
    handler = officer(make_user)
    grant_services.assign_to_me(grant, handler)
    grant_services.decide(grant, handler, outcome="approved", amount_sek=None, reasons="")
    payout = db.session.scalar(select(GrantPayout).where(GrantPayout.application_id == grant.id))
    payouts.export([payout], handler)
    paying = officer(make_user)
    db.session.commit()
    assert check("grants.mark_paid", paying, payout)

    login_as(user=paying)
    with count_queries() as before:
        page = _text(client.get("/bidrag/handlaggning/utbetalningar"))
    assert "Markera som betald" in page
    declare_disqualification(grant.case, paying, "Min bror är kassör i föreningen.")
    db.session.commit()
    decision = check("grants.mark_paid", paying, payout)
    assert not decision and "anmält jäv" in decision.reason
    with count_queries() as after:
        page = _text(client.get("/bidrag/handlaggning/utbetalningar"))
    assert "Jävig – en kollega markerar" in page and "Markera som betald" not in page
    assert after.count == before.count  # the declared cases: one query, not one a line
    response = client.post(f"/bidrag/handlaggning/utbetalningar/{payout.id}/betald")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(GrantPayout, payout.id).state == PayoutState.EXPORTED
    # A colleague without jäv marks it.
    login_as(user=officer(make_user))
    assert client.post(f"/bidrag/handlaggning/utbetalningar/{payout.id}/betald"
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(GrantPayout, payout.id).state == PayoutState.PAID

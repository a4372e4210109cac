"""Booking decisions as PDF letters: approval, rejection (reasons) and the city's cancellation
of approved times, each a letter with appeal instructions, e-mailed with the PDF."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lokapp.bookings import services
from lokapp.bookings.models import BookerType, OccurrenceState, Recurrence
from lokapp.core.mail import OutboxMessage
from lokapp.extensions import db
from lokapp.letters.models import Letter, LetterKind
from tests.bookings.helpers import accepted, next_weekday, request_for


@pytest.fixture(autouse=True)
def _request_context(app, db):
    with app.test_request_context():
        yield


def _request(make_premises, booking_manager, weeks=1):
    """An association's request for ``weeks`` Tuesdays 18–20 on premises needing approval."""
    premises = make_premises(requires_approval=True)
    user, association = booking_manager()
    first = next_weekday(1, weeks_ahead=2)
    request = request_for(user, first, booker_type=BookerType.ASSOCIATION,
                          association=association, recurrence=Recurrence.WEEKLY,
                          until=first + timedelta(weeks=weeks - 1))
    series = services.create_booking(premises, request, accepted_terms=accepted(premises))
    return series, user


def _letters(case):
    return db.session.scalars(select(Letter).where(Letter.case_id == case.id)
                              .order_by(Letter.id)).all()


def _letter_mail(letter):
    return db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.related_type == "cases", OutboxMessage.related_id == str(letter.case_id),
        OutboxMessage.subject == letter.title).order_by(OutboxMessage.id.desc()).limit(1))


def _officer(make_user):
    return make_user("officer", areas=("bookings",))


def test_approval_letter_is_issued_and_emailed_with_the_pdf(make_premises, make_user,
                                                            booking_manager):
    series, booker = _request(make_premises, booking_manager, weeks=2)
    officer = _officer(make_user)
    services.decide(series, "approve", officer, "Välkomna!")
    db.session.commit()
    assert _letters(series.case) == []  # issued after the commit, in its own transaction
    services.after_decision(series, officer)
    [letter] = _letters(series.case)
    assert letter.kind == LetterKind.BOOKING_APPROVED
    assert letter.pdf.startswith(b"%PDF")
    context = letter.context
    assert context["appeal"] == "laglighetsprovning"
    assert context["decision"]["reasons"] == "" and context["decision"]["note"] == "Välkomna!"
    assert context["body_html"].count("<li>Möteslokal Bäckby:") == 2
    assert "delegationsordning" in context["delegation"]
    assert booker.email in letter.recipients
    mail = _letter_mail(letter)
    assert mail is not None and mail.recipients == [booker.email]
    [attachment] = mail.attachments
    assert attachment.content_type == "application/pdf" and attachment.data == letter.pdf
    services.after_decision(series, officer)  # again: the same letter, nothing new
    assert len(_letters(series.case)) == 1


def test_rejection_letter_carries_the_reasons(make_premises, make_user, booking_manager):
    from lokapp.core.workflow import NoteRequired

    series, booker = _request(make_premises, booking_manager)
    officer = _officer(make_user)
    with pytest.raises(NoteRequired):
        services.decide(series, "reject", officer, "  ")
    services.decide(series, "reject", officer, "Lokalen behövs för allmänna val.")
    db.session.commit()
    services.after_decision(series, officer)
    [letter] = _letters(series.case)
    assert letter.kind == LetterKind.BOOKING_REJECTED
    assert letter.context["decision"]["reasons"] == "Lokalen behövs för allmänna val."
    assert "avslagen" in letter.title
    mail = _letter_mail(letter)
    assert "Lokalen behövs för allmänna val." in mail.body_text
    assert mail.attachments[0].data.startswith(b"%PDF")


def test_cancellation_by_an_officer_is_a_decision_with_its_own_letter(make_premises, make_user,
                                                                      booking_manager):
    from lokapp.core.cases import CaseHistory

    series, booker = _request(make_premises, booking_manager, weeks=3)
    officer = _officer(make_user)
    services.decide(series, "approve", officer)
    db.session.commit()
    services.after_decision(series, officer)
    first, second, third = series.occurrences
    with pytest.raises(services.BookingError, match="Skriv varför"):
        services.cancel([second], officer, "", as_officer=True)
    services.cancel([second], officer, "Vattenläcka i lokalen.", as_officer=True)
    db.session.commit()
    services.after_decision(series, officer)
    assert series.case.state == "approved"
    row = db.session.scalars(select(CaseHistory).where(CaseHistory.case_id == series.case.id)
                             .order_by(CaseHistory.id)).all()[-1]
    assert (row.action, row.from_state, row.to_state) == ("cancel", "approved", "approved")
    approval, cancellation = _letters(series.case)
    assert approval.kind == LetterKind.BOOKING_APPROVED
    assert cancellation.kind == LetterKind.BOOKING_CANCELLED
    assert cancellation.decision_ref != approval.decision_ref
    context = cancellation.context
    assert context["decision"]["reasons"] == "Vattenläcka i lokalen."
    assert context["body_html"].count("<li>") == 1  # only the cancelled time
    from lokapp.bookings.letters import time_line

    assert time_line(second) in context["body_html"]
    assert time_line(third) not in context["body_html"]
    assert _letter_mail(cancellation).attachments[0].data == cancellation.pdf
    # A second cancellation is a new decision and a new letter.
    services.cancel([third], officer, "Lokalen ska renoveras.", as_officer=True)
    db.session.commit()
    services.after_decision(series, officer)
    assert [lt.kind for lt in _letters(series.case)] == [
        LetterKind.BOOKING_APPROVED, LetterKind.BOOKING_CANCELLED, LetterKind.BOOKING_CANCELLED]
    assert first.state == OccurrenceState.CONFIRMED


def test_the_city_cancelling_every_time_of_a_pending_request_rejects_it(make_premises,
                                                                          make_user,
                                                                          booking_manager):
    """Nothing is left to decide: the request is closed as rejected with the reason, and the
    booker gets a rejection letter listing the cancelled times. Cancelling only some times
    leaves the rest waiting."""
    from lokapp.bookings.letters import time_line
    from lokapp.core.cases import CaseHistory

    series, booker = _request(make_premises, booking_manager, weeks=3)
    officer = _officer(make_user)
    first, second, third = series.occurrences
    services.cancel([first], booker, None)  # the booker's own cancellation: no letter
    services.cancel([second], officer, "Lokalen ska renoveras.", as_officer=True)
    assert series.case.state == "submitted"
    assert third.state == OccurrenceState.REQUESTED
    services.cancel([third], officer, "Lokalen ska renoveras.", as_officer=True)
    db.session.commit()
    services.after_decision(series, officer)
    assert series.case.state == "rejected" and series.case.decided_at is not None
    row = db.session.scalars(select(CaseHistory).where(CaseHistory.case_id == series.case.id)
                             .order_by(CaseHistory.id)).all()[-1]
    assert (row.action, row.from_state, row.to_state, row.note) == (
        "close", "submitted", "rejected", "Lokalen ska renoveras.")
    [letter] = _letters(series.case)
    assert letter.kind == LetterKind.BOOKING_REJECTED
    assert letter.context["decision"]["reasons"] == "Lokalen ska renoveras."
    assert time_line(third) in letter.context["body_html"]
    assert time_line(first) not in letter.context["body_html"]
    assert _letter_mail(letter).recipients == [booker.email]


def test_a_pending_request_is_not_closed_by_hand_while_times_wait(make_premises, make_user,
                                                                  booking_manager):
    from lokapp.core.workflow import PreconditionFailed, available

    series, booker = _request(make_premises, booking_manager, weeks=1)
    officer = _officer(make_user)
    assert "close" not in [t.action for t in available(series.case, officer)]
    with pytest.raises(PreconditionFailed):
        services.decide(series, "close", officer, "Stängd.")


def test_an_officer_closes_a_request_left_without_times_from_the_page(client, login_as,
                                                                        make_premises,
                                                                        booking_manager):
    """A request whose times were all cancelled before the rule (still 'submitted') gets a
    close button; closing it is a rejection with a letter listing the cancelled times."""
    from lokapp.bookings.letters import time_line
    from lokapp.core.time import utcnow

    series, booker = _request(make_premises, booking_manager, weeks=2)
    for occurrence in series.occurrences:
        occurrence.state = OccurrenceState.CANCELLED
        occurrence.cancelled_at, occurrence.cancel_reason = utcnow(), "Stängt"
    db.session.commit()
    login_as("officer", areas=("bookings",))
    page = client.get(f"/bokningar/{series.id}").get_data(as_text=True)
    assert "Avsluta förfrågan – alla tider är avbokade" in page
    assert "Godkänn bokningen" not in page
    response = client.post(f"/bokningar/{series.id}/arende/close",
                           data={"note": "Lokalen är stängd under perioden."})
    assert response.status_code == 302
    assert series.case.state == "rejected"
    [letter] = _letters(series.case)
    assert letter.kind == LetterKind.BOOKING_REJECTED
    assert all(time_line(o) in letter.context["body_html"] for o in series.occurrences)


def test_cancelling_a_time_of_a_split_off_series_is_a_decision_in_the_case(make_premises,
                                                                            make_user,
                                                                            booking_manager):
    """"This and following" moves the approved times to a new series without a case; the
    city's cancellation of one of them is still a decision, with its letter, in the case."""
    from lokapp.bookings.letters import time_line

    series, booker = _request(make_premises, booking_manager, weeks=3)
    officer = _officer(make_user)
    services.decide(series, "approve", officer)
    db.session.commit()
    services.after_decision(series, officer)
    new = services.split_series(series.occurrences[1], officer, start_minute=17 * 60,
                                end_minute=19 * 60, as_officer=True)
    assert new.case_id is None and new.decision_case is series.case
    moved = new.occurrences[-1]
    from lokapp.casework.services import declare_disqualification

    colleague = _officer(make_user)
    declare_disqualification(series.case, colleague, "Min bror är ordförande.")
    with pytest.raises(services.BookingError, match="anmält jäv"):
        services.cancel([moved], colleague, "Stängt.", as_officer=True)
    services.cancel([moved], officer, "Lokalen ska renoveras.", as_officer=True)
    db.session.commit()
    services.after_decision(new, officer)
    approval, cancellation = _letters(series.case)
    assert cancellation.kind == LetterKind.BOOKING_CANCELLED
    assert cancellation.context["decision"]["reasons"] == "Lokalen ska renoveras."
    assert time_line(moved) in cancellation.context["body_html"]
    assert cancellation.context["body_html"].count("<li>") == 1


def test_a_blackout_over_a_split_booking_is_one_decision_and_one_letter(make_premises,
                                                                         make_user,
                                                                         booking_manager):
    from lokapp.bookings.letters import time_line
    from lokapp.core.cases import CaseHistory
    from lokapp.core.time import to_local

    series, booker = _request(make_premises, booking_manager, weeks=3)
    officer = _officer(make_user)
    services.decide(series, "approve", officer)
    db.session.commit()
    services.after_decision(series, officer)
    new = services.split_series(series.occurrences[1], officer, start_minute=17 * 60,
                                end_minute=19 * 60, as_officer=True)
    first, second = series.occurrences[0], new.occurrences[0]
    premises, admin = series.premises, make_user("admin")
    period = (to_local(first.starts_at).date(), to_local(second.starts_at).date())
    affected = services.blackout_affected(premises, *period)
    assert {o.id for o in affected} == {first.id, second.id}
    result = services.add_blackout(premises, *period, "Vattenskada", admin,
                                   cancel_ids=frozenset(o.id for o in affected))
    db.session.commit()
    assert len(result.decided_series) == 1
    for decided in result.decided_series:
        services.after_decision(decided, admin)
    rows = db.session.scalars(select(CaseHistory).where(
        CaseHistory.case_id == series.case.id, CaseHistory.action == "cancel")).all()
    assert len(rows) == 1
    approval, cancellation = _letters(series.case)
    assert cancellation.kind == LetterKind.BOOKING_CANCELLED
    html = cancellation.context["body_html"]
    assert time_line(first) in html and time_line(second) in html


def test_no_letter_without_a_case_or_when_the_booker_cancels(make_premises, make_user,
                                                             booking_manager):
    premises = make_premises()
    user = make_user()
    officer = _officer(make_user)
    series = services.create_booking(premises, request_for(user, next_weekday(2)),
                                     accepted_terms=accepted(premises))
    services.cancel(series.occurrences, officer, "Dubbelbokat.", as_officer=True)
    db.session.commit()
    services.after_decision(series, officer)
    assert db.session.scalar(select(Letter.id)) is None

    approved, booker = _request(make_premises, booking_manager, weeks=2)
    services.decide(approved, "approve", officer)
    db.session.commit()
    services.after_decision(approved, officer)
    services.cancel([approved.occurrences[0]], booker, None)
    db.session.commit()
    services.after_decision(approved, booker)
    assert [lt.kind for lt in _letters(approved.case)] == [LetterKind.BOOKING_APPROVED]


def test_the_officer_pages_issue_the_letters(client, login_as, make_premises, make_user,
                                             booking_manager):
    series, booker = _request(make_premises, booking_manager, weeks=2)
    db.session.commit()
    login_as("officer", areas=("bookings",))
    response = client.post(f"/bokningar/{series.id}/arende/approve", data={"note": ""})
    assert response.status_code == 302
    assert [lt.kind for lt in _letters(series.case)] == [LetterKind.BOOKING_APPROVED]
    occurrence_id = series.occurrences[0].id
    response = client.post(f"/lokalbokning/tillfallen/{occurrence_id}/avboka",
                           data={"reason": "Lokalen behövs för krisberedskap."})
    assert response.status_code == 302
    letters = _letters(series.case)
    assert [lt.kind for lt in letters] == [LetterKind.BOOKING_APPROVED,
                                           LetterKind.BOOKING_CANCELLED]
    assert letters[-1].context["decision"]["reasons"] == "Lokalen behövs för krisberedskap."
    # The letters are listed on the booking and readable by the officer and the booker.
    page = client.get(f"/bokningar/{series.id}").get_data(as_text=True)
    assert "Beslutsbrev" in page and f"/brev/{letters[-1].id}" in page
    assert client.get(f"/brev/{letters[-1].id}").status_code == 200
    login_as(user=booker)
    assert client.get(f"/brev/{letters[-1].id}").status_code == 200
    login_as()
    assert client.get(f"/brev/{letters[-1].id}").status_code in (403, 404)

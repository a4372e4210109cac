"""A blackout over booked times: the administrator sees the times and chooses; confirmed, the
times are cancelled with the blackout's reason, each booker gets one e-mail listing their
times, an approved case gets a cancellation letter, and it is all audited."""
from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from icalendar import Calendar as ICalendar
from sqlalchemy import func, select

from lokapp.bookings import services
from lokapp.bookings.models import Blackout, BookerType, OccurrenceState, Recurrence
from lokapp.core.audit import AuditEvent
from lokapp.core.mail import OutboxMessage
from lokapp.extensions import db
from lokapp.letters.models import Letter, LetterKind
from tests.bookings.helpers import accepted, next_weekday, request_for


def _book(premises, request):
    return services.create_booking(premises, request, accepted_terms=accepted(premises))


def _blackout_mails(premises):
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.related_type == "premises", OutboxMessage.related_id == str(premises.id))
        .order_by(OutboxMessage.id)).all()


@pytest.fixture
def booked(app, make_premises, make_user, booking_manager):
    """A premises with, in the week from ``monday``: a resident's two single bookings, an
    association's approved weekly series (two weeks in, one after) and a booking on another
    premises; plus the officer and the bookers."""
    with app.test_request_context():
        premises = make_premises(is_closed_on_holidays=False)
        other = make_premises(name="Samlingssal Råby", is_closed_on_holidays=False)
        resident = make_user()
        manager, association = booking_manager()
        officer = make_user("officer", areas=("bookings",))
        monday = next_weekday(0, weeks_ahead=3)
        first = _book(premises, request_for(resident, monday + timedelta(days=1), "10:00",
                                            "12:00"))
        second = _book(premises, request_for(resident, monday + timedelta(days=3), "10:00",
                                             "12:00"))
        premises.requires_approval = True
        series = _book(premises, request_for(
            manager, monday + timedelta(days=2), booker_type=BookerType.ASSOCIATION,
            association=association, recurrence=Recurrence.WEEKLY,
            until=monday + timedelta(days=2, weeks=1)))
        premises.requires_approval = False
        services.decide(series, "approve", officer)
        elsewhere = _book(other, request_for(resident, monday + timedelta(days=1)))
        db.session.flush()
    return {"premises": premises, "resident": resident, "manager": manager,
            "officer": officer, "monday": monday, "first": first, "second": second,
            "series": series, "elsewhere": elsewhere}


def test_confirmed_blackout_cancels_notifies_and_writes_letters(app, booked, make_user):
    premises, monday = booked["premises"], booked["monday"]
    admin = make_user("admin")
    with app.test_request_context():
        affected = services.blackout_affected(premises, monday, monday + timedelta(days=6))
        assert [o.series_id for o in affected] == [booked["first"].id, booked["series"].id,
                                                   booked["second"].id]
        result = services.add_blackout(premises, monday, monday + timedelta(days=6),
                                       "Vattenskada", admin,
                                       cancel_ids=frozenset(o.id for o in affected))
        db.session.commit()
        for series in result.decided_series:
            services.after_decision(series, admin)
    assert {o.state for o in affected} == {OccurrenceState.CANCELLED}
    assert all(o.cancel_reason == "Vattenskada" and o.cancelled_by_id == admin.id
               for o in affected)
    series = booked["series"]
    assert [o.state for o in series.occurrences] == [OccurrenceState.CANCELLED,
                                                     OccurrenceState.CONFIRMED]
    assert booked["elsewhere"].occurrences[0].state == OccurrenceState.CONFIRMED
    # One e-mail per booker, listing all their cancelled times, with an .ics that cancels.
    mails = _blackout_mails(premises)
    assert sorted(m.recipients[0] for m in mails) == sorted(
        [booked["resident"].email, booked["manager"].email])
    [to_resident] = [m for m in mails if m.recipients == [booked["resident"].email]]
    assert booked["first"].reference in to_resident.body_text
    assert booked["second"].reference in to_resident.body_text
    assert "Vattenskada" in to_resident.body_text
    assert booked["second"].reference in to_resident.body_html
    events = ICalendar.from_ical(to_resident.attachments[0].data).walk("VEVENT")
    assert [str(e["status"]) for e in events] == ["CANCELLED", "CANCELLED"]
    # The approved case gets a cancellation letter with the blackout's reason.
    [cancellation] = db.session.scalars(
        select(Letter).where(Letter.case_id == series.case_id).order_by(Letter.id)).all()
    assert cancellation.kind == LetterKind.BOOKING_CANCELLED
    assert cancellation.context["decision"]["reasons"] == "Vattenskada"
    assert cancellation.context["body_html"].count("<li>") == 1
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "premises.blackout_add"))
    assert sorted(event.details["cancelled"]) == sorted(o.id for o in affected)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "booking.cancel")) == 3


def test_a_blackout_over_every_time_of_a_pending_request_rejects_it(app, make_premises,
                                                                     make_user,
                                                                     booking_manager):
    premises = make_premises(requires_approval=True, is_closed_on_holidays=False)
    manager, association = booking_manager()
    admin = make_user("admin")
    monday = next_weekday(0, weeks_ahead=3)
    with app.test_request_context():
        series = _book(premises, request_for(manager, monday + timedelta(days=1),
                                             booker_type=BookerType.ASSOCIATION,
                                             association=association))
        affected = services.blackout_affected(premises, monday, monday + timedelta(days=6))
        result = services.add_blackout(premises, monday, monday + timedelta(days=6),
                                       "Vattenskada", admin,
                                       cancel_ids=frozenset(o.id for o in affected))
        db.session.commit()
        assert result.decided_series == [series]
        for decided in result.decided_series:
            services.after_decision(decided, admin)
    assert series.case.state == "rejected"
    [letter] = db.session.scalars(select(Letter).where(Letter.case_id == series.case_id)).all()
    assert letter.kind == LetterKind.BOOKING_REJECTED
    assert letter.context["decision"]["reasons"] == "Vattenskada"
    assert letter.context["body_html"].count("<li>") == 1


@pytest.mark.parametrize(("starts_on", "ends_on"), [("2026-12-01", "9999-12-31"),
                                                    ("0001-01-01", "2026-12-01")])
def test_a_period_outside_the_calendar_is_refused_with_a_message(client, login_as,
                                                                 make_premises, starts_on,
                                                                 ends_on):
    """The last day + 1 used to overflow for 9999-12-31: a 500 instead of a message."""
    premises = make_premises()
    db.session.commit()
    login_as("admin")
    response = client.post(f"/admin/lokaler/{premises.id}/avstangningar",
                           data={"starts_on": starts_on, "ends_on": ends_on,
                                 "reason": "Renovering"})
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    assert "Skriv ett datum mellan 2000-01-01 och 2099-12-31." in page
    assert 'value="Renovering"' in page and db.session.scalar(select(Blackout.id)) is None


def test_nothing_is_saved_when_the_times_changed_since_the_list(app, booked, make_user):
    premises, monday = booked["premises"], booked["monday"]
    admin = make_user("admin")
    with app.test_request_context():
        shown = frozenset(o.id for o in services.blackout_affected(
            premises, monday, monday + timedelta(days=6)))
        _book(premises, request_for(make_user(), monday + timedelta(days=4)))
        with pytest.raises(services.BlackoutChanged, match="har ändrats"):
            services.add_blackout(premises, monday, monday + timedelta(days=6), "Vattenskada",
                                  admin, cancel_ids=shown)
    assert booked["first"].occurrences[0].state == OccurrenceState.CONFIRMED
    assert _blackout_mails(premises) == []


def test_kept_bookings_stay(app, booked, make_user):
    premises, monday = booked["premises"], booked["monday"]
    with app.test_request_context():
        result = services.add_blackout(premises, monday, monday + timedelta(days=6), "Målning",
                                       make_user("admin"))
    assert len(result.kept) == 3 and result.cancelled == []
    assert booked["first"].occurrences[0].state == OccurrenceState.CONFIRMED
    assert _blackout_mails(premises) == []


def test_the_page_lists_the_times_and_cancels_only_when_confirmed(client, login_as, booked):
    premises, monday = booked["premises"], booked["monday"]
    db.session.commit()
    login_as("admin")
    url = f"/admin/lokaler/{premises.id}/avstangningar"
    data = {"starts_on": monday.isoformat(),
            "ends_on": (monday + timedelta(days=6)).isoformat(), "reason": "Vattenskada"}
    page = client.post(url, data=data)
    text = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "3 tider är redan bokade under perioden" in text
    assert booked["first"].reference in text and booked["series"].case.number in text
    assert db.session.scalar(select(func.count()).select_from(Blackout)) == 0
    expected = " ".join(str(o.id) for o in services.blackout_affected(
        premises, monday, monday + timedelta(days=6)))
    # Sent back without a choice: asked again, nothing saved.
    again = client.post(url, data={**data, "expected": expected})
    assert again.status_code == 400
    assert "Välj om de bokade tiderna ska avbokas" in unescape(again.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(Blackout)) == 0
    # A time booked since the list was shown: the new list, nothing saved.
    stale = client.post(url, data={**data, "expected": expected.split()[0],
                                   "bookings": "cancel"})
    assert stale.status_code == 409
    assert "har ändrats" in unescape(stale.get_data(as_text=True))
    assert booked["first"].occurrences[0].state == OccurrenceState.CONFIRMED
    done = client.post(url, data={**data, "expected": expected, "bookings": "cancel"})
    assert done.status_code == 302
    db.session.expire_all()
    assert booked["first"].occurrences[0].state == OccurrenceState.CANCELLED
    assert db.session.scalar(select(func.count()).select_from(Blackout)) == 1
    assert db.session.scalar(select(func.count()).select_from(Letter).where(
        Letter.kind == LetterKind.BOOKING_CANCELLED)) == 1


def test_the_list_page_reads_a_fixed_number_of_queries(client, login_as, app, make_premises,
                                                       make_user, count_queries):
    premises = make_premises(is_closed_on_holidays=False)
    monday = next_weekday(0, weeks_ahead=3)
    login_as("admin")
    url = f"/admin/lokaler/{premises.id}/avstangningar"
    data = {"starts_on": monday.isoformat(),
            "ends_on": (monday + timedelta(days=6)).isoformat(), "reason": "Vattenskada"}
    counts = []
    for day in range(0, 6, 3):
        with app.test_request_context():
            for hour in ("08:00", "10:00", "12:00"):
                _book(premises, request_for(make_user(), monday + timedelta(days=day), hour,
                                            f"{int(hour[:2]) + 2:02d}:00"))
        db.session.commit()
        with count_queries() as q:
            assert client.post(url, data=data).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts

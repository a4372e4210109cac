"""Booking services: instant and approval bookings, every rule, overlap, quota, cancellation,
decisions, mail with .ics."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar as ICalendar
from sqlalchemy import select

from lokapp.bookings import services
from lokapp.bookings.models import (
    Blackout,
    BookerType,
    BookingOccurrence,
    OccurrenceState,
)
from lokapp.core.audit import AuditEvent
from lokapp.core.mail import OutboxMessage
from lokapp.core.time import to_local, utcnow
from lokapp.extensions import db
from tests.bookings.helpers import accepted, next_weekday, request_for, utc


@pytest.fixture(autouse=True)
def _request_context(app, db):
    with app.test_request_context():
        yield


def _book(premises, request, **kwargs):
    return services.create_booking(premises, request, accepted_terms=accepted(premises), **kwargs)


def _mails(series):
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.related_type == "booking_series",
        OutboxMessage.related_id == str(series.id)).order_by(OutboxMessage.id)).all()


def test_instant_booking_is_confirmed_with_price_mail_and_ics(make_premises, make_user):
    premises = make_premises()
    user = make_user()
    day = next_weekday(1)  # a Tuesday: 17:00–22:00 is peak time
    series = _book(premises, request_for(user, day, "16:00", "18:00"))
    occurrence = series.occurrences[0]
    assert occurrence.state == OccurrenceState.CONFIRMED
    assert to_local(occurrence.starts_at).strftime("%H:%M") == "16:00"
    assert occurrence.price_ore == 20000 + 30000  # resident: 200 off-peak + 300 peak
    assert occurrence.peak_minutes == 60
    assert series.case is None
    assert series.terms_checksum == accepted(premises)
    mail = _mails(series)[-1]
    assert mail.recipients == [user.email]
    assert "Bokningen är klar" in mail.subject
    assert "500\u00a0kr" in mail.body_text
    [attachment] = mail.attachments
    calendar = ICalendar.from_ical(attachment.data)
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"booking-{occurrence.id}@lokapp.vasteras.se"
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm"
    assert event.decoded("dtstart").strftime("%H:%M") == "16:00"
    assert calendar.walk("VTIMEZONE")
    event_log = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "booking.create",
                                                           AuditEvent.object_id == str(series.id)))
    assert event_log.details["terms_checksum"] == accepted(premises)


def test_approval_booking_opens_a_numbered_case_and_holds_the_time(make_premises, make_user,
                                                                   booking_manager):
    premises = make_premises(requires_approval=True)
    user, association = booking_manager()
    day = next_weekday(2)
    series = _book(premises, request_for(user, day, booker_type=BookerType.ASSOCIATION,
                                         association=association))
    assert series.case.number.startswith("LOK ")
    assert series.case.state == "submitted"
    assert series.case.association_id == association.id
    assert series.occurrences[0].state == OccurrenceState.REQUESTED
    assert "tagit emot" in _mails(series)[-1].subject
    # The requested time is held: nobody else can take it.
    other = make_user()
    with pytest.raises(services.BookingConflict, match="redan bokad"):
        _book(premises, request_for(other, day, "19:00", "21:00"))


def test_approve_confirms_and_reject_needs_reasons(make_premises, make_user, booking_manager):
    premises = make_premises(requires_approval=True)
    user, association = booking_manager()
    officer = make_user("officer", areas=("bookings",))
    series = _book(premises, request_for(user, next_weekday(2), booker_type=BookerType.ASSOCIATION,
                                         association=association))
    services.decide(series, "approve", officer)
    assert series.case.state == "approved"
    assert series.occurrences[0].state == OccurrenceState.CONFIRMED
    assert _mails(series)[-1].attachments

    second = _book(premises, request_for(user, next_weekday(3), booker_type=BookerType.ASSOCIATION,
                                         association=association))
    from lokapp.core.workflow import NoteRequired

    with pytest.raises(NoteRequired):
        services.decide(second, "reject", officer)
    services.decide(second, "reject", officer, "Lokalen behövs för val.")
    assert second.occurrences[0].state == OccurrenceState.REJECTED
    # The reasons reach the booker with the decision letter (tests/bookings/test_letters.py).
    assert "tagit emot" in _mails(second)[-1].subject
    # A rejected time is free again.
    _book(premises, request_for(make_user(), next_weekday(3)))


def test_an_officer_may_not_decide_a_booking_of_their_own_association(
        make_premises, make_user, booking_manager):
    from lokapp.core.workflow import PermissionDenied
    from tests.bookings.helpers import add_member

    premises = make_premises(requires_approval=True)
    user, association = booking_manager()
    officer = make_user("officer", areas=("bookings",))
    add_member(officer, association, "chair")
    series = _book(premises, request_for(user, next_weekday(2), booker_type=BookerType.ASSOCIATION,
                                         association=association))
    with pytest.raises(PermissionDenied, match="jävig"):
        services.decide(series, "approve", officer)


def _problems(premises, request, **kwargs):
    with pytest.raises(services.BookingError) as caught:
        _book(premises, request, **kwargs)
    return caught.value


@pytest.mark.parametrize(("start", "end", "code", "message"), [
    ("18:00", "18:30", "too_short", "Bokningen är för kort. Den måste vara minst 1 tim."),
    ("10:00", "15:00", "too_long", "Bokningen är för lång. Den får vara högst 4 tim."),
    ("18:10", "20:00", "slot", "Tiderna måste börja och sluta på jämna 30 minuter"),
    ("06:00", "08:00", "outside_hours", "Lokalen är öppen 08:00–22:00 på"),
    ("20:00", "18:00", "end_before_start", "Sluttiden måste vara senare än starttiden."),
])
def test_time_rules_have_clear_messages(make_premises, make_user, start, end, code, message):
    premises = make_premises()
    error = _problems(premises, request_for(make_user(), next_weekday(1), start, end))
    assert code in [p.code for p in error.problems]
    assert message in error.message


def test_date_rules_have_clear_messages(make_premises, make_user):
    premises = make_premises(max_days_ahead=30)
    user = make_user()
    premises.blackouts.append(Blackout(starts_on=next_weekday(1),
                                       ends_on=next_weekday(1) + timedelta(days=2),
                                       reason="Renovering"))
    assert "Renovering" in _problems(premises, request_for(user, next_weekday(1))).message
    past = date.today() - timedelta(days=3)
    assert "har redan varit" in _problems(premises, request_for(user, past)).message
    far = date.today() + timedelta(days=60)
    assert "högst 30 dagar framåt" in _problems(premises, request_for(user, far)).message
    year = date.today().year + 1
    premises.max_days_ahead = 800
    christmas = date(year, 12, 25)
    assert "är en helgdag (Juldagen)" in _problems(premises,
                                                   request_for(user, christmas)).message


def test_capacity_and_who_may_book(make_premises, make_user, booking_manager):
    premises = make_premises(capacity=12, bookable_by_residents=False)
    user = make_user()
    error = _problems(premises, request_for(user, next_weekday(1), attendees=20))
    assert "Lokalen tar högst 12 personer." in error.message
    assert "bara bokas av föreningar" in error.message
    # A chair (not a booking manager) may not book for the association.
    chair, association = booking_manager("chair")
    error = _problems(premises, request_for(chair, next_weekday(1),
                                            booker_type=BookerType.ASSOCIATION,
                                            association=association))
    assert "bokningsansvarig" in error.message


def test_youth_tariff_needs_an_eligible_association(make_premises, booking_manager):
    premises = make_premises()
    user, association = booking_manager()
    error = _problems(premises, request_for(user, next_weekday(1), booker_type=BookerType.YOUTH,
                                            association=association))
    assert [p.code for p in error.problems] == ["youth"]
    assert "bidragsberättigade" in error.message


def test_quota_of_active_bookings(make_premises, make_user, booking_manager):
    premises = make_premises(max_active_bookings=2)
    user = make_user()
    _book(premises, request_for(user, next_weekday(1)))
    _book(premises, request_for(user, next_weekday(2)))
    error = _problems(premises, request_for(user, next_weekday(3)))
    assert [p.code for p in error.problems] == ["quota"]
    assert "Du kan ha högst 2 aktiva bokningar" in error.message
    # The quota is per booker: an association has its own.
    manager, association = booking_manager()
    _book(premises, request_for(manager, next_weekday(3), booker_type=BookerType.ASSOCIATION,
                                association=association))
    # Cancelling frees a place in the quota.
    mine = db.session.scalars(select(BookingOccurrence).join(BookingOccurrence.series).where(
        BookingOccurrence.state == OccurrenceState.CONFIRMED,
        BookingOccurrence.series.has(association_id=None))).all()
    services.cancel([mine[0]], user)
    _book(premises, request_for(user, next_weekday(4)))


def test_overlap_is_refused_back_to_back_is_fine(make_premises, make_user):
    premises = make_premises()
    day = next_weekday(1)
    _book(premises, request_for(make_user(), day, "18:00", "20:00"))
    error = _problems(premises, request_for(make_user(), day, "19:30", "21:00"))
    assert isinstance(error, services.BookingConflict)
    assert "Tiden är redan bokad" in error.message
    _book(premises, request_for(make_user(), day, "20:00", "22:00"))
    _book(premises, request_for(make_user(), day, "16:00", "18:00"))
    other = make_premises(name="Annan lokal")
    _book(other, request_for(make_user(), day, "18:00", "20:00"))


def test_changed_terms_must_be_accepted_again(make_premises, make_user):
    premises = make_premises()
    request = request_for(make_user(), next_weekday(1))
    old = accepted(premises)
    premises.terms += " Ny regel."
    with pytest.raises(services.BookingError, match="Villkoren för lokalen har ändrats"):
        services.create_booking(premises, request, accepted_terms=old)


def test_booker_cancels_within_the_deadline_only(make_premises, make_user):
    premises = make_premises(cancel_hours_before=48)
    user = make_user()
    series = _book(premises, request_for(user, next_weekday(1)))
    occurrence = series.occurrences[0]
    late = occurrence.starts_at - timedelta(hours=47)
    with pytest.raises(services.BookingError, match="Sista dag att avboka var"):
        services.cancel([occurrence], user, now=late)
    with pytest.raises(services.BookingError, match="hör inte till dig"):
        services.cancel([occurrence], make_user())
    services.cancel([occurrence], user, "Vi blev sjuka", now=occurrence.starts_at
                    - timedelta(hours=49))
    assert occurrence.state == OccurrenceState.CANCELLED
    assert occurrence.cancel_reason == "Vi blev sjuka"
    mail = _mails(series)[-1]
    assert mail.subject.startswith("Avbokat")
    [event] = ICalendar.from_ical(mail.attachments[0].data).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    # The time is free again.
    _book(premises, request_for(make_user(), next_weekday(1)))


def test_officer_cancels_any_time_with_reasons(make_premises, make_user):
    premises = make_premises()
    user = make_user()
    officer = make_user("officer", areas=("bookings",))
    series = _book(premises, request_for(user, next_weekday(1)))
    occurrence = series.occurrences[0]
    with pytest.raises(services.BookingError, match="Skriv varför"):
        services.cancel([occurrence], officer, "", as_officer=True)
    with pytest.raises(services.BookingError, match="Bara handläggare"):
        services.cancel([occurrence], make_user("officer", areas=("grants",)), "x",
                        as_officer=True)
    services.cancel([occurrence], officer, "Vattenläcka i lokalen.", as_officer=True,
                    now=occurrence.starts_at - timedelta(hours=1))
    assert occurrence.state == OccurrenceState.CANCELLED
    mail = _mails(series)[-1]
    assert "Lokalbokningen har avbokat" in mail.body_text
    assert "Vattenläcka i lokalen." in mail.body_text


def test_officer_cannot_cancel_as_the_city_when_disqualified(make_premises, make_user,
                                                             booking_manager):
    """Cancelling as the city is a decision on the booking: jäv applies, as for deciding."""
    from tests.bookings.helpers import add_member

    premises = make_premises()
    manager, association = booking_manager()
    series = _book(premises, request_for(manager, next_weekday(1),
                                         booker_type=BookerType.ASSOCIATION,
                                         association=association))
    occurrence = series.occurrences[0]
    member = make_user("officer", areas=("bookings",))
    add_member(member, association)
    db.session.flush()
    with pytest.raises(services.BookingError, match="jävig"):
        services.cancel([occurrence], member, "Egen förening.", as_officer=True)
    booker_officer = make_user("officer", areas=("bookings",))
    own = _book(premises, request_for(booker_officer, next_weekday(2)))
    with pytest.raises(services.BookingError, match="själv gjort bokningen"):
        services.cancel(own.occurrences, booker_officer, "Egen bokning.", as_officer=True)
    # The reschedule button asks the same rule (the service refused, the page offered it).
    from lokapp.bookings.permissions import can_reschedule

    assert not can_reschedule(member, occurrence)
    assert can_reschedule(make_user("officer", areas=("bookings",)), occurrence)
    services.cancel([occurrence], make_user("officer", areas=("bookings",)), "Vattenläcka.",
                    as_officer=True)
    assert occurrence.state == OccurrenceState.CANCELLED


def test_cancelling_every_requested_time_withdraws_the_request(make_premises, make_user):
    premises = make_premises(requires_approval=True)
    user = make_user()
    series = _book(premises, request_for(user, next_weekday(1)))
    services.cancel(list(series.occurrences), user)
    assert series.case.state == "withdrawn"


def test_plan_counts_queries_independently_of_bookings(make_premises, make_user, count_queries):
    """Planning reads the overlaps in one query, whatever the number of dates."""
    from lokapp.bookings.models import Recurrence

    premises = make_premises()
    user = make_user()
    first = next_weekday(1)
    short = request_for(user, first, recurrence=Recurrence.WEEKLY, until=first + timedelta(weeks=1))
    long = request_for(user, first, recurrence=Recurrence.WEEKLY, until=first + timedelta(weeks=20))
    services.plan_booking(premises, short)
    with count_queries() as few:
        services.plan_booking(premises, short)
    with count_queries() as many:
        services.plan_booking(premises, long)
    assert few.count == many.count


def test_now_is_respected(make_premises, make_user):
    premises = make_premises()
    plan = services.plan_booking(premises, request_for(make_user(), date(2027, 1, 19)),
                                 now=utc(2027, 1, 19, 16, 59))  # 17:59 in Stockholm
    assert [p.code for d in plan.dates for p in d.problems] == []
    plan = services.plan_booking(premises, request_for(make_user(), date(2027, 1, 19)),
                                 now=utc(2027, 1, 19, 17, 0))
    assert [p.code for d in plan.dates for p in d.problems] == ["past"]
    assert utcnow()  # the default is now

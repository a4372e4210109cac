"""The demo's premises and a few bookings, so `make run` shows a living catalogue.

The premises are examples in real Västerås districts, not the city's actual rooms, prices or
rules. Bookings are made through the booking services (the same rules, prices and conflict
checks as the pages), by the demo resident and the demo association's representative, in the
coming weeks. The step is idempotent: premises are found by name, and bookings are only made
for a premises that has none.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from lokapp.associations.models import Association, District
from lokapp.auth.demo import demo_step
from lokapp.auth.models import AssociationMember, AssociationMemberRole, AssociationRole, User
from lokapp.bookings.models import (
    BookerType,
    BookingSeries,
    Equipment,
    OpeningHours,
    Premises,
    PremisesEquipment,
    PremisesType,
    Recurrence,
    Tariff,
)
from lokapp.bookings.services import (
    Booker,
    BookingError,
    BookingRequest,
    create_booking,
    plan_booking,
    terms_checksum,
)
from lokapp.core.time import today_local
from lokapp.extensions import db

TERMS = ("Lokalen lämnas städad och möblerad som när ni kom. Den som bokar ansvarar för "
         "gästerna och för att dörrar och fönster är stängda. Avbokning senast två dygn före.")
HOURS = 60

EVERY_DAY = {d: (8 * HOURS, 22 * HOURS) for d in range(7)}
EVENINGS_AND_WEEKENDS = {**{d: (16 * HOURS, 22 * HOURS) for d in range(5)},
                         5: (9 * HOURS, 18 * HOURS), 6: (9 * HOURS, 18 * HOURS)}


@dataclass(frozen=True)
class DemoPremises:
    name: str
    premises_type: PremisesType
    district: str
    street_address: str
    postal_code: str
    capacity: int
    area_m2: int
    description: str
    equipment: tuple[Equipment, ...] = ()
    hours: dict[int, tuple[int, int]] = field(default_factory=lambda: EVERY_DAY)
    # (association, youth, resident, commercial) in kronor per hour: (off-peak, peak)
    rates: dict[BookerType, tuple[int, int]] = field(default_factory=dict)
    residents: bool = True
    approval: bool = False
    step_free: bool = True
    hearing_loop: bool = False
    accessible_toilet: bool = True
    min_minutes: int = 60
    max_minutes: int = 240


STANDARD_RATES = {BookerType.ASSOCIATION: (60, 90), BookerType.YOUTH: (0, 0),
                  BookerType.RESIDENT: (150, 200), BookerType.COMMERCIAL: (400, 550)}

DEMO_PREMISES = (
    DemoPremises(
        "Mötesrummet Bäckby centrum", PremisesType.MEETING_ROOM, "Bäckby", "Bäckby torg 5",
        "72470", 20, 45,
        "Ljust mötesrum en trappa upp med hiss, nära bussen. Passar styrelsemöten och "
        "studiecirklar.",
        (Equipment.PROJECTOR, Equipment.WHITEBOARD, Equipment.WIFI, Equipment.KITCHEN),
        rates=STANDARD_RATES, hearing_loop=True),
    DemoPremises(
        "Samlingssalen Råby", PremisesType.ASSEMBLY_HALL, "Råby", "Råby centrum 12", "72479",
        120, 210,
        "Stor sal med scen och kök för årsmöten, fester och föreställningar. Bokningar prövas "
        "av handläggare.",
        (Equipment.STAGE, Equipment.SOUND_SYSTEM, Equipment.KITCHEN, Equipment.WIFI,
         Equipment.PIANO),
        rates={BookerType.ASSOCIATION: (200, 300), BookerType.YOUTH: (0, 100),
               BookerType.RESIDENT: (450, 600), BookerType.COMMERCIAL: (900, 1200)},
        approval=True, hearing_loop=True, max_minutes=480),
    DemoPremises(
        "Idrottshallen Skiljebo", PremisesType.SPORTS_HALL, "Skiljebo", "Skiljebovägen 30",
        "72340", 60, 800,
        "Fullstor idrottshall med läktare, för föreningsidrott kvällar och helger.",
        (Equipment.SPORTS_EQUIPMENT, Equipment.SOUND_SYSTEM),
        hours=EVENINGS_AND_WEEKENDS, residents=False,
        rates={BookerType.ASSOCIATION: (120, 180), BookerType.YOUTH: (0, 0),
               BookerType.COMMERCIAL: (700, 900)}, max_minutes=180),
    DemoPremises(
        "Gymnastiksalen Hammarby skola", PremisesType.GYM, "Hammarby", "Hammarbyvägen 8",
        "72475", 30, 300,
        "Gymnastiksal i skolan, bokningsbar efter skoltid och på helger.",
        (Equipment.SPORTS_EQUIPMENT,), hours=EVENINGS_AND_WEEKENDS, residents=False,
        rates={BookerType.ASSOCIATION: (80, 110), BookerType.YOUTH: (0, 0)},
        accessible_toilet=False, max_minutes=180),
    DemoPremises(
        "Ateljén Kopparlunden", PremisesType.STUDIO, "Centrum", "Kopparbergsvägen 10",
        "72213", 12, 70,
        "Ateljé med stora bord, diskbänk och bra ljus för kurser i måleri och hantverk.",
        (Equipment.WHITEBOARD, Equipment.WIFI), rates=STANDARD_RATES),
    DemoPremises(
        "Föreningslokalen Vallby", PremisesType.MEETING_ROOM, "Vallby", "Vallbyvägen 2",
        "72481", 35, 80,
        "Föreningslokal med pentry i markplan. Populär för kurser och språkcaféer.",
        (Equipment.WHITEBOARD, Equipment.KITCHEN, Equipment.WIFI),
        rates=STANDARD_RATES, hearing_loop=True),
    DemoPremises(
        "Kulturköket Pettersberg", PremisesType.KITCHEN, "Pettersberg", "Pettersbergsgatan 40",
        "72462", 16, 55,
        "Undervisningskök med sex arbetsplatser för matlagningskurser och föreningsfika.",
        (Equipment.KITCHEN,), rates=STANDARD_RATES, min_minutes=120),
    DemoPremises(
        "Mötesrummet Skultuna bibliotek", PremisesType.MEETING_ROOM, "Skultuna",
        "Kyrkvägen 1", "72630", 14, 30,
        "Litet mötesrum i biblioteket, öppet när biblioteket är öppet.",
        (Equipment.PROJECTOR, Equipment.WIFI),
        hours={**{d: (10 * HOURS, 19 * HOURS) for d in range(5)}, 5: (10 * HOURS, 14 * HOURS)},
        rates=STANDARD_RATES, step_free=False, accessible_toilet=False),
)

RESIDENT_EMAIL = "invanare@demo.lokapp.se"
REPRESENTATIVE_EMAIL = "forening@demo.lokapp.se"


def _premises(spec: DemoPremises, districts: dict[str, int]) -> Premises:
    premises = Premises(
        name=spec.name, premises_type=spec.premises_type, description=spec.description,
        street_address=spec.street_address, postal_code=spec.postal_code, city="Västerås",
        district_id=districts.get(spec.district), capacity=spec.capacity, area_m2=spec.area_m2,
        is_step_free=spec.step_free, has_hearing_loop=spec.hearing_loop,
        has_accessible_toilet=spec.accessible_toilet, is_published=True,
        bookable_by_associations=True, bookable_by_residents=spec.residents,
        min_minutes=spec.min_minutes, max_minutes=spec.max_minutes, slot_minutes=30,
        max_days_ahead=365, cancel_hours_before=48, requires_approval=spec.approval,
        terms=TERMS,
        access_instructions="Nyckelbricka hämtas i receptionen mot legitimation. Larmkoden "
                            "står i bokningsbekräftelsen.")
    for weekday, (opens, closes) in spec.hours.items():
        premises.opening_hours.append(OpeningHours(weekday=weekday, opens_minute=opens,
                                                   closes_minute=closes))
    for booker_type, (off_peak, peak) in spec.rates.items():
        premises.tariffs.append(Tariff(booker_type=booker_type,
                                       off_peak_ore_per_hour=off_peak * 100,
                                       peak_ore_per_hour=peak * 100))
    premises.equipment_rows = [PremisesEquipment(item=item) for item in spec.equipment]
    db.session.add(premises)
    db.session.flush()
    return premises


def _next(weekday: int, weeks_ahead: int):
    start = today_local() + timedelta(weeks=weeks_ahead)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def _book(premises: Premises, booker: Booker, activity: str, day, start: int, end: int,
          attendees: int, **kwargs) -> bool:
    request = BookingRequest(booker=booker, activity=activity, attendees=attendees,
                             first_date=day, start_minute=start, end_minute=end, **kwargs)
    plan = plan_booking(premises, request)
    if plan.problems or not plan.bookable:
        return False
    try:
        create_booking(premises, request, accepted_terms=terms_checksum(premises.terms),
                       skip_conflicts=True,
                       expected_conflicts=frozenset(d.day for d in plan.conflicts))
    except BookingError:
        return False
    return True


@demo_step(order=40)
def load_demo_premises() -> list[str]:
    """Eight premises with hours, tariffs and equipment, and bookings in the coming weeks."""
    districts = {d.name: d.id for d in db.session.scalars(select(District))}
    existing = {p.name: p for p in db.session.scalars(
        select(Premises).where(Premises.name.in_([s.name for s in DEMO_PREMISES])))}
    created = 0
    by_name: dict[str, Premises] = {}
    for spec in DEMO_PREMISES:
        premises = existing.get(spec.name)
        if premises is None:
            premises = _premises(spec, districts)
            created += 1
        by_name[spec.name] = premises
    lines = [f"lokaler: {created} skapade, {len(DEMO_PREMISES) - created} fanns redan"]

    booked = set(db.session.scalars(select(BookingSeries.premises_id).where(
        BookingSeries.premises_id.in_([p.id for p in by_name.values()]))))
    resident = db.session.scalar(User.select_by_email(RESIDENT_EMAIL))
    representative = db.session.scalar(User.select_by_email(REPRESENTATIVE_EMAIL))
    association = None
    if representative is not None:
        # The representative's association; booking for it needs the booking manager role.
        membership = db.session.scalar(select(AssociationMember).where(
            AssociationMember.user_id == representative.id).order_by(AssociationMember.id))
        if membership is not None:
            association = db.session.get(Association, membership.association_id)
            if AssociationRole.BOOKING_MANAGER not in {r.role for r in membership.roles}:
                membership.roles.append(
                    AssociationMemberRole(role=AssociationRole.BOOKING_MANAGER))
                db.session.flush()
    made = 0
    meeting = by_name["Mötesrummet Bäckby centrum"]
    if meeting.id not in booked:
        if resident is not None:
            made += _book(meeting, Booker(resident, BookerType.RESIDENT, None),
                          "Släktträff", _next(5, 1), 13 * HOURS, 16 * HOURS, 15)
        if representative is not None and association is not None:
            made += _book(meeting, Booker(representative, BookerType.ASSOCIATION, association),
                          "Styrelsemöte", _next(1, 1), 18 * HOURS, 20 * HOURS, 8,
                          recurrence=Recurrence.BIWEEKLY, until=_next(1, 11))
    hall = by_name["Samlingssalen Råby"]
    if hall.id not in booked and representative is not None and association is not None:
        made += _book(hall, Booker(representative, BookerType.ASSOCIATION, association),
                      "Årsmöte och kulturkväll", _next(5, 3), 14 * HOURS, 19 * HOURS, 90)
    if made:
        lines.append(f"bokningar: {made} gjorda i demolokalerna")
    return lines

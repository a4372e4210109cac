"""Benchmark of premises booking: the week view, the search for a free room and booking itself,
by the number of booked occurrences.

    .venv/bin/python benchmarks/bookings.py                      # SQLite in a temp directory
    .venv/bin/python benchmarks/bookings.py --database-url postgresql://postgres@127.0.0.1/lokapp_bench_bookings
    .venv/bin/python benchmarks/bookings.py --sizes 10000,500000 --requests 200

For each size (default 10,000 and 500,000 occurrences) the database is built from scratch with
the migrations and filled by bulk inserts through SQLAlchemy Core: 300 published premises (a
mix of types, capacities, equipment and accessibility, open 08:00–22:00 every day, tariffs for
every booker type), 2,000 residents and 150 associations as bookers, series of up to 20
weekly occurrences spread from two years back to one year ahead; states about 80 % confirmed,
10 % cancelled, 5 % requested and 5 % rejected. Generated occurrences never use 20:00–22:00,
so the measured bookings find that slot free.

Measured through the Flask test client, as a logged-in resident (CSRF off):

- ``week``: ``/lokaler/<id>?vecka=…`` for random premises and weeks in the data;
- ``search``: ``/lokaler?datum=…&fran=…&till=…`` with people, type and feature filters;
- ``reports``: an officer's ``/lokalbokning/belaggning`` and ``/lokalbokning/fakturaunderlag``
  for a month (a tenth as many requests);
- ``book``: the confirmation POST ``/lokaler/<id>/boka/bekrafta`` that books 20:00–22:00 on a
  free future date (plan, overlap check, insert, audit, mail with .ics into the outbox, commit).

Reported: p50/p95/max wall-clock ms, CPU ms of this process and SQL statements per request
(a SQLAlchemy ``before_cursor_execute`` event; transaction control not counted).

WARNING: a PostgreSQL database given with ``--database-url`` is emptied (every table dropped)
before each size. Use a database of its own.
"""
from __future__ import annotations

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import _harness as h  # noqa: E402

PREMISES = 300
RESIDENTS = 2000
ASSOCIATIONS = 150
SERIES_LENGTH = 20
SLOTS = [8 * 60, 10 * 60, 12 * 60, 14 * 60, 16 * 60, 18 * 60]  # 2 h each; 20–22 left free
PAST_DAYS, FUTURE_DAYS = 730, 365
TYPES = ["meeting_room"] * 5 + ["assembly_hall"] * 2 + ["sports_hall", "gym", "studio",
                                                        "kitchen"]
EQUIPMENT = ["projector", "whiteboard", "sound_system", "wifi", "kitchen", "piano", "stage",
             "sports_equipment"]
PLACES = ["Bäckby", "Råby", "Hammarby", "Skultuna", "Vallby", "Önsta", "Hälla", "Skälby",
          "Irsta", "Dingtuna", "Tillberga", "Viksäng", "Rönnby", "Malmaberg", "Pettersberg"]
ACTIVITIES = ["Styrelsemöte", "Körövning", "Innebandyträning", "Läxhjälp", "Språkcafé",
              "Årsmöte", "Dansträning", "Schackkväll", "Barnkalas", "Studiecirkel"]
STATES = [("confirmed", 0.80), ("cancelled", 0.10), ("requested", 0.05), ("rejected", 0.05)]


def build(url: str, occurrences: int, seed: int = 2026):
    """A fresh database at ``url`` with 300 premises and ``occurrences`` occurrences."""
    from sqlalchemy import select
    from stdnum import luhn

    from lokapp.associations import search
    from lokapp.associations.models import Association, Category, District
    from lokapp.auth.models import User, UserArea, UserRole
    from lokapp.bookings.models import (
        BookingOccurrence,
        BookingSeries,
        OpeningHours,
        Premises,
        PremisesEquipment,
        Tariff,
    )
    from lokapp.bookings.rules import at
    from lokapp.bookings.services import terms_checksum
    from lokapp.extensions import db

    app = h.create_app_for(url)
    rng = random.Random(seed)
    with app.app_context():
        h.recreate_schema()
        category = db.session.scalar(select(Category.id).order_by(Category.id))
        districts = list(db.session.scalars(select(District.id)))
        now = datetime.now(UTC)
        today = now.date()
        bulk = h.bulk_insert

        users = [{"id": n, "email": f"invanare{n}@example.se", "name": f"Invånare {n}",
                  "password_hash": "!", "email_verified_at": now}
                 for n in range(1, RESIDENTS + 1)]
        users.append({"id": RESIDENTS + 1, "email": "handlaggare@vasteras.example",
                      "name": "Handläggare", "password_hash": "!", "email_verified_at": now})
        bulk(User.__table__, users)
        bulk(UserRole.__table__, [{"user_id": RESIDENTS + 1, "role": "officer"}])
        bulk(UserArea.__table__, [{"user_id": RESIDENTS + 1, "area": "bookings"}])
        associations = []
        for n in range(1, ASSOCIATIONS + 1):
            name = f"{rng.choice(PLACES)} förening {n}"
            description = "Förening i Västerås."
            base = f"80{n:07d}"
            associations.append({
                "id": n, "name": name, "orgnr": base + luhn.calc_check_digit(base),
                "legal_form": "nonprofit", "category_id": category, "description": description,
                "email": f"info{n}@forening.example", "city": "Västerås", "is_public": True,
                "register_state": "registered", "registered_at": now, "created_at": now,
                "updated_at": now, **search.derived_columns(name, description)})
        bulk(Association.__table__, associations)

        checksum = terms_checksum("Lämna lokalen städad.")
        premises, hours, tariffs, equipment = [], [], [], []
        for n in range(1, PREMISES + 1):
            kind = rng.choice(TYPES)
            premises.append({
                "id": n, "name": f"{rng.choice(PLACES)} {kind.replace('_', ' ')} {n}",
                "premises_type": kind, "street_address": f"Storgatan {n}",
                "postal_code": "72215", "city": "Västerås",
                "district_id": rng.choice(districts) if districts else None,
                "capacity": rng.choice([8, 12, 20, 30, 50, 80, 150, 300]),
                "area_m2": rng.randint(15, 900), "is_step_free": rng.random() < 0.7,
                "has_hearing_loop": rng.random() < 0.3,
                "has_accessible_toilet": rng.random() < 0.5, "is_published": True,
                "bookable_by_associations": True, "bookable_by_residents": True,
                "min_minutes": 60, "max_minutes": 240, "slot_minutes": 30,
                "max_days_ahead": FUTURE_DAYS + 30, "cancel_hours_before": 48,
                "requires_approval": False, "is_closed_on_holidays": False,
                "peak_start_minute": 17 * 60, "peak_end_minute": 22 * 60,
                "is_weekend_peak": True, "terms": "Lämna lokalen städad.",
                "created_at": now, "updated_at": now})
            hours += [{"premises_id": n, "weekday": d, "opens_minute": 8 * 60,
                       "closes_minute": 22 * 60} for d in range(7)]
            tariffs += [{"premises_id": n, "booker_type": t, "off_peak_ore_per_hour": off,
                         "peak_ore_per_hour": peak} for t, off, peak in (
                ("association", 5000, 7500), ("youth", 0, 0), ("resident", 15000, 22500),
                ("commercial", 40000, 60000))]
            equipment += [{"premises_id": n, "item": item}
                          for item in rng.sample(EQUIPMENT, rng.randint(0, 4))]
        bulk(Premises.__table__, premises)
        bulk(OpeningHours.__table__, hours)
        bulk(Tariff.__table__, tariffs)
        bulk(PremisesEquipment.__table__, equipment)

        # Occurrences: each premises gets its share, as weekly series on free (day, slot)s.
        instants: dict[tuple[date, int], datetime] = {}

        def instant(day: date, minute: int) -> datetime:
            key = (day, minute)
            if key not in instants:
                instants[key] = at(day, minute)
            return instants[key]

        first_day = today - timedelta(days=PAST_DAYS)
        span = PAST_DAYS + FUTURE_DAYS
        per_premises = occurrences // PREMISES
        series_rows, occurrence_rows = [], []
        series_id = occurrence_id = 0
        for p in range(1, PREMISES + 1):
            count = per_premises + (1 if p <= occurrences % PREMISES else 0)
            used: set[tuple[int, int]] = set()
            while count > 0:
                slot = rng.choice(SLOTS)
                weekday_offset = rng.randrange(span)
                length = min(count, rng.randint(1, SERIES_LENGTH))
                dates = [weekday_offset + 7 * k for k in range(length)
                         if weekday_offset + 7 * k < span
                         and (weekday_offset + 7 * k, slot) not in used]
                if not dates:
                    continue
                series_id += 1
                if rng.random() < 0.6:
                    association, booker_type = rng.randint(1, ASSOCIATIONS), rng.choice(
                        ["association", "association", "youth"])
                else:
                    association, booker_type = None, rng.choice(["resident"] * 9
                                                                + ["commercial"])
                created = now - timedelta(days=max(0, PAST_DAYS - dates[0]) + 14)
                series_rows.append({
                    "id": series_id, "premises_id": p, "booked_by_id": rng.randint(1, RESIDENTS),
                    "association_id": association, "booker_type": booker_type,
                    "activity": rng.choice(ACTIVITIES), "attendees": rng.randint(2, 40),
                    "recurrence": "weekly" if len(dates) > 1 else "single",
                    "first_date": first_day + timedelta(days=dates[0]),
                    "last_date": first_day + timedelta(days=dates[-1]),
                    "start_minute": slot, "end_minute": slot + 120,
                    "terms_accepted_at": created, "terms_checksum": checksum,
                    "created_at": created, "updated_at": created})
                for offset in dates:
                    used.add((offset, slot))
                    day = first_day + timedelta(days=offset)
                    state = h.pick(rng, STATES)
                    occurrence_id += 1
                    occurrence_rows.append({
                        "id": occurrence_id, "series_id": series_id, "premises_id": p,
                        "starts_at": instant(day, slot), "ends_at": instant(day, slot + 120),
                        "state": state, "price_ore": 20000, "peak_minutes": 60 if slot == 1080
                        else 0, "is_exception": False,
                        "cancelled_at": created if state == "cancelled" else None,
                        "created_at": created, "updated_at": created})
                count -= len(dates)
            if len(occurrence_rows) >= 50000:
                bulk(BookingSeries.__table__, series_rows)
                bulk(BookingOccurrence.__table__, occurrence_rows)
                series_rows, occurrence_rows = [], []
        bulk(BookingSeries.__table__, series_rows)
        bulk(BookingOccurrence.__table__, occurrence_rows)
        h.reset_sequences(["users", "associations", "premises", "booking_series",
                           "booking_occurrences"])
        db.session.commit()
        h.analyze()
        db.session.remove()
    return app


def _requests(requests: int, seed: int = 7) -> dict[str, list]:
    """The measured requests of each kind (the same for every size)."""
    from lokapp.core.time import today_local

    rng = random.Random(seed)
    today = today_local()
    week = []
    for _ in range(requests):
        day = today + timedelta(days=rng.randint(-PAST_DAYS + 7, FUTURE_DAYS - 7))
        iso = day.isocalendar()
        week.append(("GET", f"/lokaler/{rng.randint(1, PREMISES)}?vecka={iso[0]}-W{iso[1]:02d}",
                     None))
    search = []
    filters = ["", "&antal=20", "&antal=50&funktioner=step_free", "&typ=meeting_room",
               "&funktioner=projector&funktioner=hearing_loop", "&antal=10&typ=assembly_hall"]
    for i in range(requests):
        day = today + timedelta(days=rng.randint(1, FUTURE_DAYS - 7))
        start = rng.choice([10, 14, 18, 20])
        search.append(("GET", f"/lokaler?datum={day.isoformat()}&fran={start:02d}:00"
                       f"&till={start + 2:02d}:00{filters[i % len(filters)]}", None))
    book = []
    taken: set[tuple[int, date]] = set()
    while len(book) < requests:
        premises_id = rng.randint(1, PREMISES)
        day = today + timedelta(days=rng.randint(3, FUTURE_DAYS - 7))
        if (premises_id, day) in taken:
            continue
        taken.add((premises_id, day))
        book.append(("POST", f"/lokaler/{premises_id}/boka/bekrafta", {
            "booker": "private", "activity": "Födelsedagsfest", "attendees": "8",
            "day": day.isoformat(), "start": "20:00", "end": "22:00", "recurrence": "single",
            "accept_terms": "y", "expected_conflicts": ""}))
    # Staff reports (fewer: each reads a whole month).
    reports = []
    for i in range(max(10, requests // 10)):
        month = today.replace(day=1) - timedelta(days=31 * rng.randint(0, 18))
        key = f"{month.year}-{month.month:02d}"
        reports.append(("GET", [f"/lokalbokning/belaggning?manad={key}",
                                f"/lokalbokning/fakturaunderlag?manad={key}"][i % 2], None))
    return {"week": week, "search": search, "book": book, "reports": reports}


def measure(app, requests: int) -> dict[str, dict]:
    from lokapp.bookings.services import terms_checksum

    client = app.test_client()
    h.log_in(app, client, 1)  # a logged-in resident
    officer_id = h.login_id(app, RESIDENTS + 1)
    checksum = terms_checksum("Lämna lokalen städad.")

    plan = _requests(requests)
    # Warm up templates and statement caches.
    for _method, url, _data in plan["week"][:5] + plan["search"][:5]:
        assert client.get(url).status_code == 200, url
    results = {}
    with h.Meter(app) as meter:
        for kind, items in plan.items():
            if kind == "reports":
                h.switch_user(client, officer_id)
            sample = h.Sample()
            for method, url, data in items:
                if method == "GET":
                    response = meter.call(sample, lambda url=url: client.get(url))
                    expected = 200
                else:
                    response = meter.call(sample, lambda url=url, data=data: client.post(
                        url, data={**data, "terms_checksum": checksum}))
                    expected = 302
                assert response.status_code == expected, (
                    url, response.status_code, response.get_data(as_text=True)[-3000:])
            results[kind] = sample.summary()
    return results


def main() -> int:
    parser = h.parser(__doc__, sizes="10000,500000",
                      sizes_help="numbers of occurrences, comma-separated (default 10000,500000)",
                      requests=200,
                      requests_help="measured requests per kind and size (default 200)")
    args = parser.parse_args()

    load_before = h.load_average()
    rows = []
    for size, url in h.databases(args, "lokapp-bench-bookings-"):
        started = time.perf_counter()
        app = build(url, size)
        built = time.perf_counter() - started
        print(f"built {size:,} occurrences in {built:.0f} s", file=sys.stderr, flush=True)
        name = h.database_name(app)
        results = measure(app, args.requests)
        rows.append((name, size, built, results))
        h.dispose(app)

    print()
    print(f"Premises booking, {PREMISES} premises, {args.requests} requests per kind and size "
          f"through the Flask test client; {h.load_note(load_before)}")
    print()
    header = (f"{'database':<16} {'occurrences':>11} {'build s':>7} {'kind':<7} {'p50 ms':>7} "
              f"{'p95 ms':>7} {'max ms':>7} {'cpu p50':>8} {'cpu p95':>8} {'queries':>8}")
    h.print_table(header, [
        f"{name:<16} {size:>11,} {built:>7.0f} {kind:<7} {r['p50']:>7.1f} "
        f"{r['p95']:>7.1f} {r['max']:>7.1f} {r['cpu50']:>8.1f} {r['cpu95']:>8.1f} "
        f"{h.query_range(r['queries']):>8}"
        for name, size, built, results in rows for kind, r in results.items()])
    print()
    print("week: /lokaler/<id>?vecka=…; search: /lokaler?datum=…&fran=…&till=… with filters;")
    print("book: the confirmation POST that books a free date (plan, check, insert, audit,")
    print("mail with .ics into the outbox, commit). p50/p95/max: wall-clock ms; cpu: this")
    print("process's CPU ms; queries: SQL statements per request (min–max). reports: the")
    print("officer's utilisation and invoicing pages for a month (a tenth as many requests).")
    same = all(rows[0][3][k]["queries"] == r[3][k]["queries"] for r in rows for k in rows[0][3])
    print("Queries per request independent of the number of occurrences:",
          "yes" if same else "NO")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark of the seasonal allocation round: the officer's allocation page, the proposal and
publishing, by the number of applications.

    .venv/bin/python benchmarks/seasons.py                      # SQLite in a temp directory
    .venv/bin/python benchmarks/seasons.py --database-url postgresql+psycopg://postgres@127.0.0.1/lokapp_bench_seasons
    .venv/bin/python benchmarks/seasons.py --sizes 150,500 --requests 10 --profile

For each size (default 150 and 500 applications) the database is built from scratch with the
migrations and one round is seeded through the ORM and the round's own service for opening an
application (each application is a numbered ``season_application`` case): 10 premises open
08:00–22:00 every day, as many associations as applications, each with a booking manager and
three weekly wishes (mostly weekday evenings, 1–2 hours, a first choice and usually a second,
participants by age band). The application window has closed; the season lies ahead.

Measured through the Flask test client as a logged-in bookings officer (CSRF off):

- ``page``: ``/lokalbokning/sasong/<id>`` as it opens (the overview and, by default, the
  first premises);
- ``premises``: ``/lokalbokning/sasong/<id>?lokal=<pid>`` for each premises in turn;
- ``proposal``: the POST that proposes an allocation for the whole round;
- ``publish``: the POST that publishes one batch (10 applications: series, decision,
  letter PDF and e-mail each) – a few batches, last, since they change the round.

Reported: p50/p95/max wall-clock ms, this process's CPU ms, SQL statements per request (a
SQLAlchemy ``before_cursor_execute`` event; transaction control not counted) and the page
size. ``--profile`` prints the top of a cProfile of one premises page per size.

Much of what is left at 500 applications is the garbage collector: a request keeps a few
thousand ORM objects alive, so every second or third request runs a full collection over the
whole process (~280,000 objects here), adding ~170 ms. ``--gc-freeze`` measures with
``gc.freeze()`` after the warm-up – what ``wsgi.py`` could do after ``create_app()``.

WARNING: a PostgreSQL database given with ``--database-url`` is emptied (every table dropped)
before each size. Use a database of its own.
"""
from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import _harness as h  # noqa: E402

PREMISES = 10
WISHES = 3
PUBLISH_BATCHES = 3
PLACES = ["Bäckby", "Råby", "Hammarby", "Skultuna", "Vallby", "Önsta", "Hälla", "Skälby",
          "Irsta", "Dingtuna", "Tillberga", "Viksäng", "Rönnby", "Malmaberg", "Pettersberg"]
KINDS = ["IF", "Fotbollsklubb", "Innebandyklubb", "Kör", "Dansförening", "Schackklubb",
         "Scoutkår", "Gymnastikförening", "Teaterförening", "Kampsportsklubb"]
ACTIVITIES = ["Träning P12", "Träning F14", "Körövning", "Dans för barn", "Schack",
              "Innebandy för vuxna", "Gymnastik 7–9 år", "Teatergrupp"]
HALLS = ["idrottshall", "gymnastiksal", "samlingssal", "möteslokal"]


@dataclass
class Seeded:
    round_id: int
    officer_id: int
    premises_ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)


def seed(size: int, *, seed: int = 2026, today: date | None = None) -> Seeded:
    """Add a round with ``size`` applications (``WISHES`` wishes each) to the current
    database (inside an app context; the caller commits)."""
    from sqlalchemy import func, select
    from stdnum import luhn

    from lokapp.associations.models import AgeBand, Association, Category, Gender
    from lokapp.auth.models import (
        AssociationMember,
        AssociationMemberRole,
        AssociationRole,
        GlobalRole,
        User,
        UserArea,
        UserRole,
    )
    from lokapp.bookings import seasons
    from lokapp.bookings.models import BookerType, OpeningHours, Premises, Tariff
    from lokapp.bookings.season_models import (
        RoundState,
        SeasonRound,
        SeasonWish,
        SeasonWishParticipants,
    )
    from lokapp.core.time import today_local
    from lokapp.extensions import db

    rng = random.Random(seed)
    today = today or today_local()
    now = datetime.now(UTC)
    category = db.session.scalar(select(Category.id).order_by(Category.id))
    tag = f"{seed}-{(db.session.scalar(select(func.max(User.id))) or 0) + 1}"

    premises = []
    for n in range(PREMISES):
        place = Premises(
            name=f"{PLACES[n % len(PLACES)]} {HALLS[n % len(HALLS)]} {tag}-{n}",
            premises_type="sports_hall", street_address=f"Idrottsvägen {n + 1}",
            postal_code="72215", city="Västerås", capacity=60, area_m2=400, is_published=True,
            bookable_by_associations=True, bookable_by_residents=True, min_minutes=60,
            max_minutes=240, slot_minutes=30, max_days_ahead=400, cancel_hours_before=48,
            requires_approval=False, is_closed_on_holidays=True, peak_start_minute=17 * 60,
            peak_end_minute=22 * 60, is_weekend_peak=True, terms="Lämna hallen städad.",
            created_at=now, updated_at=now)
        place.opening_hours = [OpeningHours(weekday=d, opens_minute=8 * 60,
                                            closes_minute=22 * 60) for d in range(7)]
        place.tariffs = [Tariff(booker_type=t, off_peak_ore_per_hour=off, peak_ore_per_hour=pk)
                         for t, off, pk in ((BookerType.ASSOCIATION, 5000, 7500),
                                            (BookerType.YOUTH, 0, 0),
                                            (BookerType.RESIDENT, 15000, 22500))]
        db.session.add(place)
        premises.append(place)
    officer = User(email=f"sasong.{tag}@vasteras.example", name="Karin Handläggare",
                   password_hash="!", email_verified_at=now)
    officer.roles.append(UserRole(role=GlobalRole.OFFICER))
    officer.areas.append(UserArea(area="bookings"))
    db.session.add(officer)
    season_round = SeasonRound(
        name=f"Hösten {tag}", season_starts_on=today + timedelta(days=14),
        season_ends_on=today + timedelta(days=14 + 7 * 16),
        applications_open_on=today - timedelta(days=40),
        applications_close_on=today - timedelta(days=1), rules_text="Barn och unga först.",
        priority_keys=["youth", "last_season", "eligible", "applied_at"],
        state=RoundState.OPEN, created_at=now)
    season_round.premises = premises
    db.session.add(season_round)
    db.session.flush()

    bands = [AgeBand.AGE_7_12, AgeBand.AGE_13_20, AgeBand.AGE_21_25, AgeBand("26-64")]
    wishes = 0
    for n in range(size):
        name = f"{rng.choice(PLACES)} {rng.choice(KINDS)} {tag}-{n}"
        base = f"8{rng.randint(0, 99_999_999):08d}"
        association = Association(
            name=name, orgnr=base + luhn.calc_check_digit(base), legal_form="nonprofit",
            category_id=category, description="Förening i Västerås.",
            email=f"info{n}.{tag}@forening.example", city="Västerås", is_public=True,
            register_state="registered", registered_at=now, created_at=now, updated_at=now)
        user = User(email=f"bokning{n}.{tag}@forening.example", name=f"Bokare {n}",
                    password_hash="!", email_verified_at=now)
        db.session.add_all([association, user])
        db.session.flush()
        member = AssociationMember(user_id=user.id, association_id=association.id)
        member.roles.append(AssociationMemberRole(role=AssociationRole("booking_manager")))
        db.session.add(member)
        application = seasons._open_application(season_round, association, user)
        for _ in range(WISHES):
            weekday = rng.choice([0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6])
            length = rng.choice([60, 90, 120])
            start = rng.randrange(16 * 60, 22 * 60 - length + 1, 30)
            first, second = rng.sample(premises, 2)
            wish = SeasonWish(weekday=weekday, start_minute=start, end_minute=start + length,
                              premises_id=first.id,
                              alt_premises_id=second.id if rng.random() < 0.7 else None,
                              activity=rng.choice(ACTIVITIES), created_at=now)
            for band in rng.sample(bands, rng.randint(1, 3)):
                wish.participants.append(SeasonWishParticipants(
                    age_band=band, gender=rng.choice([Gender("woman"), Gender("man")]),
                    count=rng.randint(3, 25)))
            application.wishes.append(wish)
            wishes += 1
        if n % 50 == 49:
            db.session.flush()
    db.session.flush()
    return Seeded(season_round.id, officer.id, [p.id for p in premises],
                  {"applications": size, "wishes": wishes, "premises": PREMISES})


def build(url: str, size: int) -> tuple:
    """A fresh database at ``url`` with a round of ``size`` applications:
    ``(app, seeded, seconds)``; the seconds count the seeding, not the migrations."""
    from lokapp.extensions import db

    app = h.create_app_for(url)
    with app.app_context(), app.test_request_context():
        h.recreate_schema()
        started = time.perf_counter()
        seeded = seed(size)
        db.session.commit()
        h.analyze()
        seconds = time.perf_counter() - started
        db.session.remove()
    return app, seeded, seconds


def plan(seeded: Seeded, requests: int) -> dict[str, list[tuple[str, str, int]]]:
    """``kind → [(method, url, expected status)]``; publishing last (it changes the round)."""
    base = f"/lokalbokning/sasong/{seeded.round_id}"
    return {
        "page": [("GET", base, 200)] * requests,
        "premises": [("GET", f"{base}?lokal={seeded.premises_ids[n % len(seeded.premises_ids)]}",
                      200) for n in range(requests)],
        "proposal": [("POST", f"{base}/forslag", 302)] * max(1, requests // 2),
        "publish": [("POST", f"{base}/publicera", 302)] * PUBLISH_BATCHES,
    }


def measure(app, seeded: Seeded, requests: int, *, client=None,
            gc_freeze: bool = False) -> dict[str, dict]:
    """Per kind: wall-clock and CPU ms (p50/p95/max), statements per request, bytes.

    With ``gc_freeze`` everything allocated before the measured requests (the app, the
    libraries, the warm-up) is moved out of the collector's sight (``gc.freeze()``), as a
    server would do after start-up: full collections then no longer scan it."""
    import gc

    client = client or app.test_client()
    h.log_in(app, client, seeded.officer_id)  # the logged-in bookings officer
    kinds = plan(seeded, requests)
    for kind in ("page", "premises"):  # warm up: templates, statement caches
        response = client.get(kinds[kind][0][1])
        assert response.status_code == 200, response.status_code
    results = {}
    if gc_freeze:
        gc.collect()
        gc.freeze()
    try:
        with h.Meter(app) as meter:
            for kind, items in kinds.items():
                sample, sizes = h.Sample(), []
                for method, url, expected in items:
                    response = meter.call(sample, lambda method=method, url=url: (
                        client.get(url) if method == "GET" else client.post(url)))
                    sizes.append(len(response.get_data()))
                    assert response.status_code == expected, (
                        url, response.status_code, response.get_data(as_text=True)[-2000:])
                results[kind] = {**sample.summary(), "bytes": max(sizes)}
    finally:
        if gc_freeze:
            gc.unfreeze()
    return results


def profile(app, seeded: Seeded, top: int = 25) -> str:
    """A cProfile of one premises page (cumulative time), as text."""
    import cProfile
    import io
    import pstats

    client = app.test_client()
    h.log_in(app, client, seeded.officer_id)
    url = f"/lokalbokning/sasong/{seeded.round_id}?lokal={seeded.premises_ids[0]}"
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> int:
    parser = h.parser(__doc__, sizes="150,500",
                      sizes_help="numbers of applications, comma-separated (default 150,500)",
                      requests=10,
                      requests_help="measured page requests per kind and size (default 10; the "
                                    "proposal gets half as many, publishing 3 batches)")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() after the warm-up, as a server could after start-up")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of one premises page per size")
    args = parser.parse_args()

    load_before = h.load_average()
    rows = []
    for size, app, seeded, seconds in h.seeded_apps(args, "lokapp-bench-seasons-", build):
        name = h.database_name(app)
        if args.profile:
            print(profile(app, seeded), file=sys.stderr)
        results = measure(app, seeded, args.requests, gc_freeze=args.gc_freeze)
        rows.append((name, size, seconds, results))

    print()
    print(f"Seasonal allocation, {PREMISES} premises, {WISHES} wishes per application, "
          f"{args.requests} page requests per kind and size through the Flask test client as "
          f"a bookings officer{', gc.freeze() after warm-up' if args.gc_freeze else ''}; "
          f"{h.load_note(load_before)}")
    print()
    header = (f"{'database':<16} {'apps':>5} {'seed s':>6} {'kind':<9} {'p50 ms':>7} "
              f"{'p95 ms':>7} {'max ms':>7} {'cpu p50':>7} {'queries':>7} {'KiB':>6}")
    h.print_table(header, [
        f"{name:<16} {size:>5,} {seconds:>6.1f} {kind:<9} {r['p50']:>7.1f} "
        f"{r['p95']:>7.1f} {r['max']:>7.1f} {r['cpu50']:>7.1f} {h.query_range(r['queries']):>7} "
        f"{r['bytes'] / 1024:>6.0f}"
        for name, size, seconds, results in rows for kind, r in results.items()])
    print()
    print("page: the allocation page as it opens; premises: one premises (?lokal=); proposal:")
    print("the POST proposing an allocation; publish: one batch of 10 applications (series,")
    print("decision, letter PDF, e-mail). KiB: the largest response.")
    same = all(rows[0][3][k]["queries"] == r[3][k]["queries"] for r in rows
               for k in ("page", "premises"))
    print("Page queries independent of the number of applications:", "yes" if same else "NO")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

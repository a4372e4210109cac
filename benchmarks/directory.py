"""Benchmark of the public directory's search: latency and queries per request by register size.

    .venv/bin/python benchmarks/directory.py                       # SQLite in a temp directory
    .venv/bin/python benchmarks/directory.py --database-url postgresql://postgres@127.0.0.1/lokapp_bench

For each size (default 100 and 10,000 associations) the database is built from scratch with
the migrations, filled by bulk inserts with realistic Swedish names and descriptions (so the
full-text index has real work to do) – about 90 % listed, some not public, some pending; two
districts, two target groups and up to three languages each; a third signed the LÖK – and then
``--requests`` directory requests (a fixed mix: no query, one word, a prefix, å/ä/ö typed as
a/o, two words, filters, page 3 …) go through the Flask test client. Reported: p50/p95/max in
milliseconds and the SQL statements per request, counted with a SQLAlchemy event.

WARNING: a PostgreSQL database given with ``--database-url`` is emptied (every table dropped)
before each size. Use a database of its own.
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import _harness as h  # noqa: E402

MIX = [
    ("ingen sökning", "/foreningar"),
    ("ett ord", "/foreningar?q=fotboll"),
    ("prefix", "/foreningar?q=sim"),
    ("å/ä/ö som a/o", "/foreningar?q=korsang"),
    ("böjd form", "/foreningar?q=h%C3%A4starna"),
    ("två ord", "/foreningar?q=alla+v%C3%A4lkomna"),
    ("stadsdel", "/foreningar?district=backby"),
    ("kategori + språk", "/foreningar?category=sport&language=ar"),
    ("LÖK + tillgänglig", "/foreningar?lok_signatory=1&accessible=1"),
    ("sida 3", "/foreningar?page=3"),
    ("sökning sida 3", "/foreningar?q=vi&page=3"),
    ("sökning + filter", "/foreningar?q=vi&district=raby"),
]
API_MIX = [
    ("api json", "/api/v1/associations?q=fotboll&per_page=100"),
    ("api json sida 3", "/api/v1/associations?page=3"),
]

PLACES = ["Västerås", "Bäckby", "Råby", "Hammarby", "Skultuna", "Vallby", "Önsta", "Hälla",
          "Skälby", "Irsta", "Dingtuna", "Tillberga", "Viksäng", "Rönnby", "Malmaberg",
          "Pettersberg", "Erikslund", "Kungsängen", "Barkarö", "Gideonsberg"]
KINDS = [
    ("Fotbollsklubb", "sport", "fotboll för barn och ungdomar"),
    ("Simsällskap", "sport", "simskola och motionssim"),
    ("Idrottsförening", "sport", "friidrott, skidor och innebandy"),
    ("Schackklubb", "sport", "schack och turneringar"),
    ("Boxningsklubb", "sport", "boxning och konditionsträning"),
    ("Ryttarsällskap", "sport", "ridskola där hästarna bor på gården"),
    ("Kulturförening", "culture", "musik, dans och fester"),
    ("Kammarkör", "culture", "körsång i fyra stämmor"),
    ("Teaterförening", "culture", "teaterkurser och föreställningar"),
    ("Hembygdsförening", "culture", "hembygdsgården och midsommar"),
    ("Föräldraförening", "social", "läxhjälp och stöd till föräldrar"),
    ("Kvinnonätverk", "social", "språkträning och samtalsgrupper"),
    ("Studiecirkelförening", "adult_education", "studiecirklar och språkcafé"),
    ("Församling", "religious", "gudstjänster och söndagsskola"),
    ("Kulturcenter", "minority_culture", "folkdans, språk och högtider"),
    ("Pensionärsförening", "pensioners", "boule, resor och kaffe med föredrag"),
    ("Funktionsrättsförening", "disability_rights", "rådgivning och parasport"),
    ("Miljövänner", "environment", "strandstädning och stadsodling"),
    ("Scoutkår", "children_youth", "friluftsliv, hajker och läger"),
    ("Grannskapsförening", "other", "loppis, städdag och gårdsfest"),
]
EXTRAS = ["Vi träffas varje vecka.", "Alla är välkomna.", "Det kostar inget att prova.",
          "Vi har tillgängliga lokaler.", "Nya medlemmar är välkomna året runt.",
          "Vi samarbetar med skolor och fritidsgårdar.", "Ledarna talar flera språk."]
LANGUAGES = ["sv", "ar", "so", "ti", "fi", "ku", "en", "fa", "pl", "bs"]


def build(url: str, size: int, seed: int = 2026):
    """A fresh database at ``url`` with ``size`` associations; returns the app."""
    from sqlalchemy import select
    from stdnum import luhn

    from lokapp.agreement.models import AgreementSignature, SignatureState
    from lokapp.agreement.queries import current_version
    from lokapp.associations import search
    from lokapp.associations.models import (
        Association,
        AssociationLanguage,
        Category,
        District,
        TargetGroup,
        association_districts,
        association_target_groups,
    )
    from lokapp.extensions import db

    app = h.create_app_for(url)
    rng = random.Random(seed)
    with app.app_context():
        h.recreate_schema()
        categories = {c.key: c.id for c in db.session.scalars(select(Category))}
        districts = {d.key: d.id for d in db.session.scalars(select(District))}
        groups = [g.id for g in db.session.scalars(select(TargetGroup))]
        version = current_version()
        now = datetime.now(UTC)
        rows, district_rows, group_rows, language_rows, signature_rows = [], [], [], [], []
        for n in range(1, size + 1):
            kind, category, activity = rng.choice(KINDS)
            place = rng.choice(PLACES)
            name = f"{place} {kind}" + (f" {n}" if n > len(PLACES) * len(KINDS) // 4 else "")
            description = (f"{kind} i {place} med {activity}. "
                           + " ".join(rng.sample(EXTRAS, 2)))
            base = f"80{n:07d}"
            roll = rng.random()
            rows.append({
                "id": n, "name": name, "orgnr": base + luhn.calc_check_digit(base),
                "legal_form": "nonprofit", "category_id": categories[category],
                "description": description, "email": f"info{n}@forening.example",
                "phone": "070-174 06 50", "city": "Västerås",
                "has_accessible_premises": rng.random() < 0.3,
                "is_public": roll < 0.95, "register_state": "pending" if roll > 0.9
                else "registered", "registered_at": now - timedelta(days=n % 700),
                "created_at": now, "updated_at": now - timedelta(seconds=n),
                **search.derived_columns(name, description),
            })
            for key in rng.sample(sorted(districts), 2):
                district_rows.append({"association_id": n, "district_id": districts[key]})
            for group_id in rng.sample(groups, 2):
                group_rows.append({"association_id": n, "target_group_id": group_id})
            for code in {"sv", *rng.sample(LANGUAGES, rng.randint(0, 2))}:
                language_rows.append({"association_id": n, "code": code})
            if version is not None and rng.random() < 0.33:
                signature_rows.append({
                    "association_id": n, "version_id": version.id, "state":
                    SignatureState.SIGNED.value, "created_at": now, "signed_at": now,
                    "signed_by_name": "Bänk Märksson", "signed_checksum": version.checksum})
        for table, batch in ((Association.__table__, rows),
                             (association_districts, district_rows),
                             (association_target_groups, group_rows),
                             (AssociationLanguage.__table__, language_rows),
                             (AgreementSignature.__table__, signature_rows)):
            h.bulk_insert(table, batch, 2000)
        h.reset_sequences(["associations"])
        db.session.commit()
        h.analyze()
        db.session.remove()
    return app


def measure(app, mix, requests: int) -> dict:
    """Wall-clock time, this process's CPU time and the time spent in SQL statements per
    request, and the number of statements (see ``_harness.Meter``)."""
    client = app.test_client()
    for _, url in mix:  # warm up: templates, statement caches, connections
        assert client.get(url).status_code == 200, url
    sample = h.Sample()
    by_kind: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, set[int]] = defaultdict(set)
    with h.Meter(app, sql_time=True) as meter:
        for i in range(requests):
            label, url = mix[i % len(mix)]
            response = meter.call(sample, lambda url=url: client.get(url))
            by_kind[label].append(sample.cpu[-1])
            assert response.status_code == 200, (url, response.status_code)
            queries[label].add(sample.queries[-1])
    return {
        **{k: v for k, v in sample.summary().items() if k != "queries"},
        "queries": dict(queries),
        "kinds": {label: statistics.median(values) for label, values in by_kind.items()},
    }


def main() -> int:
    parser = h.parser(__doc__, sizes="100,10000",
                      sizes_help="numbers of associations, comma-separated (default 100,10000)",
                      requests=300, requests_help="measured requests per size (default 300)")
    args = parser.parse_args()

    results = []
    load_before = h.load_average()
    for size, url in h.databases(args, "lokapp-bench-"):
        started = time.perf_counter()
        app = build(url, size)
        built = time.perf_counter() - started
        name = h.database_name(app)
        html = measure(app, MIX, args.requests)
        api = measure(app, API_MIX, max(20, args.requests // 10))
        results.append((name, size, built, html, api))
        h.dispose(app)

    print()
    print(f"Directory search, {args.requests} requests per size through the Flask test client "
          f"({len(MIX)} kinds, round robin); {h.load_note(load_before)}")
    print()
    header = (f"{'database':<16} {'associations':>12} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'max ms':>7} {'cpu p50':>8} {'cpu p95':>8} {'sql p50':>8} {'sql p95':>8} "
              f"{'queries':>8}")
    lines = []
    for name, size, _built, html, _api in results:
        counts = sorted({c for cs in html["queries"].values() for c in cs})
        qtext = h.query_range((counts[0], counts[-1]))
        lines.append(f"{name:<16} {size:>12,} {html['p50']:>7.1f} {html['p95']:>7.1f} "
                     f"{html['max']:>7.1f} {html['cpu50']:>8.1f} {html['cpu95']:>8.1f} "
                     f"{html['sql50']:>8.1f} {html['sql95']:>8.1f} {qtext:>8}")
    h.print_table(header, lines)
    print()
    print("p50/p95/max: wall-clock ms per request; cpu: this process's CPU ms (the app, and for")
    print("SQLite the database too); sql: wall-clock ms inside SQL statements; queries: statements")
    print("per request (transaction control not counted).")
    print()
    sizes_text = " / ".join(f"{r[1]:,}" for r in results)
    print(f"By kind – queries per request and CPU p50 ms ({sizes_text}):")
    for label, _ in MIX + API_MIX:
        cells, times = [], []
        for *_rest, html, api in results:
            source = html if label in html["queries"] else api
            cells.append(",".join(map(str, sorted(source["queries"][label]))))
            times.append(f"{source['kinds'][label]:.1f}")
        print(f"  {label:<20} {' / '.join(cells):>10}   {' / '.join(times):>14} ms")
    print()
    print("Open data JSON (" + ", ".join(label for label, _ in API_MIX) + "): " + "; ".join(
        f"{r[1]:,}: p50 {r[4]['p50']:.1f} ms, p95 {r[4]['p95']:.1f} ms, cpu p50 "
        f"{r[4]['cpu50']:.1f} ms" for r in results))
    same = all(results[0][3]["queries"][label] == r[3]["queries"][label]
               for r in results for label, _ in MIX)
    print("Queries per request independent of the register's size:", "yes" if same else "NO")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark of grant casework: the officer queue and the case page, by number of applications.

    .venv/bin/python benchmarks/casework.py                      # SQLite in a temp directory
    .venv/bin/python benchmarks/casework.py --database-url postgresql+psycopg://postgres@127.0.0.1/lokapp_bench
    .venv/bin/python benchmarks/casework.py --sizes 1000,50000 --requests 60

For each size (default 1,000 and 50,000 grant applications) the database is built from scratch
with the migrations, the seeded Västerås programmes (``lokapp.grants.seed``) are added, and the
rest is filled by bulk inserts through SQLAlchemy Core:

- associations (one per 16 applications, at most 3,000; a few pending or without verified
  bank details), each with a representative who applied;
- 12 grant officers (the first is the measured one) with the area *grants*;
- applications over six years (more in recent years), programmes weighted as in a real
  year (aktivitetsstöd most), states: earlier years almost all decided (some withdrawn, a few
  abandoned drafts), the current year spread over submitted, in review, completion requested,
  proposed, decided and withdrawn; gapless case numbers per year in submit order; answers
  to the programme's questions, a budget table where the programme has one, a proposal or a
  decision (approved, in part, rejected) with reasons, a payout line for every grant (paid,
  exported or pending by age); history rows for every step; yearly pots that cover what was
  granted.

Measured through the Flask test client as the logged-in grant officer (only GET pages, so the
benchmark keeps working while the pages change):

- ``/handlaggning`` (the unified queue) with several filter combinations: the default (open
  cases), assigned to me, one programme, one state, a text search, a number search, oldest
  first, completion deadline passed, nearest deadline first, page 50 of all cases;
- ``/bidrag/handlaggning`` (the grants officer list), open and decided;
- ``/bidrag/handlaggning/<id>`` (``grants.officer_case``) for random submitted applications.

Reported per kind: p50/p95/max wall-clock ms, this process's CPU ms (the app, and for SQLite the
database too), ms inside SQL statements, and SQL statements per request (a SQLAlchemy
``before_cursor_execute`` event; transaction control not counted) – and how long seeding took.

WARNING: a PostgreSQL database given with ``--database-url`` is emptied (every table dropped)
before each size. Use a database of its own.
"""
from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import _harness as h  # noqa: E402

OFFICERS = 12
CASE_PAGE = "case page"
YEARS = 6
YEAR_WEIGHTS = [0.10, 0.13, 0.16, 0.18, 0.20, 0.23]  # oldest … current year
PROGRAMME_WEIGHTS = {"aktivitetsstod": 0.35, "grundbidrag": 0.20, "projektbidrag": 0.15,
                     "arrangemangsbidrag": 0.15, "lokalbidrag": 0.10,
                     "extern-projektansokan": 0.05}
PAST_STATES = [("decided", 0.90), ("withdrawn", 0.08), ("draft", 0.02)]
CURRENT_STATES = [("draft", 0.05), ("submitted", 0.18), ("in_review", 0.25),
                  ("needs_completion", 0.07), ("proposed", 0.03), ("decided", 0.37),
                  ("withdrawn", 0.05)]
OUTCOMES = [("approved", 0.65), ("partially_approved", 0.20), ("rejected", 0.15)]
PLACES = ["Västerås", "Bäckby", "Råby", "Hammarby", "Skultuna", "Vallby", "Önsta", "Hälla",
          "Skälby", "Irsta", "Dingtuna", "Tillberga", "Viksäng", "Rönnby", "Malmaberg",
          "Pettersberg", "Erikslund", "Kungsängen", "Barkarö", "Gideonsberg"]
KINDS = ["Fotbollsklubb", "Simsällskap", "Idrottsförening", "Schackklubb", "Boxningsklubb",
         "Ryttarsällskap", "Kulturförening", "Kammarkör", "Teaterförening", "Hembygdsförening",
         "Föräldraförening", "Kvinnonätverk", "Studiecirkelförening", "Församling",
         "Kulturcenter", "Pensionärsförening", "Funktionsrättsförening", "Miljövänner",
         "Scoutkår", "Grannskapsförening"]
FIRST = ["Anna", "Erik", "Fatima", "Johan", "Maria", "Ahmed", "Karin", "Lars", "Sara", "Mohamed",
         "Eva", "Per", "Leila", "Nils", "Ingrid", "Omar", "Lena", "Björn", "Aisha", "Sven"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Hassan", "Larsson",
        "Olsson", "Persson", "Ali", "Svensson", "Gustafsson", "Mohammed", "Lindberg", "Berg"]
COSTS = ["Hyra av lokal", "Ledararvoden", "Material", "Resor", "Marknadsföring", "Teknik",
         "Mat och fika", "Försäkring"]
INCOMES = ["Deltagaravgifter", "Sponsorer", "Studieförbund", "Entré"]
REASONS = {
    "approved": "Ansökan uppfyller villkoren för bidraget.",
    "partially_approved": "Budgeten innehåller kostnader som bidraget inte täcker (mat och "
                          "resor). Bidrag beviljas för övriga kostnader.",
    "rejected": "Verksamheten riktar sig inte till målgruppen barn och unga 7–25 år.",
}


@dataclass
class Seeded:
    """What the measured requests need to know about the seeded data."""
    officer_id: int
    programme_ids: dict[str, int]
    application_ids: list[int]  # submitted (numbered) applications
    some_number: str
    counts: dict[str, int] = field(default_factory=dict)
    application_states: dict[int, str] = field(default_factory=dict)  # id → its case's shape (see seed)


def _next_ids(table_names: list[str]) -> dict[str, int]:
    """The first free id of each table (the seeding adds to what is there, e.g. in a test)."""
    from sqlalchemy import text

    from lokapp.extensions import db

    return {name: (db.session.execute(text(f"SELECT max(id) FROM {name}")).scalar() or 0) + 1
            for name in table_names}


def seed(size: int, *, seed: int = 2026, now: datetime | None = None) -> Seeded:
    """Add ``size`` grant applications with everything around them to the current database
    (inside an app context, in the current transaction; the caller commits)."""
    from sqlalchemy import func, insert, select, update
    from stdnum import luhn

    from lokapp.associations import search
    from lokapp.associations.models import Association, Category
    from lokapp.auth.models import (
        AssociationMember,
        AssociationMemberRole,
        User,
        UserArea,
        UserRole,
    )
    from lokapp.core.cases import Case, CaseHistory, CaseNumberCounter, format_number
    from lokapp.core.completions import CompletionRequest
    from lokapp.core.time import to_local
    from lokapp.extensions import db
    from lokapp.grants.models import (
        GrantApplication,
        GrantBudget,
        GrantBudgetLine,
        GrantPayout,
        GrantProgramme,
        GrantQuestion,
    )
    from lokapp.grants.seed import seed_programmes

    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    current_year = to_local(now).year
    years = list(range(current_year - YEARS + 1, current_year + 1))
    seed_programmes(current_year)
    programmes = {p.key: p for p in db.session.scalars(select(GrantProgramme))
                  if p.key in PROGRAMME_WEIGHTS}
    questions: dict[int, list] = defaultdict(list)
    for q in db.session.scalars(select(GrantQuestion).order_by(GrantQuestion.position)):
        questions[q.programme_id].append(q)
    categories = list(db.session.scalars(select(Category.id).order_by(Category.id)))
    ids = _next_ids(["users", "associations", "association_members", "cases",
                     "grant_applications"])
    tag = f"{seed}-{ids['users']}"  # unique e-mail addresses, also next to other data
    bulk = h.bulk_insert

    # Officers: the first one is the measured officer.
    officer_ids = list(range(ids["users"], ids["users"] + OFFICERS))
    users = [{"id": uid, "email": f"handlaggare{n}.{tag}@vasteras.example",
              "name": f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}",
              "password_hash": "!", "title": "Bidragshandläggare",
              "delegation_limit_sek": rng.choice([25_000, 50_000, 100_000]),
              "email_verified_at": now, "created_at": now}
             for n, uid in enumerate(officer_ids)]
    roles = [{"user_id": uid, "role": "supervisor" if n == 1 else "officer"}
             for n, uid in enumerate(officer_ids)]
    areas = [{"user_id": uid, "area": "grants"} for uid in officer_ids]

    # Associations, each with a representative (chair) who applies.
    n_assoc = max(10, min(3000, size // 16))
    first_assoc = ids["associations"]
    representatives, associations, members, member_roles = [], [], [], []
    rep_of: dict[int, int] = {}
    bankgiro: dict[int, str] = {}
    for k in range(n_assoc):
        aid = first_assoc + k
        name = f"{rng.choice(PLACES)} {rng.choice(KINDS)} {aid}"
        description = "Ideell förening i Västerås med verksamhet för barn, unga och vuxna."
        base = f"80{aid:07d}"[-9:]
        bankgiro[aid] = f"{rng.randint(100, 9999)}-{rng.randint(1000, 9999)}"
        pending = rng.random() < 0.03
        associations.append({
            "id": aid, "name": name, "orgnr": base + luhn.calc_check_digit(base),
            "legal_form": "nonprofit", "category_id": rng.choice(categories),
            "description": description, "email": f"info{aid}@forening.example",
            "city": "Västerås", "bankgiro": bankgiro[aid],
            "bank_details_verified_at": None if rng.random() < 0.05 else now,
            "is_public": True, "register_state": "pending" if pending else "registered",
            "registered_at": now - timedelta(days=rng.randint(30, 3000)),
            "created_at": now, "updated_at": now, **search.derived_columns(name, description)})
        uid = ids["users"] + OFFICERS + k
        rep_of[aid] = uid
        representatives.append({"id": uid, "email": f"ordforande{aid}.{tag}@forening.example",
                      "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "password_hash": "!",
                      "email_verified_at": now, "created_at": now})
        mid = ids["association_members"] + k
        members.append({"id": mid, "user_id": uid, "association_id": aid,
                        "is_signatory": True, "created_at": now})
        member_roles.append({"member_id": mid, "role": "chair"})
    bulk(User.__table__, users)
    bulk(User.__table__, representatives)
    bulk(UserRole.__table__, roles)
    bulk(UserArea.__table__, areas)
    bulk(Association.__table__, associations)
    bulk(AssociationMember.__table__, members)
    bulk(AssociationMemberRole.__table__, member_roles)
    association_ids = [a["id"] for a in associations]

    # Applications: generated first, then numbered per year in submit order.
    keys = list(PROGRAMME_WEIGHTS)
    weights = [PROGRAMME_WEIGHTS[k] for k in keys]
    drafts: list[dict] = []
    apps: list[dict] = []
    for _ in range(size):
        year = rng.choices(years, YEAR_WEIGHTS)[0]
        programme = programmes[rng.choices(keys, weights)[0]]
        state = h.pick(rng, CURRENT_STATES if year == current_year else PAST_STATES)
        # Days 2–360 of the year, never in the future: the Stockholm year is the case year.
        last_day = min(360, (now - datetime(year, 1, 1, tzinfo=UTC)).days - 1)
        created = datetime(year, 1, 1, 8, tzinfo=UTC) + timedelta(
            days=rng.randint(1, max(2, last_day - 1)), minutes=rng.randint(0, 600))
        app = {"year": year, "programme": programme, "state": state, "created": created,
               "association_id": rng.choice(association_ids)}
        (drafts if state == "draft" else apps).append(app)
        if state != "draft":
            app["submitted"] = min(created + timedelta(hours=rng.randint(1, 72)),
                                   now - timedelta(hours=1))
    apps.sort(key=lambda a: a["submitted"])
    sequence: dict[int, int] = {}
    existing = dict(db.session.execute(
        select(Case.year, func.max(Case.sequence)).where(Case.year.in_(years))
        .group_by(Case.year)).all())
    for app in apps:
        y = to_local(app["submitted"]).year
        sequence[y] = sequence.get(y, existing.get(y) or 0) + 1
        app["case_year"], app["sequence"] = y, sequence[y]

    cases, applications, history, lines, payouts = [], [], [], [], []
    completions: list[dict] = []  # completion requests with their deadline (the queue's Frist)
    committed: dict[tuple[int, int], int] = defaultdict(int)
    case_id, application_id = ids["cases"], ids["grant_applications"]
    submitted_ids: list[int] = []
    submitted_states: dict[int, str] = {}
    me = officer_ids[0]
    for app in apps + drafts:
        programme, state, created = app["programme"], app["state"], app["created"]
        aid = app["association_id"]
        applicant = rep_of[aid]
        subject = f"{programme.name_sv} – {associations[aid - first_assoc]['name']}"
        submitted = app.get("submitted")
        number = format_number(app["case_year"], app["sequence"]) if submitted else None
        officer = None
        if state in ("in_review", "needs_completion", "proposed", "decided") or (
                state == "withdrawn" and rng.random() < 0.5):
            # The measured officer has her share of the cases, like every colleague.
            officer = me if rng.random() < 1 / OFFICERS else rng.choice(officer_ids[1:])
        monetary = programme.is_monetary
        requested = None
        if monetary:
            top = programme.max_amount_sek or 100_000
            requested = rng.randrange(max(1000, top // 20), top + 1, 500)
        steps: list[tuple[str | None, str, str, int | None, str | None]] = [
            (None, "draft", "create", applicant, None)]
        t = created
        history_times = [created]
        decided_at = None
        outcome = granted = reasons = decided_by = None
        proposed = {}
        if submitted:
            steps.append(("draft", "submitted", "submit", applicant, None))
            history_times.append(submitted)
            t = submitted
            if state != "submitted" and officer is not None:
                t = min(t + timedelta(days=rng.randint(1, 14)), now - timedelta(minutes=30))
                steps.append(("submitted", "in_review", "assign", officer, None))
                history_times.append(t)
                if state == "needs_completion" or rng.random() < 0.1:
                    t = min(t + timedelta(days=rng.randint(1, 7)), now - timedelta(minutes=20))
                    steps.append(("in_review", "needs_completion", "request_completion",
                                  officer, "Bifoga verksamhetsplanen och komplettera budgeten."))
                    history_times.append(t)
                    completions.append({
                        "case_id": case_id, "requested_at": t, "requested_by_id": officer,
                        "message": "Bifoga verksamhetsplanen och komplettera budgeten.",
                        "deadline": to_local(t).date() + timedelta(days=14),
                        "answered_at": None})
                    if state != "needs_completion":
                        t = min(t + timedelta(days=rng.randint(1, 10)),
                                now - timedelta(minutes=15))
                        completions[-1]["answered_at"] = t
                        steps.append(("needs_completion", "submitted", "submit", applicant,
                                      None))
                        steps.append(("submitted", "in_review", "assign", officer, None))
                        history_times += [t, t]
            if state in ("proposed", "decided"):
                outcome = h.pick(rng, OUTCOMES)
                if monetary and outcome == "approved":
                    granted = requested
                elif monetary and outcome == "partially_approved":
                    granted = max(500, requested * rng.randint(40, 90) // 100 // 100 * 100)
                reasons = REASONS[outcome]
                t = min(t + timedelta(days=rng.randint(3, 60)), now - timedelta(minutes=10))
                if state == "proposed" or (monetary and (granted or 0) > 50_000
                                           and rng.random() < 0.5):
                    steps.append(("in_review", "proposed", "propose", officer, None))
                    history_times.append(t)
                    proposed = {"proposed_outcome": outcome, "proposed_sek": granted,
                                "proposed_reasons": reasons, "proposed_by_id": officer,
                                "proposed_at": t}
                if state == "decided":
                    decider = officer if not proposed else rng.choice(
                        [o for o in officer_ids if o != officer])
                    if proposed:
                        t = min(t + timedelta(days=rng.randint(1, 5)),
                                now - timedelta(minutes=5))
                        steps.append(("proposed", "decided", "confirm", decider, None))
                    else:
                        steps.append(("in_review", "decided", "decide", decider, None))
                    history_times.append(t)
                    decided_at, decided_by = t, decider
                else:
                    outcome = granted = reasons = None
            if state == "withdrawn":
                t = min(t + timedelta(days=rng.randint(1, 30)), now - timedelta(minutes=5))
                steps.append((steps[-1][1], "withdrawn", "withdraw", applicant,
                              "Vi har fått pengar från annat håll."))
                history_times.append(t)
        cases.append({
            "id": case_id, "number": number,
            "year": app["case_year"] if submitted else None,
            "sequence": app["sequence"] if submitted else None,
            "case_type": "grant_application", "subject": subject[:300], "state": state,
            "association_id": aid, "applicant_id": applicant, "assigned_officer_id": officer,
            "created_at": created, "submitted_at": submitted, "decided_at": decided_at,
            "updated_at": t})
        for (from_state, to_state, action, actor, note), at in zip(steps, history_times,
                                                                   strict=True):
            history.append({"case_id": case_id, "occurred_at": at, "actor_id": actor,
                            "from_state": from_state, "to_state": to_state, "action": action,
                            "note": note})
        answers = {}
        for q in questions[programme.id]:
            kind = q.kind.value
            answers[str(q.id)] = {
                "short_text": "Sommarläger för barn", "long_text": "Vi vill nå fler barn i "
                "stadsdelen med regelbundna träffar och ledare som talar flera språk.",
                "number": str(rng.randint(3, 400)), "amount": str(rng.randint(20, 400) * 1000),
                "date": f"{app['year']}-{rng.randint(1, 12):02d}-15",
                "choice": (q.choices or ["Våren"])[0], "yes_no": rng.choice(["ja", "nej"]),
            }.get(kind, "")
        applications.append({
            "id": application_id, "case_id": case_id, "programme_id": programme.id,
            "association_id": aid, "year": app["year"], "answers": answers,
            "own_contribution_sek": (requested or 0) // 10 if programme.has_budget_table else 0,
            "requested_sek": requested,
            "snapshot": {"category": None, "districts": [], "target_groups": [],
                         "member_counts_year": app["year"] - 1, "member_counts": {},
                         "registered_at": None} if submitted else None,
            "outcome": outcome if state == "decided" else None,
            "granted_sek": granted if state == "decided" else None,
            "reasons": reasons if state == "decided" else None,
            "decided_by_id": decided_by, "decided_at": decided_at,
            "proposed_outcome": proposed.get("proposed_outcome"),
            "proposed_sek": proposed.get("proposed_sek"),
            "proposed_reasons": proposed.get("proposed_reasons"),
            "proposed_by_id": proposed.get("proposed_by_id"),
            "proposed_at": proposed.get("proposed_at")})
        if programme.has_budget_table and requested:
            income = rng.randint(0, requested // 4) // 100 * 100
            cost_total = requested + income + (requested // 10)
            parts = rng.sample(COSTS, rng.randint(2, 4))
            for position, description in enumerate(parts):
                amount = cost_total // len(parts) + (cost_total % len(parts)
                                                     if position == 0 else 0)
                lines.append({"application_id": application_id, "position": position,
                              "kind": "cost", "description": description,
                              "amount_sek": amount})
            if income:
                lines.append({"application_id": application_id, "position": len(parts),
                              "kind": "income", "description": rng.choice(INCOMES),
                              "amount_sek": income})
        if state == "decided" and granted:
            committed[(programme.id, app["year"])] += granted
            age = (now - decided_at).days
            payout_state = "paid" if age > 45 else ("exported" if age > 10 else "pending")
            payouts.append({
                "application_id": application_id, "association_id": aid,
                "programme_id": programme.id, "amount_sek": granted,
                "bankgiro": bankgiro[aid], "reference": number, "state": payout_state,
                "created_at": decided_at,
                "exported_at": decided_at + timedelta(days=3) if payout_state != "pending"
                else None,
                "paid_at": decided_at + timedelta(days=10) if payout_state == "paid" else None,
                "paid_by_id": officer_ids[2] if payout_state == "paid" else None})
        if submitted:
            submitted_ids.append(application_id)
            # The case page's statements follow the case's shape (state, programme, proposal,
            # payout and its state, whose case it is, who decided), never the number of cases.
            submitted_states[application_id] = "/".join(
                [state, programme.key] + (["proposed"] if proposed else [])
                + ([f"payout {payouts[-1]['state']}"] if state == "decided" and granted
                   else [])
                + (["mine" if officer == me else "assigned"] if officer else [])
                + (["decided by me"] if decided_by == me and officer != me else []))
        case_id += 1
        application_id += 1
    bulk(Case.__table__, cases)
    bulk(CaseHistory.__table__, history)
    bulk(CompletionRequest.__table__, completions)
    bulk(GrantApplication.__table__, applications)
    bulk(GrantBudgetLine.__table__, lines)
    bulk(GrantPayout.__table__, payouts)

    # Yearly pots that cover what was granted; the number counters where the numbers end.
    budgets = {(b.programme_id, b.year): b for b in db.session.scalars(select(GrantBudget))}
    for programme in programmes.values():
        for year in years:
            used = committed.get((programme.id, year), 0)
            budget = budgets.get((programme.id, year))
            if budget is None:
                if programme.is_monetary:
                    db.session.execute(insert(GrantBudget.__table__).values(
                        programme_id=programme.id, year=year,
                        amount_sek=max(used, 1_000_000), committed_sek=used))
            else:
                db.session.execute(update(GrantBudget.__table__)
                                   .where(GrantBudget.__table__.c.id == budget.id)
                                   .values(amount_sek=max(budget.amount_sek,
                                                          budget.committed_sek + used),
                                           committed_sek=budget.committed_sek + used))
    for year, last in sequence.items():
        if db.session.get(CaseNumberCounter, year) is None:
            db.session.execute(insert(CaseNumberCounter.__table__).values(year=year,
                                                                           last_value=last))
        else:
            db.session.execute(update(CaseNumberCounter.__table__)
                               .where(CaseNumberCounter.__table__.c.year == year)
                               .values(last_value=last))
    h.reset_sequences(["users", "associations", "association_members", "cases",
                       "grant_applications"])
    db.session.expire_all()
    return Seeded(
        officer_id=me, programme_ids={k: p.id for k, p in programmes.items()},
        application_ids=submitted_ids, application_states=submitted_states,
        some_number=cases[len(apps) // 2]["number"] if apps else "LOK 2026/00001",
        counts={"applications": size, "drafts": len(drafts), "associations": n_assoc,
                "history": len(history), "budget_lines": len(lines), "payouts": len(payouts),
                "completion_requests": len(completions),
                "open": sum(1 for a in apps if a["state"] not in ("decided", "withdrawn"))})


def build(url: str, size: int) -> tuple:
    """A fresh database at ``url`` with ``size`` applications: ``(app, seeded, seconds)``;
    the seconds count the seeding and ANALYZE, not the migrations."""
    from lokapp.extensions import db

    app = h.create_app_for(url)
    with app.app_context():
        h.recreate_schema()
        started = time.perf_counter()
        seeded = seed(size)
        db.session.commit()
        h.analyze()
        seconds = time.perf_counter() - started
        db.session.remove()
    return app, seeded, seconds


def plan(seeded: Seeded, requests: int, *, seed: int = 7) -> dict[str, list[str]]:
    """The measured URLs of each kind (the same filters for every size)."""
    from urllib.parse import quote

    rng = random.Random(seed)
    queue = {
        "queue: open (default)": "/handlaggning",
        "queue: assigned to me": "/handlaggning?tilldelad=mig",
        "queue: programme": f"/handlaggning?bidragsform={seeded.programme_ids['projektbidrag']}",
        "queue: state": "/handlaggning?status=in_review",
        "queue: text search": "/handlaggning?status=alla&sok=fotboll",
        "queue: number search": f"/handlaggning?status=alla&sok={quote(seeded.some_number)}",
        "queue: oldest first": "/handlaggning?sortera=aldst",
        "queue: deadline passed": "/handlaggning?frist=passerad",
        "queue: nearest deadline": "/handlaggning?sortera=frist",
        "queue: page 50": "/handlaggning?status=alla&sida=50",
        "grants list: open": "/bidrag/handlaggning",
        "grants list: decided": "/bidrag/handlaggning?visa=beslutade",
    }
    kinds = {label: [url] * requests for label, url in queue.items()}
    kinds[CASE_PAGE] = [f"/bidrag/handlaggning/{rng.choice(seeded.application_ids)}"
                          for _ in range(requests * 3)]
    return kinds


def measure(app, seeded: Seeded, requests: int, *, kinds: dict[str, list[str]] | None = None,
            client=None) -> dict[str, dict]:
    """Per kind: wall-clock, CPU and SQL ms (p50/p95/max) and statements per request."""
    client = client or app.test_client()
    h.log_in(app, client, seeded.officer_id)  # the logged-in grant officer
    kinds = kinds or plan(seeded, requests)
    for urls in kinds.values():  # warm up: templates, statement caches, connections
        for url in urls[:2]:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code,
                                                  response.get_data(as_text=True)[-2000:])
    results = {}
    with h.Meter(app, sql_time=True) as meter:
        for kind, urls in kinds.items():
            sample = h.Sample()
            by_state: dict[str, list[int]] = defaultdict(list)
            for url in urls:
                response = meter.call(sample, lambda url=url: client.get(url))
                if kind == CASE_PAGE:  # its statements follow the case's shape
                    state = seeded.application_states.get(int(url.rstrip("/").rsplit("/")[-1]))
                    by_state[state or "?"].append(sample.queries[-1])
                assert response.status_code == 200, (url, response.status_code)
            results[kind] = {**sample.summary(),
                             "by_state": {s: (min(q), max(q)) for s, q in by_state.items()},
                             "bytes": len(response.get_data())}
    return results


def same_queries(first: dict[str, dict], second: dict[str, dict]) -> bool:
    """Whether every kind runs as many statements in ``second`` as in ``first`` (the case
    page compared shape by shape, for the shapes both samples have)."""
    for kind, result in first.items():
        if kind not in second:
            continue
        if kind == CASE_PAGE:
            mine, theirs = result["by_state"], second[kind]["by_state"]
            if any(mine[s] != theirs[s] for s in mine.keys() & theirs.keys()):
                return False
        elif result["queries"] != second[kind]["queries"]:
            return False
    return True


def main() -> int:
    parser = h.parser(__doc__, sizes="1000,50000",
                      sizes_help="numbers of grant applications, comma-separated "
                                 "(default 1000,50000)",
                      requests=40,
                      requests_help="measured requests per queue kind and size; the case page "
                                    "gets three times as many (default 40)")
    parser.add_argument("--only", help="measure only the kinds whose label contains this text")
    args = parser.parse_args()

    load_before = h.load_average()
    rows = []
    for size, app, seeded, seconds in h.seeded_apps(args, "lokapp-bench-casework-", build):
        name = h.database_name(app)
        kinds = plan(seeded, args.requests)
        if args.only:
            kinds = {k: v for k, v in kinds.items() if args.only in k}
        results = measure(app, seeded, args.requests, kinds=kinds)
        rows.append((name, size, seconds, results))

    print()
    print(f"Grant casework, {args.requests} requests per queue kind ({args.requests * 3} case "
          f"pages) and size through the Flask test client, as a logged-in grant officer; "
          f"{h.load_note(load_before)}")
    print()
    header = (f"{'database':<16} {'apps':>6} {'seed s':>6} {'kind':<24} {'p50 ms':>7} "
              f"{'p95 ms':>7} {'max ms':>7} {'cpu p50':>7} {'cpu p95':>7} {'sql p50':>7} "
              f"{'queries':>7}")
    h.print_table(header, [
        f"{name:<16} {size:>6,} {seconds:>6.1f} {kind:<24} {r['p50']:>7.1f} "
        f"{r['p95']:>7.1f} {r['max']:>7.1f} {r['cpu50']:>7.1f} {r['cpu95']:>7.1f} "
        f"{r['sql50']:>7.1f} {h.query_range(r['queries']):>7}"
        for name, size, seconds, results in rows for kind, r in results.items()])
    print()
    print("p50/p95/max: wall-clock ms per request; cpu: this process's CPU ms (the app, and for")
    print("SQLite the database too); sql p50: wall-clock ms inside SQL statements; queries: SQL")
    print("statements per request, min–max (transaction control not counted); seed s: bulk")
    print("seeding plus ANALYZE, without the migrations.")
    same = all(same_queries(rows[0][3], r[3]) for r in rows)
    for name, size, _seconds, results in rows:
        if CASE_PAGE in results:
            shapes = results[CASE_PAGE]["by_state"]
            fixed = all(low == high for low, high in shapes.values())
            print(f"case page, {name} {size:,}: {len(shapes)} shapes of case (state, programme, "
                  f"proposal, payout, assignee, decider); the same statements for every case of a "
                  f"shape: {'yes' if fixed else 'NO'}")
    slow = [f"{r[0]} {r[1]:,} {k}" for r in rows for k, v in r[3].items() if v["p95"] >= 100]
    print("Queries per request independent of the number of applications:",
          "yes" if same else "NO")
    print("p95 under 100 ms everywhere:", "yes" if not slow else "NO – " + "; ".join(slow))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

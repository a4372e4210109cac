"""Case numbers: LOK YYYY/NNNNN per Stockholm calendar year, never repeated, never skipped."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lokapp.core.cases import (
    Case,
    CaseHistory,
    CaseNumberCounter,
    assign_number,
    by_number,
    format_number,
    parse_number,
    submit,
)
from lokapp.core.time import to_local, utcnow
from tests.core.sample_workflow import S, make_case, make_person


def _numbered_at(when: datetime) -> Case:
    case = make_case()
    case.submitted_at = when
    assign_number(case)
    return case


def test_format_and_parse():
    assert format_number(2026, 42) == "LOK 2026/00042"
    assert format_number(2026, 123456) == "LOK 2026/123456"
    for typed in ("LOK 2026/00042", "lok 2026/42", " LOK2026/042 ", "2026/42"):
        assert parse_number(typed) == (2026, 42)
    for bad in ("", "LOK", "LOK 26/1", "LOK 2026/0", "LOK 2026-00042", "ABC 2026/1", None):
        assert parse_number(bad) is None


def test_a_draft_has_no_number(db):
    case = make_case()
    assert (case.number, case.year, case.sequence, case.submitted_at) == (None, None, None, None)
    assert case.is_draft


def test_numbers_are_sequential_within_a_year(db):
    when = datetime(2031, 5, 4, 10, 0, tzinfo=UTC)
    numbers = [_numbered_at(when).number for _ in range(3)]
    assert numbers == ["LOK 2031/00001", "LOK 2031/00002", "LOK 2031/00003"]
    assert db.session.get(CaseNumberCounter, 2031).last_value == 3


def test_submit_numbers_in_the_current_stockholm_year(db):
    applicant = make_person()
    cases = [make_case(applicant=applicant) for _ in range(2)]
    for case in cases:
        submit(case, applicant)
    year = to_local(cases[0].submitted_at).year
    assert [c.number for c in cases] == [format_number(year, 1), format_number(year, 2)]
    assert all(c.state == S.SUBMITTED and c.year == year for c in cases)


def test_a_case_keeps_its_first_number(db):
    case = _numbered_at(datetime(2031, 1, 2, tzinfo=UTC))
    assert assign_number(case) == "LOK 2031/00001"
    assert _numbered_at(datetime(2031, 1, 2, tzinfo=UTC)).number == "LOK 2031/00002"


@pytest.mark.parametrize(("utc", "local", "year"), [
    # Stockholm is UTC+1 in winter: the local year turns one hour before the UTC year.
    ("2026-12-31T22:59:00", "2026-12-31 23:59", 2026),
    ("2026-12-31T23:01:00", "2027-01-01 00:01", 2027),
    ("2026-12-31T23:30:00", "2027-01-01 00:30", 2027),
    ("2027-01-01T00:30:00", "2027-01-01 01:30", 2027),
    ("2026-01-01T00:00:00", "2026-01-01 01:00", 2026),
    ("2025-12-31T22:59:59", "2025-12-31 23:59", 2025),
])
def test_the_year_is_the_local_year_of_the_submit(db, utc, local, year):
    when = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert to_local(when).strftime("%Y-%m-%d %H:%M") == local
    case = _numbered_at(when)
    assert (case.year, case.sequence, case.number) == (year, 1, format_number(year, 1))


def test_year_rollover_starts_a_new_series_and_keeps_the_old_one(db):
    dec_31 = datetime(2026, 12, 31, 22, 59, tzinfo=UTC)  # 23:59 in Stockholm
    jan_1 = datetime(2026, 12, 31, 23, 1, tzinfo=UTC)    # 00:01 on 1 January 2027
    assert [_numbered_at(dec_31).number for _ in range(2)] == ["LOK 2026/00001",
                                                                "LOK 2026/00002"]
    assert _numbered_at(jan_1).number == "LOK 2027/00001"
    assert _numbered_at(dec_31).number == "LOK 2026/00003"  # a late-registered 2026 handling
    assert _numbered_at(jan_1).number == "LOK 2027/00002"


def test_a_rolled_back_savepoint_returns_its_number(db):
    when = datetime(2032, 3, 1, tzinfo=UTC)
    first = make_case()
    savepoint = db.session.begin_nested()
    first.submitted_at = when
    assert assign_number(first) == "LOK 2032/00001"
    savepoint.rollback()
    assert _numbered_at(when).number == "LOK 2032/00001"


def test_a_rolled_back_transaction_returns_its_number(committing_db):
    db = committing_db
    applicant = make_person()
    lost, kept = make_case(applicant=applicant), make_case(applicant=applicant)
    db.session.commit()
    lost_id, kept_id, applicant_id = lost.id, kept.id, applicant.id

    submit(lost, applicant)
    taken = lost.number
    db.session.rollback()

    from lokapp.auth.models import User

    applicant = db.session.get(User, applicant_id)
    kept = db.session.get(Case, kept_id)
    submit(kept, applicant)
    db.session.commit()
    assert kept.number == taken and kept.sequence == 1
    lost = db.session.get(Case, lost_id)
    assert lost.number is None and lost.state == S.DRAFT
    submit(lost, applicant)
    db.session.commit()
    assert lost.sequence == 2


def test_the_database_refuses_half_numbers_and_duplicates(db):
    case = make_case()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        case.number = "LOK 2031/00001"
        db.session.flush()
    db.session.expire_all()
    first = _numbered_at(datetime(2031, 2, 1, tzinfo=UTC))
    other = make_case()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        other.number, other.year, other.sequence = first.number, first.year, first.sequence
        db.session.flush()


def test_find_a_case_by_its_number(db):
    case = _numbered_at(datetime(2031, 6, 1, tzinfo=UTC))
    assert db.session.scalar(by_number("LOK 2031/00001")) is case
    assert db.session.scalar(by_number("lok 2031/1")) is case
    assert db.session.scalar(by_number("LOK 2031/00002")) is None
    assert db.session.scalar(by_number("nonsens")) is None


@pytest.mark.slow
def test_concurrent_submits_get_every_number_exactly_once(app, committing_db):
    """20 threads × 5 submits, each in its own app context and session, all starting at once;
    each thread also takes a number and rolls it back first. Result: exactly 1..100."""
    db = committing_db
    threads_n, per_thread = 20, 5
    applicant = make_person()
    cases = [make_case(applicant=applicant) for _ in range(threads_n * (per_thread + 1))]
    db.session.commit()
    applicant_id = applicant.id
    ids = [c.id for c in cases]
    db.session.remove()

    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def worker(my_ids: list[int]) -> None:
        from lokapp.auth.models import User

        with app.app_context():
            try:
                barrier.wait(timeout=30)
                user = db.session.get(User, applicant_id)
                # A submit that fails after taking its number: the number must come back.
                submit(db.session.get(Case, my_ids[0]), user)
                db.session.rollback()
                for case_id in my_ids[1:]:
                    user = db.session.get(User, applicant_id)
                    submit(db.session.get(Case, case_id), user)
                    db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    chunks = [ids[i::threads_n] for i in range(threads_n)]
    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    started = utcnow()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)

    submitted = db.session.execute(
        select(Case.year, Case.sequence, Case.number).where(Case.number.is_not(None))
        .order_by(Case.sequence)).all()
    year = to_local(started).year
    total = threads_n * per_thread
    assert {row.year for row in submitted} == {year}
    assert [row.sequence for row in submitted] == list(range(1, total + 1))
    assert [row.number for row in submitted] == [format_number(year, n)
                                                 for n in range(1, total + 1)]
    assert db.session.get(CaseNumberCounter, year).last_value == total
    assert db.session.scalar(select(func.count()).select_from(CaseHistory)
                             .where(CaseHistory.action == "submit")) == total
    drafts = db.session.scalar(select(func.count()).select_from(Case)
                               .where(Case.number.is_(None), Case.state == S.DRAFT))
    assert drafts == threads_n

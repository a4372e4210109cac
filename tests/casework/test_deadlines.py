"""The queue's Frist column: the open completion deadline of grant and register cases, the
deadline filter (passed / within 7 days / any), sorting by deadline, the Excel column, and a
number of queries that does not grow with the rows."""
from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from lokapp.core.completions import CompletionRequest
from lokapp.core.time import today_local, utcnow
from lokapp.extensions import db as _db
from tests.casework.test_queue import make_case  # noqa: F401 - a fixture


@pytest.fixture
def waiting(make_case):  # noqa: F811
    """A case waiting for completion with a deadline ``days`` from today."""

    def _make(case_type="registration", days=5, subject=None, answered=False, **kwargs):
        case = make_case(case_type, state="needs_completion", subject=subject, **kwargs)
        _db.session.add(CompletionRequest(
            case_id=case.id, message="Mer underlag.",
            deadline=today_local() + timedelta(days=days), requested_at=utcnow(),
            answered_at=utcnow() if answered else None))
        _db.session.flush()
        return case

    return _make


def _listed(client, cases, **args) -> list[str]:
    page = client.get("/handlaggning", query_string=args).get_data(as_text=True)
    found = [(page.index(c.subject), c.subject) for c in cases if c.subject in page]
    return [subject for _, subject in sorted(found)]


def test_the_deadline_column_for_register_and_grant_cases(client, login_as, waiting,
                                                          make_case):  # noqa: F811
    soon = waiting("registration", days=3, subject="Registrering snart")
    late = waiting("grant_application", days=-2, subject="Ansökan sen")
    make_case("annual_update", subject="Utan frist")
    _db.session.commit()
    login_as("officer", areas=("register", "grants"))
    page = client.get("/handlaggning").get_data(as_text=True)
    assert '<th scope="col">Frist</th>' in page
    soon_day = (today_local() + timedelta(days=3)).isoformat()
    late_day = (today_local() - timedelta(days=2)).isoformat()
    assert f"<td>{soon_day} snart</td>" in page
    assert f"<td>{late_day} <strong>passerad</strong></td>" in page
    assert soon.number in page and late.number in page


def test_an_answered_request_or_another_state_shows_no_deadline(client, login_as, waiting,
                                                                 make_case):  # noqa: F811
    answered = waiting("registration", days=3, subject="Besvarad", answered=True)
    moved_on = waiting("registration", days=4, subject="Flyttad vidare")
    moved_on.state = "rejected"
    _db.session.commit()
    login_as("officer", areas=("register",))
    page = client.get("/handlaggning", query_string={"status": "alla"}).get_data(as_text=True)
    for days in (3, 4):
        assert (today_local() + timedelta(days=days)).isoformat() not in page
    assert answered.subject in page and moved_on.subject in page
    assert _listed(client, [answered, moved_on], status="alla", frist="finns") == []


def test_the_deadline_filter(client, login_as, waiting, make_case):  # noqa: F811
    passed = waiting("registration", days=-1, subject="Passerad igår")
    today = waiting("grant_application", days=0, subject="Sista dag i dag")
    week = waiting("annual_update", days=7, subject="Om en vecka")
    later = waiting("registration", days=8, subject="Om åtta dagar")
    none = make_case("registration", subject="Ingen frist")
    cases = [passed, today, week, later, none]
    _db.session.commit()
    login_as("officer", areas=("register", "grants"))
    assert set(_listed(client, cases)) == {c.subject for c in cases}
    assert _listed(client, cases, frist="passerad") == ["Passerad igår"]
    assert set(_listed(client, cases, frist="vecka")) == {"Sista dag i dag", "Om en vecka"}
    assert set(_listed(client, cases, frist="finns")) == {
        "Passerad igår", "Sista dag i dag", "Om en vecka", "Om åtta dagar"}
    # An unknown value is the same as all; the filter is kept in the page links.
    assert set(_listed(client, cases, frist="x")) == {c.subject for c in cases}
    page = client.get("/handlaggning", query_string={"frist": "vecka"}).get_data(as_text=True)
    assert 'value="vecka" selected' in page and "frist=vecka" in page


def test_sorting_by_deadline_nearest_first_then_no_deadline(client, login_as, waiting,
                                                            make_case):  # noqa: F811
    without = make_case("registration", subject="Utan frist", days_ago=10)
    far = waiting("registration", days=20, subject="Långt bort")
    passed = waiting("registration", days=-5, subject="Passerad")
    near = waiting("grant_application", days=2, subject="Nära")
    _db.session.commit()
    login_as("officer", areas=("register", "grants"))
    assert _listed(client, [without, far, passed, near], sortera="frist") == [
        "Passerad", "Nära", "Långt bort", "Utan frist"]


def test_the_export_has_the_deadline(client, login_as, waiting, make_case):  # noqa: F811
    waiting("registration", days=4, subject="Med frist")
    make_case("registration", subject="Utan frist")
    _db.session.commit()
    login_as("officer", areas=("register",))
    response = client.get("/handlaggning/export.xlsx", query_string={"sortera": "frist"})
    rows = list(load_workbook(BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][-1] == "Frist"
    assert rows[1][2] == "Med frist"
    assert rows[1][-1].date() == today_local() + timedelta(days=4)
    assert rows[2][-1] is None
    only = client.get("/handlaggning/export.xlsx", query_string={"frist": "finns"})
    assert len(list(load_workbook(BytesIO(only.data)).active.iter_rows())) == 2


def test_query_count_does_not_grow_with_deadlines(client, login_as, waiting,
                                                  count_queries):
    login_as("officer", areas=("register", "grants"))
    waiting("registration", days=1)
    _db.session.commit()
    client.get("/handlaggning", query_string={"sortera": "frist"})
    with count_queries() as few:
        assert client.get("/handlaggning",
                          query_string={"sortera": "frist", "frist": "finns"}
                          ).status_code == 200
    for n in range(12):
        waiting("grant_application" if n % 2 else "annual_update", days=n - 4)
    _db.session.commit()
    with count_queries() as many:
        page = client.get("/handlaggning", query_string={"sortera": "frist", "frist": "finns"})
    assert page.status_code == 200 and "13 ärenden" in page.get_data(as_text=True)
    assert many.count == few.count, (few.statements, many.statements)

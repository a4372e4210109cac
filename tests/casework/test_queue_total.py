"""The queue's total is summed from its counts per type and state (one count over the cases
per page instead of two); it must agree with counting the list itself for every filter."""
from __future__ import annotations

import pytest

from lokapp.casework import queries
from lokapp.casework.queries import Filters
from lokapp.extensions import db as _db
from tests.casework.test_queue import make_case  # noqa: F401

TYPES = ("registration", "annual_update", "grant_application")


@pytest.fixture
def cases(make_case, make_user):  # noqa: F811
    me = make_user("officer", areas=("register", "grants"))
    make_case("registration", subject="Fotbollsklubbens registrering", assigned=me)
    make_case("registration", state="approved", subject="Godkänd")
    make_case("registration", state="rejected", subject="Avslagen fotboll")
    make_case("annual_update", state="needs_completion", subject="Komplettera", assigned=me)
    make_case("grant_application", subject="Ansökan om fotbollsläger")
    make_case("grant_application", state="decided", subject="Beslutad ansökan")
    make_case("grant_application", state="in_review", subject="Ansökan i handläggning",
              assigned=me)
    make_case("registration", draft=True, subject="Utkast fotboll")
    return me


@pytest.mark.parametrize("filters", [
    Filters(),
    Filters(state=queries.STATE_ALL),
    Filters(state="approved"),
    Filters(state="in_review"),
    Filters(case_type="grant_application"),
    Filters(case_type="grant_application", state=queries.STATE_ALL),
    Filters(case_type="registration", state="rejected"),
    Filters(assigned=queries.ASSIGNED_ME),
    Filters(assigned=queries.ASSIGNED_NONE, state=queries.STATE_ALL),
    Filters(text="fotboll", state=queries.STATE_ALL),
    Filters(text="fotboll"),
], ids=repr)
def test_total_from_counts_agrees_with_counting_the_list(cases, filters):
    counts = _db.session.execute(queries.counts(filters, TYPES, cases.id)).all()
    expected = _db.session.scalar(queries.total(filters, TYPES, cases.id))
    assert expected > 0  # every filter here lists something
    assert queries.total_from_counts(filters, counts) == expected


def test_with_a_programme_the_list_is_counted(cases):
    assert queries.total_from_counts(Filters(programme_id=1), []) is None


def test_the_page_shows_the_summed_total(client, login_as, make_case):  # noqa: F811
    login_as("officer", areas=("register",))
    for _ in range(3):
        make_case("registration")
    make_case("registration", state="approved")
    _db.session.commit()
    assert "3 ärenden" in client.get("/handlaggning").get_data(as_text=True)
    assert "4 ärenden" in client.get("/handlaggning?status=alla").get_data(as_text=True)
    assert "1 ärende" in client.get("/handlaggning?status=approved").get_data(as_text=True)

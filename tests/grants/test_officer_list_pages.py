"""The grant officers' list (/bidrag/handlaggning) is shown a page at a time: at 50,000
applications the whole list took seconds (benchmarks/casework.py)."""
from __future__ import annotations

from html import unescape

import pytest

from lokapp.extensions import db
from lokapp.grants import views
from tests.grants.test_decisions import _project, officer, status, submitted  # noqa: F401


@pytest.fixture
def three(programmes, make_user, make_association, status, monkeypatch):  # noqa: F811
    monkeypatch.setattr(views, "OFFICER_PAGE_SIZE", 2)
    applications = [submitted(_project(programmes), make_user, make_association)
                    for _ in range(3)]
    db.session.commit()
    return applications


def _text(response) -> str:
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_the_officer_list_pages_oldest_first(client, login_as, make_user, three):
    login_as(user=officer(make_user))
    numbers = [a.case.number for a in three]  # submitted in this order
    first = _text(client.get("/bidrag/handlaggning"))
    assert "3 ärenden – sida 1 av 2" in first
    assert numbers[0] in first and numbers[1] in first and numbers[2] not in first
    assert "/bidrag/handlaggning?sida=2" in first
    second = _text(client.get("/bidrag/handlaggning?sida=2"))
    assert numbers[2] in second and numbers[0] not in second
    assert "Föregående sida" in second and "Nästa sida" not in second
    # A page beyond the last shows the last; nonsense shows the first.
    assert numbers[2] in _text(client.get("/bidrag/handlaggning?sida=99"))
    assert numbers[0] in _text(client.get("/bidrag/handlaggning?sida=x"))


def test_the_officer_list_costs_the_same_queries_for_one_page_or_two(
        client, login_as, make_user, programmes, make_association, status,  # noqa: F811
        monkeypatch, count_queries):
    monkeypatch.setattr(views, "OFFICER_PAGE_SIZE", 2)
    login_as(user=officer(make_user))
    submitted(_project(programmes), make_user, make_association)
    db.session.commit()
    with count_queries() as few:
        _text(client.get("/bidrag/handlaggning"))
    for _ in range(4):
        submitted(_project(programmes), make_user, make_association)
    db.session.commit()
    with count_queries() as more:
        page = _text(client.get("/bidrag/handlaggning"))
    assert "5 ärenden – sida 1 av 3" in page
    assert more.count == few.count, more

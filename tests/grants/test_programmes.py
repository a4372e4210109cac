"""Programmes: the public page, administration, questions and the yearly budget."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lokapp.core.time import today_local
from lokapp.extensions import db
from lokapp.grants.models import GrantBudget, GrantProgramme, QuestionKind, WindowKind
from lokapp.grants.seed import seed_programmes


def test_seed_creates_the_six_vasteras_programmes_once(programmes):
    assert set(programmes) == {"grundbidrag", "aktivitetsstod", "projektbidrag",
                               "arrangemangsbidrag", "lokalbidrag", "extern-projektansokan"}
    assert seed_programmes(2026) == []
    help_request = programmes["extern-projektansokan"]
    assert not help_request.is_monetary and help_request.max_amount_sek is None
    assert programmes["projektbidrag"].has_budget_table
    assert programmes["projektbidrag"].follow_up_days == 365
    assert [q.kind for q in programmes["aktivitetsstod"].questions][-1] == QuestionKind.FILE


def test_public_page_lists_open_programmes_with_rules_and_handling_time(client, programmes):
    response = client.get("/bidrag")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Aktivitetsstöd" in page and "Löpande under året" in page
    assert "Normal handläggningstid" in page and "30 dagar" in page
    detail = client.get("/bidrag/projektbidrag").get_data(as_text=True)
    assert "ska stå för en egen insats" in detail and "Projektplan" in detail


def test_inactive_programme_is_not_public(client, programmes):
    programmes["lokalbidrag"].is_active = False
    db.session.commit()
    assert client.get("/bidrag/lokalbidrag").status_code == 404
    assert "Lokalbidrag" not in client.get("/bidrag").get_data(as_text=True)


def test_is_open_on_window():
    programme = GrantProgramme(window_kind=WindowKind.DATES, opens_on=date(2026, 2, 1),
                               closes_on=date(2026, 3, 31), is_active=True)
    assert not programme.is_open_on(date(2026, 1, 31))
    assert programme.is_open_on(date(2026, 2, 1)) and programme.is_open_on(date(2026, 3, 31))
    assert not programme.is_open_on(date(2026, 4, 1))


@pytest.mark.parametrize("role, status", [("resident", 403), ("officer", 403),
                                          ("coordinator", 403), ("admin", 200)])
def test_only_administrators_manage_programmes(client, login_as, role, status):
    login_as(role)
    assert client.get("/bidrag/admin").status_code == status
    assert client.get("/bidrag/admin/ny").status_code == status


def test_anonymous_is_sent_to_login(client):
    response = client.get("/bidrag/admin")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"] \
        or "login" in response.headers["Location"]


def _form(**overrides):
    data = {"key": "idrottsskola", "name_sv": "Idrottsskola", "name_en": "Sports school",
            "description_sv": "Stöd till idrottsskolor.", "description_en": "",
            "rules_sv": "Minst tio deltagare.", "eligibility": "eligible",
            "window_kind": "dates", "opens_on": "2026-02-01", "closes_on": "2026-03-31",
            "is_monetary": "y", "max_amount": "25 000", "required_attachments":
            "Verksamhetsplan\n\nBudget\n", "delegation_limit": "10 000",
            "appeal_route": "forvaltningsbesvar", "follow_up_required": "y",
            "follow_up_days": "90", "handling_days": "21", "is_active": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_administrator_creates_a_programme(app, client, login_as):
    login_as("admin")
    response = client.post("/bidrag/admin/ny", data=_form())
    assert response.status_code == 302
    db.session.expire_all()
    programme = db.session.scalar(select(GrantProgramme).where(
        GrantProgramme.key == "idrottsskola"))
    assert programme.max_amount_sek == 25000 and programme.delegation_limit_sek == 10000
    assert programme.required_attachments == ["Verksamhetsplan", "Budget"]
    assert programme.appeal_route.value == "forvaltningsbesvar"
    assert programme.follow_up_days == 90

    pid = programme.id
    response = client.post(f"/bidrag/admin/{pid}/fragor", data={
        "kind": "choice", "label_sv": "Vilken säsong?", "choices": "Vår\nHöst",
        "is_required": "y"})
    assert response.status_code == 302
    response = client.post(f"/bidrag/admin/{pid}/budget", data={"year": "2026",
                                                              "amount": "300 000"})
    assert response.status_code == 302
    db.session.expire_all()
    programme = db.session.get(GrantProgramme, pid)
    assert [q.choices for q in programme.questions] == [["Vår", "Höst"]]
    assert [(b.year, b.amount_sek) for b in programme.budgets] == [(2026, 300000)]

    question_id = programme.questions[0].id
    client.post(f"/bidrag/admin/{pid}/fragor/{question_id}/ta-bort")
    db.session.expire_all()
    assert db.session.get(GrantProgramme, pid).questions == []


@pytest.mark.parametrize("overrides, message", [
    ({"closes_on": "2026-01-01"}, "Sista ansökningsdag kan inte vara före den första"),
    ({"opens_on": None}, "Fyll i första och sista ansökningsdag"),
    ({"max_amount": "25 000,50"}, "utan öre"),
    ({"delegation_limit": "-5"}, "negativt"),
    ({"key": "Idrotts Skola"}, "små bokstäver"),
    ({"key": "admin"}, "reserverat"),
    ({"follow_up_days": ""}, "inom hur många dagar"),
])
def test_bad_programme_input_gets_clear_messages(app, client, login_as, overrides, message):
    login_as("admin")
    response = client.post("/bidrag/admin/ny", data=_form(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_budget_cannot_go_below_what_is_granted(app, client, login_as, programmes):
    programme = programmes["projektbidrag"]
    budget = db.session.scalar(select(GrantBudget).where(
        GrantBudget.programme_id == programme.id, GrantBudget.year == 2026))
    budget.committed_sek = 400_000
    db.session.commit()
    login_as("admin")
    response = client.post(f"/bidrag/admin/{programme.id}/budget",
                           data={"year": "2026", "amount": "300 000"})
    assert response.status_code == 400
    assert "lägre än det som redan är beviljat" in response.get_data(as_text=True)
    assert today_local().year >= 2026

"""Completion requests with a deadline: the default (today + 14 days), clear Swedish errors,
the stored request, what the applicant sees, the e-mail, and the answer on resubmit. Also
the snapshots of the completion e-mails (the request, the reminder, the overdue notice)."""
from __future__ import annotations

from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from lokapp.core.completions import CompletionRequest, open_request
from lokapp.core.mail import OutboxMessage
from lokapp.core.time import today_local
from lokapp.extensions import db
from lokapp.grants import services
from tests.grants.test_decisions import _project, officer, status, submitted  # noqa: F401
from tests.snapshots import assert_matches_snapshot

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture
def case(programmes, make_user, make_association, status):  # noqa: F811
    application = submitted(_project(programmes), make_user, make_association)
    db.session.commit()
    return application


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_the_form_suggests_today_plus_14_days(client, login_as, make_user, case):
    handler = login_as(user=officer(make_user))
    services.assign_to_me(case, handler)
    db.session.commit()
    suggested = f'value="{(today_local() + timedelta(days=14)).isoformat()}"'
    assert suggested in _text(client.get(f"/bidrag/handlaggning/{case.id}"))
    # Also when the page comes back after another form's refused POST (a decision).
    response = client.post(f"/bidrag/handlaggning/{case.id}/beslut",
                           data={"outcome": "rejected", "reasons": ""})
    assert response.status_code == 400 and suggested in _text(response)


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Fyll i sista dag"),
    ("15 december", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ("2026-02-30", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ("today", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ("@0", "Sista dag måste vara efter i dag"),
    ("@-3", "Sista dag måste vara efter i dag"),
    ("@91", "högst 90 dagar fram"),
])
def test_bad_deadlines_get_clear_messages_and_keep_the_input(client, login_as, make_user, case,
                                                             typed, message):
    handler = login_as(user=officer(make_user))
    services.assign_to_me(case, handler)
    db.session.commit()
    if typed.startswith("@"):
        typed = (today_local() + timedelta(days=int(typed[1:]))).isoformat()
    response = client.post(f"/bidrag/handlaggning/{case.id}/komplettering", data={
        "message": "Bifoga projektplanen.", "deadline": typed})
    page = _text(response)
    assert response.status_code == 400 and message in page
    assert "Bifoga projektplanen." in page
    if typed:
        assert f'value="{typed}"' in page
    assert db.session.scalar(select(CompletionRequest)) is None


def test_the_request_is_stored_shown_mailed_and_answered(client, login_as, make_user, case):
    handler = login_as(user=officer(make_user))
    services.assign_to_me(case, handler)
    db.session.commit()
    deadline = today_local() + timedelta(days=90)  # the last day allowed
    response = client.post(f"/bidrag/handlaggning/{case.id}/komplettering", data={
        "message": "Bifoga projektplanen.", "deadline": deadline.isoformat()})
    assert response.status_code == 302
    db.session.expire_all()
    request = open_request(case.case)
    assert request.deadline == deadline and request.message == "Bifoga projektplanen."
    assert request.requested_by_id == handler.id
    [mail] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.subject.like("Komplettera ansökan%"))).all()
    assert deadline.isoformat() in mail.subject
    assert f"Sista dag att komplettera: {deadline.isoformat()}" in mail.body_text
    officer_page = _text(client.get(f"/bidrag/handlaggning/{case.id}"))
    assert f"Sista dag att komplettera</dt><dd>{deadline.isoformat()}" in officer_page
    login_as(user=case.case.applicant)
    page = _text(client.get(f"/bidrag/ansokningar/{case.id}"))
    assert "Handläggaren har begärt en komplettering" in page
    assert f"Sista dag att komplettera: {deadline.isoformat()}" in page
    # The title is the case number and programme only (no markup in <title>).
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and case.case.number in title
    services.submit_application(db.session.get(type(case), case.id), case.case.applicant)
    db.session.commit()
    assert open_request(case.case) is None
    assert db.session.scalar(select(CompletionRequest.answered_at)) is not None
    page = _text(client.get(f"/bidrag/ansokningar/{case.id}"))
    assert "Handläggaren har begärt en komplettering" not in page


def test_the_service_refuses_a_deadline_outside_the_window(case, make_user):
    handler = officer(make_user)
    services.assign_to_me(case, handler)
    for days in (0, 91):
        with pytest.raises(services.GrantError):
            services.request_completion(case, handler, message="Mer.",
                                        deadline=today_local() + timedelta(days=days))
    assert case.case.state == "in_review"


# --- mail snapshots -------------------------------------------------------------------------------

BASE = {"name": "Anna <b>", "number": "LOK 2026/00042", "link": "http://localhost/x"}
MAILS = {
    "grant_completion": {**BASE, "programme": "Projektbidrag (LÖK-projekt)",
                         "message": "Bifoga projektplanen.\nOch budgeten.",
                         "deadline": "2026-12-10"},
    "completion_reminder": {**BASE, "case_subject": "Projektbidrag – Förening & Co",
                            "message": "Bifoga projektplanen.", "deadline": "2026-12-10",
                            "days_left": 3},
    "completion_overdue": {**BASE, "case_subject": "Projektbidrag – Förening & Co",
                           "type": "Bidragsansökan", "deadline": "2026-12-10"},
}


@pytest.mark.parametrize("template", MAILS)
@pytest.mark.parametrize("part", ["txt", "html"])
def test_completion_mail_matches_its_snapshot(app, db, template, part):
    with force_locale("sv"):
        rendered = render_template(f"mail/{template}.{part}", subject="Ämne",
                                   **MAILS[template])
    path = SNAPSHOTS / f"{template}.{part}"
    assert_matches_snapshot(rendered, path)
    assert "&lt;b&gt;" in rendered if part == "html" else "Anna <b>" in rendered


@pytest.mark.parametrize("days_left, expected", [
    (0, "I dag är sista dagen"), (1, "Det är 1 dag kvar"), (3, "Det är 3 dagar kvar")])
def test_the_reminder_counts_the_days(app, db, days_left, expected):
    with force_locale("sv"):
        text = render_template("mail/completion_reminder.txt",
                               **{**MAILS["completion_reminder"], "days_left": days_left})
    assert expected in text

"""Återkrav and the payout export at the same moment: while the recovery letter is being made
(it takes a while: a PDF), an officer exports the payouts. The grant's pending line must not
be exported – the recovery locks it before it changes the case, so the export waits and then
sees the recovery (on SQLite the write transactions are serialised anyway)."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from lokapp.associations.status import StatusState
from lokapp.core.time import today_local, utcnow
from lokapp.extensions import db
from lokapp.grants import follow_up, payouts, services
from lokapp.grants.models import GrantPayout, GrantProgramme, Outcome, PayoutState
from tests.concurrency import run_at_once
from tests.factories import new_association, new_user
from tests.grants.test_applications import FakeStatus
from tests.grants.test_decisions import _project, officer, submitted
from tests.grants.test_payouts import Blocked


@pytest.mark.slow
def test_an_export_during_a_recovery_leaves_the_line_out(app, committing_db, monkeypatch):
    from lokapp.auth.models import User
    from lokapp.grants.models import GrantApplication
    from lokapp.grants.seed import seed_programmes
    from lokapp.letters import services as letters

    monkeypatch.setattr(services, "compute_status",
                        lambda association, on=None: FakeStatus(StatusState.ELIGIBLE))
    monkeypatch.setattr(payouts, "compute_statuses", lambda associations, on=None: {
        a.id: Blocked(StatusState.ELIGIBLE) for a in associations})
    # The recovery letter takes its time; the export comes meanwhile.
    monkeypatch.setattr(letters, "issue_letter", lambda *args, **kwargs: time.sleep(1.5))

    with app.test_request_context():
        seed_programmes(today_local().year)
        programme = _project({p.key: p for p in db.session.scalars(select(GrantProgramme))})
        application = submitted(programme, new_user, lambda: new_association(
            bankgiro="56781234", bank_details_verified_at=utcnow()))
        handler = officer(new_user)
        services.assign_to_me(application, handler)
        services.decide(application, handler, outcome=Outcome.APPROVED, amount_sek=None,
                        reasons="")
        db.session.commit()
        assert application.case.state == "follow_up_due"
        ids = {"application": application.id, "handler": handler.id,
               "exporter": officer(new_user).id}
        db.session.commit()
    db.session.remove()

    def attempt(index: int, start):
        with app.test_request_context():
            start()
            try:
                if index == 0:
                    application = db.session.get(GrantApplication, ids["application"])
                    follow_up.open_recovery(
                        follow_up.follow_up_of(application),
                        db.session.get(User, ids["handler"]), amount_sek=1000,
                        reasons="Projektet genomfördes inte.")
                    db.session.commit()
                    return "recovered"
                time.sleep(0.5)  # the recovery has changed the case, its letter is on the way
                actor = db.session.get(User, ids["exporter"])
                lines = db.session.scalars(payouts.payouts_query(for_update=True)).unique().all()
                chosen = payouts.export(lines, actor)
                db.session.commit()
                return [p.reference for p in chosen]
            finally:
                db.session.remove()

    results = run_at_once(2, attempt, timeout=60)
    assert results[0] == "recovered", results
    assert results[1] == [], results
    states = db.session.scalars(select(GrantPayout.state)).all()
    assert states == [PayoutState.PENDING]

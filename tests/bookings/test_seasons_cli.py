"""``flask lok season-publish`` publishes a round batch after batch; the demo opens a round."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from lokapp.bookings import seasons
from lokapp.bookings.season_cli import DEMO_ROUND, demo_season_round
from lokapp.bookings.season_models import RoundState, SeasonRound
from lokapp.letters.models import Letter
from tests.bookings.season_helpers import apply, close_window, make_round, manager, wish


def test_season_publish_runs_batches_until_published(app, db, make_premises, make_user,
                                                     make_association):
    with app.test_request_context():
        hall = make_premises()
        season_round = make_round([hall])
        officer = make_user("officer", areas=("bookings",))
        for n in range(3):
            user, association = manager(make_user, make_association)
            apply(season_round, association, user, wish(n, 18, 20, hall, youth=2))
        seasons.auto_allocate(season_round, officer)
        close_window(season_round, closes=date(2026, 1, 31), starts=date(2027, 2, 1),
                     ends=date(2027, 3, 31))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["lok", "season-publish", str(season_round.id), "--officer",
                                  make_user("resident").email])
    assert refused.exit_code != 0 and "inte handläggare" in refused.output
    result = runner.invoke(args=["lok", "season-publish", str(season_round.id), "--officer",
                                 officer.email, "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "2 beslut, 2 bokningsserier, 1 kvar" in result.output
    assert "1 beslut, 1 bokningsserier, 0 kvar" in result.output
    db.session.expire_all()
    assert db.session.get(SeasonRound, season_round.id).state == RoundState.PUBLISHED
    assert db.session.scalar(select(func.count(Letter.id))) == 3
    again = runner.invoke(args=["lok", "season-publish", str(season_round.id), "--officer",
                                officer.email])
    assert again.exit_code != 0 and "redan publicerat" in again.output


@pytest.fixture
def _fast_hash(monkeypatch):
    from lokapp.auth.demo import DEMO_PASSWORD
    from lokapp.auth.passwords import hash_password

    hashed = hash_password(DEMO_PASSWORD)
    for module in ("lokapp.auth.demo", "lokapp.associations.demo"):
        monkeypatch.setattr(f"{module}.hash_password", lambda _password: hashed)


def test_demo_opens_a_round_with_an_application_once(app, db, _fast_hash):
    from lokapp.associations import demo as association_demo
    from lokapp.auth.demo import load_demo_users
    from lokapp.bookings import demo

    with app.test_request_context():
        load_demo_users()
        association_demo.load_demo_associations()
        demo.load_demo_premises()
        lines = demo_season_round()
        assert lines[0].startswith(f"säsongsbokning: omgången {DEMO_ROUND} öppen")
        assert "har ansökt" in lines[-1], lines
        assert demo_season_round() == []
    season_round = db.session.scalar(select(SeasonRound).where(SeasonRound.name == DEMO_ROUND))
    [application] = season_round.applications
    assert application.case.number and len(application.wishes) == 1

"""Fixtures of the grants tests."""
from __future__ import annotations

import pytest

from lokapp.extensions import db as _db
from lokapp.grants.seed import seed_programmes


@pytest.fixture(autouse=True)
def _request_context(app):
    """Lazy Swedish messages need an app context to render."""
    with app.test_request_context():
        yield


@pytest.fixture
def programmes(db):
    """The seeded Västerås programmes, by key (budgets for 2026 and the current year)."""
    from lokapp.grants.models import GrantProgramme

    seed_programmes(2026)
    return {p.key: p for p in _db.session.scalars(_db.select(GrantProgramme))}


@pytest.fixture
def upload_dir(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config.pop("UPLOAD_DIR", None)


@pytest.fixture
def status(monkeypatch):
    """The register's answer: eligible unless a test says otherwise (``status["status"] = …``)."""
    from lokapp.associations.status import StatusState
    from lokapp.grants import services
    from tests.grants.test_applications import FakeStatus

    holder = {"status": FakeStatus(StatusState.ELIGIBLE)}
    monkeypatch.setattr(services, "compute_status", lambda association, on=None: holder["status"])
    return holder


@pytest.fixture
def project(programmes):
    """The seeded projektbidrag, open all year (its required Projektplan kept)."""
    from lokapp.grants.models import WindowKind

    programme = programmes["projektbidrag"]
    programme.window_kind, programme.opens_on, programme.closes_on = WindowKind.ROLLING, None, None
    _db.session.flush()
    return programme


@pytest.fixture
def applicant(make_user, make_association):
    """``(user, association)``: an administrator of the association Bollklubben."""
    from tests.grants.test_applications import member

    association = make_association(name="Bollklubben")
    return member(make_user, association), association

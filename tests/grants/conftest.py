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

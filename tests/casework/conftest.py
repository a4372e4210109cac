"""Fixtures of the casework tests: a submitted grant application (the grants tests' helpers),
its officer, and CSRF off for the page tests."""
from __future__ import annotations

import pytest

from lokapp.extensions import db as _db
from tests.grants.conftest import programmes  # noqa: F401 - a fixture
from tests.grants.test_decisions import _project, officer, status, submitted  # noqa: F401


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context():
        yield


@pytest.fixture
def no_csrf(app):
    before = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = before


@pytest.fixture
def grant(programmes, make_user, make_association, status):  # noqa: F811
    """A submitted grant application (40 000 kr) of a fresh association, committed."""
    application = submitted(_project(programmes), make_user, make_association)
    _db.session.commit()
    return application


@pytest.fixture
def grant_officer(make_user):
    return officer(make_user)

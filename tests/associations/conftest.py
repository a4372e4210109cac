"""Fixtures of the association register tests."""
import sys
import types

import pytest


@pytest.fixture(autouse=True)
def _request_context(app):
    """Lazy Swedish messages need an app context to render."""
    with app.test_request_context():
        yield


@pytest.fixture
def upload_dir(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config.pop("UPLOAD_DIR", None)


@pytest.fixture
def signed(monkeypatch):
    """``signed.add(association_id)``: these associations have signed the current LÖK.

    Replaces the agreement module's answer (``lokapp.agreement.queries``) – or provides one if
    the module is not there – so the status tests do not depend on the agreement tables.
    """
    ids: set[int] = set()

    def signed_current(association_ids, on):
        return {i for i in association_ids if i in ids}

    monkeypatch.setattr("lokapp.associations.status.signed_current", signed_current)
    return ids


@pytest.fixture
def fake_agreement(monkeypatch):
    """A stand-in ``lokapp.agreement.queries`` offering only ``has_signed_current``."""
    ids: set[int] = set()
    module = types.ModuleType("lokapp.agreement.queries")
    module.has_signed_current = lambda association_id, today=None: association_id in ids
    monkeypatch.setitem(sys.modules, "lokapp.agreement.queries", module)
    import lokapp.agreement as package

    monkeypatch.setattr(package, "queries", module, raising=False)
    return ids

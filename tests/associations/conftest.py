import pytest


@pytest.fixture(autouse=True)
def _request_context(app):
    """Lazy Swedish messages need an app context to render."""
    with app.test_request_context():
        yield

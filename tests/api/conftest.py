import pytest

from tests.directory.helpers import listed, sign_lok, with_private_data  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _request_context(app):
    """Lazy Swedish messages and url_for need a request context."""
    with app.test_request_context():
        yield

"""The browser fixtures of ``tests/browser`` (live server, Chromium, axe-core on every page),
for the letter pages' browser tests."""
from tests.browser.conftest import (  # noqa: F401 - fixtures, used by name
    _axe_every_page,
    _browser_database_url,
    axe_checker,
    base_url,
    browser,
    live_server,
    new_page,
    page,
)

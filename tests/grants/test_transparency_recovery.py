"""The public list of granted associations shows a recovery (återkrav) beside the grant."""
from __future__ import annotations

from html import unescape

from lokapp.extensions import db
from lokapp.grants import follow_up
from tests.grants.test_decisions import status  # noqa: F401 - fixture
from tests.grants.test_follow_up import granted, handler  # noqa: F401 - fixtures


def test_the_public_list_shows_the_recovered_amount(client, granted, handler):  # noqa: F811
    url = f"/bidrag/{granted.programme.key}/beviljade/{granted.year}"
    page = unescape(client.get(url).get_data(as_text=True))
    assert granted.association.name in page and "Återkrävt" not in page
    follow_up.open_recovery(granted.follow_up, handler, amount_sek=15000,
                            reasons="Lägret genomfördes inte som det beskrevs i ansökan.")
    db.session.commit()
    page = unescape(client.get(url).get_data(as_text=True))
    assert "Återkrävt totalt" in page and "15\u00a0000" in page.replace(" ", "\u00a0")
    assert "40\u00a0000" in page.replace(" ", "\u00a0")  # the grant stays as decided

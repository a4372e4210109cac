"""Ids read straight from a query string or form (filter links, the payout export)."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from lokapp.core.urls import id_arg


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "99999999999999999999", "2147483648", ""])
def test_an_id_from_the_query_string_that_no_column_can_hold_is_ignored(raw):
    """A huge ``?bidrag=`` overflowed the database driver (a 500 on the payouts page, the case
    queue's ``bidragsform`` and the payout export); out-of-range ids now mean no filter."""
    assert id_arg(MultiDict({"bidrag": raw}), "bidrag") is None
    assert id_arg(MultiDict({"bidrag": "2147483647"}), "bidrag") == 2147483647
    assert id_arg(MultiDict(), "bidrag") is None


def test_a_huge_programme_filter_shows_the_unfiltered_lists(client, login_as):
    login_as("officer", areas=("register", "grants", "bookings"))
    for url in ("/bidrag/handlaggning/utbetalningar?bidrag=99999999999999999999",
                "/handlaggning?bidragsform=99999999999999999999"):
        assert client.get(url).status_code == 200, url
    response = client.post("/bidrag/handlaggning/utbetalningar/export",
                           data={"bidrag": "99999999999999999999"})
    assert response.status_code in {200, 302}

"""The search for a free room comes in pages of 25 (links without JavaScript), at the same
number of queries whatever the number of premises."""
from __future__ import annotations

import re
from html import unescape

from lokapp.bookings.availability import PER_PAGE
from lokapp.bookings.models import Premises
from lokapp.extensions import db
from tests.bookings.helpers import next_weekday


def _names(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/lokaler/\d+[^"]*">([^<]+)</a></h3>', html)


def _premises(make_premises, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        make_premises(name=f"Lokal {n:03d}", is_closed_on_holidays=False)
    db.session.commit()


def test_pages_of_25_with_links_that_keep_the_search(client, make_premises):
    _premises(make_premises, 60)
    first = unescape(client.get("/lokaler").get_data(as_text=True))
    assert _names(first) == [f"Lokal {n:03d}" for n in range(PER_PAGE)]
    assert "60 lokaler." in first and "Visar 1–25, sida 1 av 3." in first
    assert 'aria-label="Sidor"' in first and "Föregående sida" not in first
    assert 'href="/lokaler?sida=2">Nästa sida' in first
    last = unescape(client.get("/lokaler?sida=3").get_data(as_text=True))
    assert _names(last) == [f"Lokal {n:03d}" for n in range(50, 60)]
    assert "Nästa sida" not in last and 'href="/lokaler?sida=2">Föregående sida' in last
    # Out of range: the last page; nonsense: the first.
    assert _names(unescape(client.get("/lokaler?sida=99").get_data(as_text=True))) == \
        _names(last)
    assert _names(unescape(client.get("/lokaler?sida=x").get_data(as_text=True)))[0] == \
        "Lokal 000"
    # A search at a time: counted over all free premises, paged, the filters kept.
    day = next_weekday(2).isoformat()
    timed = unescape(client.get(f"/lokaler?datum={day}&fran=10:00&till=12:00&antal=5&sida=2")
                     .get_data(as_text=True))
    assert f"60 lokaler är lediga {day} 10:00–12:00." in timed
    assert _names(timed) == [f"Lokal {n:03d}" for n in range(25, 50)]
    following = timed.split(">Nästa sida")[0].rsplit('href="', 1)[1]
    assert f"datum={day}" in following and "antal=5" in following and "sida=3" in following


def test_query_count_does_not_grow_with_the_number_of_premises(client, make_premises,
                                                              count_queries):
    day = next_weekday(2).isoformat()
    counts: dict[str, list[int]] = {}
    for start, added in ((0, 30), (30, 60)):
        _premises(make_premises, added, start=start)
        for name, url in (("all", "/lokaler?sida=2"),
                          ("timed", f"/lokaler?datum={day}&fran=10:00&till=12:00&sida=2")):
            with count_queries() as q:
                response = client.get(url)
            assert response.status_code == 200
            assert len(_names(response.get_data(as_text=True))) == (5 if added == 30 else 25)
            counts.setdefault(name, []).append(q.count)
    assert counts["all"][0] == counts["all"][1], counts
    assert counts["timed"][0] == counts["timed"][1], counts


def test_a_timed_search_reads_only_that_day_and_leaves_the_premises_whole(app, make_premises):
    from datetime import timedelta

    from lokapp.bookings.availability import Criteria, search
    from lokapp.bookings.models import Blackout

    day = next_weekday(2)
    open_ = make_premises(name="Öppen")
    make_premises(name="Stängd onsdagar", hours={d: (480, 1320) for d in range(7) if d != 2})
    closed = make_premises(name="Avstängd")
    closed.blackouts.append(Blackout(starts_on=day - timedelta(days=1), ends_on=day,
                                     reason="Renovering"))
    db.session.flush()
    db.session.expire_all()  # as in a request: nothing of the premises loaded yet
    with app.test_request_context():
        found = search(Criteria(day=day, start_minute=600, end_minute=720))
    assert [p.name for p in found] == ["Öppen"]
    assert len(open_.opening_hours) == 7 and len(closed.blackouts) == 1


def test_a_date_outside_the_calendar_is_a_message_not_an_error(client, make_premises):
    """9999-12-31 at 23–24 used to overflow (the day after does not exist): a 500."""
    _premises(make_premises, 1)
    response = client.get("/lokaler?datum=9999-12-31&fran=23:00&till=24:00")
    assert response.status_code == 200
    assert "Skriv ett datum mellan 2000-01-01 och 2099-12-31." in unescape(
        response.get_data(as_text=True))


def test_a_week_outside_the_calendar_shows_this_week(client, make_premises):
    """?vecka=9999-W52 used to overflow building the week after (a 500)."""
    from datetime import timedelta

    from lokapp.bookings.availability import week_key
    from lokapp.core.time import today_local

    make_premises(name="Lokal A")
    db.session.commit()
    premises_id = db.session.scalar(db.select(Premises.id))
    for week in ("9999-W52", "0001-W01"):
        response = client.get(f"/lokaler/{premises_id}?vecka={week}")
        assert response.status_code == 200
        next_week = week_key(today_local() + timedelta(weeks=1))
        assert f"vecka={next_week}" in response.get_data(as_text=True)

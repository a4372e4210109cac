"""Staff reports: the monthly invoicing basis (CSV and Excel) and utilisation."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from lokapp.bookings.models import (
    BookerType,
    BookingOccurrence,
    BookingSeries,
    OccurrenceState,
    Recurrence,
)
from lokapp.bookings.rules import interval
from lokapp.core.time import utcnow
from lokapp.extensions import db
from tests.bookings.helpers import accepted, add_member

MONTH = "2026-03"


def add_series(premises, user, occurrences, *, association=None,
               booker_type=BookerType.RESIDENT, activity="Styrelsemöte") -> BookingSeries:
    """A series with ``occurrences`` = [(date, start_minute, end_minute, state, price_ore)],
    inserted as they are (no rules): reports read what is stored."""
    now = utcnow()
    days = [o[0] for o in occurrences]
    series = BookingSeries(
        premises=premises, booked_by=user, association=association, booker_type=booker_type,
        activity=activity, attendees=10,
        recurrence=Recurrence.WEEKLY if len(days) > 1 else Recurrence.SINGLE,
        first_date=min(days), last_date=max(days), start_minute=occurrences[0][1],
        end_minute=occurrences[0][2], terms_accepted_at=now,
        terms_checksum=accepted(premises), created_at=now, updated_at=now)
    for day, start, end, state, price_ore in occurrences:
        starts_at, ends_at = interval(day, start, end)
        series.occurrences.append(BookingOccurrence(
            premises_id=premises.id, starts_at=starts_at, ends_at=ends_at, state=state,
            price_ore=price_ore, peak_minutes=60, created_at=now, updated_at=now))
    db.session.add(series)
    db.session.flush()
    return series


@pytest.fixture
def march(make_premises, make_user, make_association):
    """March 2026 (the clocks go forward on the 29th): an association with a weekly series
    (one cancelled, one rejected, one in April), a resident's booking, and one in February."""
    premises = make_premises(name="Möteslokal Bäckby")
    hall = make_premises(name="=Sal B")  # a name a spreadsheet would run as a formula
    manager = make_user(name="Karin Bokare")
    association = make_association("Bäckby Schackklubb")
    add_member(manager, association, "booking_manager")
    resident = make_user(name="Olle Invånare")
    confirmed, cancelled = OccurrenceState.CONFIRMED, OccurrenceState.CANCELLED
    club = add_series(premises, manager, [
        (date(2026, 3, 3), 18 * 60, 20 * 60, confirmed, 20000),
        (date(2026, 3, 10), 18 * 60, 20 * 60, cancelled, 20000),
        (date(2026, 3, 17), 18 * 60, 20 * 60, OccurrenceState.REJECTED, 20000),
        (date(2026, 3, 31), 18 * 60, 20 * 60, confirmed, 20000),
        (date(2026, 4, 7), 18 * 60, 20 * 60, confirmed, 20000),
    ], association=association, booker_type=BookerType.ASSOCIATION, activity="Schack")
    own = add_series(hall, resident, [(date(2026, 3, 29), 1 * 60, 4 * 60, confirmed, 12550)],
                     activity="@Fest")
    add_series(premises, resident, [(date(2026, 2, 28), 10 * 60, 12 * 60, confirmed, 40000)])
    add_series(premises, resident, [(date(2026, 3, 20), 10 * 60, 12 * 60,
                                     OccurrenceState.REQUESTED, 40000)])
    db.session.commit()
    return {"club": club, "own": own, "association": association}


def _csv(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_invoicing_csv_lists_confirmed_occurrences_of_the_month_per_booker(
        client, login_as, march):
    login_as("officer", areas=("bookings",))
    response = client.get(f"/lokalbokning/fakturaunderlag.csv?manad={MONTH}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "fakturaunderlag-2026-03.csv" in response.headers["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:6] == ["Bokare", "Bokartyp", "Organisationsnummer", "E-post",
                          "Bokningsreferens", "Ärendenummer"]
    assert header[-1] == "Belopp, kr"
    club, own = march["club"].reference, march["own"].reference
    assert [(r[0], r[4], r[8], r[9], r[10], r[11], r[13]) for r in rows] == [
        ("Bäckby Schackklubb", club, "2026-03-03", "18:00", "20:00", "2,00", "200,00"),
        ("Bäckby Schackklubb", club, "2026-03-31", "18:00", "20:00", "2,00", "200,00"),
        # The night the clocks go forward: 01:00–04:00 is two real hours.
        ("Olle Invånare", own, "2026-03-29", "01:00", "04:00", "2,00", "125,50"),
    ]
    assert rows[0][1] == "Förening" and rows[0][2] == march["association"].orgnr
    assert rows[2][1] == "Privatperson" and rows[2][2] == ""
    assert rows[2][6] == "'=Sal B" and rows[2][7] == "'@Fest"  # no formulas


def test_invoicing_xlsx_has_the_rows_and_a_summary_per_booker(client, login_as, march):
    login_as("admin")
    response = client.get(f"/lokalbokning/fakturaunderlag.xlsx?manad={MONTH}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.get_data()))
    rows = list(workbook["Underlag"].iter_rows(values_only=True))
    assert rows[0][4] == "Bokningsreferens"
    assert [(r[0], r[4], r[8].date().isoformat(), r[11], r[13]) for r in rows[1:]] == [
        ("Bäckby Schackklubb", march["club"].reference, "2026-03-03", 2, 200),
        ("Bäckby Schackklubb", march["club"].reference, "2026-03-31", 2, 200),
        ("Olle Invånare", march["own"].reference, "2026-03-29", 2, 125.5),
    ]
    summary = list(workbook["Per bokare"].iter_rows(values_only=True))
    assert summary[1:] == [("Bäckby Schackklubb", "Förening", march["association"].orgnr,
                            march["association"].email, 2, 4, 400),
                           ("Olle Invånare", "Privatperson", None, summary[2][3], 1, 2, 125.5)]


def test_invoicing_page_sums_per_booker_and_links_the_files(client, login_as, march,
                                                            count_queries):
    login_as("officer", areas=("bookings",))
    with count_queries() as queries:
        response = client.get(f"/lokalbokning/fakturaunderlag?manad={MONTH}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Fakturaunderlag 2026-03" in page
    assert "400\u00a0kr" in page and "125,50\u00a0kr" in page and "525,50\u00a0kr" in page
    assert "fakturaunderlag.xlsx?manad=2026-03" in page
    assert "manad=2026-02" in page and "manad=2026-04" in page
    assert queries.count <= 12


def test_invoicing_queries_do_not_grow_with_bookings(client, login_as, march, make_premises,
                                                     make_user, count_queries):
    login_as("officer", areas=("bookings",))
    with count_queries() as before:
        client.get(f"/lokalbokning/fakturaunderlag.csv?manad={MONTH}")
    for n in range(5):
        add_series(make_premises(name=f"Lokal {n}"), make_user(), [
            (date(2026, 3, 5 + n), 10 * 60, 12 * 60, OccurrenceState.CONFIRMED, 100)])
    db.session.commit()
    with count_queries() as after:
        response = client.get(f"/lokalbokning/fakturaunderlag.csv?manad={MONTH}")
    assert len(_csv(response)) == 1 + 3 + 5
    assert after.count == before.count


def test_invoicing_of_an_empty_month_and_an_invalid_month(client, login_as, march):
    login_as("admin")
    page = client.get("/lokalbokning/fakturaunderlag?manad=2025-01").get_data(as_text=True)
    assert "Inga bekräftade bokningar under månaden." in page
    assert client.get("/lokalbokning/fakturaunderlag?manad=2026-13").status_code == 200
    assert _csv(client.get("/lokalbokning/fakturaunderlag.csv?manad=2025-01")) == [
        _csv(client.get("/lokalbokning/fakturaunderlag.csv?manad=2026-03"))[0]]


@pytest.mark.parametrize("path", ["/lokalbokning/fakturaunderlag",
                                  "/lokalbokning/fakturaunderlag.csv",
                                  "/lokalbokning/fakturaunderlag.xlsx"])
def test_invoicing_is_for_bookings_staff_only(client, login_as, path):
    response = client.get(path)
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
    login_as("resident")
    assert client.get(path).status_code == 403
    login_as("officer", areas=("grants",))
    assert client.get(path).status_code == 403
    login_as("officer", areas=("bookings",))
    assert client.get(path).status_code == 200
    login_as("admin")
    assert client.get(path).status_code == 200


# --- utilisation ----------------------------------------------------------------------------

def _utilisation_rows(page: str) -> dict[str, list[str]]:
    """{premises name: [booked, bookable, percent, associations]} from the HTML table."""
    import re
    from html import unescape

    rows = {}
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        name = unescape(re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row,
                                                         re.S).group(1))).strip()
        cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip().replace("\xa0", " ")
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[name] = cells
    return rows


def test_utilisation_per_week_counts_open_hours_holidays_and_confirmed_time(
        client, login_as, make_premises, make_user, make_association):
    # Week 14 of 2026: Mon 30 March – Sun 5 April; Good Friday 3 April is a holiday.
    premises = make_premises(name="Lokal A", hours={d: (8 * 60, 18 * 60) for d in range(5)})
    open_on_holidays = make_premises(name="Lokal B", is_closed_on_holidays=False,
                                     hours={d: (8 * 60, 18 * 60) for d in range(5)})
    make_premises(name="Lokal C", hours={})  # never open
    first, second = make_association("Förening Ett"), make_association("Förening Två")
    user = make_user()
    confirmed = OccurrenceState.CONFIRMED
    add_series(premises, user, [(date(2026, 3, 30), 8 * 60, 12 * 60, confirmed, 0),
                                (date(2026, 4, 1), 10 * 60, 12 * 60, confirmed, 0)],
               association=first, booker_type=BookerType.ASSOCIATION)
    add_series(premises, user, [(date(2026, 3, 31), 16 * 60, 20 * 60, confirmed, 0)],
               association=second, booker_type=BookerType.ASSOCIATION)  # 2 h after closing
    add_series(premises, user, [(date(2026, 4, 2), 8 * 60, 18 * 60,
                                 OccurrenceState.CANCELLED, 0)],
               association=second, booker_type=BookerType.ASSOCIATION)
    add_series(premises, user, [(date(2026, 4, 6), 8 * 60, 18 * 60, confirmed, 0)])  # week 15
    add_series(open_on_holidays, user, [(date(2026, 4, 3), 8 * 60, 13 * 60, confirmed, 0)])
    db.session.commit()
    login_as("officer", areas=("bookings",))
    page = client.get("/lokalbokning/belaggning?vecka=2026-W14").get_data(as_text=True)
    assert "Beläggning vecka 2026-W14" in page
    rows = _utilisation_rows(page)
    # A: 4 open days × 10 h = 40 h; booked 4 + 2 + 2 (the part before closing) = 8 h = 20 %.
    assert rows["Lokal A"] == ["8", "40", "20 %", "2"]
    # B stays open on Good Friday: 50 h, 5 h booked by a resident.
    assert rows["Lokal B"] == ["5", "50", "10 %", "0"]
    assert rows["Lokal C"] == ["0", "0 (stängt)", "0 %", "0"]
    assert 'class="bar-fill bar-w-20"' in page
    assert "Föregående vecka" in page and "vecka=2026-W13" in page and "manad=2026-03" in page


def test_utilisation_per_month_excludes_blackouts_and_counts_the_dst_night(
        client, login_as, make_premises, make_user):
    from lokapp.bookings.models import Blackout

    # Open every day 00:00–24:00 except holidays; March 2026 has no Swedish holidays and
    # 29 March lasts 23 hours. A blackout closes 1–10 March.
    premises = make_premises(name="Dygnet runt", hours={d: (0, 1440) for d in range(7)})
    premises.blackouts.append(Blackout(starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 10),
                                       reason="Renovering"))
    user = make_user()
    add_series(premises, user, [(date(2026, 3, 5), 10 * 60, 12 * 60,
                                 OccurrenceState.CONFIRMED, 0),  # in the blackout: not counted
                                (date(2026, 3, 29), 1 * 60, 4 * 60,
                                 OccurrenceState.CONFIRMED, 0)])  # 2 real hours
    db.session.commit()
    login_as("admin")
    page = client.get("/lokalbokning/belaggning?manad=2026-03").get_data(as_text=True)
    assert "Beläggning 2026-03" in page
    # 21 open days × 24 h − 1 h (the clocks go forward) = 503 h.
    assert _utilisation_rows(page)["Dygnet runt"] == ["2", "503", "0 %", "0"]


def test_utilisation_queries_do_not_grow_with_premises_or_bookings(
        client, login_as, make_premises, make_user, count_queries):
    login_as("officer", areas=("bookings",))
    user = make_user()
    make_premises(name="Första")
    db.session.commit()
    with count_queries() as before:
        assert client.get("/lokalbokning/belaggning?manad=2026-03").status_code == 200
    for n in range(6):
        place = make_premises(name=f"Lokal {n}")
        add_series(place, user, [(date(2026, 3, 2 + n), 10 * 60, 12 * 60,
                                  OccurrenceState.CONFIRMED, 0)])
    db.session.commit()
    with count_queries() as after:
        assert client.get("/lokalbokning/belaggning?manad=2026-03").status_code == 200
    assert after.count == before.count


@pytest.mark.parametrize("path", ["/lokalbokning/belaggning",
                                  "/lokalbokning/belaggning?vecka=2026-W14"])
def test_utilisation_is_for_bookings_staff_only(client, login_as, path):
    assert client.get(path).status_code == 302
    login_as("resident")
    assert client.get(path).status_code == 403
    login_as("officer", areas=("register",))
    assert client.get(path).status_code == 403
    login_as("officer", areas=("bookings",))
    assert client.get(path).status_code == 200
    login_as("admin")
    assert client.get(path).status_code == 200


# --- equal treatment ------------------------------------------------------------------------

def test_equal_treatment_csv_has_requested_and_allocated_hours_and_outcomes(
        client, login_as, make_premises, make_user, make_association):
    from lokapp.core.cases import open_case

    premises = make_premises(name="Möteslokal Bäckby")
    user = make_user()
    chess, choir = make_association("Bäckby Schackklubb"), make_association("Råby Kör")
    confirmed = OccurrenceState.CONFIRMED
    # Weekly, Tuesdays 16–20 (17–20 peak): two confirmed, one cancelled.
    direct = add_series(premises, user, [
        (date(2026, 3, 3), 16 * 60, 20 * 60, confirmed, 0),
        (date(2026, 3, 10), 16 * 60, 20 * 60, confirmed, 0),
        (date(2026, 3, 17), 16 * 60, 20 * 60, OccurrenceState.CANCELLED, 0),
    ], association=chess, booker_type=BookerType.ASSOCIATION)
    for occurrence in direct.occurrences:
        occurrence.peak_minutes = 180
    refused = add_series(premises, user, [(date(2026, 5, 5), 10 * 60, 12 * 60,
                                           OccurrenceState.REJECTED, 0)],
                         association=choir, booker_type=BookerType.ASSOCIATION)
    refused.case = open_case("booking", subject="Råby Kör", applicant=user,
                             association_id=choir.id)
    refused.case.state = "rejected"
    add_series(premises, user, [(date(2026, 4, 1), 10 * 60, 12 * 60, confirmed, 0)])  # resident
    add_series(premises, user, [(date(2025, 4, 1), 10 * 60, 12 * 60, confirmed, 0)],
               association=choir, booker_type=BookerType.ASSOCIATION)  # another year
    db.session.commit()
    login_as("officer", areas=("bookings",))
    response = client.get("/lokalbokning/likabehandling.csv?ar=2026")
    assert response.status_code == 200
    assert "likabehandling-lokaler-2026.csv" in response.headers["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[-5:] == ["Begärda timmar", "Tilldelade timmar", "Varav högtrafik, timmar",
                           "Andel högtrafik, procent", "Utfall"]
    assert [(r[0], r[4], r[5], r[9], r[10], r[11], r[12], r[13]) for r in rows] == [
        ("Bäckby Schackklubb", direct.reference, "", "12,00", "8,00", "6,00", "75",
         "Bokad direkt"),
        ("Råby Kör", refused.reference, refused.case.number or "", "2,00", "0,00", "0,00", "",
         "Avslagen"),
    ]
    assert rows[0][2] == chess.category.name_sv
    page = client.get("/lokalbokning/belaggning?manad=2026-03").get_data(as_text=True)
    assert "likabehandling.csv?ar=2026" in page
    login_as("resident")
    assert client.get("/lokalbokning/likabehandling.csv").status_code == 403


def test_invoicing_files_for_one_booker(client, login_as, march):
    login_as("officer", areas=("bookings",))
    page = client.get(f"/lokalbokning/fakturaunderlag?manad={MONTH}").get_data(as_text=True)
    key = f"association-{march['association'].id}-association"
    assert f"bokare={key}" in page
    response = client.get(f"/lokalbokning/fakturaunderlag.csv?manad={MONTH}&bokare={key}")
    assert f"fakturaunderlag-2026-03-{key}.csv" in response.headers["Content-Disposition"]
    assert [r[0] for r in _csv(response)[1:]] == ["Bäckby Schackklubb"] * 2
    workbook = load_workbook(io.BytesIO(client.get(
        f"/lokalbokning/fakturaunderlag.xlsx?manad={MONTH}&bokare={key}").get_data()))
    assert [r[0] for r in workbook["Per bokare"].iter_rows(min_row=2, values_only=True)] == [
        "Bäckby Schackklubb"]
    assert client.get(f"/lokalbokning/fakturaunderlag.csv?manad={MONTH}&bokare=person-0-x"
                      ).status_code == 404

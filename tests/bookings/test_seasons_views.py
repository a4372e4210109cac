"""Seasonal allocation pages: the public rounds and leftover slots, the association's
application without JavaScript, the officer's allocation view, administration; access and
bad input; bounded queries."""
from __future__ import annotations

from datetime import date

import pytest

from lokapp.bookings import seasons
from lokapp.bookings.season_models import SeasonRound
from lokapp.extensions import db
from tests.bookings.season_helpers import apply, close_window, make_round, manager, wish


def _wish_form(place, **overrides):
    data = {"weekday": "1", "start": "18:00", "length": "120", "premises": str(place.id),
            "alt_premises": "", "activity": "Fotbollsträning P12", "antal_2_0": "12",
            "antal_2_1": "8"}
    data.update(overrides)
    return data


def test_public_rounds_show_dates_and_rules(client, make_premises):
    hall = make_premises(name="Bäckby idrottshall")
    season_round = make_round([hall], name="Hösten 2027")
    db.session.commit()
    page = client.get("/sasongsbokning").get_data(as_text=True)
    assert "Hösten 2027" in page and "Barn- och ungdomsverksamhet" in page
    page = client.get(f"/sasongsbokning/{season_round.id}").get_data(as_text=True)
    assert "Barn och unga går först." in page
    assert "Samma tid förra säsongen" in page and "Bäckby idrottshall" in page
    assert "Logga in som bokningsansvarig" in page
    assert client.get("/sasongsbokning/999999").status_code == 404


def test_an_association_applies_and_edits_without_javascript(client, login_as, make_premises,
                                                             make_user, make_association):
    hall = make_premises(name="Bäckby idrottshall")
    gym = make_premises(name="Skiljebo gymnastiksal")
    season_round = make_round([hall, gym])
    user, association = manager(make_user, make_association, "Bäckby IF")
    login_as(user=user)
    base = f"/sasongsbokning/{season_round.id}/forening/{association.id}"
    page = client.get(f"/sasongsbokning/{season_round.id}").get_data(as_text=True)
    assert "Ansökan för Bäckby IF" in page
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/onskemal/ny").status_code == 200
    response = client.post(f"{base}/onskemal/ny", data=_wish_form(hall, alt_premises=str(gym.id)))
    assert response.status_code == 302
    db.session.expire_all()
    application = seasons.application_for(season_round, association.id)
    [saved] = application.wishes
    assert (saved.weekday, saved.start_minute, saved.end_minute) == (1, 18 * 60, 20 * 60)
    assert saved.alt_premises_id == gym.id and saved.total_participants == 20
    assert application.case.number.startswith("LOK ")
    page = client.get(base).get_data(as_text=True)
    assert "Fotbollsträning P12" in page and application.case.number in page
    # Edit: the form comes back filled in; change the start time.
    page = client.get(f"{base}/onskemal/{saved.id}").get_data(as_text=True)
    assert 'value="18:00"' in page and 'value="12"' in page
    response = client.post(f"{base}/onskemal/{saved.id}", data=_wish_form(hall, start="17:00"))
    assert response.status_code == 302
    db.session.expire_all()
    assert seasons.application_for(season_round, association.id).wishes[0].start_minute == 1020
    # Removing the last wish withdraws the application; a new wish starts a new one.
    case = application.case
    assert client.post(f"{base}/onskemal/{saved.id}/ta-bort").status_code == 302
    db.session.expire_all()
    assert seasons.application_for(season_round, association.id) is None
    assert case.state == "withdrawn"
    assert client.post(f"{base}/onskemal/ny", data=_wish_form(hall)).status_code == 302
    db.session.expire_all()
    again = seasons.application_for(season_round, association.id)
    assert again.case.state == "submitted" and again.case_id != case.id


@pytest.mark.parametrize(("overrides", "message"), [
    ({"start": "25:00"}, "Skriv tiden som timmar och minuter"),
    ({"premises": ""}, "Välj en lokal."),
    ({"start": "06:00"}, "Lokalen är öppen 08:00–22:00 på tisdagar"),
    ({"antal_2_0": "", "antal_2_1": ""}, "hur många deltagare"),
    ({"antal_2_0": "tolv"}, "Skriv ett heltal med siffror"),
    ({"activity": ""}, "Fyll i verksamhet"),
    ({"length": "45"}, "Inte ett giltigt val"),
])
def test_bad_input_gives_a_swedish_message_and_keeps_the_input(
        client, login_as, make_premises, make_user, make_association, overrides, message):
    hall = make_premises()
    season_round = make_round([hall])
    user, association = manager(make_user, make_association)
    login_as(user=user)
    data = _wish_form(hall, **overrides)
    response = client.post(f"/sasongsbokning/{season_round.id}/forening/{association.id}"
                           "/onskemal/ny", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'value="Fotbollsträning P12"' in page or overrides.get("activity") == ""


def test_alt_same_as_first_is_refused(client, login_as, make_premises, make_user,
                                      make_association):
    hall = make_premises()
    season_round = make_round([hall])
    user, association = manager(make_user, make_association)
    login_as(user=user)
    response = client.post(f"/sasongsbokning/{season_round.id}/forening/{association.id}"
                           "/onskemal/ny", data=_wish_form(hall, alt_premises=str(hall.id)))
    assert response.status_code == 400
    assert "annan lokal än förstahandsvalet" in response.get_data(as_text=True)


def test_association_a_cannot_see_or_change_bs_application(client, login_as, make_premises,
                                                          make_user, make_association):
    hall = make_premises()
    season_round = make_round([hall])
    b_user, b = manager(make_user, make_association, "B-föreningen")
    [b_wish] = apply(season_round, b, b_user, wish(1, 18, 20, hall))
    a_user, a = manager(make_user, make_association, "A-föreningen")
    login_as(user=a_user)
    base = f"/sasongsbokning/{season_round.id}/forening/{b.id}"
    assert client.get(base).status_code == 403
    assert client.get(f"{base}/onskemal/{b_wish.id}").status_code == 403
    assert client.post(f"{base}/onskemal/ny", data=_wish_form(hall)).status_code == 403
    assert client.post(f"{base}/onskemal/{b_wish.id}/ta-bort").status_code == 403
    # Nor through its own address with B's wish id.
    own = f"/sasongsbokning/{season_round.id}/forening/{a.id}"
    assert client.get(f"{own}/onskemal/{b_wish.id}").status_code == 404


def test_after_the_window_the_application_cannot_change(client, login_as, make_premises,
                                                       make_user, make_association):
    hall = make_premises()
    season_round = make_round([hall])
    user, association = manager(make_user, make_association)
    apply(season_round, association, user, wish(1, 18, 20, hall))
    close_window(season_round, closes=date(2026, 1, 31), starts=date(2026, 3, 1),
                 ends=date(2026, 5, 31))
    login_as(user=user)
    base = f"/sasongsbokning/{season_round.id}/forening/{association.id}"
    page = client.get(base).get_data(as_text=True)
    assert "Ansökan kan inte ändras nu" in page
    response = client.post(f"{base}/onskemal/ny", data=_wish_form(hall))
    assert response.status_code == 403
    assert "Ansökningstiden är 2026-01-01–2026-01-31" in response.get_data(as_text=True)


def test_resident_and_other_officers_get_403_on_officer_pages(client, login_as, make_premises):
    hall = make_premises()
    season_round = make_round([hall])
    db.session.commit()
    login_as("resident")
    assert client.get(f"/lokalbokning/sasong/{season_round.id}").status_code == 403
    assert client.post(f"/lokalbokning/sasong/{season_round.id}/forslag").status_code == 403
    assert client.get("/admin/sasongsbokning").status_code == 403
    login_as("officer", areas=("grants",))
    response = client.get(f"/lokalbokning/sasong/{season_round.id}")
    assert response.status_code == 403
    assert "området lokalbokning" in response.get_data(as_text=True)


@pytest.fixture
def contested(make_premises, make_user, make_association):
    hall = make_premises(name="Bäckby idrottshall")
    season_round = make_round([hall], keys=["youth"])
    made = {}
    for name, data in (("Ungdomsfotbollen", wish(1, 18, 20, hall, youth=20, adults=0)),
                       ("Vuxenkören", wish(1, 19, 21, hall, adults=20))):
        user, association = manager(make_user, make_association, name)
        [made[name]] = apply(season_round, association, user, data)
    return season_round, hall, made


def test_allocation_view_shows_conflicts_in_text_ranks_and_reasons(client, login_as,
                                                                  contested):
    season_round, hall, made = contested
    login_as("officer", areas=("bookings",))
    page = client.get(f"/lokalbokning/sasong/{season_round.id}").get_data(as_text=True)
    assert "2 önskemål, 2 av dem krockar med ett annat önskemål i samma lokal." in page
    assert "Bäckby idrottshall, tisdag – 2 önskemål krockar" in page
    assert "med Vuxenkören 19:00–21:00 (rang 2)" in page
    assert "med Ungdomsfotbollen 18:00–20:00 (rang 1)" in page
    assert "1. Barn- och ungdomsverksamhet: 100 % av deltagarna är 7–25 år" in page
    assert "Sökta och tilldelade timmar per förening" in page


def test_officer_proposes_and_allocates_by_hand_with_a_reason(client, login_as, contested):
    season_round, hall, made = contested
    login_as("officer", areas=("bookings",))
    base = f"/lokalbokning/sasong/{season_round.id}"
    assert client.post(f"{base}/forslag").status_code == 302
    db.session.expire_all()
    assert made["Ungdomsfotbollen"].allocated_premises_id == hall.id
    choir = made["Vuxenkören"]
    # Without a reason: the page comes back with the message at the wish.
    response = client.post(f"{base}/onskemal/{choir.id}/tilldela",
                           data={"premises": str(hall.id), "reason": ""})
    assert response.status_code == 400
    assert "Fyll i skäl" in response.get_data(as_text=True)
    # The time is taken: said in words, the input kept.
    response = client.post(f"{base}/onskemal/{choir.id}/tilldela",
                           data={"premises": str(hall.id), "reason": "Kören har lång tradition"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "redan tilldelad Ungdomsfotbollen 18:00–20:00" in page
    assert 'value="Kören har lång tradition"' in page
    youth = made["Ungdomsfotbollen"]
    assert client.post(f"{base}/onskemal/{youth.id}/ta-tillbaka",
                       data={"reason": "Laget har lagts ner"}).status_code == 302
    assert client.post(f"{base}/onskemal/{choir.id}/tilldela",
                       data={"premises": str(hall.id),
                             "reason": "Tiden blev ledig"}).status_code == 302
    db.session.expire_all()
    assert choir.allocated_premises_id == hall.id and choir.is_manual
    assert youth.allocated_premises_id is None and youth.decision_reason == "Laget har lagts ner"


def test_publish_from_the_page_then_leftover_slots_link_to_booking(client, login_as, contested):
    season_round, hall, made = contested
    officer = login_as("officer", areas=("bookings",))
    seasons.auto_allocate(season_round, officer)
    base = f"/lokalbokning/sasong/{season_round.id}"
    response = client.post(f"{base}/publicera", follow_redirects=True)
    assert "Ansökningstiden är inte slut" in response.get_data(as_text=True)
    close_window(season_round, closes=date(2026, 1, 31), starts=date(2027, 2, 1),
                 ends=date(2027, 3, 31))
    db.session.commit()
    response = client.post(f"{base}/publicera", follow_redirects=True)
    assert "Resultatet är publicerat" in response.get_data(as_text=True)
    page = client.get(f"/sasongsbokning/{season_round.id}/resttider").get_data(as_text=True)
    assert "20:00–22:00" in page and "08:00–18:00" in page
    assert f"/lokaler/{hall.id}/boka?datum=2027-02-02&amp;fran=20:00&amp;till=22:00" in page
    # The association sees its result.
    db.session.expire_all()
    assert db.session.get(SeasonRound, season_round.id).state == "published"


def test_admin_opens_a_round(client, login_as, make_premises):
    hall = make_premises(name="Bäckby idrottshall")
    login_as("admin")
    assert client.get("/admin/sasongsbokning/ny").status_code == 200
    data = {"name": "Hösten 2027", "season_starts_on": "2027-08-16",
            "season_ends_on": "2027-12-19", "applications_open_on": "2027-04-01",
            "applications_close_on": "2027-04-30", "rules_text": "Barn och unga först.",
            "rule_1": "youth", "rule_2": "last_season", "rule_3": "eligible",
            "rule_4": "applied_at", "premises": [str(hall.id)], "previous_round": ""}
    bad = client.post("/admin/sasongsbokning/ny", data={**data, "rule_2": "youth",
                                                         "applications_close_on": "2027-09-01"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Ansökningstiden måste sluta innan säsongen börjar." in page
    assert "Varje regel kan bara väljas en gång." in page
    assert 'value="Hösten 2027"' in page
    assert client.post("/admin/sasongsbokning/ny", data=data).status_code == 302
    season_round = db.session.scalar(db.select(SeasonRound).where(
        SeasonRound.name == "Hösten 2027"))
    assert season_round.priority_keys == ["youth", "last_season", "eligible", "applied_at"]
    assert [p.id for p in season_round.premises] == [hall.id]
    assert client.get("/admin/sasongsbokning").status_code == 200
    assert client.get(f"/admin/sasongsbokning/{season_round.id}").status_code == 200


def test_allocation_view_queries_do_not_grow_with_applications(client, login_as,
                                                              make_premises, make_user,
                                                              make_association,
                                                              count_queries):
    hall = make_premises()
    gym = make_premises(name="Gympan")
    season_round = make_round([hall, gym])
    login_as("officer", areas=("bookings",))

    def add(n):
        for _ in range(n):
            user, association = manager(make_user, make_association)
            apply(season_round, association, user, wish(1, 18, 20, hall, gym, youth=3),
                  wish(3, 17, 19, gym))
        db.session.commit()

    def measure():
        with count_queries() as q:
            response = client.get(f"/lokalbokning/sasong/{season_round.id}")
        assert response.status_code == 200
        return q.count

    add(2)
    few = measure()
    add(6)
    many = measure()
    assert many == few, f"{few} queries for 2 applications, {many} for 8"
    assert few <= 25


def test_leftover_page_before_publishing_says_so(client, make_premises):
    hall = make_premises()
    season_round = make_round([hall])
    db.session.commit()
    page = client.get(f"/sasongsbokning/{season_round.id}/resttider").get_data(as_text=True)
    assert "Resttiderna visas när resultatet" in page


def test_hours_csv_for_the_equal_treatment_report(client, login_as, contested):
    season_round, hall, made = contested
    officer = login_as("officer", areas=("bookings",))
    seasons.auto_allocate(season_round, officer)
    db.session.commit()
    response = client.get(f"/lokalbokning/sasong/{season_round.id}/timmar.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Omgång;Förening;Organisationsnummer;Kategori;Stadsdel")
    rows = {line.split(";")[1]: line.split(";") for line in lines[1:]}
    # Requested, allocated, of which peak time (17–22), peak share, youth share.
    assert rows["Ungdomsfotbollen"][9:14] == ["2,00", "2,00", "2,00", "100", "100"]
    assert rows["Vuxenkören"][9:14] == ["2,00", "0,00", "0,00", "", "0"]
    login_as("resident")
    assert client.get(f"/lokalbokning/sasong/{season_round.id}/timmar.csv").status_code == 403


def test_public_pages_query_counts_do_not_grow(client, make_premises, count_queries):
    def measure(url):
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return q.count

    halls = [make_premises(name=f"Hall {n}") for n in range(6)]
    first = make_round(halls[:1], name="Våren 2027")
    first.state = "published"
    db.session.commit()
    few = (measure("/sasongsbokning"), measure(f"/sasongsbokning/{first.id}/resttider"))
    for n in range(4):
        make_round(halls, name=f"Omgång {n}")
    many_round = make_round(halls, name="Hösten 2027")
    many_round.state = "published"
    db.session.commit()
    many = (measure("/sasongsbokning"), measure(f"/sasongsbokning/{many_round.id}/resttider"))
    assert many == few, (few, many)


def test_the_association_reads_its_result_letter(app, client, login_as, contested, make_user):
    season_round, hall, made = contested
    officer = make_user("officer", areas=("bookings",))
    seasons.auto_allocate(season_round, officer)
    close_window(season_round, closes=date(2026, 1, 31), starts=date(2027, 2, 1),
                 ends=date(2027, 3, 31))
    with app.test_request_context():
        seasons.publish_round(season_round, officer)
    db.session.commit()
    application = made["Vuxenkören"].application
    manager_user = application.submitted_by
    login_as(user=manager_user)
    page = client.get(f"/sasongsbokning/{season_round.id}/forening/"
                      f"{application.association_id}").get_data(as_text=True)
    assert "Beslutsbrev" in page and "Inte tilldelad" in page
    from lokapp.letters.models import Letter

    letter = db.session.scalar(db.select(Letter).where(Letter.case_id == application.case_id))
    assert client.get(f"/brev/{letter.id}").status_code == 200
    login_as("officer", areas=("bookings",))
    assert client.get(f"/brev/{letter.id}").status_code == 200
    login_as("officer", areas=("grants",))
    assert client.get(f"/brev/{letter.id}").status_code == 403


def test_season_applications_are_in_the_officer_queue(client, login_as, contested):
    season_round, hall, made = contested
    application = made["Vuxenkören"].application
    db.session.commit()
    login_as("officer", areas=("bookings",))
    page = client.get("/handlaggning").get_data(as_text=True)
    assert application.case.number in page
    link = f"/lokalbokning/sasong/arende/{application.case_id}"
    assert link in page
    response = client.get(link)
    assert response.status_code == 200
    assert "Ansökan: Vuxenkören" in response.get_data(as_text=True)
    assert client.get("/lokalbokning/sasong/arende/999999").status_code == 404


def test_allocation_view_can_show_one_premises(client, login_as, make_premises, make_user,
                                               make_association):
    hall = make_premises(name="Bäckby idrottshall")
    gym = make_premises(name="Skiljebo gymnastiksal")
    season_round = make_round([hall, gym])
    for premises in (hall, gym):
        user, association = manager(make_user, make_association)
        apply(season_round, association, user, wish(1, 18, 20, premises))
    login_as("officer", areas=("bookings",))
    base = f"/lokalbokning/sasong/{season_round.id}"
    page = client.get(base).get_data(as_text=True)
    assert "Bäckby idrottshall, tisdag" in page and "Skiljebo gymnastiksal, tisdag" in page
    page = client.get(f"{base}?lokal={gym.id}").get_data(as_text=True)
    assert "Bäckby idrottshall, tisdag" not in page and "Skiljebo gymnastiksal, tisdag" in page
    page = client.get(f"{base}?lokal=abc").get_data(as_text=True)
    assert "Bäckby idrottshall, tisdag" in page
    # Allocating from the filtered view comes back to it.
    wish_id = seasons.load_applications(season_round)[1].wishes[0].id
    response = client.post(f"{base}/onskemal/{wish_id}/tilldela?lokal={gym.id}",
                           data={"premises": str(gym.id), "reason": "Ledig"})
    assert response.headers["Location"].endswith(f"{base}?lokal={gym.id}#wish-{wish_id}")


def test_after_the_window_the_manager_still_finds_the_application(client, login_as,
                                                                 make_premises, make_user,
                                                                 make_association):
    hall = make_premises()
    season_round = make_round([hall])
    user, association = manager(make_user, make_association, "Sena klubben")
    apply(season_round, association, user, wish(1, 18, 20, hall))
    close_window(season_round, closes=date(2026, 1, 31), starts=date(2027, 3, 1),
                 ends=date(2027, 5, 31))
    login_as(user=user)
    page = client.get(f"/sasongsbokning/{season_round.id}").get_data(as_text=True)
    assert "Din förenings ansökan" in page and "Ansökan för Sena klubben" in page


def test_a_big_round_opens_at_one_premises_with_an_overview_of_all(client, login_as,
                                                                   make_premises, make_user,
                                                                   make_association,
                                                                   monkeypatch):
    from lokapp.bookings import season_views

    hall = make_premises(name="Bäckby idrottshall")
    gym = make_premises(name="Skiljebo gymnastiksal")
    season_round = make_round([hall, gym])
    for name, data in (("Ungdomsfotbollen", wish(1, 18, 20, hall, gym)),
                       ("Vuxenkören", wish(1, 19, 21, hall)),
                       ("Schackklubben", wish(3, 18, 19, gym))):
        user, association = manager(make_user, make_association, name)
        apply(season_round, association, user, data)
    monkeypatch.setattr(season_views, "ALL_PREMISES_UP_TO", 3)  # 4 rows: a "big" round
    login_as("officer", areas=("bookings",))
    base = f"/lokalbokning/sasong/{season_round.id}"
    page = client.get(base).get_data(as_text=True)
    # The tables of the first premises only …
    assert "Bäckby idrottshall, tisdag – 2 önskemål krockar" in page
    assert "Skiljebo gymnastiksal, tisdag" not in page
    assert f'<option value="{hall.id}" selected>' in page
    # … the overview counts every premises: first and second choices, conflicts, allocated.
    overview = page.split('id="overview"')[1].split("</table>")[0]
    rows = [[cell.split(">")[-1] for cell in row.split("</td>")[:-1]]
            for row in overview.split("<tr>")[2:]]
    assert rows == [["2", "0", "2", "0"], ["1", "1", "0", "0"]]
    assert f"{base}?lokal={gym.id}" in overview
    # The whole round's conflict count, though one premises is shown.
    assert "4 önskemål, 2 av dem krockar" not in page and "3 önskemål, 2 av dem krockar" in page
    page = client.get(f"{base}?lokal={gym.id}").get_data(as_text=True)
    assert "Skiljebo gymnastiksal, tisdag" in page and "Bäckby idrottshall, tisdag" not in page
    page = client.get(f"{base}?lokal=alla").get_data(as_text=True)
    assert "Skiljebo gymnastiksal, torsdag" in page and "Bäckby idrottshall, tisdag" in page
    # Allocating from the default view comes back to the premises shown.
    choir = seasons.load_applications(season_round)[1].wishes[0]
    response = client.post(f"{base}/onskemal/{choir.id}/tilldela?lokal={hall.id}",
                           data={"premises": str(hall.id), "reason": "Lång tradition"})
    assert response.headers["Location"].endswith(f"{base}?lokal={hall.id}#wish-{choir.id}")
    page = client.get(base).get_data(as_text=True)
    overview = page.split('id="overview"')[1].split("</table>")[0]
    assert "<td>1</td>\n      </tr>" in overview.split("<tr>")[2]


def test_a_crowded_row_names_three_conflicts_and_ranks_the_rest(client, login_as,
                                                                make_premises, make_user,
                                                                make_association):
    hall = make_premises(name="Bäckby idrottshall")
    season_round = make_round([hall], keys=["applied_at"])
    for n in range(6):
        user, association = manager(make_user, make_association, f"Klubb {n}")
        apply(season_round, association, user, wish(1, 18, 20, hall))
    login_as("officer", areas=("bookings",))
    page = client.get(f"/lokalbokning/sasong/{season_round.id}").get_data(as_text=True)
    first = page.split('<tr id="wish-')[1].split("</tr>")[0]
    assert "med Klubb 1 18:00–20:00 (rang 2)" in first and "med Klubb 3" in first
    assert "Klubb 4" not in first and "och 2 önskemål till (rang 5, 6)" in first


def test_the_officer_case_page_has_notes_messages_and_jav(client, login_as, contested,
                                                          make_user, make_association):
    from lokapp.casework.models import CaseDisqualification, CaseMessage, CaseNote
    from lokapp.core.mail import OutboxMessage

    season_round, hall, made = contested
    application = made["Vuxenkören"].application
    case, manager_user = application.case, application.submitted_by
    db.session.commit()
    officer = login_as("officer", areas=("bookings",))
    page_url = f"/lokalbokning/sasong/arende/{case.id}"
    page = client.get(page_url).get_data(as_text=True)
    assert 'id="anteckningar"' in page
    assert "Anmäl jäv i ärendet" in page and "Meddelanden" in page
    # An internal note; a refused (empty) one comes back on the same page with a message.
    response = client.post(f"/handlaggning/arenden/{case.id}/anteckningar", data={"note": ""})
    assert response.status_code == 400 and "Ansökan: Vuxenkören" in response.get_data(
        as_text=True)
    response = client.post(f"/handlaggning/arenden/{case.id}/anteckningar",
                           data={"note": "Ringde föreningen om tiden."})
    assert response.status_code == 302 and response.headers["Location"].startswith(page_url)
    assert db.session.scalar(db.select(CaseNote.body).where(CaseNote.case_id == case.id)) \
        == "Ringde föreningen om tiden."
    # A message to the association: e-mailed to the manager with a link to their page.
    response = client.post(f"/handlaggning/arenden/{case.id}/meddelanden",
                           data={"message": "Kan ni tänka er torsdagar i stället?"})
    assert response.status_code == 302
    mail = db.session.scalar(db.select(OutboxMessage).where(
        OutboxMessage.related_type == "cases", OutboxMessage.related_id == str(case.id))
        .order_by(OutboxMessage.id.desc()))
    assert mail.recipients == [manager_user.email]
    assert f"/sasongsbokning/arende/{case.id}" in mail.body_text
    # The manager reads it and answers; the note stays internal.
    login_as(user=manager_user)
    party = client.get(f"/sasongsbokning/arende/{case.id}").get_data(as_text=True)
    assert "Kan ni tänka er torsdagar i stället?" in party
    assert "Ringde föreningen" not in party and "Anmäl jäv" not in party
    response = client.post(f"/arenden/{case.id}/svara", data={"message": "Ja, torsdagar går bra."})
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(CaseMessage).where(
        CaseMessage.case_id == case.id)) == 2
    # Another association's manager may neither read nor answer.
    other_user, _other = manager(make_user, make_association, "Andra föreningen")
    login_as(user=other_user)
    assert client.get(f"/sasongsbokning/arende/{case.id}").status_code == 403
    assert client.post(f"/arenden/{case.id}/svara", data={"message": "Hej"}).status_code == 403
    # The officer declares jäv from the page.
    login_as(user=officer)
    response = client.post(f"/handlaggning/arenden/{case.id}/jav",
                           data={"reason": "Jag sjunger i kören."})
    assert response.status_code == 302
    assert db.session.scalar(db.select(CaseDisqualification.reason).where(
        CaseDisqualification.case_id == case.id)) == "Jag sjunger i kören."

"""Formula programmes through the pages, without JavaScript: the administrator sets the
formula; the association fills the occasion table (or uploads a file) or its rented premises;
the summary, the party's page and the officer's case page show the calculation; the decision
amount defaults to the computed amount."""
from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lokapp.extensions import db
from lokapp.grants import services
from lokapp.grants.models import (
    FormulaKind,
    GrantApplication,
    GrantOccasion,
    GrantProgramme,
    WindowKind,
)
from tests.grants.test_applications import member

PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def activity(programmes):
    programme = programmes["aktivitetsstod"]
    assert programme.formula_kind == FormulaKind.ACTIVITY
    return programme


@pytest.fixture
def rent(programmes):
    programme = programmes["lokalbidrag"]
    programme.window_kind, programme.opens_on, programme.closes_on = WindowKind.ROLLING, None, None
    db.session.flush()
    return programme


def _text(response) -> str:
    return unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def _start(client, programme, association, first_step) -> GrantApplication:
    response = client.post(f"/bidrag/{programme.key}/ansok",
                           data={"association": association.id})
    assert response.status_code == 302, _text(response)
    application_id = int(re.search(r"/ansokningar/(\d+)/", response.location).group(1))
    assert response.location.endswith(f"/bidrag/ansokningar/{application_id}/{first_step}")
    return db.session.get(GrantApplication, application_id)


def _rows(*rows, period=("2026-01-01", "2026-06-30")):
    data = {"period_start": period[0], "period_end": period[1]}
    for i, row in enumerate(rows):
        for name, value in zip(("occurred_on", "activity", "participants", "leaders"), row,
                               strict=True):
            data[f"lines-{i}-{name}"] = value
    return data


def _reload(application) -> GrantApplication:
    db.session.expire_all()
    return db.session.get(GrantApplication, application.id)


def test_activity_steps_compute_the_amount_and_list_what_does_not_count(
        client, login_as, activity, applicant, status, upload_dir):
    user, association = applicant
    login_as(user=user)
    application = _start(client, activity, association, "sammankomster")
    base = f"/bidrag/ansokningar/{application.id}"
    page = _text(client.get(f"{base}/sammankomster"))
    assert "Deltagare 7–25 år" in page and 'name="lines-4-occurred_on"' in page
    assert client.get(f"{base}/budget").status_code == 404  # the formula decides the amount

    response = client.post(f"{base}/sammankomster", data=_rows(
        ("2026-02-03", "Fotbollsträning", "12", "2"),
        ("2026-02-10", "Fotbollsträning", "3", "1"),
        ("2026-02-17", "Fotbollsträning", "2", "1"),     # below the group size
        ("2026-07-01", "Sommarläger", "20", "3"),         # after the period
        ("", "", "", "")))                                # an empty row is ignored
    assert response.status_code == 302, _text(response)
    assert response.location.endswith(f"{base}/sammankomster#berakning")
    application = _reload(application)
    assert len(application.occasions) == 4
    # 2 counted occasions × 15 kr + 15 participant-occasions × 8 kr = 150 kr
    assert application.requested_sek == 150
    assert application.formula_result["participant_occasions"] == 15
    assert application.formula_result["params"]["rate_sek"] == 8

    page = _text(client.get(f"{base}/sammankomster"))
    assert "2 sammankomster × 15 kr + 15 deltagartillfällen × 8 kr = 150 kr" in page
    assert "2 rader räknas inte" in page
    assert "Färre än 3 deltagare i åldern 7–25 år." in page
    assert "Datumet ligger utanför perioden 2026-01-01–2026-06-30." in page
    assert 'value="Sommarläger"' in page  # the saved rows are back in the table

    summary = _text(client.get(f"{base}/sammanfattning"))
    assert "Beräkning av beloppet" in summary and "= 150 kr" in summary
    assert "Närvarolistor" in summary  # the file question is still missing

    response = client.post(f"{base}/bilagor", data={
        "what": next(f"q{q.id}" for q in activity.questions),
        "file": (io.BytesIO(PDF_BYTES), "narvaro.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, _text(response)
    response = client.post(f"{base}/skicka")
    assert response.status_code == 302, _text(response)
    application = _reload(application)
    assert application.case.state == "submitted" and application.requested_sek == 150
    # The participant-occasions are stored structured for the equal-treatment report.
    stored = db.session.execute(select(GrantOccasion.occurred_on, GrantOccasion.participants)
                                .where(GrantOccasion.application_id == application.id)
                                .order_by(GrantOccasion.position)).all()
    assert stored[0] == (date(2026, 2, 3), 12) and len(stored) == 4
    party = _text(client.get(f"/bidrag/ansokningar/{application.id}"))
    assert "= 150 kr" in party and "Visa alla rader med skäl (4)" in party
    assert "Nej: Färre än 3 deltagare i åldern 7–25 år." in party


def test_occasion_errors_keep_the_input_and_say_which_row(client, login_as, activity,
                                                          applicant):
    user, association = applicant
    login_as(user=user)
    application = _start(client, activity, association, "sammankomster")
    base = f"/bidrag/ansokningar/{application.id}"
    response = client.post(f"{base}/sammankomster", data=_rows(
        ("2026-02-03", "Fotboll", "12,5", "1"),
        ("3 februari", "Fotboll", "-4", "1"),
        ("2026-02-05", "", "7", "1")))
    page = _text(response)
    assert response.status_code == 400
    assert "Skriv ett heltal utan decimaler, till exempel 12 i stället för 12,5." in page
    assert "Skriv datumet som 2026-03-14." in page and "Talet kan inte vara negativt." in page
    assert "Sammankomst 3" in page and "Fyll i aktivitet." in page
    assert 'value="12,5"' in page and 'value="3 februari"' in page
    # Each cell: a label naming its row, the error tied to the input, the activity wider.
    assert '<label for="lines-1-participants" class="visually-hidden">' \
           "Deltagare i åldersgruppen, rad 2</label>" in page
    cell = re.search(r'<input[^>]*id="lines-1-participants"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in cell and 'aria-describedby="lines-1-participants-error"' \
        in cell and 'size="12"' in cell
    assert 'id="lines-1-participants-error"' in page
    assert 'size="24"' in re.search(r'<input[^>]*id="lines-0-activity"[^>]*>', page).group(0)
    assert db.session.scalar(select(func.count(GrantOccasion.id))) == 0

    response = client.post(f"{base}/sammankomster", data=_rows(
        ("2026-02-03", "Fotboll", "12", "1"), period=("2026-06-30", "2026-01-01")))
    assert response.status_code == 400
    assert "Periodens sista dag kan inte vara före den första." in _text(response)
    response = client.post(f"{base}/sammankomster", data=_rows(
        ("2026-02-03", "Fotboll", "12", "1"), period=("2025-01-01", "2026-06-30")))
    assert "Perioden får vara högst ett år." in _text(response)
    response = client.post(f"{base}/sammankomster", data=_rows(
        ("2026-02-03", "Fotboll", "5000", "1")))
    assert "Orimligt många. Högst 1000 går." in _text(response)
    # All errors at once: the period's and the rows'.
    page = _text(client.post(f"{base}/sammankomster", data=_rows(
        ("2026-02-03", "Fotboll", "2,5", "1"), period=("", ""))))
    assert "Fyll i första och sista dag i perioden." in page and "heltal utan decimaler" in page


def _upload(client, base, name, data, period=("2026-01-01", "2026-06-30")):
    return client.post(f"{base}/sammankomster/fil", data={
        "fil-period_start": period[0], "fil-period_end": period[1],
        "fil-file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_upload_of_the_occasion_list_replaces_the_table(client, login_as, activity, applicant):
    user, association = applicant
    login_as(user=user)
    application = _start(client, activity, association, "sammankomster")
    base = f"/bidrag/ansokningar/{application.id}"
    client.post(f"{base}/sammankomster", data=_rows(("2026-02-03", "Gammal rad", "5", "1")))
    book = Workbook()
    book.active.append(["Datum", "Aktivitet", "Deltagare", "Ledare"])
    for day in range(1, 11):
        book.active.append([date(2026, 3, day), "Innebandy", 10, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload(client, base, "lista.xlsx", buffer.getvalue())
    assert response.status_code == 302, _text(response)
    application = _reload(application)
    assert [o.activity for o in application.occasions] == ["Innebandy"] * 10
    assert application.requested_sek == 10 * 15 + 100 * 8

    bad = "Datum;Aktivitet;Deltagare;Ledare\n2026-03-01;Dans;12,5;1\n2026-03-02;Dans;-1;1\n"
    response = _upload(client, base, "lista.csv", bad.encode())
    page = _text(response)
    assert response.status_code == 400
    assert "Rad 2: antal deltagare ska vara ett heltal, inte ”12,5”." in page
    assert "Rad 3: antal deltagare kan inte vara negativt." in page
    assert 'value="Innebandy"' in page  # the saved table is still shown
    assert len(_reload(application).occasions) == 10  # nothing replaced

    response = _upload(client, base, "lista.pdf", PDF_BYTES)
    assert "CSV-fil eller en Excel-fil" in _text(response)
    response = client.post(f"{base}/sammankomster/fil", data={
        "fil-period_start": "2026-01-01", "fil-period_end": "2026-06-30"},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "Välj en fil." in _text(response)
    response = _upload(client, base, "lista.csv", b"2026-03-01;Dans;12;1\n",
                       period=("2026-01-01", ""))
    assert "Fyll i första och sista dag i perioden." in _text(response)


def test_rent_step_needs_a_contract_per_premises(client, login_as, rent, applicant, status,
                                                 upload_dir):
    user, association = applicant
    login_as(user=user)
    application = _start(client, rent, association, "fragor")
    base = f"/bidrag/ansokningar/{application.id}"
    question = rent.questions[0]
    response = client.post(f"{base}/fragor", data={f"q{question.id}": "Läxhjälp och dans."})
    assert response.location.endswith(f"{base}/lokaler")
    response = client.post(f"{base}/lokaler", data={
        "lines-0-name": "Klubblokalen", "lines-0-address": "Bäckbyvägen 1",
        "lines-0-rent": "96 000", "lines-0-landlord": "other",
        "lines-1-name": "Idrottshallen", "lines-1-address": "Rocklunda",
        "lines-1-rent": "20 000 kr", "lines-1-landlord": "city"})
    assert response.status_code == 302, _text(response)
    application = _reload(application)
    assert application.requested_sek == 38_400  # 40 % of 96 000
    page = _text(client.get(f"{base}/lokaler"))
    assert "Hyra 96 000 kr × 40 % = 38 400 kr" in page
    assert "Lokalen hyrs av Västerås stad och ger inte lokalbidrag." in page

    summary = _text(client.get(f"{base}/sammanfattning"))
    assert "Bilagan ”Hyreskontrakt – Klubblokalen” saknas." in summary
    assert "Hyreskontrakt – Idrottshallen" not in summary
    premises_id = application.rented_premises[0].id
    response = client.post(f"{base}/bilagor", data={
        "what": f"r{premises_id}", "file": (io.BytesIO(PDF_BYTES), "kontrakt.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302, _text(response)
    response = client.post(f"{base}/skicka")
    assert response.status_code == 302, _text(response)
    assert _reload(application).case.state == "submitted"


@pytest.mark.parametrize("rent_value, message", [
    ("12 500,50", "utan öre"), ("-5000", "negativt"), ("999999999", "orimligt stort")])
def test_bad_rent_gets_clear_messages(client, login_as, rent, applicant, rent_value, message):
    user, association = applicant
    login_as(user=user)
    application = _start(client, rent, association, "fragor")
    response = client.post(f"/bidrag/ansokningar/{application.id}/lokaler", data={
        "lines-0-name": "Klubblokalen", "lines-0-address": "Bäckbyvägen 1",
        "lines-0-rent": rent_value, "lines-0-landlord": "other"})
    assert response.status_code == 400 and message in _text(response)
    response = client.post(f"/bidrag/ansokningar/{application.id}/lokaler", data={
        "lines-0-name": "Klubblokalen", "lines-0-rent": "1000", "lines-0-landlord": "other"})
    assert response.status_code == 400 and "Fyll i adressen." in _text(response)


def test_rents_that_add_up_to_an_absurd_amount_are_refused_with_the_rows_kept(
        client, login_as, rent, applicant):
    """Each rent is below the absurd limit, but 25 of them add up to 2.5 billion kronor – more
    than the amount column holds on PostgreSQL (a 500 before); without a programme cap."""
    rent.max_amount_sek, rent.formula_share_percent = None, 100
    db.session.flush()
    user, association = applicant
    login_as(user=user)
    application = _start(client, rent, association, "fragor")
    data = {}
    for i in range(25):
        data.update({f"lines-{i}-name": f"Lokal {i}", f"lines-{i}-address": "Storgatan 1",
                     f"lines-{i}-rent": "99 999 999", f"lines-{i}-landlord": "other"})
    response = client.post(f"/bidrag/ansokningar/{application.id}/lokaler", data=data)
    page = _text(response)
    assert response.status_code == 400 and "orimligt" in page
    assert 'value="Lokal 24"' in page
    assert _reload(application).requested_sek is None


def test_rent_is_capped_and_the_officer_sees_the_calculation_and_amount(
        client, login_as, rent, applicant, status, upload_dir, make_user):
    user, association = applicant
    application = services.start_application(rent, association, user)
    services.save_answers(application, {rent.questions[0].id: "Dans."}, user)
    from lokapp.grants import formulas

    formulas.save_premises(application, premises=[
        formulas.Premises("Hallen", "Kopparlunden 2", 400_000)], user=user)
    services.attach(application, _pdf("kontrakt.pdf"),
                    label=formulas.contract_label("Hallen"), user=user)
    services.submit_application(application, user)
    assert application.requested_sek == 120_000  # 160 000 capped at the programme's maximum
    # The administrator changes the share afterwards: the case keeps the submitted rule.
    rent.formula_share_percent = 10
    db.session.commit()
    handler = make_user("officer", areas=("grants",), delegation_limit_sek=500_000)
    services.assign_to_me(application, handler)
    db.session.commit()
    login_as(user=handler)
    page = _text(client.get(f"/bidrag/handlaggning/{application.id}"))
    assert "Hyra 400 000 kr × 40 % = 160 000 kr" in page
    assert "Högsta belopp är 120 000 kr, så föreningen söker 120 000 kr." in page
    assert re.search(r'name="amount"[^>]*value="120000"', page) or \
        re.search(r'value="120000"[^>]*name="amount"', page)


def _pdf(name):
    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(PDF_BYTES), filename=name,
                       content_type="application/pdf")


def _admin_form(programme, **overrides):
    data = {"key": programme.key, "name_sv": programme.name_sv, "name_en": programme.name_en,
            "description_sv": programme.description_sv, "description_en": "",
            "rules_sv": programme.rules_sv, "eligibility": "eligible",
            "window_kind": "rolling", "is_monetary": "y", "max_amount": "150 000",
            "delegation_limit": "150 000", "appeal_route": "laglighetsprovning",
            "handling_days": "30", "is_active": "y", "formula_kind": "activity",
            "formula_rate": "9", "formula_occasion": "", "formula_age_min": "13",
            "formula_age_max": "20", "formula_min_group": "4"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_administrator_sets_the_formula_and_bad_parameters_are_explained(
        client, login_as, activity):
    login_as("admin")
    page = _text(client.get(f"/bidrag/admin/{activity.id}"))
    assert "Formel för beloppet" in page and 'value="8"' in page and 'value="15"' in page
    response = client.post(f"/bidrag/admin/{activity.id}", data=_admin_form(activity))
    assert response.status_code == 302, _text(response)
    db.session.expire_all()
    programme = db.session.get(GrantProgramme, activity.id)
    assert (programme.formula_rate_sek, programme.formula_occasion_sek) == (9, None)
    assert (programme.formula_age_min, programme.formula_age_max,
            programme.formula_min_group) == (13, 20, 4)
    response = client.post(f"/bidrag/admin/{activity.id}", data=_admin_form(
        activity, formula_rate="8,50", formula_age_min="30", formula_min_group="2,5"))
    page = _text(response)
    assert response.status_code == 200
    assert "utan öre" in page and "Den högsta åldern kan inte vara lägre än den lägsta." in page
    assert "heltal utan decimaler" in page and 'value="8,50"' in page
    # Switching to lokalbidrag clears the activity parameters.
    response = client.post(f"/bidrag/admin/{activity.id}", data=_admin_form(
        activity, formula_kind="rent", formula_share="35"))
    assert response.status_code == 302, _text(response)
    db.session.expire_all()
    programme = db.session.get(GrantProgramme, activity.id)
    assert programme.formula_kind == FormulaKind.RENT and programme.formula_share_percent == 35
    assert programme.formula_rate_sek is None and programme.formula_min_group is None


def test_a_programme_without_formula_keeps_the_budget_step(client, login_as, programmes,
                                                           applicant):
    user, association = applicant
    login_as(user=user)
    project = programmes["projektbidrag"]
    project.window_kind, project.opens_on, project.closes_on = WindowKind.ROLLING, None, None
    application = _start(client, project, association, "fragor")
    base = f"/bidrag/ansokningar/{application.id}"
    assert client.get(f"{base}/budget").status_code == 200
    assert client.get(f"{base}/sammankomster").status_code == 404
    assert client.get(f"{base}/lokaler").status_code == 404
    assert "Beräkning av beloppet" not in _text(client.get(f"{base}/sammanfattning"))


def _submitted_activity(activity, association, user, occasions):
    from lokapp.grants import formulas

    application = services.start_application(activity, association, user)
    formulas.save_occasions(application, period_start=date(2026, 1, 1),
                            period_end=date(2026, 6, 30), occasions=occasions, user=user)
    services.attach(application, _pdf("narvaro.pdf"), label="Närvarolistor", user=user,
                    question_id=activity.questions[0].id)
    services.submit_application(application, user)
    return application


def test_officer_case_page_queries_do_not_grow_with_the_occasions(
        client, login_as, activity, make_user, make_association, status, upload_dir,
        count_queries):
    from lokapp.grants import formulas

    def occasions(n):
        return [formulas.Occasion(date(2026, 2, 1 + i % 28), f"Träning {i}", 5, 1)
                for i in range(n)]

    handler = make_user("officer", areas=("grants",), delegation_limit_sek=500_000)
    association_a, association_b = make_association(), make_association()
    few = _submitted_activity(activity, association_a, member(make_user, association_a),
                              occasions(1))
    many = _submitted_activity(activity, association_b, member(make_user, association_b),
                               occasions(60))
    assert many.requested_sek == 60 * 5 * 8 + 60 * 15
    db.session.commit()
    login_as(user=handler)
    for warm_up in (few, many):
        client.get(f"/bidrag/handlaggning/{warm_up.id}")
    with count_queries() as q_few:
        assert client.get(f"/bidrag/handlaggning/{few.id}").status_code == 200
    with count_queries() as q_many:
        page = client.get(f"/bidrag/handlaggning/{many.id}")
    assert page.status_code == 200 and "60 sammankomster" in _text(page)
    from collections import Counter

    assert q_many.count == q_few.count, \
        Counter(q_many.statements) - Counter(q_few.statements)


def test_copy_of_last_years_rent_application_brings_the_premises_not_the_contracts(
        client, login_as, rent, applicant, status, upload_dir):
    from lokapp.grants import formulas

    user, association = applicant
    first = services.start_application(rent, association, user)
    services.save_answers(first, {rent.questions[0].id: "Dans."}, user)
    formulas.save_premises(first, premises=[
        formulas.Premises("Klubblokalen", "Bäckbyvägen 1", 50_000),
        formulas.Premises("Hallen", "Rocklunda", 10_000, True)], user=user)
    services.attach(first, _pdf("kontrakt.pdf"), label=formulas.contract_label("Klubblokalen"),
                    user=user)
    services.submit_application(first, user)
    copy = services.start_application(rent, association, user, copy_previous=True)
    db.session.flush()
    assert [(p.name, p.is_municipal) for p in copy.rented_premises] == [
        ("Klubblokalen", False), ("Hallen", True)]
    assert copy.requested_sek == 20_000 and copy.attachments == []
    db.session.commit()
    login_as(user=user)
    summary = _text(client.get(f"/bidrag/ansokningar/{copy.id}/sammanfattning"))
    assert "Bilagan ”Hyreskontrakt – Klubblokalen” saknas." in summary


def test_copy_of_last_years_activity_application_starts_without_occasions(
        activity, applicant, status, upload_dir):
    from lokapp.grants import formulas

    user, association = applicant
    first = _submitted_activity(activity, association, user,
                                [formulas.Occasion(date(2026, 2, 3), "Dans", 9, 1)])
    assert first.requested_sek == 9 * 8 + 15
    copy = services.start_application(activity, association, user, copy_previous=True)
    db.session.flush()
    assert copy.occasions == [] and copy.requested_sek is None and copy.period_start is None
    assert "Fyll i föreningens sammankomster under perioden." in \
        services.missing_for_submit(copy)


def test_an_application_submitted_before_the_formula_shows_no_calculation(
        client, login_as, programmes, make_user, make_association, status, upload_dir):
    """An administrator turns a programme into a formula while a case is open: the case keeps
    the amount the association asked for; no calculation of 0 kr is shown or proposed."""
    from tests.grants.test_decisions import _project, submitted

    project = _project(programmes)
    application = submitted(project, make_user, make_association)
    handler = make_user("officer", areas=("grants",), delegation_limit_sek=500_000)
    services.assign_to_me(application, handler)
    project.has_budget_table = False
    project.formula_kind, project.formula_share_percent = FormulaKind.RENT, 50
    db.session.commit()
    login_as(user=handler)
    page = _text(client.get(f"/bidrag/handlaggning/{application.id}"))
    assert "Beräkning av beloppet" not in page and "40 000 kr" in page
    assert not re.search(r'name="amount"[^>]*value="0"', page)


def test_the_public_programme_page_says_how_the_amount_is_calculated(client, activity, rent):
    page = _text(client.get("/bidrag/aktivitetsstod"))
    assert "Så räknas bidraget ut" in page
    assert "8 kr per deltagartillfälle för deltagare 7–25 år" in page
    assert "minst 3 deltagare i åldersgruppen" in page and "15 kr per sammankomst" in page
    page = _text(client.get("/bidrag/lokalbidrag"))
    assert "40 procent av årshyran" in page and "Högsta belopp är 120 000 kr." in page
    assert "Så räknas bidraget ut" not in _text(client.get("/bidrag/projektbidrag"))


def test_the_decision_letter_states_the_calculation(activity, make_user, make_association,
                                                     status, upload_dir):
    from lokapp.grants import formulas
    from lokapp.grants.letters import letter_extras

    association = make_association()
    application = _submitted_activity(activity, association, member(make_user, association), [
        formulas.Occasion(date(2026, 2, 3), "Dans", 10, 1),
        formulas.Occasion(date(2026, 2, 4), "Dans", 2, 1)])
    handler = make_user("officer", areas=("grants",), delegation_limit_sek=500_000)
    services.assign_to_me(application, handler)
    services.decide(application, handler, outcome="approved", amount_sek=None, reasons="")
    lines = {line["label"]: line["new"] for line in letter_extras(application.case)["changes"]}
    assert lines["Beräkning"].replace("\u00a0", " ") == \
        "1 sammankomst × 15 kr + 10 deltagartillfällen × 8 kr = 95 kr"
    assert lines["Beviljat belopp"].replace("\u00a0", " ") == "95 kronor"

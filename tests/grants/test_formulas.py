"""Formula rules: the computations (group size, age range, period, cap, rent share), the
occasion file (CSV and Excel) with line-numbered errors, and the programme form's rules."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from werkzeug.datastructures import MultiDict

from lokapp.grants import formulas
from lokapp.grants.formulas import (
    ActivityRule,
    FormulaError,
    Occasion,
    Premises,
    RentRule,
    compute_activity,
    compute_rent,
    read_occasion_file,
)

RULE = ActivityRule(rate_sek=8, occasion_sek=0, age_min=7, age_max=25, min_group=3)
START, END = date(2026, 1, 1), date(2026, 6, 30)
TODAY = date(2026, 8, 1)


def occ(day, participants=10, leaders=1, activity="Fotboll"):
    return Occasion(day, activity, participants, leaders)


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def test_the_example_calculation_reads_as_in_the_rules():
    occasions = [occ(date(2026, 2, 1 + i % 28), 12, activity=f"Träning {i}") for i in range(41)]
    occasions.append(occ(date(2026, 5, 5), 26, activity="Match"))
    result = compute_activity(RULE, START, END, occasions, today=TODAY)
    assert (result.occasions, result.participant_occasions) == (42, 518)
    assert result.requested_sek == 4144
    assert plain(result.explanation()) == \
        "42 sammankomster, 518 deltagartillfällen × 8 kr = 4 144 kr"


@pytest.mark.parametrize("participants, counted", [(2, False), (3, True), (4, True)])
def test_group_size_boundary(participants, counted):
    result = compute_activity(RULE, START, END, [occ(date(2026, 3, 3), participants)],
                              today=TODAY)
    assert result.rows[0].counted is counted
    assert result.participant_occasions == (participants if counted else 0)
    if not counted:
        assert result.rows[0].reason == "Färre än 3 deltagare i åldern 7–25 år."


def test_the_age_range_of_the_programme_is_in_the_reason_and_the_rule():
    rule = ActivityRule(rate_sek=10, occasion_sek=0, age_min=13, age_max=20, min_group=5)
    result = compute_activity(rule, START, END, [occ(date(2026, 3, 3), 4),
                                                 occ(date(2026, 3, 4), 5)], today=TODAY)
    assert rule.ages == "13–20"
    assert result.rows[0].reason == "Färre än 5 deltagare i åldern 13–20 år."
    assert result.rows[1].counted and result.requested_sek == 50


@pytest.mark.parametrize("day, counted", [
    (date(2025, 12, 31), False), (START, True), (END, True), (date(2026, 7, 1), False)])
def test_period_boundaries_are_inclusive(day, counted):
    result = compute_activity(RULE, START, END, [occ(day)], today=TODAY)
    assert result.rows[0].counted is counted
    if not counted:
        assert result.rows[0].reason == \
            "Datumet ligger utanför perioden 2026-01-01–2026-06-30."


def test_no_leader_future_dates_and_duplicates_do_not_count():
    rows = [occ(date(2026, 3, 3)), occ(date(2026, 3, 3), activity=" fotboll "),
            occ(date(2026, 3, 4), leaders=0), occ(date(2026, 3, 5), activity="Innebandy")]
    result = compute_activity(RULE, START, END, rows, today=date(2026, 3, 4))
    reasons = [j.reason for j in result.rows]
    assert reasons == [None, "Samma datum och aktivitet som rad 1.", "Ingen ledare.",
                       "Sammankomsten har inte ägt rum ännu."]
    assert [j.number for j in result.not_counted] == [2, 3, 4]
    assert result.occasions == 1 and result.requested_sek == 80


def test_amount_per_occasion_and_the_cap():
    rule = ActivityRule(rate_sek=8, occasion_sek=15, age_min=7, age_max=25, min_group=3,
                        cap_sek=200)
    result = compute_activity(rule, START, END, [occ(date(2026, 3, d), 10)
                                                 for d in (1, 2, 3)], today=TODAY)
    assert result.computed_sek == 3 * 15 + 30 * 8 == 285
    assert result.requested_sek == 200 and result.is_capped
    text = plain(result.explanation())
    assert text.startswith("3 sammankomster × 15 kr + 30 deltagartillfällen × 8 kr = 285 kr")
    assert "Högsta belopp är 200 kr, så föreningen söker 200 kr." in text
    uncapped = compute_activity(RULE, START, END, [occ(date(2026, 3, 1), 1)], today=TODAY)
    assert plain(uncapped.explanation()) == "0 sammankomster, 0 deltagartillfällen × 8 kr = 0 kr"
    assert not uncapped.is_capped


def test_rent_share_rounds_down_skips_the_citys_premises_and_is_capped():
    rows = [Premises("Klubbstugan", "Bäckby 1", 33_333), Premises("Idrottshallen",
                                                                   "Rocklunda", 50_000, True),
            Premises("Förrådet", "Hälla 3", 0)]
    result = compute_rent(RentRule(share_percent=40), rows)
    assert result.rent_sek == 33_333 and result.requested_sek == 13_333  # 13 333,2 → 13 333
    assert [j.reason for j in result.rows] == [
        None, "Lokalen hyrs av Västerås stad och ger inte lokalbidrag.", "Ingen hyra."]
    assert plain(result.explanation()) == "Hyra 33 333 kr × 40 % = 13 333 kr"
    capped = compute_rent(RentRule(share_percent=50, cap_sek=120_000),
                          [Premises("Hallen", "Kopparlunden", 300_000)])
    assert capped.computed_sek == 150_000 and capped.requested_sek == 120_000


def test_snapshot_keeps_the_rule_and_totals():
    result = compute_activity(RULE, START, END, [occ(date(2026, 3, 3), 9),
                                                 occ(date(2026, 3, 4), 2)], today=TODAY)
    snapshot = result.snapshot()
    assert snapshot["params"]["rate_sek"] == 8 and snapshot["params"]["min_group"] == 3
    assert snapshot["occasions"] == 1 and snapshot["occasions_reported"] == 2
    assert snapshot["participant_occasions"] == 9 and snapshot["requested_sek"] == 72
    assert snapshot["period_start"] == "2026-01-01"


# --- the occasion file -------------------------------------------------------------------------

def csv_bytes(text: str, encoding="utf-8") -> bytes:
    return text.encode(encoding)


def test_csv_with_header_semicolons_and_blank_lines():
    data = csv_bytes("Datum;Aktivitet;Deltagare;Ledare\n2026-03-14;Fotbollsträning;12;2\n"
                     "\n2026-03-15;Match; 1 2 ;\n")
    occasions = read_occasion_file("lista.csv", data)
    assert [(o.occurred_on, o.activity, o.participants, o.leaders, o.line)
            for o in occasions] == [(date(2026, 3, 14), "Fotbollsträning", 12, 2, 2),
                                    (date(2026, 3, 15), "Match", 12, 0, 4)]


def test_csv_without_header_commas_and_windows_encoding():
    data = csv_bytes("2026-03-14,Simskola för små,8,1\n", "cp1252")
    [occasion] = read_occasion_file("lista.csv", data)
    assert occasion.activity == "Simskola för små" and occasion.line == 1


def test_columns_are_found_by_their_header_in_any_order():
    data = csv_bytes("Ledare;Deltagare;Datum;Aktivitet\n1;7;2026-04-01;Scouting\n")
    [occasion] = read_occasion_file("lista.csv", data)
    assert (occasion.participants, occasion.leaders, occasion.activity) == (7, 1, "Scouting")


def test_excel_file_with_date_cells_and_number_cells():
    book = Workbook()
    sheet = book.active
    sheet.append(["Datum", "Aktivitet", "Deltagare", "Ledare"])
    sheet.append([datetime(2026, 3, 14), "Dans", 11, 2])
    sheet.append([date(2026, 3, 21), "Dans", 9.0, 1.0])
    sheet.append([None, None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    occasions = read_occasion_file("lista.xlsx", buffer.getvalue())
    assert [(o.occurred_on, o.participants, o.leaders, o.line) for o in occasions] == [
        (date(2026, 3, 14), 11, 2, 2), (date(2026, 3, 21), 9, 1, 3)]


def test_excel_decimal_participants_are_refused_with_the_row():
    book = Workbook()
    book.active.append(["Datum", "Aktivitet", "Deltagare", "Ledare"])
    book.active.append([date(2026, 3, 14), "Dans", 11.5, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FormulaError) as error:
        read_occasion_file("lista.xlsx", buffer.getvalue())
    assert error.value.messages == ["Rad 2: antal deltagare ska vara ett heltal, inte ”11,5”."]


@pytest.mark.parametrize("line, message", [
    ("2026-03-14;Fotboll;12,5;1", "Rad 2: antal deltagare ska vara ett heltal, inte ”12,5”."),
    ("2026-03-14;Fotboll;-3;1", "Rad 2: antal deltagare kan inte vara negativt."),
    ("2026-03-14;Fotboll;tolv;1", "Rad 2: antal deltagare ska skrivas med siffror, inte "
                                  "”tolv”."),
    ("2026-03-14;Fotboll;5000;1", "Rad 2: antal deltagare är orimligt många (5000). Högst "
                                  "1000 går."),
    ("2026-03-14;Fotboll;;1", "Rad 2: fyll i antal deltagare."),
    ("2026-03-14;Fotboll;12;1,5", "Rad 2: antal ledare ska vara ett heltal, inte ”1,5”."),
    ("14/3/2026;Fotboll;12;1", "Rad 2: datumet ”14/3/2026” går inte att läsa. Skriv det som "
                               "2026-03-14."),
    ("2026-02-30;Fotboll;12;1", "Rad 2: datumet ”2026-02-30” går inte att läsa. Skriv det som "
                                "2026-03-14."),
    ("1899-03-14;Fotboll;12;1", "Rad 2: datumet 1899-03-14 är orimligt."),
    (";Fotboll;12;1", "Rad 2: fyll i datum, till exempel 2026-03-14."),
    ("2026-03-14;;12;1", "Rad 2: fyll i aktivitet."),
])
def test_bad_rows_get_line_numbered_swedish_messages(line, message):
    data = csv_bytes("Datum;Aktivitet;Deltagare;Ledare\n" + line + "\n")
    with pytest.raises(FormulaError) as error:
        read_occasion_file("lista.csv", data)
    assert error.value.messages == [message]


def test_many_errors_are_cut_with_a_count():
    data = csv_bytes("".join(f"2026-03-{d:02d};Fotboll;x;1\n" for d in range(1, 26)))
    with pytest.raises(FormulaError) as error:
        read_occasion_file("lista.csv", data)
    assert len(error.value.messages) == 21
    assert error.value.messages[0].startswith("Rad 1: ")
    assert error.value.messages[-1] == "… och 5 fel till."


@pytest.mark.parametrize("name, data, message", [
    ("lista.csv", b"", "Filen är tom."),
    ("lista.csv", b"\n;;;\n", "Filen innehåller inga sammankomster."),
    ("lista.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Äldre Excel-filer (.xls)"),
    ("lista.pdf", b"%PDF-1.7 ...", "CSV-fil eller en Excel-fil"),
    ("lista.xlsx", b"PK\x03\x04 not really a workbook", "Excel-filen går inte att läsa"),
])
def test_files_that_are_not_occasion_lists(name, data, message):
    with pytest.raises(FormulaError) as error:
        read_occasion_file(name, data)
    assert message in str(error.value)


def test_too_large_and_too_long_files_are_refused(monkeypatch):
    with pytest.raises(FormulaError, match="för stor"):
        read_occasion_file("lista.csv", b"x" * (formulas.MAX_FILE_BYTES + 1))
    monkeypatch.setattr(formulas, "MAX_OCCASIONS", 3)
    data = csv_bytes("".join(f"2026-03-0{d};Fotboll;5;1\n" for d in range(1, 6)))
    with pytest.raises(FormulaError, match="fler än 3 rader"):
        read_occasion_file("lista.csv", data)


# --- the programme form -------------------------------------------------------------------------

def _programme_form(app, **overrides):
    from lokapp.grants.forms import ProgrammeForm

    data = {"key": "aktivitet", "name_sv": "Aktivitetsstöd", "description_sv": "Stöd.",
            "rules_sv": "Regler.", "eligibility": "eligible", "window_kind": "rolling",
            "is_monetary": "y", "handling_days": "30", "formula_kind": "activity",
            "formula_rate": "8", "formula_age_min": "7", "formula_age_max": "25",
            "formula_min_group": "3"}
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    form = ProgrammeForm(formdata=MultiDict(data), meta={"csrf": False})
    form.categories.choices = []
    valid = form.validate()
    return valid, form


def _errors(form) -> list[str]:
    return [str(e) for f in form for e in f.errors]


def test_a_valid_activity_formula(app):
    valid, form = _programme_form(app, formula_occasion="15")
    assert valid, _errors(form)
    data = form.formula_data()
    assert data["formula_rate_sek"] == 8 and data["formula_occasion_sek"] == 15
    assert (data["formula_age_min"], data["formula_age_max"], data["formula_min_group"]) == \
        (7, 25, 3)


@pytest.mark.parametrize("overrides, message", [
    ({"formula_rate": None}, "Fyll i kronor per deltagartillfälle."),
    ({"formula_rate": "8,50"}, "utan öre"),
    ({"formula_rate": "-8"}, "negativt"),
    ({"formula_rate": "5000"}, "mellan 1 och 1000 kronor"),
    ({"formula_occasion": "50 000"}, "högst 10\u00a0000 kronor"),
    ({"formula_age_min": "26"}, "Den högsta åldern kan inte vara lägre än den lägsta."),
    ({"formula_age_max": "300"}, "mellan 0 och 120 år"),
    ({"formula_age_max": None}, "Fyll i åldern."),
    ({"formula_min_group": "2,5"}, "heltal utan decimaler"),
    ({"formula_min_group": "0"}, "mellan 1 och 100"),
    ({"formula_min_group": "-1"}, "kan inte vara negativt"),
    ({"is_monetary": None}, "Kryssa i att bidraget är pengar"),
    ({"has_budget_table": "y"}, "Välj budget eller formel"),
    ({"formula_kind": "rent"}, "Fyll i andelen av hyran."),
    ({"formula_kind": "rent", "formula_share": "150"}, "mellan 1 och 100 procent"),
    ({"formula_kind": "rent", "formula_share": "12,5"}, "heltal utan decimaler"),
])
def test_bad_formula_parameters_get_clear_messages(app, overrides, message):
    valid, form = _programme_form(app, **overrides)
    assert not valid
    assert any(message in e for e in _errors(form)), _errors(form)


def test_without_formula_the_parameters_are_not_checked(app):
    valid, form = _programme_form(app, formula_kind="none", formula_rate=None,
                                  formula_age_max=None, has_budget_table="y")
    assert valid, _errors(form)


def test_csv_in_an_unknown_encoding_gets_a_message_not_a_crash():
    data = b"2026-03-14;Fotboll\x81;12;1\n"  # 0x81 is undefined in Windows-1252
    with pytest.raises(FormulaError) as error:
        read_occasion_file("lista.csv", data)
    assert error.value.messages == [
        "Rad 1: aktiviteten får vara högst 200 tecken utan styrtecken."]

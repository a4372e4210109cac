"""Upgrading an existing SQLite database keeps its rows.

SQLite changes a constraint by rebuilding the table (Alembic's batch mode: copy, drop the old
table, rename). With foreign keys on, dropping the old table deletes – through ON DELETE CASCADE –
or is refused by the rows that reference it. This test fills a database as it stood at the
last landed schema (0012) with rows in every table later migrations rebuild and in the tables
that reference them, upgrades to the head and counts again. PostgreSQL alters in place and has
no such hazard, so the test is SQLite's.
"""
from __future__ import annotations

import sqlite3

from flask_migrate import upgrade

from lokapp import create_app
from lokapp.extensions import db

BASE = "0012_grant_payouts"
NOW = "2026-03-01 10:00:00.000000"

TABLES = ("letters", "letter_dispatches", "letter_templates", "grant_programmes",
          "grant_applications", "grant_budget_lines", "grant_payouts", "booking_series",
          "booking_occurrences", "cases", "case_history", "premises")


def _fill(path: str) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys=ON")
    x = con.execute
    x("INSERT INTO users (id, email, name, password_hash, is_disabled, session_version, "
      "created_at) VALUES (1, 'a@example.se', 'A', 'x', 0, 1, ?)", (NOW,))
    category = con.execute("SELECT id FROM association_categories LIMIT 1").fetchone()[0]
    x("INSERT INTO associations (id, name, legal_form, category_id, description, "
      "has_accessible_premises, is_public, register_state, created_at, updated_at) "
      "VALUES (1, 'Förening', 'network', ?, 'x', 0, 1, 'registered', ?, ?)",
      (category, NOW, NOW))
    for case_id, case_type in ((1, "grant_application"), (2, "booking"), (3, "registration")):
        x("INSERT INTO cases (id, number, year, sequence, case_type, subject, state, "
          "association_id, created_at, updated_at) VALUES (?, ?, 2026, ?, ?, 's', 'decided', "
          "1, ?, ?)", (case_id, f"LOK 2026/0000{case_id}", case_id, case_type, NOW, NOW))
        x("INSERT INTO case_history (case_id, occurred_at, to_state, action) "
          "VALUES (?, ?, 'decided', 'decide')", (case_id, NOW))
    x("INSERT INTO grant_programmes (id, key, name_sv, name_en, description_sv, description_en, "
      "rules_sv, eligibility, window_kind, is_monetary, has_budget_table, required_attachments, "
      "appeal_route, follow_up_required, handling_days, is_active, created_at, updated_at) "
      "VALUES (1, 'p', 'P', '', '', '', '', 'eligible', 'rolling', 1, 1, '[]', "
      "'laglighetsprovning', 0, 30, 1, ?, ?)", (NOW, NOW))
    x("INSERT INTO grant_applications (id, case_id, programme_id, association_id, year, "
      "answers, own_contribution_sek, outcome, granted_sek) "
      "VALUES (1, 1, 1, 1, 2026, '{}', 0, 'approved', 1000)")
    x("INSERT INTO grant_budget_lines (application_id, position, kind, description, amount_sek) "
      "VALUES (1, 0, 'cost', 'Hyra', 1000)")
    x("INSERT INTO grant_payouts (application_id, association_id, programme_id, amount_sek, "
      "reference, state, created_at) VALUES (1, 1, 1, 1000, 'LOK 2026/00001', 'pending', ?)",
      (NOW,))
    x("INSERT INTO letter_templates (id, kind, version, subject_sv, body_sv, subject_en, "
      "body_en, created_at) VALUES (100, 'grant_decision', 99, 's', 'b', 's', 'b', ?)", (NOW,))
    x("INSERT INTO letters (id, case_id, kind, decision_ref, language, template_id, "
      "template_version, title, filename, context, sha256, size, recipients, created_at) "
      "VALUES (1, 1, 'grant_decision', 'h1', 'sv', 100, 99, 't', 'f.pdf', '{}', 'ab', 10, "
      "'[]', ?)",
      (NOW,))
    x("INSERT INTO letter_dispatches (letter_id, recipients, queued_at, is_resend) "
      "VALUES (1, '[]', ?, 0)", (NOW,))
    x("INSERT INTO premises (id, name, premises_type, description, street_address, city, "
      "capacity, is_step_free, has_hearing_loop, has_accessible_toilet, accessibility_notes, "
      "equipment_notes, is_published, bookable_by_associations, bookable_by_residents, "
      "min_minutes, max_minutes, slot_minutes, max_days_ahead, cancel_hours_before, "
      "requires_approval, is_closed_on_holidays, peak_start_minute, peak_end_minute, "
      "is_weekend_peak, terms, access_instructions, created_at, updated_at) VALUES "
      "(1, 'Lokal', 'meeting_room', '', 'Gatan 1', 'Västerås', 10, 1, 0, 0, '', '', 1, 1, 1, "
      "60, 240, 30, 180, 48, 0, 1, 1020, 1320, 1, '', '', ?, ?)", (NOW, NOW))
    x("INSERT INTO booking_series (id, premises_id, booked_by_id, booker_type, case_id, "
      "activity, recurrence, first_date, last_date, start_minute, end_minute, "
      "terms_accepted_at, terms_checksum, created_at, updated_at) VALUES (1, 1, 1, "
      "'resident', 2, 'Möte', 'weekly', '2026-03-02', '2026-03-09', 1080, 1200, ?, 'c', ?, ?)",
      (NOW, NOW, NOW))
    for day in ("2026-03-02", "2026-03-09"):
        x("INSERT INTO booking_occurrences (series_id, premises_id, starts_at, ends_at, state, "
          "price_ore, peak_minutes, is_exception, created_at, updated_at) VALUES (1, 1, ?, ?, "
          "'confirmed', 0, 0, 0, ?, ?)", (f"{day} 17:00:00.000000", f"{day} 19:00:00.000000",
                                          NOW, NOW))
    con.commit()
    con.close()


def _counts(path: str) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def test_an_upgrade_keeps_the_rows_of_rebuilt_tables_and_their_dependants(tmp_path):
    path = str(tmp_path / "old.db")
    app = create_app({"LOKAPP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade(revision=BASE)
        db.engine.dispose()
    _fill(path)
    before = _counts(path)
    assert all(before.values()), before
    with app.app_context():
        upgrade()
        # The connection the migrations ran on (foreign keys off) never goes back to the pool.
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
    assert _counts(path) == before
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()

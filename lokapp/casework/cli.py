"""``flask lok remind-deadlines``: reminders about completion deadlines (see
:mod:`lokapp.casework.reminders`).

Run it daily (cron or a systemd timer). It is idempotent: a reminder is recorded on the
completion request in the same transaction as its mail is queued, so a second run the same
day sends nothing twice. ``--today`` runs it as if it were another day (for tests and for
catching up after downtime).
"""
from __future__ import annotations

from datetime import date

import click
from flask import current_app

from lokapp.casework.reminders import DAYS_BEFORE, send_deadline_reminders
from lokapp.cli import lok
from lokapp.core.time import today_local
from lokapp.extensions import db


def _parse_day(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-04-01.") \
            from None


@lok.command("remind-deadlines")
@click.option("--today", callback=_parse_day, default=None, metavar="ÅÅÅÅ-MM-DD",
              help="Kör som om det vore den här dagen (standard: i dag i Stockholm).")
@click.option("--days", default=DAYS_BEFORE, show_default=True,
              type=click.IntRange(1, 30),
              help="Påminn den sökande så många dagar före sista dagen.")
def remind_deadlines_command(today: date | None, days: int):
    """Påminn om frister för komplettering (kan köras flera gånger om dagen)."""
    today = today or today_local()
    with current_app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        report = send_deadline_reminders(today, days_before=days)
        db.session.commit()
    click.echo(f"{today}: {len(report.reminded)} påminnelser till sökande, "
               f"{len(report.overdue)} meddelanden till handläggare om passerad frist.")
    for number in report.reminded:
        click.echo(f"  påminnelse: {number}")
    for number in report.overdue:
        click.echo(f"  frist passerad: {number}")
    for number in report.unassigned:
        click.echo(f"  frist passerad men ingen handläggare: {number}")

"""``flask lok remind``: reminders about the annual update, before and after the due date.

Run it daily (cron or a systemd timer). It is idempotent: every reminder is recorded in
``annual_update_reminders`` together with its mail, so a second run the same day – or a run
that overlaps another – sends nothing twice. ``--today`` runs it as if it were another day
(for tests and for catching up after downtime).
"""
from __future__ import annotations

from datetime import date

import click
from flask import current_app

from lokapp.associations.services import send_reminders
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


@lok.command("remind")
@click.option("--today", callback=_parse_day, default=None, metavar="ÅÅÅÅ-MM-DD",
              help="Kör som om det vore den här dagen (standard: i dag i Stockholm).")
def remind_command(today: date | None):
    """Skicka påminnelser om årlig uppdatering (kan köras flera gånger)."""
    today = today or today_local()
    with current_app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        report = send_reminders(today)
        db.session.commit()
    if report.kind is None:
        click.echo(f"{today}: ingen påminnelse att skicka (sista dag för årlig uppdatering "
                   f"{report.year} är {report.due_date}).")
        return
    click.echo(f"{today}: {len(report.sent)} påminnelser ({report.kind.value}) om årlig "
               f"uppdatering {report.year} lagda i utkorgen.")
    for association_id, name in report.sent:
        click.echo(f"  {association_id}: {name}")

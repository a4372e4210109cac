"""``flask lok grants-seed`` and the demo step that creates Västerås's grant programmes."""
from __future__ import annotations

import click

from lokapp.auth.demo import demo_step
from lokapp.cli import lok
from lokapp.extensions import db
from lokapp.grants.seed import seed_programmes


@demo_step(order=30)
def demo_programmes() -> list[str]:
    return seed_programmes()


@lok.command("grants-seed")
def grants_seed_command():
    """Create the standard grant programmes that do not exist yet."""
    lines = seed_programmes()
    db.session.commit()
    click.echo("\n".join(lines) if lines else "Alla bidragsformer finns redan.")


def _parse_day(ctx, param, value: str | None):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-04-01.") \
            from None


@lok.command("grants-remind")
@click.option("--today", callback=_parse_day, default=None, metavar="ÅÅÅÅ-MM-DD",
              help="Kör som om det vore den här dagen (standard: i dag i Stockholm).")
def grants_remind_command(today):
    """Påminn om redovisningar av bidrag: 14 dagar före sista dag och när de är försenade.

    Kör den varje dag; den kan köras flera gånger (varje påminnelse skickas en gång)."""
    from flask import current_app

    from lokapp.core.time import today_local
    from lokapp.grants.follow_up import send_reminders

    today = today or today_local()
    with current_app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        report = send_reminders(today)
        db.session.commit()
    click.echo(f"{today}: {len(report.before)} påminnelser före sista dag och "
               f"{len(report.overdue)} om försenade redovisningar lagda i utkorgen.")
    for number in report.before + report.overdue:
        click.echo(f"  {number}")

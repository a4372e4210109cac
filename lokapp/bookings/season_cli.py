"""``flask lok season-publish`` and the demo step that opens a season round.

Publishing a large round from the page works in batches (one click each); the command runs
the same service batch after batch, committing each, until the round is published – for a
worker, or when hundreds of letters are to be rendered. It can be stopped and run again: what
is done is never done twice (:func:`lokapp.bookings.seasons.publish_round`).

Imported by :mod:`lokapp.bookings.season_views`, so the command and the demo step are
registered whenever the app is.
"""
from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import select

from lokapp.auth.demo import demo_step
from lokapp.cli import lok
from lokapp.extensions import db

DEMO_ROUND = "Demo: säsongsbokning"


@lok.command("season-publish")
@click.argument("round_id", type=int)
@click.option("--officer", "email", required=True, metavar="E-POST",
              help="Handläggaren (lokalbokning) som beslutar – står i besluten.")
@click.option("--batch", default=10, show_default=True,
              help="Ansökningar per transaktion.")
def season_publish_command(round_id: int, email: str, batch: int):
    """Publish a round's results: series, stored hours and letters, batch after batch."""
    from lokapp.auth.models import User
    from lokapp.bookings import seasons
    from lokapp.bookings.season_models import SeasonRound
    from lokapp.bookings.season_permissions import can_allocate

    season_round = db.session.get(SeasonRound, round_id)
    if season_round is None:
        raise click.ClickException(f"Det finns ingen omgång med nummer {round_id}.")
    officer = db.session.scalar(User.select_by_email(email))
    if officer is None or not can_allocate(officer):
        raise click.ClickException(
            f"{email} är inte handläggare med området lokalbokning.")
    while True:
        # Letters and mail build their links with url_for: as the letters batch does.
        with current_app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
            try:
                result = seasons.publish_round(season_round, officer, limit=max(batch, 1))
            except seasons.SeasonError as error:
                db.session.rollback()
                raise click.ClickException(error.message) from None
            db.session.commit()
        click.echo(f"{result.decided} beslut, {result.series} bokningsserier, "
                   f"{result.remaining} kvar")
        if not result.remaining:
            break
    click.echo(f"{season_round.name} är publicerad.")


@demo_step(order=45)
def demo_season_round() -> list[str]:
    """An open round over the demo premises that associations may book, with the default
    rules, and the demo association's application with one wish."""
    from lokapp.associations.demo import REPRESENTATIVE_EMAIL
    from lokapp.auth.models import User
    from lokapp.bookings import seasons
    from lokapp.bookings.models import Premises
    from lokapp.bookings.permissions import booking_associations
    from lokapp.bookings.season_models import SeasonRound
    from lokapp.core.time import today_local

    if db.session.scalar(select(SeasonRound.id).where(SeasonRound.name == DEMO_ROUND)):
        return []
    premises = list(db.session.scalars(
        select(Premises).where(Premises.is_published, Premises.bookable_by_associations)
        .order_by(Premises.name)))
    if not premises:
        return []
    today = today_local()
    starts = today + timedelta(days=60)
    starts += timedelta(days=(7 - starts.weekday()) % 7)   # a Monday
    season_round = seasons.save_round(None, {
        "name": DEMO_ROUND, "season_starts_on": starts,
        "season_ends_on": starts + timedelta(weeks=16),
        "applications_open_on": today, "applications_close_on": today + timedelta(days=30),
        "rules_text": (
            "Tiderna fördelas efter de här reglerna, i tur och ordning. Barn- och "
            "ungdomsverksamhet går först, sedan föreningar som hade samma tid förra säsongen, "
            "sedan föreningar som är bidragsberättigade. Står det fortfarande lika går den som "
            "ansökte först före.\n\nFöreningen får sitt förstahandsval om det går, annars "
            "andrahandsvalet. Det som blir över kan bokas som vanligt."),
        "priority_keys": ["youth", "last_season", "eligible", "applied_at"],
        "previous_round_id": None}, [p.id for p in premises], None)
    lines = [f"säsongsbokning: omgången {DEMO_ROUND} öppen till "
             f"{season_round.applications_close_on.isoformat()}"]
    representative = db.session.scalar(User.select_by_email(REPRESENTATIVE_EMAIL))
    associations = booking_associations(representative) if representative else []
    if associations:
        choice = premises[0]
        hours = choice.hours_for(1) or next(iter(choice.opening_hours), None)
        if hours is not None:
            start = max(hours.opens_minute, min(18 * 60, hours.closes_minute - 120))
            start -= start % choice.slot_minutes
            try:
                seasons.save_wish(season_round, associations[0], representative,
                                  seasons.WishData(
                                      hours.weekday, start, start + 120, choice.id,
                                      premises[1].id if len(premises) > 1 else None,
                                      "Ungdomsträning", {("13-20", "woman"): 8,
                                                         ("13-20", "man"): 7,
                                                         ("26-64", "woman"): 2}))
                lines.append(f"säsongsbokning: {associations[0].name} har ansökt")
            except seasons.SeasonError as error:
                lines.append(f"säsongsbokning: ingen demoansökan ({error.message})")
    return lines

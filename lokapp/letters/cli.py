"""``flask lok letter-sample`` and ``flask lok letters-batch``.

``letter-sample --kind KIND --out FILE`` renders a sample letter of any kind from the demo data
with the kind's current wording (PDF, or HTML when FILE ends in .html) – for reviewing
templates. ``letters-batch JOB_ID`` works through a letter batch (resumable: run it again after
an interruption and it continues; nothing is sent twice); ``letters-batch --queued`` runs every
batch that is waiting, ``--loop`` keeps doing so (a background worker).
"""
from __future__ import annotations

import threading
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from lokapp.cli import lok
from lokapp.extensions import db
from lokapp.letters import rendering, services
from lokapp.letters.context import APPEAL_ROUTES, sample_context
from lokapp.letters.models import BatchState, LetterBatch, LetterKind


@lok.command("letter-sample")
@click.option("--kind", "kind", required=True,
              type=click.Choice([k.value for k in LetterKind]), help="Brevets sort.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Filen att skriva (.pdf eller .html).")
@click.option("--language", default="sv", type=click.Choice(["sv", "en"]), show_default=True)
@click.option("--appeal", default=None, type=click.Choice(APPEAL_ROUTES),
              help="Visa den här överklagandehänvisningen i stället för den konfigurerade.")
def letter_sample_command(kind: str, out: Path, language: str, appeal: str | None):
    """Skapa ett exempelbrev med exempeldata (för att granska mallarna)."""
    with current_app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        try:
            template = services.current_template(kind)
        except (OperationalError, ProgrammingError):
            raise click.ClickException("databasen saknar brevmallarna – kör `flask db upgrade` "
                                       "först") from None
        db.session.commit()
        context = sample_context(kind, template, language=language, appeal=appeal)
        if out.suffix.lower() == ".html":
            out.write_text(rendering.render_html(context), encoding="utf-8")
        else:
            data = rendering.render_pdf(context)
            out.write_bytes(data)
    click.echo(f"{out}: {context['title']} (mall version {template.version})")


def _run(batch_id: int) -> None:
    batch = db.session.get(LetterBatch, batch_id)
    if batch is None:
        raise click.ClickException(f"det finns inget utskick med nummer {batch_id}")
    with current_app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        counts = services.run_batch(
            batch_id, on_item=lambda n: n % 25 == 0 and click.echo(f"  {n} ärenden klara"))
    click.echo(f"utskick {batch_id}: {counts['issued']} brev skickade, {counts['skipped']} "
               f"hade redan brev, {counts['failed']} misslyckades, {counts['pending']} kvar")


def _waiting() -> list[int]:
    return list(db.session.scalars(select(LetterBatch.id).where(
        LetterBatch.state.in_([BatchState.QUEUED, BatchState.RUNNING]))
        .order_by(LetterBatch.id)))


@lok.command("letters-batch")
@click.argument("batch_id", required=False, type=int)
@click.option("--queued", is_flag=True, help="Kör alla utskick som väntar.")
@click.option("--loop", is_flag=True, help="Fortsätt och kör nya utskick när de kommer.")
@click.option("--interval", default=10.0, type=click.FloatRange(min=0.5), show_default=True)
def letters_batch_command(batch_id: int | None, queued: bool, loop: bool, interval: float):
    """Skicka beslutsbreven i ett utskick (kan köras igen; inget skickas två gånger)."""
    if batch_id is None and not (queued or loop):
        raise click.UsageError("ange ett utskicksnummer, --queued eller --loop")
    if batch_id is not None:
        _run(batch_id)
        return
    stop = threading.Event()
    while True:
        for waiting in _waiting():
            _run(waiting)
        if not loop or stop.wait(interval):
            return

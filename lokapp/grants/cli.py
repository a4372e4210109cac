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

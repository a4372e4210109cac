"""``flask lok agreement-notify``: ask signatories to sign a version that has become current.

Run it once a day (e.g. from a systemd timer shortly after midnight). A version published for a
later date becomes current on that date by itself; this command sends the "please sign again"
mails for it, once. Publishing a version that is already in force sends them at once.
"""
from __future__ import annotations

import click
from flask import current_app

from lokapp.agreement import demo as _demo  # noqa: F401 - registers the demo step
from lokapp.agreement.services import request_resigning
from lokapp.cli import lok
from lokapp.extensions import db


@lok.command("agreement-notify")
def agreement_notify_command():
    """Be föreningar underteckna en ny gällande version av LÖK:en (en gång per version)."""
    with current_app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        asked = request_resigning()
        db.session.commit()
    click.echo(f"{asked} föreningar ombads underteckna den gällande versionen.")

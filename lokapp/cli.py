"""The ``flask lok`` command group; domains add their commands in their own ``cli.py``."""
from __future__ import annotations

from flask.cli import AppGroup

lok = AppGroup("lok", help="lokapp administration: demo data, staff accounts, reminders.")

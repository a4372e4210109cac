"""``flask lok create-staff`` and ``flask lok demo`` (to be completed)."""
from __future__ import annotations

from lokapp.cli import lok  # noqa: F401

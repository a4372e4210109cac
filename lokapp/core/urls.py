"""URL helpers."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only same-site relative paths are followed after login or a language switch."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return fallback
    return target


# The largest value of a 32-bit INTEGER column (every id column; PostgreSQL's serial).
MAX_ID = 2**31 - 1


def id_arg(args, name: str) -> int | None:
    """An id from the query string (``?bidrag=3``): a positive integer an id column can hold,
    else None, so a filter link with ``abc``, ``-1`` or ``99999999999999999999`` just shows the
    unfiltered list (a too-large number would overflow the database driver: a 500)."""
    value = args.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ID else None

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

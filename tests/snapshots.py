"""Snapshot tests of rendered text (mail templates): compare with the stored file."""
from __future__ import annotations

import os
from pathlib import Path

import pytest


def assert_matches_snapshot(rendered: str, path: Path) -> None:
    """``rendered`` must equal the snapshot at ``path``. A missing snapshot is written and the
    test fails (review and commit it); ``UPDATE_SNAPSHOTS=1`` rewrites the snapshots."""
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(rendered, encoding="utf-8")
    elif not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
        pytest.fail(f"{path.name} did not exist and was written now; review and commit it")
    assert rendered == path.read_text(encoding="utf-8"), (
        f"{path.name} changed; review the wording and run with UPDATE_SNAPSHOTS=1")

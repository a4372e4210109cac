"""Snapshot tests of the follow-up report's e-mails (``snapshots/grant_follow_up_*``).

Changed wording must be reviewed: run with ``UPDATE_SNAPSHOTS=1`` to rewrite the files, then
read the diff before committing. A missing snapshot fails (and is written for review)."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import render_template
from flask_babel import force_locale

from tests.snapshots import assert_matches_snapshot

SNAPSHOTS = Path(__file__).parent / "snapshots"

BASE = {"name": "Sara Sökande", "number": "LOK 2026/00042", "association": "Bäckby Schackklubb",
        "programme": "Projektbidrag (LÖK-projekt)",
        "link": "http://localhost/bidrag/ansokningar/7/redovisning"}

CASES = {
    "reminder_before": ("mail/grant_follow_up_reminder",
                        {"kind": "before", "due_on": "2027-03-12", "completion_message": ""}),
    "reminder_overdue": ("mail/grant_follow_up_reminder",
                         {"kind": "overdue", "due_on": "2027-03-12",
                          "completion_message": "Bifoga kvitton för lägerplatsen."}),
    "received": ("mail/grant_follow_up_received",
                 {"costs": "28\u00a0000", "income": "3\u00a0000", "participants": 30}),
    "accepted": ("mail/grant_follow_up_accepted", {"note": "Tack för en tydlig redovisning."}),
    "to_officer": ("mail/grant_follow_up_to_officer", {"name": "Olle Handläggare",
                                                       "link": "http://localhost/bidrag/"
                                                               "handlaggning/7/redovisning"}),
    "completion": ("mail/grant_follow_up_completion",
                   {"message": "Bifoga kvitton för lägerplatsen.", "deadline": "2027-04-01"}),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("part", ["txt", "html"])
def test_follow_up_mail_matches_its_snapshot(app, name, part):
    template, context = CASES[name]
    with app.test_request_context(), force_locale("sv"):
        rendered = render_template(f"{template}.{part}", subject="Ämne",
                                   **{**BASE, **context})
    path = SNAPSHOTS / f"grant_follow_up_{name}.{part}"
    assert_matches_snapshot(rendered, path)

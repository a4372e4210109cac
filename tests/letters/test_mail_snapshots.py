"""Snapshot tests of the decision e-mail bodies (``snapshots/*.txt`` and ``.html``).

Changed wording must be reviewed: run with ``UPDATE_SNAPSHOTS=1`` to rewrite the files, then
read the diff before committing.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import render_template
from flask_babel import force_locale

from lokapp.letters.context import sample_context
from lokapp.letters.kinds import KINDS
from lokapp.letters.sandbox import html_to_text
from lokapp.letters.services import current_template
from tests.snapshots import assert_matches_snapshot

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _context(kind) -> dict:
    letter = sample_context(kind, current_template(kind))
    return {"subject": letter["title"], "name": letter["applicant"]["name"],
            "title": letter["title"], "number": letter["case"]["number"],
            "association": letter["association"]["name"], "body_html": letter["body_html"],
            "body_text": html_to_text(letter["body_html"]),
            "reasons": letter["decision"]["reasons"], "note": letter["decision"]["note"],
            "case_url": "http://localhost/forening/registreringar/42",
            "letter_url": "http://localhost/brev/7",
            "filename": "beslut-LOK-2026-00042.pdf", "officer": letter["officer"],
            "authority": letter["authority"]}


@pytest.mark.parametrize("kind", [k.value for k in KINDS])
@pytest.mark.parametrize("part", ["txt", "html"])
def test_decision_mail_matches_its_snapshot(app, db, kind, part):
    with force_locale("sv"):
        rendered = render_template(f"mail/letter_decision.{part}", **_context(kind))
    path = SNAPSHOTS / f"letter_decision_{kind}.{part}"
    assert_matches_snapshot(rendered, path)

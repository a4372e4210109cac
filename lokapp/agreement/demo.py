"""Demo step for the LÖK: the 2018–2024 version is in place.

Migration 0004 seeds that version; this step puts it back if a development database lost it
(for instance after a manual clean-up), so the demo's signatures have a version to sign. The
directory/demo step adds signatures with :func:`lokapp.agreement.services.sign`.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from lokapp.agreement.models import AgreementVersion, checksum_of, normalise_body
from lokapp.auth.demo import demo_step
from lokapp.core import audit
from lokapp.extensions import db

TEXT_PATH = Path(__file__).parent / "texts" / "lok_2018_2024.txt"

SEEDED_VERSION = {
    "title": "Västerås lokala överenskommelse mellan Västerås stad och civilsamhället",
    "period_label": "2018–2024",
    "effective_from": date(2018, 8, 22),
    "adopted_by": "Kommunstyrelsen",
    # Adopted by Kommunstyrelsen 2018-08-22 (midnight in Stockholm).
    "published_at": datetime(2018, 8, 21, 22, 0, tzinfo=UTC),
}


def seeded_text() -> str:
    return normalise_body(TEXT_PATH.read_text(encoding="utf-8"))


@demo_step(order=15)
def load_demo_agreement() -> list[str]:
    """Ensure LÖK 2018–2024 exists and is published (idempotent)."""
    body = seeded_text()
    checksum = checksum_of(body)
    existing = db.session.scalar(select(AgreementVersion).where(
        AgreementVersion.checksum == checksum, AgreementVersion.published_at.is_not(None)))
    if existing is not None:
        return [f"oförändrad: LÖK {existing.period_label}"]
    version = AgreementVersion(body=body, checksum=checksum, created_at=SEEDED_VERSION[
        "published_at"], updated_at=SEEDED_VERSION["published_at"],
        resign_requested_at=SEEDED_VERSION["published_at"], **SEEDED_VERSION)
    db.session.add(version)
    db.session.flush()
    audit.record("agreement.demo_version", version, period=version.period_label)
    return [f"skapad: LÖK {version.period_label}"]

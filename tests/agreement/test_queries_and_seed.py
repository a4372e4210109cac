"""The helpers other domains use, the seeded version, the demo step and the mail templates."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lokapp.agreement import queries
from lokapp.agreement.demo import load_demo_agreement, seeded_text
from lokapp.agreement.models import AgreementVersion, SignatureState, checksum_of
from lokapp.associations.models import Association
from lokapp.core.mail import queue_mail

TEXT_FILE = (Path(__file__).resolve().parents[2] / "lokapp" / "agreement" / "texts"
             / "lok_2018_2024.txt")


def test_the_migration_seeds_lok_2018_2024_exactly(seeded):
    assert seeded is not None and seeded.is_published
    assert seeded.body == TEXT_FILE.read_text(encoding="utf-8")
    assert seeded.checksum == checksum_of(seeded.body)
    assert seeded.effective_from.isoformat() == "2018-08-22"
    assert seeded.adopted_by == "Kommunstyrelsen"
    assert seeded.period_label == "2018–2024"
    assert queries.current_version().id == seeded.id


def test_the_versions_table_is_reference_data(app):
    assert AgreementVersion.__table__.info.get("reference_data") is True


def test_signed_current_select_and_has_signed_current(db, make_association, seeded,
                                                      signed_row, new_version):
    signed = make_association()
    signed_row(signed, seeded)
    withdrawn = make_association()
    signed_row(withdrawn, seeded, state=SignatureState.WITHDRAWN)
    never = make_association()

    ids = set(db.session.scalars(queries.signed_current_select()))
    assert signed.id in ids and withdrawn.id not in ids and never.id not in ids
    # Usable inside a larger statement (the directory's LÖK filter).
    names = db.session.scalars(select(Association.name).where(
        Association.id.in_(queries.signed_current_select()))).all()
    assert names == [signed.name]
    assert queries.has_signed_current(signed.id)
    assert not queries.has_signed_current(withdrawn.id)
    assert not queries.has_signed_current(never.id)

    new_version()
    assert not queries.has_signed_current(signed.id)
    assert queries.standing(signed.id).standing == queries.Standing.SIGNED_EARLIER
    assert queries.has_signed_current(signed.id, today=seeded.effective_from)


def test_no_version_is_current_before_the_first_took_effect(db, seeded):
    from datetime import date

    assert queries.current_version(today=date(2018, 8, 21)) is None
    assert not db.session.scalars(queries.signed_current_select(today=date(2018, 8, 21))).all()


def test_the_demo_step_is_idempotent_and_restores_the_version(db, seeded):
    assert load_demo_agreement() == ["oförändrad: LÖK 2018–2024"]
    db.session.delete(seeded)
    db.session.flush()
    assert load_demo_agreement() == ["skapad: LÖK 2018–2024"]
    restored = queries.current_version()
    assert restored.body == seeded_text() and restored.checksum == checksum_of(restored.body)
    assert load_demo_agreement() == ["oförändrad: LÖK 2018–2024"]


BASE = {"association_name": "Föreningen <b>", "version_title": "LÖK", "period": "2025–2030",
        "effective_from": "2025-01-01", "checksum": "ab" * 32,
        "link": "http://localhost/forening/1/lok", "text_link": "http://localhost/lok"}
CONTEXTS = {
    "mail/agreement_new_version": BASE,
    "mail/agreement_prepared": {**BASE, "prepared_by": "Karin <i>"},
    "mail/agreement_signed": {**BASE, "name": "Fredrik <i>", "signed_at": "2026-01-02 10:00",
                              "ip": "203.0.113.7", "signed_checksum": "ab" * 32},
    "mail/agreement_withdrawn": {**BASE, "withdrawn_by": "Fredrik <i>",
                                 "withdrawn_at": "2026-01-02 10:00", "reason": "Skäl <script>"},
}


@pytest.mark.parametrize("template", CONTEXTS)
def test_mail_templates_render_as_text_and_escaped_html(db, template):
    context = CONTEXTS[template]
    message = queue_mail(to="a@example.se", subject="Ämne", template=template, context=context)
    assert "Föreningen <b>" in message.body_text
    assert "Föreningen &lt;b&gt;" in message.body_html and "<b>" not in message.body_html
    assert context["link"] in message.body_text
    assert f'href="{context["link"]}"' in message.body_html
    assert "Västerås stad" in message.body_text
    assert "<script>" not in message.body_html

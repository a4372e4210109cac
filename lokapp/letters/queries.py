"""Queries the letter pages share (they return ``select()`` or plain lists)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lokapp.core.mail import OutboxMessage, OutboxStatus
from lokapp.extensions import db
from lokapp.letters.models import Letter, LetterDispatch


def letters_of_case(case_id: int):
    return (select(Letter).where(Letter.case_id == case_id)
            .options(selectinload(Letter.dispatches).selectinload(LetterDispatch.outbox_message))
            .order_by(Letter.created_at.desc(), Letter.id.desc()))


def letters_of_association(association_id: int):
    return (select(Letter).where(Letter.association_id == association_id)
            .options(selectinload(Letter.case),
                     selectinload(Letter.dispatches).selectinload(LetterDispatch.outbox_message))
            .order_by(Letter.created_at.desc(), Letter.id.desc()))


@dataclass
class Delivery:
    """A letter's e-mail delivery as the case page shows it."""

    letter: Letter
    latest: OutboxMessage | None   # the newest dispatch's outbox message
    failed: list[OutboxMessage]    # dispatches that could not be delivered

    @property
    def has_failure(self) -> bool:
        return bool(self.failed) and (self.latest is None
                                      or self.latest.status == OutboxStatus.FAILED)


def deliveries(letters: list[Letter]) -> list[Delivery]:
    result = []
    for letter in letters:
        messages = [d.outbox_message for d in letter.dispatches if d.outbox_message is not None]
        result.append(Delivery(letter, messages[-1] if messages else None,
                               [m for m in messages if m.status == OutboxStatus.FAILED]))
    return result


def deliveries_for_case(case) -> list[Delivery]:
    """For the officer's case page (``templates/letters/_case_panel.html``)."""
    return deliveries(list(db.session.scalars(letters_of_case(case.id))))

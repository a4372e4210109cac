"""Column types shared by all models."""
from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC on every database.

    SQLite keeps no zone, so values are normalised to UTC on the way in and marked UTC on the
    way out; naive datetimes are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class RichStrEnum(StrEnum):
    """A string enum whose members carry a label (Swedish via Babel) and a badge tone.

    Usage::

        class State(RichStrEnum):
            DRAFT = "draft", _l("Utkast"), "neutral"
            SUBMITTED = "submitted", _l("Inkommen"), "info"
    """

    def __new__(cls, value: str, label: Any = None, tone: str = "neutral"):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label if label is not None else value
        obj.tone = tone
        return obj

    def __str__(self) -> str:
        return self.value


def enum_type(enum_cls: type[StrEnum], length: int = 40) -> Enum:
    """Store a StrEnum as its string value with a CHECK constraint listing the legal values."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        name=enum_cls.__name__.lower(),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )

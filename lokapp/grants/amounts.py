"""Amounts in whole kronor, as Swedes type them: ``12 500``, ``12 500 kr``, ``12500:-``.

:func:`parse_sek` returns an int or raises :class:`AmountError` with a clear Swedish message:
öre are refused ("12 500,50"; "12 500,00" is fine), so are negative and absurd amounts.
:class:`AmountField` is the WTForms field for it.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, ValidationError

from lokapp.core.forms import NoControlCharacters, max_length_message, strip_filter
from lokapp.grants.models import ABSURD_AMOUNT_SEK

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_SUFFIX = re.compile(r"(?:kr(?:onor)?\.?|sek|:-)$", re.IGNORECASE)
_PLAIN = re.compile(r"^(\d+)(?:[,.](\d{1,2}))?$")
_GROUPED_DOTS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")


class AmountError(ValueError):
    """``str(error)`` is the Swedish message."""


def parse_sek(text: str | None, *, maximum: int | None = None) -> int | None:
    """Whole kronor from ``text``; None for empty input."""
    value = _SPACES.sub("", (text or "").strip())
    value = _SUFFIX.sub("", value)
    if not value:
        return None
    negative = value.startswith(("-", "−", "–"))
    if negative:
        value = value[1:]
    if _GROUPED_DOTS.match(value):  # 12.500 – a thousands separator, not decimals
        value = value.replace(".", "")
    match = _PLAIN.match(value)
    if not match:
        raise AmountError(str(_l("Skriv beloppet med siffror, till exempel 12 500.")))
    whole, ore = match.groups()
    if ore and int(ore) != 0:
        raise AmountError(str(_l("Skriv beloppet i hela kronor, utan öre – till exempel "
                                 "12 500 i stället för 12 500,50.")))
    if negative and int(whole) != 0:
        raise AmountError(str(_l("Beloppet kan inte vara negativt.")))
    amount = int(whole)
    if amount > ABSURD_AMOUNT_SEK:
        raise AmountError(str(_l("Beloppet är orimligt stort. Kontrollera att du inte har "
                                 "skrivit för många siffror.")))
    if maximum is not None and amount > maximum:
        raise AmountError(str(_l("Beloppet får vara högst %(max)s kronor.",
                                 max=f"{maximum:,}".replace(",", "\u00a0"))))
    return amount


class AmountField(StringField):
    """A text field for whole kronor; ``.amount`` is the parsed int (None if empty)."""

    def __init__(self, label=None, validators=None, maximum: int | None = None, **kwargs):
        validators = [*(validators or []), Length(max=20, message=max_length_message(20)),
                      NoControlCharacters()]
        render_kw = {"inputmode": "numeric", "autocomplete": "off", "maxlength": 20,
                     **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, filters=[strip_filter], render_kw=render_kw,
                         **kwargs)
        self.maximum = maximum
        self.amount: int | None = None

    def pre_validate(self, form):
        if self.data and len(self.data) > 20:
            return  # the Length validator says so
        try:
            self.amount = parse_sek(self.data, maximum=self.maximum)
        except AmountError as error:
            self.amount = None
            raise ValidationError(str(error)) from None

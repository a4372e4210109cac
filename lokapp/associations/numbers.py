"""Swedish identifiers: organisationsnummer, bankgiro and plusgiro.

Organisationsnummer are validated with python-stdnum (``stdnum.se.orgnr``). Bankgiro and
plusgiro numbers are checked with the Luhn (modulus 10) check digit as Bankgirot and Plusgirot
specify; python-stdnum has no module for them, but its ``luhn`` does the arithmetic.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr as _orgnr

_SEPARATORS = re.compile(r"[\s\-]")


class NumberError(ValueError):
    """An invalid number; ``str(error)`` is a Swedish message."""


def clean_orgnr(value: str) -> str:
    """The compact 10-digit form of a valid organisationsnummer (with or without dash).

    A 12-digit form with a century prefix (``16`` for legal persons) is accepted too.
    """
    raw = _SEPARATORS.sub("", value or "")
    if len(raw) == 12 and raw.startswith("16"):
        raw = raw[2:]
    if not raw:
        raise NumberError(_l("Fyll i organisationsnumret, till exempel 802432-0015."))
    if not raw.isdigit():
        raise NumberError(_l("Organisationsnumret får bara innehålla siffror och ett bindestreck."))
    if len(raw) != 10:
        raise NumberError(_l("Organisationsnumret ska ha 10 siffror, till exempel 802432-0015."))
    try:
        return _orgnr.validate(raw)
    except StdnumError as exc:
        raise NumberError(
            _l("Organisationsnumret stämmer inte – kontrollsiffran är fel. Kontrollera numret.")
        ) from exc


def format_orgnr(compact: str) -> str:
    return _orgnr.format(compact)


def _luhn_number(value: str, lengths: range, kind: str, example: str) -> str:
    raw = _SEPARATORS.sub("", value or "")
    if not raw.isdigit():
        raise NumberError(_l("%(kind)s får bara innehålla siffror och bindestreck.", kind=kind))
    if len(raw) not in lengths:
        raise NumberError(_l("%(kind)s har fel antal siffror, till exempel %(example)s.",
                             kind=kind, example=example))
    try:
        luhn.validate(raw)
    except StdnumError as exc:
        raise NumberError(_l("%(kind)s stämmer inte – kontrollsiffran är fel.",
                             kind=kind)) from exc
    return raw


def clean_bankgiro(value: str) -> str:
    """7 or 8 digits with a Luhn check digit; returned without dash."""
    return _luhn_number(value, range(7, 9), _l("Bankgironumret"), "5050-1055")


def format_bankgiro(compact: str) -> str:
    return f"{compact[:-4]}-{compact[-4:]}"


def clean_plusgiro(value: str) -> str:
    """2 to 8 digits with a Luhn check digit; returned without dash."""
    return _luhn_number(value, range(2, 9), _l("Plusgironumret"), "90 20 03-3")


def format_plusgiro(compact: str) -> str:
    return f"{compact[:-1]}-{compact[-1]}"

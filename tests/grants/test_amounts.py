"""Amounts as Swedes type them; clear messages for öre, negative and absurd amounts."""
import pytest

from lokapp.grants.amounts import AmountError, parse_sek


@pytest.mark.parametrize("text, expected", [
    ("12500", 12500), ("12 500", 12500), ("12\u00a0500", 12500), ("12\u202f500 kr", 12500),
    ("12 500 SEK", 12500), ("12500:-", 12500), ("12 500,00", 12500), ("12.500", 12500),
    ("1.250.000", 1250000), ("0", 0), ("", None), ("   ", None),
])
def test_parses_swedish_amounts(text, expected):
    assert parse_sek(text) == expected


@pytest.mark.parametrize("text, message", [
    ("12 500,50", "utan öre"),
    ("12500.5", "utan öre"),
    ("-500", "negativt"),
    ("−500", "negativt"),
    ("1000000000", "orimligt stort"),
    ("tolv tusen", "med siffror"),
    ("12,500,000", "med siffror"),
])
def test_refuses_with_clear_messages(text, message):
    with pytest.raises(AmountError) as error:
        parse_sek(text)
    assert message in str(error.value)


def test_maximum():
    assert parse_sek("50 000", maximum=50000) == 50000
    with pytest.raises(AmountError, match="högst 50\u00a0000 kronor"):
        parse_sek("50 001", maximum=50000)

import pytest

from lokapp.associations.numbers import (
    NumberError,
    clean_bankgiro,
    clean_orgnr,
    clean_plusgiro,
    format_bankgiro,
    format_orgnr,
    format_plusgiro,
)


@pytest.mark.parametrize("value", ["802432-0015", "8024320015", " 802432-0015 ",
                                   "16802432-0015", "168024320015"])
def test_valid_orgnr_with_and_without_dash(value):
    assert clean_orgnr(value) == "8024320015"
    assert format_orgnr("8024320015") == "802432-0015"


@pytest.mark.parametrize(("value", "message"), [
    ("802432-0012", "kontrollsiffran"),
    ("802432-001", "10 siffror"),
    ("80243200151", "10 siffror"),
    ("80243A-0012", "bara innehålla siffror"),
    ("", "Fyll i"),
])
def test_invalid_orgnr_says_why(value, message):
    with pytest.raises(NumberError, match=message):
        clean_orgnr(value)


def test_bankgiro():
    assert clean_bankgiro("5050-1055") == "50501055"
    assert format_bankgiro("50501055") == "5050-1055"
    assert clean_bankgiro("991-2346") == "9912346"
    with pytest.raises(NumberError, match="kontrollsiffran"):
        clean_bankgiro("5050-1056")
    with pytest.raises(NumberError, match="antal siffror"):
        clean_bankgiro("12345")


def test_plusgiro():
    assert clean_plusgiro("90 20 03-3") == "9020033"
    assert format_plusgiro("9020033") == "902003-3"
    with pytest.raises(NumberError, match="kontrollsiffran"):
        clean_plusgiro("902003-4")

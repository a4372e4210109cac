"""The base form and validators every form in lokapp uses.

Bad input gets a clear Swedish message and the form keeps what the user typed. Every text field
carries a length limit (``tests/core/test_forms.py`` walks all form classes to prove it) and
refuses control characters, which have no place in names, addresses or messages.
"""
from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

# C0/C1 control characters except tab, newline and carriage return (allowed in long texts).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_LINEBREAK = re.compile(r"[\r\n\t]")


def strip_filter(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


class NoControlCharacters:
    """Refuse invisible control characters; ``multiline`` allows line breaks and tabs."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        value = field.data
        if not isinstance(value, str):
            return
        if _CONTROL.search(value) or (not self.multiline and _LINEBREAK.search(value)):
            raise ValidationError(
                _l("Fältet innehåller osynliga styrtecken. Ta bort dem och försök igen.")
            )


# Labels that are questions or instructions ("Vad behöver kompletteras?", "Beskriv problemet")
# cannot be lower-cased into a sentence; they are quoted as they stand.
_QUOTED_FIRST_WORDS = frozenset({
    "vad", "vilken", "vilket", "vilka", "vem", "när", "hur", "varför", "var", "beskriv",
    "skriv", "ange", "berätta", "välj", "fyll", "what", "which", "who", "when", "how", "why",
    "where", "describe", "write", "enter", "state", "choose", "select", "tell", "fill"})


def in_sentence(label) -> LazyString:
    """A field label as it reads inside a message: "Namn" → "namn"; a label that starts with
    an abbreviation ("LÖK-datum"; "E-post" is not one) keeps its capitals; a question or an
    instruction is quoted as it stands ("”Beskriv problemet”", "”Vad behöver
    kompletteras?”"). Lazy, so the label is translated first."""
    def render() -> str:
        text = str(label).strip()
        words = text.split(maxsplit=1)
        if text.endswith("?") or (words and words[0].lower() in _QUOTED_FIRST_WORDS):
            return f"”{text}”"
        text = text.rstrip(":.")
        if len(text) > 1 and text[1].isupper():
            return text
        return text[:1].lower() + text[1:]

    return LazyString(render)


def max_length_message(maximum: int):
    return _l("Högst %(max)d tecken.", max=maximum)


def text_field(label, *, max_length: int, required: bool = True, description: str = "",
               min_length: int = 0, **kwargs) -> StringField:
    """A one-line text field with a length limit and no control characters."""
    validators = [
        DataRequired(message=_l("Fyll i %(label)s.", label=in_sentence(label)))
        if required
        else Optional(),
        Length(min=min_length, max=max_length,
               message=_l("Mellan %(min)d och %(max)d tecken.", min=min_length, max=max_length)
               if min_length else max_length_message(max_length)),
        NoControlCharacters(),
        *kwargs.pop("validators", []),
    ]
    render_kw = {"maxlength": max_length, **kwargs.pop("render_kw", {})}
    return StringField(label, validators=validators, description=description,
                       filters=[strip_filter], render_kw=render_kw, **kwargs)


def long_text_field(label, *, max_length: int, required: bool = True, description: str = "",
                    **kwargs) -> TextAreaField:
    validators = [
        DataRequired(message=_l("Fyll i %(label)s.", label=in_sentence(label))) if required else Optional(),
        Length(max=max_length, message=max_length_message(max_length)),
        NoControlCharacters(multiline=True),
        *kwargs.pop("validators", []),
    ]
    render_kw = {"maxlength": max_length, "rows": 6, **kwargs.pop("render_kw", {})}
    return TextAreaField(label, validators=validators, description=description,
                         filters=[strip_filter], render_kw=render_kw, **kwargs)


class BaseForm(FlaskForm):
    """All lokapp forms derive from this (CSRF on every POST comes from FlaskForm)."""


class EmptyForm(BaseForm):
    """For state-changing buttons without fields: a POST with a CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; only the offered values are accepted."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        legal = {str(value) for value, _label in self.choices}
        if any(str(value) not in legal for value in self.data or ()):
            raise ValidationError(_l("Välj bland alternativen i listan."))


_SPACES = re.compile(r"[\s\u00a0\u202f]")


class WholeNumberField(IntegerField):
    """A whole number typed in a text input (not ``type=number``), so what was typed is shown
    back with the error; spaces as thousands separators are accepted ("50 000")."""

    widget = TextInput()
    max_digits = 9
    suffix = ""

    def error_message(self):
        return _l("Skriv ett heltal med siffror, till exempel 12.")

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        raw = _SPACES.sub("", valuelist[0] or "")
        if self.suffix and raw.lower().endswith(self.suffix):
            raw = raw[: -len(self.suffix)]
        if raw == "":
            self.data = None
            return
        if not re.fullmatch(rf"\d{{1,{self.max_digits}}}", raw):
            self.data = None
            raise ValueError(str(self.error_message()))
        self.data = int(raw)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class SekField(WholeNumberField):
    """Whole kronor; "50 000" and "50 000 kr" are accepted."""

    max_digits = 12
    suffix = "kr"

    def error_message(self):
        return _l("Skriv beloppet i hela kronor med siffror, till exempel 50000.")

"""Casework forms: bulk assign (the filters are a plain GET form read by the view), an
internal note, a message to or from the applicant, and a declaration of jäv.

The text fields have different names (``note``, ``message``, ``reason``) because the forms
share one case page and a field's name is its element id."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from lokapp.casework.models import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from lokapp.core.forms import BaseForm, long_text_field


class AssignForm(BaseForm):
    # Choices are the officers of the acting officer's areas, filled in by the view.
    officer = SelectField(_l("Handläggare"), coerce=int, validate_choice=False)


class NoteForm(BaseForm):
    note = long_text_field(
        _l("Ny anteckning"), max_length=NOTE_MAX_LENGTH,
        description=_l("Bara handläggare ser anteckningarna. De visas aldrig för den som "
                       "sökt."), render_kw={"rows": 4})


class MessageForm(BaseForm):
    message = long_text_field(_l("Meddelande"), max_length=MESSAGE_MAX_LENGTH,
                              render_kw={"rows": 5})


class DisqualificationForm(BaseForm):
    reason = long_text_field(
        _l("Varför är du jävig?"), max_length=REASON_MAX_LENGTH,
        description=_l("Till exempel att du är släkt med någon i föreningens styrelse."),
        render_kw={"rows": 3})

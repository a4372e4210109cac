"""Forms of the letter pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from lokapp.core.forms import BaseForm, long_text_field, text_field

SUBJECT_MAX = 300
BODY_MAX = 20_000


class TemplateForm(BaseForm):
    """A kind's wording in Swedish and English; "Förhandsgranska" and "Spara" post to two
    routes (``formaction``), so no view branches on the button."""

    subject_sv = text_field(_l("Ämnesrad och rubrik på svenska"), max_length=SUBJECT_MAX)
    body_sv = long_text_field(_l("Beslutstext på svenska"), max_length=BODY_MAX,
                              render_kw={"rows": 14})
    subject_en = text_field(_l("Ämnesrad och rubrik på engelska"), max_length=SUBJECT_MAX)
    body_en = long_text_field(_l("Beslutstext på engelska"), max_length=BODY_MAX,
                              render_kw={"rows": 14})

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in
                ("subject_sv", "body_sv", "subject_en", "body_en")}

    def fill(self, template) -> None:
        for name in ("subject_sv", "body_sv", "subject_en", "body_en"):
            getattr(self, name).data = getattr(template, name)


class BatchForm(BaseForm):
    cases = SelectMultipleField(
        _l("Ärenden som ska få beslutsbrev"), coerce=int,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        validate_choice=True,
        # Nothing ticked posts no value at all: the field's data is then None, not [].
        validators=[InputRequired(message=_l("Välj minst ett ärende."))])

"""Forms of the public core pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, SelectField
from wtforms.validators import Email, Length, Optional

from lokapp.core.forms import BaseForm, NoControlCharacters, long_text_field, text_field


class AccessibilityFeedbackForm(BaseForm):
    name = text_field(_l("Namn"), max_length=120, required=False)
    email = EmailField(
        _l("E-postadress"),
        validators=[Optional(), Length(max=254), NoControlCharacters(),
                    Email(message=_l("Skriv en giltig e-postadress, till exempel namn@exempel.se."))],
        description=_l("Om du vill ha svar. Vi svarar inom två veckor."),
        render_kw={"maxlength": 254, "autocomplete": "email"},
    )
    page = text_field(_l("Vilken sida gäller det?"), max_length=300, required=False,
                      description=_l("Till exempel adressen eller sidans rubrik."))
    message = long_text_field(_l("Beskriv problemet"), max_length=4000)


class LanguageForm(BaseForm):
    lang = SelectField(_l("Språk"), choices=[("sv", "Svenska"), ("en", "English")])
    next = HiddenField(validators=[Length(max=500)])

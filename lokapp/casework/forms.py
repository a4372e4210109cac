"""The bulk-assign form (the filters are a plain GET form read by the view)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from lokapp.core.forms import BaseForm


class AssignForm(BaseForm):
    # Choices are the officers of the acting officer's areas, filled in by the view.
    officer = SelectField(_l("Handläggare"), coerce=int, validate_choice=False)

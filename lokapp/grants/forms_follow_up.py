"""Forms of the follow-up report (redovisning) and the officer's answers to it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, FieldList, FormField
from wtforms.validators import DataRequired

from lokapp.associations.forms import UPLOAD_HINT
from lokapp.core.forms import BaseForm, long_text_field, text_field
from lokapp.grants.amounts import AmountField
from lokapp.grants.follow_up import REASONS_MAX, SUMMARY_MAX
from lokapp.grants.forms import BudgetLineForm
from lokapp.grants.forms_participants import (  # noqa: F401 - shared with the application
    MAX_PARTICIPANTS,
    ParticipantCountsForm,
    participant_field_name,
)
from lokapp.grants.models import LINE_MAX

LINE_ROWS_EXTRA = 3


class ReportForm(BaseForm):
    """The association's report: what was done, participants, actual costs and income."""

    summary = long_text_field(
        _l("Vad har föreningen gjort med bidraget?"), max_length=SUMMARY_MAX, required=False,
        description=_l("Beskriv vad ni gjorde, när, för vilka och hur det gick jämfört med "
                       "ansökan."))
    participants = FormField(ParticipantCountsForm, label=_l("Antal deltagare"))
    lines = FieldList(FormField(BudgetLineForm), label=_l("Kostnad eller intäkt"),
                      min_entries=0)


class ReportAttachmentForm(BaseForm):
    label = text_field(_l("Vad är det för fil?"), max_length=LINE_MAX,
                       description=_l("Till exempel Kvitton eller Bilder från lägret."))
    file = FileField(_l("Fil"), description=UPLOAD_HINT)


class AcceptReportForm(BaseForm):
    note = long_text_field(_l("Kommentar till föreningen"), max_length=3000, required=False,
                           description=_l("Frivilligt. Texten mejlas och sparas i ärendet."))


class ReportCompletionForm(BaseForm):
    message = long_text_field(_l("Vad behöver kompletteras i redovisningen?"), max_length=3000,
                              description=_l("Skriv så att föreningen förstår vad som saknas. "
                                             "Texten mejlas och sparas i ärendet."))
    deadline = DateField(_l("Ny sista dag för redovisningen"),
                         validators=[DataRequired(message=_l(
                             "Fyll i sista dag, till exempel 2026-12-15."))],
                         description=_l("Till exempel 2026-12-15."),
                         render_kw={"inputmode": "numeric", "maxlength": 10})


class RecoveryForm(BaseForm):
    amount = AmountField(_l("Belopp som ska betalas tillbaka (kronor)"),
                         validators=[DataRequired(message=_l(
                             "Fyll i hur mycket föreningen ska betala tillbaka."))],
                         description=_l("Hela kronor, högst det beviljade bidraget."))
    reasons = long_text_field(_l("Skäl för återkravet"), max_length=REASONS_MAX,
                              description=_l("Skälen står i beslutsbrevet. Skriv vad som inte "
                                             "har följts och varför beloppet krävs tillbaka."))

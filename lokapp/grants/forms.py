"""Grant forms: programme administration (the application steps come with the applications)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional, Regexp, ValidationError

from lokapp.associations.forms import MultiCheckboxField, WholeNumberField
from lokapp.core.forms import BaseForm, long_text_field, text_field
from lokapp.grants.amounts import AmountField
from lokapp.grants.models import (
    KEY_MAX,
    LINE_MAX,
    NAME_MAX,
    AppealRoute,
    Eligibility,
    QuestionKind,
    WindowKind,
)

LONG_MAX = 10_000


def _choices(enum_cls):
    return [(member.value, member.label) for member in enum_cls]


def lines_of(text: str | None, max_length: int = LINE_MAX) -> list[str]:
    """Non-empty lines of a text area, stripped and cut to ``max_length``."""
    return [line.strip()[:max_length] for line in (text or "").splitlines() if line.strip()]


class ProgrammeForm(BaseForm):
    key = text_field(_l("Kortnamn i webbadressen"), max_length=KEY_MAX,
                     description=_l("Små bokstäver, siffror och bindestreck, till exempel "
                                    "projektbidrag."),
                     validators=[Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l(
                         "Använd bara små bokstäver a–z, siffror och bindestreck."))])
    name_sv = text_field(_l("Namn"), max_length=NAME_MAX)
    name_en = text_field(_l("Namn på engelska"), max_length=NAME_MAX, required=False)
    description_sv = long_text_field(_l("Beskrivning på klarspråk"), max_length=LONG_MAX)
    description_en = long_text_field(_l("Beskrivning på engelska"), max_length=LONG_MAX,
                                     required=False)
    rules_sv = long_text_field(_l("Regler"), max_length=LONG_MAX)
    eligibility = RadioField(_l("Vilka föreningar får söka?"), choices=_choices(Eligibility),
                             default=Eligibility.ELIGIBLE.value)
    categories = MultiCheckboxField(_l("Bara föreningar i dessa kategorier"), coerce=int,
                                    choices=[], description=_l("Välj ingen om alla "
                                                               "kategorier får söka."))
    window_kind = RadioField(_l("När kan man söka?"), choices=_choices(WindowKind),
                             default=WindowKind.ROLLING.value)
    opens_on = DateField(_l("Första ansökningsdag"), validators=[Optional()],
                         description=_l("Till exempel 2026-01-15."))
    closes_on = DateField(_l("Sista ansökningsdag"), validators=[Optional()])
    is_monetary = BooleanField(_l("Bidraget är pengar"), default=True,
                               description=_l("Kryssa ur för stöd utan pengar, till exempel "
                                              "hjälp att söka externa projektmedel."))
    max_amount = AmountField(_l("Högsta belopp per ansökan (kronor)"),
                             description=_l("Lämna tomt om det inte finns något tak."))
    has_budget_table = BooleanField(_l("Ansökan har en budget med kostnader och intäkter"))
    required_attachments = long_text_field(
        _l("Bilagor som måste skickas med"), max_length=2000, required=False,
        description=_l("En bilaga per rad, till exempel Projektplan."))
    delegation_limit = AmountField(
        _l("Delegation: högsta belopp en handläggare beslutar om ensam (kronor)"),
        description=_l("Över beloppet blir beslutet ett förslag som en andra person "
                       "fastställer. Lämna tomt för att bara använda handläggarens egen "
                       "delegation."))
    appeal_route = RadioField(_l("Hur överklagas beslutet?"), choices=_choices(AppealRoute),
                              default=AppealRoute.LAGLIGHETSPROVNING.value)
    follow_up_required = BooleanField(_l("Föreningen ska lämna en redovisning"))
    follow_up_days = WholeNumberField(_l("Redovisningen ska lämnas inom (dagar efter beslut)"),
                                      validators=[Optional(), NumberRange(min=1, max=1000)])
    handling_days = WholeNumberField(_l("Normal handläggningstid (dagar)"),
                                     validators=[DataRequired(message=_l(
                                         "Fyll i normal handläggningstid.")),
                                         NumberRange(min=1, max=365)], default=30)
    is_active = BooleanField(_l("Visas och går att söka"), default=True)

    def validate_closes_on(self, field) -> None:
        if self.window_kind.data != WindowKind.DATES.value:
            return
        if self.opens_on.data is None or field.data is None:
            raise ValidationError(_l("Fyll i första och sista ansökningsdag, eller välj "
                                     "löpande ansökan."))
        if field.data < self.opens_on.data:
            raise ValidationError(_l("Sista ansökningsdag kan inte vara före den första."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() stops the field's own chain on empty input, so this rule lives here.
        if self.follow_up_required.data and not self.follow_up_days.data \
                and not self.follow_up_days.errors:
            self.follow_up_days.errors = [
                *self.follow_up_days.errors,
                _l("Fyll i inom hur många dagar redovisningen ska lämnas.")]
            valid = False
        return valid


class QuestionForm(BaseForm):
    kind = SelectField(_l("Typ av fråga"), choices=_choices(QuestionKind))
    label_sv = text_field(_l("Frågan"), max_length=LINE_MAX)
    label_en = text_field(_l("Frågan på engelska"), max_length=LINE_MAX, required=False)
    help_sv = text_field(_l("Hjälptext"), max_length=500, required=False)
    is_required = BooleanField(_l("Måste besvaras"), default=True)
    choices = long_text_field(_l("Alternativ (för val från lista)"), max_length=2000,
                              required=False, description=_l("Ett alternativ per rad."))

    def validate_choices(self, field) -> None:
        if self.kind.data == QuestionKind.CHOICE.value and len(lines_of(field.data)) < 2:
            raise ValidationError(_l("Skriv minst två alternativ, ett per rad."))


class BudgetForm(BaseForm):
    year = WholeNumberField(_l("År"), validators=[DataRequired(message=_l("Fyll i år.")),
                                                  NumberRange(min=2000, max=2100)])
    amount = AmountField(_l("Budget för året (kronor)"),
                         validators=[DataRequired(message=_l("Fyll i budgeten."))])

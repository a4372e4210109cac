"""Forms of the formula rules (see :mod:`lokapp.grants.formulas`): the programme's formula
fields (a mixin of ``ProgrammeForm``), the occasions step with its file upload, and the
rented premises step. Every step is an ordinary form: rows are added by saving, without
JavaScript."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import FieldList, FormField, RadioField, SelectField, StringField
from wtforms.validators import Length, ValidationError

from lokapp.core.forms import (
    BaseForm,
    NoControlCharacters,
    WholeNumberField,
    max_length_message,
    strip_filter,
    text_field,
)
from lokapp.grants import formulas
from lokapp.grants.amounts import AmountField
from lokapp.grants.models import LINE_MAX, FormulaKind

OCCASION_ROWS_EXTRA = 5
PREMISES_ROWS_EXTRA = 2
_DECIMAL = re.compile(r"^\s*-?\d[\d\s\u00a0]*[,.]\d+\s*$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class CountField(WholeNumberField):
    """A whole number where decimals and negative numbers get their own message."""

    max_digits = 6

    def process_formdata(self, valuelist) -> None:
        raw = (valuelist[0] if valuelist else "") or ""
        if _DECIMAL.match(raw):
            self.data = None
            raise ValueError(str(_l("Skriv ett heltal utan decimaler, till exempel 12 i "
                                    "stället för 12,5.")))
        if raw.strip().startswith(("-", "−", "–")):
            self.data = None
            raise ValueError(str(_l("Talet kan inte vara negativt.")))
        super().process_formdata(valuelist)


class DayField(StringField):
    """A date typed as 2026-03-14 (also offered as ``type=date``); ``.day`` is the date."""

    def __init__(self, label=None, validators=None, **kwargs):
        validators = [*(validators or []), Length(max=10, message=max_length_message(10)),
                      NoControlCharacters()]
        render_kw = {"maxlength": 10, "inputmode": "numeric", "autocomplete": "off",
                     **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, filters=[strip_filter], render_kw=render_kw,
                         **kwargs)
        self.day: date | None = None

    def pre_validate(self, form) -> None:
        self.day = None
        if not self.data:
            return
        match = _DAY.match(self.data)
        try:
            self.day = date(*(int(p) for p in match.groups())) if match else None
        except ValueError:
            self.day = None
        if self.day is None:
            raise ValidationError(_l("Skriv datumet som 2026-03-14."))
        if not 2000 <= self.day.year <= 2100:
            self.day = None
            raise ValidationError(_l("Datumet är orimligt. Kontrollera året."))


# --- the programme ---------------------------------------------------------------------------

class FormulaProgrammeFields:
    """The formula fields of ``ProgrammeForm`` and their validation (``validate_formula``)."""

    formula_kind = RadioField(
        _l("Räknas beloppet ut med en formel?"),
        choices=[(k.value, k.label) for k in FormulaKind], default=FormulaKind.NONE.value,
        description=_l("Med en formel räknas det sökta beloppet ut av uppgifterna i "
                       "ansökan. Högsta belopp per ansökan är ett tak även för formeln."))
    formula_rate = AmountField(_l("Aktivitetsstöd: kronor per deltagartillfälle"))
    formula_occasion = AmountField(_l("Aktivitetsstöd: kronor per sammankomst"),
                                   description=_l("Ett fast belopp för varje sammankomst som "
                                                  "räknas. Lämna tomt om det inte finns."))
    formula_age_min = CountField(_l("Aktivitetsstöd: deltagare från och med ålder"),
                                 description=_l("Till exempel 7."))
    formula_age_max = CountField(_l("Aktivitetsstöd: deltagare till och med ålder"),
                                 description=_l("Till exempel 25."))
    formula_min_group = CountField(
        _l("Aktivitetsstöd: minsta antal deltagare i åldersgruppen per sammankomst"),
        description=_l("Sammankomster med färre deltagare räknas inte. Till exempel 3."))
    formula_share = CountField(_l("Lokalbidrag: andel av årshyran (procent)"),
                               description=_l("Till exempel 50."))

    def fill_formula(self, programme) -> None:
        self.formula_kind.data = (programme.formula_kind or FormulaKind.NONE).value
        for name, column in (("formula_rate", "formula_rate_sek"),
                             ("formula_occasion", "formula_occasion_sek")):
            value = getattr(programme, column)
            getattr(self, name).data = "" if value is None else str(value)
        self.formula_age_min.data = programme.formula_age_min
        self.formula_age_max.data = programme.formula_age_max
        self.formula_min_group.data = programme.formula_min_group
        self.formula_share.data = programme.formula_share_percent

    def formula_data(self) -> dict:
        """The ``ProgrammeData`` fields of the formula."""
        return {"formula_kind": FormulaKind(self.formula_kind.data or "none"),
                "formula_rate_sek": self.formula_rate.amount,
                "formula_occasion_sek": self.formula_occasion.amount or None,
                "formula_age_min": self.formula_age_min.data,
                "formula_age_max": self.formula_age_max.data,
                "formula_min_group": self.formula_min_group.data,
                "formula_share_percent": self.formula_share.data}

    def _formula_error(self, field, message) -> None:
        if not field.errors:
            field.errors = [*field.errors, message]

    def validate_formula(self) -> bool:
        """Cross-field rules; returns False after adding messages to the fields."""
        kind = self.formula_kind.data
        before = sum(len(f.errors) for f in self)
        if kind in (FormulaKind.ACTIVITY.value, FormulaKind.RENT.value):
            if not self.is_monetary.data:
                self._formula_error(self.formula_kind, _l(
                    "En formel räknar ut ett belopp. Kryssa i att bidraget är pengar, eller "
                    "välj ingen formel."))
            if self.has_budget_table.data:
                self._formula_error(self.has_budget_table, _l(
                    "Välj budget eller formel. Med en formel räknas beloppet ut av formeln."))
        if kind == FormulaKind.ACTIVITY.value:
            rate = self.formula_rate.amount
            if rate is None and not self.formula_rate.errors:
                self._formula_error(self.formula_rate,
                                    _l("Fyll i kronor per deltagartillfälle."))
            elif rate is not None and not 1 <= rate <= formulas.MAX_RATE_SEK:
                self._formula_error(self.formula_rate, _l(
                    "Beloppet per deltagartillfälle ska vara mellan 1 och %(max)d kronor.",
                    max=formulas.MAX_RATE_SEK))
            occasion = self.formula_occasion.amount
            if occasion is not None and occasion > formulas.MAX_OCCASION_SEK:
                self._formula_error(self.formula_occasion, _l(
                    "Beloppet per sammankomst får vara högst %(max)s kronor.",
                    max=f"{formulas.MAX_OCCASION_SEK:,}".replace(",", "\u00a0")))
            for field in (self.formula_age_min, self.formula_age_max):
                if field.data is None and not field.errors:
                    self._formula_error(field, _l("Fyll i åldern."))
                elif field.data is not None and field.data > 120:
                    self._formula_error(field, _l("Åldern ska vara mellan 0 och 120 år."))
            if self.formula_age_min.data is not None and self.formula_age_max.data is not None \
                    and self.formula_age_min.data > self.formula_age_max.data \
                    and not self.formula_age_max.errors:
                self._formula_error(self.formula_age_max, _l(
                    "Den högsta åldern kan inte vara lägre än den lägsta."))
            group = self.formula_min_group.data
            if group is None and not self.formula_min_group.errors:
                self._formula_error(self.formula_min_group,
                                    _l("Fyll i minsta antal deltagare."))
            elif group is not None and not 1 <= group <= 100:
                self._formula_error(self.formula_min_group,
                                    _l("Minsta antal deltagare ska vara mellan 1 och 100."))
        if kind == FormulaKind.RENT.value:
            share = self.formula_share.data
            if share is None and not self.formula_share.errors:
                self._formula_error(self.formula_share, _l("Fyll i andelen av hyran."))
            elif share is not None and not 1 <= share <= 100:
                self._formula_error(self.formula_share,
                                    _l("Andelen ska vara mellan 1 och 100 procent."))
        return sum(len(f.errors) for f in self) == before


# --- aktivitetsstöd: the occasions -----------------------------------------------------------

def _period_fields():
    return (DayField(_l("Periodens första dag"), description=_l("Till exempel 2026-01-01.")),
            DayField(_l("Periodens sista dag"), description=_l("Till exempel 2026-06-30.")))


def _period_checked(form) -> bool:
    """The period's own rules, also when other fields have errors (all errors at once)."""
    if form.period_start.errors or form.period_end.errors:
        return False
    messages = formulas.check_period(form.period_start.day, form.period_end.day)
    form.period_end.errors = [*form.period_end.errors, *messages]
    return not messages


class OccasionLineForm(BaseForm):
    class Meta:
        csrf = False

    occurred_on = DayField(_l("Datum"))
    activity = text_field(_l("Aktivitet"), max_length=LINE_MAX, required=False)
    participants = CountField(_l("Deltagare i åldersgruppen"))
    leaders = CountField(_l("Ledare"))

    def is_empty(self) -> bool:
        return not any((self.occurred_on.data, self.activity.data,
                        self.participants.raw_data and self.participants.raw_data[0],
                        self.leaders.raw_data and self.leaders.raw_data[0]))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid or self.is_empty():
            return valid
        for field, message in ((self.occurred_on, _l("Fyll i datum.")),
                               (self.activity, _l("Fyll i aktivitet.")),
                               (self.participants, _l("Fyll i antal deltagare."))):
            if not field.data and field.data != 0:
                field.errors = [*field.errors, message]
                valid = False
        for field, maximum in ((self.participants, formulas.MAX_PARTICIPANTS),
                               (self.leaders, formulas.MAX_LEADERS)):
            if field.data is not None and field.data > maximum:
                field.errors = [*field.errors, _l("Orimligt många. Högst %(max)d går.",
                                                  max=maximum)]
                valid = False
        return valid

    def occasion(self, number: int) -> formulas.Occasion:
        return formulas.Occasion(self.occurred_on.day, self.activity.data,
                                 self.participants.data, self.leaders.data or 0, line=number)


class OccasionsForm(BaseForm):
    period_start, period_end = _period_fields()
    lines = FieldList(FormField(OccasionLineForm), label=_l("Sammankomst"), min_entries=0,
                      max_entries=formulas.MAX_OCCASIONS + OCCASION_ROWS_EXTRA)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return _period_checked(self) and valid

    def occasions(self) -> list[formulas.Occasion]:
        return [row.form.occasion(number) for number, row in enumerate(self.lines, start=1)
                if not row.form.is_empty()]


class OccasionUploadForm(BaseForm):
    period_start, period_end = _period_fields()
    file = FileField(_l("Fil med sammankomster (CSV eller Excel)"),
                     description=_l("En rad per sammankomst med kolumnerna datum, aktivitet, "
                                    "deltagare och ledare, till exempel "
                                    "2026-03-14;Fotbollsträning;12;2. Filen ersätter "
                                    "listan ovan."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return _period_checked(self) and valid


# --- lokalbidrag: the rented premises ---------------------------------------------------------

class PremisesLineForm(BaseForm):
    class Meta:
        csrf = False

    name = text_field(_l("Lokalens namn"), max_length=LINE_MAX, required=False)
    address = text_field(_l("Adress"), max_length=LINE_MAX, required=False)
    rent = AmountField(_l("Årshyra (kronor)"))
    landlord = SelectField(_l("Hyresvärd"), choices=[
        ("other", _l("Annan hyresvärd")), ("city", _l("Västerås stad"))], default="other")

    def is_empty(self) -> bool:
        return not any((self.name.data, self.address.data, self.rent.data))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid or self.is_empty():
            return valid
        for field, message in ((self.name, _l("Fyll i lokalens namn.")),
                               (self.address, _l("Fyll i adressen.")),
                               (self.rent, _l("Fyll i årshyran."))):
            if not field.data:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    def premises(self, number: int) -> formulas.Premises:
        return formulas.Premises(self.name.data, self.address.data, self.rent.amount or 0,
                                 self.landlord.data == "city", line=number)


class PremisesForm(BaseForm):
    lines = FieldList(FormField(PremisesLineForm), label=_l("Lokal"), min_entries=0,
                      max_entries=formulas.MAX_PREMISES + PREMISES_ROWS_EXTRA)

    def premises(self) -> list[formulas.Premises]:
        return [row.form.premises(number) for number, row in enumerate(self.lines, start=1)
                if not row.form.is_empty()]

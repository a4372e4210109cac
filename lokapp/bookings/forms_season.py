"""Forms of the seasonal allocation round: the round, a wish, allocating by hand.

Named ``forms_season`` so the form guard test finds it with the other ``forms`` modules.
Forms hand the services plain data; the choices that depend on the round are set by the view.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from lokapp.associations.models import AgeBand, Gender
from lokapp.bookings.forms import (
    ACTIVITY_MAX,
    WEEKDAYS,
    WholeNumberField,
    clock_field,
    clock_minutes,
    date_field,
)
from lokapp.bookings.rules import format_length
from lokapp.bookings.seasons import PRIORITY_RULES, WishData
from lokapp.core.forms import BaseForm, MultiCheckboxField, long_text_field, text_field

RULE_SLOTS = 4
LENGTHS = tuple(range(30, 8 * 60 + 1, 30))


class RoundForm(BaseForm):
    name = text_field(_l("Namn på omgången"), max_length=120,
                      description=_l("Till exempel ”Hösten 2027”."))
    season_starts_on = date_field(_l("Säsongen börjar"), description=_l("ÅÅÅÅ-MM-DD"))
    season_ends_on = date_field(_l("Säsongen slutar"), description=_l("ÅÅÅÅ-MM-DD"))
    applications_open_on = date_field(_l("Ansökan öppnar"), description=_l("ÅÅÅÅ-MM-DD"))
    applications_close_on = date_field(
        _l("Sista ansökningsdag"),
        description=_l("ÅÅÅÅ-MM-DD. Föreningarna kan ändra sin ansökan till och med den dagen."))
    rules_text = long_text_field(
        _l("Prioriteringsregler"), max_length=5000,
        description=_l("Publiceras för alla. Beskriv i klarspråk hur tiderna fördelas."))
    rule_1 = SelectField(_l("Prioritet 1"))
    rule_2 = SelectField(_l("Prioritet 2"))
    rule_3 = SelectField(_l("Prioritet 3"))
    rule_4 = SelectField(_l("Prioritet 4"))
    premises = MultiCheckboxField(_l("Lokaler i omgången"), coerce=int)
    previous_round = SelectField(
        _l("Förra säsongens omgång"),
        description=_l("Används för regeln om samma tid förra säsongen och när föreningar "
                       "kopierar sin förra ansökan."))

    def __init__(self, *args, premises_choices=(), round_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        rule_choices = [("", _l("Ingen regel"))] + [(key, rule.label)
                                                    for key, rule in PRIORITY_RULES.items()]
        for n in range(1, RULE_SLOTS + 1):
            self[f"rule_{n}"].choices = rule_choices
        self.premises.choices = list(premises_choices)
        self.previous_round.choices = [("", _l("Ingen"))] + [(str(i), name)
                                                           for i, name in round_choices]

    @property
    def priority_keys(self) -> list[str]:
        return [self[f"rule_{n}"].data for n in range(1, RULE_SLOTS + 1)
                if self[f"rule_{n}"].data]

    def validate_season_ends_on(self, field) -> None:
        if field.data and self.season_starts_on.data and field.data < self.season_starts_on.data:
            raise ValidationError(_l("Säsongen kan inte sluta innan den börjar."))

    def validate_applications_close_on(self, field) -> None:
        opens = self.applications_open_on.data
        if field.data and opens and field.data < opens:
            raise ValidationError(_l("Sista ansökningsdag kan inte vara före den dag ansökan "
                                     "öppnar."))
        if field.data and self.season_starts_on.data and field.data >= self.season_starts_on.data:
            raise ValidationError(_l("Ansökningstiden måste sluta innan säsongen börjar."))

    def validate_rule_1(self, field) -> None:
        keys = self.priority_keys
        if not keys:
            raise ValidationError(_l("Välj minst en prioriteringsregel."))
        if len(set(keys)) != len(keys):
            raise ValidationError(_l("Varje regel kan bara väljas en gång."))

    def validate_premises(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Välj minst en lokal."))


def participant_field_name(band_index: int, gender_index: int) -> str:
    return f"antal_{band_index}_{gender_index}"


class WishForm(BaseForm):
    weekday = SelectField(_l("Veckodag"), coerce=int,
                          choices=[(n, label) for n, label in enumerate(WEEKDAYS)],
                          validators=[InputRequired(message=_l("Välj veckodag."))])
    start = clock_field(_l("Starttid"), description=_l("Till exempel 18:00."))
    length = SelectField(_l("Längd"), coerce=int,
                         validators=[InputRequired(message=_l("Välj hur länge."))])
    premises = SelectField(_l("Lokal i första hand"),
                           validators=[InputRequired(message=_l("Välj en lokal."))])
    alt_premises = SelectField(_l("Lokal i andra hand"), default="",
                               description=_l("Om förstahandsvalet inte går att få."))
    activity = text_field(_l("Verksamhet"), max_length=ACTIVITY_MAX,
                          description=_l("Till exempel ”Fotbollsträning P12”."))

    def __init__(self, *args, premises_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.length.choices = [(n, format_length(n)) for n in LENGTHS]
        choices = [(str(i), name) for i, name in premises_choices]
        self.premises.choices = [("", _l("Välj lokal"))] + choices
        self.alt_premises.choices = [("", _l("Inget andrahandsval"))] + choices

    def participant_fields(self):
        """``[(band, [(gender, field), …]), …]`` for the table of participants."""
        return [(band, [(gender, self[participant_field_name(i, j)])
                        for j, gender in enumerate(Gender)])
                for i, band in enumerate(AgeBand)]

    def data_for_service(self) -> WishData:
        counts = {}
        for i, band in enumerate(AgeBand):
            for j, gender in enumerate(Gender):
                counts[(band.value, gender.value)] = \
                    self[participant_field_name(i, j)].data or 0
        start = clock_minutes(self.start)
        return WishData(self.weekday.data, start, start + self.length.data,
                        int(self.premises.data),
                        int(self.alt_premises.data) if self.alt_premises.data else None,
                        self.activity.data, counts)

    def fill_from(self, wish) -> None:
        from lokapp.bookings.rules import format_clock

        self.weekday.data, self.start.data = wish.weekday, format_clock(wish.start_minute)
        self.length.data = wish.minutes
        self.premises.data = str(wish.premises_id)
        self.alt_premises.data = str(wish.alt_premises_id or "")
        self.activity.data = wish.activity
        for i, band in enumerate(AgeBand):
            for j, gender in enumerate(Gender):
                self[participant_field_name(i, j)].data = wish.count(band.value, gender.value)


for _i, _band in enumerate(AgeBand):
    for _j, _gender in enumerate(Gender):
        # Digits only (so never negative), at most seven of them.
        setattr(WishForm, participant_field_name(_i, _j), WholeNumberField(
            _l("%(band)s, %(gender)s", band=_band.label, gender=_gender.label),
            validators=[Optional()]))


class AllocateForm(BaseForm):
    premises = SelectField(_l("Lokal"), validators=[InputRequired(
        message=_l("Välj en lokal."))])
    reason = text_field(_l("Skäl"), max_length=500,
                        description=_l("Sparas och står i föreningens beslut."))

    def __init__(self, *args, premises_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.premises.choices = [(str(i), name) for i, name in premises_choices]


class UnallocateForm(BaseForm):
    reason = text_field(_l("Skäl"), max_length=500,
                        description=_l("Sparas och står i föreningens beslut."))

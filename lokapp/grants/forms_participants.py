"""Participants by age band and gender: the grid the application (expected participants) and
the follow-up report (who took part) share.

:class:`ParticipantCountsForm` is a sub-form (``FormField``): one whole-number cell per age
band (rows) and gender (columns) of the register (``AgeBand`` / ``Gender``); blank cells count
as 0. Decimals and negative numbers get their own message; what was typed is shown back.
The template side is ``templates/_macros/participants.html``.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, FormField
from wtforms.validators import NumberRange, Optional, StopValidation

from lokapp.associations.models import AgeBand, Gender
from lokapp.core.forms import BaseForm
from lokapp.grants.forms_formulas import CountField

MAX_PARTICIPANTS = 1_000_000


def participant_field_name(band: AgeBand, gender: Gender) -> str:
    return f"{band.name.lower()}_{gender.name.lower()}"


class ParticipantCountField(CountField):
    """A count of people: up to seven digits are read, so a too large number is told it is
    too large (NumberRange), not that it is not a number."""

    max_digits = 9

    def pre_validate(self, form) -> None:
        # What was typed is not a count: that one message, not also the range's.
        if self.process_errors:
            raise StopValidation()


class ParticipantCountsForm(Form):
    """Participants by age band (rows) and gender (columns); blank cells count as 0."""

    def counts(self) -> dict[tuple[str, str], int]:
        return {(b.value, g.value): self[participant_field_name(b, g)].data or 0
                for b in AgeBand for g in Gender}

    def fill(self, counts: dict[tuple[str, str], int]) -> None:
        for b in AgeBand:
            for g in Gender:
                self[participant_field_name(b, g)].data = counts.get((b.value, g.value))

    def grid(self) -> list[tuple[AgeBand, list[tuple[Gender, object]]]]:
        """``[(band, [(gender, field), …]), …]``: the table's rows, for the macro."""
        return [(b, [(g, self[participant_field_name(b, g)]) for g in Gender])
                for b in AgeBand]

    @property
    def total(self) -> int:
        return sum(self.counts().values())


for _band in AgeBand:
    for _gender in Gender:
        setattr(ParticipantCountsForm, participant_field_name(_band, _gender),
                ParticipantCountField(
                    _l("Deltagare %(band)s, %(gender)s", band=_band.label,
                       gender=_gender.label),
                    validators=[Optional(), NumberRange(max=MAX_PARTICIPANTS, message=_l(
                        "Antalet är orimligt stort. Kontrollera siffrorna."))],
                    render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 9,
                               "size": 5}))


class ApplicationParticipantsForm(BaseForm):
    """The application's step "Deltagare": how many the association expects to take part."""

    participants = FormField(ParticipantCountsForm, label=_l("Antal deltagare"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        total = self.participants.form.total
        if total == 0:
            self.participants.form.form_errors.append(_l(
                "Fyll i hur många ni räknar med – minst en ruta i tabellen."))
            return False
        if total > MAX_PARTICIPANTS:
            self.participants.form.form_errors.append(_l(
                "Sammanlagt %(total)s deltagare är orimligt många. Kontrollera siffrorna.",
                total=total))
            return False
        return True

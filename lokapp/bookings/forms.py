"""Forms for booking, searching and the catalogue's administration.

Times of day are typed as text (``18:00``) and validated here into minutes; amounts are typed
in kronor (``125`` or ``125,50``) and become öre. Forms hand the services plain data.
"""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from lokapp.associations.models import District
from lokapp.bookings.models import BookerType, Equipment, PremisesType, Recurrence
from lokapp.bookings.pricing import parse_sek
from lokapp.bookings.rules import FIRST_DATE, LAST_DATE, format_clock, parse_clock
from lokapp.core.forms import (
    BaseForm,
    MultiCheckboxField,
    in_sentence,
    long_text_field,
    text_field,
)
from lokapp.core.forms import WholeNumberField as _WholeNumberField
from lokapp.extensions import db

ACTIVITY_MAX = 200
DATES_MAX = 1200
TEXT_MAX = 4000
WEEKDAYS = (_l("Måndag"), _l("Tisdag"), _l("Onsdag"), _l("Torsdag"), _l("Fredag"), _l("Lördag"),
            _l("Söndag"))
PRIVATE, COMMERCIAL = "private", "commercial"


class WholeNumberField(_WholeNumberField):
    """A whole number of at most seven digits (people, square metres, minutes)."""

    max_digits = 7


def number_field(label, *, minimum: int = 1, maximum: int = 1_000_000, required: bool = True,
                 description: str = "") -> WholeNumberField:
    return WholeNumberField(
        label, description=description,
        validators=[InputRequired(message=_l("Fyll i %(label)s.", label=in_sentence(label))) if required
                    else Optional(),
                    NumberRange(min=minimum, max=maximum, message=_l(
                        "Skriv ett tal mellan %(min)d och %(max)d.", min=minimum,
                        max=maximum))],
        render_kw={"inputmode": "numeric", "size": 6, "maxlength": 7})


def clock_field(label, *, required: bool = True, end: bool = False,
                description: str = "") -> object:
    """A time of day as text, ``18:00``; ``.minutes`` is set by :func:`clock_minutes`."""
    def valid(form, field) -> None:
        if field.data and parse_clock(field.data, allow_midnight_end=end) is None:
            raise ValidationError(_l("Skriv tiden som timmar och minuter, till exempel 18:00."))

    return text_field(label, max_length=5, required=required, description=description,
                      validators=[valid],
                      render_kw={"inputmode": "numeric", "size": 5, "autocomplete": "off",
                                 "placeholder": "18:00"})


def clock_minutes(field, *, end: bool = False) -> int | None:
    return parse_clock(field.data, allow_midnight_end=end) if field.data else None


def within_calendar(form, field) -> None:
    if field.data and not FIRST_DATE <= field.data <= LAST_DATE:
        raise ValidationError(_l("Skriv ett datum mellan %(first)s och %(last)s.",
                                 first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat()))


def date_field(label, *, required: bool = True, description: str = "") -> DateField:
    return DateField(label, description=description, validators=[
        InputRequired(message=_l("Fyll i %(label)s som ÅÅÅÅ-MM-DD.", label=in_sentence(label))) if required
        else Optional(), within_calendar])


# --- booking ------------------------------------------------------------------------------

def parse_dates(text: str | None) -> tuple[list[date], list[str]]:
    """Dates written ``2026-09-01`` separated by commas, spaces or lines; (dates, bad)."""
    found, bad = [], []
    for token in re.split(r"[\s,;]+", text or ""):
        if not token:
            continue
        try:
            found.append(date.fromisoformat(token))
        except ValueError:
            bad.append(token)
    return found, bad


class BookingForm(BaseForm):
    """What a booker asks for. The booker choices are set by the view for the user."""

    booker = SelectField(_l("Vem bokar?"), validators=[InputRequired(
        message=_l("Välj vem som bokar."))])
    is_youth = BooleanField(
        _l("Barn- och ungdomsverksamhet"),
        description=_l("Kryssa i om tiden används för barn och unga upp till 20 år i en "
                       "bidragsberättigad förening. Då gäller ungdomstaxan."))
    activity = text_field(_l("Vad ska lokalen användas till?"), max_length=ACTIVITY_MAX,
                          description=_l("Till exempel ”Styrelsemöte” eller ”Körövning”."))
    attendees = number_field(_l("Ungefär hur många kommer?"), required=False,
                             description=_l("Lokalen har plats för ett visst antal personer."))
    day = date_field(_l("Datum"), description=_l("Skriv som ÅÅÅÅ-MM-DD, till exempel "
                                                  "2026-09-15. Vid en serie: första datumet."))
    start = clock_field(_l("Från klockan"), description=_l("Till exempel 18:00."))
    end = clock_field(_l("Till klockan"), end=True, description=_l("Till exempel 20:00."))
    recurrence = RadioField(_l("Hur ofta?"), default=Recurrence.SINGLE.value,
                            choices=[(r.value, r.label) for r in Recurrence],
                            validators=[InputRequired(message=_l("Välj hur ofta."))])
    until = date_field(_l("Sista datum i serien"), required=False,
                       description=_l("För bokning varje eller varannan vecka. Skriv som "
                                      "ÅÅÅÅ-MM-DD."))
    dates = long_text_field(_l("Valda datum"), max_length=DATES_MAX, required=False,
                            description=_l("För bokning på valda datum: skriv datumen som "
                                           "ÅÅÅÅ-MM-DD, åtskilda med komma eller ny rad."),
                            render_kw={"rows": 3})

    def __init__(self, *args, booker_choices: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.booker.choices = booker_choices or []
        if len(self.booker.choices) == 1 and not self.booker.data:
            self.booker.data = self.booker.choices[0][0]

    @property
    def start_minute(self) -> int | None:
        return clock_minutes(self.start)

    @property
    def end_minute(self) -> int | None:
        return clock_minutes(self.end, end=True)

    @property
    def chosen_dates(self) -> list[date]:
        return parse_dates(self.dates.data)[0]

    def validate_dates(self, field) -> None:
        found, bad = parse_dates(field.data)
        if bad:
            raise ValidationError(_l("Skriv datumen som ÅÅÅÅ-MM-DD. Det här går inte att läsa: "
                                     "%(bad)s", bad=", ".join(bad[:3])))
        if self.recurrence.data == Recurrence.DATES and not found:
            raise ValidationError(_l("Skriv minst ett datum."))

    def validate_until(self, field) -> None:
        if self.recurrence.data in (Recurrence.WEEKLY, Recurrence.BIWEEKLY) and not field.data:
            raise ValidationError(_l("Fyll i sista datum i serien."))

    def validate_is_youth(self, field) -> None:
        if field.data and not (self.booker.data or "").startswith("association-"):
            raise ValidationError(_l("Ungdomstaxan gäller bara när en förening bokar."))

    @property
    def association_id(self) -> int | None:
        value = self.booker.data or ""
        return int(value.split("-", 1)[1]) if value.startswith("association-") else None

    @property
    def booker_type(self) -> BookerType:
        if self.association_id is not None:
            return BookerType.YOUTH if self.is_youth.data else BookerType.ASSOCIATION
        return BookerType.COMMERCIAL if self.booker.data == COMMERCIAL else BookerType.RESIDENT


class ConfirmBookingForm(BookingForm):
    """The same request, sent again from the preview, with the terms accepted."""

    accept_terms = BooleanField(
        _l("Jag har läst villkoren och godkänner dem"),
        validators=[InputRequired(message=_l("Du behöver godkänna villkoren för att boka."))])
    skip_conflicts = BooleanField(_l("Boka de andra datumen och hoppa över dem som inte går"))
    terms_checksum = text_field(_l("Villkorens version"), max_length=64)
    expected_conflicts = text_field(_l("Datum som hoppas över"), max_length=DATES_MAX,
                                    required=False)


class RescheduleForm(BaseForm):
    """Move one occurrence, or change the time of the following or all coming ones."""

    scope = RadioField(_l("Vad vill du ändra?"), default="this", choices=[
        ("this", _l("Bara den här gången (datum och tid)")),
        ("following", _l("Den här och alla följande gånger (tid)")),
        ("all", _l("Alla kommande gånger i serien (tid)"))],
        validators=[InputRequired(message=_l("Välj vad du vill ändra."))])
    day = date_field(_l("Nytt datum"), description=_l("Gäller bara när du ändrar en gång. "
                                                       "Skriv som ÅÅÅÅ-MM-DD."))
    start = clock_field(_l("Från klockan"), description=_l("Till exempel 18:00."))
    end = clock_field(_l("Till klockan"), end=True, description=_l("Till exempel 20:00."))
    # "This and following": another premises may be chosen; the change is shown first.
    premises = SelectField(_l("Lokal"), validators=[Optional()], description=_l(
        "Gäller när du ändrar den här och alla följande gånger."))
    confirmed = BooleanField(_l("Ändringen är kontrollerad"))
    skip_conflicts = BooleanField(_l("Ändra de andra datumen och låt datumen som inte går "
                                     "behålla sin gamla tid"))
    expected_conflicts = text_field(_l("Datum som hoppas över"), max_length=DATES_MAX,
                                    required=False)
    accept_terms = BooleanField(_l("Jag har läst villkoren för den nya lokalen och godkänner "
                                   "dem"))
    terms_checksum = text_field(_l("Villkorens version"), max_length=64, required=False)

    def __init__(self, *args, premises_choices: list[tuple[str, str]] | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.premises.choices = premises_choices or []

    @property
    def premises_id(self) -> int | None:
        return int(self.premises.data) if (self.premises.data or "").isdigit() else None


class CancelForm(BaseForm):
    reason = long_text_field(_l("Varför avbokar du? (frivilligt)"), max_length=TEXT_MAX,
                             required=False, render_kw={"rows": 3})


class OfficerCancelForm(BaseForm):
    reason = long_text_field(_l("Motivering"), max_length=TEXT_MAX,
                             description=_l("Skickas till den som har bokat."),
                             render_kw={"rows": 3})


# --- search -------------------------------------------------------------------------------

class SearchForm(BaseForm):
    """The public search (GET, no CSRF): a free room for N people at a time, with features."""

    class Meta:
        csrf = False

    datum = date_field(_l("Datum"), required=False, description=_l("ÅÅÅÅ-MM-DD"))
    fran = clock_field(_l("Från klockan"), required=False)
    till = clock_field(_l("Till klockan"), required=False, end=True)
    antal = number_field(_l("Antal personer"), required=False)
    typ = SelectField(_l("Typ av lokal"), validators=[Optional()])
    stadsdel = SelectField(_l("Stadsdel"), validators=[Optional()])
    funktioner = MultiCheckboxField(_l("Måste ha"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.typ.choices = [("", _l("Alla typer"))] + [(t.value, t.label) for t in PremisesType]
        self.stadsdel.choices = [("", _l("Alla stadsdelar"))] + [
            (str(d.id), d.name) for d in db.session.scalars(
                select(District).where(District.is_active).order_by(District.sort_order))]
        from lokapp.bookings.models import ACCESSIBILITY_LABELS

        self.funktioner.choices = [(k, v) for k, v in ACCESSIBILITY_LABELS.items()] + [
            (e.value, e.label) for e in Equipment]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        times = (self.fran.data, self.till.data)
        if any(times) and not (all(times) and self.datum.data):
            self.form_errors.append(_l("Fyll i datum, från och till för att se lediga lokaler "
                                       "vid en viss tid."))
            return False
        if all(times) and ok and clock_minutes(self.till, end=True) <= clock_minutes(self.fran):
            self.till.errors = [*self.till.errors, _l("Sluttiden måste vara senare än "
                                                      "starttiden.")]
            return False
        return ok

    @property
    def has_time(self) -> bool:
        return bool(self.datum.data and self.fran.data and self.till.data)


# --- administration -----------------------------------------------------------------------

SLOT_CHOICES = [(15, _l("15 minuter")), (30, _l("30 minuter")), (60, _l("1 timme"))]


class PremisesForm(BaseForm):
    name = text_field(_l("Namn"), max_length=200)
    premises_type = SelectField(_l("Typ av lokal"),
                                choices=[(t.value, t.label) for t in PremisesType])
    description = long_text_field(_l("Beskrivning"), max_length=TEXT_MAX, required=False)
    street_address = text_field(_l("Gatuadress"), max_length=200)
    postal_code = text_field(_l("Postnummer"), max_length=6, required=False)
    city = text_field(_l("Ort"), max_length=100)
    district = SelectField(_l("Stadsdel"), coerce=int)
    capacity = number_field(_l("Antal personer"), maximum=100_000)
    area_m2 = number_field(_l("Yta i kvadratmeter"), required=False, maximum=100_000)
    is_step_free = BooleanField(_l("Tillgänglig utan trappsteg"))
    has_hearing_loop = BooleanField(_l("Hörslinga"))
    has_accessible_toilet = BooleanField(_l("Tillgänglig toalett"))
    accessibility_notes = long_text_field(_l("Mer om tillgänglighet"), max_length=TEXT_MAX,
                                          required=False, render_kw={"rows": 3})
    equipment = MultiCheckboxField(_l("Utrustning"),
                                   choices=[(e.value, e.label) for e in Equipment])
    equipment_notes = long_text_field(_l("Mer om utrustning"), max_length=TEXT_MAX,
                                      required=False, render_kw={"rows": 3})
    is_published = BooleanField(_l("Visa lokalen och ta emot bokningar"))
    bookable_by_associations = BooleanField(_l("Föreningar får boka"))
    bookable_by_residents = BooleanField(_l("Privatpersoner får boka"))
    min_minutes = number_field(_l("Kortaste bokning i minuter"), maximum=1440)
    max_minutes = number_field(_l("Längsta bokning i minuter"), maximum=1440)
    slot_minutes = SelectField(_l("Tider börjar och slutar på jämna"), coerce=int,
                               choices=SLOT_CHOICES)
    max_days_ahead = number_field(_l("Så många dagar framåt går det att boka"), maximum=730)
    cancel_hours_before = number_field(_l("Avbokning senast så många timmar före"), minimum=0,
                                       maximum=24 * 60)
    max_active_bookings = number_field(
        _l("Högst så många aktiva bokningar per bokare"), required=False, maximum=10_000,
        description=_l("Lämna tomt för ingen gräns."))
    requires_approval = BooleanField(
        _l("Bokningar behöver godkännas av en handläggare"),
        description=_l("Annars blir bokningen klar direkt om tiden är ledig."))
    is_closed_on_holidays = BooleanField(_l("Stängt på helgdagar"),
                                         description=_l("Röda dagar samt midsommarafton, "
                                                        "julafton och nyårsafton."))
    peak_start = clock_field(_l("Högtrafik börjar"), description=_l("Till exempel 17:00."))
    peak_end = clock_field(_l("Högtrafik slutar"), end=True,
                           description=_l("Till exempel 22:00."))
    is_weekend_peak = BooleanField(_l("Hela lördagen och söndagen är högtrafik"))
    terms = long_text_field(_l("Villkor för bokning"), max_length=TEXT_MAX,
                            description=_l("Den som bokar måste godkänna villkoren."))
    access_instructions = long_text_field(
        _l("Nycklar och tillträde"), max_length=TEXT_MAX, required=False,
        description=_l("Visas bara för den som har en bekräftad bokning."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = [(0, _l("Ingen stadsdel"))] + [
            (d.id, d.name) for d in db.session.scalars(
                select(District).where(District.is_active).order_by(District.sort_order))]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.max_minutes.data < self.min_minutes.data:
            self.max_minutes.errors = [_l("Längsta bokning kan inte vara kortare än den "
                                          "kortaste.")]
            ok = False
        if ok and (self.min_minutes.data % self.slot_minutes.data
                   or self.max_minutes.data % self.slot_minutes.data):
            self.min_minutes.errors = [_l("Kortaste och längsta bokning måste gå jämnt upp i "
                                          "tidsstegen.")]
            ok = False
        if ok and clock_minutes(self.peak_end, end=True) < clock_minutes(self.peak_start):
            self.peak_end.errors = [_l("Högtrafiken kan inte sluta före den börjar.")]
            ok = False
        if ok and not (self.bookable_by_associations.data or self.bookable_by_residents.data) \
                and self.is_published.data:
            self.bookable_by_associations.errors = [_l(
                "Välj vem som får boka innan lokalen visas.")]
            ok = False
        return ok

    def fill(self, premises) -> None:
        self.process(obj=premises)
        self.district.data = premises.district_id or 0
        self.equipment.data = [e.value for e in premises.equipment]
        self.peak_start.data = format_clock(premises.peak_start_minute)
        self.peak_end.data = format_clock(premises.peak_end_minute)

    def to_data(self) -> dict:
        names = ("name", "premises_type", "description", "street_address", "postal_code", "city",
                 "capacity", "area_m2", "is_step_free", "has_hearing_loop",
                 "has_accessible_toilet", "accessibility_notes", "equipment_notes",
                 "is_published", "bookable_by_associations", "bookable_by_residents",
                 "min_minutes", "max_minutes", "slot_minutes", "max_days_ahead",
                 "cancel_hours_before", "max_active_bookings", "requires_approval",
                 "is_closed_on_holidays", "is_weekend_peak", "terms", "access_instructions")
        data = {name: self[name].data for name in names}
        data["postal_code"] = data["postal_code"] or None
        data["description"] = data["description"] or ""
        data["accessibility_notes"] = data["accessibility_notes"] or ""
        data["equipment_notes"] = data["equipment_notes"] or ""
        data["access_instructions"] = data["access_instructions"] or ""
        data["premises_type"] = PremisesType(data["premises_type"])
        data["district_id"] = self.district.data or None
        data["peak_start_minute"] = clock_minutes(self.peak_start)
        data["peak_end_minute"] = clock_minutes(self.peak_end, end=True)
        return data


def _hours_form():
    """One opens/closes pair per weekday; both empty = closed that day."""

    class OpeningHoursForm(BaseForm):
        def validate(self, extra_validators=None) -> bool:
            ok = super().validate(extra_validators)
            for weekday in range(7):
                opens, closes = self[f"opens_{weekday}"], self[f"closes_{weekday}"]
                if bool(opens.data) != bool(closes.data):
                    (closes if opens.data else opens).errors.append(_l(
                        "Fyll i både när lokalen öppnar och stänger, eller lämna båda tomma."))
                    ok = False
                elif opens.data and not opens.errors and not closes.errors and \
                        clock_minutes(closes, end=True) <= clock_minutes(opens):
                    closes.errors.append(_l("Stängningstiden måste vara senare än "
                                            "öppningstiden."))
                    ok = False
            return ok

        def hours(self) -> dict[int, tuple[int, int] | None]:
            result = {}
            for weekday in range(7):
                opens, closes = self[f"opens_{weekday}"], self[f"closes_{weekday}"]
                result[weekday] = ((clock_minutes(opens), clock_minutes(closes, end=True))
                                   if opens.data else None)
            return result

        def fill(self, premises) -> None:
            for row in premises.opening_hours:
                self[f"opens_{row.weekday}"].data = format_clock(row.opens_minute)
                self[f"closes_{row.weekday}"].data = format_clock(row.closes_minute)

    for weekday, name in enumerate(WEEKDAYS):
        setattr(OpeningHoursForm, f"opens_{weekday}",
                clock_field(_l("%(day)s öppnar", day=name), required=False))
        setattr(OpeningHoursForm, f"closes_{weekday}",
                clock_field(_l("%(day)s stänger", day=name), required=False, end=True))
    return OpeningHoursForm


OpeningHoursForm = _hours_form()


class PhotoForm(BaseForm):
    photo = FileField(_l("Bild"), validators=[FileRequired(message=_l("Välj en bild."))],
                      description=_l("JPEG eller PNG. Bilden förminskas och uppgifter om "
                                     "kamera och plats tas bort."))
    alt_text = text_field(_l("Beskrivning av bilden"), max_length=300,
                          description=_l("Beskriv vad bilden visar för den som inte ser den, "
                                         "till exempel ”Ljus sal med stolar i rader och en "
                                         "scen längst fram”."))


CANCEL_BOOKINGS, KEEP_BOOKINGS = "cancel", "keep"


class BlackoutForm(BaseForm):
    """A blackout. When booked times fall in it, the page lists them and the form comes back
    with ``bookings`` (cancel them or keep them) and ``expected`` (the ids shown)."""

    starts_on = date_field(_l("Första dag"), description=_l("ÅÅÅÅ-MM-DD"))
    ends_on = date_field(_l("Sista dag"), description=_l("ÅÅÅÅ-MM-DD"))
    reason = text_field(_l("Anledning"), max_length=200,
                        description=_l("Visas för alla, till exempel ”Renovering”. Avbokas "
                                       "bokade tider är det också motiveringen till dem som "
                                       "har bokat."))
    bookings = RadioField(_l("Vad ska hända med de bokade tiderna?"), choices=[
        (CANCEL_BOOKINGS, _l("Avboka dem och meddela dem som har bokat")),
        (KEEP_BOOKINGS, _l("Behåll dem – avstängningen stoppar bara nya bokningar"))],
        validators=[Optional()])
    expected = text_field(_l("Bokade tider som visades"), max_length=20000,
                          required=False)

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Sista dag kan inte vara före första dag."))

    @property
    def expected_ids(self) -> frozenset[int]:
        return frozenset(int(v) for v in (self.expected.data or "").split() if v.isdigit())


def _tariff_form():
    class TariffForm(BaseForm):
        def rates(self) -> dict[BookerType, tuple[int, int] | None]:
            result = {}
            for booker_type in BookerType:
                off, peak = self[f"off_{booker_type.value}"], self[f"peak_{booker_type.value}"]
                result[booker_type] = ((parse_sek(off.data), parse_sek(peak.data))
                                       if off.data or peak.data else None)
            return result

        def validate(self, extra_validators=None) -> bool:
            ok = super().validate(extra_validators)
            for booker_type in BookerType:
                off, peak = self[f"off_{booker_type.value}"], self[f"peak_{booker_type.value}"]
                if bool(off.data) != bool(peak.data) and not (off.errors or peak.errors):
                    (peak if off.data else off).errors.append(_l(
                        "Fyll i både lågtrafik och högtrafik, eller lämna båda tomma."))
                    ok = False
            return ok

        def fill(self, premises) -> None:
            for tariff in premises.tariffs:
                self[f"off_{tariff.booker_type.value}"].data = _kronor(
                    tariff.off_peak_ore_per_hour)
                self[f"peak_{tariff.booker_type.value}"].data = _kronor(tariff.peak_ore_per_hour)

    def amount(form, field) -> None:
        if field.data and parse_sek(field.data) is None:
            raise ValidationError(_l("Skriv beloppet i kronor, till exempel 125 eller 125,50."))

    for booker_type in BookerType:
        for prefix, label in (("off", _l("%(type)s, lågtrafik (kr/timme)",
                                         type=booker_type.label)),
                              ("peak", _l("%(type)s, högtrafik (kr/timme)",
                                          type=booker_type.label))):
            setattr(TariffForm, f"{prefix}_{booker_type.value}", text_field(
                label, max_length=12, required=False, validators=[amount],
                render_kw={"inputmode": "decimal", "size": 8}))
    return TariffForm


def _kronor(ore: int) -> str:
    kronor, rest = divmod(ore, 100)
    return f"{kronor},{rest:02d}" if rest else str(kronor)


TariffForm = _tariff_form()

"""Forms of the association register: registration, public data, annual update, documents,
people, organisationsnummer and payment details, and the officer's completion request.

Forms validate against the database themselves (a taken organisationsnummer, documents that
already exist for the year) and hand the services plain data (the dataclasses in
:mod:`lokapp.associations.services`), never themselves.
"""
from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from lokapp.associations.models import (
    AgeBand,
    Association,
    BoardRole,
    Category,
    District,
    DocumentType,
    Gender,
    LegalForm,
    RegisterState,
    TargetGroup,
)
from lokapp.associations.numbers import (
    NumberError,
    clean_bankgiro,
    clean_orgnr,
    clean_plusgiro,
    format_bankgiro,
    format_orgnr,
    format_plusgiro,
)
from lokapp.associations.services import AssociationData, BoardEntry, PaymentData, RegistrationData
from lokapp.auth.models import AssociationRole
from lokapp.core.forms import (
    BaseForm,
    MultiCheckboxField,
    NoControlCharacters,
    WholeNumberField,
    long_text_field,
    text_field,
)
from lokapp.core.time import today_local
from lokapp.extensions import db

NAME_MAX = 200
DESCRIPTION_MAX = 4000
EMAIL_MAX = 254
BOARD_ROWS = 5
COUNT_MAX = 1_000_000
COMPLETION_MAX_DAYS = 365

# Languages used in activities: ISO 639-1 codes where one exists; Swedish sign language,
# Romani and Meänkieli have none and use their ISO 639-3 codes (the column holds up to 8).
LANGUAGES = {
    "sv": _l("Svenska"), "swl": _l("Svenskt teckenspråk"), "en": _l("Engelska"),
    "fi": _l("Finska"), "se": _l("Samiska"), "fit": _l("Meänkieli"), "rom": _l("Romani"),
    "yi": _l("Jiddisch"), "ar": _l("Arabiska"), "am": _l("Amhariska"), "sq": _l("Albanska"),
    "bs": _l("Bosniska"), "hr": _l("Kroatiska"), "sr": _l("Serbiska"), "da": _l("Danska"),
    "no": _l("Norska"), "de": _l("Tyska"), "fr": _l("Franska"), "es": _l("Spanska"),
    "it": _l("Italienska"), "pt": _l("Portugisiska"), "el": _l("Grekiska"),
    "pl": _l("Polska"), "ro": _l("Rumänska"), "hu": _l("Ungerska"), "ru": _l("Ryska"),
    "uk": _l("Ukrainska"), "et": _l("Estniska"), "lv": _l("Lettiska"), "lt": _l("Litauiska"),
    "tr": _l("Turkiska"), "ku": _l("Kurdiska"), "fa": _l("Persiska"), "ps": _l("Pashto"),
    "ur": _l("Urdu"), "hi": _l("Hindi"), "bn": _l("Bengali"), "ta": _l("Tamil"),
    "so": _l("Somaliska"), "ti": _l("Tigrinja"), "sw": _l("Swahili"), "zh": _l("Kinesiska"),
    "th": _l("Thailändska"), "vi": _l("Vietnamesiska"), "tl": _l("Tagalog"),
}


def language_choices() -> list[tuple[str, str]]:
    """Swedish first, then alphabetically by the Swedish name."""
    rest = sorted(((code, str(label)) for code, label in LANGUAGES.items() if code != "sv"),
                  key=lambda item: item[1])
    return [("sv", str(LANGUAGES["sv"])), *rest]


def language_name(code: str) -> str:
    label = LANGUAGES.get(code)
    return str(label) if label is not None else code


# --- field helpers --------------------------------------------------------------------------

def optional_email_field(label, description="", *, required: bool = False) -> EmailField:
    return EmailField(
        label,
        validators=[DataRequired(message=_l("Fyll i e-postadressen.")) if required
                    else Optional(), Length(max=EMAIL_MAX, message=_l("Högst %(max)d tecken.",
                                                                  max=EMAIL_MAX)),
                    NoControlCharacters(),
                    Email(message=_l("Skriv en giltig e-postadress, till exempel "
                                     "namn@exempel.se."), granular_message=False)],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        description=description,
        render_kw={"maxlength": EMAIL_MAX, "spellcheck": "false"},
    )


def required_email_field(label, description="") -> EmailField:
    return optional_email_field(label, description, required=True)


def _phone(form, field) -> None:
    if field.data and not re.fullmatch(r"\+?[0-9 ()\-]{5,40}", field.data):
        raise ValidationError(_l("Skriv telefonnumret med siffror, till exempel 021-39 00 00."))


def _website(form, field) -> None:
    if not field.data:
        return
    if not re.match(r"^https?://", field.data, re.IGNORECASE):
        field.data = "https://" + field.data
    if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*\.[^\s]{2,}", field.data, re.IGNORECASE):
        raise ValidationError(_l("Skriv webbadressen, till exempel https://www.forening.se."))


def _postal_code(form, field) -> None:
    if not field.data:
        return
    digits = re.sub(r"\s", "", field.data)
    if not re.fullmatch(r"\d{5}", digits):
        raise ValidationError(_l("Postnumret ska ha fem siffror, till exempel 722 12."))
    field.data = f"{digits[:3]} {digits[3:]}"


def _year_field(label, description=""):
    def in_range(form, field) -> None:
        if field.data is not None and not 1600 <= field.data <= today_local().year:
            raise ValidationError(_l("Skriv ett årtal mellan 1600 och i år."))

    return WholeNumberField(label, validators=[Optional(), in_range], description=description,
                            render_kw={"inputmode": "numeric", "autocomplete": "off",
                                       "maxlength": 4})


# --- board members and member counts (sub-forms, no CSRF of their own) ----------------------

class BoardMemberForm(Form):
    """One row of the board: name, role, email (never personnummer)."""

    name = text_field(_l("Namn"), max_length=120, required=False)
    role = SelectField(_l("Roll i styrelsen"), validators=[Optional()],
                       choices=[("", _l("Välj roll"))] + [(r.value, r.label) for r in BoardRole])
    email = optional_email_field(_l("E-postadress"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Optional() stops the fields' own chains when empty, so the row is checked here.
        if not self.name.data and (self.role.data or self.email.data):
            self.name.errors = [*self.name.errors, _("Fyll i namnet, eller töm raden.")]
            ok = False
        if self.name.data and not self.role.data:
            self.role.errors = [*self.role.errors,
                                _("Välj vilken roll personen har i styrelsen.")]
            ok = False
        return ok

    @property
    def is_filled(self) -> bool:
        return bool(self.name.data)


def count_field_name(band: AgeBand, gender: Gender) -> str:
    return f"{band.name.lower()}_{gender.name.lower()}"


class MemberCountsForm(Form):
    """Members by age band (rows) and gender (columns); blank cells count as 0."""

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and all(self[count_field_name(b, g)].data in (None, 0)
                      for b in AgeBand for g in Gender):
            self.form_errors.append(_l("Fyll i hur många medlemmar föreningen har – minst en "
                                       "ruta i tabellen."))
            return False
        return ok

    def counts(self) -> dict[tuple[AgeBand, Gender], int]:
        return {(b, g): self[count_field_name(b, g)].data or 0 for b in AgeBand for g in Gender}

    def fill(self, counts: dict[tuple[str, str], int]) -> None:
        for b in AgeBand:
            for g in Gender:
                self[count_field_name(b, g)].data = counts.get((b.value, g.value))


for _band in AgeBand:
    for _gender in Gender:
        setattr(MemberCountsForm, count_field_name(_band, _gender), WholeNumberField(
            _l("%(band)s, %(gender)s", band=_band.label, gender=_gender.label),
            validators=[Optional()],
            render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 7,
                       "size": 5}))


# --- the association's data -----------------------------------------------------------------

class AssociationDataForm(BaseForm):
    """The data a representative may change directly (changes are audited)."""

    name = text_field(_l("Föreningens namn"), max_length=NAME_MAX)
    category = SelectField(_l("Kategori"), coerce=int,
                           validators=[InputRequired(message=_l("Välj en kategori."))],
                           description=_l("Välj den kategori som passar bäst."))
    districts = MultiCheckboxField(
        _l("Stadsdelar där föreningen har verksamhet"), coerce=int,
        description=_l("Välj en eller flera. Välj ”Hela Västerås” om ni finns i hela staden."))
    target_groups = MultiCheckboxField(_l("Målgrupper"), coerce=int,
                                       description=_l("Vilka vänder sig verksamheten till?"))
    languages = MultiCheckboxField(_l("Språk i verksamheten"),
                                   description=_l("Vilka språk används i verksamheten?"))
    description = long_text_field(
        _l("Beskrivning av verksamheten"), max_length=DESCRIPTION_MAX,
        description=_l("Beskriv med enkla ord vad föreningen gör och för vem. Texten visas i "
                       "föreningskatalogen om ni väljer att synas där."))
    email = optional_email_field(_l("E-postadress för kontakt"),
                                 description=_l("Visas för allmänheten."))
    phone = text_field(_l("Telefonnummer"), max_length=40, required=False, validators=[_phone],
                       description=_l("Visas för allmänheten."))
    website = text_field(_l("Webbplats"), max_length=300, required=False, validators=[_website],
                         description=_l("Till exempel https://www.forening.se"))
    street_address = text_field(_l("Gatuadress"), max_length=200, required=False)
    postal_code = text_field(_l("Postnummer"), max_length=6, required=False,
                             validators=[_postal_code], render_kw={"inputmode": "numeric"})
    city = text_field(_l("Ort"), max_length=100, required=False)
    founded_year = _year_field(_l("År då föreningen bildades"))
    has_accessible_premises = BooleanField(
        _l("Föreningen har tillgängliga lokaler"),
        description=_l("Lokalerna går att ta sig in i och använda med rullstol, och det finns "
                       "en tillgänglig toalett."))
    is_public = BooleanField(
        _l("Visa föreningen i den öppna föreningskatalogen"),
        description=_l("Då visas namn, beskrivning, kategori, stadsdelar, målgrupper, språk och "
                       "kontaktuppgifter för alla. Styrelse, medlemsantal och dokument visas "
                       "aldrig."))
    board = FieldList(FormField(BoardMemberForm), label=_l("Styrelse"), min_entries=BOARD_ROWS,
                      max_entries=BOARD_ROWS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [
            (c.id, c.name_sv) for c in db.session.scalars(
                select(Category).where(Category.is_active).order_by(Category.sort_order,
                                                                     Category.id))]
        self.districts.choices = [
            (d.id, d.name) for d in db.session.scalars(
                select(District).where(District.is_active).order_by(District.sort_order,
                                                                    District.id))]
        self.target_groups.choices = [
            (t.id, t.name_sv) for t in db.session.scalars(
                select(TargetGroup).where(TargetGroup.is_active).order_by(
                    TargetGroup.sort_order, TargetGroup.id))]
        self.languages.choices = language_choices()

    def validate_districts(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Välj minst en stadsdel."))

    def validate_board(self, field) -> None:
        if not any(entry.form.is_filled for entry in field.entries):
            raise ValidationError(_l("Fyll i minst en person i styrelsen."))

    def fill_from(self, association: Association) -> None:
        """Pre-fill from a stored association (for GET)."""
        for name in ("name", "description", "email", "phone", "website", "street_address",
                     "postal_code", "city", "founded_year", "has_accessible_premises",
                     "is_public"):
            self[name].data = getattr(association, name)
        self.category.data = association.category_id
        self.districts.data = [d.id for d in association.districts]
        self.target_groups.data = [t.id for t in association.target_groups]
        self.languages.data = [lang.code for lang in association.languages]
        for entry, member in zip(self.board.entries, association.board_members, strict=False):
            entry.form.name.data = member.name
            entry.form.role.data = member.role
            entry.form.email.data = member.email

    def _common(self) -> dict:
        return dict(
            name=self.name.data, category_id=self.category.data,
            district_ids=list(self.districts.data or []),
            target_group_ids=list(self.target_groups.data or []),
            languages=list(self.languages.data or []), description=self.description.data,
            email=self.email.data or None, phone=self.phone.data or None,
            website=self.website.data or None, street_address=self.street_address.data or None,
            postal_code=self.postal_code.data or None, city=self.city.data or None,
            founded_year=self.founded_year.data,
            has_accessible_premises=bool(self.has_accessible_premises.data),
            is_public=bool(self.is_public.data),
            board=[BoardEntry(e.form.name.data, e.form.role.data, e.form.email.data or None)
                   for e in self.board.entries if e.form.is_filled],
        )

    def to_data(self) -> AssociationData:
        return AssociationData(**self._common())


def _clean(cleaner, field) -> str | None:
    if not field.data:
        return None
    try:
        return cleaner(field.data)
    except NumberError as error:
        raise ValidationError(str(error)) from None


def orgnr_taken_message(existing: Association) -> str:
    if existing.register_state == RegisterState.PENDING:
        return _("En ansökan om registrering för organisationsnumret %(orgnr)s är redan under "
                 "handläggning.", orgnr=existing.orgnr_display)
    return _("Det finns redan en förening med organisationsnumret %(orgnr)s i registret. Om du "
             "företräder föreningen kan föreningens administratör bjuda in dig.",
             orgnr=existing.orgnr_display)


class RegistrationForm(AssociationDataForm):
    """Register an association: the public data plus identity, payment and member counts.

    ``editing`` is the association when the applicant completes a registration; its own
    organisationsnummer is then not a duplicate.
    """

    legal_form = RadioField(_l("Organisationsform"),
                            choices=[(f.value, f.label) for f in LegalForm],
                            validators=[InputRequired(message=_l("Välj organisationsform."))])
    orgnr = text_field(
        _l("Organisationsnummer"), max_length=20, required=False,
        description=_l("Tio siffror, med eller utan bindestreck, till exempel 802432-0015. "
                       "Bara nätverk utan organisationsnummer lämnar fältet tomt."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    bankgiro = text_field(_l("Bankgiro"), max_length=20, required=False,
                          description=_l("Till exempel 5050-1055. Fyll i bankgiro eller "
                                         "plusgiro om ni vill kunna få bidrag."),
                          render_kw={"inputmode": "numeric", "autocomplete": "off"})
    plusgiro = text_field(_l("Plusgiro"), max_length=20, required=False,
                          description=_l("Till exempel 90 20 03-3."),
                          render_kw={"inputmode": "numeric", "autocomplete": "off"})
    counts = FormField(MemberCountsForm, label=_l("Antal medlemmar"))

    def __init__(self, *args, editing: Association | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.clean_orgnr: str | None = None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Optional() stops the field's own chain when it is empty, so this is checked here.
        if not self.orgnr.data and self.legal_form.data and \
                self.legal_form.data != LegalForm.NETWORK.value:
            self.orgnr.errors = [*self.orgnr.errors, _(
                "Fyll i organisationsnumret. Bara nätverk utan organisationsnummer kan lämna "
                "fältet tomt.")]
            ok = False
        return ok

    def validate_orgnr(self, field) -> None:
        is_network = self.legal_form.data == LegalForm.NETWORK.value
        if is_network:
            raise ValidationError(_l("Ett nätverk utan organisationsnummer ska inte ha något "
                                     "organisationsnummer. Töm fältet eller välj en annan "
                                     "organisationsform."))
        compact = _clean(clean_orgnr, field)
        existing = db.session.scalar(select(Association).where(Association.orgnr == compact))
        if existing is not None and existing is not self.editing and \
                existing.register_state != RegisterState.REJECTED:
            raise ValidationError(orgnr_taken_message(existing))
        self.clean_orgnr = compact

    def validate_bankgiro(self, field) -> None:
        _clean(clean_bankgiro, field)

    def validate_plusgiro(self, field) -> None:
        _clean(clean_plusgiro, field)

    def fill_from(self, association: Association) -> None:
        super().fill_from(association)
        self.legal_form.data = association.legal_form.value
        self.orgnr.data = association.orgnr_display
        self.bankgiro.data = format_bankgiro(association.bankgiro) if association.bankgiro else ""
        self.plusgiro.data = format_plusgiro(association.plusgiro) if association.plusgiro \
            else ""

    def to_data(self) -> RegistrationData:
        return RegistrationData(
            **self._common(), legal_form=LegalForm(self.legal_form.data),
            orgnr=clean_orgnr(self.orgnr.data) if self.orgnr.data else None,
            bankgiro=clean_bankgiro(self.bankgiro.data) if self.bankgiro.data else None,
            plusgiro=clean_plusgiro(self.plusgiro.data) if self.plusgiro.data else None,
            counts=self.counts.form.counts())


# --- annual update and documents ------------------------------------------------------------

UPLOAD_HINT = _l("PDF, Word (DOCX), OpenDocument (ODT), PNG eller JPEG.")


def _file_field(label) -> FileField:
    return FileField(label, description=UPLOAD_HINT)


# The annual update's file fields: the field name is the document type's value.
ANNUAL_DOCUMENTS = (DocumentType.ANNUAL_MEETING_MINUTES, DocumentType.ACTIVITY_REPORT,
                    DocumentType.FINANCIAL_REPORT, DocumentType.AUDIT_REPORT,
                    DocumentType.STATUTES, DocumentType.EQUALITY_POLICY)


class AnnualUpdateForm(BaseForm):
    """Confirm the data, report the year's member counts, upload the year's documents.

    ``existing`` is the set of document types already uploaded for the year and
    ``has_statutes`` whether statutes exist for any year: a required document is needed only
    if it is not there yet.
    """

    confirm = BooleanField(
        _l("Jag har kontrollerat föreningens uppgifter och de stämmer"),
        validators=[DataRequired(message=_l("Kontrollera föreningens uppgifter och kryssa i "
                                            "rutan."))])
    counts = FormField(MemberCountsForm, label=_l("Antal medlemmar"))
    annual_meeting_minutes = _file_field(DocumentType.ANNUAL_MEETING_MINUTES.label)
    activity_report = _file_field(DocumentType.ACTIVITY_REPORT.label)
    financial_report = _file_field(DocumentType.FINANCIAL_REPORT.label)
    audit_report = _file_field(DocumentType.AUDIT_REPORT.label)
    statutes = _file_field(DocumentType.STATUTES.label)
    equality_policy = _file_field(DocumentType.EQUALITY_POLICY.label)

    def __init__(self, *args, year: int | None = None, existing: set[str] = frozenset(),
                 has_statutes: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year or today_local().year
        self.existing = set(existing)
        self.has_statutes = has_statutes

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        from lokapp.associations.status import YEARLY_DOCUMENTS

        for doc_type in YEARLY_DOCUMENTS:
            field = self[doc_type.value]
            if not field.data and doc_type.value not in self.existing:
                field.errors = [*field.errors, _("Ladda upp %(document)s för %(year)d.",
                                                 document=str(doc_type.label).lower(),
                                                 year=self.year)]
                ok = False
        if not self.statutes.data and not self.has_statutes:
            self.statutes.errors = [*self.statutes.errors,
                                    _("Ladda upp föreningens stadgar.")]
            ok = False
        return ok

    def files(self) -> dict[DocumentType, object]:
        return {doc_type: self[doc_type.value].data for doc_type in ANNUAL_DOCUMENTS
                if self[doc_type.value].data}


def document_years() -> list[int]:
    this_year = today_local().year
    return list(range(this_year, this_year - 6, -1))


class DocumentUploadForm(BaseForm):
    doc_type = SelectField(_l("Typ av dokument"),
                           choices=[(t.value, t.label) for t in DocumentType],
                           validators=[InputRequired(message=_l("Välj typ av dokument."))])
    year = SelectField(_l("År"), coerce=int,
                       description=_l("Året dokumentet gäller, till exempel året för "
                                      "årsmötet."),
                       validators=[InputRequired(message=_l("Välj år."))])
    file = FileField(_l("Fil"), description=UPLOAD_HINT,
                     validators=[DataRequired(message=_l("Välj en fil."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = [(y, str(y)) for y in document_years()]


# --- people ---------------------------------------------------------------------------------

def role_choices() -> list[tuple[str, object]]:
    return [(r.value, r.label) for r in AssociationRole]


class MemberRolesForm(BaseForm):
    roles = MultiCheckboxField(_l("Roller i föreningen"), choices=[],
                               description=_l("Administratören kan bjuda in och ta bort "
                                              "personer."))
    is_signatory = BooleanField(_l("Firmatecknare"),
                                description=_l("Får skriva under för föreningen, till exempel "
                                               "LÖK:en."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = role_choices()

    def validate_roles(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Välj minst en roll."))


class InvitationForm(MemberRolesForm):
    email = required_email_field(_l("E-postadress"),
                                 description=_l("Personen får ett mejl med en länk. Länken "
                                                "gäller i 7 dagar."))


# --- organisationsnummer and payment details ------------------------------------------------

class PaymentForm(BaseForm):
    """New organisationsnummer and/or payment details; an officer approves the change."""

    orgnr = text_field(_l("Organisationsnummer"), max_length=20, required=False,
                       description=_l("Tio siffror, med eller utan bindestreck."),
                       render_kw={"inputmode": "numeric", "autocomplete": "off"})
    bankgiro = text_field(_l("Bankgiro"), max_length=20, required=False,
                          description=_l("Till exempel 5050-1055. Lämna tomt om föreningen "
                                         "inte har bankgiro."),
                          render_kw={"inputmode": "numeric", "autocomplete": "off"})
    plusgiro = text_field(_l("Plusgiro"), max_length=20, required=False,
                          description=_l("Till exempel 90 20 03-3. Lämna tomt om föreningen "
                                         "inte har plusgiro."),
                          render_kw={"inputmode": "numeric", "autocomplete": "off"})

    def __init__(self, *args, association: Association | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association
        if association is not None and association.legal_form == LegalForm.NETWORK:
            del self.orgnr

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if "orgnr" in self and not self.orgnr.data:
            self.orgnr.errors = [*self.orgnr.errors, _("Fyll i organisationsnumret.")]
            ok = False
        return ok

    def validate_orgnr(self, field) -> None:
        compact = _clean(clean_orgnr, field)
        existing = db.session.scalar(select(Association).where(Association.orgnr == compact))
        if existing is not None and existing is not self.association:
            raise ValidationError(orgnr_taken_message(existing))

    def validate_bankgiro(self, field) -> None:
        _clean(clean_bankgiro, field)

    def validate_plusgiro(self, field) -> None:
        _clean(clean_plusgiro, field)

    def fill_from(self, association: Association) -> None:
        if "orgnr" in self:
            self.orgnr.data = format_orgnr(association.orgnr) if association.orgnr else ""
        self.bankgiro.data = format_bankgiro(association.bankgiro) if association.bankgiro else ""
        self.plusgiro.data = format_plusgiro(association.plusgiro) if association.plusgiro \
            else ""

    def to_data(self) -> PaymentData:
        orgnr = self.association.orgnr if self.association is not None else None
        if "orgnr" in self:
            orgnr = clean_orgnr(self.orgnr.data)
        return PaymentData(
            orgnr=orgnr,
            bankgiro=clean_bankgiro(self.bankgiro.data) if self.bankgiro.data else None,
            plusgiro=clean_plusgiro(self.plusgiro.data) if self.plusgiro.data else None)


# --- the officer ----------------------------------------------------------------------------

class CompletionRequestForm(BaseForm):
    """Ask the applicant to complete the case: what is missing and by when."""

    message = long_text_field(_l("Vad behöver kompletteras?"), max_length=4000,
                              description=_l("Skriv så att den sökande förstår vad som "
                                             "saknas. Texten skickas i ett mejl och sparas i "
                                             "ärendets historik."))
    deadline = DateField(_l("Sista dag att komplettera"),
                         validators=[InputRequired(message=_l("Fyll i ett datum, till "
                                                              "exempel 2026-05-15."))],
                         description=_l("Skriv datumet som ÅÅÅÅ-MM-DD."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.deadline.data is None and not self.is_submitted():
            self.deadline.data = today_local() + timedelta(days=14)

    def validate_deadline(self, field) -> None:
        today = today_local()
        if field.data is None:
            return
        if field.data <= today:
            raise ValidationError(_l("Välj ett datum efter i dag."))
        if field.data > today + timedelta(days=COMPLETION_MAX_DAYS):
            raise ValidationError(_l("Välj ett datum inom ett år."))


def _swedish_date_error(field: DateField) -> None:
    """WTForms' own message for an unreadable date is English; replace it."""
    if field.errors and field.raw_data and field.raw_data[0] and field.data is None:
        field.errors = [_("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel %(example)s.",
                          example=(today_local() + timedelta(days=14)).isoformat())]


def validate_completion_form(form: CompletionRequestForm) -> bool:
    ok = form.validate_on_submit()
    _swedish_date_error(form.deadline)
    return ok


__all__ = [
    "AnnualUpdateForm", "AssociationDataForm", "CompletionRequestForm", "DocumentUploadForm",
    "InvitationForm", "LANGUAGES", "MemberRolesForm", "PaymentForm", "RegistrationForm",
    "language_choices", "language_name", "validate_completion_form",
]

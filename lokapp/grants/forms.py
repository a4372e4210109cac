"""Grant forms: programme administration (the application steps come with the applications)."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, FieldList, FormField, RadioField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional, Regexp, ValidationError

from lokapp.associations.forms import UPLOAD_HINT, MultiCheckboxField, WholeNumberField
from lokapp.core.completions import DEFAULT_DAYS, GRANT_MAX_DAYS, deadline_error
from lokapp.core.forms import BaseForm, long_text_field, text_field
from lokapp.core.time import today_local
from lokapp.grants.amounts import AmountField
from lokapp.grants.forms_formulas import FormulaProgrammeFields
from lokapp.grants.models import (
    CRITERION_DESCRIPTION_MAX,
    KEY_MAX,
    LINE_MAX,
    MAX_SCORE_LIMIT,
    NAME_MAX,
    SCORE_COMMENT_MAX,
    WEIGHT_LIMIT,
    AppealRoute,
    BudgetLineKind,
    Eligibility,
    Outcome,
    QuestionKind,
    WindowKind,
)

LONG_MAX = 10_000


def _choices(enum_cls):
    return [(member.value, member.label) for member in enum_cls]


def lines_of(text: str | None, max_length: int = LINE_MAX) -> list[str]:
    """Non-empty lines of a text area, stripped and cut to ``max_length``."""
    return [line.strip()[:max_length] for line in (text or "").splitlines() if line.strip()]


class ProgrammeForm(FormulaProgrammeFields, BaseForm):
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
    asks_participants = BooleanField(
        _l("Ansökan frågar efter deltagare"),
        description=_l("Föreningen fyller i hur många den räknar med ska delta, efter ålder "
                       "och kön. Uppgifterna används i uppföljningen av likvärdig behandling."))
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
        return self.validate_formula() and valid


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


# --- the applicant's steps -----------------------------------------------------------------------

ANSWER_MAX = 5000
SHORT_ANSWER_MAX = 300


class StartForm(BaseForm):
    """Start an application: which of the user's associations applies."""

    association = SelectField(_l("Förening som söker"), coerce=int, choices=[],
                              validate_choice=True)


class AnswersForm(BaseForm):
    """The question step; :func:`answers_form` adds one field per question of the programme."""


def answers_form(questions, **kwargs) -> AnswersForm:
    """A form with one field ``q<id>`` per non-file question, typed after its kind."""
    fields = {}
    for question in questions:
        kind = question.kind
        if kind == QuestionKind.FILE:
            continue
        label, required = question.label, question.is_required
        description = question.help_sv or ""
        presence = DataRequired(message=_l("Svara på frågan.")) if required else Optional()
        if kind == QuestionKind.LONG_TEXT:
            field = long_text_field(label, max_length=ANSWER_MAX, required=required,
                                    description=description)
        elif kind == QuestionKind.SHORT_TEXT:
            field = text_field(label, max_length=SHORT_ANSWER_MAX, required=required,
                               description=description)
        elif kind == QuestionKind.NUMBER:
            field = WholeNumberField(label, description=description, validators=[
                presence if required else Optional(), NumberRange(min=0, max=10_000_000)])
        elif kind == QuestionKind.AMOUNT:
            field = AmountField(label, description=description,
                                validators=[presence] if required else [])
        elif kind == QuestionKind.DATE:
            field = DateField(label, description=description or _l("Till exempel 2026-05-01."),
                               validators=[presence],
                               render_kw={"inputmode": "numeric", "maxlength": 10})
        elif kind == QuestionKind.YES_NO:
            field = RadioField(label, description=description, validators=[presence],
                               choices=[("Ja", _l("Ja")), ("Nej", _l("Nej"))])
        else:  # CHOICE
            field = RadioField(label, description=description, validators=[presence],
                               choices=[(c, c) for c in question.choices or []])
        fields[f"q{question.id}"] = field
    form_cls = type("ProgrammeAnswersForm", (AnswersForm,), fields)
    return form_cls(**kwargs)


def answer_text(question, field) -> str | None:
    """The stored text of an answer (dates as ISO, amounts as whole kronor)."""
    if question.kind == QuestionKind.AMOUNT:
        return None if field.amount is None else str(field.amount)
    if question.kind == QuestionKind.DATE:
        return field.data.isoformat() if field.data else None
    if question.kind == QuestionKind.NUMBER:
        return None if field.data is None else str(field.data)
    return field.data or None


def fill_answers(form: AnswersForm, questions, answers: dict) -> None:
    """Put stored answers back into a fresh (GET) form."""
    from datetime import date as _date

    for question in questions:
        name = f"q{question.id}"
        if name not in form or str(question.id) not in answers:
            continue
        value = answers[str(question.id)]
        if question.kind == QuestionKind.DATE:
            try:
                form[name].data = _date.fromisoformat(value)
            except ValueError:
                form[name].data = None
        elif question.kind == QuestionKind.NUMBER:
            form[name].data = int(value) if str(value).isdigit() else None
        else:
            form[name].data = value


BUDGET_ROWS_EXTRA = 3


class BudgetLineForm(BaseForm):
    class Meta:
        csrf = False

    kind = SelectField(_l("Typ"), choices=_choices(BudgetLineKind),
                       default=BudgetLineKind.COST.value)
    description = text_field(_l("Beskrivning"), max_length=LINE_MAX, required=False)
    amount = AmountField(_l("Belopp (kronor)"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            return False
        if self.description.data and self.amount.amount is None:
            self.amount.errors = [*self.amount.errors, _l("Fyll i beloppet.")]
            return False
        if self.amount.amount is not None and not self.description.data:
            self.description.errors = [*self.description.errors,
                                       _l("Skriv vad kostnaden eller intäkten gäller.")]
            return False
        return True


class ApplicationBudgetForm(BaseForm):
    """The budget step: cost and income lines and the own contribution (with a budget
    table), or just the amount applied for (without)."""

    lines = FieldList(FormField(BudgetLineForm), label=_l("Budgetrad"), min_entries=0)
    own_contribution = AmountField(_l("Egen insats (kronor)"),
                                   description=_l("Det föreningen själv betalar."))
    requested = AmountField(_l("Belopp som föreningen söker (kronor)"))


class AttachmentForm(BaseForm):
    what = SelectField(_l("Vilken bilaga?"), choices=[], validate_choice=True)
    file = FileField(_l("Fil"), description=UPLOAD_HINT)


# --- decisions -----------------------------------------------------------------------------------

REASONS_MAX = 4000


class DecisionForm(BaseForm):
    outcome = RadioField(_l("Beslut"), choices=_choices(Outcome),
                         validators=[DataRequired(message=_l("Välj ett beslut."))])
    amount = AmountField(_l("Beviljat belopp vid delvis bifall (kronor)"),
                         description=_l("Bara vid delvis bifall. Vid bifall beviljas det "
                                        "sökta beloppet."))
    reasons = long_text_field(_l("Skäl för beslutet"), max_length=REASONS_MAX, required=False,
                              description=_l("Måste fyllas i vid delvis bifall och avslag. "
                                             "Skälen står i beslutsbrevet."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.outcome.data in (Outcome.PARTIALLY_APPROVED.value, Outcome.REJECTED.value) \
                and not (self.reasons.data or "").strip() and not self.reasons.errors:
            self.reasons.errors = [*self.reasons.errors, _l(
                "Skriv skälen. Ett beslut som inte ger allt som föreningen söker måste "
                "motiveras.")]
            valid = False
        if self.outcome.data == Outcome.PARTIALLY_APPROVED.value and \
                self.amount.amount is None and not self.amount.errors:
            self.amount.errors = [*self.amount.errors, _l("Fyll i det belopp som beviljas.")]
            valid = False
        return valid


class DeadlineField(DateField):
    """A date typed as ÅÅÅÅ-MM-DD, with a Swedish message for anything else."""

    def process_formdata(self, valuelist):
        if valuelist and (valuelist[0] or "").strip():
            try:
                self.data = date.fromisoformat(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(_l("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel %(date)s.",
                                    date=(today_local() + timedelta(days=DEFAULT_DAYS))
                                    .isoformat())) from None
        else:
            self.data = None


class CompletionForm(BaseForm):
    message = long_text_field(_l("Vad behöver kompletteras?"), max_length=3000,
                              description=_l("Skriv så att föreningen förstår vad som saknas. "
                                             "Texten mejlas och sparas i ärendet."))
    deadline = DeadlineField(_l("Sista dag att komplettera"),
                             description=_l("Skriv datumet som ÅÅÅÅ-MM-DD. Högst %(days)d "
                                            "dagar fram.", days=GRANT_MAX_DAYS))

    def __init__(self, *args, **kwargs):
        # A blank form (formdata=None) shown after another form's POST also gets the default.
        blank = "formdata" in kwargs and kwargs["formdata"] is None
        super().__init__(*args, **kwargs)
        if self.deadline.data is None and (blank or not self.is_submitted()):
            self.deadline.data = today_local() + timedelta(days=DEFAULT_DAYS)

    def validate_deadline(self, field) -> None:
        if field.errors:  # unreadable: the field's own message says how to write it
            return
        error = deadline_error(field.data)
        if error:
            raise ValidationError(error)


class PayoutExportForm(BaseForm):
    """The export of payout lines for the finance department (marks them exported)."""

    file_format = RadioField(_l("Filformat"), choices=[("xlsx", _l("Excel-fil (.xlsx)")),
                                                       ("csv", _l("CSV (semikolonseparerad)"))],
                             default="xlsx", validators=[DataRequired()])
    include_exported = BooleanField(_l("Ta med rader som redan har exporterats"))


# --- scoring ------------------------------------------------------------------------------------

class CriterionForm(BaseForm):
    """A scoring criterion (bedömningskriterium) of a programme."""

    name_sv = text_field(_l("Kriterium"), max_length=LINE_MAX,
                         description=_l("Till exempel Delaktighet."))
    name_en = text_field(_l("Kriterium på engelska"), max_length=LINE_MAX, required=False)
    description_sv = long_text_field(
        _l("Vad bedöms?"), max_length=CRITERION_DESCRIPTION_MAX, required=False,
        description=_l("Skriv vad som ger höga poäng, så att handläggarna bedömer lika."))
    max_score = WholeNumberField(_l("Högsta poäng"), default=5,
                                 validators=[DataRequired(message=_l("Fyll i högsta poäng.")),
                                             NumberRange(min=1, max=MAX_SCORE_LIMIT, message=_l(
                                                 "Högsta poäng ska vara mellan 1 och "
                                                 "%(max)d.", max=MAX_SCORE_LIMIT))])
    weight = WholeNumberField(_l("Vikt"), default=1,
                              description=_l("Poängen multipliceras med vikten i totalen."),
                              validators=[DataRequired(message=_l("Fyll i vikten.")),
                                          NumberRange(min=1, max=WEIGHT_LIMIT, message=_l(
                                              "Vikten ska vara mellan 1 och %(max)d.",
                                              max=WEIGHT_LIMIT))])


class ScoresForm(BaseForm):
    """The officer's scores; :func:`scores_form` adds a score and a comment per criterion."""


def scores_form(criteria, **kwargs) -> ScoresForm:
    """Fields ``s<id>`` (empty, or 0 … max) and ``c<id>`` (comment) per criterion."""
    fields = {}
    for criterion in criteria:
        choices = [("", _l("Inte bedömd"))] + [(str(n), str(n))
                                                for n in range(criterion.max_score + 1)]
        fields[f"s{criterion.id}"] = SelectField(
            _l("Poäng för %(name)s (0–%(max)d)", name=criterion.name, max=criterion.max_score),
            choices=choices, default="", validate_choice=True)
        fields[f"c{criterion.id}"] = long_text_field(
            _l("Kommentar till %(name)s", name=criterion.name), max_length=SCORE_COMMENT_MAX,
            required=False)
    form_cls = type("CriteriaScoresForm", (ScoresForm,), fields)
    return form_cls(**kwargs)

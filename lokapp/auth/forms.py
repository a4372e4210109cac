"""Forms for registering, logging in, passwords, the account page and staff administration."""
from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from lokapp.auth.models import GlobalRole, StaffArea, User
from lokapp.auth.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from lokapp.auth.passwords import password_problem
from lokapp.core.forms import (
    BaseForm,
    MultiCheckboxField,
    NoControlCharacters,
    SekField,
    text_field,
)
from lokapp.extensions import db

NAME_MAX = 120
EMAIL_MAX = 254
DELEGATION_MAX_SEK = 1_000_000_000

PASSWORD_HINT = _l(
    "Minst 12 tecken. Ett bra sätt är att skriva några ord som du kommer ihåg, till exempel "
    "”gul cykel vid ån”. Lösenordet får inte vara din e-postadress eller ditt namn, inte bestå "
    "av nästan bara samma tecken och inte vara ett vanligt lösenord som ”lösenord123”."
)

_NAME_PUNCTUATION = set(" -'’.")


def _valid_name(form, field) -> None:
    """A person's name: letters in any script, digits, spaces, hyphens, apostrophes, full stops.

    Markup and SQL characters (``<>"=;``) have no place in a name.
    """
    value = field.data or ""
    if not value:
        return
    for ch in value:
        category = unicodedata.category(ch)
        if ch not in _NAME_PUNCTUATION and not category.startswith(("L", "M", "Nd")):
            raise ValidationError(_l(
                "Namnet får bara innehålla bokstäver, siffror, mellanslag, bindestreck, "
                "apostrof och punkt."))
    if not any(unicodedata.category(ch).startswith("L") for ch in value):
        raise ValidationError(_l("Skriv ditt namn med bokstäver."))


def name_field(label=None, description="") -> object:
    return text_field(label or _l("Namn"), max_length=NAME_MAX, validators=[_valid_name],
                      description=description)


def email_field(label=None, description="") -> EmailField:
    label = label or _l("E-postadress")
    return EmailField(
        label,
        validators=[
            DataRequired(message=_l("Fyll i din e-postadress.")),
            Length(max=EMAIL_MAX, message=_l("Högst %(max)d tecken.", max=EMAIL_MAX)),
            NoControlCharacters(),
            Email(message=_l("Skriv en giltig e-postadress, till exempel namn@exempel.se."),
                  granular_message=False),
        ],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        description=description,
        render_kw={"maxlength": EMAIL_MAX, "autocomplete": "email", "spellcheck": "false"},
    )


def _password_field(label, *, new: bool, description="") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(message=_l("Fyll i lösenordet.")),
            Length(max=PASSWORD_MAX_LENGTH,
                   message=_l("Högst %(max)d tecken.", max=PASSWORD_MAX_LENGTH)),
        ],
        description=description,
        render_kw={"autocomplete": "new-password" if new else "current-password",
                   "maxlength": PASSWORD_MAX_LENGTH},
    )


def _confirm_field() -> PasswordField:
    return PasswordField(
        _l("Skriv lösenordet en gång till"),
        validators=[DataRequired(message=_l("Skriv lösenordet en gång till.")),
                    Length(max=PASSWORD_MAX_LENGTH,
                           message=_l("Högst %(max)d tecken.", max=PASSWORD_MAX_LENGTH)),
                    EqualTo("password", message=_l("Lösenorden är inte likadana. Skriv samma "
                                                   "lösenord i båda fälten."))],
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX_LENGTH},
    )


class NewPasswordMixin:
    """The strength rule for a ``password`` field (with ``password_confirm`` beside it).

    The rule compares the password with the person's email address and name: forms set
    ``self.person_email`` / ``self.person_name`` or have ``email`` / ``name`` fields.
    """

    person_email: str = ""
    person_name: str = ""

    def validate_password(self, field) -> None:
        email = self.person_email or getattr(getattr(self, "email", None), "data", "") or ""
        name = self.person_name or getattr(getattr(self, "name", None), "data", "") or ""
        problem = password_problem(field.data or "", email=email, name=name)
        if problem:
            raise ValidationError(problem)


class RegisterForm(NewPasswordMixin, BaseForm):
    name = name_field(description=_l("För- och efternamn."))
    email = email_field(description=_l("Vi skickar en länk hit som du använder för att bekräfta "
                                       "adressen."))
    password = _password_field(_l("Lösenord"), new=True, description=PASSWORD_HINT)
    password_confirm = _confirm_field()


class LoginForm(BaseForm):
    email = email_field()
    password = _password_field(_l("Lösenord"), new=False)
    remember = BooleanField(_l("Kom ihåg mig"),
                            description=_l("Du förblir inloggad i 30 dagar på den här datorn. "
                                           "Välj inte det här på en dator som andra använder."))


class EmailOnlyForm(BaseForm):
    """Forgot password and new verification link: just the address."""

    email = email_field()


class ResetPasswordForm(NewPasswordMixin, BaseForm):
    password = _password_field(_l("Nytt lösenord"), new=True, description=PASSWORD_HINT)
    password_confirm = _confirm_field()

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person_email = user.email if user else ""
        self.person_name = user.name if user else ""


class ChangePasswordForm(NewPasswordMixin, BaseForm):
    current_password = _password_field(_l("Nuvarande lösenord"), new=False)
    password = _password_field(_l("Nytt lösenord"), new=True, description=PASSWORD_HINT)
    password_confirm = _confirm_field()

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.person_email = user.email if user else ""
        self.person_name = user.name if user else ""

    def validate_current_password(self, field) -> None:
        from lokapp.auth.passwords import verify_password

        if self.user is None or not verify_password(self.user.password_hash, field.data or ""):
            raise ValidationError(_l("Det nuvarande lösenordet stämmer inte."))


class ChangeNameForm(BaseForm):
    name = name_field(description=_l("För- och efternamn."))


# --- Staff administration -------------------------------------------------------------------


def _phone(form, field) -> None:
    if field.data and not re.fullmatch(r"\+?[0-9 ()\-]{5,40}", field.data):
        raise ValidationError(_l("Skriv telefonnumret med siffror, till exempel 021-39 00 00."))


class StaffForm(BaseForm):
    """Create (with ``email``) or edit (without) a staff account."""

    name = name_field()
    email = email_field(description=_l("Personen får ett mejl med en länk för att välja "
                                       "lösenord."))
    title = text_field(_l("Titel"), max_length=120, required=False,
                       description=_l("Visas i beslutsbrev, till exempel Handläggare eller "
                                      "Enhetschef."))
    phone = text_field(_l("Telefon"), max_length=40, required=False, validators=[_phone])
    roles = MultiCheckboxField(_l("Roller"), choices=[])
    areas = MultiCheckboxField(
        _l("Områden"), choices=[],
        description=_l("Vilka ärenden personen handlägger. Gäller handläggare och chefer."))
    delegation_limit_sek = SekField(
        _l("Delegationsgräns i kronor"),
        validators=[Optional(),
                    NumberRange(min=0, max=DELEGATION_MAX_SEK,
                                message=_l("Skriv ett belopp mellan 0 och 1 000 000 000 "
                                           "kronor."))],
        description=_l("Det högsta belopp som personen får besluta om själv. Lämna tomt om "
                       "personen inte beslutar om pengar."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    is_disabled = BooleanField(_l("Stäng av kontot"),
                               description=_l("Personen kan inte längre logga in."))

    def __init__(self, *args, editing: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.roles.choices = [(r.value, r.label) for r in GlobalRole]
        self.areas.choices = [(a.value, a.label) for a in StaffArea]
        if editing is None:
            del self.is_disabled
        else:
            del self.email

    existing_user_id: int | None = None

    def validate_email(self, field) -> None:
        if field.errors:  # not an address at all: nothing to look up (NUL bytes break queries)
            return
        existing = db.session.scalar(
            select(User.id).where(User.email == User.normalise_email(field.data or "")))
        if existing is not None:
            self.existing_user_id = existing
            raise ValidationError(_l("Det finns redan ett konto med den e-postadressen."))

    def validate_roles(self, field) -> None:
        if self.editing is None and not field.data:
            raise ValidationError(_l("Välj minst en roll."))

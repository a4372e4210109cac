"""Forms for versions (coordinators) and for signing and withdrawing (associations)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField
from wtforms.validators import DataRequired, InputRequired
from wtforms.widgets import HiddenInput

from lokapp.core.forms import BaseForm, long_text_field, text_field

MAX_BODY_LENGTH = 200_000

BODY_HINT = _l(
    "Klistra in hela texten. Lämna en tom rad mellan stycken. En kort rad för sig blir en "
    "rubrik (du kan också skriva ## före rubriken). Rader som börjar med ”- ” blir en "
    "punktlista. Fotnoter skrivs som ett eget stycke som börjar med ¹, ² … och samma tecken "
    "efter ordet i texten. Granska förhandsvisningen innan du publicerar."
)


class VersionForm(BaseForm):
    title = text_field(_l("Rubrik"), max_length=200,
                       description=_l("Till exempel ”Västerås lokala överenskommelse mellan "
                                      "Västerås stad och civilsamhället”."))
    period_label = text_field(_l("Period"), max_length=40,
                              description=_l("Åren versionen gäller, till exempel 2025–2030."))
    adopted_by = text_field(_l("Fastställd av"), max_length=200, required=False,
                            description=_l("Till exempel Kommunstyrelsen. Frivilligt."))
    effective_from = DateField(
        _l("Gäller från"),
        validators=[InputRequired(message=_l("Fyll i datumet då versionen börjar gälla."))],
        description=_l("Från det datumet är versionen den gällande LÖK:en. Föreningar som "
                       "undertecknat en tidigare version får då ett mejl om att underteckna "
                       "igen."),
    )
    body = long_text_field(_l("Överenskommelsens text"), max_length=MAX_BODY_LENGTH, description=BODY_HINT,
                           render_kw={"rows": 24})


class SignForm(BaseForm):
    """The firmatecknare confirms explicitly; ``version_id`` is the version shown."""

    version_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    confirm = BooleanField(
        _l("Jag är firmatecknare och undertecknar LÖK:en för föreningen"),
        validators=[DataRequired(message=_l("Kryssa i rutan för att bekräfta att du "
                                            "undertecknar för föreningen."))],
    )


class PrepareForm(BaseForm):
    version_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class WithdrawForm(BaseForm):
    reason = long_text_field(_l("Varför återkallar föreningen sin underskrift? (frivilligt)"),
                             max_length=2000, required=False,
                             description=_l("Skälet sparas i historiken och hjälper "
                                            "samverkansgruppen att förstå."),
                             render_kw={"rows": 4})
    confirm = BooleanField(
        _l("Jag är firmatecknare och återkallar föreningens underskrift av LÖK:en"),
        validators=[DataRequired(message=_l("Kryssa i rutan för att bekräfta att du "
                                            "återkallar underskriften."))],
    )

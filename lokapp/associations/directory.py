"""The public association directory: ``/foreningar``, one association, and the lättläst guide.

Everything here is public and read-only. The search form is a GET form that works without
JavaScript; its parameters (``q``, ``category``, ``district``, ``target_group``, ``language``,
``accessible``, ``lok_signatory``, ``page``) are the same as the open data's
(``/api/v1/associations``), and :class:`DirectoryForm` validates both.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.validators import ValidationError

from lokapp.associations import queries
from lokapp.core.access import public
from lokapp.core.forms import BaseForm, text_field

bp = Blueprint("directory", __name__)

QUERY_MAX = 100


class Listed:
    """The value must be one of the field's current choices (or empty: no filter)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(self.message)


class FlagField(BooleanField):
    """A yes/no filter: ``1``/``true``/``ja`` or ``0``/``false``/``nej``/empty; anything
    else is an error rather than silently true (WTForms' BooleanField takes any value)."""

    TRUE = frozenset({"1", "true", "ja", "yes", "on", "y"})
    FALSE = frozenset({"", "0", "false", "nej", "no", "off", "n"})

    def process_formdata(self, valuelist):
        if not valuelist:
            self.data = False
            return
        value = valuelist[0].strip().lower()
        self.data = value in self.TRUE
        if value not in self.TRUE | self.FALSE:
            raise ValueError(_l("Ange 1 (ja) eller 0 (nej)."))

    def _value(self):
        return "1"  # the checkbox submits accessible=1, as the pagination links do


def _select(label, empty_label, message):
    return SelectField(label, choices=[("", empty_label)], default="", validate_choice=False,
                       validators=[Listed(message)])


class DirectoryForm(BaseForm):
    """Search and filters of the directory; submitted by GET, so no CSRF token."""

    class Meta:
        csrf = False

    q = text_field(_l("Sök på namn eller beskrivning"), max_length=QUERY_MAX, required=False,
                   description=_l("Till exempel fotboll, kör eller Bäckby."))
    category = _select(_l("Kategori"), _l("Alla kategorier"),
                       _l("Välj en kategori i listan."))
    district = _select(_l("Stadsdel"), _l("Alla stadsdelar"),
                       _l("Välj en stadsdel i listan."))
    target_group = _select(_l("Målgrupp"), _l("Alla målgrupper"),
                           _l("Välj en målgrupp i listan."))
    language = _select(_l("Språk i verksamheten"), _l("Alla språk"),
                       _l("Välj ett språk i listan."))
    accessible = FlagField(_l("Bara föreningar med tillgängliga lokaler"))
    lok_signatory = FlagField(_l("Bara föreningar som har skrivit under LÖK:en"))

    def set_choices(self, choices: queries.FilterChoices) -> None:
        for field, options in ((self.category, choices.categories),
                               (self.district, choices.districts),
                               (self.target_group, choices.target_groups),
                               (self.language, choices.languages)):
            field.choices = [field.choices[0], *((c.key, c.name) for c in options)]

    def to_filter(self) -> queries.DirectoryFilter:
        """The valid part of what was asked; a field with an error does not filter."""

        def value(field, empty):
            return empty if field.errors else (field.data or empty)

        return queries.DirectoryFilter(
            q=value(self.q, "").strip(),
            category=value(self.category, ""),
            district=value(self.district, ""),
            target_group=value(self.target_group, ""),
            language=value(self.language, ""),
            accessible=value(self.accessible, False),
            lok_signatory=value(self.lok_signatory, False),
        )


def build_form(args) -> DirectoryForm:
    """The form filled from query parameters, with its choices loaded and validated."""
    form = DirectoryForm(formdata=args)
    form.set_choices(queries.filter_choices())
    form.validate()
    return form


def _page_number() -> int:
    page = request.args.get("page", type=int)
    return page if page is not None and page >= 1 else 1


@bp.get("/foreningar")
@public
def index():
    form = build_form(request.args)
    flt = form.to_filter()
    page = _page_number()
    if page > queries.MAX_PAGE:
        abort(404)
    result = queries.directory_page(flt, page=page)
    if page > 1 and page > (result.pagination.pages or 1):
        abort(404)
    return render_template("directory/index.html", form=form, flt=flt, result=result,
                           language_name=queries.language_name)


@bp.get("/foreningar/<int:association_id>")
@public
def detail(association_id: int):
    association = queries.get_listed(association_id)
    if association is None:
        abort(404)
    is_signatory = association.id in queries.signatory_ids([association.id])
    return render_template("directory/detail.html", association=association,
                           is_signatory=is_signatory, language_name=queries.language_name,
                           website_href=queries.website_href(association.website),
                           phone_href=queries.phone_href(association.phone))


@bp.get("/foreningar/lattlast")
@public
def easy_read():
    return render_template("directory/easy_read.html")

"""Every text field of every form has a length limit and refuses control characters."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from wtforms import (
    EmailField,
    PasswordField,
    SearchField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
)
from wtforms.validators import Length

import lokapp
from lokapp.core.forms import BaseForm, NoControlCharacters

TEXT_FIELDS = (StringField, TextAreaField, EmailField, PasswordField, SearchField, TelField,
               URLField)


def _all_form_classes() -> list[type[BaseForm]]:
    for module in pkgutil.walk_packages(lokapp.__path__, "lokapp."):
        if module.name.rsplit(".", 1)[-1].startswith("forms"):
            importlib.import_module(module.name)
    found, todo = [], list(BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: c.__qualname__)


FORMS = _all_form_classes()


def test_forms_are_found():
    assert len(FORMS) >= 2


@pytest.mark.parametrize("form_cls", FORMS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_text_fields_have_length_limits(app, form_cls):
    with app.test_request_context():
        form = form_cls(meta={"csrf": False})
        for field in form:
            if not isinstance(field, TEXT_FIELDS) or field.type == "HiddenField":
                continue
            lengths = [v for v in field.validators if isinstance(v, Length) and v.max > 0]
            assert lengths, f"{form_cls.__qualname__}.{field.name} has no length limit"
            if not isinstance(field, PasswordField):
                assert any(isinstance(v, NoControlCharacters) for v in field.validators), \
                    f"{form_cls.__qualname__}.{field.name} accepts control characters"


@pytest.mark.parametrize("value", ["a\x00b", "a\x1bb", "rad\u202eett", "rad\nbrytning"])
def test_control_characters_are_refused_with_a_swedish_message(app, value):
    from lokapp.core.forms_public import AccessibilityFeedbackForm

    with app.test_request_context(method="POST", data={"name": value, "message": "hej"}):
        form = AccessibilityFeedbackForm(meta={"csrf": False})
        assert not form.validate()
        assert any("styrtecken" in str(e) for e in form.name.errors)

"""Staff-edited wording runs in a sandbox; escapes and outside references cannot be saved."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lokapp.letters import sandbox, services
from lokapp.letters.kinds import KINDS
from lokapp.letters.models import LetterKind, LetterTemplate
from lokapp.letters.sandbox import TemplateProblem, html_to_text

KIND = LetterKind.REGISTRATION_APPROVED


def texts(**overrides) -> dict[str, str]:
    spec = KINDS[KIND]
    return {"subject_sv": spec.subject_sv, "body_sv": spec.body_sv,
            "subject_en": spec.subject_en, "body_en": spec.body_en, **overrides}


ESCAPES = [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__ }}",
    "{{ self.__init__.__globals__ }}",
    "{{ association.name.upper() }}",
    "{{ association['__class__'] }}",
    "{{ range(10) }}",
    "{{ config }}",
    "{{ request.environ }}",
    "{{ 'x' * 1000000000 }}",
    "{% include 'base.html' %}",
    "{% import 'x' as y %}",
    "{{ association|attr('__class__') }}",
    "{{ nonexistent }}",
    "{{ association.nothing_here }}",
    "{% for %}",
]
OUTSIDE = [
    '<img src="file:///etc/passwd" alt="">',
    '<link rel="stylesheet" href="http://example.com/evil.css">',
    "<style>body { background: url(file:///etc/passwd) }</style>",
    '<p style="background: url(file:///etc/passwd)">x</p>',
    "<p>url(file:///etc/passwd)</p>",
    '<a href="file:///etc/passwd">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    "<script>alert(1)</script>",
    '<iframe src="http://example.com"></iframe>',
    '<object data="file:///etc/passwd"></object>',
    "<p>@import 'http://example.com/x.css';</p>",
    "{% if association.name == 'x' %}<img src='file:///etc/passwd'>{% endif %}",
]


@pytest.mark.parametrize("body", ESCAPES + OUTSIDE)
def test_escapes_and_outside_references_cannot_be_saved(app, db, body, make_user):
    admin = make_user("admin")
    before = db.session.scalar(select(func.count()).select_from(LetterTemplate))
    with pytest.raises(TemplateProblem) as info:
        services.save_template(KIND, texts(body_sv=body), admin)
    assert str(info.value)  # a Swedish message for the editor
    assert "Traceback" not in str(info.value)
    after = db.session.scalar(select(func.count()).select_from(LetterTemplate)
                              .where(LetterTemplate.version > 1))
    assert after == 0 and before <= 1


@pytest.mark.parametrize("subject", ["<b>x</b>", "{{ ''.__class__ }}", "{{ cycler }}"])
def test_subjects_are_text(app, db, subject, make_user):
    with pytest.raises(TemplateProblem):
        services.save_template(KIND, texts(subject_en=subject), make_user("admin"))


def test_the_messages_are_clear_swedish():
    with pytest.raises(TemplateProblem, match="__class__"):
        sandbox.render_checked("{{ ''.__class__ }}", {})
    with pytest.raises(TemplateProblem, match="Taggen <img> är inte tillåten"):
        sandbox.render_checked('<img src="file:///etc/passwd">', {})
    with pytest.raises(TemplateProblem, match="url\\(\\)"):
        sandbox.render_checked("<p>url(file:///etc/passwd)</p>", {})
    with pytest.raises(TemplateProblem, match="något som inte finns: nonexistent"):
        sandbox.render_checked("{{ nonexistent }}", {})


def test_escaping_without_underscores_in_the_source_is_refused_by_the_sandbox():
    # check_source refuses "__" at once; the sandbox itself refuses it as well
    with pytest.raises(TemplateProblem):
        sandbox.render("{{ x[y] }}", {"x": "", "y": "__class__"})
    with pytest.raises(TemplateProblem):
        sandbox.render("{{ x.upper() }}", {"x": "a"})


def test_values_are_escaped_not_markup():
    output = sandbox.render_checked("<p>{{ association.name }}</p>",
                                    {"association": {"name": '<img src="file:///etc/passwd">'}})
    assert "<img" not in output and "&lt;img" in output
    assert sandbox.check_html(output, text_too=False) == []


def test_a_valid_template_is_saved_as_a_new_version(app, db, make_user):
    admin = make_user("admin")
    first = services.current_template(KIND)
    body = "<p>{{ association.name }} är registrerad. <strong>Grattis!</strong></p>" \
           "<ul>{% for c in changes %}<li>{{ c.label }}</li>{% endfor %}</ul>" \
           '<p><a href="https://www.vasteras.se/foreningar">Läs mer</a></p>'
    saved = services.save_template(KIND, texts(body_sv=body), admin)
    assert saved.version == first.version + 1
    assert services.current_template(KIND).id == saved.id
    assert first.body_sv == KINDS[KIND].body_sv  # the old version is kept unchanged


def test_html_to_text():
    text = html_to_text('<p>Hej <strong>där</strong>.</p><ul><li>Ett</li><li>Två</li></ul>'
                        '<p><a href="https://x.se">Läs</a></p>')
    assert text == "Hej där.\n\n- Ett\n- Två\n\nLäs (https://x.se)"

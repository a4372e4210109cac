"""Decision letters (beslutsbrev): lawful content, archival PDF, e-mail, staff-edited wording.

A *decision* is what a case officer delivers; the *letter* is its written form, sent to the
parties and kept with the case. The vocabulary of this package:

kind            What the letter is about – :class:`~lokapp.letters.models.LetterKind`, e.g.
                ``registration_rejected``. Each kind is described once in :mod:`.kinds`: its
                outcome (approval, partial approval, rejection), whether reasons are
                mandatory, its default wording and its sample data.
template        The staff-edited wording of a kind (Swedish and English): a subject and a
                body, Jinja run in a sandbox (:mod:`.sandbox`). Every save is a new
                :class:`~lokapp.letters.models.LetterTemplate` row (a *version*); a letter
                records the version it used. The lawful frame – letterhead, case number,
                reasons, who decided on which delegation, appeal instructions – is not
                editable: it lives in ``templates/letters/`` and is the same for every kind.
context         The plain data a letter is rendered from (dicts, lists, strings, numbers –
                never ORM objects), built once by :mod:`.context` and stored as JSON on the
                letter. Rendering (:mod:`.rendering`) sees nothing else.
letter          :class:`~lokapp.letters.models.Letter`: the context, the template version, the
                PDF bytes and their SHA-256. A letter is rendered once, when the decision is
                made, in the decision's transaction; it is never rendered again. Opening,
                downloading or resending it serves the stored bytes.
dispatch        One sending of a letter by e-mail through the outbox
                (:class:`~lokapp.letters.models.LetterDispatch`); the delivery status is the
                outbox message's. A resend is a new dispatch with the same bytes.
appeal          Överklagandehänvisning, in one of two variants chosen per case type in the
                configuration (``LETTER_APPEAL_ROUTES``): *laglighetsprövning*
                (kommunallagen 13 kap.) or *förvaltningsbesvär* (förvaltningslagen 40–47 §§).
batch           Letters for many decided cases at once (:class:`~lokapp.letters.models.
                LetterBatch`), run by ``flask lok letters-batch``; resumable, and never sends a
                letter twice (one letter per case, kind and decision – a unique constraint).

Formats: the PDF is PDF/A-2a (archival, tagged, Unicode text) and carries the PDF/UA-1
identification; the same letter is readable as an HTML page on the case.
"""
from __future__ import annotations

import logging


def init_letters(app) -> None:
    """Configuration defaults, the blueprint, and the template helpers letters use."""
    # WeasyPrint reports every rendering step at INFO (also its own style sheets, parsed when
    # it is first imported – hence before the imports below).
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from lokapp.letters import permissions as _permissions  # noqa: F401 - registers predicates
    from lokapp.letters.context import init_config
    from lokapp.letters.queries import deliveries_for_case
    from lokapp.letters.sandbox import paragraphs
    from lokapp.letters.views import bp

    init_config(app.config)
    app.register_blueprint(bp)
    app.jinja_env.filters["letter_paragraphs"] = paragraphs
    app.jinja_env.filters["css_string"] = css_string
    app.jinja_env.globals["letter_deliveries"] = deliveries_for_case


def css_string(value) -> str:
    """A CSS string literal: quotes, backslashes, line breaks and ``<`` escaped."""
    out = []
    for char in str(value):
        if char in '"\\<>' or ord(char) < 0x20 or ord(char) == 0x7f:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'

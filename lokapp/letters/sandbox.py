"""The sandbox staff-edited letter wording runs in, and the checks a template must pass to be saved.

Three layers, each enough on its own for the common attacks:

1. **Jinja sandbox** (:class:`LetterSandbox`, an ``ImmutableSandboxedEnvironment``): no globals
   (no ``range``, ``cycler``, ``lipsum``, ``namespace``), a short list of filters, no method
   calls, no arithmetic that could blow up (``*``, ``**``), attribute access only to keys of
   the plain-data dictionaries in :data:`lokapp.letters.kinds.TEMPLATE_VARIABLES`, and strict
   undefined variables – ``{{ ''.__class__ }}`` or ``{{ cycler.__init__.__globals__ }}`` fail.
   Output is autoescaped: a name such as ``<img src=…>`` is text.
2. **HTML allowlist** (:func:`check_html`): the template's literal markup (all branches, from
   the source) and the rendered sample may contain only simple text markup – ``p``, ``br``,
   ``strong``, ``em``, lists, ``h2``/``h3`` and ``a`` with an https/mailto link. No ``img``,
   ``link``, ``style``, ``script``, no ``style=`` attributes, no ``url(...)``, no ``file:``.
3. **Locked-down URL fetcher** (:mod:`lokapp.letters.rendering`): even if something slipped
   through, the PDF renderer fetches nothing but bundled static files and fails on anything
   else.

:func:`validate_template` runs all of them (and renders a sample PDF) before a template is
saved; :class:`TemplateProblem` carries the Swedish message for the editor.
"""
from __future__ import annotations

import operator
import re
from html import escape, unescape
from html.parser import HTMLParser
from typing import Any

from flask_babel import gettext as _
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.defaults import DEFAULT_FILTERS, DEFAULT_TESTS
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

ALLOWED_TAGS = ("p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "h2", "h3", "a")
_VOID = {"br"}
ALLOWED_FILTERS = ("capitalize", "default", "d", "e", "escape", "first", "join", "last",
                   "length", "count", "lower", "upper", "title", "trim", "replace", "truncate",
                   "wordcount", "striptags")
ALLOWED_TESTS = ("defined", "undefined", "none", "equalto", "eq", "ne", "string", "number",
                 "sequence", "in", "true", "false", "odd", "even")
MAX_OUTPUT = 50_000
_LINK_SCHEMES = ("https://", "http://", "mailto:")
_FORBIDDEN_TEXT = re.compile(
    r"url\s*\(|@import|file:/|data:[a-z]+/|javascript:|vbscript:|expression\s*\(",
    re.IGNORECASE)


class TemplateProblem(ValueError):
    """A template that may not be saved or used; ``str(problem)`` is the Swedish message."""


class LetterSandbox(ImmutableSandboxedEnvironment):
    """Jinja for staff-edited wording: plain data in, escaped text and simple markup out."""

    intercepted_binops = frozenset({"*", "**", "//", "%"})

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                         lstrip_blocks=True, loader=None, extensions=())
        self.globals.clear()
        self.filters = {name: DEFAULT_FILTERS[name] for name in ALLOWED_FILTERS}
        self.tests = {name: DEFAULT_TESTS[name] for name in ALLOWED_TESTS}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False  # only dictionary keys, through getattr/getitem below

    def getattr(self, obj: Any, attribute: str) -> Any:
        return self.getitem(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str) and argument.startswith("_"):
            raise SecurityError(f"access to {argument!r} is not allowed")
        if isinstance(obj, dict) and isinstance(argument, str) and argument in obj:
            return obj[argument]
        if isinstance(obj, (list, tuple)) and isinstance(argument, int) \
                and -len(obj) <= argument < len(obj):
            return obj[argument]
        return self.undefined(obj=obj, name=argument)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        raise SecurityError("calling functions is not allowed in letter templates")

    def call_binop(self, context, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name in self.intercepted_binops:
            raise SecurityError(f"the operator {operator_name} is not allowed")
        return getattr(operator, operator_name)(left, right)  # pragma: no cover


_SANDBOX: LetterSandbox | None = None


def sandbox() -> LetterSandbox:
    global _SANDBOX
    if _SANDBOX is None:
        _SANDBOX = LetterSandbox()
    return _SANDBOX


def render(source: str, variables: dict[str, Any]) -> str:
    """Render staff wording with ``variables``; raises :class:`TemplateProblem`."""
    try:
        output = sandbox().from_string(source).render(**variables)
    except SecurityError:
        raise TemplateProblem(_(
            "Mallen försöker nå delar av systemet som mallar inte får använda (till exempel "
            "__class__ eller funktionsanrop). Använd bara de variabler som står i listan."
        )) from None
    except UndefinedError as error:
        raise TemplateProblem(_(
            "Mallen använder något som inte finns: %(error)s. Använd bara de variabler som "
            "står i listan.", error=_undefined_name(error))) from None
    except TemplateSyntaxError as error:
        raise TemplateProblem(_("Mallen går inte att läsa (rad %(line)s): %(error)s",
                                line=error.lineno, error=error.message)) from None
    except (TemplateError, TypeError, ValueError, LookupError, ArithmeticError) as error:
        raise TemplateProblem(_("Mallen gick inte att använda: %(error)s",
                                error=str(error)[:200])) from None
    if len(output) > MAX_OUTPUT:
        raise TemplateProblem(_("Texten blir för lång (högst %(max)d tecken).", max=MAX_OUTPUT))
    return output


def _undefined_name(error: UndefinedError) -> str:
    match = re.search(r"'([^']+)' (?:is undefined|has no attribute '([^']+)')",
                      str(error.message or ""))
    if not match:
        return str(error.message or "")[:100]
    return f"{match.group(1)}.{match.group(2)}" if match.group(2) else match.group(1)


# --- the HTML allowlist -------------------------------------------------------------------------

class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(_("Taggen <%(tag)s> är inte tillåten i brevmallar.", tag=tag))
            return
        for name, value in attrs:
            if tag == "a" and name == "href":
                if not (value or "").strip().lower().startswith(_LINK_SCHEMES):
                    self.problems.append(_(
                        "Länkar får bara gå till https-, http- eller mailto-adresser."))
            else:
                self.problems.append(_("Attributet %(name)s är inte tillåtet i brevmallar.",
                                       name=name))

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.problems.append(_("HTML-kommentarer är inte tillåtna i brevmallar."))

    def handle_decl(self, decl: str) -> None:
        self.problems.append(_("Deklarationer är inte tillåtna i brevmallar."))

    def handle_pi(self, data: str) -> None:
        self.handle_decl(data)

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)


def check_html(html: str, *, text_too: bool = True) -> list[str]:
    """The problems of ``html`` against the allowlist (empty when it is fine).

    ``text_too`` also refuses ``url(``, ``@import``, ``file:/`` … in the text – right for the
    staff's own wording, wrong for rendered data (an association may be called "Data: X").
    """
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = list(dict.fromkeys(checker.problems))
    if text_too and _FORBIDDEN_TEXT.search(unescape(html)):
        problems.append(_("Mallen innehåller url(), @import eller en file:-, data:- eller "
                          "javascript:-adress. Sådant får inte finnas i brevmallar."))
    return problems


def literal_markup(source: str) -> str:
    """The template's own text outside Jinja tags – every branch, whatever the data."""
    try:
        tokens = sandbox().lex(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(_("Mallen går inte att läsa (rad %(line)s): %(error)s",
                                line=error.lineno, error=error.message)) from None
    return "".join(value for _line, kind, value in tokens if kind == "data")


def check_source(source: str) -> None:
    """Refuse escapes visible in the source itself, before anything runs."""
    if "__" in source:
        raise TemplateProblem(_(
            "Mallen försöker nå delar av systemet som mallar inte får använda (till exempel "
            "__class__ eller funktionsanrop). Använd bara de variabler som står i listan."))
    problems = check_html(literal_markup(source))
    if problems:
        raise TemplateProblem(" ".join(problems))


def render_checked(source: str, variables: dict[str, Any], *, markup: bool = True) -> str:
    """Check the source, render it, and check the output; ``markup=False`` for one-line
    texts (subjects) that may hold no tags at all."""
    check_source(source)
    output = render(source, variables)
    if markup:
        problems = check_html(output, text_too=False)
    else:
        problems = [_("Ämnesraden får inte innehålla HTML-taggar.")] if "<" in output else []
        if "\n" in output.strip():
            problems.append(_("Ämnesraden ska vara en enda rad."))
    if problems:
        raise TemplateProblem(" ".join(problems))
    return output


# --- plain text for e-mail ---------------------------------------------------------------------

class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.list_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "h2", "h3", "ul", "ol"):
            self.parts.append("\n\n")
        if tag in ("ul", "ol"):
            self.list_depth += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self.list_depth = max(0, self.list_depth - 1)
            self.parts.append("\n\n")
        elif tag in ("p", "h2", "h3"):
            self.parts.append("\n\n")
        elif tag == "a" and self.href:
            self.parts.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Readable plain text of allowlisted markup, for the text part of an e-mail."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def paragraphs(text: str | None) -> Markup:
    """An officer's plain text (reasons, notes) as escaped paragraphs."""
    if not text:
        return Markup("")
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return Markup("".join(
        "<p>" + "<br>".join(escape(line) for line in block.splitlines()) + "</p>"
        for block in blocks))

"""The English catalogue: complete, consistent with the source, and really used.

The Swedish texts in the code and templates are the msgids; ``make messages`` extracts them
(babel.cfg, the keywords in the Makefile) and updates ``lokapp/translations/en``. These tests
extract from the current source the same way, so adding a Swedish string without an English
translation fails here – run ``make messages``, translate, and commit the .po.
"""
from __future__ import annotations

import ast
import os
import re
import tempfile
from collections import Counter
from fnmatch import fnmatch
from html import unescape
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_domain

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "lokapp" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")

# %(name)s / %(max)d (gettext), %% (a literal per cent sign), {name} (str.format).
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%%|\{\w*\}")
MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|\*\*|`")

# Texts that are the same in Swedish and English (names, codes, international words).
SAME_IN_BOTH = {
    "%(band)s, %(gender)s", "Administration", "Bankgiro", "Bengali", "Hindi", "LÖK",
    "LÖK %(period)s", "LÖK Västerås", "Man", "Meänkieli", "Pashto", "PDF", "Period",
    "Person %(n)d", "Plusgiro", "Romani", "Status", "Swahili", "Tagalog", "Tamil", "Urdu",
    "Version", "Version %(n)d", "Version:",
}

GETTEXT_FUNCTIONS = {"gettext", "ngettext", "pgettext", "npgettext", "lazy_gettext",
                     "lazy_ngettext", "lazy_pgettext", "lazy_npgettext"}


def _makefile_extract_line() -> str:
    """The ``pybabel extract`` command of ``make messages`` (continuation lines joined)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(ln for ln in text.splitlines() if "pybabel extract" in ln)
    assert "-F babel.cfg" in line
    return line


def _keywords() -> dict:
    """Babel's default keywords plus the Makefile's ``-k`` ones (``-k _l`` = first argument)."""
    extra = re.findall(r"(?:-k|--keyword)[ =](\S+)", _makefile_extract_line())
    return {**DEFAULT_KEYWORDS, **{k: None for k in extra}}


def _directory_filter():
    """The Makefile's --ignore-dirs; without it Babel skips every directory named "_…"."""
    found = re.search(r"--ignore-dirs[ =]'([^']*)'", _makefile_extract_line())
    assert found, "`make messages` must pass --ignore-dirs (templates/_macros is skipped otherwise)"
    patterns = found.group(1).split()
    return lambda path: not any(fnmatch(os.path.basename(path), p) for p in patterns)


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str | tuple[str, ...], str | None], str]:
    """{(msgid, context): "file:line"} for every message in the current source, extracted
    as ``make messages`` does."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=_keywords(),
            directory_filter=_directory_filter()):
        if isinstance(message, tuple):
            message = tuple(m for m in message if m is not None)
            if len(message) == 1:
                message = message[0]
        found.setdefault((message, context), f"{Path(filename).as_posix()}:{lineno}")
    return found


@pytest.fixture(scope="module")
def catalogue():
    with open(PO, "rb") as fh:
        return read_po(fh, locale="en")


def _forms(message) -> list[tuple[str, str]]:
    """(source, translation) pairs; plural forms pair with the Swedish singular/plural."""
    if isinstance(message.id, str):
        return [(message.id, message.string)]
    singular, plural = message.id[0], message.id[1]
    return [(singular if i == 0 else plural, s) for i, s in enumerate(message.string)]


def test_extraction_finds_python_templates_macros_and_mail_bodies(extracted):
    files = {where.split(":")[0] for where in extracted.values()}
    assert any(f.startswith("lokapp/") and f.endswith(".py") for f in files)
    assert any(f.startswith("templates/") and f.endswith(".html") for f in files)
    assert any(f.startswith("templates/_macros/") for f in files)
    assert any(f.startswith("templates/mail/") and f.endswith(".txt") for f in files)
    # _l (lazy_gettext) and ngettext are extracted.
    assert ("Handläggare", None) in extracted  # _l in lokapp/auth/models.py
    assert any(isinstance(msgid, tuple) for msgid, _ in extracted)


def test_every_gettext_alias_in_the_code_is_an_extraction_keyword():
    """``from flask_babel import lazy_ngettext as _ln`` would otherwise extract nothing."""
    keywords = _keywords()
    missing = []
    for path in sorted((ROOT / "lokapp").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                for alias in node.names:
                    if alias.name in GETTEXT_FUNCTIONS and (alias.asname or alias.name) \
                            not in keywords:
                        missing.append(f"{path.relative_to(ROOT)}: {alias.name} as "
                                       f"{alias.asname}")
    assert not missing, "add these to `pybabel extract -k` in the Makefile: " + ", ".join(missing)


def test_catalogue_translates_every_message_in_the_source(catalogue, extracted):
    problems = []
    for (msgid, context), where in sorted(extracted.items(), key=lambda kv: kv[1]):
        message = catalogue.get(msgid, context)
        if message is None:
            problems.append(f"{where}: not in the catalogue (run `make messages`): {msgid!r}")
        elif message.fuzzy:
            problems.append(f"{where}: fuzzy – check the translation: {msgid!r}")
        elif isinstance(message.string, str) and not message.string.strip() \
                or not isinstance(message.string, str) and not all(
                    s.strip() for s in message.string):
            problems.append(f"{where}: no English translation: {msgid!r}")
    assert not problems, f"{len(problems)} untranslated:\n" + "\n".join(problems)


def test_translations_keep_placeholders_and_markup(catalogue):
    problems = []
    for message in catalogue:
        if not message.id or message.fuzzy:  # fuzzy: not compiled; the completeness test says so
            continue
        if not isinstance(message.id, str):
            assert len(message.string) == catalogue.num_plurals == 2, message.id
        for source, translation in _forms(message):
            if not translation:
                continue
            for pattern, what in ((PLACEHOLDER, "placeholders"), (MARKUP, "markup")):
                if Counter(pattern.findall(source)) != Counter(pattern.findall(translation)):
                    problems.append(f"{what} differ: {source!r} -> {translation!r}")
    assert not problems, "\n".join(problems)


def test_translations_are_not_copied_swedish(catalogue):
    copied = [m.id for m in catalogue
              if m.id and isinstance(m.id, str) and m.string == m.id and m.id not in SAME_IN_BOTH]
    assert not copied, f"translate these (or add them to SAME_IN_BOTH): {copied}"


def test_catalogue_header_is_english_with_two_plural_forms(catalogue):
    assert str(catalogue.locale) == "en"
    assert catalogue.plural_expr == "(n != 1)"
    assert not catalogue.obsolete or all(m.id for m in catalogue.obsolete.values())


# --- The catalogue in use ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def compiled(app):
    """Compile the .po to the .mo Flask-Babel reads, as ``make`` does (the .mo is not in git),
    when it is missing or older than the .po; then drop Flask-Babel's cached catalogues."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        with open(PO, "rb") as fh:
            catalog = read_po(fh, locale="en")
        fd, tmp = tempfile.mkstemp(dir=MO.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
            os.replace(tmp, MO)  # atomic: a parallel test run never reads half a file
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    with app.test_request_context():
        get_domain().cache.clear()


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return unescape(response.get_data(as_text=True))


def _switch(client, lang: str, next_url: str = "/"):
    response = client.post("/sprak", data={"lang": lang, "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(next_url)


def test_swedish_is_the_default(compiled, client):
    html = _page(client, "/")
    assert '<html lang="sv">' in html
    assert "Hoppa till huvudinnehållet" in html
    assert "För föreningar" in html
    assert ">English</button>" in html


ENGLISH_PAGES = {
    "/": ["Skip to main content", "City of Västerås", "For associations",
          "For residents of Västerås", "For city staff", "Accessibility", "Personal data",
          "Log in", "Create account"],
    "/logga-in": ["Email address", "Password", "Remember me", "Forgotten your password?"],
    "/tillganglighet": ["Accessibility statement", "How accessible is the website?",
                        "Known shortcomings", "Report accessibility problems", "Send"],
    # The agreement text itself exists only in Swedish; the page around it is English.
    "/lok": ["<title>The LÖK – LÖK Västerås</title>", "The LÖK is the agreement between the City "
             "of Västerås and civil society", "Valid from", "Earlier and upcoming versions",
             "Checksum (SHA-256)"],
    "/foreningar": ["Find an association", "Search and filter", "Show associations",
                    "All categories", "All districts", "We found 2 associations.", "Open data",
                    "Only associations that have signed the LÖK"],
}


@pytest.mark.parametrize("path", ENGLISH_PAGES)
def test_english_is_shown_after_switching(compiled, client, make_association, path):
    make_association("Västerås Testkör", is_public=True)
    make_association("Bäckby Testförening", is_public=True)
    _switch(client, "en", path)
    html = _page(client, path)
    assert '<html lang="en">' in html
    for phrase in ENGLISH_PAGES[path]:
        assert phrase in html, f"{path}: {phrase!r} not found"
    for swedish in ("Hoppa till huvudinnehållet", "Huvudmeny", "Logga in", "Skapa konto",
                    "Tillgänglighet", "Personuppgifter"):
        assert swedish not in html, f"{path}: Swedish {swedish!r} left in the English page"
    assert ">Svenska</button>" in html


def test_switching_back_to_swedish(compiled, client):
    _switch(client, "en")
    assert "For associations" in _page(client, "/")
    _switch(client, "sv")
    html = _page(client, "/")
    assert '<html lang="sv">' in html
    assert "För föreningar" in html


def test_an_unknown_language_is_ignored(compiled, client):
    client.post("/sprak", data={"lang": "xx", "next": "/"})
    assert '<html lang="sv">' in _page(client, "/")

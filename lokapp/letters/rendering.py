"""Letters as HTML and as PDF (WeasyPrint), from a plain-data context only.

:func:`render_html` fills ``templates/letters/document.html`` (the print layout: A4, letterhead,
address window, running header with case number and date, "Sida X av Y", bundled fonts) or
``templates/letters/page.html`` (the same letter as an accessible web page). :func:`render_pdf`
turns the print HTML into a PDF/A-2a document – archival, tagged, text as Unicode – that also
declares PDF/UA-1 in its XMP metadata, with the title and the language (``sv-SE``) set.

Why PDF/A-2a and not a separate ``pdf/ua-1`` variant: WeasyPrint writes one variant per
document. PDF/A-2 *level a* already requires the tagged structure tree, ``/MarkInfo``, a
language and Unicode text, which is what PDF/UA needs from the file format; we add the
``pdfuaid:part`` identification (with the PDF/A extension schema that PDF/A requires for it)
ourselves in :class:`LetterMetadata`. PDF/A-2 rather than -3 because archives (e-arkiv following
Riksarkivet's FGS) take PDF/A-1 and -2 without reservations.

The URL fetcher serves only files below ``static/`` with a known suffix (fonts, CSS, images)
and refuses everything else – ``file:``, ``http(s):``, ``data:`` – by failing the render, so
a letter never silently loses a part and a template can never read the server's files.

The context is checked by :func:`assert_plain`: dicts, lists, strings, numbers, booleans,
dates – never ORM objects, so a template cannot reach the database.
"""
from __future__ import annotations

import hashlib
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, fromstring, register_namespace, tostring

from flask import current_app, render_template
from flask_babel import force_locale
from weasyprint import HTML
from weasyprint.pdf.metadata import NS, DocumentMetadata
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "lokapp-static:"
PDF_VARIANT = "pdf/a-2a"
LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-GB"}
_TYPES = {".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
          ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}
_PLAIN = (str, int, float, bool, type(None), date, datetime)


class LetterRenderError(RuntimeError):
    """A letter could not be rendered (a refused resource, a broken template)."""


def assert_plain(value: Any, path: str = "context") -> None:
    """Fail unless ``value`` is plain data all the way down (no ORM objects, no callables)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings, got {type(key).__name__}")
            assert_plain(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            assert_plain(item, f"{path}[{index}]")
    elif not isinstance(value, _PLAIN):
        raise TypeError(f"{path} is a {type(value).__module__}.{type(value).__name__}; a "
                        "letter context holds plain data only (dict, list, str, numbers, dates)")


# --- the URL fetcher ----------------------------------------------------------------------------

_FILE_CACHE: dict[Path, bytes] = {}
_CACHE_LOCK = threading.Lock()


class StaticOnlyFetcher(URLFetcher):
    """Serves ``lokapp-static:<path>`` from ``static/``; everything else fails the render."""

    def __init__(self, static_root: str | Path):
        super().__init__(fail_on_errors=True, allowed_protocols=())
        self.root = Path(static_root).resolve()
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self._path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"letters may only use bundled static files, not {url[:100]!r}")
        with _CACHE_LOCK:
            data = _FILE_CACHE.get(path)
        if data is None:
            data = path.read_bytes()
            with _CACHE_LOCK:
                _FILE_CACHE[path] = data
        self.served.append(url)
        return URLFetcherResponse(url, data, {"Content-Type": _TYPES[path.suffix]})

    def _path(self, url: str) -> Path | None:
        if not url.startswith(STATIC_SCHEME):
            return None
        relative = url[len(STATIC_SCHEME):].split("?", 1)[0].split("#", 1)[0].lstrip("/")
        if not relative or "\\" in relative or "%" in relative:
            return None
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or path.suffix.lower() not in _TYPES \
                or not path.is_file():
            return None
        return path


def static_root() -> Path:
    return Path(current_app.static_folder)


# --- metadata: PDF/UA identification next to PDF/A ---------------------------------------------

_EXTENSION_NS = {
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
for _prefix, _uri in _EXTENSION_NS.items():  # PDF/A requires exactly these prefixes
    register_namespace(_prefix, _uri)


class LetterMetadata(DocumentMetadata):
    """WeasyPrint's XMP plus ``pdfuaid:part=1`` and the PDF/A extension schema declaring it."""

    def generate_rdf_metadata(self, variant, version, conformance):
        xml = super().generate_rdf_metadata(variant, version, conformance)
        rdf_ns = NS["rdf"]
        rdf = fromstring(xml)
        ua = SubElement(rdf, f"{{{rdf_ns}}}Description")
        ua.attrib[f"{{{rdf_ns}}}about"] = ""
        ua.attrib[f"{{{NS['pdfuaid']}}}part"] = "1"
        rdf.append(_extension_schema())
        return tostring(rdf, encoding="utf-8")


def _extension_schema() -> Element:
    rdf = NS["rdf"]
    ext, schema, prop = (_EXTENSION_NS[k] for k in ("pdfaExtension", "pdfaSchema",
                                                    "pdfaProperty"))
    description = Element(f"{{{rdf}}}Description")
    description.attrib[f"{{{rdf}}}about"] = ""
    bag = SubElement(SubElement(description, f"{{{ext}}}schemas"), f"{{{rdf}}}Bag")
    item = SubElement(bag, f"{{{rdf}}}li")
    item.attrib[f"{{{rdf}}}parseType"] = "Resource"
    SubElement(item, f"{{{schema}}}schema").text = "PDF/UA Universal Accessibility Schema"
    SubElement(item, f"{{{schema}}}namespaceURI").text = NS["pdfuaid"]
    SubElement(item, f"{{{schema}}}prefix").text = "pdfuaid"
    seq = SubElement(SubElement(item, f"{{{schema}}}property"), f"{{{rdf}}}Seq")
    part = SubElement(seq, f"{{{rdf}}}li")
    part.attrib[f"{{{rdf}}}parseType"] = "Resource"
    SubElement(part, f"{{{prop}}}name").text = "part"
    SubElement(part, f"{{{prop}}}valueType").text = "Integer"
    SubElement(part, f"{{{prop}}}category").text = "internal"
    SubElement(part, f"{{{prop}}}description").text = (
        "Indicates which part of ISO 14289 standard is followed")
    return description


# --- rendering ----------------------------------------------------------------------------------

def render_html(context: dict[str, Any], *, page: bool = False) -> str:
    """The letter as HTML: the print document, or (``page=True``) the body of a web page."""
    assert_plain(context)
    language = context.get("language", "sv")
    with force_locale(language):
        return render_template(
            "letters/page.html" if page else "letters/document.html", letter=context,
            lang=LANGUAGE_TAGS.get(language, language), static=STATIC_SCHEME)


_LOCAL = threading.local()


def font_configuration() -> FontConfiguration:
    """One Fontconfig configuration per thread, reused across letters: WeasyPrint then
    decodes and registers the bundled @font-face files once instead of for every letter
    (about 130 ms of a letter's 200). Only our own letter CSS declares fonts, so what is
    cached is always the bundled files."""
    config = getattr(_LOCAL, "font_config", None)
    if config is None:
        config = _LOCAL.font_config = FontConfiguration()
    return config


def render_pdf(context: dict[str, Any], *, html: str | None = None) -> bytes:
    """The PDF/A-2a (+ PDF/UA-1 identification) bytes of the letter."""
    html = html if html is not None else render_html(context)
    fetcher = StaticOnlyFetcher(static_root())
    try:
        document = HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=fetcher).render(
            font_config=font_configuration())
        metadata = document.metadata
        metadata.__class__ = LetterMetadata
        return document.write_pdf(pdf_variant=PDF_VARIANT)
    except BaseException as error:  # FatalURLFetchingError derives from BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        if fetcher.refused:
            raise LetterRenderError(
                f"the letter refers to resources outside static/: {fetcher.refused}") from None
        raise LetterRenderError(f"the letter could not be rendered: {error}") from error


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

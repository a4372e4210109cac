"""The PDF: lawful text, PDF/A and PDF/UA identification, tags, bundled fonts, title, language;
the locked-down URL fetcher and the plain-data context."""
from __future__ import annotations

import re

import pytest

from lokapp.letters import rendering
from lokapp.letters.context import sample_context
from lokapp.letters.kinds import KINDS
from lokapp.letters.models import LetterKind
from lokapp.letters.rendering import LetterRenderError, StaticOnlyFetcher, assert_plain
from lokapp.letters.services import current_template
from tests.letters.conftest import REASONS, pdf_reader, pdf_text, reject


@pytest.fixture
def rejected_letter(submitted, case_officer):
    return reject(submitted, case_officer)


def _xmp(data: bytes) -> str:
    root = pdf_reader(data).trailer["/Root"]
    return root["/Metadata"].get_object().get_data().decode()


def test_the_text_holds_decision_reasons_rules_delegation_and_appeal(rejected_letter):
    text = " ".join(pdf_text(rejected_letter.pdf).split())
    assert "Beslut om registrering av Bäckby Schackklubb" in text
    assert "blir inte registrerad i Västerås stads föreningsregister" in text
    assert "Skäl för beslutet" in text and "Föreningen har ingen verksamhet i Västerås." in text
    assert "Regler som beslutet bygger på" in text
    assert "Karin Handläggare, Föreningskonsulent" in text
    assert "delegationsordning" in text
    assert "laglighetsprövning" in text and "13 kapitlet kommunallagen" in text
    assert "inom tre veckor" in text and "Förvaltningsrätten i Uppsala" in text
    assert rejected_letter.context["case"]["number"] in text
    # the window envelope address and the running header
    assert "Att: Sara Sökande" in text and "723 45 Västerås" in text
    assert re.search(r"Sida 1 av \d", text)


def test_case_number_and_date_are_on_every_page(rejected_letter):
    number = rejected_letter.context["case"]["number"]
    date = rejected_letter.context["decision"]["iso_date"]
    pages = pdf_reader(rejected_letter.pdf).pages
    assert len(pages) >= 2
    for index, page in enumerate(pages, start=1):
        page_text = " ".join(page.extract_text().split())
        assert f"Ärende {number} · {date}" in page_text
        assert f"Sida {index} av {len(pages)}" in page_text


def test_pdfa_and_pdfua_identification(rejected_letter):
    xmp = _xmp(rejected_letter.pdf)
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert 'pdfuaid:part="1"' in xmp
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp  # PDF/A extension schema
    assert rejected_letter.pdf.startswith(b"%PDF-1.7")


def test_tagged_with_title_and_language(rejected_letter):
    reader = pdf_reader(rejected_letter.pdf)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "sv-SE"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Beslut om registrering av Bäckby Schackklubb"
    assert "Beslut om registrering av Bäckby Schackklubb" in _xmp(rejected_letter.pdf)


def _fonts(data: bytes) -> set[str]:
    names = set()
    for page in pdf_reader(data).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                    f"{font['/BaseFont']} is not embedded"
    return names


def test_only_the_bundled_fonts_are_embedded(rejected_letter):
    names = _fonts(rejected_letter.pdf)
    assert names
    # "Lokapp Letter Sans" is the @font-face family of the bundled Noto Sans files: a host
    # font would appear under its own name (DejaVuSans, LiberationSans …).
    assert all(re.fullmatch(r"/[A-Z]{6}\+Lokapp-Letter-Sans(-Bold|-Italic|-BoldItalic)?", n)
               for n in names), names


def test_swedish_letters_survive(app, db):
    template = current_template(LetterKind.REGISTRATION_APPROVED)
    context = sample_context(LetterKind.REGISTRATION_APPROVED, template)
    context["association"]["name"] = "Åsa Ärlig Öberg"
    context["recipient"]["lines"] = ["Åsa Ärlig Öberg", "Östra Ängsgatan 1"]
    text = pdf_text(rendering.render_pdf(context))
    assert "Åsa Ärlig Öberg" in text and "Östra Ängsgatan 1" in text


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("appeal", ["laglighetsprovning", "forvaltningsbesvar"])
def test_every_kind_renders_with_both_appeal_variants(app, db, kind, appeal):
    context = sample_context(kind, current_template(kind), appeal=appeal)
    text = " ".join(pdf_text(rendering.render_pdf(context)).split())
    assert context["title"] in text
    if appeal == "forvaltningsbesvar":
        assert "förvaltningslagen" in text and "skicka det till oss, inte till domstolen" in text
        assert "från den dag då du fick del av beslutet" in text
        assert "hur du vill att beslutet ska ändras och varför" in text
    else:
        assert "laglighetsprövning" in text and "anslagstavla" in text
    if KINDS[kind].requires_reasons:
        assert "Skäl för beslutet" in text


def test_english_letter(app, db):
    kind = LetterKind.REGISTRATION_REJECTED
    context = sample_context(kind, current_template(kind), language="en")
    data = rendering.render_pdf(context)
    assert pdf_reader(data).trailer["/Root"]["/Lang"] == "en-GB"
    assert "will not be registered" in pdf_text(data)


def test_rendering_is_deterministic(app, db):
    kind = LetterKind.CHANGE_APPROVED
    context = sample_context(kind, current_template(kind))
    assert rendering.render_pdf(context) == rendering.render_pdf(context)


# --- the URL fetcher -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://example.com/x.css", "https://example.com/font.woff",
    "data:text/css,body{}", "lokapp-static:../lokapp/config.py",
    "lokapp-static:/../../etc/passwd", "lokapp-static:fonts/noto-sans/OFL.txt",
    "lokapp-static:fonts/%2e%2e/%2e%2e/etc/passwd", "lokapp-static:fonts/nope.woff",
])
def test_the_fetcher_refuses_everything_but_bundled_files(app, url):
    fetcher = StaticOnlyFetcher(app.static_folder)
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_bundled_fonts(app):
    fetcher = StaticOnlyFetcher(app.static_folder)
    response = fetcher.fetch("lokapp-static:fonts/noto-sans/noto-sans-latin-400-normal.woff")
    assert response.read()[:4] == b"wOFF"


@pytest.mark.parametrize("markup", [
    '<img src="file:///etc/passwd" alt="">',
    '<link rel="stylesheet" href="http://example.com/evil.css">',
    '<style>body { background: url(file:///etc/passwd) }</style>',
])
def test_a_document_reaching_outside_static_fails_to_render(app, markup):
    html = f'<!doctype html><html lang="sv"><head><title>x</title></head><body>{markup}</body></html>'
    with pytest.raises(LetterRenderError):
        rendering.render_pdf({}, html=html)


# --- plain data only -----------------------------------------------------------------------------

def test_the_context_must_be_plain_data(app, db, submitted):
    with pytest.raises(TypeError, match="plain data"):
        assert_plain({"case": submitted})
    with pytest.raises(TypeError):
        rendering.render_html({"language": "sv", "case": {"obj": submitted}})
    assert_plain({"a": [1, "b", {"c": None}], "d": 1.5})


def test_the_stored_context_is_json_plain(rejected_letter):
    assert_plain(rejected_letter.context)
    assert rejected_letter.context["decision"]["reasons"] == REASONS

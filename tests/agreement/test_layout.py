"""The text-layout helper on the real LÖK 2018–2024 text and on coordinator-written texts."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from lokapp.agreement.layout import parse, slugify
from lokapp.agreement.models import normalise_body

TEXT = (Path(__file__).resolve().parents[2] / "lokapp" / "agreement" / "texts"
        / "lok_2018_2024.txt").read_text(encoding="utf-8")

HEADINGS = [
    "Västerås vision",
    "Olika förutsättningar",
    "Värdegrund",
    "Principen om dialog och samverkan",
    "Principen om mångfald och förnyelse",
    "Principen om långsiktighet och kvalitet",
    "Principen om öppenhet och tillgänglighet",
    "Samverkansformer",
]


def words(text: str) -> list[str]:
    """The word sequence of a text, ignoring punctuation, markup and whitespace."""
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text))


def test_the_real_text_has_its_headings_in_order():
    document = parse(TEXT)
    assert document.headings == HEADINGS
    assert all(entry.level == 2 for entry in document.toc)
    assert [entry.anchor for entry in document.toc][:3] == [
        "vasteras-vision", "olika-forutsattningar", "vardegrund"]


def test_no_word_of_the_real_text_is_lost_or_moved():
    document = parse(TEXT)
    assert len(words(TEXT)) > 1300
    assert words(document.plain_text()) == words(TEXT)


def test_the_real_text_has_a_cover_and_a_closing_line():
    document = parse(TEXT)
    assert [b.kind for b in document.cover] == ["paragraph", "caps", "paragraph", "caps"]
    assert document.cover[0].text == "LÖK:en"
    assert document.cover[1].plain_text().startswith("VÄSTERÅS LOKALA ÖVERENSKOMMELSE MELLAN\n")
    assert "Kommunstyrelsen 2018-08-22" in document.cover[2].text
    assert document.body[0].text.startswith("Civilsamhället omfattar föreningslivet")
    assert document.body[-1].kind == "caps" and document.body[-1].text == "VÄSTERÅS STAD"


def test_the_list_of_the_secretariat_is_a_list_with_its_lead_in():
    document = parse(TEXT)
    index = next(i for i, b in enumerate(document.body) if b.kind == "bullet_list")
    lead_in = document.body[index - 1]
    assert lead_in.kind == "paragraph"
    assert lead_in.text == "Till sin hjälp har samverkansgruppen ett kansli bestående av"
    items = [" ".join(run.text for run in item) for item in document.body[index].lines]
    assert items == [
        "ett uppdrag på 50% med samordning av Stadsledningskontoret, Västerås stad",
        "en samordnare, 50%, med anställning och placering hos en av civilsamhällets "
        "organisationer",
    ]


def test_footnotes_are_linked_both_ways():
    document = parse(TEXT)
    assert [f.number for f in document.footnotes] == ["1", "2", "3"]
    refs = [run for block in document.body for line in block.lines for run in line
            if run.kind == "footnote_ref"]
    assert [(r.text, r.target, r.anchor) for r in refs] == [
        ("1", "fotnot-1", "fotnotsref-1"), ("2", "fotnot-2", "fotnotsref-2"),
        ("3", "fotnot-3", "fotnotsref-3")]
    assert [f.back_anchor for f in document.footnotes] == [
        "fotnotsref-1", "fotnotsref-2", "fotnotsref-3"]
    links = [run for run in document.footnotes[1].lines[0] if run.kind == "link"]
    assert [(link.text, link.target) for link in links] == [
        ("http://overenskommelsen.se/", "http://overenskommelsen.se/")]


def test_the_motto_is_a_paragraph_with_emphasis_not_a_heading():
    document = parse(TEXT)
    motto = next(b for b in document.body if "Civilsamhället =" in b.text)
    assert motto.kind == "paragraph"
    assert [(run.kind, run.text) for run in motto.lines[0]] == [
        ("text", "Västerås stad + Civilsamhället = "), ("em", "Sant")]


def test_the_committed_text_is_in_canonical_form():
    assert normalise_body(TEXT) == TEXT


SEED = Path("/work/shared/seeds/003_42b4fa2b7ee88bb0.txt")


@pytest.mark.skipif(not SEED.exists(), reason="the source documents are not on this machine")
def test_the_committed_text_differs_from_the_source_only_in_whitespace():
    source = SEED.read_text(encoding="utf-8")
    assert source.split() == TEXT.split()


def test_explicit_headings_lists_and_footnotes_for_new_versions():
    text = normalise_body("""
## Inledning

Staden och civilsamhället¹ samverkar.

### Mål

1. Första målet
2) Andra målet
   som fortsätter här

Vi gör så här:
- punkt ett
• punkt två

Läs mer på https://www.vasteras.se/lok.

¹ Föreningar, trossamfund och nätverk.
""")
    document = parse(text)
    assert [(e.level, e.text) for e in document.toc] == [(2, "Inledning"), (3, "Mål")]
    assert [(e.text, [c.text for c in children]) for e, children in document.toc_tree] == [
        ("Inledning", ["Mål"])]
    kinds = [b.kind for b in document.body]
    assert kinds == ["heading", "paragraph", "heading", "numbered_list", "paragraph",
                     "bullet_list", "paragraph"]
    numbered = document.body[3]
    assert numbered.numbers == (1, 2)
    assert numbered.lines[1][0].text == "Andra målet som fortsätter här"
    link = [run for run in document.body[6].lines[0] if run.kind == "link"][0]
    assert link.target == "https://www.vasteras.se/lok"  # the full stop is not part of it
    assert document.cover == ()
    assert [f.text for f in document.footnotes] == ["Föreningar, trossamfund och nätverk."]
    assert words(document.plain_text()) == words(text)


@pytest.mark.parametrize("line", [
    "Till sin hjälp har samverkansgruppen ett kansli bestående av och fler ord",
    "Västerås stad + Civilsamhället = *Sant*",
    "Båda tjänsterna finansieras av Västerås stad.",
    "VÄSTERÅS STAD",
    "LÖK:en",
    "se nedan",
])
def test_lines_that_are_not_headings(line):
    document = parse(f"Ett stycke med tillräckligt många ord för att vara brödtext här.\n\n"
                     f"{line}\n\nEtt till stycke.\n")
    assert document.headings == []


def test_a_superscript_without_a_footnote_stays_text():
    document = parse("Kvadratmeter m² är en enhet.\n")
    assert [run.kind for run in document.body[0].lines[0]] == ["text"]
    assert document.body[0].text == "Kvadratmeter m² är en enhet."


def test_duplicate_headings_get_distinct_anchors():
    document = parse("## Mål\n\nText.\n\n## Mål\n\nMer text.\n")
    assert [e.anchor for e in document.toc] == ["mal", "mal-2"]


def test_slugify():
    assert slugify("Principen om öppenhet och tillgänglighet") == \
        "principen-om-oppenhet-och-tillganglighet"

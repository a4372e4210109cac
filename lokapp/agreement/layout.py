"""Lay out an agreement's plain text: headings, paragraphs, lists, footnotes, a cover.

The LÖK texts come as plain text (extracted from the city's PDFs, or typed by a coordinator).
:func:`parse` turns one into a :class:`Document` of blocks that the templates render as
``<h2>/<h3>/<p>/<ul>/<ol>`` with a table of contents and linked footnotes. Nothing is dropped or
reworded: every word of the text is in exactly one block, in the original order (the tests
compare the word sequences), so what is shown is what is signed.

How a text is read – blocks are separated by blank lines:

- ``## Rubrik`` / ``### Underrubrik`` – an explicit heading (level 2 or 3). Coordinators can
  use this for new versions; a single ``#`` counts as level 2 (the page title is the h1).
- A lone short line that reads like a title – at most 7 words and 80 characters, starting with
  a capital letter, not all capitals, no sentence punctuation or symbols – is a level-2 heading,
  unless the next block is a list (then it introduces the list: "… ett kansli bestående av").
- Lines starting with ``-``, ``–``, ``•`` or ``*`` form a bulleted list, ``1.`` / ``1)`` a
  numbered one; an indented line continues the item above it.
- A block starting with superscript digits (``¹ …``) or ``[1]`` is a footnote; the same marker
  after a word in the text (``utförarrollen¹``) links to it.
- A block written in capitals only (``VÄSTERÅS STAD``) is kept as a line of capitals.
- The *cover*: when the text opens with short blocks (a title page: "LÖK:en", the title in
  capitals, "Reviderad våren 2018 …") of which at least one is in capitals, those blocks form
  the cover, shown apart from the body.
- Inline: ``*ord*`` is emphasis, ``<https://…>`` and bare ``https://…`` are links.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_TO_DIGIT = {c: str(i) for i, c in enumerate(SUPERSCRIPTS)}

_EXPLICIT_HEADING = re.compile(r"^(#{1,3})\s+(\S.*)$")
_BULLET = re.compile(r"^\s*[-–•*]\s+(\S.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(\S.*)$")
_FOOTNOTE = re.compile(rf"^(?:([{SUPERSCRIPTS}]+)|\[(\d{{1,3}})\])\s+(\S.*)$", re.DOTALL)
_NOT_IN_HEADING = re.compile(r"[.:;!?,=+*<>\"”“/\\|#@&%$€]")

# Inline syntax, tried in this order at each position.
_INLINE = re.compile(
    r"<(?P<angle>https?://[^>\s]+)>"
    r"|(?P<url>https?://[^\s<>]+[^\s<>.,;:!?)\]”\"'])"
    r"|(?<![\w*])\*(?P<em>[^\s*](?:[^*\n]*[^\s*])?)\*(?![\w*])"
    rf"|(?<=[\w.,;:)\]”\"'’])(?P<ref>[{SUPERSCRIPTS}]+)"
    r"|(?<=\w)\[(?P<bref>\d{1,3})\]"
)

MAX_HEADING_WORDS = 7
MAX_HEADING_LENGTH = 80
MAX_COVER_BLOCK_LENGTH = 120


@dataclass(frozen=True)
class Inline:
    """A run of text: ``text``, ``em``, ``link`` (``target`` = URL) or ``footnote_ref``
    (``target`` = the footnote's anchor). ``source`` is the run as written in the text."""

    kind: str
    text: str
    target: str = ""
    source: str = ""
    anchor: str = ""  # a footnote reference's own id, for the footnote's way back

    @property
    def original(self) -> str:
        return self.source or self.text


Line = tuple[Inline, ...]


@dataclass(frozen=True)
class Block:
    """``heading``, ``paragraph``, ``caps``, ``bullet_list``, ``numbered_list`` or ``footnote``.

    ``lines`` holds the block's content: one line for a heading, paragraph or footnote, one per
    item for lists, one per printed line for capitals. ``anchor`` is the id of a heading or
    footnote; ``marker`` is a footnote's number as written (``¹``, ``[1]``).
    """

    kind: str
    lines: tuple[Line, ...]
    level: int = 0
    anchor: str = ""
    number: str = ""
    marker: str = ""
    numbers: tuple[int, ...] = ()  # a numbered list's item numbers, as written
    back_anchor: str = ""  # a footnote's first reference in the text, if any

    @property
    def text(self) -> str:
        return " ".join("".join(run.text for run in line) for line in self.lines)

    def plain_text(self) -> str:
        """The block as written (markers and link brackets aside): used to prove no text
        is lost."""
        parts = ["".join(run.original for run in line) for line in self.lines]
        if self.numbers:
            parts = [f"{n}. {part}" for n, part in zip(self.numbers, parts, strict=True)]
        prefix = f"{self.marker} " if self.marker else ""
        return prefix + "\n".join(parts)


@dataclass(frozen=True)
class TocEntry:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Document:
    cover: tuple[Block, ...]
    body: tuple[Block, ...]
    footnotes: tuple[Block, ...]
    blocks: tuple[Block, ...] = field(repr=False)  # everything, in the order of the text

    @property
    def toc(self) -> list[TocEntry]:
        return [TocEntry(b.level, b.text, b.anchor) for b in self.body if b.kind == "heading"]

    @property
    def toc_tree(self) -> list[tuple[TocEntry, list[TocEntry]]]:
        """Level-2 entries with their level-3 entries (a level 3 before any level 2 stands
        alone)."""
        tree: list[tuple[TocEntry, list[TocEntry]]] = []
        for entry in self.toc:
            if entry.level > 2 and tree:
                tree[-1][1].append(entry)
            else:
                tree.append((entry, []))
        return tree

    @property
    def headings(self) -> list[str]:
        return [entry.text for entry in self.toc]

    def plain_text(self) -> str:
        return "\n\n".join(block.plain_text() for block in self.blocks)


# --- parsing ------------------------------------------------------------------------------------

@lru_cache(maxsize=32)
def parse(text: str, anchor_prefix: str = "") -> Document:
    """Parse an agreement text (cached: a published text never changes)."""
    chunks = _chunks(text)
    raw = _classify(chunks)
    footnote_numbers = {number for kind, _lines, number, _m in raw if kind == "footnote"}
    anchors = _Anchors(anchor_prefix)
    blocks: list[Block] = []
    for kind, lines, number, marker in raw:
        if kind == "footnote":
            blocks.append(Block("footnote", (_inlines(lines[0], footnote_numbers, anchors),),
                                anchor=anchors.footnote(number), number=number, marker=marker))
        elif kind.startswith("heading"):
            content = _inlines(lines[0], footnote_numbers, anchors)
            heading_text = "".join(run.text for run in content)
            blocks.append(Block("heading", (content,), level=int(kind[-1]),
                                anchor=anchors.heading(heading_text)))
        elif kind in ("bullet_list", "numbered_list"):
            items = tuple(_inlines(item, footnote_numbers, anchors) for _n, item in lines)
            numbers = tuple(n for n, _item in lines) if kind == "numbered_list" else ()
            blocks.append(Block(kind, items, numbers=numbers))
        elif kind == "caps":
            blocks.append(Block("caps", tuple(_inlines(line, footnote_numbers, anchors)
                                              for line in lines)))
        else:
            blocks.append(Block("paragraph", (_inlines(" ".join(lines), footnote_numbers,
                                                       anchors),)))
    blocks = [replace(b, back_anchor=anchors.first_ref(b.number))
              if b.kind == "footnote" and b.number in anchors.refs else b for b in blocks]
    cover_length = _cover_length(blocks)
    cover = tuple(blocks[:cover_length])
    rest = blocks[cover_length:]
    return Document(
        cover=cover,
        body=tuple(b for b in rest if b.kind != "footnote"),
        footnotes=tuple(b for b in rest if b.kind == "footnote"),
        blocks=tuple(blocks),
    )


def _chunks(text: str) -> list[list[str]]:
    """Blocks of non-blank lines (trailing spaces removed)."""
    chunks: list[list[str]] = []
    current: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _is_list_line(line: str) -> bool:
    return bool(_BULLET.match(line) or _NUMBERED.match(line))


def _looks_like_heading(line: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) <= MAX_HEADING_LENGTH
        and len(stripped.split()) <= MAX_HEADING_WORDS
        and stripped[0].isalpha() and stripped[0].isupper()
        and not _is_caps(stripped)
        and not _NOT_IN_HEADING.search(stripped)
        and not any(c in SUPERSCRIPTS for c in stripped)
    )


def _split_lists(chunk: list[str]) -> list[tuple[str, list]]:
    """A chunk may mix a lead-in paragraph and list lines; split it into runs.

    Paragraph runs hold lines; list runs hold ``(number, item text)`` pairs (number 0 for
    bullets). An indented line after a list item continues the item.
    """
    runs: list[tuple[str, list]] = []
    for line in chunk:
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            kind = "bullet_list" if bullet else "numbered_list"
            item = (0, bullet.group(1)) if bullet else (int(numbered.group(1)),
                                                        numbered.group(2))
            if runs and runs[-1][0] == kind:
                runs[-1][1].append(item)
            else:
                runs.append((kind, [item]))
        elif runs and runs[-1][0].endswith("list") and line[:1].isspace():
            number, text = runs[-1][1][-1]
            runs[-1][1][-1] = (number, f"{text} {line.strip()}")
        elif runs and runs[-1][0] == "paragraph":
            runs[-1][1].append(line.strip())
        else:
            runs.append(("paragraph", [line.strip()]))
    return runs


def _classify(chunks: list[list[str]]) -> list[tuple[str, list, str, str]]:
    """``(kind, lines, footnote number, marker)`` per block, in text order."""
    result: list[tuple[str, list, str, str]] = []
    for index, chunk in enumerate(chunks):
        first = chunk[0].strip()
        next_chunk = chunks[index + 1] if index + 1 < len(chunks) else None
        footnote = _FOOTNOTE.match(" ".join(line.strip() for line in chunk))
        explicit = _EXPLICIT_HEADING.match(first) if len(chunk) == 1 else None
        if footnote:
            supers, bracket, body = footnote.groups()
            number = "".join(_SUPER_TO_DIGIT[c] for c in supers) if supers else bracket
            marker = supers or f"[{bracket}]"
            result.append(("footnote", [body], number, marker))
        elif explicit:
            level = max(2, len(explicit.group(1)))
            result.append((f"heading{level}", [explicit.group(2).strip()], "", ""))
        elif (len(chunk) == 1 and _looks_like_heading(first)
              and not (next_chunk and _is_list_line(next_chunk[0]))):
            result.append(("heading2", [first], "", ""))
        elif all(_is_caps(line) for line in chunk):
            result.append(("caps", [line.strip() for line in chunk], "", ""))
        else:
            for kind, lines in _split_lists(chunk):
                result.append((kind, lines, "", ""))
    return result


def _cover_length(blocks: list[Block]) -> int:
    """How many leading blocks make up the title page (0 if the text has none)."""
    length = 0
    for block in blocks:
        if block.kind not in ("paragraph", "caps") or \
                len(block.plain_text()) > MAX_COVER_BLOCK_LENGTH:
            break
        length += 1
    if length == len(blocks):  # a short text is all body
        return 0
    return length if any(b.kind == "caps" for b in blocks[:length]) else 0


class _Anchors:
    def __init__(self, prefix: str):
        self.prefix = prefix
        self.used: set[str] = set()
        self.refs: dict[str, int] = {}

    def heading(self, text: str) -> str:
        base = self.prefix + (slugify(text) or "avsnitt")
        anchor, n = base, 2
        while anchor in self.used:
            anchor, n = f"{base}-{n}", n + 1
        self.used.add(anchor)
        return anchor

    def footnote(self, number: str) -> str:
        return f"{self.prefix}fotnot-{number}"

    def first_ref(self, number: str) -> str:
        return f"{self.prefix}fotnotsref-{number}"

    def footnote_ref(self, number: str) -> str:
        """The first reference to footnote n is ``fotnotsref-n`` (the footnote links back to
        it), later ones ``fotnotsref-n-2`` …"""
        self.refs[number] = self.refs.get(number, 0) + 1
        base = f"{self.prefix}fotnotsref-{number}"
        return base if self.refs[number] == 1 else f"{base}-{self.refs[number]}"


def slugify(text: str) -> str:
    """``"Principen om öppenhet"`` → ``"principen-om-oppenhet"`` (for anchors)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:60]


def _inlines(text: str, footnote_numbers: set[str], anchors: _Anchors) -> Line:
    runs: list[Inline] = []
    position = 0

    def plain(chunk: str) -> None:
        if not chunk:
            return
        if runs and runs[-1].kind == "text":
            previous = runs.pop()
            runs.append(Inline("text", previous.text + chunk))
        else:
            runs.append(Inline("text", chunk))

    for match in _INLINE.finditer(text):
        plain(text[position:match.start()])
        position = match.end()
        if match.group("angle"):
            url = match.group("angle")
            runs.append(Inline("link", url, url, source=url))
        elif match.group("url"):
            url = match.group("url")
            runs.append(Inline("link", url, url))
        elif match.group("em"):
            runs.append(Inline("em", match.group("em")))
        else:
            marker = match.group("ref") or f"[{match.group('bref')}]"
            number = ("".join(_SUPER_TO_DIGIT[c] for c in match.group("ref"))
                      if match.group("ref") else match.group("bref"))
            if number in footnote_numbers:
                runs.append(Inline("footnote_ref", number, anchors.footnote(number),
                                   source=marker, anchor=anchors.footnote_ref(number)))
            else:
                plain(match.group(0))
    plain(text[position:])
    return tuple(runs)

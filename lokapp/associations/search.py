"""Full-text search over association names and descriptions – in Swedish, on SQLite and PostgreSQL.

The Swedish is handled here, in Python, once, so that both databases behave exactly alike:

**Indexing** (:func:`index_terms`). Name and description are split into words, case-folded and
NFC-normalised. A word with diacritics is stored twice: as written (``körsång``) and folded
(``korsang``). The result lives in ``associations.search_name`` / ``search_description``; the
ORM events at the bottom of this module keep those columns (and ``sort_key``) current on every
insert or update made through the ORM. Writes that bypass the ORM (Core ``insert``/``update``)
must fill them with :func:`derived_columns` – the benchmark does.

**Querying** (:func:`parse_query`). The words typed are split and folded the same way, common
Swedish function words (*och, i, för* …) dropped, and each word cut to its Snowball stem – the
algorithm behind PostgreSQL's ``swedish`` configuration – and matched as a **prefix**. Every word
must match (AND). What that gives:

- case never matters: ``BÄCKBY`` = ``bäckby``;
- prefixes: ``fotboll`` finds *Fotbollsklubben*, ``sim`` finds *Simsällskap*;
- Swedish endings: ``klubbarna``, ``klubbens``, ``klubbar`` all become ``klubb*``;
  ``kvinnor`` → ``kvinn*`` (finds *kvinna*), ``pojke`` → ``pojk*`` (finds *pojkar*);
  the Snowball rules cover -en -et -er -ar -or -na -erna -arna -orna -s -ens -ets and more;
- å, ä and ö: a word typed **with** them matches only those letters (``kör`` finds *Körsång*
  but not *korv*); a word typed **without** them also matches the folded forms (``kor`` finds
  *Körsång* as well as *korv*, ``vasteras`` finds *Västerås*) – for people writing on a
  keyboard without Swedish letters. é, ü, ø, æ … fold the same way.

Limits, by design: only the *beginning* of a compound word matches (``klubb`` does not find
*Fotbollsklubben*); single letters and words after the eighth are ignored; a query of only
function words searches for them rather than for nothing.

**The databases.**

- SQLite: the FTS5 virtual table ``associations_fts`` (external content: the two ``search_*``
  columns of ``associations``; tokenizer ``unicode61 remove_diacritics 0`` – the folding is
  ours; prefix indexes for 2 and 3 characters). It is kept in sync by **triggers created in
  migration 0005** on insert, delete and update of the ``search_*`` columns, so bulk writes,
  cascades and the test rollbacks keep it right. A later migration that *recreates* the
  ``associations`` table in batch mode drops those triggers: :func:`ensure_sqlite_index`
  (re)creates them and rebuilds the index, and ``tests/directory/test_search.py`` fails if they
  are missing at the head revision.
- PostgreSQL: the generated, stored column ``search_vector`` =
  ``setweight(to_tsvector('simple', search_name), 'A') || setweight(to_tsvector('simple',
  search_description), 'B')`` with a GIN index (migration 0007; PostgreSQL keeps it current
  itself), queried with ``to_tsquery('simple', 'stem:* & …')``. The
  ``simple`` configuration rather than ``swedish``: the Swedish work is done already, and
  stemming the stored words again (or dropping PostgreSQL's Swedish stop words) would make the
  two databases give different answers to the same question.

Ranking: a match in the name weighs ten times one in the description (FTS5 ``bm25`` column
weights; ``setweight`` A/B with ``ts_rank`` on PostgreSQL); ties in Swedish alphabetical order.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection

from lokapp.associations.models import Association
from lokapp.core.time import utcnow
from lokapp.extensions import db

FTS_TABLE = "associations_fts"
PG_INDEX = "ix_associations_search_vector"

# PostgreSQL: a generated, stored column (migration 0007), GIN-indexed, so ranking reads the
# vector instead of rebuilding it from the text for every match.
PG_VECTOR_SQL = "associations.search_vector"

# Objects the migrations create outside the ORM's metadata; Alembic must neither drop nor report
# them (see lokapp.core.database.include_name). ix_associations_search is migration 0005's
# expression index, replaced by 0007.
UNMANAGED_NAMES = frozenset({
    FTS_TABLE, f"{FTS_TABLE}_config", f"{FTS_TABLE}_data", f"{FTS_TABLE}_docsize",
    f"{FTS_TABLE}_idx", PG_INDEX, "ix_associations_search", "associations.search_vector",
})
db.metadata.info.setdefault("unmanaged", set()).update(UNMANAGED_NAMES)

SQLITE_FTS_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_name, search_description, content='associations', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON associations BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_name, search_description) "
    "VALUES (new.id, new.search_name, new.search_description); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON associations BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_name, search_description) "
    "VALUES ('delete', old.id, old.search_name, old.search_description); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF search_name, "
    "search_description ON associations BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_name, search_description) "
    "VALUES ('delete', old.id, old.search_name, old.search_description); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_name, search_description) "
    "VALUES (new.id, new.search_name, new.search_description); END",
)
SQLITE_TRIGGERS = (f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au")

MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 64

# Words that carry no meaning in a search for an association; dropped unless nothing else is
# left. Short on purpose: "man", "alla", "barn" are content words here.
STOP_WORDS = frozenset({
    "och", "i", "på", "för", "med", "av", "till", "om", "en", "ett", "den", "det", "de", "som",
    "att", "är", "vid", "från", "eller", "hos", "samt", "the", "of", "and",
})

_WORD = re.compile(r"[^\W_]+")
# Letters that Unicode decomposition does not fold but a keyboard without them replaces.
_EXTRA_FOLDS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d",
                              "ð": "d", "þ": "th", "ı": "i"})


def words(text: str | None) -> list[str]:
    """The words of ``text``, case-folded and NFC-normalised, in order."""
    if not text:
        return []
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


@lru_cache(maxsize=4096)
def fold(word: str) -> str:
    """``word`` without diacritics: ``körsång`` → ``korsang``, ``café`` → ``cafe``."""
    decomposed = unicodedata.normalize("NFD", word.translate(_EXTRA_FOLDS))
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def index_terms(text: str | None) -> str:
    """The searchable form of ``text``: its words, plus each folded form that differs."""
    out: list[str] = []
    seen: set[str] = set()
    for word in words(text):
        for form in (word, fold(word)):
            if form not in seen:
                seen.add(form)
                out.append(form)
    return " ".join(out)


# Swedish alphabetical order, independent of the database's collation: each character becomes a
# code of lower-case ASCII letters that sorts the same way under any collation ("C", glibc,
# ICU). Separators < digits < a–z < å < ä < ö < other scripts.
_SORT_SEPARATOR = "aa"
_SORT_SPECIAL = {"å": "da", "ä": "db", "æ": "db", "ö": "dc", "ø": "dc", "ü": "cy"}
SORT_KEY_LENGTH = 200


def sort_key(name: str | None) -> str:
    """A key that puts names in Swedish alphabetical order on every database."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", (name or "").casefold()).strip():
        if ch in _SORT_SPECIAL:
            code = _SORT_SPECIAL[ch]
        elif ch.isdigit() and ch.isascii():
            code = "b" + chr(ord("a") + int(ch))
        elif ch.isalnum():
            base = fold(ch)[:1]
            if "a" <= base <= "z":
                code = "c" + base
            else:  # another script: after ö, in code point order
                n, letters = ord(ch), []
                for _ in range(4):
                    n, r = divmod(n, 26)
                    letters.append(chr(ord("a") + r))
                code = "e" + "".join(reversed(letters))
        else:
            if out and out[-1] == _SORT_SEPARATOR:
                continue
            code = _SORT_SEPARATOR
        if not out and code == _SORT_SEPARATOR:
            continue  # leading quotes, dashes and spaces do not count
        out.append(code)
    return "".join(out)[:SORT_KEY_LENGTH]


def derived_columns(name: str | None, description: str | None) -> dict[str, str]:
    """The derived directory columns for an association's name and description."""
    return {
        "search_name": index_terms(name),
        "search_description": index_terms(description),
        "sort_key": sort_key(name),
    }


# --- Queries ---------------------------------------------------------------------------------

_stemmer = snowballstemmer.stemmer("swedish")


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """The Snowball stem of a Swedish word (always a prefix of the word)."""
    stemmed = _stemmer.stemWord(word)
    return stemmed if stemmed and word.startswith(stemmed) else word


@dataclass(frozen=True)
class SearchQuery:
    """The prefixes a query searches for; every one must match."""

    prefixes: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.prefixes)

    def fts5(self) -> str:
        """An FTS5 MATCH expression: ``"klubb"* AND "bäckby"*`` (words are letters and digits
        only, so quoting them is enough to keep FTS5 syntax out)."""
        return " AND ".join(f'"{p}"*' for p in self.prefixes)

    def tsquery(self) -> str:
        """A ``to_tsquery`` expression: ``klubb:* & bäckby:*``."""
        return " & ".join(f"{p}:*" for p in self.prefixes)


def parse_query(text: str | None) -> SearchQuery:
    """What a visitor typed, as prefixes to search for (empty when nothing searchable)."""
    found = [w[:MAX_WORD_LENGTH] for w in words(text)]
    meaningful = [w for w in found if len(w) > 1 and w not in STOP_WORDS]
    if not meaningful:
        meaningful = [w for w in found if len(w) > 1] or found
    prefixes: list[str] = []
    for word in meaningful:
        prefix = stem(word)
        if prefix not in prefixes:
            prefixes.append(prefix)
        if len(prefixes) == MAX_QUERY_WORDS:
            break
    return SearchQuery(tuple(prefixes))


def apply_search(stmt: sa.Select, query: SearchQuery, dialect: str) -> sa.Select:
    """Restrict ``stmt`` (a select of :class:`Association`) to matches of ``query``, best
    match first. Without a query, ``stmt`` is returned unchanged."""
    if not query:
        return stmt
    if dialect == "postgresql":
        vector = sa.literal_column(PG_VECTOR_SQL)
        tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), query.tsquery())
        return (stmt.where(vector.op("@@")(tsquery))
                .order_by(sa.func.ts_rank(vector, tsquery).desc()))
    if dialect == "sqlite":
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        fts_name = sa.literal_column(FTS_TABLE)
        matches = (
            sa.select(fts.c.rowid.label("association_id"),
                      sa.func.bm25(fts_name, 10.0, 1.0).label("rank"))
            .select_from(fts)
            .where(fts_name.op("MATCH")(query.fts5()))
            .subquery("search_matches")
        )
        return (stmt.join(matches, matches.c.association_id == Association.id)
                .order_by(matches.c.rank))
    # Another database: a plain, unranked substring match on the derived columns.
    conditions = [
        sa.or_(Association.search_name.contains(p, autoescape=True),
               Association.search_description.contains(p, autoescape=True))
        for p in query.prefixes
    ]
    return stmt.where(*conditions)


# --- Keeping the index right -----------------------------------------------------------------

def ensure_sqlite_index(connection: Connection, *, rebuild: bool = True) -> None:
    """(Re)create the FTS5 table and its triggers if missing, and rebuild the index from the
    ``search_*`` columns. For SQLite only; a no-op elsewhere."""
    if connection.dialect.name != "sqlite":
        return
    for statement in SQLITE_FTS_DDL:
        connection.exec_driver_sql(statement)
    if rebuild:
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def missing_sqlite_triggers(connection: Connection) -> list[str]:
    """The FTS triggers that do not exist (empty on PostgreSQL)."""
    if connection.dialect.name != "sqlite":
        return []
    present = set(connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())
    return [name for name in SQLITE_TRIGGERS if name not in present]


def refresh(association: Association) -> None:
    """Recompute an association's derived directory columns from its name and description."""
    for key, value in derived_columns(association.name, association.description).items():
        if getattr(association, key) != value:
            setattr(association, key, value)


# Collections shown in the directory and the open data: a change to one of them changes what is
# published, so it bumps updated_at (which ETag and Last-Modified of the open data are made of).
_PUBLISHED_COLLECTIONS = ("districts", "target_groups", "languages")


@event.listens_for(Association, "before_insert")
def _before_insert(_mapper, _connection, target: Association) -> None:
    refresh(target)


@event.listens_for(Association, "before_update")
def _before_update(_mapper, _connection, target: Association) -> None:
    state = inspect(target)
    if state.attrs.name.history.has_changes() or state.attrs.description.history.has_changes() \
            or not target.sort_key:
        refresh(target)
    if any(state.attrs[name].history.has_changes() for name in _PUBLISHED_COLLECTIONS) \
            and not state.attrs.updated_at.history.has_changes():
        target.updated_at = utcnow()

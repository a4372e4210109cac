"""directory search: derived search columns, Swedish sort key, SQLite FTS5 / PostgreSQL GIN

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 06:54:52.793015

The columns hold what lokapp/associations/search.py derives from name and description (see its
docstring). Existing rows are filled here with a frozen copy of that derivation – a migration
must not import application code that may change later.

- SQLite: an FTS5 table with external content (the two search columns) and three triggers that
  keep it in sync. NB: a later batch migration that *recreates* ``associations`` on SQLite drops
  these triggers; run ``lokapp.associations.search.ensure_sqlite_index`` in that migration
  (tests/directory/test_search.py checks that they exist at the head revision).
- PostgreSQL: a GIN expression index over the weighted ``simple`` tsvector of both columns.
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


FTS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS associations_fts USING fts5("
    "search_name, search_description, content='associations', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    "CREATE TRIGGER IF NOT EXISTS associations_fts_ai AFTER INSERT ON associations BEGIN "
    "INSERT INTO associations_fts(rowid, search_name, search_description) "
    "VALUES (new.id, new.search_name, new.search_description); END",
    "CREATE TRIGGER IF NOT EXISTS associations_fts_ad AFTER DELETE ON associations BEGIN "
    "INSERT INTO associations_fts(associations_fts, rowid, search_name, search_description) "
    "VALUES ('delete', old.id, old.search_name, old.search_description); END",
    "CREATE TRIGGER IF NOT EXISTS associations_fts_au AFTER UPDATE OF search_name, "
    "search_description ON associations BEGIN "
    "INSERT INTO associations_fts(associations_fts, rowid, search_name, search_description) "
    "VALUES ('delete', old.id, old.search_name, old.search_description); "
    "INSERT INTO associations_fts(rowid, search_name, search_description) "
    "VALUES (new.id, new.search_name, new.search_description); END",
)

PG_INDEX_DDL = (
    "CREATE INDEX ix_associations_search ON associations USING gin ("
    "(setweight(to_tsvector('simple'::regconfig, search_name), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, search_description), 'B')))"
)


# --- frozen copy of lokapp.associations.search (index side) as of this revision ---------------

_WORD = re.compile(r"[^\W_]+")
_EXTRA_FOLDS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d",
                              "ð": "d", "þ": "th", "ı": "i"})
_SORT_SPECIAL = {"å": "da", "ä": "db", "æ": "db", "ö": "dc", "ø": "dc", "ü": "cy"}


def _words(text):
    return _WORD.findall(unicodedata.normalize("NFC", text or "").casefold())


def _fold(word):
    decomposed = unicodedata.normalize("NFD", word.translate(_EXTRA_FOLDS))
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _index_terms(text):
    out, seen = [], set()
    for word in _words(text):
        for form in (word, _fold(word)):
            if form not in seen:
                seen.add(form)
                out.append(form)
    return " ".join(out)


def _sort_key(name):
    out = []
    for ch in unicodedata.normalize("NFC", (name or "").casefold()).strip():
        if ch in _SORT_SPECIAL:
            code = _SORT_SPECIAL[ch]
        elif ch.isdigit() and ch.isascii():
            code = "b" + chr(ord("a") + int(ch))
        elif ch.isalnum():
            base = _fold(ch)[:1]
            if "a" <= base <= "z":
                code = "c" + base
            else:
                n, letters = ord(ch), []
                for _ in range(4):
                    n, r = divmod(n, 26)
                    letters.append(chr(ord("a") + r))
                code = "e" + "".join(reversed(letters))
        else:
            if out and out[-1] == "aa":
                continue
            code = "aa"
        if not out and code == "aa":
            continue
        out.append(code)
    return "".join(out)[:200]


def _backfill(bind):
    associations = sa.table("associations", sa.column("id"), sa.column("name"),
                            sa.column("description"), sa.column("search_name"),
                            sa.column("search_description"), sa.column("sort_key"))
    rows = bind.execute(sa.select(associations.c.id, associations.c.name,
                                  associations.c.description)).all()
    for row in rows:
        bind.execute(
            associations.update().where(associations.c.id == row.id).values(
                search_name=_index_terms(row.name),
                search_description=_index_terms(row.description),
                sort_key=_sort_key(row.name),
            )
        )


def upgrade():
    with op.batch_alter_table('associations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('search_description', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('sort_key', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_index('ix_associations_directory', ['is_public', 'register_state', 'sort_key'], unique=False)

    bind = op.get_bind()
    _backfill(bind)
    if bind.dialect.name == "sqlite":
        for statement in FTS_DDL:
            op.execute(statement)
        op.execute("INSERT INTO associations_fts(associations_fts) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        op.execute(PG_INDEX_DDL)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("associations_fts_ai", "associations_fts_ad", "associations_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS associations_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_associations_search")

    with op.batch_alter_table('associations', schema=None) as batch_op:
        batch_op.drop_index('ix_associations_directory')
        batch_op.drop_column('sort_key')
        batch_op.drop_column('search_description')
        batch_op.drop_column('search_name')

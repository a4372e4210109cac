"""Full-text search in Swedish: the same answers on SQLite (FTS5) and PostgreSQL (GIN)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lokapp.associations import search
from lokapp.associations.models import Association, District
from lokapp.associations.queries import DirectoryFilter, directory_page
from lokapp.extensions import db

# --- the Swedish text handling, without a database ------------------------------------------


def test_index_terms_keep_the_word_and_add_its_folded_form():
    assert search.index_terms("Körsång i Västerås") == "körsång korsang i västerås vasteras"
    assert search.index_terms("FOTBOLL, fotboll!") == "fotboll"
    assert search.index_terms("Café Nörd – e-sport") == "café cafe nörd nord e sport"
    assert search.index_terms(None) == ""


@pytest.mark.parametrize(("typed", "prefixes"), [
    ("Fotbollsklubbarna", ("fotbollsklubb",)),
    ("FOTBOLLSKLUBBEN", ("fotbollsklubb",)),
    ("föreningar", ("förening",)),
    ("föreningens", ("förening",)),
    ("hästarna", ("häst",)),
    ("kvinnor", ("kvinn",)),
    ("pojke", ("pojk",)),
    ("kören", ("kör",)),
    ("sångerna", ("sång",)),
    ("språket", ("språk",)),
    ("kulturen", ("kultur",)),
    ("bäckbys", ("bäckby",)),
    ("fotboll i vallby", ("fotboll", "vallby")),  # function words are dropped
    ("och i", ("och",)),  # ... unless nothing else is left
    ('"foo" OR NEAR(x', ("foo", "or", "near")),  # no query syntax gets through
    ("   ", ()),
])
def test_parse_query_stems_and_drops_function_words(typed, prefixes):
    assert search.parse_query(typed).prefixes == prefixes


def test_parse_query_limits_the_number_of_words():
    query = search.parse_query(" ".join(f"ord{n}" for n in range(20)))
    assert len(query.prefixes) == search.MAX_QUERY_WORDS


def test_every_stem_is_a_prefix_of_its_word():
    for word in ("fotbollsklubbarna", "idrott", "vänlig", "löst", "fullt", "dansare"):
        assert word.startswith(search.stem(word))


def test_sort_key_is_swedish_alphabetical_order():
    names = ["Örebro-föreningen", "Zeta IF", "Ängby", "Åby", "alfa", "Bäckby", "Backe",
             "Éclair", "\"Citat\" klubben", "1:a klubben", "Öst"]
    ordered = sorted(names, key=search.sort_key)
    assert ordered == ["1:a klubben", "alfa", "Backe", "Bäckby", "\"Citat\" klubben",
                       "Éclair", "Zeta IF", "Åby", "Ängby", "Örebro-föreningen", "Öst"]
    assert all(set(search.sort_key(n)) <= set("abcdefghijklmnopqrstuvwxyz") for n in names)


# --- against the database ----------------------------------------------------------------------

@pytest.fixture
def corpus(listed):
    made = {
        "fotboll": listed("Fotbollsklubben Vallby", "Träning för barn och unga.",
                          districts=("vallby",)),
        "korsang": listed("Körsångarna", "Vi sjunger i kör varje vecka."),
        "korv": listed("Korvgrillarna", "Vi grillar korv vid Mälaren."),
        "backby": listed("Bäckby Kulturförening", "Mötesplats med läxhjälp och fest.",
                         districts=("backby",)),
        "hast": listed("Ryttarsällskapet", "Vår häst heter Blixten."),
        "kvinna": listed("Kvinnocaféet", "För varje kvinna och flicka i stan."),
        "pojk": listed("Idrottsgänget", "Innebandy för pojkar och flickor."),
        "sim": listed("Västerås Simsällskap", "Simskola för alla åldrar."),
        "forening": listed("Föreningen Gemenskap", "Vi träffas och fikar."),
        "cafe": listed("Café Nörd", "Brädspel och rollspel."),
    }
    return made


def _found(q: str, **filters) -> set[int]:
    page = directory_page(DirectoryFilter(q=q, **filters), per_page=100)
    return {a.id for a in page.items}


@pytest.mark.parametrize(("typed", "expected"), [
    ("fotboll", {"fotboll"}),  # prefix: finds Fotbollsklubben
    ("FOTBOLL", {"fotboll"}),  # case
    ("Fotbollsklubbarna", {"fotboll"}),  # endings
    ("fotbollsklubbens", {"fotboll"}),
    ("kör", {"korsang"}),  # å/ä/ö typed: only those letters
    ("kor", {"korsang", "korv"}),  # typed as a/o: also the folded forms
    ("korv", {"korv"}),
    ("Bäckby", {"backby"}),
    ("backby", {"backby"}),
    ("BÄCKBY", {"backby"}),
    ("hästarna", {"hast"}),
    ("kvinnor", {"kvinna"}),
    ("flickor", {"kvinna", "pojk"}),
    ("pojke", {"pojk"}),
    ("vasteras simsallskap", {"sim"}),
    ("simsällskapet", {"sim"}),
    ("sim", {"sim"}),
    ("föreningar", {"forening"}),
    ("cafe", {"cafe"}),  # é folds too
    ("fotboll vallby", {"fotboll"}),  # every word must match
    ("fotboll i Vallby", {"fotboll"}),
    ("fotboll bäckby", set()),
    ("zzzyx", set()),
])
def test_search_in_swedish(corpus, typed, expected):
    assert _found(typed) == {corpus[key].id for key in expected}


@pytest.mark.parametrize("hostile", ['"', "NEAR(a b)", "a OR b", "*", "x:*", "'; drop table",
                                     "kör\" OR \"", "!&|()<>", "a" * 500])
def test_search_syntax_cannot_break_the_query(corpus, hostile):
    _found(hostile)  # no exception: every word is quoted or reduced to letters and digits


def test_a_match_in_the_name_ranks_before_one_in_the_description(listed):
    in_description = listed("Aaa Idrottsförening", "Vi spelar schack på fredagar.")
    in_name = listed("Schackklubben Löparen", "Klubbkvällar varje vecka.")
    page = directory_page(DirectoryFilter(q="schack"))
    assert [a.id for a in page.items] == [in_name.id, in_description.id]


def test_without_a_query_the_order_is_swedish_alphabetical(listed):
    names = ["Örnen", "Zebran", "Ängen", "Åkern", "Abborren", "bäckbyborna", "Björken"]
    for name in names:
        listed(name)
    page = directory_page(DirectoryFilter(), per_page=100)
    ours = [a.name for a in page.items if a.name in names]
    assert ours == ["Abborren", "Björken", "bäckbyborna", "Zebran", "Åkern", "Ängen", "Örnen"]


def test_the_index_follows_renames_and_deletes(listed):
    association = listed("Gamla namnet", "Ingen särskild beskrivning.")
    assert _found("gamla") == {association.id}
    association.name = "Nya namnet"
    db.session.flush()
    assert _found("gamla") == set()
    assert _found("nya") == {association.id}
    association.description = "Nu spelar vi boule."
    db.session.flush()
    assert _found("boule") == {association.id}
    db.session.delete(association)
    db.session.flush()
    assert _found("nya") == set()


def test_derived_columns_are_kept_by_the_orm(listed):
    association = listed("Västerås Körsällskap", "Vi sjunger.")
    assert association.search_name == "västerås vasteras körsällskap korsallskap"
    assert association.sort_key == search.sort_key("Västerås Körsällskap")


def test_a_change_to_a_published_collection_bumps_updated_at(listed):
    association = listed("Föreningen Flytten", districts=("backby",))
    before = association.updated_at
    association.districts = [db.session.scalar(select(District).where(District.key == "raby"))]
    db.session.flush()
    assert association.updated_at > before


def test_sqlite_triggers_exist_at_the_head_revision(app):
    """A later batch migration that recreates ``associations`` on SQLite drops the FTS
    triggers; it must recreate them (lokapp.associations.search.ensure_sqlite_index)."""
    with db.engine.connect() as connection:
        assert search.missing_sqlite_triggers(connection) == []


def test_ensure_sqlite_index_repairs_missing_triggers(db, listed, is_postgresql):
    if is_postgresql:
        pytest.skip("SQLite only")
    connection = db.session.connection()
    connection.exec_driver_sql(f"DROP TRIGGER {search.SQLITE_TRIGGERS[0]}")
    assert search.missing_sqlite_triggers(connection) == [search.SQLITE_TRIGGERS[0]]
    search.ensure_sqlite_index(connection)
    assert search.missing_sqlite_triggers(connection) == []
    association = listed("Reparerade föreningen")
    assert _found("reparerade") == {association.id}


def test_postgresql_uses_the_gin_index(db, is_postgresql, listed):
    if not is_postgresql:
        pytest.skip("PostgreSQL only")
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    stmt = search.apply_search(select(Association.id), search.parse_query("fotboll"),
                               "postgresql")
    compiled = stmt.compile(connection, compile_kwargs={"literal_binds": True})
    plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    assert search.PG_INDEX in plan

"""The public directory /foreningar: only listed associations, public fields, filters, paging."""
from __future__ import annotations

import re

import pytest

from lokapp.associations.models import RegisterState
from lokapp.associations.queries import phone_href, website_href
from lokapp.extensions import db


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _card_names(html: str) -> list[str]:
    return re.findall(r'<h3 id="association-\d+"><a href="/foreningar/\d+">([^<]+)</a></h3>', html)


def _status(html: str) -> str:
    match = re.search(r'<p class="result-count" role="status">(.*?)</p>', html, re.S)
    assert match, "the result count is announced in a role=status element"
    return " ".join(match.group(1).split())


@pytest.fixture
def hidden(make_association):
    """Associations that must never be shown to the public."""
    return [
        make_association("Dold Privat Förening", is_public=False),
        make_association("Dold Väntande Förening", is_public=True,
                         register_state=RegisterState.PENDING, registered_at=None),
        make_association("Dold Avslagen Förening", is_public=True,
                         register_state=RegisterState.REJECTED, registered_at=None),
        make_association("Dold Avregistrerad Förening", is_public=True,
                         register_state=RegisterState.DEREGISTERED),
    ]


def test_only_public_registered_associations_are_listed(client, listed, hidden):
    shown = listed("Synlig Förening")
    db.session.commit()
    html = _html(client.get("/foreningar?q=förening"))
    assert _card_names(html) == [shown.name]
    assert "Dold" not in html
    for association in hidden:
        assert client.get(f"/foreningar/{association.id}").status_code == 404
    assert client.get("/foreningar?q=dold").get_data(as_text=True).count("association-") == 0


def test_detail_shows_public_fields_and_nothing_private(client, listed, with_private_data,
                                                        sign_lok):
    association = with_private_data(listed(
        "Bäckby Kulturförening", "Läxhjälp och fest.\n\nAlla är välkomna.",
        districts=("backby",), target_groups=("newcomers",), languages=("sv", "ar"),
        email="info@backby.example", phone="070-174 06 10", website="backby.example",
        city="Västerås", founded_year=1998, has_accessible_premises=True))
    sign_lok(association)
    db.session.commit()
    html = _html(client.get(f"/foreningar/{association.id}"))
    for text in ("Bäckby Kulturförening", "Läxhjälp och fest.", "Bäckby", "Nyanlända",
                 "Arabiska", "info@backby.example", 'href="tel:0701740610"',
                 'href="https://backby.example"', "1998", association.orgnr_display,
                 "Tillgängliga lokaler", "Har skrivit under den gällande överenskommelsen"):
        assert text in html, text
    for secret in ("5050", "Hemliga gatan", "Styrelse Ledamotsson", "ledamot@privat.example",
                   "4321"):
        assert secret not in html, secret


def test_detail_404s(client):
    assert client.get("/foreningar/999999").status_code == 404


def test_filters(client, listed, sign_lok):
    a = listed("Alfa", districts=("backby",), target_groups=("youth",), languages=("so",),
               has_accessible_premises=True)
    b = listed("Beta", districts=("raby",), target_groups=("seniors",), languages=("sv",))
    c = listed("Gamma", districts=("backby", "raby"), target_groups=("youth", "seniors"),
               languages=("ar", "sv"))
    sign_lok(c)
    db.session.commit()

    def names(query: str) -> list[str]:
        html = _html(client.get("/foreningar?" + query))
        return [n for n in _card_names(html) if n in {"Alfa", "Beta", "Gamma"}]

    assert names("") == ["Alfa", "Beta", "Gamma"]
    assert names("district=backby") == ["Alfa", "Gamma"]
    assert names("district=raby&target_group=seniors") == ["Beta", "Gamma"]
    assert names("target_group=youth") == ["Alfa", "Gamma"]
    assert names("language=sv") == ["Beta", "Gamma"]
    assert names("language=so") == ["Alfa"]
    assert names("accessible=1") == ["Alfa"]
    assert names("lok_signatory=1") == ["Gamma"]
    assert names(f"category={a.category.key}&district=raby") == ["Beta", "Gamma"]
    assert b.category.key == a.category.key


def test_category_filter(client, listed):
    from sqlalchemy import select

    from lokapp.associations.models import Category

    culture = db.session.scalar(select(Category).where(Category.key == "culture"))
    listed("Kulturen", category=culture)
    listed("Idrotten")
    db.session.commit()
    html = _html(client.get("/foreningar?category=culture"))
    assert "Kulturen" in _card_names(html) and "Idrotten" not in _card_names(html)


def test_an_invalid_filter_is_explained_and_ignored(client, listed):
    listed("Alfa")
    db.session.commit()
    html = _html(client.get("/foreningar?category=finns-inte&accessible=kanske"))
    assert 'class="error-summary"' in html
    assert "Välj en kategori i listan." in html
    assert "Ange 1 (ja) eller 0 (nej)." in html
    assert "Alfa" in _card_names(html)


def test_the_form_works_without_javascript(client):
    html = _html(client.get("/foreningar"))
    form = re.search(r"<form[^>]*role=\"search\"[^>]*>", html).group(0)
    assert 'method="get"' in form and 'action="/foreningar"' in form
    for name in ("q", "category", "district", "target_group", "language", "accessible",
                 "lok_signatory"):
        assert f'name="{name}"' in html, name
    assert '<script' not in html
    assert 'type="search"' in html


def test_pagination(client, listed):
    for n in range(45):
        listed(f"Sidföreningen {n:02d}")
    db.session.commit()
    first = _html(client.get("/foreningar?q=sidföreningen"))
    assert _card_names(first) == [f"Sidföreningen {n:02d}" for n in range(20)]
    assert "Vi hittade 45 föreningar." in _status(first)
    assert "Sidan visar nummer 1–20." in _status(first)
    nav = re.search(r'<nav class="pagination" aria-label="[^"]+">(.*?)</nav>', first, re.S).group(1)
    assert re.search(r'href="/foreningar\?page=1&amp;q=sidf%C3%B6reningen" aria-current="page"',
                     nav)
    assert 'href="/foreningar?page=3&amp;q=sidf%C3%B6reningen"' in nav
    assert 'rel="next"' in nav and 'rel="prev"' not in nav

    third = _html(client.get("/foreningar?q=sidföreningen&page=3"))
    assert _card_names(third) == [f"Sidföreningen {n:02d}" for n in range(40, 45)]
    assert "Sidan visar nummer 41–45." in _status(third)
    assert 'rel="prev"' in third and 'rel="next"' not in third
    assert client.get("/foreningar?q=sidföreningen&page=4").status_code == 404
    # A page number that is not a positive number shows the first page.
    assert _card_names(_html(client.get("/foreningar?q=sidföreningen&page=-2")))[0] == \
        "Sidföreningen 00"
    assert client.get("/foreningar?q=sidföreningen&page=99999999999999999999").status_code == 404


def test_no_results_say_so(client):
    html = _html(client.get("/foreningar?q=qwxzyinget"))
    assert _status(html) == "Vi hittade ingen förening."
    assert "Pröva med ett annat ord" in html


@pytest.mark.parametrize("params", ["", "?q=förening", "?q=för&district=backby&target_group=youth",
                                    "?lok_signatory=1&language=sv&accessible=0"])
def test_queries_per_page_do_not_grow_with_the_register(client, listed, count_queries,
                                                        sign_lok, params):
    def make(n: int, prefix: str):
        for i in range(n):
            association = listed(f"{prefix} Förening {i}", "Vi träffas ofta.",
                                 districts=("backby", "raby"), target_groups=("youth",),
                                 languages=("sv", "ar"))
            if i % 3 == 0:
                sign_lok(association)
        db.session.commit()

    def measure() -> int:
        with count_queries() as q:
            assert client.get("/foreningar" + params).status_code == 200
        return q.count

    make(5, "Liten")
    small = measure()
    make(55, "Stor")
    large = measure()
    assert small == large, f"{small} queries with 5 associations, {large} with 60"
    assert large <= 12
    with count_queries() as q:  # a later page costs the same
        page3 = "&page=3" if params else "?page=3"
        assert client.get("/foreningar" + params + page3).status_code in {200, 404}
    assert q.count <= large


def test_easy_read_page_is_linked_from_the_directory(client):
    html = _html(client.get("/foreningar"))
    assert 'href="/foreningar/lattlast"' in html
    easy = _html(client.get("/foreningar/lattlast"))
    assert "Det kostar ingenting att fråga en förening." in easy
    assert 'href="/foreningar"' in easy
    # Short sentences: the guide's sentences stay under 12 words on average.
    text = re.sub(r"<[^>]+>", " ", easy.split('<div class="easy-read">')[1].split("</div>")[0])
    sentences = [s for s in re.split(r"[.?!]", text) if s.strip()]
    assert sum(len(s.split()) for s in sentences) / len(sentences) < 12


@pytest.mark.parametrize(("website", "href"), [
    ("https://forening.example", "https://forening.example"),
    ("www.forening.example", "https://www.forening.example"),
    ("http://forening.example/sida?x=1", "http://forening.example/sida?x=1"),
    ("forening.example:8080/x", "https://forening.example:8080/x"),
    ("javascript:alert(1)", None),
    ("JAVASCRIPT://%0aalert(1)", None),
    ("data:text/html,hej", None),
    ("ftp://forening.example", None),
    ("https://exempel .se", None),
    (None, None),
])
def test_website_links_are_only_http(website, href):
    assert website_href(website) == href


def test_phone_links():
    assert phone_href("021-39 00 00") == "tel:021390000"
    assert phone_href("+46 21 39 00 00") == "tel:+4621390000"
    assert phone_href("ring") is None


def test_an_unsafe_website_is_not_linked(client, listed):
    association = listed("Farliga länken", website="javascript:alert(1)")
    db.session.commit()
    html = _html(client.get(f"/foreningar/{association.id}"))
    assert "javascript:" not in html


def test_english_names_when_the_visitor_chose_english(client, listed):
    association = listed("Flerspråkiga föreningen", target_groups=("seniors",), languages=("ar",))
    db.session.commit()
    client.post("/sprak", data={"lang": "en", "next": "/foreningar"})
    html = _html(client.get(f"/foreningar/{association.id}"))
    assert "Seniors" in html and "Arabic" in html

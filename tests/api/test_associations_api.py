"""Open data: /api/v1/associations (JSON), .csv, one association, filters."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from lokapp.associations.models import District, RegisterState
from lokapp.extensions import db

PUBLIC_FIELDS = {"id", "name", "orgnr", "legal_form", "category", "districts", "target_groups",
                 "languages", "description", "email", "phone", "website", "city",
                 "founded_year", "has_accessible_premises", "is_lok_signatory", "url",
                 "updated_at"}


def _json(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def _csv(response, delimiter=","):
    assert response.status_code == 200
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


@pytest.fixture
def register(listed, make_association, with_private_data, sign_lok):
    alfa = with_private_data(listed(
        "Alfa Idrottsförening", "Fotboll och innebandy.", districts=("backby",),
        target_groups=("youth",), languages=("sv", "so"), email="alfa@exempel.example",
        phone="+46 70 174 06 20", website="https://alfa.example", city="Västerås",
        founded_year=1950, has_accessible_premises=True))
    beta = listed("Beta Kulturförening", "Körsång varje vecka.", districts=("raby",),
                  languages=("ar",))
    sign_lok(beta)
    hidden = [
        make_association("Privat Förening", is_public=False),
        make_association("Väntande Förening", is_public=True,
                         register_state=RegisterState.PENDING, registered_at=None),
        make_association("Avregistrerad Förening", is_public=True,
                         register_state=RegisterState.DEREGISTERED),
    ]
    db.session.commit()
    return {"alfa": alfa, "beta": beta, "hidden": hidden}


def test_json_shape_and_public_fields(client, register):
    body = _json(client.get("/api/v1/associations?q=alfa"))
    assert set(body) == {"items", "page", "per_page", "total", "next"}
    assert body["page"] == 1 and body["per_page"] == 20 and body["total"] == 1
    assert body["next"] is None
    item = body["items"][0]
    assert set(item) == PUBLIC_FIELDS
    alfa = register["alfa"]
    assert item["id"] == alfa.id
    assert item["name"] == "Alfa Idrottsförening"
    assert item["orgnr"] == alfa.orgnr_display
    assert item["category"] == {"key": alfa.category.key, "name": alfa.category.name_sv}
    assert item["districts"] == [{"key": "backby", "name": "Bäckby"}]
    assert item["target_groups"] == [{"key": "youth", "name": "Ungdomar (13–20 år)"}]
    assert item["languages"] == [{"code": "so", "name": "Somaliska"},
                                 {"code": "sv", "name": "Svenska"}]
    assert item["has_accessible_premises"] is True and item["is_lok_signatory"] is False
    assert item["url"] == f"http://localhost/foreningar/{alfa.id}"
    assert item["updated_at"].endswith("Z")
    text = json.dumps(body)
    for secret in ("50501055", "Hemliga gatan", "Ledamotsson", "ledamot@privat", "4321"):
        assert secret not in text


def test_unlisted_associations_never_appear(client, register):
    body = _json(client.get("/api/v1/associations?per_page=100"))
    names = {item["name"] for item in body["items"]}
    rows = _csv(client.get("/api/v1/associations.csv"))
    for association in register["hidden"]:
        assert association.name not in names
        assert association.name not in {row["name"] for row in rows}
        assert client.get(f"/api/v1/associations/{association.id}").status_code == 404


def test_filters_and_search_match_the_directory(client, register):
    def ids(query):
        return [item["id"] for item in _json(client.get("/api/v1/associations?" + query))["items"]]

    alfa, beta = register["alfa"].id, register["beta"].id
    assert ids("q=körsång") == [beta]
    assert ids("q=KORSANG") == [beta]
    assert ids("district=backby") == [alfa]
    assert ids("language=ar") == [beta]
    assert ids("target_group=youth") == [alfa]
    assert ids("accessible=true") == [alfa]
    assert ids("lok_signatory=1") == [beta]
    assert ids("accessible=false&lok_signatory=0") == [alfa, beta]


def test_paging_with_next(client, listed):
    for n in range(7):
        listed(f"Sidan {n}")
    db.session.commit()
    first = _json(client.get("/api/v1/associations?q=sidan&per_page=3"))
    assert [i["name"] for i in first["items"]] == ["Sidan 0", "Sidan 1", "Sidan 2"]
    assert first["total"] == 7
    assert first["next"] == "http://localhost/api/v1/associations?page=2&per_page=3&q=sidan"
    last = _json(client.get("/api/v1/associations?q=sidan&per_page=3&page=3"))
    assert [i["name"] for i in last["items"]] == ["Sidan 6"] and last["next"] is None
    beyond = _json(client.get("/api/v1/associations?q=sidan&per_page=3&page=9"))
    assert beyond["items"] == [] and beyond["total"] == 7


@pytest.mark.parametrize(("query", "field", "message"), [
    ("per_page=101", "per_page", "Högst 100."),
    ("per_page=0", "per_page", "Ange ett heltal som är 1 eller större."),
    ("page=abc", "page", "Ange ett heltal som är 1 eller större."),
    ("page=²", "page", "Ange ett heltal som är 1 eller större."),
    ("page=99999999999999999999", "page", "Högst 10000."),
    ("category=nope", "category", "Välj en kategori i listan."),
    ("district=nope", "district", "Välj en stadsdel i listan."),
    ("target_group=nope", "target_group", "Välj en målgrupp i listan."),
    ("language=xx", "language", "Välj ett språk i listan."),
    ("accessible=kanske", "accessible", "Ange 1 (ja) eller 0 (nej)."),
    ("q=" + "a" * 101, "q", "Högst 100 tecken."),
    ("q=a%00b", "q", "Fältet innehåller osynliga styrtecken. Ta bort dem och försök igen."),
    ("catgory=sport", "catgory", "Okänd parameter."),
    ("district=backby&district=raby", "district", "Ange parametern bara en gång."),
])
def test_bad_parameters_give_400_in_swedish(client, query, field, message):
    response = client.get("/api/v1/associations?" + query)
    body = _json(response, 400)
    assert body["error"] == "bad_request"
    assert body["message"].startswith("Frågan innehåller fel")
    assert any(m.startswith(message) for m in body["errors"][field]), body
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_csv(client, register):
    response = client.get("/api/v1/associations.csv")
    assert response.headers["Content-Type"].startswith("text/csv; charset=utf-8")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert [r["name"] for r in rows] == ["Alfa Idrottsförening", "Beta Kulturförening"]
    alfa = rows[0]
    assert list(alfa) == ["id", "name", "orgnr", "legal_form", "category", "category_key",
                          "districts", "target_groups", "languages", "description", "email",
                          "phone", "website", "city", "founded_year",
                          "has_accessible_premises", "is_lok_signatory", "url", "updated_at"]
    assert alfa["districts"] == "Bäckby" and alfa["languages"] == "so; sv"
    assert alfa["phone"] == "+46 70 174 06 20"  # a phone number is not a formula
    assert alfa["has_accessible_premises"] == "true" and rows[1]["is_lok_signatory"] == "true"
    assert b"\r\n" in response.get_data()
    for secret in ("50501055", "Hemliga gatan", "Ledamotsson"):
        assert secret not in response.get_data(as_text=True)


def test_csv_with_semicolons_for_swedish_excel(client, register):
    rows = _csv(client.get("/api/v1/associations.csv?separator=semicolon&q=alfa"), ";")
    assert rows[0]["name"] == "Alfa Idrottsförening"
    assert rows[0]["languages"] == "so; sv"  # quoted, so the separator inside survives
    body = _json(client.get("/api/v1/associations.csv?separator=tab"), 400)
    assert "separator" in body["errors"]


def test_csv_streams_every_match_in_chunks(client, listed, count_queries, monkeypatch):
    from lokapp.associations import queries

    monkeypatch.setattr(queries, "CHUNK_SIZE", 4)
    monkeypatch.setattr(queries.iter_matches, "__defaults__", (4,))
    for n in range(10):
        listed(f"Strömmad {n}")
    db.session.commit()
    rows = _csv(client.get("/api/v1/associations.csv?q=strömmad"))
    assert [r["name"] for r in rows] == [f"Strömmad {n}" for n in range(10)]


def test_csv_cells_cannot_become_formulas(client, listed):
    listed("=HYPERLINK(\"http://evil.example\")", "@SUM(1+1)")
    db.session.commit()
    rows = _csv(client.get("/api/v1/associations.csv?q=hyperlink"))
    assert rows[0]["name"].startswith("'=HYPERLINK")
    assert rows[0]["description"] == "'@SUM(1+1)"


def test_etag_and_if_none_match(client, register):
    first = client.get("/api/v1/associations?q=alfa")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get("/api/v1/associations?q=alfa", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    # Another question or another page is another representation.
    other = client.get("/api/v1/associations?q=beta", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag
    csv_response = client.get("/api/v1/associations.csv?q=alfa")
    assert csv_response.headers["ETag"] != etag
    assert client.get("/api/v1/associations.csv?q=alfa", headers={
        "If-None-Match": csv_response.headers["ETag"]}).status_code == 304


def test_if_modified_since(client, register):
    first = client.get("/api/v1/associations")
    last_modified = first.headers["Last-Modified"]
    assert client.get("/api/v1/associations",
                      headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get("/api/v1/associations", headers={
        "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110).
    assert client.get("/api/v1/associations", headers={
        "If-Modified-Since": last_modified, "If-None-Match": '"annan"'}).status_code == 200


@pytest.mark.parametrize("change", ["name", "district", "unpublish", "sign", "new"])
def test_the_etag_changes_when_the_published_data_changes(client, register, listed, sign_lok,
                                                          change):
    etag = client.get("/api/v1/associations").headers["ETag"]
    alfa = db.session.merge(register["alfa"])
    if change == "name":
        alfa.name = "Alfa Idrottsförening Ny"
    elif change == "district":
        alfa.districts = [db.session.scalar(select(District).where(District.key == "raby"))]
    elif change == "unpublish":
        alfa.is_public = False
    elif change == "sign":
        sign_lok(alfa)
    else:
        listed("Nykomlingen")
    db.session.commit()
    response = client.get("/api/v1/associations", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_last_modified_follows_signatures(client, register, sign_lok):
    from lokapp.core.time import utcnow

    before = client.get("/api/v1/associations").last_modified
    signature = sign_lok(db.session.merge(register["alfa"]))
    signature.signed_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    after = client.get("/api/v1/associations").last_modified
    assert after > before


def test_one_association(client, register):
    alfa = register["alfa"]
    response = client.get(f"/api/v1/associations/{alfa.id}")
    item = _json(response)
    assert set(item) == PUBLIC_FIELDS and item["name"] == alfa.name
    assert client.get(f"/api/v1/associations/{alfa.id}",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert _json(client.get("/api/v1/associations/999999"), 404)["error"] == "not_found"
    assert client.get(f"/api/v1/associations/{alfa.id}?x=1").status_code == 400


def test_filters_endpoint_lists_the_keys(client, register):
    body = _json(client.get("/api/v1/filters"))
    assert {"key": "backby", "name": "Bäckby"} in body["districts"]
    assert {c["key"] for c in body["categories"]} >= {"sport", "culture", "pensioners"}
    assert {"key": "ar", "name": "Arabiska"} in body["languages"]
    assert body["languages"][0]["key"] == "sv"


def test_cors_for_any_origin(client, register):
    response = client.get("/api/v1/associations", headers={"Origin": "https://data.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options("/api/v1/associations", headers={
        "Origin": "https://data.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert client.post("/api/v1/associations").status_code == 405


def test_api_queries_do_not_grow_with_the_register(client, listed, sign_lok, count_queries):
    def measure(url):
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return q.count

    def make(n, prefix):
        for i in range(n):
            a = listed(f"{prefix} {i}", districts=("backby",), languages=("sv",))
            if i % 2:
                sign_lok(a)
        db.session.commit()

    urls = ["/api/v1/associations?per_page=100", "/api/v1/associations?q=api&lok_signatory=1"]
    make(5, "Api liten")
    small = [measure(url) for url in urls]
    make(55, "Api stor")
    assert [measure(url) for url in urls] == small


def test_one_association_changes_with_its_signature(client, register, sign_lok):
    from lokapp.core.time import utcnow

    alfa = register["alfa"]
    first = client.get(f"/api/v1/associations/{alfa.id}")
    signature = sign_lok(db.session.merge(alfa))
    signature.signed_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    second = client.get(f"/api/v1/associations/{alfa.id}",
                        headers={"If-None-Match": first.headers["ETag"],
                                 "If-Modified-Since": first.headers["Last-Modified"]})
    assert second.status_code == 200
    assert _json(second)["is_lok_signatory"] is True
    assert second.last_modified > first.last_modified
    assert client.get(f"/api/v1/associations/{alfa.id}", headers={
        "If-Modified-Since": second.headers["Last-Modified"]}).status_code == 304

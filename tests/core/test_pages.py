import pytest


@pytest.mark.parametrize("path", ["/", "/tillganglighet", "/personuppgifter", "/logga-in",
                                  "/registrera"])
def test_public_pages_render_in_swedish(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b'<html lang="sv">' in response.data
    assert "Hoppa till huvudinnehållet".encode() in response.data


def test_unknown_page_is_a_swedish_404(client):
    response = client.get("/finns-inte")
    assert response.status_code == 404
    assert b"Sidan finns inte" in response.data


def test_accessibility_feedback_is_queued_as_mail(client, db):
    from lokapp.core.mail import OutboxMessage

    response = client.post("/tillganglighet", data={
        "name": "Åsa Öberg", "email": "asa@example.se", "page": "/lokaler",
        "message": "Kalendern går inte att använda med skärmläsare.",
    })
    assert response.status_code == 302
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert message.recipients == ["tillganglighet.lok@vasteras.se"]
    assert message.reply_to == "asa@example.se"
    assert "skärmläsare" in message.body_text and "Åsa Öberg" in message.body_text


@pytest.mark.parametrize("hostile", ["x" * 10000, "a\x00b", "rad\u202eett"])
def test_feedback_form_refuses_bad_input_and_keeps_it(client, hostile):
    response = client.post("/tillganglighet", data={"name": hostile, "message": "Hej"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Det finns fel i formuläret" in page
    assert "Hej</textarea>" in page  # what the user typed is kept


def test_markup_and_sql_like_text_is_accepted_as_text_and_escaped(client, db):
    from lokapp.core.mail import OutboxMessage

    hostile = "<script>alert(1)</script>' OR 1=1 --"
    response = client.post("/tillganglighet", data={"name": hostile, "message": hostile})
    assert response.status_code == 302
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert hostile in message.body_text
    assert "<script>" not in message.body_html and "&lt;script&gt;" in message.body_html


def test_empty_feedback_shows_error_summary_linking_to_field(client):
    page = client.post("/tillganglighet", data={}).get_data(as_text=True)
    assert 'href="#message"' in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="message-error"' in page


def test_language_switch_to_english_and_back(client):
    response = client.post("/sprak", data={"lang": "en", "next": "/personuppgifter"})
    assert response.headers["Location"] == "/personuppgifter"
    assert b'<html lang="en">' in client.get("/").data
    client.post("/sprak", data={"lang": "sv", "next": "/"})
    assert b'<html lang="sv">' in client.get("/").data


def test_language_switch_ignores_external_next(client):
    response = client.post("/sprak", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_health_checks_the_database(client):
    assert client.get("/halsa").get_json() == {"status": "ok"}


def test_failed_csrf_check_is_a_friendly_400(app, db):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = app.test_client().post("/tillganglighet", data={"message": "hej"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "Formuläret hade gått ut" in response.get_data(as_text=True)


def test_unexpected_error_is_a_swedish_500(tmp_path):
    from lokapp import create_app

    app = create_app({"LOKAPP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "PROPAGATE_EXCEPTIONS": False, "MAIL_DIR": str(tmp_path)})
    app.add_url_rule("/_boom_test", "boom_test", lambda: 1 / 0)
    response = app.test_client().get("/_boom_test")
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.get_data(as_text=True)

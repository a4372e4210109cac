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
    assert "Sidan finns inte".encode() in response.data

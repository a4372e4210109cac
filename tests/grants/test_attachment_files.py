"""The application's files can be opened (partsinsyn): by the association's representatives and
grant officers, never by another association, a resident or an officer of another area."""
from __future__ import annotations

import pytest

from lokapp.extensions import db
from tests.grants.test_applicant_pages import PDF_BYTES, _fill_all, _start, _text
from tests.grants.test_applications import member


@pytest.fixture
def attached(client, login_as, project, applicant, status):  # noqa: F811
    user, association = applicant
    login_as(user=user)
    application = _start(client, project, association)
    _fill_all(client, project, application)
    db.session.expire_all()
    url = f"/bidrag/ansokningar/{application.id}/filer/{application.attachments[0].id}"
    assert url in _text(client.get(f"/bidrag/ansokningar/{application.id}/sammanfattning"))
    response = client.post(f"/bidrag/ansokningar/{application.id}/skicka")
    assert response.status_code == 302, _text(response)
    db.session.expire_all()
    assert application.case.number is not None  # submitted: a draft is private
    attachment = application.attachments[0]
    return application, attachment, user


def test_the_parties_and_grant_officers_open_the_file_and_the_pages_link_it(
        client, login_as, attached):
    application, attachment, user = attached
    url = f"/bidrag/ansokningar/{application.id}/filer/{attachment.id}"
    login_as(user=user)
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert "attachment" in response.headers["Content-Disposition"]
    assert url in _text(client.get(f"/bidrag/ansokningar/{application.id}"))
    login_as("officer", areas=("grants",))
    assert client.get(url).status_code == 200
    assert url in _text(client.get(f"/bidrag/handlaggning/{application.id}"))


def test_others_are_refused_and_a_wrong_pairing_is_not_found(
        client, login_as, make_user, make_association, attached):
    application, attachment, _user = attached
    url = f"/bidrag/ansokningar/{application.id}/filer/{attachment.id}"
    login_as(user=member(make_user, make_association(name="Annan förening")))
    assert client.get(url).status_code == 403
    login_as("resident")
    assert client.get(url).status_code == 403
    login_as("officer", areas=("bookings",))
    assert client.get(url).status_code == 403
    client.get("/logga-ut")
    login_as("officer", areas=("grants",))
    assert client.get(f"/bidrag/ansokningar/{application.id}/filer/{attachment.id + 999}"
                      ).status_code == 404

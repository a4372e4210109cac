"""Messages between the officer and the applicant (meddelanden): the officer writes on the
case page, the applicant gets an e-mail and sees the message in the case file (partsinsyn),
the association answers from its application page and the assigned officer gets an e-mail.
Association A never sees B's messages; only the applying roles answer."""
from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from lokapp.casework.models import MESSAGE_MAX_LENGTH, CaseMessage
from lokapp.core.audit import AuditEvent
from lokapp.core.mail import OutboxMessage
from lokapp.extensions import db
from tests.bookings.helpers import add_member
from tests.snapshots import assert_matches_snapshot

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _mails(to: str) -> list[OutboxMessage]:
    return [m for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if to in m.recipients]


@pytest.mark.usefixtures("no_csrf")
def test_officer_writes_applicant_reads_and_answers_officer_is_mailed(
        client, login_as, grant, grant_officer):
    applicant = grant.case.applicant
    login_as(user=grant_officer)
    base = f"/bidrag/handlaggning/{grant.id}"
    client.post(f"{base}/atgard/assign")
    response = client.post(f"/handlaggning/arenden/{grant.case_id}/meddelanden",
                           data={"message": "Hur många deltagare räknar ni med?"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"{base}#meddelanden")
    mail = _mails(applicant.email)[-1]
    assert grant.case.number in mail.subject
    assert "Hur många deltagare räknar ni med?" in mail.body_text
    assert f"/bidrag/ansokningar/{grant.id}" in mail.body_text
    assert "Hur många deltagare" in _text(client.get(base))

    login_as(user=applicant)
    page = _text(client.get(f"/bidrag/ansokningar/{grant.id}"))
    assert "Meddelanden" in page and "Hur många deltagare räknar ni med?" in page
    assert "Från handläggaren" in page and "Skicka svaret" in page
    response = client.post(f"/arenden/{grant.case_id}/svara",
                           data={"message": "Ungefär 25 ungdomar."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/bidrag/ansokningar/{grant.id}#meddelanden")
    rows = db.session.scalars(select(CaseMessage).order_by(CaseMessage.id)).all()
    assert [(r.is_from_officer, r.author_id) for r in rows] == [
        (True, grant_officer.id), (False, applicant.id)]
    mail = _mails(grant_officer.email)[-1]
    assert "Ungefär 25 ungdomar." in mail.body_text
    assert f"/bidrag/handlaggning/{grant.id}" in mail.body_text
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"case.message_sent", "case.message_replied"} <= actions

    login_as(user=grant_officer)
    page = _text(client.get(base))
    assert page.index("Hur många deltagare") < page.index("Ungefär 25 ungdomar.")
    assert "Från föreningen" in page


@pytest.mark.usefixtures("no_csrf")
def test_association_b_never_sees_or_answers_a_messages(client, login_as, grant,
                                                        grant_officer, make_user,
                                                        make_association):
    login_as(user=grant_officer)
    client.post(f"/handlaggning/arenden/{grant.case_id}/meddelanden",
                data={"message": "Hemligt för A"})
    other = make_user()
    add_member(other, make_association(), "administrator")
    db.session.commit()
    login_as(user=other)
    assert client.get(f"/bidrag/ansokningar/{grant.id}").status_code == 403
    assert client.post(f"/arenden/{grant.case_id}/svara",
                       data={"message": "Intrång"}).status_code == 403
    assert db.session.scalar(select(CaseMessage.id).where(
        CaseMessage.is_from_officer.is_(False))) is None


@pytest.mark.usefixtures("no_csrf")
def test_a_member_without_an_applying_role_reads_but_cannot_answer(client, login_as, grant,
                                                                   grant_officer, make_user):
    login_as(user=grant_officer)
    client.post(f"/handlaggning/arenden/{grant.case_id}/meddelanden",
                data={"message": "Fråga till föreningen"})
    contact = make_user()
    add_member(contact, grant.association, "contact")
    db.session.commit()
    login_as(user=contact)
    page = _text(client.get(f"/bidrag/ansokningar/{grant.id}"))
    assert "Fråga till föreningen" in page and "Skicka svaret" not in page
    assert client.post(f"/arenden/{grant.case_id}/svara",
                       data={"message": "Svar"}).status_code == 403


@pytest.mark.usefixtures("no_csrf")
def test_officers_outside_the_area_or_linked_cannot_write(client, login_as, grant, make_user):
    url = f"/handlaggning/arenden/{grant.case_id}/meddelanden"
    login_as(user=grant.case.applicant)
    assert client.post(url, data={"message": "x"}).status_code == 403
    login_as("officer", areas=("register",))
    assert client.post(url, data={"message": "x"}).status_code == 403
    linked = make_user("officer", areas=("grants",))
    add_member(linked, grant.association, "treasurer")
    db.session.commit()
    login_as(user=linked)
    assert client.post(url, data={"message": "x"}).status_code == 403
    assert db.session.scalar(select(CaseMessage.id)) is None


@pytest.mark.usefixtures("no_csrf")
def test_bad_messages_keep_the_text_and_say_why(client, login_as, grant, grant_officer):
    login_as(user=grant_officer)
    response = client.post(f"/handlaggning/arenden/{grant.case_id}/meddelanden",
                           data={"message": "x" * (MESSAGE_MAX_LENGTH + 1)})
    assert response.status_code == 400 and "Högst" in _text(response)
    login_as(user=grant.case.applicant)
    response = client.post(f"/arenden/{grant.case_id}/svara", data={"message": "  "})
    assert response.status_code == 400
    page = _text(response)
    assert "Fyll i" in page and "Meddelanden" in page
    assert db.session.scalar(select(CaseMessage.id)) is None


@pytest.mark.usefixtures("no_csrf")
def test_the_application_page_loads_messages_in_one_query(client, login_as, grant,
                                                          grant_officer, count_queries):
    login_as(user=grant_officer)
    url = f"/handlaggning/arenden/{grant.case_id}/meddelanden"
    client.post(url, data={"message": "Ett"})
    login_as(user=grant.case.applicant)
    page = f"/bidrag/ansokningar/{grant.id}"
    with count_queries() as one:
        client.get(page)
    login_as(user=grant_officer)
    for i in range(6):
        client.post(url, data={"message": f"Meddelande {i}"})
    login_as(user=grant.case.applicant)
    with count_queries() as many:
        assert "Meddelande 5" in _text(client.get(page))
    assert many.count == one.count


# --- the mail templates' snapshots ------------------------------------------------------------

CONTEXTS = {
    "case_message": {"name": "Anna Andersson", "number": "LOK 2026/00042",
                     "case_subject": "Projektbidrag – Sommarläger", "officer": "Hanna Handläggare",
                     "message": "Hur många deltagare räknar ni med?\nSvara gärna i veckan.",
                     "link": "http://localhost/bidrag/ansokningar/7"},
    "case_reply": {"name": "Hanna Handläggare", "number": "LOK 2026/00042",
                   "case_subject": "Projektbidrag – Sommarläger", "author": "Anna <Andersson>",
                   "message": "Ungefär 25 ungdomar & 4 ledare.",
                   "link": "http://localhost/bidrag/handlaggning/7"},
}


@pytest.mark.parametrize("template", sorted(CONTEXTS))
@pytest.mark.parametrize("part", ["txt", "html"])
def test_message_mail_matches_its_snapshot(app, db, template, part):
    with force_locale("sv"):
        rendered = render_template(f"mail/{template}.{part}", subject="Ämne",
                                   **CONTEXTS[template])
    if part == "html":
        assert "Anna &lt;Andersson&gt;" in rendered or template == "case_message"
    path = SNAPSHOTS / f"{template}.{part}"
    assert_matches_snapshot(rendered, path)


@pytest.mark.usefixtures("no_csrf")
def test_messages_on_a_registration_between_the_officer_and_the_registrant(
        client, login_as, make_user, make_association):
    from tests.associations.register_helpers import numbered_case

    registrant = make_user()
    case = numbered_case("registration", "submitted", registrant, make_association())
    register_officer = make_user("officer", areas=("register",))
    case.assigned_officer_id = register_officer.id
    db.session.commit()
    login_as(user=register_officer)
    response = client.post(f"/handlaggning/arenden/{case.id}/meddelanden",
                           data={"message": "Stämmer adressen?"})
    assert response.headers["Location"].endswith(
        f"/handlaggning/foreningsregister/{case.id}#meddelanden")
    assert f"/forening/registreringar/{case.id}" in _mails(registrant.email)[-1].body_text
    login_as(user=registrant)
    page = _text(client.get(f"/forening/registreringar/{case.id}"))
    assert "Stämmer adressen?" in page and "Skicka svaret" in page
    assert client.post(f"/arenden/{case.id}/svara",
                       data={"message": "Ja, den stämmer."}).status_code == 302
    assert "Ja, den stämmer." in _mails(register_officer.email)[-1].body_text
    login_as(user=make_user())
    assert client.post(f"/arenden/{case.id}/svara", data={"message": "x"}).status_code == 403
    login_as(user=register_officer)
    assert "Ja, den stämmer." in _text(client.get(f"/handlaggning/foreningsregister/{case.id}"))

"""Internal notes (interna anteckningar): officers of the case's area add and read them on
every officer case page; the applicant never sees them – not on their page, not in a mail,
not in the decision letter."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from html import unescape
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lokapp.casework.models import NOTE_MAX_LENGTH, CaseNote
from lokapp.core.audit import AuditEvent
from lokapp.core.mail import OutboxMessage
from lokapp.extensions import db
from lokapp.letters.models import Letter

pytestmark = pytest.mark.usefixtures("no_csrf")

SECRET = "Intern: kolla revisionsberättelsen med kassören"


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _note_url(case) -> str:
    return f"/handlaggning/arenden/{case.id}/anteckningar"


def test_an_officer_adds_notes_shown_newest_first_with_author_and_local_time(
        client, login_as, grant, grant_officer):
    login_as(user=grant_officer)
    response = client.post(_note_url(grant.case), data={"note": "Första anteckningen"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/bidrag/handlaggning/{grant.id}#anteckningar")
    client.post(_note_url(grant.case), data={"note": "Andra anteckningen"})
    notes = db.session.scalars(select(CaseNote).order_by(CaseNote.id)).all()
    assert [n.body for n in notes] == ["Första anteckningen", "Andra anteckningen"]
    # Stored in UTC, shown in Stockholm time (winter: +1 h).
    notes[0].created_at = datetime(2026, 1, 15, 9, 5, tzinfo=UTC)
    notes[1].created_at = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
    db.session.commit()
    page = _text(client.get(f"/bidrag/handlaggning/{grant.id}"))
    assert "Interna anteckningar" in page
    assert page.index("Andra anteckningen") < page.index("Första anteckningen")
    assert "2026-01-15 11:30" in page and "2026-01-15 10:05" in page
    assert grant_officer.name in page
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.note_added")).all()
    assert len(events) == 2 and events[0].object_id == str(grant.case.id)
    assert "Första" not in json.dumps(events[0].details)  # the log names the note, not its text


def test_the_applicant_never_sees_notes_on_their_page_in_mail_or_in_the_letter(
        client, login_as, grant, grant_officer):
    login_as(user=grant_officer)
    base = f"/bidrag/handlaggning/{grant.id}"
    client.post(f"{base}/atgard/assign")
    assert client.post(_note_url(grant.case), data={"note": SECRET}).status_code == 302
    assert SECRET in _text(client.get(base))
    response = client.post(f"{base}/beslut", data={"outcome": "approved", "reasons": "Bra."})
    assert response.status_code == 302
    db.session.expire_all()
    assert grant.case.decided_at is not None and grant.outcome is not None

    login_as(user=grant.case.applicant)
    page = _text(client.get(f"/bidrag/ansokningar/{grant.id}"))
    assert str(grant.outcome.label) in page  # the decided case file is shown
    assert SECRET not in page and "Interna anteckningar" not in page
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert mails, "the receipt and the decision mail were queued"
    for mail in mails:
        assert SECRET not in (mail.body_text or "") + (mail.body_html or "")
    letters = db.session.scalars(select(Letter)).all()
    assert letters, "the decision letter was issued"
    for letter in letters:
        assert SECRET not in json.dumps(letter.context, default=str)
        pdf_text = " ".join(p.extract_text() for p in PdfReader(BytesIO(letter.pdf)).pages)
        assert grant.case.number in pdf_text  # the text is readable, so the check can fail
        assert "revisionsberättelsen" not in pdf_text
        letter_page = client.get(f"/brev/{letter.id}")
        assert letter_page.status_code == 200
        assert SECRET not in _text(letter_page)


def test_access_applicant_other_area_linked_officer_and_anonymous(
        client, login_as, grant, make_user):
    url = _note_url(grant.case)
    assert "/logga-in" in client.post(url, data={"note": "x"}).headers["Location"]
    login_as(user=grant.case.applicant)
    assert client.post(url, data={"note": "x"}).status_code == 403
    login_as("officer", areas=("register",))
    assert client.post(url, data={"note": "x"}).status_code == 403
    # An officer linked to the association is a party: no notes, not even to read.
    linked = make_user("officer", areas=("grants",))
    from tests.bookings.helpers import add_member

    add_member(linked, grant.association, "contact")
    db.session.commit()
    login_as(user=linked)
    assert client.post(url, data={"note": "x"}).status_code == 403
    assert "Interna anteckningar" not in _text(client.get(f"/bidrag/handlaggning/{grant.id}"))
    assert db.session.scalar(select(CaseNote.id)) is None


def test_unknown_or_draft_case_is_404(client, login_as, grant_officer):
    login_as(user=grant_officer)
    assert client.post("/handlaggning/arenden/999999/anteckningar",
                       data={"note": "x"}).status_code == 404


@pytest.mark.parametrize(("body", "error"), [
    ("", "Fyll i"), ("x" * (NOTE_MAX_LENGTH + 1), "Högst"),
    ("Dold\x07text", "styrtecken")])
def test_a_bad_note_shows_the_page_again_with_the_text_and_the_error(
        client, login_as, grant, grant_officer, body, error):
    login_as(user=grant_officer)
    response = client.post(_note_url(grant.case), data={"note": body})
    assert response.status_code == 400
    page = _text(response)
    assert error in page and "Interna anteckningar" in page
    if body:
        assert body[:50] in page
    assert db.session.scalar(select(CaseNote.id)) is None


def test_the_case_page_loads_notes_in_one_query(client, login_as, grant, grant_officer,
                                                count_queries):
    login_as(user=grant_officer)
    url = f"/bidrag/handlaggning/{grant.id}"
    client.post(_note_url(grant.case), data={"note": "En"})
    with count_queries() as one:
        assert client.get(url).status_code == 200
    for i in range(8):
        client.post(_note_url(grant.case), data={"note": f"Anteckning {i}"})
    with count_queries() as many:
        page = _text(client.get(url))
    assert "Anteckning 7" in page
    assert many.count == one.count, (one.count, many.count)


def test_notes_on_the_register_case_page(client, login_as, make_association, make_user):
    from tests.associations.register_helpers import numbered_case

    applicant = make_user()
    case = numbered_case("registration", "submitted", applicant, make_association())
    db.session.commit()
    login_as("officer", areas=("register",))
    response = client.post(_note_url(case), data={"note": "Ring ordföranden"})
    assert response.headers["Location"].endswith(
        f"/handlaggning/foreningsregister/{case.id}#anteckningar")
    page = _text(client.get(f"/handlaggning/foreningsregister/{case.id}"))
    assert "Interna anteckningar" in page and "Ring ordföranden" in page
    assert "Anmäl jäv i ärendet" in page
    login_as("officer", areas=("grants",))
    assert client.post(_note_url(case), data={"note": "x"}).status_code == 403


def test_notes_on_the_booking_page_for_the_officer_never_for_the_booker(
        client, login_as, make_user, app):
    from lokapp.bookings import services as booking_services
    from tests.bookings.helpers import accepted, build_premises, next_weekday, request_for

    premises = build_premises(requires_approval=True)
    booker = make_user()
    series = booking_services.create_booking(premises, request_for(booker, next_weekday(2)),
                                             accepted_terms=accepted(premises))
    db.session.commit()
    login_as("officer", areas=("bookings",))
    response = client.post(_note_url(series.case), data={"note": "Nyckel saknas i skåpet"})
    assert response.headers["Location"].endswith(f"/bokningar/{series.id}#anteckningar")
    assert "Nyckel saknas i skåpet" in _text(client.get(f"/bokningar/{series.id}"))
    login_as(user=booker)
    page = _text(client.get(f"/bokningar/{series.id}"))
    assert series.case.number in page
    assert "Nyckel saknas" not in page and "Interna anteckningar" not in page
    assert client.post(_note_url(series.case), data={"note": "x"}).status_code == 403


def test_register_and_booking_pages_do_not_grow_with_notes(client, login_as, make_association,
                                                           make_user, count_queries):
    from lokapp.bookings import services as booking_services
    from tests.associations.register_helpers import numbered_case
    from tests.bookings.helpers import accepted, build_premises, next_weekday, request_for

    case = numbered_case("registration", "submitted", make_user(), make_association())
    premises = build_premises(requires_approval=True)
    series = booking_services.create_booking(premises, request_for(make_user(), next_weekday(2)),
                                             accepted_terms=accepted(premises))
    db.session.commit()
    login_as("officer", areas=("register", "bookings"))
    for target, url in ((case, f"/handlaggning/foreningsregister/{case.id}"),
                        (series.case, f"/bokningar/{series.id}")):
        client.post(_note_url(target), data={"note": "Första"})
        with count_queries() as one:
            assert client.get(url).status_code == 200
        for i in range(6):
            client.post(_note_url(target), data={"note": f"Fler {i}"})
        with count_queries() as many:
            assert "Fler 5" in _text(client.get(url))
        assert many.count == one.count, (url, one.count, many.count)

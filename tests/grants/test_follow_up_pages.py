"""The follow-up report's pages: the association writes, saves and sends its report (clear
Swedish errors that keep the input), the officer accepts, asks for more or decides återkrav;
association B never sees A's report, officers without the grants area and disqualified
officers are refused."""
from __future__ import annotations

import io
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from lokapp.auth.models import AssociationMember
from lokapp.core.time import today_local
from lokapp.extensions import db
from lokapp.grants.models import GrantApplication
from tests.grants.test_applications import member
from tests.grants.test_decisions import _project, officer, status, submitted  # noqa: F401


@pytest.fixture
def granted(programmes, make_user, make_association, status):  # noqa: F811
    from lokapp.grants import services

    application = submitted(_project(programmes), make_user, make_association)
    handler = officer(make_user)
    services.assign_to_me(application, handler)
    services.decide(application, handler, outcome="approved", amount_sek=None, reasons="")
    db.session.commit()
    return application


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _reload(application_id) -> GrantApplication:
    db.session.expire_all()
    return db.session.get(GrantApplication, application_id)


def _report_url(application, suffix=""):
    return f"/bidrag/ansokningar/{application.id}/redovisning{suffix}"


GOOD = {
    "summary": "Vi höll ett läger för 30 barn.",
    "participants-age_7_12_woman": "12", "participants-age_7_12_man": "14",
    "participants-age_13_20_other": "4",
    "lines-0-kind": "cost", "lines-0-description": "Lägerplats", "lines-0-amount": "28 000",
    "lines-1-kind": "income", "lines-1-description": "Avgifter", "lines-1-amount": "3000 kr",
}


def test_the_association_saves_then_sends_its_report(client, login_as, granted):
    login_as(user=granted.case.applicant)
    page = _text(client.get(f"/bidrag/ansokningar/{granted.id}"))
    assert "Redovisning" in page and "Till redovisningen" in page
    page = _text(client.get(_report_url(granted)))
    assert "Antal deltagare efter ålder och kön" in page and "Spara och skicka in" in page
    response = client.post(_report_url(granted), data=GOOD)
    assert response.status_code == 302
    row = _reload(granted.id).follow_up
    assert row.participants_total == 30 and row.costs_sek() == 28000
    assert row.income_sek() == 3000 and row.submitted_at is None
    page = _text(client.get(_report_url(granted)))
    assert 'value="28000"' in page and "Vi höll ett läger" in page
    response = client.post(_report_url(granted, "/skicka"), data=GOOD)
    assert response.status_code == 302
    application = _reload(granted.id)
    assert application.case.state == "follow_up_submitted"
    page = _text(client.get(_report_url(granted)))
    assert "Spara och skicka in" not in page and "Lägerplats" in page


def test_bad_input_gets_swedish_messages_and_keeps_what_was_typed(client, login_as, granted):
    login_as(user=granted.case.applicant)
    bad = {**GOOD, "participants-age_7_12_woman": "tolv", "lines-0-amount": "12 500,50",
           "lines-1-description": "", "summary": "Läger\x00"}
    response = client.post(_report_url(granted, "/skicka"), data=bad)
    page = _text(response)
    assert response.status_code == 400
    assert "Skriv ett heltal med siffror" in page
    assert "hela kronor" in page and 'value="12 500,50"' in page
    assert "Skriv vad kostnaden eller intäkten gäller" in page
    assert "styrtecken" in page and 'value="tolv"' in page
    assert _reload(granted.id).case.state == "follow_up_due"


def test_an_incomplete_report_lists_what_is_missing_and_is_kept(client, login_as, granted):
    login_as(user=granted.case.applicant)
    response = client.post(_report_url(granted, "/skicka"),
                           data={"summary": "Bara en text så länge."})
    page = _text(response)
    assert response.status_code == 400
    assert "Fyll i hur många som deltog" in page and "Skriv minst en faktisk kostnad" in page
    application = _reload(granted.id)
    assert application.case.state == "follow_up_due"
    assert application.follow_up.summary == "Bara en text så länge."


def test_a_file_can_be_attached_and_read(client, login_as, granted, upload_dir, make_user,
                                         make_association):
    login_as(user=granted.case.applicant)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client.post(_report_url(granted, "/bilagor"), data={
        "label": "Kvitton", "file": (io.BytesIO(pdf), "kvitton.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302, _text(response)
    attachment = _reload(granted.id).follow_up.attachments[0]
    assert attachment.label == "Kvitton"
    url = _report_url(granted, f"/filer/{attachment.id}")
    download = client.get(url)
    assert download.status_code == 200 and download.data == pdf
    assert client.get(_report_url(granted, f"/filer/{attachment.id + 1}")).status_code == 404
    response = client.post(_report_url(granted, "/bilagor"), data={
        "label": "Skript", "file": (io.BytesIO(b"#!/bin/sh\necho hej\n"), "x.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    handler = officer(make_user)
    login_as(user=handler)
    assert client.get(url).status_code == 403  # the report is not sent: private
    login_as(user=member(make_user, make_association()))
    assert client.get(url).status_code == 403
    login_as(user=granted.case.applicant)
    assert client.post(_report_url(granted, "/skicka"), data=GOOD).status_code == 302
    login_as(user=handler)
    assert client.get(url).status_code == 200


def test_a_report_being_written_is_not_shown_to_officers(client, login_as, granted,
                                                          make_user):
    """Like a draft application: the officers read the report once it is sent, and not the
    changes while it is back with the association for completion."""
    login_as(user=granted.case.applicant)
    assert client.post(_report_url(granted),
                       data={**GOOD, "summary": "Hemligt utkast"}).status_code == 302
    handler = officer(make_user)
    db.session.commit()
    login_as(user=handler)
    for url in (_report_url(granted), _officer_url(granted)):
        page = _text(client.get(url))
        assert "Hemligt utkast" not in page and "Lägerplats" not in page
    login_as(user=granted.case.applicant)
    assert client.post(_report_url(granted, "/skicka"), data=GOOD).status_code == 302
    login_as(user=handler)
    assert "Vi höll ett läger" in _text(client.get(_officer_url(granted)))
    deadline = (today_local() + timedelta(days=14)).isoformat()
    assert client.post(_officer_url(granted, "/komplettering"), data={
        "message": "Bifoga kvitton.", "deadline": deadline}).status_code == 302
    login_as(user=granted.case.applicant)
    assert client.post(_report_url(granted),
                       data={**GOOD, "summary": "Halvfärdig ändring"}).status_code == 302
    login_as(user=handler)
    for url in (_report_url(granted), _officer_url(granted)):
        page = _text(client.get(url))
        assert "Halvfärdig ändring" not in page
    assert "komplettering" in _text(client.get(_officer_url(granted)))


def test_association_b_cannot_see_or_write_as_report(client, login_as, granted, make_user,
                                                    make_association):
    other = member(make_user, make_association())
    db.session.commit()
    login_as(user=other)
    assert client.get(_report_url(granted)).status_code == 403
    assert client.post(_report_url(granted), data=GOOD).status_code == 403
    assert client.post(_report_url(granted, "/skicka"), data=GOOD).status_code == 403
    assert _reload(granted.id).follow_up.saved_at is None


def test_a_member_without_an_applying_role_may_read_but_not_write(client, login_as, granted,
                                                                 make_user):
    reader = member(make_user, granted.association, role="booking_manager")
    db.session.commit()
    login_as(user=reader)
    page = _text(client.get(_report_url(granted)))
    assert "Ingen redovisning är inskickad ännu" in page
    assert client.post(_report_url(granted), data=GOOD).status_code == 403


@pytest.fixture
def reported(client, login_as, granted):
    login_as(user=granted.case.applicant)
    assert client.post(_report_url(granted, "/skicka"), data=GOOD).status_code == 302
    return granted


def _officer_url(application, suffix=""):
    return f"/bidrag/handlaggning/{application.id}/redovisning{suffix}"


def test_officer_without_the_grants_area_gets_403(client, login_as, reported):
    login_as("officer", areas=("register",))
    assert client.get(_officer_url(reported)).status_code == 403
    assert client.post(_officer_url(reported, "/godkann")).status_code == 403
    login_as(user=reported.case.applicant)
    assert client.get(_officer_url(reported)).status_code == 403


def test_a_disqualified_officer_is_refused(client, login_as, reported, make_user):
    jav = officer(make_user)
    db.session.add(AssociationMember(user_id=jav.id, association_id=reported.association_id))
    db.session.commit()
    login_as(user=jav)
    page = _text(client.get(_officer_url(reported)))
    assert "jävig" in page and "Godkänn redovisningen</button>" not in page
    assert client.post(_officer_url(reported, "/godkann")).status_code == 403
    assert client.post(_officer_url(reported, "/aterkrav"),
                       data={"amount": "1000", "reasons": "Skäl"}).status_code == 403
    assert _reload(reported.id).case.state == "follow_up_submitted"


def test_an_officer_who_declared_jav_is_told_why_and_refused(client, login_as, reported,
                                                              make_user):
    from lokapp.casework.services import declare_disqualification

    declared = officer(make_user)
    declare_disqualification(reported.case, declared, "Min bror är kassör.")
    db.session.commit()
    login_as(user=declared)
    page = _text(client.get(_officer_url(reported)))
    assert "Du har anmält jäv i ärendet" in page
    assert "Godkänn redovisningen</button>" not in page
    assert client.post(_officer_url(reported, "/godkann")).status_code == 403
    assert _reload(reported.id).case.state == "follow_up_submitted"


def test_the_officer_accepts(client, login_as, reported, make_user):
    login_as(user=officer(make_user))
    page = _text(client.get(_officer_url(reported)))
    assert "Vi höll ett läger" in page and "Besluta om återkrav" in page
    case_page = _text(client.get(f"/bidrag/handlaggning/{reported.id}"))
    assert "Till redovisningen" in case_page
    assert client.post(_officer_url(reported, "/godkann"), data={"note": "Tack!"}) \
        .status_code == 302
    assert _reload(reported.id).case.state == "closed"


def test_the_officer_asks_for_more(client, login_as, reported, make_user):
    login_as(user=officer(make_user))
    response = client.post(_officer_url(reported, "/komplettering"),
                           data={"message": "", "deadline": "imorgon"})
    assert response.status_code == 400
    deadline = (today_local() + timedelta(days=14)).isoformat()
    response = client.post(_officer_url(reported, "/komplettering"),
                           data={"message": "Bifoga kvitton.", "deadline": deadline})
    assert response.status_code == 302
    application = _reload(reported.id)
    assert application.case.state == "follow_up_due"
    assert application.follow_up.due_on.isoformat() == deadline
    login_as(user=reported.case.applicant)
    assert "Bifoga kvitton." in _text(client.get(_report_url(reported)))


def test_recovery_from_the_page_validates_and_issues_the_letter(client, login_as, reported,
                                                                make_user):
    from lokapp.letters.models import Letter, LetterKind

    login_as(user=officer(make_user))
    url = _officer_url(reported, "/aterkrav")
    response = client.post(url, data={"amount": "12 500,50", "reasons": "Skäl."})
    assert response.status_code == 400 and "hela kronor" in _text(response)
    assert 'value="12 500,50"' in _text(response)
    response = client.post(url, data={"amount": "50 000", "reasons": "Skäl."})
    assert response.status_code == 400 and "större än det beviljade" in _text(response)
    response = client.post(url, data={"amount": "10 000", "reasons": ""})
    assert response.status_code == 400 and "Skäl för återkravet" in _text(response)
    response = client.post(url, data={"amount": "10 000",
                                      "reasons": "Pengarna användes till annat än lägret."})
    assert response.status_code == 302
    application = _reload(reported.id)
    assert application.case.state == "recovery"
    assert application.follow_up.recovered_sek == 10000
    assert db.session.scalar(select(Letter).where(
        Letter.case_id == application.case_id, Letter.kind == LetterKind.GRANT_RECOVERY))
    login_as(user=reported.case.applicant)
    page = _text(client.get(f"/bidrag/ansokningar/{reported.id}"))
    assert "Återkrav" in page and "10\u00a0000" in page


def test_the_officers_list_of_reports_filters_and_keeps_its_query_count(
        client, login_as, granted, make_user, make_association, programmes, count_queries):
    from lokapp.grants import services

    handler = officer(make_user)
    login_as(user=handler)
    url = "/bidrag/handlaggning/redovisningar"
    page = _text(client.get(url))
    assert granted.case.number in page and "Redovisning ska lämnas" in page
    assert granted.case.number not in _text(client.get(url + "?visa=inkomna"))
    assert granted.case.number not in _text(client.get(url + "?visa=forsenade"))
    with count_queries() as one:
        assert client.get(url).status_code == 200
    for _i in range(3):
        other = submitted(_project(programmes), make_user, make_association)
        services.assign_to_me(other, handler)
        services.decide(other, handler, outcome="approved", amount_sek=None, reasons="")
    granted.follow_up.due_on = today_local() - timedelta(days=1)
    db.session.commit()
    with count_queries() as four:
        page = _text(client.get(url))
    assert page.count("/redovisning\"") >= 4
    assert four.count == one.count, (one.count, four.count)
    late = _text(client.get(url + "?visa=forsenade"))
    assert granted.case.number in late and "försenad" in late
    login_as("officer", areas=("register",))
    assert client.get(url).status_code == 403


def test_a_recovery_whose_letter_fails_is_not_made(client, login_as, reported, make_user,
                                                   monkeypatch):
    from lokapp.letters import services as letters

    def broken(*args, **kwargs):
        raise letters.LetterError("Brevet gick inte att skapa.")

    monkeypatch.setattr(letters, "issue_letter", broken)
    login_as(user=officer(make_user))
    response = client.post(_officer_url(reported, "/aterkrav"),
                           data={"amount": "10 000", "reasons": "Skäl."})
    assert response.status_code == 400 and "Brevet gick inte att skapa." in _text(response)
    application = _reload(reported.id)
    assert application.case.state == "follow_up_submitted"
    assert application.follow_up.recovered_sek is None

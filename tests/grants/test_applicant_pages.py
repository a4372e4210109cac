"""The applicant's pages: start or copy, the steps (questions → budget → attachments), the
summary, submit with the missing list, withdraw – without JavaScript, with access rules."""
from __future__ import annotations

import io
import re
from html import unescape

from sqlalchemy import select

from lokapp.extensions import db
from lokapp.grants.models import GrantApplication
from tests.grants.test_applications import member

PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _start(client, project, association) -> GrantApplication:
    response = client.post(f"/bidrag/{project.key}/ansok", data={"association": association.id})
    assert response.status_code == 302, _text(response)
    application_id = int(re.search(r"/ansokningar/(\d+)/", response.location).group(1))
    assert response.location.endswith(f"/bidrag/ansokningar/{application_id}/fragor")
    return db.session.get(GrantApplication, application_id)


def _answers(project, **override):
    data = {}
    for q in project.questions:
        value = {"short_text": "Sommarläger", "long_text": "Fler unga ska röra sig.",
                 "date": "2026-06-01", "yes_no": "Ja"}.get(q.kind.value)
        if value is not None:
            data[f"q{q.id}"] = value
    data.update(override)
    return data


def _budget_rows(*rows):
    data = {}
    for i, (kind, description, amount) in enumerate(rows):
        data[f"lines-{i}-kind"] = kind
        data[f"lines-{i}-description"] = description
        data[f"lines-{i}-amount"] = amount
    return data


def _fill_all(client, project, application):
    base = f"/bidrag/ansokningar/{application.id}"
    assert client.post(f"{base}/fragor", data=_answers(project)).status_code == 302
    if project.asks_participants:  # the seeded projektbidrag asks for participants
        response = client.post(f"{base}/deltagare", data={
            "participants-age_13_20_woman": "8", "participants-age_13_20_man": "6"})
        assert response.status_code == 302, _text(response)
    response = client.post(f"{base}/budget", data={
        **_budget_rows(("cost", "Lokalhyra", "30 000"), ("income", "Avgifter", "5 000")),
        "own_contribution": "5000"})
    assert response.status_code == 302, _text(response)
    response = client.post(f"{base}/bilagor", data={
        "what": "b0", "file": (io.BytesIO(PDF_BYTES), "projektplan.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302, _text(response)


def test_programme_page_links_to_start_and_start_lists_only_applying_associations(
        client, login_as, make_user, make_association, project, applicant):
    user, association = applicant
    member(make_user, make_association(name="Bokningsföreningen"), "booking_manager")
    assert "/bidrag/projektbidrag/ansok" in _text(client.get("/bidrag/projektbidrag"))
    login_as(user=user)
    page = _text(client.get("/bidrag/projektbidrag/ansok"))
    assert "Bollklubben" in page and "Bokningsföreningen" not in page
    assert "Kopiera förra ansökan" not in page  # nothing to copy yet


def test_start_requires_login_and_an_applying_role(client, login_as, make_user,
                                                   make_association, project, applicant):
    _user, association = applicant
    assert client.get("/bidrag/projektbidrag/ansok").status_code in (302, 401)
    booking = member(make_user, association, "booking_manager")
    login_as(user=booking)
    response = client.post("/bidrag/projektbidrag/ansok", data={"association": association.id})
    assert response.status_code == 400
    assert db.session.scalar(select(GrantApplication.id)) is None


def test_the_steps_save_on_the_server_and_back_is_a_link(client, login_as, project, applicant,
                                                         status, upload_dir):
    user, association = applicant
    login_as(user=user)
    application = _start(client, project, association)
    base = f"/bidrag/ansokningar/{application.id}"
    page = _text(client.get(f"{base}/fragor"))
    assert 'aria-current="step"' in page and "Syfte och mål" in page
    response = client.post(f"{base}/fragor", data=_answers(project))
    assert response.location.endswith(f"{base}/deltagare")  # then the budget
    db.session.expire_all()
    application = db.session.get(GrantApplication, application.id)
    assert "Sommarläger" in application.answers.values()
    page = _text(client.get(f"{base}/budget"))
    assert f'href="{base}/fragor"' in page  # Back is a plain link
    _fill_all(client, project, application)
    db.session.expire_all()
    application = db.session.get(GrantApplication, application.id)
    assert application.requested_sek == 20000  # 30 000 − 5 000 − 5 000
    assert [a.label for a in application.attachments] == ["Projektplan"]
    page = _text(client.get(f"{base}/sammanfattning"))
    assert "Det här saknas" not in page and "20\u00a0000" in page


def test_question_errors_keep_input(client, login_as, project, applicant):
    user, association = applicant
    login_as(user=user)
    application = _start(client, project, association)
    date_q = next(q for q in project.questions if q.kind.value == "date")
    response = client.post(f"/bidrag/ansokningar/{application.id}/fragor",
                           data=_answers(project, **{f"q{date_q.id}": "första juni"}))
    page = _text(response)
    assert response.status_code == 400
    assert "Det finns fel i formuläret" in page and 'value="Sommarläger"' in page
    assert 'value="första juni"' in page
    name_q = next(q for q in project.questions if q.kind.value == "short_text")
    response = client.post(f"/bidrag/ansokningar/{application.id}/fragor",
                           data=_answers(project, **{f"q{name_q.id}": "x" * 301}))
    assert response.status_code == 400 and "Högst 300 tecken" in _text(response)


def test_budget_refuses_ore_and_keeps_the_rows(client, login_as, project, applicant):
    user, association = applicant
    login_as(user=user)
    application = _start(client, project, association)
    response = client.post(f"/bidrag/ansokningar/{application.id}/budget", data={
        **_budget_rows(("cost", "Lokalhyra", "12 500,50")), "own_contribution": "0"})
    page = _text(response)
    assert response.status_code == 400
    assert "hela kronor" in page and 'value="Lokalhyra"' in page and 'value="12 500,50"' in page
    response = client.post(f"/bidrag/ansokningar/{application.id}/budget", data={
        **_budget_rows(("cost", "Lokalhyra", "1000"), ("income", "Sponsor", "5000")),
        "own_contribution": "0"})
    assert response.status_code == 400 and "inget att söka" in _text(response)


def test_attachment_of_the_wrong_type_is_refused(client, login_as, project, applicant,
                                                upload_dir):
    user, association = applicant
    login_as(user=user)
    application = _start(client, project, association)
    response = client.post(f"/bidrag/ansokningar/{application.id}/bilagor", data={
        "what": "b0", "file": (io.BytesIO(b"MZ not a document"), "plan.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "Filtypen stöds inte" in _text(response)


def test_submit_shows_the_missing_list_then_submits(client, login_as, project, applicant,
                                                    status, upload_dir):
    user, association = applicant
    login_as(user=user)
    application = _start(client, project, association)
    response = client.post(f"/bidrag/ansokningar/{application.id}/skicka")
    page = _text(response)
    assert response.status_code == 400
    assert "Bilagan ”Projektplan” saknas." in page and "Projektets namn" in page
    _fill_all(client, project, application)
    response = client.post(f"/bidrag/ansokningar/{application.id}/skicka")
    assert response.status_code == 302
    db.session.expire_all()
    application = db.session.get(GrantApplication, application.id)
    assert application.case.state == "submitted" and application.case.number
    # Submitted: the steps are closed, withdrawing is offered.
    assert client.get(f"/bidrag/ansokningar/{application.id}/fragor").status_code == 403
    page = _text(client.get(f"/bidrag/ansokningar/{application.id}"))
    assert "Återkalla ansökan" in page
    assert client.post(f"/bidrag/ansokningar/{application.id}/aterkalla").status_code == 302
    db.session.expire_all()
    assert db.session.get(GrantApplication, application.id).case.state == "withdrawn"


def test_copy_last_years_application(client, login_as, project, applicant, status, upload_dir):
    user, association = applicant
    login_as(user=user)
    first = _start(client, project, association)
    _fill_all(client, project, first)
    assert client.post(f"/bidrag/ansokningar/{first.id}/skicka").status_code == 302
    assert "Kopiera förra ansökan" in _text(client.get("/bidrag/projektbidrag/ansok"))
    response = client.post("/bidrag/projektbidrag/ansok/kopiera",
                           data={"association": association.id})
    assert response.status_code == 302
    copy_id = int(re.search(r"/ansokningar/(\d+)/", response.location).group(1))
    copy = db.session.get(GrantApplication, copy_id)
    assert copy.copied_from_id == first.id and copy.requested_sek == 20000
    assert copy.attachments == [] and "Sommarläger" in copy.answers.values()


def test_b_cannot_open_or_change_as_draft(client, login_as, make_user, make_association,
                                          project, applicant):
    user, association = applicant
    login_as(user=user)
    application = _start(client, project, association)
    other = member(make_user, make_association(name="Annan förening"))
    login_as(user=other)
    base = f"/bidrag/ansokningar/{application.id}"
    for path in ("/fragor", "/budget", "/bilagor", "/sammanfattning"):
        assert client.get(base + path).status_code == 403, path
    assert client.post(f"{base}/fragor", data=_answers(project)).status_code == 403
    assert client.post(f"{base}/skicka").status_code == 403
    assert client.post(f"{base}/aterkalla").status_code == 403
    login_as("officer", areas=("grants",))
    assert client.get(f"{base}/fragor").status_code == 403

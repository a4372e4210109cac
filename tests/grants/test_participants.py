"""Expected participants by age band and gender, where the programme asks: the programme
setting, the step "Deltagare" (no JavaScript, bad input kept with Swedish messages), required
for submit, shown to the parties and the officer, copied with last year's application, and
part of the equal-treatment snapshot."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from lokapp.extensions import db
from lokapp.grants import participants, services
from lokapp.grants.models import (
    GrantApplication,
    GrantApplicationParticipants,
    GrantProgramme,
)
from tests.grants.test_applicant_pages import _answers, _fill_all, _start
from tests.grants.test_applications import EXPECTED
from tests.grants.test_decisions import _project, officer, status, submitted  # noqa: F401


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _stored(application_id: int) -> dict[tuple[str, str], int]:
    return {(str(r.age_band.value), str(r.gender.value)): r.count
            for r in db.session.scalars(select(GrantApplicationParticipants).where(
                GrantApplicationParticipants.application_id == application_id))}


def _cells(**cells) -> dict[str, str]:
    return {f"participants-{name}": value for name, value in cells.items()}


def test_the_seeded_project_and_event_grants_ask_for_participants(programmes):
    asking = {key for key, p in programmes.items() if p.asks_participants}
    assert asking == {"projektbidrag", "arrangemangsbidrag"}


def test_the_administrator_turns_the_question_on_and_off(client, login_as):
    from tests.grants.test_programmes import _form

    login_as("admin")
    assert "Ansökan frågar efter deltagare" in _text(client.get("/bidrag/admin/ny"))
    response = client.post("/bidrag/admin/ny", data=_form(asks_participants="y"))
    assert response.status_code == 302, _text(response)
    db.session.expire_all()
    programme = db.session.scalar(select(GrantProgramme).where(
        GrantProgramme.key == "idrottsskola"))
    assert programme.asks_participants is True
    page = _text(client.get(f"/bidrag/admin/{programme.id}"))
    assert re.search(r'<input [^>]*checked id="asks_participants"', page)
    response = client.post(f"/bidrag/admin/{programme.id}", data=_form())  # unticked
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(GrantProgramme, programme.id).asks_participants is False


def test_the_step_comes_after_the_questions_and_saves_the_grid(client, login_as, project,
                                                               applicant):
    user, association = applicant
    login_as(user=user)
    application = _start(client, project, association)
    base = f"/bidrag/ansokningar/{application.id}"
    response = client.post(f"{base}/fragor", data=_answers(project))
    assert response.location.endswith(f"{base}/deltagare")
    page = _text(client.get(f"{base}/deltagare"))
    assert 'aria-current="step"' in page and "Väntat antal deltagare" in page
    assert f'href="{base}/fragor"' in page  # Back is a plain link
    # Every cell has a label a screen reader reads: the band and the gender.
    assert 'for="participants-age_13_20_woman"' in page and "13–20 år, Kvinna" in page
    response = client.post(f"{base}/deltagare", data=_cells(
        age_13_20_woman="8", age_13_20_man=" 6 ", age_21_25_other="1", age_65_unknown="0"))
    assert response.status_code == 302 and response.location.endswith(f"{base}/budget")
    assert _stored(application.id) == EXPECTED  # zeros are not stored
    page = _text(client.get(f"{base}/deltagare"))
    assert 'id="participants-age_13_20_woman"' in page and 'value="8"' in page
    # Saving again replaces the counts.
    response = client.post(f"{base}/deltagare", data=_cells(age_7_12_man="20"))
    assert response.status_code == 302
    assert _stored(application.id) == {("7-12", "man"): 20}


@pytest.mark.parametrize("typed, message", [
    ("-3", "Talet kan inte vara negativt."),
    ("2,5", "Skriv ett heltal utan decimaler"),
    ("12.5", "Skriv ett heltal utan decimaler"),
    ("tolv", "Skriv ett heltal med siffror"),
    ("5000000", "Antalet är orimligt stort"),
])
def test_bad_counts_get_a_message_at_the_cell_and_keep_the_input(client, login_as, project,
                                                                 applicant, typed, message):
    user, association = applicant
    login_as(user=user)
    application = _start(client, project, association)
    base = f"/bidrag/ansokningar/{application.id}"
    response = client.post(f"{base}/deltagare",
                           data=_cells(age_7_12_woman=typed, age_7_12_man="14"))
    page = _text(response)
    assert response.status_code == 400
    assert "Det finns fel i formuläret" in page and message in page
    assert page.count('<span class="error-message"') == 1  # one message, at the cell
    if "orimligt" not in message:
        assert "orimligt" not in page
    # The error summary links to the cell; the cell says what is wrong and keeps the input.
    assert 'href="#participants-age_7_12_woman"' in page
    assert 'aria-describedby="participants-age_7_12_woman-error"' in page
    assert f'value="{typed}"' in page and 'value="14"' in page
    assert _stored(application.id) == {}


def test_an_empty_grid_or_an_absurd_total_is_refused(client, login_as, project, applicant):
    user, association = applicant
    login_as(user=user)
    application = _start(client, project, association)
    base = f"/bidrag/ansokningar/{application.id}"
    response = client.post(f"{base}/deltagare", data=_cells(age_7_12_woman="0"))
    page = _text(response)
    assert response.status_code == 400 and "minst en ruta i tabellen" in page
    assert 'href="#participants"' in page
    cells = {f"age_{band}_{gender}": "999999" for band in ("26_64", "65")
             for gender in ("woman", "man")}
    response = client.post(f"{base}/deltagare", data=_cells(**cells))
    page = _text(response)
    assert response.status_code == 400 and "orimligt många" in page
    assert 'value="999999"' in page
    assert _stored(application.id) == {}


def test_a_programme_that_does_not_ask_has_no_step(client, login_as, programmes, applicant):
    user, association = applicant
    programme = programmes["grundbidrag"]
    login_as(user=user)
    application = _start(client, programme, association)
    base = f"/bidrag/ansokningar/{application.id}"
    assert client.get(f"{base}/deltagare").status_code == 404
    assert client.post(f"{base}/deltagare", data=_cells(age_7_12_man="3")).status_code == 404
    assert "Deltagare" not in _text(client.get(f"{base}/sammanfattning"))
    with pytest.raises(services.GrantError):
        participants.save_participants(application, {("7-12", "man"): 3}, user)
    assert not any("deltagare" in m for m in services.missing_for_submit(application))


def test_submit_needs_participants_then_snapshots_them(client, login_as, project, applicant,
                                                      status, upload_dir):  # noqa: F811
    user, association = applicant
    login_as(user=user)
    application = _start(client, project, association)
    base = f"/bidrag/ansokningar/{application.id}"
    missing = "Fyll i hur många deltagare ni räknar med, efter ålder och kön."
    assert missing in services.missing_for_submit(application)
    _fill_all(client, project, application)  # with participants (8 + 6)
    page = _text(client.get(f"{base}/sammanfattning"))
    assert "Det här saknas" not in page
    assert "Väntat antal deltagare efter ålder och kön (totalt 14)" in page
    # Taking them away again: the missing list says so, and submit is refused.
    db.session.execute(GrantApplicationParticipants.__table__.delete())
    db.session.expire_all()
    response = client.post(f"{base}/skicka")
    assert response.status_code == 400 and missing in _text(response)
    assert client.post(f"{base}/deltagare", data=_cells(
        age_7_12_woman="5", age_26_64_unknown="2")).status_code == 302
    assert client.post(f"{base}/skicka").status_code == 302
    db.session.expire_all()
    application = db.session.get(GrantApplication, application.id)
    assert application.case.state == "submitted"
    assert application.snapshot["participants"] == {"26-64:unknown": 2, "7-12:woman": 5}
    assert application.snapshot["participants_total"] == 7
    assert "member_counts" in application.snapshot  # the association's facts are still there
    # Starting next year's: the copy offer says the participants come along.
    assert "Svaren, deltagarna och budgeten" in _text(client.get("/bidrag/projektbidrag/ansok"))


def test_the_parties_and_the_officer_see_the_participants(client, login_as, make_user,
                                                         programmes, make_association,
                                                         status):  # noqa: F811
    application = submitted(_project(programmes), make_user, make_association)
    caption = "Väntat antal deltagare efter ålder och kön (totalt 15)"
    login_as(user=application.case.applicant)
    page = _text(client.get(f"/bidrag/ansokningar/{application.id}"))
    assert caption in page and "<th scope=\"row\">13–20 år</th><td>0</td><td>0</td>" not in page
    assert "<th scope=\"row\">13–20 år</th><td>8</td><td>6</td><td>0</td><td>0</td>" in page
    login_as(user=officer(make_user))
    page = _text(client.get(f"/bidrag/handlaggning/{application.id}"))
    assert caption in page
    assert "<th scope=\"row\">21–25 år</th><td>0</td><td>0</td><td>1</td><td>0</td>" in page


def test_copy_last_years_application_copies_the_participants(programmes, applicant,
                                                             status):  # noqa: F811
    user, association = applicant
    project = _project(programmes)
    first = services.start_application(project, association, user)
    from tests.grants.test_applications import _answer_all, _budget

    _answer_all(first, user)
    _budget(first, user)
    services.submit_application(first, user)
    copy = services.start_application(project, association, user, copy_previous=True)
    assert copy.copied_from_id == first.id
    assert participants.counts_of(copy) == EXPECTED
    assert _stored(copy.id) == EXPECTED
    # Changing the copy leaves last year's application as it was.
    participants.save_participants(copy, {("0-6", "woman"): 3}, user)
    assert _stored(first.id) == EXPECTED and _stored(copy.id) == {("0-6", "woman"): 3}


def test_the_follow_up_report_uses_the_same_grid(client, login_as, make_user, programmes,
                                                make_association, status):  # noqa: F811
    """The report's participants table is the shared macro (same cells, same messages)."""
    application = submitted(_project(programmes), make_user, make_association)
    handler = officer(make_user)
    services.assign_to_me(application, handler)
    services.decide(application, handler, outcome="approved", amount_sek=None, reasons="")
    login_as(user=application.case.applicant)
    url = f"/bidrag/ansokningar/{application.id}/redovisning"
    page = _text(client.get(url))
    assert 'for="participants-age_13_20_woman"' in page
    response = client.post(url, data={"summary": "Läger.", "participants-age_7_12_man": "-2"})
    page = _text(response)
    assert response.status_code == 400 and "Talet kan inte vara negativt." in page
    assert 'value="-2"' in page


def test_a_completed_resubmission_snapshots_the_changed_participants(programmes, make_user,
                                                                      make_association,
                                                                      status):  # noqa: F811
    from datetime import timedelta

    from lokapp.core.time import today_local

    application = submitted(_project(programmes), make_user, make_association)
    first = dict(application.snapshot)
    assert first["participants_total"] == 15
    handler = officer(make_user)
    services.assign_to_me(application, handler)
    services.request_completion(application, handler, message="Fler unga?",
                                deadline=today_local() + timedelta(days=14))
    applicant = application.case.applicant
    participants.save_participants(application, {("7-12", "woman"): 30}, applicant)
    services.submit_application(application, applicant)
    assert application.case.state == "submitted"
    assert application.snapshot["participants"] == {"7-12:woman": 30}
    assert application.snapshot["participants_total"] == 30
    # The association's facts stay as they were at the first submission.
    assert application.snapshot["member_counts"] == first["member_counts"]
    assert application.snapshot["category"] == first["category"]

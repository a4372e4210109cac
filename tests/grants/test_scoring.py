"""Scoring against the programme's criteria: administrators add and remove criteria, officers
who may handle the case score each criterion (0 … max) with a comment, per officer; the
weighted total is shown; nothing changes after the decision; staff export the scores."""
from __future__ import annotations

import csv
from html import unescape
from io import StringIO

import pytest
from sqlalchemy import select

from lokapp.auth.models import AssociationMember, AssociationMemberRole, AssociationRole
from lokapp.extensions import db
from lokapp.grants import scoring, services
from lokapp.grants.models import GrantCriterion, GrantProgramme, GrantScore
from tests.grants.test_decisions import _project, officer, status, submitted  # noqa: F401


@pytest.fixture(autouse=True)
def _no_csrf(app):
    before = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = before


@pytest.fixture
def case(programmes, make_user, make_association, status):  # noqa: F811
    application = submitted(_project(programmes), make_user, make_association)
    db.session.commit()
    return application


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _criteria(application) -> list[GrantCriterion]:
    return [c for c in application.programme.criteria if c.is_active]


def _scores_data(criteria, values, comments=None) -> dict:
    data = {}
    for c, value in zip(criteria, values, strict=True):
        data[f"s{c.id}"] = "" if value is None else str(value)
        data[f"c{c.id}"] = (comments or {}).get(c.id, "")
    return data


# --- the seeds ----------------------------------------------------------------------------------

def test_seeded_criteria_follow_the_lok_principles(programmes):
    project = [c.name_sv for c in programmes["projektbidrag"].criteria]
    assert project[:4] == ["Dialog och samverkan", "Mångfald och förnyelse",
                           "Långsiktighet och kvalitet", "Öppenhet och tillgänglighet"]
    assert all(1 <= c.max_score <= 10 and 1 <= c.weight <= 10
               for c in programmes["projektbidrag"].criteria)
    assert len(programmes["arrangemangsbidrag"].criteria) == 3
    assert programmes["grundbidrag"].criteria == []


# --- administrators -----------------------------------------------------------------------------

def test_admin_adds_and_removes_criteria(client, login_as, programmes):
    programme = programmes["grundbidrag"]
    db.session.commit()
    login_as("admin")
    base = f"/bidrag/admin/{programme.id}"
    assert "Bidragsformen har inga bedömningskriterier ännu." in _text(client.get(base))
    response = client.post(f"{base}/kriterier", data={
        "kriterium-name_sv": "Barn och unga", "kriterium-name_en": "Children",
        "kriterium-description_sv": "Når verksamheten barn och unga?",
        "kriterium-max_score": "11", "kriterium-weight": "2"})
    page = _text(response)
    assert response.status_code == 400
    assert "Högsta poäng ska vara mellan 1 och 10." in page
    assert 'value="Barn och unga"' in page  # the input is kept
    response = client.post(f"{base}/kriterier", data={
        "kriterium-name_sv": "Barn och unga", "kriterium-name_en": "",
        "kriterium-description_sv": "", "kriterium-max_score": "5",
        "kriterium-weight": "2"})
    assert response.status_code == 302
    db.session.expire_all()
    [criterion] = programme.criteria
    assert (criterion.name_sv, criterion.max_score, criterion.weight) == ("Barn och unga", 5, 2)
    criterion_id = criterion.id
    assert "Ta bort kriteriet Barn och unga" in _text(client.get(base))
    assert client.post(f"{base}/kriterier/{criterion_id}/ta-bort").status_code == 302
    db.session.expire_all()
    assert db.session.get(GrantCriterion, criterion_id) is None


def test_a_scored_criterion_is_retired_not_deleted(case, make_user):
    handler = officer(make_user)
    criterion = _criteria(case)[0]
    scoring.save_scores(case, handler, {criterion.id: scoring.ScoreInput(4, "Bra")})
    assert scoring.remove_criterion(criterion, handler) is False
    assert criterion.is_active is False
    assert db.session.scalar(select(GrantScore.score)) == 4
    # Still shown on this case (it has scores), not offered for scoring any more.
    assert criterion in scoring.criteria_for(case)
    assert criterion not in case.programme.active_criteria


def test_only_administrators_manage_criteria(client, login_as, programmes):
    programme = programmes["projektbidrag"]
    login_as("officer", areas=("grants",))
    assert client.post(f"/bidrag/admin/{programme.id}/kriterier", data={
        "kriterium-name_sv": "X", "kriterium-max_score": "5",
        "kriterium-weight": "1"}).status_code == 403


# --- officers -----------------------------------------------------------------------------------

def test_officer_scores_and_sees_the_weighted_total(client, login_as, make_user, case):
    criteria = _criteria(case)  # weights 2, 2, 1, 1, 1; max 5 each → max total 35
    handler = login_as(user=officer(make_user, ))
    base = f"/bidrag/handlaggning/{case.id}"
    page = _text(client.get(base))
    assert "Ingen har bedömt ansökan ännu." in page and "Spara mina poäng" in page
    response = client.post(f"{base}/poang", data=_scores_data(
        criteria, [5, 3, None, 4, 0], {criteria[0].id: "Samverkar med tre föreningar."}))
    assert response.status_code == 302
    page = _text(client.get(base))
    # 5×2 + 3×2 + 4×1 + 0×1 = 20 of 35
    assert "20 av 35" in page and "(57 %)" in page
    assert "4 av 5 kriterier bedömda" in page
    assert "Samverkar med tre föreningar." in page
    assert handler.name in page
    rows = db.session.scalars(select(GrantScore).where(GrantScore.application_id == case.id)
                              ).all()
    assert sorted(r.score for r in rows) == [0, 3, 4, 5]
    # Scoring again changes the officer's own rows; clearing a score removes it.
    client.post(f"{base}/poang", data=_scores_data(criteria, [1, 3, None, None, 0]))
    db.session.expire_all()
    assert sorted(r.score for r in db.session.scalars(select(GrantScore))) == [0, 1, 3]


def test_every_officer_has_their_own_scores(client, login_as, make_user, case):
    criteria = _criteria(case)
    first, second = officer(make_user), officer(make_user)
    scoring.save_scores(case, first, {c.id: scoring.ScoreInput(5) for c in criteria})
    scoring.save_scores(case, second, {c.id: scoring.ScoreInput(1) for c in criteria})
    db.session.commit()
    assert db.session.query(GrantScore).count() == 2 * len(criteria)
    login_as(user=second)
    page = _text(client.get(f"/bidrag/handlaggning/{case.id}"))
    assert "35 av 35" in page and "7 av 35" in page
    assert first.name in page and second.name in page


def test_a_score_outside_the_scale_is_refused(client, login_as, make_user, case):
    criteria = _criteria(case)
    login_as(user=officer(make_user))
    response = client.post(f"/bidrag/handlaggning/{case.id}/poang",
                           data=_scores_data(criteria, [6, 1, 1, 1, 1]))
    assert response.status_code == 400 and "Det finns fel i formuläret" in _text(response)
    assert db.session.query(GrantScore).count() == 0
    with pytest.raises(services.GrantError, match="mellan 0 och 5"):
        scoring.save_scores(case, officer(make_user),
                            {criteria[0].id: scoring.ScoreInput(-1)})


def test_who_may_score(client, login_as, make_user, case):
    criteria = _criteria(case)
    data = _scores_data(criteria, [1, 1, 1, 1, 1])
    login_as("officer", areas=("register",))
    assert client.post(f"/bidrag/handlaggning/{case.id}/poang", data=data).status_code == 403
    login_as(user=case.case.applicant)
    assert client.post(f"/bidrag/handlaggning/{case.id}/poang", data=data).status_code == 403
    disqualified = officer(make_user)
    link = AssociationMember(user_id=disqualified.id, association_id=case.association_id)
    link.roles.append(AssociationMemberRole(role=AssociationRole.TREASURER))
    db.session.add(link)
    login_as(user=disqualified)
    assert client.post(f"/bidrag/handlaggning/{case.id}/poang", data=data).status_code == 403
    assert "Spara mina poäng" not in _text(client.get(f"/bidrag/handlaggning/{case.id}"))
    assert db.session.query(GrantScore).count() == 0


def test_scores_cannot_change_after_the_decision(client, login_as, make_user, case):
    criteria = _criteria(case)
    handler = officer(make_user)
    scoring.save_scores(case, handler, {criteria[0].id: scoring.ScoreInput(3)})
    services.assign_to_me(case, handler)
    services.decide(case, handler, outcome="approved", amount_sek=None, reasons="")
    db.session.commit()
    with pytest.raises(services.GrantError, match="efter beslutet"):
        scoring.save_scores(case, handler, {criteria[0].id: scoring.ScoreInput(5)})
    login_as(user=handler)
    base = f"/bidrag/handlaggning/{case.id}"
    assert client.post(f"{base}/poang",
                       data=_scores_data(criteria, [5, 5, 5, 5, 5])).status_code == 403
    page = _text(client.get(base))
    assert "Poängen är låsta" in page and "Spara mina poäng" not in page
    assert "3 av 5" in page
    assert db.session.scalar(select(GrantScore.score)) == 3


def test_case_page_queries_do_not_grow_with_officers_and_scores(
        client, login_as, make_user, case, count_queries):
    criteria = _criteria(case)
    viewer = login_as(user=officer(make_user))
    base = f"/bidrag/handlaggning/{case.id}"
    scoring.save_scores(case, officer(make_user), {criteria[0].id: scoring.ScoreInput(2)})
    db.session.commit()
    client.get(base)
    with count_queries() as few:
        assert client.get(base).status_code == 200
    for _ in range(4):
        scoring.save_scores(case, officer(make_user),
                            {c.id: scoring.ScoreInput(3, "Kommentar") for c in criteria})
    db.session.commit()
    with count_queries() as many:
        assert client.get(base).status_code == 200
    assert viewer is not None
    assert many.count == few.count, (few.statements, many.statements)


# --- the export -----------------------------------------------------------------------------------

def test_staff_export_the_scores_of_a_programme_as_csv(client, login_as, make_user, case):
    criteria = _criteria(case)
    handler = officer(make_user, )
    scoring.save_scores(case, handler, {
        criteria[0].id: scoring.ScoreInput(4, "=HYPERLINK(\"x\")"),
        criteria[1].id: scoring.ScoreInput(2)})
    db.session.commit()
    url = f"/bidrag/handlaggning/bidragsformer/{case.programme_id}/poang.csv"
    login_as("officer", areas=("register",))
    assert client.get(url).status_code == 403
    login_as(user=officer(make_user))
    queue = _text(client.get("/bidrag/handlaggning"))
    assert f'href="{url}"' in queue and "Bedömningar i Projektbidrag (LÖK-projekt) (CSV)" in queue
    grundbidrag = db.session.scalar(select(GrantProgramme.id).where(
        GrantProgramme.key == "grundbidrag"))
    assert f"/bidragsformer/{grundbidrag}/poang.csv" not in queue  # no criteria
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "bedomningar-projektbidrag" in response.headers["Content-Disposition"]
    rows = list(csv.reader(StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][:3] == ["ärendenummer", "förening", "år"]
    assert len(rows) == 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["ärendenummer"] == case.case.number
    assert first["kriterium"] == criteria[0].name_sv
    assert (first["poäng"], first["vikt"], first["viktad_poäng"]) == ("4", "2", "8")
    assert first["kommentar"].startswith("'=")  # never a formula in Excel
    assert first["handläggare"] == handler.name


def test_two_saves_at_once_ask_to_save_again(client, login_as, make_user, case, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    def clash(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("uq_grant_scores"))

    criteria = _criteria(case)
    login_as(user=officer(make_user))
    monkeypatch.setattr(scoring, "save_scores", clash)
    response = client.post(f"/bidrag/handlaggning/{case.id}/poang",
                           data=_scores_data(criteria, [1, 2, 3, 4, 5]))
    page = _text(response)
    assert response.status_code == 400 and "från ett annat fönster" in page
    assert 'value="3" selected' in page or '<option selected value="3">' in page


def test_a_party_or_a_declared_jav_officer_sees_no_scores(client, login_as, make_user, case):
    """Scores and their comments are the officers' assessment, like internal notes: an
    officer linked to the association, or one who declared jäv, sees neither the sheets on
    the case page nor the case's rows in the programme's CSV; a colleague sees both."""
    from lokapp.casework.services import declare_disqualification

    criteria = _criteria(case)
    scoring.save_scores(case, officer(make_user), {
        c.id: scoring.ScoreInput(4, "Svag förankring hos medlemmarna") for c in criteria})
    party = officer(make_user)
    link = AssociationMember(user_id=party.id, association_id=case.association_id)
    link.roles.append(AssociationMemberRole(role=AssociationRole.TREASURER))
    db.session.add(link)
    declared = officer(make_user)
    declare_disqualification(case.case, declared, "Min bror är ordförande.")
    db.session.commit()
    url = f"/bidrag/handlaggning/bidragsformer/{case.programme_id}/poang.csv"
    login_as(user=officer(make_user))
    assert "Svag förankring" in _text(client.get(f"/bidrag/handlaggning/{case.id}"))
    assert "Svag förankring" in _text(client.get(url))
    for user in (party, declared):
        login_as(user=user)
        page = _text(client.get(f"/bidrag/handlaggning/{case.id}"))
        assert "Svag förankring" not in page and "jäv" in page
        export = client.get(url)
        assert export.status_code == 200 and "Svag förankring" not in _text(export)
        assert case.case.number not in _text(export)


def test_a_decision_made_meanwhile_freezes_the_scores(make_user, case):
    """Officer A saves scores while officer B's decision has just been committed: A's request
    still holds the case as in review, but the scores are refused (frozen after the
    decision)."""
    from sqlalchemy import update

    from lokapp.core.cases import Case

    criteria = _criteria(case)
    db.session.execute(update(Case).where(Case.id == case.case_id).values(state="decided")
                       .execution_options(synchronize_session=False))
    assert case.case.state == "submitted"  # what A's request still believes
    with pytest.raises(services.GrantError, match="efter beslutet"):
        scoring.save_scores(case, officer(make_user), {criteria[0].id: scoring.ScoreInput(3)})
    assert db.session.scalar(select(GrantScore.id)) is None

"""The officers' unified queue: scoping, filters, counts, pagination, bulk assign, export."""
from __future__ import annotations

from collections import namedtuple
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lokapp.auth.models import AssociationMember
from lokapp.casework.registry import case_types_of, case_url
from lokapp.core.audit import AuditEvent
from lokapp.core.cases import Case, assign_number
from lokapp.core.time import utcnow
from lokapp.extensions import db as _db


@pytest.fixture
def make_case(db, make_association):
    def _make(case_type="registration", *, state="submitted", association=None,
              subject=None, assigned=None, days_ago=0, draft=False):
        association = association or make_association()
        case = Case(case_type=case_type, subject=subject or f"Ärende för {association.name}",
                    state=state if not draft else "draft", association_id=association.id,
                    assigned_officer_id=getattr(assigned, "id", None))
        db.session.add(case)
        if not draft:
            case.submitted_at = utcnow() - timedelta(days=days_ago)
            assign_number(case)
        db.session.flush()
        return case

    return _make


def _officer(make_user, *areas, role="officer", **kwargs):
    return make_user(role, areas=areas, **kwargs)


# --- access ---------------------------------------------------------------------------------

def test_anonymous_goes_to_login(client):
    response = client.get("/handlaggning")
    assert response.status_code == 302
    assert "/logga-in" in response.headers["Location"]


def test_resident_gets_403(client, login_as):
    login_as("resident")
    assert client.get("/handlaggning").status_code == 403
    assert client.get("/handlaggning/export.xlsx").status_code == 403
    assert client.post("/handlaggning/tilldela").status_code in (400, 403)


def test_officer_without_case_area_gets_403(client, login_as):
    login_as("officer", areas=("events",))
    assert client.get("/handlaggning").status_code == 403


def test_grants_officer_never_sees_register_cases(client, login_as, make_case):
    register_case = make_case("registration", subject="Registrering Alfa")
    grant_case = make_case("grant_application", subject="Ansökan Beta")
    login_as("officer", areas=("grants",))
    page = client.get("/handlaggning").get_data(as_text=True)
    assert grant_case.number in page
    assert register_case.number not in page
    assert "Registrering Alfa" not in page


def test_area_mapping_follows_domain_rules(make_user):
    assert case_types_of(make_user("officer", areas=("register",))) == (
        "registration", "annual_update", "sensitive_change")
    assert case_types_of(make_user("supervisor", areas=("grants",))) == ("grant_application",)
    assert case_types_of(make_user("officer", areas=("bookings", "grants"))) == (
        "grant_application", "booking", "season_application")
    assert case_types_of(make_user("resident")) == ()


def test_case_urls_point_at_the_domain_pages(app):
    Row = namedtuple("Row", "case_type case_id grant_id series_id")
    with app.test_request_context():
        assert case_url(Row("registration", 5, None, None)) == "/handlaggning/foreningsregister/5"
        assert case_url(Row("grant_application", 5, 9, None)) == "/bidrag/handlaggning/9"
        assert case_url(Row("booking", 5, None, 12)) == "/bokningar/12"
        assert case_url(Row("season_application", 5, None, None)) == \
            "/lokalbokning/sasong/arende/5"
        assert case_url(Row("grant_application", 5, None, None)) is None
        assert case_url(Row("unknown", 5, None, None)) is None


# --- the list -------------------------------------------------------------------------------

def test_lists_numbered_cases_with_links_and_no_drafts(client, login_as, make_case):
    submitted = make_case("registration", subject="Inkommen registrering")
    make_case("registration", subject="Ett utkast", draft=True)
    login_as("officer", areas=("register",))
    page = client.get("/handlaggning").get_data(as_text=True)
    assert f'href="/handlaggning/foreningsregister/{submitted.id}"' in page
    assert "Ett utkast" not in page
    assert "<caption" in page and 'scope="col"' in page


def test_filters(client, login_as, make_case, make_user):
    me = login_as("officer", areas=("register", "grants"))
    colleague = _officer(make_user, "register")
    mine = make_case("registration", subject="Min registrering", assigned=me)
    theirs = make_case("annual_update", subject="Kollegans årsuppdatering", assigned=colleague)
    free = make_case("grant_application", subject="Fri ansökan")
    done = make_case("registration", state="approved", subject="Godkänd sedan länge")
    _db.session.commit()

    def listed(**args):
        page = client.get("/handlaggning", query_string=args).get_data(as_text=True)
        return {c.subject for c in (mine, theirs, free, done) if c.subject in page}

    assert listed() == {"Min registrering", "Kollegans årsuppdatering", "Fri ansökan"}
    assert listed(status="alla") == {"Min registrering", "Kollegans årsuppdatering",
                                     "Fri ansökan", "Godkänd sedan länge"}
    assert listed(status="approved") == {"Godkänd sedan länge"}
    assert listed(typ="grant_application") == {"Fri ansökan"}
    assert listed(tilldelad="mig") == {"Min registrering"}
    assert listed(tilldelad="ingen") == {"Fri ansökan"}
    assert listed(sok="kollegans") == {"Kollegans årsuppdatering"}
    assert listed(sok=free.number.replace(" ", "").lower()) == {"Fri ansökan"}
    assert listed(sok="100%_") == set()
    # Unknown values fall back to the defaults instead of failing.
    assert listed(typ="booking", status="x", tilldelad="y", sortera="z") == listed()


def test_sorting_and_counts(client, login_as, make_case):
    login_as("officer", areas=("register",))
    old = make_case("registration", subject="Gammal", days_ago=10)
    new = make_case("registration", subject="Ny", days_ago=1)
    make_case("annual_update", state="needs_completion", subject="Komplettera")
    _db.session.commit()
    page = client.get("/handlaggning").get_data(as_text=True)
    assert page.index("Ny<") < page.index("Gammal<")
    page = client.get("/handlaggning?sortera=aldst").get_data(as_text=True)
    assert page.index("Gammal<") < page.index("Ny<")
    page = client.get("/handlaggning?sortera=nummer").get_data(as_text=True)
    assert page.index(new.number) < page.index(old.number)
    assert "Antal ärenden per typ och status" in page
    assert "Komplettering begärd" in page


def test_pagination(client, login_as, make_case, make_association):
    login_as("officer", areas=("register",))
    association = make_association()
    cases = [make_case("registration", association=association, days_ago=i) for i in range(55)]
    _db.session.commit()
    first = client.get("/handlaggning").get_data(as_text=True)
    assert cases[0].number in first and cases[54].number not in first
    assert "Nästa sida" in first
    second = client.get("/handlaggning?sida=2").get_data(as_text=True)
    assert cases[54].number in second and cases[0].number not in second


def test_query_count_does_not_grow(client, login_as, make_case, make_association,
                                   count_queries, make_user):
    me = login_as("officer", areas=("register", "grants"))
    association = make_association()
    colleague = _officer(make_user, "register")
    for i in range(5):
        make_case("registration", association=association, assigned=colleague if i % 2 else me)
    _db.session.commit()
    with count_queries() as few:
        assert client.get("/handlaggning?status=alla").status_code == 200
    for i in range(55):
        make_case("grant_application" if i % 2 else "annual_update",
                  association=make_association(), assigned=colleague if i % 3 else None)
    _db.session.commit()
    with count_queries() as many:
        assert client.get("/handlaggning?status=alla").status_code == 200
    assert many.count == few.count
    assert few.count <= 12, few.statements


# --- bulk assign ----------------------------------------------------------------------------

def _csrf(client):
    import re

    page = client.get("/handlaggning").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return match.group(1) if match else ""  # CSRF is off in the test configuration


def test_assign_to_me(client, login_as, make_case):
    me = login_as("officer", areas=("register",))
    a, b = make_case("registration"), make_case("annual_update")
    _db.session.commit()
    response = client.post("/handlaggning/tilldela", data={
        "csrf_token": _csrf(client), "arende": [a.id, b.id], "vem": "mig",
        "officer": me.id})
    assert response.status_code == 302
    _db.session.expire_all()
    assert {_db.session.get(Case, a.id).assigned_officer_id,
            _db.session.get(Case, b.id).assigned_officer_id} == {me.id}
    events = _db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.assigned")).all()
    assert {e.object_id for e in events} == {str(a.id), str(b.id)}


def test_assign_to_colleague_skips_jav_and_other_areas(client, login_as, make_case, make_user,
                                                        make_association):
    login_as("officer", areas=("register", "grants"))
    colleague = _officer(make_user, "register", name="Kerstin Kollega")
    own_club = make_association(name="Kollegans klubb")
    _db.session.add(AssociationMember(user_id=colleague.id, association_id=own_club.id))
    ok = make_case("registration")
    jav = make_case("registration", association=own_club)
    grant = make_case("grant_application")
    _db.session.commit()
    response = client.post("/handlaggning/tilldela", data={
        "csrf_token": _csrf(client), "arende": [ok.id, jav.id, grant.id], "vem": "vald",
        "officer": colleague.id}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "jävig" in page and jav.number in page
    assert "utanför" in page and grant.number in page
    _db.session.expire_all()
    assert _db.session.get(Case, ok.id).assigned_officer_id == colleague.id
    assert _db.session.get(Case, jav.id).assigned_officer_id is None
    assert _db.session.get(Case, grant.id).assigned_officer_id is None


def test_assign_refuses_cases_outside_my_areas_and_foreign_officers(client, login_as,
                                                                     make_case, make_user):
    me = login_as("officer", areas=("grants",))
    bookings_officer = _officer(make_user, "bookings")
    register_case = make_case("registration")
    grant_case = make_case("grant_application")
    _db.session.commit()
    token = _csrf(client)
    client.post("/handlaggning/tilldela", data={
        "csrf_token": token, "arende": [register_case.id], "vem": "mig", "officer": me.id})
    response = client.post("/handlaggning/tilldela", data={
        "csrf_token": token, "arende": [grant_case.id], "vem": "vald",
        "officer": bookings_officer.id}, follow_redirects=True)
    assert "Välj en handläggare inom ditt område" in response.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(Case, register_case.id).assigned_officer_id is None
    assert _db.session.get(Case, grant_case.id).assigned_officer_id is None


def test_assign_needs_csrf(client, login_as, make_case, app):
    me = login_as("officer", areas=("register",))
    case = make_case("registration")
    _db.session.commit()
    app.config["WTF_CSRF_ENABLED"], previous = True, app.config.get("WTF_CSRF_ENABLED")
    try:
        client.post("/handlaggning/tilldela", data={"arende": [case.id], "vem": "mig",
                                                    "officer": me.id})
    finally:
        app.config["WTF_CSRF_ENABLED"] = previous
    _db.session.expire_all()
    assert _db.session.get(Case, case.id).assigned_officer_id is None


# --- export ---------------------------------------------------------------------------------

def test_export_contains_the_filtered_list(client, login_as, make_case, make_association):
    me = login_as("officer", areas=("register",))
    club = make_association(name="Exportklubben")
    mine = make_case("registration", association=club, subject="Exportera mig", assigned=me)
    make_case("annual_update", subject="Inte min")
    make_case("grant_application", subject="Annat område")
    _db.session.commit()
    response = client.get("/handlaggning/export.xlsx?tilldelad=mig")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("Ärendenummer", "Typ", "Rubrik", "Förening", "Status", "Inkommen",
                       "Handläggare", "Frist")
    assert len(rows) == 2
    number, _type, subject, association, state, submitted, officer, deadline = rows[1]
    assert deadline is None  # no completion requested
    assert (number, subject, association, state, officer) == (
        mine.number, "Exportera mig", "Exportklubben", "Inkommen", me.name)
    assert submitted is not None


def test_programme_filter_and_grant_links(client, login_as, make_case):
    from lokapp.grants.models import GrantApplication, GrantProgramme
    from lokapp.grants.seed import seed_programmes

    seed_programmes(2026)
    first, second = _db.session.scalars(
        select(GrantProgramme).order_by(GrantProgramme.id).limit(2)).all()
    applications = []
    for programme, subject in ((first, "Ansökan ett"), (second, "Ansökan två")):
        case = make_case("grant_application", subject=subject)
        application = GrantApplication(case_id=case.id, programme_id=programme.id,
                                       association_id=case.association_id, year=2026)
        _db.session.add(application)
        _db.session.flush()
        applications.append(application)
    login_as("officer", areas=("grants",))
    page = client.get("/handlaggning", query_string={"bidragsform": first.id}).get_data(
        as_text=True)
    assert "Ansökan ett" in page and "Ansökan två" not in page
    assert f'href="/bidrag/handlaggning/{applications[0].id}"' in page
    assert first.name_sv in page  # offered in the programme filter


def test_export_never_writes_formulas(client, login_as, make_case):
    login_as("officer", areas=("register",))
    make_case("registration", subject='=HYPERLINK("http://example.com","klicka")')
    _db.session.commit()
    response = client.get("/handlaggning/export.xlsx")
    sheet = load_workbook(BytesIO(response.data)).active
    cell = sheet.cell(row=2, column=3)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://example.com","klicka")'


def test_assign_to_me_skips_my_own_association(client, login_as, make_case, make_association):
    me = login_as("officer", areas=("register",))
    my_club = make_association(name="Min egen klubb")
    _db.session.add(AssociationMember(user_id=me.id, association_id=my_club.id))
    case = make_case("registration", association=my_club)
    _db.session.commit()
    page = client.post("/handlaggning/tilldela", data={
        "csrf_token": _csrf(client), "arende": [case.id], "vem": "mig"},
        follow_redirects=True).get_data(as_text=True)
    assert "jävig" in page and case.number in page
    _db.session.expire_all()
    assert _db.session.get(Case, case.id).assigned_officer_id is None


def test_export_is_scoped_to_my_areas(client, login_as, make_case):
    make_case("registration", subject="Registerärende")
    grant = make_case("grant_application", subject="Bidragsärende")
    login_as("officer", areas=("grants",))
    rows = list(load_workbook(BytesIO(client.get("/handlaggning/export.xlsx").data))
                .active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [grant.number]


def test_export_refused_without_case_area(client, login_as):
    login_as("officer", areas=("dialog",))
    assert client.get("/handlaggning/export.xlsx").status_code == 403

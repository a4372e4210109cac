"""The annual update through the form: counts, documents (with hostile uploads), approval."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lokapp.associations.models import AnnualUpdate, AssociationDocument, MemberCount
from lokapp.core.cases import Case
from lokapp.core.time import today_local
from lokapp.core.uploads import StoredFile
from lokapp.extensions import db
from tests.associations.register_helpers import (
    EXE_BYTES,
    PDF_BYTES,
    add_member,
    audit_actions,
    counts_form,
    login,
    messages,
    officer,
    pdf,
    person,
    text,
)

YEAR = today_local().year


@pytest.fixture
def association(db, make_association):
    return make_association(name="Skiljebo IF")


@pytest.fixture
def treasurer(client, association):
    user = person(name="Kim Kassör", email="kim@example.se")
    add_member(association, user, "treasurer")
    return login(client, user)


def form_data(**overrides):
    data = {"confirm": "y", **counts_form(age_7_12_woman=14, age_7_12_man=11),
            "annual_meeting_minutes": pdf("Årsmötesprotokoll 2026.pdf"),
            "activity_report": pdf("verksamhet.pdf"), "financial_report": pdf("ekonomi.pdf"),
            "audit_report": pdf("revision.pdf"), "statutes": pdf("stadgar.pdf")}
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def post(client, association, **overrides):
    return client.post(f"/forening/{association.id}/arlig-uppdatering",
                       data=form_data(**overrides), content_type="multipart/form-data")


def the_update(association) -> AnnualUpdate | None:
    db.session.expire_all()
    return db.session.scalar(select(AnnualUpdate).where(
        AnnualUpdate.association_id == association.id))


def test_the_form_shows_the_counts_table(client, treasurer, association, upload_dir):
    page = text(client.get(f"/forening/{association.id}/arlig-uppdatering"))
    assert f"Årlig uppdatering {YEAR}" in page
    assert '<th scope="col">Uppgift saknas</th>' in page
    assert 'enctype="multipart/form-data"' in page


def test_submitting_records_counts_documents_and_a_case(client, treasurer, association,
                                                        upload_dir):
    response = post(client, association)
    assert response.status_code == 302
    update = the_update(association)
    case = update.case
    assert (update.year, case.state, case.case_type) == (YEAR, "submitted", "annual_update")
    assert case.number and case.applicant_id == treasurer.id
    documents = db.session.scalars(select(AssociationDocument).where(
        AssociationDocument.association_id == association.id)).all()
    assert sorted(d.doc_type.value for d in documents) == [
        "activity_report", "annual_meeting_minutes", "audit_report", "financial_report",
        "statutes"]
    assert {d.year for d in documents} == {YEAR}
    names = {d.file.original_name for d in documents}
    assert "Årsmötesprotokoll 2026.pdf" in names
    counts = {(c.age_band.value, c.gender.value): c.count for c in db.session.scalars(
        select(MemberCount).where(MemberCount.association_id == association.id))}
    assert counts[("7-12", "woman")] == 14 and sum(counts.values()) == 25
    [mail] = messages("kim@example.se")
    assert "Vi har tagit emot den årliga uppdateringen" in mail.subject
    assert case.number in mail.body_text
    assert "association.annual_update_submitted" in audit_actions("associations")
    # Once in, the form is replaced by the state.
    page = text(client.get(f"/forening/{association.id}/arlig-uppdatering"))
    assert "är inskickad" in page and 'type="file"' not in page
    assert post(client, association).status_code == 200
    assert len(db.session.scalars(select(Case).where(Case.case_type == "annual_update")).all()) \
        == 1


def test_required_documents_must_be_there(client, treasurer, association, upload_dir):
    page = text(post(client, association, audit_report=None, statutes=None))
    assert f"Ladda upp revisionsberättelse för {YEAR}." in page
    assert "Ladda upp föreningens stadgar." in page
    assert the_update(association) is None


def test_documents_already_uploaded_need_not_be_uploaded_again(client, treasurer, association,
                                                               upload_dir):
    client.post(f"/forening/{association.id}/dokument", content_type="multipart/form-data",
                data={"doc_type": "audit_report", "year": str(YEAR), "file": pdf()})
    client.post(f"/forening/{association.id}/dokument", content_type="multipart/form-data",
                data={"doc_type": "statutes", "year": str(YEAR - 3), "file": pdf()})
    assert post(client, association, audit_report=None, statutes=None).status_code == 302
    assert the_update(association).case.state == "submitted"


def test_confirmation_and_counts_are_required(client, treasurer, association, upload_dir):
    data = form_data(confirm=None)
    for key in [k for k in data if k.startswith("counts-")]:
        data[key] = ""
    page = text(client.post(f"/forening/{association.id}/arlig-uppdatering", data=data,
                            content_type="multipart/form-data"))
    assert "Kontrollera föreningens uppgifter och kryssa i rutan." in page
    assert "Fyll i hur många medlemmar föreningen har" in page


@pytest.mark.parametrize(("upload", "message"), [
    (pdf("protokoll.png"), "stämmer inte med filändelsen"),          # a PDF renamed .png
    (pdf("protokoll.pdf", EXE_BYTES), "Filtypen stöds inte"),         # an executable as .pdf
    (pdf("protokoll.pdf", b"<script>alert(1)</script>"), "Filtypen stöds inte"),
    (pdf("protokoll.pdf", PDF_BYTES + b"0" * 4096), "Filen är för stor"),  # oversize
])
def test_hostile_uploads_are_refused_through_the_form(client, treasurer, association,
                                                      upload_dir, app, upload, message):
    app.config["MAX_UPLOAD_BYTES"] = 2048
    try:
        response = post(client, association, annual_meeting_minutes=upload)
    finally:
        app.config.pop("MAX_UPLOAD_BYTES")
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert 'id="error-summary"' in page
    assert the_update(association) is None
    assert db.session.scalars(select(AssociationDocument)).all() == []
    assert messages() == []


def test_path_tricks_in_the_name_stay_harmless(client, treasurer, association, upload_dir):
    post(client, association, annual_meeting_minutes=pdf("../../../etc/passwd.pdf"),
         activity_report=pdf("/tmp/../../verksamhet.pdf"))
    names = set(db.session.scalars(select(StoredFile.original_name)))
    assert {"passwd.pdf", "verksamhet.pdf"} <= names
    for stored in db.session.scalars(select(StoredFile)):
        assert upload_dir in stored.path.parents
        assert stored.path.read_bytes() == PDF_BYTES
    document = db.session.scalar(select(AssociationDocument).join(StoredFile).where(
        StoredFile.original_name == "passwd.pdf"))
    response = client.get(f"/forening/{association.id}/dokument/{document.id}")
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert 'filename=passwd.pdf' in response.headers["Content-Disposition"]
    assert response.headers["Content-Type"] == "application/pdf"


def test_officer_approves_and_the_status_follows(client, treasurer, association, upload_dir):
    post(client, association)
    case = the_update(association).case
    login(client, officer())
    page = text(client.get(f"/handlaggning/foreningsregister/{case.id}"))
    assert "Godkänn uppdateringen" in page and "Avslå" not in page
    assert "14" in page  # the counts
    client.post(f"/handlaggning/foreningsregister/{case.id}/atgard/approve", data={"note": ""})
    update = the_update(association)
    assert update.case.state == "approved" and update.approved_at is not None
    mail = messages("kim@example.se")[-1]
    assert "är godkänd" in mail.subject
    assert "association.annual_update_approved" in audit_actions("associations")


def test_completion_of_an_annual_update(client, treasurer, association, upload_dir):
    post(client, association)
    case = the_update(association).case
    login(client, officer())
    deadline = today_local() + timedelta(days=7)
    client.post(f"/handlaggning/foreningsregister/{case.id}/komplettering",
                data={"message": "Revisionsberättelsen saknar underskrift.",
                      "deadline": deadline.isoformat()})
    assert the_update(association).case.state == "needs_completion"
    mail = messages("kim@example.se")[-1]
    assert "Revisionsberättelsen saknar underskrift." in mail.body_text
    assert f"/forening/{association.id}/arlig-uppdatering" in mail.body_text

    login(client, treasurer)
    page = text(client.get(f"/forening/{association.id}/arlig-uppdatering"))
    assert "Revisionsberättelsen saknar underskrift." in page
    response = post(client, association, annual_meeting_minutes=None, activity_report=None,
                    financial_report=None, statutes=None,
                    audit_report=pdf("revision-signerad.pdf"))
    assert response.status_code == 302
    assert the_update(association).case.state == "submitted"
    assert "Vi har tagit emot den årliga uppdateringen" in messages("kim@example.se")[-1].subject


def test_only_the_right_roles_may_update(client, association, upload_dir):
    booker = person()
    add_member(association, booker, "booking_manager")
    login(client, booker)
    assert client.get(f"/forening/{association.id}/arlig-uppdatering").status_code == 403
    assert post(client, association).status_code == 403
    assert client.get(f"/forening/{association.id}/dokument").status_code == 200

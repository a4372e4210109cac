"""The letter pages: who may read and download, the officer's case panel with delivery
failures, resend, the template editor with preview, the association archive."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, update

from lokapp.core.mail import OutboxMessage, OutboxStatus
from lokapp.extensions import db
from lokapp.letters.models import LetterKind, LetterTemplate
from tests.associations.register_helpers import add_member, login, officer, person, text
from tests.letters.conftest import member_of, reject


@pytest.fixture
def letter(submitted, case_officer):
    letter = reject(submitted, case_officer)
    db.session.commit()
    return letter


def test_the_applicant_reads_the_letter_as_html_and_pdf(client, letter, applicant):
    login(client, applicant)
    page = text(client.get(f"/brev/{letter.id}"))
    assert "Beslut om registrering av Bäckby Schackklubb" in page
    assert "Skäl för beslutet" in page and "Föreningen har ingen verksamhet i Västerås." in page
    assert "laglighetsprövning" in page
    assert 'lang="sv-SE"' in page
    assert letter.sha256 in page
    assert "Skicka brevet igen" not in page  # only officers resend
    response = client.get(f"/brev/{letter.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert hashlib.sha256(response.data).hexdigest() == letter.sha256
    assert letter.filename in response.headers["Content-Disposition"]
    assert client.get(f"/arenden/{letter.case_id}/brev").status_code == 200


def test_a_representative_of_the_association_reads_it(client, letter, association):
    login(client, member_of(association))
    assert client.get(f"/brev/{letter.id}").status_code == 200
    page = text(client.get(f"/forening/{association.id}/brev"))
    assert letter.title in page and f"/brev/{letter.id}/pdf" in page


def test_another_association_gets_403(client, letter, make_association):
    other = make_association(name="Annan förening")
    login(client, member_of(other, "Olle Annan"))
    for url in (f"/brev/{letter.id}", f"/brev/{letter.id}/pdf",
                f"/arenden/{letter.case_id}/brev", f"/forening/{letter.association_id}/brev"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/brev/{letter.id}/skicka-igen").status_code == 403


def test_staff_without_the_area_gets_403(client, letter):
    login(client, person("officer", areas=("grants",)))
    assert client.get(f"/brev/{letter.id}").status_code == 403
    assert client.get(f"/brev/{letter.id}/pdf").status_code == 403


def test_anonymous_is_sent_to_login_and_unknown_letters_are_404(client, letter, case_officer):
    response = client.get(f"/brev/{letter.id}/pdf")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
    login(client, case_officer)
    assert client.get("/brev/999999").status_code == 404
    assert client.get("/brev/999999/pdf").status_code == 404


def test_the_officer_sees_letters_and_delivery_failures_on_the_case(client, letter,
                                                                    case_officer):
    login(client, case_officer)
    page = text(client.get(f"/handlaggning/foreningsregister/{letter.case_id}"))
    assert "Beslutsbrev" in page and f"/brev/{letter.id}" in page
    assert "Väntar på att skickas" in page
    assert "kunde inte levereras" not in page
    db.session.execute(update(OutboxMessage).values(
        status=OutboxStatus.FAILED, last_error="550 5.1.1 sara@example.se: no such user"))
    db.session.commit()
    page = text(client.get(f"/handlaggning/foreningsregister/{letter.case_id}"))
    assert "kunde inte levereras med e-post" in page
    assert "550 5.1.1 sara@example.se: no such user" in page


def test_the_officer_resends(client, letter, case_officer):
    login(client, case_officer)
    response = client.post(f"/brev/{letter.id}/skicka-igen")
    assert response.status_code == 302
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(messages) == 2
    assert messages[0].attachments[0].data == messages[1].attachments[0].data


# --- the template editor -------------------------------------------------------------------------

def _form(**overrides):
    from lokapp.letters.kinds import KINDS

    spec = KINDS[LetterKind.REGISTRATION_APPROVED]
    return {"subject_sv": spec.subject_sv, "body_sv": spec.body_sv,
            "subject_en": spec.subject_en, "body_en": spec.body_en, **overrides}


def test_only_administrators_edit_templates(client, case_officer):
    login(client, case_officer)
    assert client.get("/admin/brevmallar").status_code == 403
    assert client.post("/admin/brevmallar/registration_approved", data=_form()).status_code == 403


def test_preview_renders_the_sample_on_the_page_without_saving(client):
    login(client, person("admin"))
    page = text(client.get("/admin/brevmallar/registration_approved"))
    assert "Förhandsgranska" in page and 'formaction="/admin/brevmallar/registration_approved/' \
                                         'forhandsgranska"' in page
    response = client.post("/admin/brevmallar/registration_approved/forhandsgranska",
                           data=_form(body_sv="<p>Hej {{ association.name }}, nytt!</p>"))
    page = text(response)
    assert response.status_code == 200
    assert "Förhandsgranskning med exempeldata" in page
    assert "Hej Bäckby Schackklubb, nytt!" in page
    assert db.session.scalar(select(LetterTemplate.version).order_by(
        LetterTemplate.version.desc())) == 1


def test_saving_makes_a_new_version(client):
    login(client, person("admin"))
    client.get("/admin/brevmallar")
    response = client.post("/admin/brevmallar/registration_approved",
                           data=_form(body_sv="<p>Version två för {{ association.name }}.</p>"))
    assert response.status_code == 302
    versions = db.session.scalars(select(LetterTemplate.version).where(
        LetterTemplate.kind == LetterKind.REGISTRATION_APPROVED)).all()
    assert sorted(versions) == [1, 2]
    assert client.get("/admin/brevmallar/registration_approved/version/1").status_code == 200


@pytest.mark.parametrize("body", ["{{ ''.__class__ }}", "{{ cycler.__init__.__globals__ }}",
                                  '<img src="file:///etc/passwd">',
                                  '<link href="http://example.com/x.css">',
                                  "<p style=\"background:url(file:///etc/passwd)\">x</p>"])
def test_an_escaping_template_is_refused_with_a_swedish_message(client, body):
    login(client, person("admin"))
    response = client.post("/admin/brevmallar/registration_approved", data=_form(body_sv=body))
    assert response.status_code == 422
    page = text(response)
    assert "Mallen kan inte sparas" in page
    assert db.session.scalar(select(LetterTemplate.id).where(LetterTemplate.version > 1)) is None


def test_unknown_kind_is_404(client):
    login(client, person("admin"))
    assert client.get("/admin/brevmallar/nope").status_code == 404


def test_a_member_of_the_association_is_a_party_also_for_later_cases(client, letter,
                                                                     association):
    user = person()
    add_member(association, user, "contact")
    login(client, user)
    assert client.get(f"/brev/{letter.id}").status_code == 200


def test_register_officer_sees_the_archive(client, letter, association):
    login(client, officer())
    assert letter.title in text(client.get(f"/forening/{association.id}/brev"))

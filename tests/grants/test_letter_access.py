"""Grant decision letters at /brev/<id>: the association and grant officers read them; officers
of other areas and other associations do not."""
from __future__ import annotations

from sqlalchemy import select

from lokapp.extensions import db
from lokapp.grants import services
from lokapp.letters.models import Letter
from tests.grants.test_applications import member
from tests.grants.test_decisions import case, officer, status  # noqa: F401 - fixtures


def test_grant_officers_and_the_association_read_the_letter_others_do_not(
        case, make_user, make_association, client, login_as):  # noqa: F811
    handler = officer(make_user)
    services.assign_to_me(case, handler)
    services.decide(case, handler, outcome="approved", amount_sek=None, reasons="")
    db.session.commit()
    services.after_decision(case, handler)
    db.session.commit()
    letter = db.session.scalar(select(Letter).where(Letter.case_id == case.case_id))
    url = f"/brev/{letter.id}"

    login_as(user=officer(make_user))
    assert client.get(url).status_code == 200
    login_as(user=case.case.applicant)
    assert client.get(url).status_code == 200
    login_as("officer", areas=("bookings",))
    assert client.get(url).status_code == 403
    login_as(user=member(make_user, make_association(name="Annan förening")))
    assert client.get(url).status_code == 403

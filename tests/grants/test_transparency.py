"""Transparency: per programme and year, the granted associations and amounts and the median
handling time (submitted → decided), public."""
from __future__ import annotations

from datetime import timedelta
from html import unescape

from lokapp.associations.models import Association
from lokapp.extensions import db
from lokapp.grants import services
from lokapp.grants.views import median_days
from tests.grants.test_decisions import _project, officer, status, submitted  # noqa: F401


def test_median_days():
    from datetime import datetime

    start = datetime(2026, 3, 1)
    assert median_days([]) is None
    assert median_days([(start, start + timedelta(days=d)) for d in (10, 2, 30)]) == 10
    assert median_days([(start, start + timedelta(days=d)) for d in (10, 20)]) == 15


def test_public_list_of_granted_associations_and_median_time(client, programmes, make_user,
                                                            make_association, status):  # noqa: F811
    programme = _project(programmes)
    handler = officer(make_user, limit=1_000_000)
    decisions = [("approved", None, "", 10), ("partially_approved", 25000, "För hög hyra.", 20),
                 ("rejected", None, "Inte ett avgränsat projekt.", 30)]
    names = []
    for outcome, amount, reasons, days in decisions:
        application = submitted(programme, make_user, make_association)
        services.assign_to_me(application, handler)
        services.decide(application, handler, outcome=outcome, amount_sek=amount,
                        reasons=reasons)
        case = application.case
        case.decided_at = case.submitted_at + timedelta(days=days)
        names.append(db.session.get(Association, application.association_id).name)
    draft_association = make_association(name="Utkastföreningen")
    services.start_application(programme, draft_association, make_user())
    year = application.year
    db.session.commit()

    response = client.get(f"/bidrag/projektbidrag/beviljade/{year}")
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    assert names[0] in page and names[1] in page
    assert names[2] not in page and "Utkastföreningen" not in page
    assert "40\u00a0000" in page and "25\u00a0000" in page and "65\u00a0000" in page
    assert "20 dagar" in page  # median of 10, 20 and 30 (the rejection counts for time)
    assert client.get("/bidrag/projektbidrag/beviljade/1999").status_code == 404
    assert "/bidrag/projektbidrag/beviljade/" in unescape(
        client.get("/bidrag/projektbidrag").get_data(as_text=True))

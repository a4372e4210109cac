"""The programme's delegation caps what one officer decides alone – not the second person who
confirms a proposal above it (four-eyes), who needs only their own delegation."""
from __future__ import annotations

from lokapp.core.permissions import check
from lokapp.extensions import db
from lokapp.grants import services
from tests.grants.test_decisions import case, officer, status  # noqa: F401 - fixtures


def test_a_proposal_above_the_programme_cap_can_be_confirmed(case, make_user):  # noqa: F811
    case.programme.delegation_limit_sek = 30_000  # the application asks for 40 000 kr
    db.session.flush()
    # Even an officer with a high own limit may not decide 40 000 kr alone here …
    proposer = officer(make_user, limit=500_000)
    services.assign_to_me(case, proposer)
    assert services.decide(case, proposer, outcome="approved", amount_sek=None,
                           reasons="") == "proposed"
    # … but a second officer whose own delegation covers it confirms.
    too_low = officer(make_user, limit=35_000)
    assert not check("grants.confirm", too_low, case.case)
    supervisor = officer(make_user, limit=500_000)
    assert check("grants.confirm", supervisor, case.case)
    services.confirm_proposal(case, supervisor)
    assert case.granted_sek == 40_000 and case.decided_by_id == supervisor.id

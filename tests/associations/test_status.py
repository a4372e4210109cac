"""compute_status: every branch, the date boundaries, and the batch form."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from lokapp.associations.models import (
    AnnualUpdate,
    DocumentType,
    RegisterSettings,
    RegisterState,
)
from lokapp.associations.status import (
    YEARLY_DOCUMENTS,
    StatusState,
    compute_status,
    compute_statuses,
    signed_current,
)
from lokapp.associations.workflow import ANNUAL_UPDATE
from lokapp.core.time import utcnow
from lokapp.extensions import db
from tests.associations.register_helpers import (
    add_document,
    numbered_case,
    person,
)

LONG_AGO = datetime(2020, 3, 1, 12, tzinfo=UTC)
# Default settings (migration 0003): due 30 April, spärrad 60 days later.
DUE_2026 = date(2026, 4, 30)
LAST_GRACE_DAY = date(2026, 6, 29)
BLOCKED_DAY = date(2026, 6, 30)

ALL_MISSING_2026 = [
    "LÖK:en är inte undertecknad",
    "Årlig uppdatering för 2026 är inte godkänd",
    "Stadgar saknas",
    "Årsmötesprotokoll för 2026 saknas",
    "Verksamhetsberättelse för 2026 saknas",
    "Ekonomisk berättelse för 2026 saknas",
    "Revisionsberättelse för 2026 saknas",
]


@pytest.fixture
def association(db, make_association):
    return make_association(registered_at=LONG_AGO)


def update(association, year: int, state: str = "approved") -> AnnualUpdate:
    case = numbered_case(ANNUAL_UPDATE, state, person(), association)
    row = AnnualUpdate(association_id=association.id, year=year, case_id=case.id,
                       approved_at=utcnow() if state == "approved" else None)
    db.session.add(row)
    db.session.flush()
    return row


def documents(association, year: int, *, statutes: bool = True, skip=()):
    if statutes:
        add_document(association, DocumentType.STATUTES, 2019)
    for doc_type in YEARLY_DOCUMENTS:
        if doc_type not in skip:
            add_document(association, doc_type, year)


def complete(association, signed_ids, year: int = 2026):
    signed_ids.add(association.id)
    update(association, year)
    documents(association, year)


def test_registered_with_nothing_misses_everything_in_order(association, signed, upload_dir):
    status = compute_status(association, on=date(2026, 5, 10))
    assert status.state is StatusState.REGISTERED
    assert list(status.missing) == ALL_MISSING_2026
    assert (status.update_year, status.update_due, status.blocked_from) == \
        (2026, DUE_2026, BLOCKED_DAY)


def test_eligible_when_nothing_is_missing(association, signed, upload_dir):
    complete(association, signed)
    status = compute_status(association, on=date(2026, 5, 10))
    assert status.state is StatusState.ELIGIBLE
    assert status.missing == ()
    assert status.is_eligible and not status.is_blocked
    assert (status.update_year, status.update_due) == (2027, date(2027, 4, 30))


@pytest.mark.parametrize(("remove", "sentence"), [
    ("signature", "LÖK:en är inte undertecknad"),
    ("update", "Årlig uppdatering för 2026 är inte godkänd"),
    ("statutes", "Stadgar saknas"),
    (DocumentType.ANNUAL_MEETING_MINUTES, "Årsmötesprotokoll för 2026 saknas"),
    (DocumentType.ACTIVITY_REPORT, "Verksamhetsberättelse för 2026 saknas"),
    (DocumentType.FINANCIAL_REPORT, "Ekonomisk berättelse för 2026 saknas"),
    (DocumentType.AUDIT_REPORT, "Revisionsberättelse för 2026 saknas"),
])
def test_each_missing_piece_is_named_exactly(association, signed, upload_dir, remove, sentence):
    if remove != "signature":
        signed.add(association.id)
    if remove != "update":
        update(association, 2026)
    documents(association, 2026, statutes=remove != "statutes",
              skip=(remove,) if isinstance(remove, DocumentType) else ())
    status = compute_status(association, on=date(2026, 5, 10))
    assert status.state is StatusState.REGISTERED
    assert status.missing == (sentence,)


def test_statutes_count_from_any_year_but_yearly_documents_only_for_the_year(
        association, signed, upload_dir):
    signed.add(association.id)
    update(association, 2026)
    documents(association, 2025)  # last year's documents, statutes from 2019
    status = compute_status(association, on=date(2026, 5, 10))
    assert "Stadgar saknas" not in status.missing
    assert "Årsmötesprotokoll för 2026 saknas" in status.missing


def test_an_equality_policy_is_not_required(association, signed, upload_dir):
    complete(association, signed)
    assert DocumentType.EQUALITY_POLICY not in YEARLY_DOCUMENTS
    assert compute_status(association, on=date(2026, 5, 10)).is_eligible


# --- the year of the annual update and the due date -----------------------------------------

@pytest.mark.parametrize(("on", "state", "missing"), [
    # Until and including the due date, last year's approved update and documents count.
    (date(2026, 1, 1), StatusState.ELIGIBLE, ()),
    (DUE_2026, StatusState.ELIGIBLE, ()),
    # The day after, this year's update and documents are needed.
    (date(2026, 5, 1), StatusState.REGISTERED, tuple(ALL_MISSING_2026[1:2] + ALL_MISSING_2026[3:])),
])
def test_last_years_update_counts_until_the_due_date(association, signed, upload_dir, on, state,
                                                      missing):
    complete(association, signed, year=2025)
    status = compute_status(association, on=on)
    assert status.state is state
    assert status.missing == missing


def test_last_years_update_does_not_count_without_its_documents(association, signed,
                                                                upload_dir):
    signed.add(association.id)
    update(association, 2025)
    documents(association, 2026)  # documents tagged with this year, not last
    status = compute_status(association, on=date(2026, 3, 1))
    assert status.missing == tuple(f"{t.label} för 2025 saknas" for t in YEARLY_DOCUMENTS)


def test_a_two_year_old_update_does_not_count(association, signed, upload_dir):
    complete(association, signed, year=2024)
    status = compute_status(association, on=date(2026, 3, 1))
    assert "Årlig uppdatering för 2026 är inte godkänd" in status.missing


def test_registered_this_year_needs_no_annual_update_this_year(db, make_association, signed,
                                                              upload_dir):
    association = make_association(registered_at=datetime(2026, 8, 15, 10, tzinfo=UTC))
    signed.add(association.id)
    documents(association, 2026)
    for on in (date(2026, 8, 16), date(2026, 12, 31)):
        status = compute_status(association, on=on)
        assert status.state is StatusState.ELIGIBLE, on
        assert (status.update_year, status.update_due) == (2027, date(2027, 4, 30))


def test_the_registration_year_is_the_stockholm_year(db, make_association, signed, upload_dir):
    # 23:30 UTC on New Year's Eve is already 2027 in Stockholm.
    association = make_association(registered_at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    status = compute_status(association, on=date(2027, 9, 1))
    assert status.state is StatusState.REGISTERED
    assert "Årlig uppdatering för 2027 är inte godkänd" not in status.missing


# --- spärrad --------------------------------------------------------------------------------

@pytest.mark.parametrize(("on", "state"), [
    (DUE_2026, StatusState.ELIGIBLE),
    (date(2026, 5, 1), StatusState.REGISTERED),
    (LAST_GRACE_DAY, StatusState.REGISTERED),
    (BLOCKED_DAY, StatusState.BLOCKED),
    (date(2026, 12, 31), StatusState.BLOCKED),
])
def test_blocked_after_the_grace_period(association, signed, upload_dir, on, state):
    complete(association, signed, year=2025)
    status = compute_status(association, on=on)
    assert status.state is state
    assert status.blocked_from == BLOCKED_DAY
    if state is StatusState.BLOCKED:
        assert status.is_blocked
        assert "Årlig uppdatering för 2026 är inte godkänd" in status.missing


def test_a_new_year_starts_unblocked_until_its_own_grace_period(association, signed,
                                                                upload_dir):
    complete(association, signed, year=2025)
    assert compute_status(association, on=date(2026, 12, 31)).is_blocked
    assert compute_status(association, on=date(2027, 1, 1)).state is StatusState.REGISTERED


@pytest.mark.parametrize("state", ["submitted", "needs_completion"])
def test_a_submitted_update_waiting_for_the_officer_is_not_blocked(association, signed,
                                                                  upload_dir, state):
    signed.add(association.id)
    update(association, 2026, state=state)
    documents(association, 2026)
    status = compute_status(association, on=date(2026, 9, 1))
    assert status.state is StatusState.REGISTERED
    assert status.missing == ("Årlig uppdatering för 2026 är inte godkänd",)


def test_a_draft_update_does_not_protect_from_blocking(association, signed, upload_dir):
    update(association, 2026, state="draft")
    assert compute_status(association, on=BLOCKED_DAY).is_blocked


def test_the_grace_period_and_due_date_come_from_the_settings(association, signed, upload_dir):
    settings = db.session.scalar(select(RegisterSettings))
    settings.annual_update_due_month, settings.annual_update_due_day = 3, 31
    settings.grace_period_days = 10
    db.session.flush()
    assert compute_status(association, on=date(2026, 4, 10)).state is StatusState.REGISTERED
    assert compute_status(association, on=date(2026, 4, 11)).is_blocked


# --- not registered ---------------------------------------------------------------------------

@pytest.mark.parametrize(("register_state", "state", "missing"), [
    (RegisterState.DEREGISTERED, StatusState.DEREGISTERED, ()),
    (RegisterState.PENDING, StatusState.NOT_REGISTERED, ("Registreringen är inte godkänd ännu",)),
    (RegisterState.REJECTED, StatusState.NOT_REGISTERED, ("Registreringen har fått avslag",)),
])
def test_not_registered_states(db, make_association, signed, upload_dir, register_state, state,
                               missing):
    association = make_association(register_state=register_state, registered_at=LONG_AGO)
    complete(association, signed)
    status = compute_status(association, on=BLOCKED_DAY)
    assert status.state is state
    assert status.missing == missing


def test_labels_are_swedish(association, signed):
    status = compute_status(association, on=date(2026, 5, 1))
    assert str(status.label) == "Registrerad"
    assert [str(s.label) for s in StatusState] == [
        "Inte registrerad", "Registrerad", "Bidragsberättigad", "Spärrad", "Avregistrerad"]


# --- the batch form ---------------------------------------------------------------------------

def test_batch_gives_the_same_answers_in_a_bounded_number_of_queries(
        db, make_association, signed, upload_dir, count_queries):
    associations = [make_association(registered_at=LONG_AGO) for _ in range(50)]
    for association in associations[::3]:
        complete(association, signed)
    for association in associations[1::3]:
        update(association, 2026, state="submitted")
    associations[2].register_state = RegisterState.DEREGISTERED
    db.session.flush()
    on = date(2026, 9, 1)
    single = {a.id: compute_status(a, on=on) for a in associations}
    with count_queries() as queries:
        batch = compute_statuses(associations, on=on)
    assert batch == single
    assert queries.count <= 4, queries
    assert {s.state for s in batch.values()} == {StatusState.ELIGIBLE, StatusState.REGISTERED,
                                                  StatusState.BLOCKED, StatusState.DEREGISTERED}


def test_the_agreement_module_answers_per_association_when_it_has_no_batch(
        db, make_association, fake_agreement):
    one, two = make_association(), make_association()
    fake_agreement.add(two.id)
    assert signed_current([one.id, two.id], date(2026, 5, 1)) == {two.id}
    assert "LÖK:en är inte undertecknad" not in compute_status(two, on=date(2026, 5, 1)).missing


def test_the_real_agreement_module_is_asked_in_one_query(db, make_association, count_queries):
    association = make_association()
    with count_queries() as queries:
        assert signed_current([association.id], date(2026, 5, 1)) == set()
    assert queries.count == 1

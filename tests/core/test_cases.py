"""The case model: drafts, history, parties, queries."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from lokapp.core.audit import events_for
from lokapp.core.cases import Case, CaseHistory, history_for, open_case, submit
from lokapp.core.workflow import TransitionNotAllowed
from tests.core.sample_workflow import CASE_TYPE, GRANT, S, make_case, make_people, make_person


def test_open_case_creates_a_private_draft_with_its_first_history_row(db, make_association):
    applicant = make_person()
    association = make_association()
    case = open_case(CASE_TYPE, subject="Ansökan om lokalbidrag", applicant=applicant,
                     association_id=association.id)
    assert case.id is not None
    assert (case.state, case.number, case.submitted_at, case.decided_at) == \
        ("draft", None, None, None)
    assert (case.applicant_id, case.association_id, case.assigned_officer_id) == \
        (applicant.id, association.id, None)
    assert case.created_at is not None and case.updated_at is not None
    [row] = db.session.scalars(history_for(case)).all()
    assert (row.action, row.from_state, row.to_state, row.actor_id) == \
        ("create", None, "draft", applicant.id)
    [event] = db.session.scalars(events_for(case)).all()
    assert event.action == "case.create" and event.actor_id == applicant.id
    assert event.details == {"case_type": CASE_TYPE, "to_state": "draft"}


def test_an_officer_may_open_a_case_for_someone_else(db):
    officer, applicant = make_person("officer"), make_person()
    case = open_case(CASE_TYPE, subject="Inkommen per post", applicant=applicant, actor=officer)
    assert case.history[0].actor_id == officer.id
    assert case.applicant_id == applicant.id


@pytest.mark.parametrize("subject", ["", "x" * 301])
def test_a_subject_needs_one_to_300_characters(db, subject):
    with pytest.raises(ValueError):
        open_case(CASE_TYPE, subject=subject)


def test_open_case_needs_a_registered_type(db):
    with pytest.raises(LookupError):
        open_case("no_such_type", subject="Något")


def test_the_case_knows_its_workflow_and_state_label(db):
    case = make_case(S.NEEDS_COMPLETION)
    assert case.workflow is GRANT
    assert case.state_enum is S.NEEDS_COMPLETION
    assert str(case.state_enum.label) == "Komplettering begärd"
    assert case.state_enum.tone == "warning"
    assert "needs_completion" in repr(case)


def test_submit_uses_the_submit_transition_of_the_current_state(db):
    people = make_people()
    case = make_case(applicant=people["applicant"])
    history = submit(case, people["applicant"], note="Hej!")
    assert (history.action, history.to_state, history.note) == ("submit", "submitted", "Hej!")
    assert case.number is not None and case.submitted_at is not None


@pytest.mark.parametrize("state", [S.SUBMITTED, S.IN_REVIEW, S.DECIDED, S.WITHDRAWN])
def test_submit_from_a_state_without_a_submit_is_refused(db, state):
    people = make_people()
    case = make_case(state, applicant=people["applicant"])
    with pytest.raises(TransitionNotAllowed) as raised:
        submit(case, people["applicant"])
    assert "kan inte skickas in" in str(raised.value)


def test_history_relationship_and_query_agree_and_are_ordered(db):
    people = make_people()
    case = make_case(applicant=people["applicant"])
    submit(case, people["applicant"])
    from lokapp.core.workflow import apply

    apply(case, "assign", people["officer"])
    db.session.expire_all()
    queried = db.session.scalars(history_for(case)).all()
    assert [h.action for h in queried] == ["create", "submit", "assign"]
    assert case.history == queried
    assert queried[2].actor.id == people["officer"].id


def test_assignment_and_parties_are_relationships(db):
    people = make_people()
    case = make_case(S.SUBMITTED, applicant=people["applicant"])
    case.assigned_officer = people["officer"]
    db.session.flush()
    assert case.assigned_officer_id == people["officer"].id
    assert case.applicant.id == people["applicant"].id


def test_deleting_a_case_deletes_its_history(db):
    case = make_case()
    case_id = case.id
    db.session.delete(case)
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(CaseHistory)
                             .where(CaseHistory.case_id == case_id)) == 0


def test_a_deleted_user_leaves_the_case_and_its_history(db):
    applicant = make_person()
    case = make_case(applicant=applicant)
    db.session.execute(text("DELETE FROM users WHERE id = :id"), {"id": applicant.id})
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.applicant_id is None
    assert case.history[0].actor_id is None


def test_queue_filters_use_the_indexes(db):
    """The queue filters on type + state and on assignee + state; both have an index."""
    indexes = {ix.name: [c.name for c in ix.columns] for ix in Case.__table__.indexes}
    assert indexes["ix_cases_type_state"] == ["case_type", "state"]
    assert indexes["ix_cases_assignee_state"] == ["assigned_officer_id", "state"]
    assert "ix_cases_association_id" in indexes and "ix_cases_applicant_id" in indexes

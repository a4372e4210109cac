"""The register's three transition tables, proven over every (state, action) pair."""
from __future__ import annotations

import pytest

from lokapp.associations.workflow import (
    ANNUAL_UPDATE,
    ANNUAL_UPDATE_WORKFLOW,
    REGISTRATION,
    REGISTRATION_WORKFLOW,
    SENSITIVE_CHANGE,
    SENSITIVE_CHANGE_WORKFLOW,
)
from lokapp.core.cases import CaseHistory
from lokapp.core.workflow import PermissionDenied, TransitionNotAllowed, apply, available
from tests.associations.register_helpers import add_member, numbered_case, officer, person

# The intended graphs, written out independently of the tables under test.
EXPECTED = {
    REGISTRATION: {
        ("draft", "submit"): "submitted",
        ("needs_completion", "submit"): "submitted",
        ("submitted", "approve"): "approved",
        ("submitted", "request_completion"): "needs_completion",
        ("submitted", "reject"): "rejected",
        ("needs_completion", "reject"): "rejected",
    },
    ANNUAL_UPDATE: {
        ("draft", "submit"): "submitted",
        ("needs_completion", "submit"): "submitted",
        ("submitted", "approve"): "approved",
        ("submitted", "request_completion"): "needs_completion",
    },
    SENSITIVE_CHANGE: {
        ("draft", "submit"): "submitted",
        ("submitted", "approve"): "approved",
        ("submitted", "reject"): "rejected",
        ("submitted", "withdraw"): "withdrawn",
    },
}
WORKFLOWS = {REGISTRATION: REGISTRATION_WORKFLOW, ANNUAL_UPDATE: ANNUAL_UPDATE_WORKFLOW,
             SENSITIVE_CHANGE: SENSITIVE_CHANGE_WORKFLOW}
# Who performs each action: the applicant/representative or the register officer.
ACTOR_OF = {"submit": "party", "withdraw": "party", "approve": "officer",
            "request_completion": "officer", "reject": "officer"}
ACTIONS = sorted(ACTOR_OF)

ALL_PAIRS = [pytest.param(case_type, state.value, action, id=f"{case_type}-{state}-{action}")
             for case_type, workflow in WORKFLOWS.items()
             for state in workflow.states for action in ACTIONS]


@pytest.mark.parametrize("case_type", list(WORKFLOWS))
def test_the_table_is_the_intended_graph(case_type):
    workflow = WORKFLOWS[case_type]
    actual = {(source, t.action): str(t.target)
              for t in workflow.transitions for source in t.sources}
    assert actual == EXPECTED[case_type]


def _setup(make_association, case_type: str, state: str):
    association = make_association()
    party = person()
    add_member(association, party, "administrator")
    case = numbered_case(case_type, state, party, association)
    return case, {"party": party, "officer": officer()}


@pytest.mark.parametrize(("case_type", "state", "action"), ALL_PAIRS)
def test_every_state_and_action(db, make_association, case_type, state, action):
    case, people = _setup(make_association, case_type, state)
    actor = people[ACTOR_OF[action]]
    target = EXPECTED[case_type].get((state, action))
    history_before = len(case.history)
    if target is None:
        with pytest.raises(TransitionNotAllowed):
            apply(case, action, actor, note="Motivering")
        assert case.state == state
        return
    history = apply(case, action, actor, note="Motivering")
    assert case.state == target
    assert isinstance(history, CaseHistory)
    assert (history.from_state, history.to_state, history.action) == (state, target, action)
    db.session.refresh(case)
    assert len(case.history) == history_before + 1
    assert case.number is not None


@pytest.mark.parametrize(
    ("case_type", "state", "action"),
    [pytest.param(t, s, a, id=f"{t}-{s}-{a}") for t, pairs in EXPECTED.items()
     for (s, a) in pairs])
def test_nobody_else_may_act(db, make_association, case_type, state, action):
    """A resident with no link, and an officer without the register area, are refused."""
    case, people = _setup(make_association, case_type, state)
    strangers = [person(), person("officer"), person("officer", areas=("grants",))]
    if ACTOR_OF[action] == "officer":
        strangers.append(people["party"])  # the applicant cannot decide their own case
    else:
        strangers.append(people["officer"])  # nor can an officer act for the association
    for stranger in strangers:
        assert action not in [t.action for t in available(case, stranger)]
        with pytest.raises(PermissionDenied):
            apply(case, action, stranger, note="Motivering")
    assert case.state == state


def test_a_representative_without_the_right_role_cannot_submit(db, make_association):
    association = make_association()
    booker = person()
    add_member(association, booker, "booking_manager")
    case = numbered_case(ANNUAL_UPDATE, "draft", booker, association)
    with pytest.raises(PermissionDenied, match="administratör, ordförande, kassör"):
        apply(case, "submit", booker)


def test_reasons_are_required_for_rejection_and_completion(db, make_association):
    from lokapp.core.workflow import NoteRequired

    case, people = _setup(make_association, REGISTRATION, "submitted")
    for action in ("reject", "request_completion"):
        with pytest.raises(NoteRequired):
            apply(case, action, people["officer"], note="  ")
    assert case.state == "submitted"

"""The workflow engine, proven over every (state, action) pair of a grant-shaped table."""
from __future__ import annotations

import threading

import pytest
from flask import render_template_string
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from sqlalchemy import func, select, text

from lokapp.core.audit import AuditEvent, events_for
from lokapp.core.cases import CaseHistory, history_for
from lokapp.core.permissions import Decision
from lokapp.core.types import RichStrEnum
from lokapp.core.workflow import (
    CaseActionForm,
    NoteRequired,
    PermissionDenied,
    PreconditionFailed,
    Transition,
    TransitionNotAllowed,
    Workflow,
    WorkflowError,
    apply,
    available,
    can_act,
    workflow_for,
)
from tests.core.sample_workflow import (
    ACTOR_OF,
    CASE_TYPE,
    GRANT,
    S,
    make_case,
    make_people,
    make_person,
)

# The intended graph, written out independently of the table under test.
EXPECTED = {
    ("draft", "submit"): "submitted",
    ("needs_completion", "submit"): "submitted",
    ("submitted", "assign"): "in_review",
    ("in_review", "request_completion"): "needs_completion",
    ("in_review", "propose"): "proposed",
    ("proposed", "approve"): "decided",
    ("proposed", "reject"): "decided",
    ("decided", "report_due"): "follow_up_due",
    ("follow_up_due", "submit_report"): "follow_up_submitted",
    ("follow_up_submitted", "accept"): "closed",
    ("submitted", "withdraw"): "withdrawn",
    ("in_review", "withdraw"): "withdrawn",
    ("needs_completion", "withdraw"): "withdrawn",
    ("proposed", "withdraw"): "withdrawn",
}
ALL_PAIRS = [(state.value, action) for state in S for action in sorted(ACTOR_OF)]


def _counts(db, case) -> tuple[int, int]:
    history = db.session.scalar(
        select(func.count()).select_from(CaseHistory).where(CaseHistory.case_id == case.id))
    audit = db.session.scalar(select(func.count()).select_from(events_for(case).subquery()))
    return history, audit


def test_the_table_is_the_intended_graph():
    actual = {(source, t.action): t.target for t in GRANT.transitions for source in t.sources}
    assert actual == EXPECTED
    assert set(GRANT.actions) == set(ACTOR_OF)
    assert workflow_for(CASE_TYPE) is GRANT
    assert "draft|needs_completion --submit--> submitted" in GRANT.describe()


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS)
def test_every_state_and_action(db, state, action):
    people = make_people()
    case = make_case(state, applicant=people["applicant"])
    actor = people[ACTOR_OF[action]]
    number_before, decided_before = case.number, case.decided_at
    before = _counts(db, case)
    note = "Bifoga budgeten." if GRANT.find(action, state) and \
        GRANT.find(action, state).requires_note else None

    if (state, action) not in EXPECTED:
        with pytest.raises(TransitionNotAllowed) as raised:
            apply(case, action, actor, note="Ett försök")
        assert raised.value.code == 409
        assert "Det går inte att göra det här" in str(raised.value)
        assert case.state == state
        assert _counts(db, case) == before
        return

    history = apply(case, action, actor, note=note)

    target = EXPECTED[(state, action)]
    assert case.state == target
    assert _counts(db, case) == (before[0] + 1, before[1] + 1)
    assert (history.from_state, history.to_state, history.action) == (state, target, action)
    assert history.actor_id == (actor.id if actor else None)
    assert history.note == note
    event = db.session.scalars(events_for(case)).first()
    assert event.action == f"case.{action}"
    assert event.actor_id == (actor.id if actor else None)
    assert event.details["from_state"] == state and event.details["to_state"] == target
    assert event.details["number"] == case.number
    if target == "decided":
        assert case.decided_at is not None and case.decided_at >= history.occurred_at
    else:
        assert case.decided_at == decided_before
    if state == "draft":  # the first submit numbers the case
        assert number_before is None and case.number.startswith("LOK ")
        assert case.submitted_at == history.occurred_at
    else:
        assert case.number == number_before


def test_a_whole_life(db):
    people = make_people()
    case = make_case(applicant=people["applicant"])
    steps = [("submit", "applicant", None), ("assign", "officer", None),
             ("request_completion", "officer", "Budget saknas."), ("submit", "applicant", None),
             ("assign", "officer", None), ("propose", "officer", None),
             ("approve", "supervisor", None), ("report_due", None, None),
             ("submit_report", "applicant", None), ("accept", "officer", None)]
    for action, who, note in steps:
        apply(case, action, people[who], note=note)
    db.session.expire_all()
    rows = db.session.scalars(history_for(case)).all()
    assert [r.action for r in rows] == ["create"] + [s[0] for s in steps]
    assert [r.to_state for r in rows][-1] == "closed"
    assert all(a.to_state == b.from_state for a, b in zip(rows, rows[1:], strict=False))
    assert case.number is not None and case.decided_at is not None


def test_resubmission_keeps_the_number_and_the_first_submitted_at(db):
    people = make_people()
    case = make_case(S.NEEDS_COMPLETION, applicant=people["applicant"])
    number, submitted_at = case.number, case.submitted_at
    apply(case, "submit", people["applicant"])
    assert (case.number, case.submitted_at) == (number, submitted_at)


@pytest.mark.parametrize(("state", "action", "who"), [
    ("draft", "submit", "resident"),
    ("draft", "submit", "officer"),
    ("submitted", "assign", "applicant"),
    ("submitted", "assign", None),
    ("proposed", "approve", "officer"),
    ("decided", "report_due", "officer"),
    ("proposed", "withdraw", "supervisor"),
])
def test_permission_denied_writes_nothing(db, state, action, who):
    people = make_people()
    case = make_case(state, applicant=people["applicant"])
    before = _counts(db, case)
    with pytest.raises(PermissionDenied) as raised:
        apply(case, action, people[who], note="x")
    assert raised.value.code == 403
    assert case.state == state and _counts(db, case) == before
    assert not can_act(people[who], case, action)


def test_permission_denied_carries_the_predicates_reason(db):
    people = make_people()
    case = make_case(applicant=people["applicant"])
    with pytest.raises(PermissionDenied) as raised:
        apply(case, "submit", people["resident"])
    assert str(raised.value) == "Bara den som har ansökt kan göra det här."
    # The 403 page shows the description.
    assert raised.value.description == "Bara den som har ansökt kan göra det här."
    assert can_act(people["resident"], case, "submit").reason == \
        "Bara den som har ansökt kan göra det här."


def test_an_uncaught_refusal_becomes_the_403_page_with_the_reason(app, db):
    with app.test_request_context("/"):
        error = PermissionDenied("Bara den som har ansökt kan göra det här.")
        response = app.make_response(app.handle_user_exception(error))
    assert response.status_code == 403
    assert "Bara den som har ansökt kan göra det här." in response.get_data(as_text=True)


def test_named_permission_without_reason_has_a_default_message(db):
    people = make_people()
    case = make_case(S.SUBMITTED, applicant=people["applicant"])
    with pytest.raises(PermissionDenied) as raised:
        apply(case, "assign", people["resident"])
    assert str(raised.value) == "Du har inte behörighet att göra det här i ärendet."


@pytest.mark.parametrize("note", [None, "", "   \n\t "])
@pytest.mark.parametrize(("state", "action", "who", "label"), [
    ("in_review", "request_completion", "officer", "Vad behöver kompletteras?"),
    ("proposed", "reject", "supervisor", "Motivering"),
])
def test_note_required(db, state, action, who, label, note):
    people = make_people()
    case = make_case(state, applicant=people["applicant"])
    before = _counts(db, case)
    with pytest.raises(NoteRequired) as raised:
        apply(case, action, people[who], note=note)
    assert raised.value.code == 400
    assert f"Fyll i ”{label}”" in str(raised.value)
    assert case.state == state and _counts(db, case) == before


def test_note_is_stripped_and_stored(db):
    people = make_people()
    case = make_case(S.PROPOSED, applicant=people["applicant"])
    history = apply(case, "reject", people["supervisor"], note="  Projektet ligger utanför "
                                                               "bidragets syfte.\n")
    assert history.note == "Projektet ligger utanför bidragets syfte."


def test_unknown_action_is_not_allowed(db):
    people = make_people()
    case = make_case(S.SUBMITTED, applicant=people["applicant"])
    with pytest.raises(TransitionNotAllowed) as raised:
        apply(case, "teleport", people["officer"])
    assert str(raised.value) == "Den åtgärden finns inte för den här typen av ärende."


def test_every_workflow_error_is_a_workflow_error():
    for error in (TransitionNotAllowed, PreconditionFailed, PermissionDenied, NoteRequired):
        assert issubclass(error, WorkflowError)
    assert issubclass(PreconditionFailed, TransitionNotAllowed)


@pytest.mark.parametrize(("who", "state", "expected"), [
    ("applicant", "draft", ["submit"]),
    ("officer", "draft", []),
    ("applicant", "in_review", ["withdraw"]),
    ("officer", "in_review", ["request_completion", "propose"]),
    ("supervisor", "proposed", ["approve", "reject"]),
    ("resident", "proposed", []),
    (None, "decided", ["report_due"]),
    ("applicant", "withdrawn", []),
])
def test_available_lists_the_buttons_in_table_order(db, who, state, expected):
    people = make_people()
    case = make_case(state, applicant=people["applicant"])
    assert [t.action for t in available(case, people[who])] == expected
    assert [t.action for t in case.available_actions(people[who])] == expected


# --- guards ---------------------------------------------------------------------------------

class G(RichStrEnum):
    OPEN = "open", _l("Öppen")
    DONE = "done", _l("Klar"), "success"


def _has_subject_budget(case) -> Decision:
    if "budget" in case.subject:
        return Decision(True)
    return Decision(False, "Lägg till en budget innan du skickar in.")


GUARDED = Workflow("test_guarded", G, initial=G.OPEN, decision_states={G.DONE},
                   final_states={G.DONE}, transitions=[
    Transition("finish", (G.OPEN,), G.DONE, _l("Klar"), lambda user, case: True,
               guard=_has_subject_budget),
])


def test_a_failing_guard_refuses_with_its_reason_and_hides_the_button(db):
    from lokapp.core.cases import open_case

    user = make_person()
    case = open_case("test_guarded", subject="Ansökan", applicant=user)
    assert available(case, user) == []
    assert can_act(user, case, "finish").reason == "Lägg till en budget innan du skickar in."
    with pytest.raises(PreconditionFailed) as raised:
        apply(case, "finish", user)
    assert str(raised.value) == "Lägg till en budget innan du skickar in."
    assert case.state == "open"

    case.subject = "Ansökan med budget"
    assert [t.action for t in available(case, user)] == ["finish"]
    apply(case, "finish", user)
    assert case.state == "done" and case.decided_at is not None


# --- table validation -----------------------------------------------------------------------

def _noop(user, case):
    return True


@pytest.mark.parametrize(("transitions", "kwargs", "message"), [
    ([Transition("go", ("open",), "nowhere", "x", _noop)], {}, "'nowhere' is not a state"),
    ([Transition("go", ("nowhere",), "done", "x", _noop)], {}, "'nowhere' is not a state"),
    ([Transition("go", ("open",), "done", "x", _noop),
      Transition("go", ("open",), "open", "x", _noop)], {}, "go leaves 'open' twice"),
    ([], {"decision_states": {"decided"}}, "decision state 'decided' is not a state"),
    ([], {"initial": "draft"}, "initial state 'draft' is not a state"),
    ([Transition("go", ("open",), "done", "x", _noop, is_submit=True),
      Transition("send", ("open",), "done", "x", _noop, is_submit=True)], {},
     "two submit transitions leave 'open'"),
])
def test_a_broken_table_is_refused_at_import(transitions, kwargs, message):
    kwargs = {"initial": G.OPEN, **kwargs}
    with pytest.raises(ValueError, match=message):
        Workflow("test_broken", G, transitions=transitions, register=False, **kwargs)


def test_bad_transitions_are_refused():
    with pytest.raises(ValueError, match="bad action name"):
        Transition("Go Now", ("open",), "done", "x", _noop)
    with pytest.raises(ValueError, match="button style"):
        Transition("go", ("open",), "done", "x", _noop, style="pink")


def test_a_case_type_registers_once():
    with pytest.raises(ValueError, match="already registered"):
        Workflow(CASE_TYPE, S, initial=S.DRAFT, transitions=[])
    with pytest.raises(LookupError):
        workflow_for("no_such_type")


# --- concurrency ----------------------------------------------------------------------------

def test_a_stale_case_is_re_read_before_acting(db):
    """Someone else moved the case after we loaded it: apply sees their state, not ours."""
    people = make_people()
    case = make_case(S.IN_REVIEW, applicant=people["applicant"])
    db.session.execute(text("UPDATE cases SET state = 'proposed' WHERE id = :id"),
                       {"id": case.id})
    assert case.state == "in_review"  # what this request believes
    before = _counts(db, case)
    with pytest.raises(TransitionNotAllowed) as raised:
        apply(case, "propose", people["officer"])
    assert "har just ändrats av någon annan" in str(raised.value)
    assert "Förslag till beslut" in str(raised.value)
    assert _counts(db, case) == before
    # An action that still applies goes ahead from the real state.
    history = apply(case, "withdraw", people["applicant"])
    assert history.from_state == "proposed"


@pytest.mark.slow
def test_two_officers_acting_at_once_one_wins(app, committing_db, is_postgresql):
    db = committing_db
    people = make_people()
    officers = [people["officer"]] + [make_person("officer") for _ in range(4)]
    case = make_case(S.IN_REVIEW, applicant=people["applicant"])
    db.session.commit()
    case_id, officer_ids = case.id, [o.id for o in officers]
    db.session.remove()

    # PostgreSQL: everyone loads the case before anyone acts, so all but one hold a stale
    # copy and must wait on the row lock. SQLite: BEGIN IMMEDIATE already serialises them.
    barrier = threading.Barrier(len(officer_ids)) if is_postgresql else None
    results: list[str] = []
    messages: list[str] = []
    lock = threading.Lock()

    def officer_acts(officer_id: int) -> None:
        from lokapp.auth.models import User
        from lokapp.core.cases import Case

        with app.app_context():
            try:
                case = db.session.get(Case, case_id)
                officer = db.session.get(User, officer_id)
                if barrier:
                    barrier.wait(timeout=30)
                try:
                    apply(case, "propose", officer)
                    db.session.commit()
                    outcome = "ok"
                except TransitionNotAllowed as error:
                    db.session.rollback()
                    outcome = "refused"
                    with lock:
                        messages.append(str(error))
            finally:
                db.session.remove()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=officer_acts, args=(oid,)) for oid in officer_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["ok"] + ["refused"] * (len(officer_ids) - 1)
    if is_postgresql:  # they held the old state and learn that someone else was first
        assert all("har just ändrats av någon annan" in m for m in messages)
    proposals = db.session.scalar(select(func.count()).select_from(CaseHistory).where(
        CaseHistory.case_id == case_id, CaseHistory.action == "propose"))
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "case.propose", AuditEvent.object_id == str(case_id)))
    assert (proposals, audits) == (1, 1)


# --- templates ------------------------------------------------------------------------------

PAGE = """{% from "_macros/cases.html" import state_badge, case_actions with context %}
{{ state_badge(case) }}|{{ state_badge(done) }}|{{ case_actions(case, "core.home", {"x": 1}) }}"""


def test_macros_render_the_badge_and_one_post_form_per_available_action(app, db, monkeypatch):
    people = make_people()
    case = make_case(S.IN_REVIEW, applicant=people["applicant"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    with app.test_request_context("/"):
        login_user(people["officer"])
        html = render_template_string(PAGE, case=case, done=S.DECIDED)
    assert '<span class="badge badge-info">Under handläggning</span>' in html
    assert '<span class="badge badge-success">Beslutad</span>' in html
    assert html.count('<form method="post"') == 2
    assert html.count('name="csrf_token"') == 2
    assert 'action="/?action=request_completion&amp;x=1"' in html
    assert 'action="/?action=propose&amp;x=1"' in html
    assert "withdraw" not in html  # not the officer's button
    note_id = f"case-{case.id}-request_completion-note"
    assert f'<label for="{note_id}">Vad behöver kompletteras?</label>' in html
    assert f'id="{note_id}" name="note"' in html and 'maxlength="4000"' in html
    assert ">Föreslå beslut</button>" in html


def test_macros_render_nothing_without_actions(app, db):
    people = make_people()
    case = make_case(S.IN_REVIEW, applicant=people["applicant"])
    with app.test_request_context("/"):
        login_user(people["resident"])
        html = render_template_string(PAGE, case=case, done=S.DECIDED)
    assert "<form" not in html and "case-actions" not in html


@pytest.mark.parametrize(("note", "valid"), [
    ("", True), ("Bifoga budgeten.\nTack!", True), ("x" * 4000, True),
    ("x" * 4001, False), ("dolt\x00tecken", False),
])
def test_the_action_form_limits_the_note(app, note, valid):
    with app.test_request_context(method="POST", data={"note": note}):
        form = CaseActionForm(meta={"csrf": False})
        assert form.validate() is valid

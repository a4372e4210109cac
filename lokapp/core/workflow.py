"""The workflow engine: one transition table per case type, two verbs to use it.

Each case type declares, in its own ``workflow.py``, its states as a ``RichStrEnum`` (label and
badge tone) and a :class:`Workflow` holding the list of :class:`Transition` rows – the whole
graph on one screen::

    class State(RichStrEnum):
        DRAFT = "draft", _l("Utkast"), "neutral"
        SUBMITTED = "submitted", _l("Inkommen"), "info"
        ...

    OPEN = (State.DRAFT, State.SUBMITTED, State.IN_REVIEW, State.NEEDS_COMPLETION)

    WORKFLOW = Workflow("grant_application", State, initial=State.DRAFT,
                        decision_states={State.DECIDED}, final_states={...}, transitions=[
        Transition("submit", (State.DRAFT, State.NEEDS_COMPLETION), State.SUBMITTED,
                   _l("Skicka in"), "grants.submit", is_submit=True, style="primary"),
        Transition("assign", (State.SUBMITTED,), State.IN_REVIEW, _l("Ta ärendet"),
                   "grants.handle"),
        Transition("request_completion", (State.IN_REVIEW,), State.NEEDS_COMPLETION,
                   _l("Begär komplettering"), "grants.handle", requires_note=True),
        Transition("withdraw", OPEN, State.WITHDRAWN, _l("Återkalla"), "grants.withdraw",
                   style="danger"),
    ])

Creating the ``Workflow`` registers it under its case type; :func:`workflow_for` finds it.

The two verbs
    ``available(case, user)``  the transitions ``user`` may apply now – the buttons to render
                               (``templates/_macros/cases.html`` renders them as POST forms).
    ``apply(case, action, user, note=None)``
                               locks the case row and re-reads its state, checks that the
                               action leaves the current state, the permission and the guard,
                               and the note when ``requires_note``; then sets the state (and
                               ``submitted_at`` + number for ``is_submit`` transitions,
                               ``decided_at`` when the target is one of ``decision_states``),
                               writes one :class:`~lokapp.core.cases.CaseHistory` row and one
                               audit event ``case.<action>`` (from/to), and flushes. It never
                               commits and has no side effects: letters, mail and payouts
                               belong in the domain service that calls it.
    ``can_act(user, case, action)`` the same checks without acting, as a ``Decision`` with a
                               reason (for ``require()`` in views).

Permissions and guards
    ``permission`` is the name of a predicate registered with
    :func:`lokapp.core.permissions.permission` (``"grants.handle"``) or a callable
    ``(user, case) -> bool | Decision``. ``user`` is ``None`` when the system acts (a scheduled
    job); :func:`system_only` allows exactly that. ``guard`` is an optional precondition on the
    case itself, ``(case) -> bool | Decision``; a failing guard says why through the reason.

Errors (all :class:`WorkflowError`, with a Swedish ``message``)
    :class:`TransitionNotAllowed`  the action does not leave the current state (also when
                                   someone else changed the case first); 409.
    :class:`PreconditionFailed`    a guard refused (a ``TransitionNotAllowed``); 409.
    :class:`PermissionDenied`      the user may not; 403 with the reason.
    :class:`NoteRequired`          the transition needs a note; 400.
    They are HTTP exceptions, so an uncaught one becomes the right error page; views usually
    catch ``WorkflowError`` and flash ``error.message`` instead.

Buttons and views
    ``templates/_macros/cases.html`` renders ``available()`` as one POST form per action (CSRF
    token, plus a ``note`` text area when the transition requires one). The domain's action
    route validates it with :class:`CaseActionForm` and calls its service, which calls
    ``apply`` and then does its side effects::

        @bp.post("/ansokningar/<int:application_id>/<action>")
        @object_rule("the transition's permission, checked by workflow.apply")
        def case_action(application_id, action):
            application = db.get_or_404(GrantApplication, application_id)
            form = CaseActionForm()
            if form.validate_on_submit():
                try:
                    services.act(application, action, current_user, form.note.data)
                    db.session.commit()
                except WorkflowError as error:
                    db.session.rollback()
                    flash(error.message, "error")
            return redirect(url_for(".application", application_id=application_id))

Concurrency: ``apply`` flushes, then re-reads the case row with ``SELECT … FOR UPDATE`` on
PostgreSQL (SQLite serialises writers with ``BEGIN IMMEDIATE``), so of two officers acting at
once the second sees the first one's result and is refused if the action no longer applies.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from lokapp.core import audit, permissions
from lokapp.core.cases import Case, CaseHistory, assign_number
from lokapp.core.forms import BaseForm, long_text_field
from lokapp.core.permissions import Decision
from lokapp.core.time import utcnow
from lokapp.core.types import RichStrEnum
from lokapp.extensions import db

__all__ = [
    "NOTE_MAX_LENGTH",
    "CaseActionForm",
    "NoteRequired",
    "PermissionDenied",
    "PreconditionFailed",
    "Transition",
    "TransitionNotAllowed",
    "Workflow",
    "WorkflowError",
    "apply",
    "available",
    "can_act",
    "registered_workflows",
    "system_only",
    "workflow_for",
]

NOTE_MAX_LENGTH = 4000
_ACTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

Predicate = Callable[[Any, Case], "bool | Decision"]
Guard = Callable[[Case], "bool | Decision"]


# --- errors ---------------------------------------------------------------------------------

class WorkflowError(HTTPException):
    """A refused transition. ``message`` is the Swedish text for the user."""

    code = 409

    def __init__(self, message: Any, *, case: Case | None = None, action: str | None = None):
        super().__init__(description=message)
        self.message = message
        self.case = case
        self.action = action

    def __str__(self) -> str:
        return str(self.message)


class TransitionNotAllowed(WorkflowError):
    code = 409


class PreconditionFailed(TransitionNotAllowed):
    code = 409


class PermissionDenied(WorkflowError):
    code = 403


class NoteRequired(WorkflowError):
    code = 400


# --- the table ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    """One row of a transition table.

    ``action`` names the verb (also in URLs, history and the audit action ``case.<action>``);
    the same action may appear in several rows as long as no two share a source state.
    ``is_submit`` marks the submit: ``submitted_at`` and the number are set on the first one.
    ``note_label`` names the note field when ``requires_note`` (default "Kommentar");
    ``style`` is the button style: "primary", "secondary" or "danger".
    """

    action: str
    sources: tuple[str, ...]
    target: str
    label: Any
    permission: str | Predicate
    requires_note: bool = False
    guard: Guard | None = None
    is_submit: bool = False
    note_label: Any = None
    style: str = "secondary"

    def __post_init__(self) -> None:
        if isinstance(self.sources, str):
            object.__setattr__(self, "sources", (self.sources,))
        else:
            object.__setattr__(self, "sources", tuple(self.sources))
        if not _ACTION_NAME.match(self.action):
            raise ValueError(f"bad action name {self.action!r}")
        if not self.sources:
            raise ValueError(f"transition {self.action!r} has no source states")
        if self.style not in ("primary", "secondary", "danger"):
            raise ValueError(f"unknown button style {self.style!r}")

    @property
    def note_field_label(self) -> Any:
        return self.note_label or _l("Kommentar")

    @property
    def note_max_length(self) -> int:
        return NOTE_MAX_LENGTH

    def leaves(self, state: str) -> bool:
        return state in self.sources


@dataclass
class Workflow:
    """The states and transitions of one case type; registered under ``case_type``."""

    case_type: str
    states: type[RichStrEnum]
    transitions: Sequence[Transition]
    initial: str
    decision_states: Collection[str] = field(default_factory=frozenset)
    final_states: Collection[str] = field(default_factory=frozenset)
    label: Any = None
    register: bool = True

    def __post_init__(self) -> None:
        self.transitions = tuple(self.transitions)
        self.decision_states = frozenset(str(s) for s in self.decision_states)
        self.final_states = frozenset(str(s) for s in self.final_states)
        self._validate()
        self._by_source: dict[str, dict[str, Transition]] = {}
        for transition in self.transitions:
            for source in transition.sources:
                self._by_source.setdefault(str(source), {})[transition.action] = transition
        if self.register:
            _register(self)

    def _validate(self) -> None:
        known = {member.value for member in self.states}
        problems = []
        if str(self.initial) not in known:
            problems.append(f"initial state {self.initial!r} is not a state")
        for name, group in (("decision", self.decision_states), ("final", self.final_states)):
            problems += [f"{name} state {s!r} is not a state" for s in group if s not in known]
        seen: set[tuple[str, str]] = set()
        submits: set[str] = set()
        for t in self.transitions:
            for state in (*t.sources, t.target):
                if str(state) not in known:
                    problems.append(f"{t.action}: {state!r} is not a state")
            for source in t.sources:
                if (t.action, str(source)) in seen:
                    problems.append(f"{t.action} leaves {source!r} twice")
                seen.add((t.action, str(source)))
                if t.is_submit:
                    if str(source) in submits:
                        problems.append(f"two submit transitions leave {source!r}")
                    submits.add(str(source))
        if problems:
            raise ValueError(f"workflow {self.case_type!r}: " + "; ".join(problems))

    def state(self, value: str) -> RichStrEnum:
        """The enum member for a stored state (its ``label`` and ``tone``)."""
        return self.states(value)

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(t.action for t in self.transitions)

    @property
    def open_states(self) -> tuple[RichStrEnum, ...]:
        return tuple(s for s in self.states if s.value not in self.final_states)

    def transitions_from(self, state: str) -> list[Transition]:
        """The rows leaving ``state``, in table order."""
        return [t for t in self.transitions if t.leaves(str(state))]

    def find(self, action: str, state: str) -> Transition | None:
        return self._by_source.get(str(state), {}).get(action)

    def submit_action(self, state: str) -> str:
        """The submit action that leaves ``state``."""
        for transition in self.transitions_from(state):
            if transition.is_submit:
                return transition.action
        raise TransitionNotAllowed(_l("Ärendet kan inte skickas in när det har status "
                                      "”%(state)s”.", state=self.state(state).label))

    def describe(self) -> list[str]:
        """The graph as text lines, ``draft --submit--> submitted`` (for docs and tests)."""
        return [f"{'|'.join(map(str, t.sources))} --{t.action}--> {t.target}"
                for t in self.transitions]


_REGISTRY: dict[str, Workflow] = {}


def _register(workflow: Workflow) -> None:
    existing = _REGISTRY.get(workflow.case_type)
    if existing is not None and existing is not workflow:
        raise ValueError(f"a workflow for {workflow.case_type!r} is already registered")
    _REGISTRY[workflow.case_type] = workflow


def workflow_for(case_or_type: Case | str) -> Workflow:
    case_type = case_or_type if isinstance(case_or_type, str) else case_or_type.case_type
    try:
        return _REGISTRY[case_type]
    except KeyError:
        raise LookupError(f"no workflow registered for case type {case_type!r}") from None


def registered_workflows() -> dict[str, Workflow]:
    return dict(_REGISTRY)


def system_only(user: Any, case: Case) -> bool:
    """Permission for transitions only the system makes (scheduled jobs act with user=None)."""
    return user is None


class CaseActionForm(BaseForm):
    """The form behind every action button: the CSRF token and the note, if any.

    Whether the note is required depends on the transition; :func:`apply` enforces that.
    """

    note = long_text_field(_l("Kommentar"), max_length=NOTE_MAX_LENGTH, required=False)


# --- the verbs ------------------------------------------------------------------------------

def _as_decision(result: Any) -> Decision:
    return result if isinstance(result, Decision) else Decision(bool(result))


def _permission(transition: Transition, user: Any, case: Case) -> Decision:
    if isinstance(transition.permission, str):
        return permissions.check(transition.permission, user, case)
    return _as_decision(transition.permission(user, case))


def _guard(transition: Transition, case: Case) -> Decision:
    if transition.guard is None:
        return Decision(True)
    return _as_decision(transition.guard(case))


def can_act(user: Any, case: Case, action: str) -> Decision:
    """Whether ``user`` may apply ``action`` to ``case`` now, with the reason if not.

    The same checks as :func:`apply` (except the note), without locking or acting.
    """
    transition = workflow_for(case).find(action, case.state)
    if transition is None:
        return Decision(False, str(_not_allowed(case, action)))
    decision = _permission(transition, user, case)
    if not decision:
        return Decision(False, decision.reason or str(_DENIED))
    decision = _guard(transition, case)
    if not decision:
        return Decision(False, decision.reason or str(_PRECONDITION))
    return Decision(True)


def available(case: Case, user: Any) -> list[Transition]:
    """The transitions ``user`` may apply to ``case`` in its current state, in table order."""
    result = []
    for transition in workflow_for(case).transitions_from(case.state):
        if _permission(transition, user, case) and _guard(transition, case):
            result.append(transition)
    return result


def apply(case: Case, action: str, user: Any, note: str | None = None) -> CaseHistory:
    """Move ``case`` along ``action``; see the module docstring. Flushes, never commits."""
    workflow = workflow_for(case)
    seen_state = case.state
    _lock(case)

    transition = workflow.find(action, case.state)
    if transition is None:
        if case.state != seen_state:
            raise TransitionNotAllowed(
                _l("Ärendet har just ändrats av någon annan och har nu status ”%(state)s”. "
                   "Ladda om sidan och se vad som gäller nu.",
                   state=workflow.state(case.state).label),
                case=case, action=action)
        raise TransitionNotAllowed(_not_allowed(case, action), case=case, action=action)

    decision = _permission(transition, user, case)
    if not decision:
        raise PermissionDenied(decision.reason or _DENIED, case=case, action=action)
    decision = _guard(transition, case)
    if not decision:
        raise PreconditionFailed(decision.reason or _PRECONDITION, case=case, action=action)

    note = (note or "").strip() or None
    if transition.requires_note and note is None:
        raise NoteRequired(
            _l("Fyll i ”%(label)s”. Det behövs för åtgärden ”%(action)s” och sparas i "
               "ärendets historik.", label=transition.note_field_label, action=transition.label),
            case=case, action=action)
    if note is not None and len(note) > NOTE_MAX_LENGTH:
        raise ValueError(f"note longer than {NOTE_MAX_LENGTH} characters; validate in the form")

    now = utcnow()
    from_state, to_state = case.state, str(transition.target)
    if transition.is_submit:
        if case.submitted_at is None:
            case.submitted_at = now
        assign_number(case)
    case.state = to_state
    if to_state in workflow.decision_states:
        case.decided_at = now
    case.updated_at = now

    history = CaseHistory(case=case, occurred_at=now, actor_id=getattr(user, "id", None),
                          from_state=from_state, to_state=to_state, action=action, note=note)
    db.session.add(history)
    event = audit.record(f"case.{action}", case, actor=user, case_type=case.case_type,
                         number=case.number, from_state=from_state, to_state=to_state)
    event.actor_id = history.actor_id  # the system (None) stays the system inside a request
    db.session.flush()
    return history


def _lock(case: Case) -> None:
    """Write pending changes, then re-read the case row under a row lock.

    ``FOR UPDATE`` holds the row until the transaction ends, so a concurrent ``apply`` waits
    here and then reads the state this one leaves behind. SQLite ignores ``FOR UPDATE``; there
    ``BEGIN IMMEDIATE`` already serialises every writing transaction.
    """
    db.session.flush()
    db.session.refresh(case, with_for_update=True)


_DENIED = _l("Du har inte behörighet att göra det här i ärendet.")
_PRECONDITION = _l("Ärendet uppfyller inte villkoren för det här ännu.")


def _not_allowed(case: Case, action: str) -> Any:
    workflow = workflow_for(case)
    if action not in workflow.actions:
        return _l("Den åtgärden finns inte för den här typen av ärende.")
    return _l("Det går inte att göra det här när ärendet har status ”%(state)s”.",
              state=workflow.state(case.state).label)


"""The audit log records who, what, when and from which address."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import login_user

from lokapp.core import audit
from lokapp.core.audit import AuditEvent, events_for, record, record_update
from lokapp.core.time import utcnow
from lokapp.core.workflow import apply
from tests.core.sample_workflow import S, make_case, make_people, make_person


@pytest.mark.parametrize("address", ["203.0.113.7", "2001:db8::1",
                                     "2001:db8:ffff:ffff:ffff:ffff:255.255.255.255"])
def test_the_client_address_is_recorded_in_a_request(app, db, address):
    admin = make_person("admin")
    with app.test_request_context("/admin", environ_base={"REMOTE_ADDR": address}):
        login_user(admin)
        event = record("user.disable", admin, reason="test")
        db.session.flush()
    assert event.actor_ip == address
    assert event.actor_id == admin.id  # the logged-in user by default
    assert (event.object_type, event.object_id) == ("users", str(admin.id))
    assert event.details == {"reason": "test"}
    assert abs(event.occurred_at - utcnow()) < timedelta(minutes=1)


def test_outside_a_request_there_is_no_address_and_no_default_actor(db):
    event = record("system.cleanup", object_type="outbox_messages")
    db.session.flush()
    assert (event.actor_id, event.actor_ip, event.object_id) == (None, None, None)
    assert event.object_type == "outbox_messages"


def test_an_anonymous_request_records_the_address_but_no_actor(app, db):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "198.51.100.4"}):
        event = record("auth.login_failed", object_type="users")
        db.session.flush()
    assert (event.actor_id, event.actor_ip) == (None, "198.51.100.4")


def test_state_changes_record_actor_and_address(app, db):
    people = make_people()
    case = make_case(S.SUBMITTED, applicant=people["applicant"])
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "192.0.2.10"}):
        login_user(people["officer"])
        apply(case, "assign", people["officer"])
    event = db.session.scalars(events_for(case)).first()
    assert (event.action, event.actor_id, event.actor_ip) == \
        ("case.assign", people["officer"].id, "192.0.2.10")
    assert event.details["from_state"] == "submitted"
    assert event.details["to_state"] == "in_review"


def test_events_for_returns_a_select_of_one_objects_events_newest_first(db):
    one, other = make_person(), make_person()
    for action in ("user.create", "user.update", "user.disable"):
        record(action, one, actor=other)
    record("user.create", other)
    db.session.flush()
    query = events_for(one)
    assert [e.action for e in db.session.scalars(query)] == \
        ["user.disable", "user.update", "user.create"]
    # A select(), so views can paginate and filter it further.
    assert db.session.scalars(query.limit(1)).one().action == "user.disable"
    by_type = db.session.scalars(events_for(object_type="users", object_id=other.id)).all()
    assert [e.action for e in by_type] == ["user.create"]
    with pytest.raises(ValueError):
        events_for()


def test_record_update_keeps_old_and_new_values_and_hides_secrets(app, db):
    admin, user = make_person("admin"), make_person()
    db.session.flush()
    old_name = user.name
    user.name = "Ny Person"
    user.delegation_limit_sek = 50000
    user.password_hash = "$argon2id$new"
    with app.test_request_context("/admin", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        login_user(admin)
        event = record_update("user.update", user, roles_added=["officer"])
    db.session.flush()
    assert event.details == {
        "changes": {"name": [old_name, "Ny Person"], "delegation_limit_sek": [None, 50000],
                    "password_hash": [audit.REDACTED, audit.REDACTED]},
        "roles_added": ["officer"],
    }
    assert (event.actor_id, event.actor_ip) == (admin.id, "203.0.113.9")


def test_record_update_without_changes_records_nothing(db):
    user = make_person()
    db.session.flush()
    user.name = user.name
    assert record_update("user.update", user) is None
    assert db.session.scalars(events_for(user)).all() == []


def test_details_are_stored_as_json(db):
    when = utcnow()
    event = record("test.values", object_type="x", object_id=5, at=when, items=(1, "a"),
                   nested={"n": None}, other=S.DRAFT)
    db.session.flush()
    db.session.expire(event)
    stored = db.session.get(AuditEvent, event.id)
    assert stored.details == {"at": when.isoformat(), "items": [1, "a"], "nested": {"n": None},
                              "other": "draft"}
    assert stored.object_id == "5"


def test_a_system_transition_inside_a_request_is_recorded_as_the_system(app, db):
    people = make_people()
    case = make_case(S.DECIDED, applicant=people["applicant"])
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "192.0.2.11"}):
        login_user(people["officer"])
        history = apply(case, "report_due", None)
    event = db.session.scalars(events_for(case)).first()
    assert (history.actor_id, event.actor_id, event.action) == (None, None, "case.report_due")

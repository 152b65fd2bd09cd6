"""The audit log: written and read back, and refused UPDATE, DELETE and TRUNCATE by the database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from joinedup.domain.audit import Action, Actor, AuditEvent, Outcome
from joinedup.operational import OpsStore
from joinedup.operational.audit import AuditQuery

GP = Actor(name="dr.jones", user_id=7, role="practice_user", org_code="A81001")


def _view(patients: tuple[str, ...], resource: str = "worklist/af/to-treat") -> AuditEvent:
    return AuditEvent(actor=GP, action=Action.PATIENT_VIEW, resource=resource,
                      reason="worklist review", client_address="127.0.0.1", patients=patients)


def test_events_are_written_with_their_patients_and_read_newest_first(
    ops_store: OpsStore,
) -> None:
    first = ops_store.audit.append(_view(("9000000009", "9000000017", "9000000009")))
    second = ops_store.audit.append(AuditEvent(
        actor=Actor("cli:root"), action=Action.USER_ADD, resource="user/dr.jones"))
    third = ops_store.audit.append(AuditEvent(
        actor=GP, action=Action.LOGIN, resource="login", outcome=Outcome.FAILURE))
    entries = ops_store.audit.read()
    assert [e.id for e in entries] == [third, second, first]
    oldest = entries[-1]
    assert oldest.patients == ("9000000009", "9000000017")
    assert (oldest.user_name, oldest.role, oldest.org_code, oldest.reason, oldest.outcome) == (
        "dr.jones", "practice_user", "A81001", "worklist review", "success")
    assert oldest.as_row()["patients"] == "9000000009 9000000017"
    assert str(oldest.as_row()["at"]).endswith("Z")

    assert [e.id for e in ops_store.audit.read(AuditQuery(patient="9000000017"))] == [first]
    assert [e.id for e in ops_store.audit.read(AuditQuery(action="user.add"))] == [second]
    assert [e.id for e in ops_store.audit.read(AuditQuery(user_name="dr.jones"))] == [
        third, first]
    assert [e.id for e in ops_store.audit.read(AuditQuery(limit=1, before_id=third))] == [second]


def test_export_walks_every_entry_in_chunks(ops_store: OpsStore) -> None:
    ids = [ops_store.audit.append(_view((f"p{n}",))) for n in range(7)]
    walked = list(ops_store.audit.iter_all(chunk=3))
    assert [e.id for e in walked] == ids
    assert [e.patients for e in walked] == [(f"p{n}",) for n in range(7)]


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET user_name = 'someone else'",
    "UPDATE audit_log SET reason = NULL WHERE id = {id}",
    "DELETE FROM audit_log WHERE id = {id}",
    "DELETE FROM audit_log",
    "UPDATE audit_patients SET patient = '9999999999'",
    "DELETE FROM audit_patients",
])
def test_the_database_refuses_to_change_or_remove_audit_rows(
    ops_store: OpsStore, statement: str,
) -> None:
    audit_id = ops_store.audit.append(_view(("9000000009",)))
    with pytest.raises(DatabaseError, match="append-only"), ops_store.engine.begin() as conn:
        conn.execute(text(statement.format(id=audit_id)))
    [entry] = ops_store.audit.read()
    assert (entry.user_name, entry.reason, entry.patients) == (
        "dr.jones", "worklist review", ("9000000009",))


def test_postgresql_refuses_truncate_too(ops_store: OpsStore) -> None:
    ops_store.audit.append(_view(("9000000009",)))
    if ops_store.dialect == "sqlite":
        # SQLite has no TRUNCATE; its only bulk removal is DELETE, refused above.
        assert ops_store.dialect == "sqlite"
        return
    with pytest.raises(DatabaseError, match="append-only"), ops_store.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_patients, audit_log"))
    assert len(ops_store.audit.read()) == 1

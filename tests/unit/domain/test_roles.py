"""The access policy: every role against every permission, and organisation scoping."""

from __future__ import annotations

import pytest

from joinedup.domain.roles import (
    ROLE_PERMISSIONS,
    Permission,
    Principal,
    Refused,
    Role,
    RoleError,
    Scope,
    authorise,
    check_role_org,
    check_user_name,
    parse_role,
)

P = Permission
# Written out by hand from issue 10 item 5 and DESIGN.md "Privacy and security", not read from
# ROLE_PERMISSIONS: a change to the policy must change this table too.
EXPECTED = {
    Role.ADMIN: {P.ACCOUNT_READ, P.PUBLISHED_READ, P.USERS_MANAGE, P.AUDIT_READ,
                 P.NOTIFICATIONS_MANAGE},
    Role.ICS_ANALYST: {P.ACCOUNT_READ, P.PUBLISHED_READ, P.EXACT_READ},
    Role.PROGRAMME_LEAD: {P.ACCOUNT_READ, P.PUBLISHED_READ, P.EXACT_READ, P.PLAN_EDIT},
    Role.BOARD_VIEWER: {P.ACCOUNT_READ, P.PUBLISHED_READ},
    Role.PRACTICE_USER: {P.ACCOUNT_READ, P.PUBLISHED_READ, P.PATIENTS_READ},
    Role.CARE_PROFESSIONAL: {P.ACCOUNT_READ, P.PUBLISHED_READ, P.RECORD_READ, P.RECORD_WRITE},
}


def _who(role: Role, org: str | None = None) -> Principal:
    return Principal(user_id=1, name="someone", role=role, org_code=org)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_every_role_against_every_permission(role: Role, permission: Permission) -> None:
    org = "A81001"
    allowed = permission in EXPECTED[role]
    principal = _who(role, org)
    assert principal.can(permission) is allowed
    if allowed:
        authorise(principal, permission, orgs={org})
    else:
        with pytest.raises(Refused):
            authorise(principal, permission, orgs={org})


def test_the_table_covers_every_role_and_nothing_more() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert {r: set(p) for r, p in ROLE_PERMISSIONS.items()} == EXPECTED


def test_only_admins_manage_users_and_read_the_audit_log() -> None:
    for permission in (P.USERS_MANAGE, P.AUDIT_READ):
        assert [r for r in Role if permission in ROLE_PERMISSIONS[r]] == [Role.ADMIN]


def test_no_role_with_patient_data_lacks_an_organisation_scope() -> None:
    for permission in (P.PATIENTS_READ, P.RECORD_READ, P.RECORD_WRITE):
        assert permission.scope is Scope.OWN_ORGANISATION


def test_practice_user_sees_own_practice_only() -> None:
    user = _who(Role.PRACTICE_USER, "A81001")
    authorise(user, P.PATIENTS_READ, orgs=["A81001"])
    with pytest.raises(Refused, match="another organisation"):
        authorise(user, P.PATIENTS_READ, orgs=["A81002"])


def test_scoped_permission_without_named_organisations_fails_closed() -> None:
    with pytest.raises(Refused, match="no organisation"):
        authorise(_who(Role.PRACTICE_USER, "A81001"), P.PATIENTS_READ)


def test_care_professional_reads_when_any_related_organisation_is_theirs() -> None:
    nurse = _who(Role.CARE_PROFESSIONAL, "RR8")
    authorise(nurse, P.RECORD_READ, orgs={"B86001", "RR8"})
    with pytest.raises(Refused):
        authorise(nurse, P.RECORD_READ, orgs={"B86001", "RXF"})
    with pytest.raises(Refused):
        authorise(nurse, P.RECORD_READ, orgs=set())


def test_a_principal_without_organisation_is_refused_scoped_data() -> None:
    broken = _who(Role.PRACTICE_USER, None)
    with pytest.raises(Refused):
        authorise(broken, P.PATIENTS_READ, orgs={"A81001"})


def test_role_and_organisation_pairing() -> None:
    assert check_role_org(Role.PRACTICE_USER, " a81001 ") == "A81001"
    assert check_role_org(Role.ICS_ANALYST, None) is None
    with pytest.raises(RoleError, match="needs --org"):
        check_role_org(Role.CARE_PROFESSIONAL, None)
    with pytest.raises(RoleError, match="only for the roles"):
        check_role_org(Role.ADMIN, "A81001")
    with pytest.raises(RoleError, match="not an ODS code"):
        check_role_org(Role.PRACTICE_USER, "A8-1001")


def test_role_names_and_user_names() -> None:
    assert parse_role("board_viewer") is Role.BOARD_VIEWER
    with pytest.raises(RoleError, match="not one of"):
        parse_role("superuser")
    assert check_user_name("j.smith@nhs.net") == "j.smith@nhs.net"
    for bad in ("", " alice", "a" * 65, "bob;drop", "-x"):
        with pytest.raises(RoleError):
            check_user_name(bad)

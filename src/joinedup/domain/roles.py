"""Who may do what: the roles, the permissions and the one table that joins them.

Why a module of its own: every surface (dashboard pages, the JSON API, the FHIR API, the CLI)
asks the same question — may this person do this, to data about that organisation? — and must
get the same answer. The answer is declared here as data (`ROLE_PERMISSIONS`), read by one
function (`authorise`), so a reviewer can see the whole access policy on one screen and a test can
check every role against every permission. Least privilege by default: a role holds only the
permissions listed for it, and a permission scoped to an organisation is refused unless the
caller names the organisations the data belongs to and the person's own organisation is among
them. Pure rules: standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from joinedup.domain.errors import UserError


class Role(StrEnum):
    """The kinds of user (DESIGN.md, "Privacy and security"; issue 10 item 5)."""

    ADMIN = "admin"
    ICS_ANALYST = "ics_analyst"
    PROGRAMME_LEAD = "programme_lead"
    BOARD_VIEWER = "board_viewer"
    PRACTICE_USER = "practice_user"
    CARE_PROFESSIONAL = "care_professional"


class Scope(StrEnum):
    """How far a permission reaches once a role holds it."""

    GLOBAL = "global"
    """Anything of its kind (aggregates, the user list, the audit log)."""
    OWN_ORGANISATION = "own_organisation"
    """Only data belonging to one of the organisations the caller names, and only when the
    person's own organisation is one of them (a practice's patients; a patient's care
    relationships, as the record package computes them)."""


class Permission(StrEnum):
    """Everything a user can be allowed to do. Add one here, then grant it in the table below."""

    ACCOUNT_READ = "account:read"
    PUBLISHED_READ = "aggregates:published:read"
    EXACT_READ = "aggregates:exact:read"
    PLAN_EDIT = "plan:edit"
    PATIENTS_READ = "patients:read"
    RECORD_READ = "record:read"
    RECORD_WRITE = "record:write"
    USERS_MANAGE = "users:manage"
    AUDIT_READ = "audit:read"
    NOTIFICATIONS_MANAGE = "notifications:manage"

    @property
    def scope(self) -> Scope:
        return _SCOPES.get(self, Scope.GLOBAL)

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_SCOPES = {
    Permission.PATIENTS_READ: Scope.OWN_ORGANISATION,
    Permission.RECORD_READ: Scope.OWN_ORGANISATION,
    Permission.RECORD_WRITE: Scope.OWN_ORGANISATION,
}

_DESCRIPTIONS = {
    Permission.ACCOUNT_READ: "see your own account",
    Permission.PUBLISHED_READ: "see published figures (small counts suppressed, the rest rounded)",
    Permission.EXACT_READ: "see exact aggregate figures (not for publication)",
    Permission.PLAN_EDIT: "edit the willing list and the wave plan",
    Permission.PATIENTS_READ: "see your own practice's patients (worklists) and nobody else's",
    Permission.RECORD_READ: "read the records of patients your organisation cares for",
    Permission.RECORD_WRITE: "add to the records of patients your organisation cares for",
    Permission.USERS_MANAGE: "add and disable users, issue API tokens",
    Permission.AUDIT_READ: "read and export the audit log",
    Permission.NOTIFICATIONS_MANAGE: "list and replay record notifications that could not be "
                                     "delivered",
}

_EVERYONE = frozenset({Permission.ACCOUNT_READ, Permission.PUBLISHED_READ})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _EVERYONE | {Permission.USERS_MANAGE, Permission.AUDIT_READ,
                             Permission.NOTIFICATIONS_MANAGE},
    Role.ICS_ANALYST: _EVERYONE | {Permission.EXACT_READ},
    Role.PROGRAMME_LEAD: _EVERYONE | {Permission.EXACT_READ, Permission.PLAN_EDIT},
    Role.BOARD_VIEWER: _EVERYONE,
    Role.PRACTICE_USER: _EVERYONE | {Permission.PATIENTS_READ},
    Role.CARE_PROFESSIONAL: _EVERYONE | {Permission.RECORD_READ, Permission.RECORD_WRITE},
}
"""The whole access policy. An administrator manages accounts and reads the audit log but sees
no patient and no exact figure; patient-level permissions sit only with the roles tied to an
organisation."""

ROLES_WITH_ORGANISATION = frozenset({Role.PRACTICE_USER, Role.CARE_PROFESSIONAL})
"""Roles that act for one organisation and must be given its ODS code (and only these)."""

_ORG_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
_USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class RoleError(UserError):
    """A role, user name or organisation code that cannot be used as given."""


class Refused(Exception):
    """The principal may not do this. Not a `UserError`: surfaces answer it with 403."""

    def __init__(self, permission: Permission, reason: str) -> None:
        super().__init__(f"{permission.value}: {reason}")
        self.permission = permission
        self.reason = reason


@dataclass(frozen=True)
class Principal:
    """Who is asking: an authenticated user, their role and, for some roles, their organisation."""

    user_id: int
    name: str
    role: Role
    org_code: str | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        return ROLE_PERMISSIONS[self.role]

    def can(self, permission: Permission) -> bool:
        """Whether the role holds the permission at all (organisation checks come later)."""
        return permission in self.permissions


def authorise(
    principal: Principal, permission: Permission, orgs: Collection[str] | None = None
) -> None:
    """Raise `Refused` unless `principal` may use `permission` on data of `orgs`.

    `orgs` names the organisations the data belongs to: the practice whose patients are listed,
    or every organisation with a care relationship to the patient. It is required for a
    permission scoped to an organisation (leaving it out refuses, so a forgotten argument fails
    closed) and ignored otherwise.
    """
    if not principal.can(permission):
        raise Refused(permission, f"the {principal.role.value} role does not have it")
    if permission.scope is Scope.OWN_ORGANISATION:
        if orgs is None:
            raise Refused(permission, "no organisation was named for the data")
        if principal.org_code is None or principal.org_code not in orgs:
            raise Refused(permission, "the data belongs to another organisation")


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise RoleError(f"role {value!r} is not one of: {names}") from None


def check_user_name(name: str) -> str:
    if not _USER_NAME.match(name):
        raise RoleError(
            "user name must be 1-64 letters, digits or . _ @ - and start with a letter or digit"
        )
    return name


def check_role_org(role: Role, org_code: str | None) -> str | None:
    """The organisation code a user of `role` is tied to, normalised; refuse a wrong pairing."""
    if role in ROLES_WITH_ORGANISATION:
        if not org_code:
            raise RoleError(f"the {role.value} role needs --org (the organisation's ODS code)")
        code = org_code.strip().upper()
        if not _ORG_CODE.match(code):
            raise RoleError(f"--org {org_code!r} is not an ODS code (3-10 letters and digits)")
        return code
    if org_code:
        allowed = ", ".join(sorted(r.value for r in ROLES_WITH_ORGANISATION))
        raise RoleError(f"--org is only for the roles {allowed}")
    return None

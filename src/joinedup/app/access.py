"""The access policy as the surfaces see it: roles, permissions, and the one check.

Why: surfaces import only this package (`joinedup.app`), yet every route must name the permission
it needs and call the same check. This module hands them the domain's declared policy
(`joinedup.domain.roles`) unchanged; it adds nothing, so there is still one place the policy lives.
"""

from __future__ import annotations

from joinedup.domain.roles import (
    ROLE_PERMISSIONS,
    ROLES_WITH_ORGANISATION,
    Permission,
    Principal,
    Refused,
    Role,
    Scope,
    authorise,
)

__all__ = ["ROLES_WITH_ORGANISATION", "ROLE_PERMISSIONS", "Permission", "Principal", "Refused",
           "Role", "Scope", "authorise"]

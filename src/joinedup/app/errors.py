"""The errors surfaces catch, gathered for them.

Why: surfaces import only `joinedup.app`, and catch only errors a user can fix
(`joinedup.domain.errors.UserError` and its subclasses), answering anything else as a fault.
"""

from __future__ import annotations

from joinedup.domain.errors import UserError

__all__ = ["UserError"]

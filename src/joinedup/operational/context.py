"""What the parts of the operational store need from it: an engine, the clock and the policy.

Why a protocol of its own: accounts, sessions, sign-in throttling and the audit log are each a
module, and `OpsStore` composes them; each part depends on this small interface rather than on
the store that holds it, so the package has no import cycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine

from joinedup.domain.login_policy import LoginPolicy


class StoreContext(Protocol):
    @property
    def engine(self) -> Engine: ...

    @property
    def policy(self) -> LoginPolicy: ...

    def now(self) -> datetime: ...

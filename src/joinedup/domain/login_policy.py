"""How many wrong passwords, how long a session: the login rules, in one place.

Why: rate limits and session lifetimes are security policy, so they are declared once, as data a
reviewer can read and a deployment can tighten, rather than as numbers scattered through the web
code. The figures follow common practice for services holding health data (NCSC password
guidance favours long passwords and throttling over complexity rules and forced expiry); they are
choices of this project, not a published standard. Pure rules: standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from joinedup.domain.errors import UserError


class PasswordError(UserError):
    """A new password that the policy refuses (the message never repeats the password)."""


@dataclass(frozen=True)
class LoginPolicy:
    """Throttling, password and session rules for sign-in."""

    max_account_failures: int = 5
    """Wrong passwords for one account within `window` before it is locked for `window`."""
    max_address_failures: int = 20
    """Failed sign-ins from one client address within `window` before it is refused."""
    window: timedelta = timedelta(minutes=15)
    min_password_length: int = 12
    max_password_length: int = 1024
    session_idle: timedelta = timedelta(minutes=30)
    """A session unused this long ends."""
    session_absolute: timedelta = timedelta(hours=8)
    """A session ends this long after sign-in, used or not (one working day)."""

    def account_locked(self, recent_failures: int) -> bool:
        return recent_failures >= self.max_account_failures

    def address_locked(self, recent_failures: int) -> bool:
        return recent_failures >= self.max_address_failures

    def check_password(self, password: str) -> None:
        if len(password) < self.min_password_length:
            raise PasswordError(
                f"password must be at least {self.min_password_length} characters"
                " (three random words make a good one)"
            )
        if len(password) > self.max_password_length:
            raise PasswordError(f"password must be at most {self.max_password_length} characters")
        if password != password.strip():
            raise PasswordError("password must not start or end with spaces")


DEFAULT_LOGIN_POLICY = LoginPolicy()

"""Sign-in policy: lockout thresholds and password rules."""

from __future__ import annotations

import pytest

from joinedup.domain.login_policy import LoginPolicy, PasswordError


def test_lockout_thresholds_are_reached_not_exceeded() -> None:
    policy = LoginPolicy(max_account_failures=5, max_address_failures=20)
    assert not policy.account_locked(4)
    assert policy.account_locked(5)
    assert not policy.address_locked(19)
    assert policy.address_locked(20)


def test_password_rules() -> None:
    policy = LoginPolicy(min_password_length=12)
    policy.check_password("twelve chars")  # exactly 12
    with pytest.raises(PasswordError, match="at least 12"):
        policy.check_password("eleven char")
    with pytest.raises(PasswordError, match="spaces"):
        policy.check_password(" leading space here")
    with pytest.raises(PasswordError, match="at most"):
        policy.check_password("x" * 1025)


def test_password_errors_never_repeat_the_password() -> None:
    secret = "short-pw"
    with pytest.raises(PasswordError) as caught:
        LoginPolicy().check_password(secret)
    assert secret not in str(caught.value)

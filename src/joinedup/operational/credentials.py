"""Password hashes and API token secrets.

Why: passwords are hashed with Argon2id (argon2-cffi, RFC 9106 parameters by default), slow on
purpose so a stolen table cannot be brute-forced cheaply. API tokens are 256 random bits, so a
plain SHA-256 of the token is enough to store (nothing to brute-force) and keeps the lookup on
every API request fast; the token itself is shown once and never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "jdu_"
PRODUCTION_HASHER = PasswordHasher()
"""Argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 3 passes, 64 MiB)."""
HASHER = PRODUCTION_HASHER
"""The hasher in use (tests swap in a cheap one)."""
_DUMMY_HASH = PRODUCTION_HASHER.hash("not a real password; equalises the time of unknown users")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; an account without a password takes the same time to refuse."""
    try:
        return HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The stored form of a token or session id: hex SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


def sign(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())

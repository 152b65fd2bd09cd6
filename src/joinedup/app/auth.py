"""Use cases for signing in and out and for knowing who is asking.

Why here: the dashboard's sign-in form, its session cookie and the API's bearer tokens all end in
the same question — which enabled user, in which role, for which organisation? — and sign-in
attempts must be throttled and audited whichever surface takes them. Surfaces pass in what they
received (a name and password, a session id, a token, the client's address) and get a
`Principal` or a refusal.
"""

from __future__ import annotations

from joinedup.domain.audit import Action, Actor, AuditEvent, Outcome
from joinedup.domain.roles import Principal
from joinedup.operational import OpsStore

GENERIC_FAILURE = "The user name or password is not right, or the account is locked or disabled."
"""One message for every failed sign-in, so it never tells which part was wrong."""


class SignInRefused(Exception):
    """Sign-in failed; `str()` is safe to show (it does not say whether the account exists)."""


def sign_in(store: OpsStore, name: str, password: str, client: str) -> tuple[Principal, str]:
    """Check the password (unless throttled); returns the principal and a new session id."""
    name = name.strip()[:64]
    refusal = store.throttle.refusal(name, client)
    if refusal is not None:
        store.audit.append(AuditEvent(actor=Actor(name or "(blank)"), action=Action.LOGIN,
                                      resource="login", outcome=Outcome.REFUSED, reason=refusal,
                                      client_address=client))
        raise SignInRefused(GENERIC_FAILURE)
    user = store.accounts.check_password(name, password) if name and password else None
    store.throttle.record(name, client, succeeded=user is not None)
    if user is None:
        store.audit.append(AuditEvent(actor=Actor(name or "(blank)"), action=Action.LOGIN,
                                      resource="login", outcome=Outcome.FAILURE,
                                      client_address=client))
        raise SignInRefused(GENERIC_FAILURE)
    store.sessions.purge_expired()  # housekeeping, on the rare path that adds a session
    store.throttle.purge_before_window()
    principal = user.principal()
    store.audit.append(AuditEvent(
        actor=Actor(principal.name, principal.user_id, principal.role.value, principal.org_code),
        action=Action.LOGIN, resource="login", client_address=client))
    return principal, store.sessions.start(user)


def sign_out(store: OpsStore, session_id: str, principal: Principal | None,
             client: str) -> None:
    store.sessions.end(session_id)
    if principal is not None:
        store.audit.append(AuditEvent(
            actor=Actor(principal.name, principal.user_id, principal.role.value,
                        principal.org_code),
            action=Action.LOGOUT, resource="logout", client_address=client))


def principal_for_session(store: OpsStore, session_id: str) -> Principal | None:
    user = store.sessions.resolve(session_id)
    return None if user is None else user.principal()


def principal_for_token(store: OpsStore, token: str) -> Principal | None:
    user = store.accounts.user_for_token(token)
    return None if user is None else user.principal()

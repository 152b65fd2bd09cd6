"""Sending queued notifications: at least once, in order per patient, with retries and backoff.

Why: a notification that a patient was admitted matters only if it arrives, and a discharge
that overtakes its admission confuses the receiver. So for each endpoint and patient only the
oldest undelivered event is sent; later ones (of any of that endpoint's subscriptions) wait
behind it, while other endpoints and other patients go on. A failure (an error, a timeout,
an answer other than 2xx) is retried after an exponentially growing delay
(joinedup.domain.subscription_topics.DeliveryPolicy); after the last attempt the event moves to
the dead-letter list and the events behind it go on. An admin replays dead letters, which puts
them back in the queue with their original event numbers, so a receiver can tell a replay from a
new event. A row is claimed before it is sent (its next attempt pushed past the timeout), so a
second server process does not send it at the same moment; a process that dies mid-send leaves
the row to be retried — hence "at least once": receivers should ignore an event number they have
already seen.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update

from joinedup.domain.subscription_topics import DeliveryPolicy
from joinedup.record.schema import notification_outbox
from joinedup.record.store import RecordStore
from joinedup.record.subscriptions import Subscriptions, parse

Sender = Callable[[str, dict[str, str], bytes, float], None]
"""Posts a body to a URL with headers and a timeout; raises on failure (any non-2xx)."""


class DeliveryFailed(Exception):
    pass


def http_sender(url: str, headers: dict[str, str], body: bytes, timeout: float) -> None:
    import httpx

    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"the endpoint answered {response.status_code}")


@dataclass(frozen=True)
class Letter:
    """A queued, delivered or dead notification, as an admin sees it (no patient values)."""

    id: int
    subscription_id: str
    topic: str
    event_number: int
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    last_error: str | None


class Delivery:
    def __init__(self, store: RecordStore, subscriptions: Subscriptions, policy: DeliveryPolicy,
                 base_url: str, sender: Sender = http_sender) -> None:
        self.store = store
        self.subscriptions = subscriptions
        self.policy = policy
        self.base_url = base_url
        self.sender = sender

    def deliver_due(self, limit: int = 100) -> int:
        """Send every event that is due and at the head of its queue; returns how many went."""
        sent = 0
        for _ in range(limit):
            row = self._claim_next()
            if row is None:
                return sent
            if self._send(row):
                sent += 1
        return sent

    def _claim_next(self) -> Any | None:
        o = notification_outbox
        now = self.store.clock()
        heads = (select(func.min(o.c.id).label("id")).where(o.c.status == "pending")
                 .group_by(o.c.endpoint, o.c.patient_id).subquery())
        with self.store.engine.begin() as conn:
            row = conn.execute(select(o).join(heads, heads.c.id == o.c.id)
                               .where(o.c.next_attempt_at <= now)
                               .order_by(o.c.next_attempt_at, o.c.id).limit(1)).one_or_none()
            if row is None:
                return None
            lease = now + timedelta(seconds=self.policy.timeout_seconds * 3)
            claimed = conn.execute(update(o).where(
                o.c.id == row.id, o.c.status == "pending",
                o.c.next_attempt_at == row.next_attempt_at).values(next_attempt_at=lease))
            return row if claimed.rowcount == 1 else None

    def _send(self, row: Any) -> bool:
        o = notification_outbox
        now = self.store.clock()
        try:
            subscription = self.store.read("Subscription", row.subscription_id)
            if subscription is None:
                raise DeliveryFailed("the subscription no longer exists")
            spec = parse(subscription.content)
            focus = self.store.vread(row.focus_type, row.focus_id, row.focus_version)
            bundle = self.subscriptions.notification(spec, row, focus, self.base_url, now)
            headers = {"Content-Type": "application/fhir+json"}
            for header in spec.headers:
                name, _, value = header.partition(":")
                if name.strip() and value.strip():
                    headers[name.strip()] = value.strip()
            body = json.dumps(bundle, separators=(",", ":")).encode()
            self.sender(spec.endpoint, headers, body, self.policy.timeout_seconds)
        except Exception as exc:  # any failure is retried, then dead-lettered
            failures = row.attempts + 1
            dead = self.policy.gives_up(failures)
            retry = now + timedelta(seconds=self.policy.delay(failures))
            with self.store.engine.begin() as conn:
                conn.execute(update(o).where(o.c.id == row.id).values(
                    attempts=failures, last_error=str(exc)[:500],
                    status="dead" if dead else "pending", next_attempt_at=retry))
            return False
        with self.store.engine.begin() as conn:
            conn.execute(update(o).where(o.c.id == row.id).values(
                status="delivered", attempts=row.attempts + 1, delivered_at=now,
                last_error=None))
        return True

    def letters(self, status: str | None = "dead", subscription_id: str | None = None
                ) -> list[Letter]:
        o = notification_outbox
        query = select(o).order_by(o.c.id)
        if status:
            query = query.where(o.c.status == status)
        if subscription_id:
            query = query.where(o.c.subscription_id == subscription_id)
        with self.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Letter(r.id, r.subscription_id, r.topic, r.event_number, r.status, r.attempts,
                       r.created_at, r.next_attempt_at, r.last_error) for r in rows]

    def replay(self, ids: list[int] | None = None) -> int:
        """Put dead letters (all, or those named) back in the queue; returns how many."""
        o = notification_outbox
        condition = and_(o.c.status == "dead", o.c.id.in_(ids) if ids else o.c.id.isnot(None))
        with self.store.engine.begin() as conn:
            result = conn.execute(update(o).where(condition).values(
                status="pending", attempts=0, next_attempt_at=self.store.clock(),
                last_error=None))
        return result.rowcount


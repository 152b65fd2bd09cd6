"""Topic-based subscriptions to admissions and discharges, following HL7's R4 backport.

Why: a practice or community team subscribes once and is told of every admission and discharge
of its patients (issue 11). The shapes follow the Subscriptions R5 Backport IG (STU 1.1,
http://hl7.org/fhir/uv/subscriptions-backport/): topics are published as `Basic` resources
(code `SubscriptionTopic`, the R5 cross-version extensions); a Subscription names its topic's
canonical URL in `criteria`, may narrow it with `backport-filter-criteria`
(`Encounter?patient=Patient/123`), uses the `rest-hook` channel with `application/fhir+json`
and chooses `id-only` or `full-resource` (or `empty`) with `backport-payload-content`; each
notification is a `history` Bundle whose first entry is a Parameters resource in the
`backport-subscription-status-r4` shape. Without a filter, a subscription follows the patients
the subscribing organisation has a care relationship with.

Events are queued in the outbox in the same transaction as the Encounter that caused them
(a transactional outbox), so a committed admission is never lost and a rolled-back one never
sent; record/delivery.py sends them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, func, insert, select, update

from joinedup.domain.subscription_topics import (
    PAYLOAD_CONTENTS,
    TOPICS,
    Topic,
    encounter_events,
)
from joinedup.record.outcome import FhirError, Issue
from joinedup.record.relationships import Relationships
from joinedup.record.schema import fhir_resources, fhir_search, notification_outbox
from joinedup.record.schema import subscription_events as counters
from joinedup.record.store import RecordStore, Stored, instant

BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
PAYLOAD_CONTENT = BACKPORT + "backport-payload-content"
FILTER_CRITERIA = BACKPORT + "backport-filter-criteria"
STATUS_PROFILE = BACKPORT + "backport-subscription-status-r4"
NOTIFICATION_PROFILE = BACKPORT + "backport-subscription-notification-r4"
SUBSCRIBER = "https://joinedup.invalid/fhir/StructureDefinition/subscriber-organization"
R5_EXT = "http://hl7.org/fhir/5.0/StructureDefinition/extension-SubscriptionTopic."
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"


@dataclass(frozen=True)
class SubscriptionSpec:
    id: str
    topic: Topic
    endpoint: str
    headers: tuple[str, ...]
    content: str
    patient_filter: str | None
    subscriber: str | None
    status: str


def topic_resource(topic: Topic) -> dict[str, Any]:
    """A topic as an R4 Basic resource (the backport IG's R4 representation)."""
    return {
        "resourceType": "Basic", "id": f"topic-{topic.code}",
        "code": {"coding": [{"system": "http://hl7.org/fhir/fhir-types",
                             "code": "SubscriptionTopic"}]},
        "extension": [
            {"url": R5_EXT + "url", "valueUri": topic.url},
            {"url": R5_EXT + "title", "valueString": topic.title},
            {"url": R5_EXT + "status", "valueCode": "active"},
            {"url": R5_EXT + "description", "valueMarkdown": topic.description},
            {"url": R5_EXT + "resourceTrigger", "extension": [
                {"url": "resource", "valueUri": "http://hl7.org/fhir/StructureDefinition/Encounter"},
                {"url": "supportedInteraction", "valueCode": "create"},
                {"url": "supportedInteraction", "valueCode": "update"},
                {"url": "fhirPathCriteria",
                 "valueString": f"%current.status = '{topic.status}' and "
                                f"(%previous.empty() or %previous.status != '{topic.status}')"},
            ]},
        ],
    }


def _ext(node: dict[str, Any], url: str) -> list[dict[str, Any]]:
    return [e for e in node.get("extension", []) if e.get("url") == url]


def prepare(content: dict[str, Any], subscriber: str | None) -> dict[str, Any]:
    """A Subscription as the server keeps it: checked, active, naming who subscribed."""
    spec = parse(content)
    prepared = {**content, "status": "off" if spec.status == "off" else "active"}
    others = [e for e in content.get("extension", []) if e.get("url") != SUBSCRIBER]
    if subscriber:
        others.append({"url": SUBSCRIBER, "valueIdentifier": {"system": ODS_SYSTEM,
                                                              "value": subscriber}})
    if others:
        prepared["extension"] = others
    return prepared


def parse(content: dict[str, Any]) -> SubscriptionSpec:
    def refuse(message: str, where: str) -> FhirError:
        return FhirError(422, Issue("business-rule", message, f"Subscription.{where}"))

    topic = TOPICS.get(content.get("criteria", ""))
    if topic is None:
        known = ", ".join(sorted(TOPICS))
        raise refuse(f"criteria must be the canonical URL of a topic this server offers "
                     f"({known})", "criteria")
    channel = content.get("channel", {})
    if channel.get("type") != "rest-hook":
        raise refuse("only the rest-hook channel is offered", "channel.type")
    endpoint = channel.get("endpoint", "")
    if urlsplit(endpoint).scheme not in ("http", "https") or not urlsplit(endpoint).netloc:
        raise refuse("channel.endpoint must be an http(s) URL", "channel.endpoint")
    if channel.get("payload", "application/fhir+json") not in ("application/fhir+json",
                                                               "application/json"):
        raise refuse("channel.payload must be application/fhir+json", "channel.payload")
    payload_ext = _ext(channel.get("_payload", {}), PAYLOAD_CONTENT)
    payload = payload_ext[0].get("valueCode", "id-only") if payload_ext else "id-only"
    if payload not in PAYLOAD_CONTENTS:
        raise refuse(f"payload content must be one of {', '.join(PAYLOAD_CONTENTS)}",
                     "channel.payload")
    patient = None
    for item in _ext(content.get("_criteria", {}), FILTER_CRITERIA):
        text = item.get("valueString", "")
        resource, _, query = text.partition("?")
        name, _, value = query.partition("=")
        if resource != "Encounter" or name not in ("patient", "subject") or not value:
            raise refuse("the only filter offered is Encounter?patient=Patient/<id>",
                         "criteria.extension")
        patient = value.split("/")[-1]
    subscriber = None
    for item in _ext(content, SUBSCRIBER):
        subscriber = item.get("valueIdentifier", {}).get("value")
    return SubscriptionSpec(
        id=str(content.get("id", "")), topic=topic, endpoint=endpoint,
        headers=tuple(channel.get("header", [])), content=payload, patient_filter=patient,
        subscriber=subscriber, status=content.get("status", "requested"))


class Subscriptions:
    def __init__(self, store: RecordStore, relationships: Relationships) -> None:
        self.store = store
        self.relationships = relationships

    def on_write(self, conn: Connection, before: Stored | None, after: Stored) -> None:
        """Hook: queue an event for every active subscription an Encounter change matches."""
        if after.type != "Encounter":
            return
        topics = encounter_events(before.content if before else None, after.content)
        if not topics:
            return
        now = self.store.clock()
        orgs = self._orgs(conn, after.patient_id, now) if after.patient_id else set()
        for spec in self.active(conn):
            if spec.topic not in topics:
                continue
            if spec.patient_filter is not None:
                if spec.patient_filter != after.patient_id:
                    continue
            elif spec.subscriber not in orgs:
                continue
            number = self._next_event(conn, spec.id)
            conn.execute(insert(notification_outbox).values(
                subscription_id=spec.id, endpoint=spec.endpoint[:512], topic=spec.topic.url,
                event_number=number,
                patient_id=after.patient_id, focus_type=after.type, focus_id=after.id,
                focus_version=after.version, created_at=now, status="pending", attempts=0,
                next_attempt_at=now))

    def _orgs(self, conn: Connection, patient: str, now: datetime) -> set[str]:
        from joinedup.record.schema import care_relationships as r

        return set(conn.execute(select(r.c.org_code).where(
            r.c.patient_id == patient, self.relationships._open(now))).scalars())

    def active(self, conn: Connection) -> list[SubscriptionSpec]:
        s, t = fhir_search, fhir_resources
        rows = conn.execute(select(t.c.content).where(
            t.c.res_type == "Subscription", t.c.res_id.in_(select(s.c.res_id).where(
                s.c.res_type == "Subscription", s.c.param == "status",
                s.c.value == "active")))).scalars()
        return [parse(json.loads(text)) for text in rows]

    def _next_event(self, conn: Connection, subscription_id: str) -> int:
        updated = conn.execute(update(counters).where(
            counters.c.subscription_id == subscription_id).values(events=counters.c.events + 1)
            .returning(counters.c.events)).scalar_one_or_none()
        if updated is not None:
            return int(updated)
        conn.execute(insert(counters).values(subscription_id=subscription_id, events=1))
        return 1

    def events_since_start(self, subscription_id: str) -> int:
        with self.store.engine.connect() as conn:
            found = conn.execute(select(counters.c.events).where(
                counters.c.subscription_id == subscription_id)).scalar_one_or_none()
        return int(found or 0)

    def status_parameters(self, spec: SubscriptionSpec, base: str, kind: str,
                          events: list[list[dict[str, Any]]] | None = None) -> dict[str, Any]:
        """The backport-subscription-status-r4 Parameters for a notification or $status."""
        with self.store.engine.connect() as conn:
            dead = conn.execute(select(func.count()).select_from(notification_outbox).where(
                notification_outbox.c.subscription_id == spec.id,
                notification_outbox.c.status == "dead")).scalar_one()
        parameters: list[dict[str, Any]] = [
            {"name": "subscription", "valueReference": {"reference":
                                                        f"{base}/Subscription/{spec.id}"}},
            {"name": "topic", "valueCanonical": spec.topic.url},
            {"name": "status", "valueCode": "error" if dead else spec.status},
            {"name": "type", "valueCode": kind},
            {"name": "events-since-subscription-start",
             "valueString": str(self.events_since_start(spec.id))},
        ]
        for event in events or []:
            parameters.append({"name": "notification-event", "part": event})
        if dead:
            parameters.append({"name": "error", "valueCodeableConcept": {
                "text": f"{dead} notification(s) could not be delivered and wait in the "
                        "dead-letter list"}})
        return {"resourceType": "Parameters", "id": str(uuid.uuid4()),
                "meta": {"profile": [STATUS_PROFILE]}, "parameter": parameters}

    def notification(self, spec: SubscriptionSpec, row: Any, focus: Stored | None,
                     base: str, now: datetime) -> dict[str, Any]:
        """The history Bundle sent to the endpoint for one queued event."""
        focus_url = f"{base}/{row.focus_type}/{row.focus_id}"
        event: list[dict[str, Any]] = [
            {"name": "event-number", "valueString": str(row.event_number)},
            {"name": "timestamp", "valueInstant": instant(row.created_at)},
        ]
        if spec.content != "empty":
            event.append({"name": "focus", "valueReference": {"reference": focus_url}})
        status = self.status_parameters(spec, base, "event-notification", [event])
        entries: list[dict[str, Any]] = [{
            "fullUrl": f"urn:uuid:{status['id']}", "resource": status,
            "request": {"method": "GET", "url": f"Subscription/{spec.id}/$status"},
            "response": {"status": "200"}}]
        if spec.content != "empty":
            entry: dict[str, Any] = {
                "fullUrl": focus_url,
                "request": {"method": "POST" if row.focus_version == 1 else "PUT",
                            "url": row.focus_type if row.focus_version == 1
                            else f"{row.focus_type}/{row.focus_id}"},
                "response": {"status": "201" if row.focus_version == 1 else "200"}}
            if spec.content == "full-resource" and focus is not None:
                entry["resource"] = focus.content
            entries.append(entry)
        return {"resourceType": "Bundle", "id": str(uuid.uuid4()),
                "meta": {"profile": [NOTIFICATION_PROFILE]}, "type": "history",
                "timestamp": instant(now), "entry": entries}


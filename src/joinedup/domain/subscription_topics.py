"""The events a GP practice or community team can subscribe to: admissions and discharges.

Why: a community nurse told the moment their patient is admitted can start discharge planning
early; a GP told of a discharge can follow up (issue 11). The notification machinery follows
HL7's Subscriptions R5 Backport IG (STU 1.1, for FHIR R4): a topic is a canonical URL, a
subscription names one topic, and each event carries the resource that triggered it. These rules
say which change to an Encounter is which event. Pure rules: standard library only.

An Encounter is an inpatient stay when its `class` is an inpatient code of the HL7 v3 ActCode
system (IMP inpatient, ACUTE inpatient acute, NONAC inpatient non-acute). It is an admission when
it first reaches `in-progress` (created so, or updated to it from another status); a discharge
when it first reaches `finished`. An update that leaves the status as it was triggers nothing,
so a corrected address or an added diagnosis does not notify anyone twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
INPATIENT_CLASSES = frozenset({"IMP", "ACUTE", "NONAC"})
TOPIC_BASE = "https://joinedup.invalid/fhir/SubscriptionTopic/"

PAYLOAD_CONTENTS = ("empty", "id-only", "full-resource")
"""The backport IG's payload content codes (backport-content-value-set)."""


@dataclass(frozen=True)
class Topic:
    code: str
    title: str
    description: str
    status: str

    @property
    def url(self) -> str:
        return TOPIC_BASE + self.code


ADMISSION = Topic("admission", "Admission",
                  "A patient is admitted to hospital (an inpatient Encounter becomes in-progress)",
                  "in-progress")
DISCHARGE = Topic("discharge", "Discharge",
                  "A patient is discharged from hospital (an inpatient Encounter becomes finished)",
                  "finished")
TOPICS: dict[str, Topic] = {t.url: t for t in (ADMISSION, DISCHARGE)}


def is_inpatient(encounter: Mapping[str, Any]) -> bool:
    klass = encounter.get("class") or {}
    return klass.get("system") == ACT_CODE and klass.get("code") in INPATIENT_CLASSES


def encounter_events(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[Topic]:
    """The topics a change of an Encounter from `before` (None: created) to `after` triggers."""
    if not is_inpatient(after):
        return []
    old_status = None if before is None else before.get("status")
    new_status = after.get("status")
    if new_status == old_status:
        return []
    return [t for t in (ADMISSION, DISCHARGE) if t.status == new_status]


@dataclass(frozen=True)
class DeliveryPolicy:
    """Retries of a notification a subscriber's endpoint did not accept.

    Exponential backoff: the n-th failed attempt waits `first_delay_seconds * 2**(n-1)` seconds
    (capped at `max_delay_seconds`) before the next; after `max_attempts` failures the
    notification goes to the dead-letter list, where an admin can replay it.
    """

    max_attempts: int = 6
    first_delay_seconds: float = 5.0
    max_delay_seconds: float = 600.0
    timeout_seconds: float = 10.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th failure (1, 2, …)."""
        return min(self.first_delay_seconds * 2 ** (failures - 1), self.max_delay_seconds)

    def gives_up(self, failures: int) -> bool:
        return failures >= self.max_attempts


DEFAULT_DELIVERY_POLICY = DeliveryPolicy()

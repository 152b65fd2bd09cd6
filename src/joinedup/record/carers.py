"""Where the record's carers are: the place of each cared-for person's registered practice.

Why: the partnership's carers programme plans support by place (issue 11). A carer recorded
once (a RelatedPerson marked as a carer, joinedup.domain.carers) is counted once, at the place
its cared-for person's practice belongs to (following `partOf` up from the practice to the
Organization whose type is `place`). Carers of patients who opted out of secondary use, of
inactive carers and of patients with no registered practice in the record are not counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from joinedup.domain.carers import is_carer
from joinedup.record.relationships import Relationships
from joinedup.record.schema import fhir_resources
from joinedup.record.search_params import reference_key
from joinedup.record.store import RecordStore
from joinedup.record.synthetic import OPT_OUT, ORG_TYPE_SYSTEM


def carer_places(store: RecordStore, relationships: Relationships
                 ) -> Iterator[tuple[str, str]]:
    t = fhir_resources
    with store.engine.connect() as conn:
        carers = [json.loads(c) for c in conn.execute(
            select(t.c.content).where(t.c.res_type == "RelatedPerson")).scalars()]
    places: dict[str, tuple[str, str] | None] = {}
    for carer in carers:
        if carer.get("active") is False or not is_carer(carer):
            continue
        key = reference_key(carer.get("patient"))
        patient = store.read("Patient", key.split("/")[1]) if key else None
        if patient is None or _opted_out(patient.content):
            continue
        gp = (patient.content.get("generalPractitioner") or [None])[0]
        practice = reference_key(gp)
        if not practice or not practice.startswith("Organization/"):
            continue
        org_id = practice.split("/")[1]
        if org_id not in places:
            places[org_id] = _place(store, org_id)
        found = places[org_id]
        if found:
            yield found


def _opted_out(patient: dict[str, Any]) -> bool:
    return any(e.get("url") == OPT_OUT and e.get("valueBoolean") is True
               for e in patient.get("extension", []))


def _place(store: RecordStore, org_id: str) -> tuple[str, str] | None:
    seen = set()
    while org_id and org_id not in seen:
        seen.add(org_id)
        org = store.read("Organization", org_id)
        if org is None:
            return None
        types = [c.get("code") for t in org.content.get("type", []) for c in t.get("coding", [])
                 if c.get("system") == ORG_TYPE_SYSTEM]
        if "place" in types:
            return org_id, str(org.content.get("name", org_id))
        parent = reference_key(org.content.get("partOf"))
        org_id = parent.split("/")[1] if parent else ""
    return None

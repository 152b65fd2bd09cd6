"""Patient/$everything: every resource in a patient's compartment, and what they refer to.

Why: a clinician meeting a patient for the first time wants the whole record at once
(http://hl7.org/fhir/R4/patient-operation-everything.html): the Patient, everything about them,
and the organisations, practitioners, locations and medications those resources refer to, so
the answer reads on its own. Resources are listed Patient first, then by type and last update.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from joinedup.record.schema import fhir_resources
from joinedup.record.search_params import reference_key
from joinedup.record.store import RecordStore, Stored, _references

REFERRED = ("Organization", "Practitioner", "PractitionerRole", "Location", "Medication")


def compartment(store: RecordStore, patient: Stored) -> list[Stored]:
    t = fhir_resources
    with store.engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.patient_id == patient.id,
                                            t.c.res_type != "Patient")
                            .order_by(t.c.res_type, t.c.last_updated, t.c.res_id)).all()
        members = [Stored(r.res_type, r.res_id, r.version, r.last_updated, r.patient_id,
                          json.loads(r.content)) for r in rows]
        wanted: list[tuple[str, str]] = []
        for stored in [patient, *members]:
            for node in _references(stored.content):
                key = reference_key(node)
                if key and key.split("/")[0] in REFERRED:
                    pair = (key.split("/")[0], key.split("/")[1])
                    if pair not in wanted:
                        wanted.append(pair)
        referred = store.read_many(wanted, conn)
    return [patient, *members, *referred]

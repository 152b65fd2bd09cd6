"""Loading the record from files: FHIR resources (JSON or XML) and the synthetic ICS.

Why: one record per patient from every source (issue 11). An operator loads FHIR files — the
NHS England UK Core examples are published as XML — and the contract tables already validated
into the analytics store (`joinedup load`: GP events, hospital encounters, community visits),
so the demo shows one joined-up record. Loading runs as the operator (no user, no care
relationship needed) and is not a view of anyone's record, so it is not audited per patient;
every resource still passes the same FHIR R4 and UK Core validation as the API's, and a file or
row that fails is reported with its reason and nothing else about it (rows in = loaded +
rejected).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joinedup.app.record import Caller, RecordService
from joinedup.record.outcome import FhirError
from joinedup.record.xml import resource_from_xml

OPERATOR = Caller(None)
Progress = Callable[[int, int], None]


@dataclass
class LoadReport:
    loaded: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    """(where: a file name or table and row, why) for each resource refused."""
    stored: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(type, id, patient id) of each resource stored, in order."""

    @property
    def total(self) -> int:
        return self.loaded + len(self.rejected)


def read_fhir_file(path: Path) -> dict[str, Any]:
    """One resource from a .json or .xml file."""
    data = path.read_bytes()
    if path.suffix.lower() == ".xml":
        return resource_from_xml(data)
    try:
        parsed = json.loads(data)
    except ValueError:
        raise FhirError(400, []) from None
    if not isinstance(parsed, dict):
        raise FhirError(400, [])
    return parsed


def load_fhir_files(service: RecordService, paths: Iterable[Path],
                    progress: Progress | None = None) -> LoadReport:
    """Store each file's resource under its own id (or a new one), as the operator."""
    files = sorted(paths)
    report = LoadReport()
    for done, path in enumerate(files, 1):
        try:
            resource = read_fhir_file(path)
            kind = resource.get("resourceType")
            stored, _ = service.write(OPERATOR, str(kind), resource, resource.get("id"))
        except FhirError as error:
            where = "; ".join(f"{i.expression or '(file)'}: {i.diagnostics}"
                              for i in error.issues) or "not a FHIR resource"
            report.rejected.append((path.name, where))
        else:
            report.loaded += 1
            report.stored.append((stored.type, stored.id, stored.patient_id))
        if progress:
            progress(done, len(files))
    return report


def load_resources(service: RecordService, resources: Iterator[tuple[str, dict[str, Any]]],
                   total: int, progress: Progress | None = None, chunk: int = 500
                   ) -> LoadReport:
    """Store (where, resource) pairs in transactions of `chunk`; a refused one is reported."""
    report = LoadReport()
    done = 0
    batch: list[tuple[str, dict[str, Any]]] = []

    def flush() -> None:
        nonlocal done
        try:
            with service.store.begin() as conn:
                written = service.load_many(conn, [resource for _, resource in batch])
            report.stored.extend((s.type, s.id, s.patient_id) for s in written)
            report.loaded += len(batch)
        except FhirError:
            for where, resource in batch:  # find the culprit: one at a time
                try:
                    stored, _ = service.write(OPERATOR, resource["resourceType"], resource,
                                              resource.get("id"))
                    report.stored.append((stored.type, stored.id, stored.patient_id))
                    report.loaded += 1
                except FhirError as error:
                    report.rejected.append((where, "; ".join(
                        f"{i.expression or ''}: {i.diagnostics}" for i in error.issues)))
        done += len(batch)
        batch.clear()
        if progress:
            progress(done, total)

    for item in resources:
        batch.append(item)
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return report


SYNTHETIC_TABLES = ("organisations", "patients", "encounters", "clinical_events", "medications")


def _rows(con: Any, table: str) -> list[dict[str, Any]]:
    from joinedup.engines.queries import has_table

    if not has_table(con, table):
        return []
    frame = con.table(table).execute()
    frame = frame.astype(object).where(frame.notna(), None)
    return list(frame.to_dict("records"))


def load_analytics_store(service: RecordService, db: Path, progress: Progress | None = None
                         ) -> tuple[dict[str, int], LoadReport]:
    """Every contract row of the analytics store at `db` as FHIR resources in the record.

    Returns the rows read per table and the load report. Rows are already validated by
    `joinedup load`; each resource is validated again as FHIR R4 and UK Core. Loading again
    updates each resource to a new version (ids come from the contract's keys).
    """
    from joinedup.app.store import open_store
    from joinedup.record import synthetic

    with open_store(db) as opened:
        tables = {name: _rows(opened.con, name) for name in SYNTHETIC_TABLES}
        today = opened.reference_date()
    counts = {name: len(rows) for name, rows in tables.items()}
    visits = [r for r in tables["encounters"] if r["kind"] == "community_visit"]

    def resources() -> Iterator[tuple[str, dict[str, Any]]]:
        for index, row in enumerate(tables["organisations"], 1):
            yield f"organisations row {index}", synthetic.organization(row)
        for index, row in enumerate(tables["patients"], 1):
            yield f"patients row {index}", synthetic.patient(row)
        for index, row in enumerate(tables["encounters"], 1):
            made = synthetic.encounter(row)
            if made is not None:
                yield f"encounters row {index}", made
        for episode in synthetic.caseloads(visits, today, service.policy.recent_days):
            yield f"community visits of {episode['id']}", episode
        for index, row in enumerate(tables["clinical_events"], 1):
            yield f"clinical_events row {index}", synthetic.observation(index, row)
        for index, row in enumerate(tables["medications"], 1):
            yield f"medications row {index}", synthetic.medication(index, row)

    discharges = sum(1 for r in tables["encounters"] if r["kind"] == "discharge")
    total = sum(counts.values()) - discharges + len({(r["patient_id"], r["org_code"])
                                                     for r in visits})
    return counts, load_resources(service, resources(), total, progress)

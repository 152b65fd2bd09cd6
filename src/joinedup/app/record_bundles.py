"""Batch and transaction Bundles posted to /fhir (http://hl7.org/fhir/R4/http.html#transaction).

Why: a hospital system sends an admission as one Bundle (the Patient, the Encounter, the
Conditions), and either all of it is recorded or none. A `transaction` runs every entry in one
database transaction: entries whose `fullUrl` is a `urn:uuid:` get server ids, and references to
those urns anywhere in the Bundle are rewritten to them; writes (POST, PUT) come before reads
(GET), as R4 orders them; the first failure rolls everything back and answers with its status and
an OperationOutcome naming the entry. A `batch` runs entries one by one and reports each
outcome in its response entry. Every entry is validated, authorised and audited exactly as the
same request sent on its own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from joinedup.app.record import Caller, RecordService
from joinedup.domain.roles import Refused
from joinedup.record.outcome import FhirError, Issue, operation_outcome
from joinedup.record.store import Stored, instant
from joinedup.record.validation import ensure_valid

Render = Callable[[Caller, str, list[tuple[str, str]]], dict[str, Any]]
"""Answers a GET entry (path, query) with the resource or Bundle the same GET would give."""


def process(service: RecordService, caller: Caller, body: Any, read: Render) -> dict[str, Any]:
    bundle = ensure_valid(body, "Bundle")
    kind = bundle.get("type")
    if kind not in ("batch", "transaction"):
        raise FhirError(400, Issue("invalid", "POST /fhir takes a batch or transaction Bundle",
                                   "Bundle.type"))
    entries = bundle.get("entry", [])
    for index, entry in enumerate(entries):
        request = entry.get("request")
        if not request or request.get("method") not in ("GET", "POST", "PUT"):
            raise FhirError(400, Issue("not-supported", "each entry needs a request with "
                                       "method GET, POST or PUT", f"Bundle.entry[{index}]"))
    if kind == "transaction":
        return _transaction(service, caller, entries, read)
    return _batch(service, caller, entries, read)


def _target(entry: dict[str, Any], index: int) -> tuple[str, str | None, str]:
    url = entry["request"].get("url", "")
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        raise FhirError(400, Issue("invalid", "request.url names no resource type",
                                   f"Bundle.entry[{index}].request.url"))
    return segments[0], segments[1] if len(segments) > 1 else None, parts.query


def _if_match(entry: dict[str, Any]) -> int | None:
    tag = entry["request"].get("ifMatch")
    if not tag:
        return None
    digits = tag.replace('W/', '').strip('"')
    if not digits.isdigit():
        raise FhirError(400, Issue("invalid", "ifMatch must be an ETag such as W/\"3\""))
    return int(digits)


def _write(service: RecordService, caller: Caller, entry: dict[str, Any], index: int,
           conn: Any = None, deferred: list[Callable[[], None]] | None = None
           ) -> tuple[Stored, bool]:
    res_type, res_id, _ = _target(entry, index)
    resource = entry.get("resource")
    if resource is None:
        raise FhirError(400, Issue("required", "a POST or PUT entry needs a resource",
                                   f"Bundle.entry[{index}].resource"))
    method = entry["request"]["method"]
    return service.write(caller, res_type, resource, res_id if method == "PUT" else None,
                         _if_match(entry), conn=conn, deferred=deferred)


def _response(stored: Stored, created: bool) -> dict[str, Any]:
    return {"response": {"status": "201 Created" if created else "200 OK",
                         "location": f"{stored.type}/{stored.id}/_history/{stored.version}",
                         "etag": stored.etag, "lastModified": instant(stored.last_updated)}}


def _read_entry(caller: Caller, entry: dict[str, Any], index: int, read: Render
                ) -> dict[str, Any]:
    url = urlsplit(entry["request"].get("url", ""))
    return {"resource": read(caller, url.path, parse_qsl(url.query)),
            "response": {"status": "200 OK"}}


def _transaction(service: RecordService, caller: Caller, entries: list[dict[str, Any]],
                 read: Render) -> dict[str, Any]:
    entries = _resolve_urns(entries)
    results: list[dict[str, Any] | None] = [None] * len(entries)
    deferred: list[Callable[[], None]] = []
    order = sorted(range(len(entries)),
                   key=lambda i: entries[i]["request"]["method"] == "GET")
    with service.store.begin() as conn:
        for index in order:
            entry = entries[index]
            if entry["request"]["method"] == "GET":
                continue
            try:
                stored, created = _write(service, caller, entry, index, conn, deferred)
            except FhirError as error:
                raise FhirError(error.status, [_at(i, index) for i in error.issues]) from None
            results[index] = _response(stored, created)
    for audit in deferred:
        audit()
    for index in order:
        if entries[index]["request"]["method"] == "GET":
            results[index] = _read_entry(caller, entries[index], index, read)
    return {"resourceType": "Bundle", "type": "transaction-response",
            "entry": [r for r in results if r is not None]}


def _at(issue: Issue, index: int) -> Issue:
    where = f"Bundle.entry[{index}]" + (f" {issue.expression}" if issue.expression else "")
    return Issue(issue.code, issue.diagnostics, where, issue.severity)


def _batch(service: RecordService, caller: Caller, entries: list[dict[str, Any]],
           read: Render) -> dict[str, Any]:
    out = []
    for index, entry in enumerate(entries):
        try:
            if entry["request"]["method"] == "GET":
                out.append(_read_entry(caller, entry, index, read))
            else:
                out.append(_response(*_write(service, caller, entry, index)))
        except FhirError as error:
            out.append({"response": {"status": str(error.status),
                                     "outcome": operation_outcome(error.issues)}})
        except Refused:
            out.append({"response": {"status": "403", "outcome": operation_outcome(
                [Issue("forbidden", "you do not have permission to do this")])}})
    return {"resourceType": "Bundle", "type": "batch-response", "entry": out}


def _resolve_urns(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give POSTed entries with a urn:uuid fullUrl a server id and rewrite references to it."""
    mapping: dict[str, str] = {}
    for entry in entries:
        full = entry.get("fullUrl", "")
        if entry["request"]["method"] == "POST" and full.startswith("urn:uuid:"):
            res_type = entry["request"].get("url", "").split("/")[0].split("?")[0]
            mapping[full] = f"{res_type}/{uuid.uuid4()}"
    if not mapping:
        return entries
    text = json.dumps(entries)
    for urn, target in mapping.items():
        text = text.replace(json.dumps(urn), json.dumps(target))
    resolved = json.loads(text)
    for entry, original in zip(resolved, entries, strict=True):
        assigned = mapping.get(str(original.get("fullUrl", "")))
        if assigned and isinstance(entry.get("resource"), dict):
            res_type, new_id = assigned.split("/")
            entry["request"] = {**entry["request"], "method": "PUT",
                                "url": f"{res_type}/{new_id}"}
            entry["resource"]["id"] = new_id
            entry["fullUrl"] = assigned
    return resolved

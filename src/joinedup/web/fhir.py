"""The FHIR R4 (4.0.1) API under /fhir: the same server, users, tokens and audit log.

Why here: this module parses FHIR requests (JSON bodies, ETags, search queries, Prefer headers),
guards each route with the one access dependency and renders FHIR answers; the work is done by
the use cases in `joinedup.app.record`. Every error under /fhir is an OperationOutcome with the
status R4 gives it (docs/record.md). Interactions: read, vread, create, update (If-Match),
search (GET and POST _search), history, batch and transaction Bundles, Patient/$everything,
Patient/$break-glass, Subscription/$status, and the CapabilityStatement at /fhir/metadata.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from joinedup.app.access import Permission, Principal
from joinedup.app.record import (
    Caller,
    FhirError,
    Issue,
    RecordService,
    Stored,
    bundles,
    operation_outcome,
    record_service,
)
from joinedup.web import errors
from joinedup.web.auth import client_address, public, require, services

router = APIRouter(tags=["fhir"], include_in_schema=False)
FHIR_JSON = "application/fhir+json; fhirVersion=4.0"
MAX_BODY = 10 * 1024 * 1024

Reader = Annotated[Principal, Depends(require(Permission.RECORD_READ))]
Writer = Annotated[Principal, Depends(require(Permission.RECORD_WRITE))]
Auditor = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]


def outcome_error(request: Request, status: int, message: str) -> Response:
    """The /fhir renderer for every refusal and mistake: an OperationOutcome."""
    error = getattr(request.state, "error", None)
    issues = error.issues if isinstance(error, FhirError) else [Issue(
        {401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
         422: "invalid"}.get(status, "invalid"), message)]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(operation_outcome(issues), status_code=status, headers=headers,
                        media_type=FHIR_JSON)


errors.RENDERERS["/fhir"] = outcome_error


def _service(request: Request) -> RecordService:
    return record_service(services(request))


def _caller(request: Request, principal: Principal | None) -> Caller:
    return Caller(principal, client_address(request))


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def fhir(content: Any, status: int = 200, stored: Stored | None = None,
         location: str | None = None) -> JSONResponse:
    headers = {}
    if stored is not None:
        headers["ETag"] = stored.etag
        headers["Last-Modified"] = stored.last_updated.strftime("%a, %d %b %Y %H:%M:%S GMT")
    if location:
        headers["Location"] = location
    return JSONResponse(content, status_code=status, headers=headers, media_type=FHIR_JSON)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise FhirError(400, Issue("structure", "a JSON object repeats a property name"))
    return dict(pairs)


def _constant(name: str) -> Any:
    raise FhirError(400, Issue("structure", f"{name} is not a JSON number FHIR allows"))


async def _body(request: Request) -> Any:
    kind = request.headers.get("content-type", "application/fhir+json").split(";")[0].strip()
    if kind not in ("application/fhir+json", "application/json", ""):
        raise FhirError(415, Issue("not-supported", "send the resource as application/fhir+json"))
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise FhirError(413, Issue("too-costly", "the body is larger than 10 MB"))
    try:
        body = json.loads(raw, object_pairs_hook=_no_duplicates, parse_constant=_constant)
    except (ValueError, RecursionError):
        raise FhirError(400, Issue("structure", "the body is not valid JSON")) from None
    if isinstance(body, float) and not math.isfinite(body):
        raise FhirError(400, Issue("structure", "the body is not valid JSON"))
    return body


def _if_match(request: Request) -> int | None:
    tag = request.headers.get("if-match")
    if tag is None:
        return None
    digits = tag.strip().removeprefix("W/").strip('"')
    if not digits.isdigit():
        raise FhirError(400, Issue("invalid", 'If-Match must be an ETag such as W/"3"'))
    return int(digits)


def _query(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items())


def _strict(request: Request) -> bool:
    return "handling=strict" in request.headers.get("prefer", "").replace(" ", "")


def _count_offset(request: Request) -> tuple[int, int]:
    try:
        count = min(max(int(request.query_params.get("_count", 50)), 1), 500)
        offset = max(int(request.query_params.get("_offset", 0)), 0)
    except ValueError:
        raise FhirError(400, Issue("invalid", "_count and _offset are whole numbers")) from None
    return count, offset


def _written(request: Request, stored: Stored, created: bool) -> JSONResponse:
    location = f"{_base(request)}/{stored.type}/{stored.id}/_history/{stored.version}"
    prefer = request.headers.get("prefer", "").replace(" ", "")
    body: Any = stored.content
    if "return=minimal" in prefer:
        body = None
    elif "return=OperationOutcome" in prefer:
        body = operation_outcome([Issue("informational", "stored", severity="information")])
    status = 201 if created else 200
    if body is None:
        return JSONResponse(None, status_code=status, headers={
            "ETag": stored.etag, "Location": location}, media_type=FHIR_JSON)
    return fhir(body, status, stored, location)


# --- routes with fixed names first (they would otherwise match /{res_type}/{res_id}) ----------

@router.get("/metadata")
def metadata(request: Request, _: Annotated[Principal | None, Depends(public)]) -> JSONResponse:
    return fhir(_service(request).capability())


@router.post("")
async def batch(request: Request, principal: Writer) -> JSONResponse:
    body = await _body(request)
    service = _service(request)
    caller = _caller(request, principal)
    base = _base(request)

    def read(caller: Caller, path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
        parts = [p for p in path.split("/") if p]
        if len(parts) == 1:
            return bundles.searchset(base, parts[0], service.search(caller, parts[0], query))
        if len(parts) == 2:
            return service.read(caller, parts[0], parts[1]).content
        if len(parts) == 4 and parts[2] == "_history":
            return service.vread(caller, parts[0], parts[1], parts[3]).content
        raise FhirError(400, Issue("not-supported", "a GET entry reads or searches one type"))

    from joinedup.app.record_bundles import process

    return fhir(await run_in_threadpool(process, service, caller, body, read))


@router.get("/Patient/{res_id}/$everything")
def everything(request: Request, res_id: str, principal: Reader) -> JSONResponse:
    items = _service(request).everything(_caller(request, principal), res_id)
    return fhir(bundles.collection(_base(request), items))


@router.post("/Patient/{res_id}/$break-glass")
async def break_glass(request: Request, res_id: str, principal: Reader) -> JSONResponse:
    body = await _body(request)
    reason = ""
    if isinstance(body, dict) and body.get("resourceType") == "Parameters":
        for parameter in body.get("parameter", []):
            if isinstance(parameter, dict) and parameter.get("name") == "reason":
                reason = str(parameter.get("valueString", ""))
    grant = await run_in_threadpool(_service(request).break_the_glass,
                                    _caller(request, principal), res_id, reason)
    return fhir({"resourceType": "Parameters", "parameter": [
        {"name": "patient", "valueReference": {"reference": f"Patient/{res_id}"}},
        {"name": "expires", "valueInstant": grant.expires_at.isoformat() + "Z"},
        {"name": "flagged-for-review", "valueBoolean": True}]})


@router.get("/Subscription/{res_id}/$status")
def subscription_status(request: Request, res_id: str, principal: Reader) -> JSONResponse:
    from joinedup.app.record_notify import subscription_status as status

    return fhir(status(_service(request), _caller(request, principal), res_id, _base(request)))


@router.get("/AuditEvent")
def audit_events(request: Request, principal: Auditor) -> JSONResponse:
    result = _service(request).search(_caller(request, principal), "AuditEvent", _query(request),
                                      _strict(request))
    return fhir(bundles.searchset(_base(request), "AuditEvent", result))


@router.get("/AuditEvent/{res_id}")
def audit_event(request: Request, res_id: str, principal: Auditor) -> JSONResponse:
    stored = _service(request).read(_caller(request, principal), "AuditEvent", res_id)
    return fhir(stored.content, stored=stored)


# --- the generic interactions -------------------------------------------------------------

@router.get("/{res_type}")
def search(request: Request, res_type: str, principal: Reader) -> JSONResponse:
    result = _service(request).search(_caller(request, principal), res_type, _query(request),
                                      _strict(request))
    return fhir(bundles.searchset(_base(request), res_type, result))


@router.post("/{res_type}/_search")
async def search_post(request: Request, res_type: str, principal: Reader) -> JSONResponse:
    form = parse_qsl((await request.body()).decode("utf-8", "replace"))
    query = [*_query(request), *form]
    result = await run_in_threadpool(_service(request).search, _caller(request, principal),
                                     res_type, query, _strict(request))
    return fhir(bundles.searchset(_base(request), res_type, result))


@router.post("/{res_type}")
async def create(request: Request, res_type: str, principal: Writer) -> JSONResponse:
    body = await _body(request)
    stored, created = await run_in_threadpool(_service(request).write,
                                              _caller(request, principal), res_type, body)
    return _written(request, stored, created)


@router.get("/{res_type}/_history")
def type_history(request: Request, res_type: str, principal: Reader) -> JSONResponse:
    count, offset = _count_offset(request)
    versions, total = _service(request).history(_caller(request, principal), res_type, None,
                                                count, offset)
    return fhir(bundles.history(_base(request), f"{res_type}/_history", versions, total, count,
                                offset))


@router.get("/{res_type}/{res_id}")
def read(request: Request, res_type: str, res_id: str, principal: Reader) -> JSONResponse:
    stored = _service(request).read(_caller(request, principal), res_type, res_id)
    return fhir(stored.content, stored=stored)


@router.put("/{res_type}/{res_id}")
async def update(request: Request, res_type: str, res_id: str, principal: Writer
                 ) -> JSONResponse:
    body = await _body(request)
    stored, created = await run_in_threadpool(
        _service(request).write, _caller(request, principal), res_type, body, res_id,
        _if_match(request))
    return _written(request, stored, created)


@router.get("/{res_type}/{res_id}/_history")
def instance_history(request: Request, res_type: str, res_id: str, principal: Reader
                     ) -> JSONResponse:
    count, offset = _count_offset(request)
    versions, total = _service(request).history(_caller(request, principal), res_type, res_id,
                                                count, offset)
    return fhir(bundles.history(_base(request), f"{res_type}/{res_id}/_history", versions,
                                total, count, offset))


@router.get("/{res_type}/{res_id}/_history/{version}")
def vread(request: Request, res_type: str, res_id: str, version: str, principal: Reader
          ) -> JSONResponse:
    stored = _service(request).vread(_caller(request, principal), res_type, res_id, version)
    return fhir(stored.content, stored=stored)

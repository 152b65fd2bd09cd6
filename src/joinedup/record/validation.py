"""Is this a valid FHIR R4 4.0.1 resource, and does it keep the UK Core rules that matter here?

Why: a shared record is only as good as what goes in; a resource that breaks FHIR's rules is
refused with 422 and an OperationOutcome naming every element at fault, and nothing is stored.

The checks:
1. Structure, against the R4 4.0.1 element tables (record/model.py): every element is known,
   repeats only where it may, has the JSON type of its primitive (a boolean is `true`, not
   `"true"`; an integer is not `true`), matches the R4 regular expressions for dates and times,
   uses at most one choice of each [x], and every required element is there. R4's JSON rules
   (http://hl7.org/fhir/R4/json.html): no null values, no empty strings, objects or arrays; `_x`
   holds the id and extensions of primitive `x`. Contained and Bundle resources are checked by
   their own resourceType. `Resource.id` matches `[A-Za-z0-9\\-\\.]{1,64}`.
2. Required bindings: the status, gender and similar codes of the resources this server serves
   must come from their R4 value sets (data/required_codes.csv, each row citing its value set).
3. UK Core: an Identifier whose system is `https://fhir.nhs.uk/Id/nhs-number` holds a valid NHS
   number (ten digits, Modulus 11, an issued or test range); a Coding whose system is SNOMED CT
   (`http://snomed.info/sct`) or dm+d (`https://dmd.nhs.uk`) has a SNOMED CT concept id; an
   Identifier whose system is `https://fhir.nhs.uk/Id/ods-organization-code` has an ODS code.
4. A carer (RelatedPerson with the Caregiver relationship) carries its consent
   (joinedup.domain.carers).
Invariants written in FHIRPath (e.g. `ele-1`) other than these are not evaluated.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from joinedup.domain.carers import consent_problem
from joinedup.domain.nhs_number import range_problem
from joinedup.domain.sctid import concept_id_problem
from joinedup.record.model import DATE_PATTERNS, ElementDef, elements, resource_class
from joinedup.record.outcome import FhirError, Issue

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
SNOMED = "http://snomed.info/sct"
DMD = "https://dmd.nhs.uk"
ID_PATTERN = re.compile(r"[A-Za-z0-9\-.]{1,64}")
ODS_PATTERN = re.compile(r"[A-Z0-9]{3,10}")
MAX_ISSUES = 50


def check(resource: Any, expected_type: str | None = None) -> None:
    """Raise `FhirError` (422, or 400 for what is not a resource at all) unless valid."""
    issues = problems(resource, expected_type)
    if issues:
        status = 400 if issues[0].code == "structure" and issues[0].expression is None else 422
        raise FhirError(status, issues[:MAX_ISSUES])


def problems(resource: Any, expected_type: str | None = None) -> list[Issue]:
    if not isinstance(resource, dict):
        return [Issue("structure", "the body is not a JSON object")]
    kind = resource.get("resourceType")
    if not isinstance(kind, str) or resource_class(kind) is None:
        return [Issue("structure", "resourceType is missing or not an R4 resource type")]
    if expected_type is not None and kind != expected_type:
        return [Issue("structure", f"expected a {expected_type} resource, got {kind}")]
    issues: list[Issue] = []
    _resource(resource, kind, issues)
    issues.extend(_required_codes(resource, kind))
    issues.extend(_uk_core(resource, kind))
    if kind == "RelatedPerson":
        problem = consent_problem(resource)
        if problem:
            issues.append(Issue("business-rule", problem, "RelatedPerson.extension"))
    return issues


def _resource(value: dict[str, Any], path: str, issues: list[Issue]) -> None:
    kind = value.get("resourceType")
    cls = resource_class(kind) if isinstance(kind, str) else None
    if cls is None:
        issues.append(Issue("structure", "resourceType is missing or not an R4 resource type",
                            path))
        return
    rid = value.get("id")
    if isinstance(rid, str) and not ID_PATTERN.fullmatch(rid):
        issues.append(Issue("value", "id must be 1-64 letters, digits, '-' or '.'", f"{path}.id"))
    _object(value, cls, path, issues)


def _object(value: Any, cls: Any, path: str, issues: list[Issue]) -> None:
    if not isinstance(value, dict):
        issues.append(Issue("structure", "must be a JSON object", path))
        return
    if not value:
        issues.append(Issue("structure", "must not be an empty object", path))
        return
    defs = elements(cls)
    chosen: dict[str, list[str]] = {}
    for key, item in value.items():
        if key == "resourceType":
            continue
        where = f"{path}.{key}"
        if key.startswith("_"):
            _primitive_extras(key[1:], item, defs, value, where, issues)
            continue
        definition = defs.get(key)
        if definition is None:
            issues.append(Issue("structure", f"unknown element '{key}'", where))
            continue
        if definition.choice:
            chosen.setdefault(definition.choice, []).append(key)
        _element(definition, item, value.get("_" + key), where, issues)
    for definition in defs.values():
        group = definition.choice
        present = chosen.get(group) if group else (
            [definition.name] if definition.name in value or "_" + definition.name in value
            else [])
        if definition.required and not present:
            issues.append(Issue("required", f"'{group or definition.name}' is required",
                                f"{path}.{group or definition.name}"))
    for group, names in chosen.items():
        if len(names) > 1:
            issues.append(Issue("structure", f"only one of {', '.join(sorted(names))} may appear",
                                f"{path}.{group}[x]"))


def _element(definition: ElementDef, item: Any, extras: Any, path: str,
             issues: list[Issue]) -> None:
    if definition.repeats:
        if not isinstance(item, list):
            issues.append(Issue("structure", "must be an array", path))
            return
        if not item:
            issues.append(Issue("structure", "must not be an empty array", path))
            return
        for index, one in enumerate(item):
            paired = extras[index] if isinstance(extras, list) and index < len(extras) else None
            if one is None and definition.primitive and paired is not None:
                continue  # a primitive with only an id or extensions
            _single(definition, one, f"{path}[{index}]", issues)
    elif isinstance(item, list):
        issues.append(Issue("structure", "must not be an array", path))
    else:
        _single(definition, item, path, issues)


def _single(definition: ElementDef, item: Any, path: str, issues: list[Issue]) -> None:
    if item is None:
        issues.append(Issue("structure", "must not be null", path))
    elif definition.primitive:
        problem = _primitive_problem(definition.primitive, item)
        if problem:
            issues.append(Issue("value", problem, path))
    elif definition.is_resource:
        if not isinstance(item, dict):
            issues.append(Issue("structure", "must be a resource (a JSON object)", path))
        else:
            _resource(item, path, issues)
    else:
        _object(item, definition.complex_type, path, issues)


def _primitive_problem(kind: str, item: Any) -> str | None:
    if kind == "boolean":
        return None if isinstance(item, bool) else "must be true or false"
    if kind == "integer":
        ok = isinstance(item, int) and not isinstance(item, bool) and -2**31 <= item < 2**31
        return None if ok else "must be a 32-bit integer"
    if kind == "decimal":
        ok = isinstance(item, int | float) and not isinstance(item, bool)
        return None if ok else "must be a number"
    if not isinstance(item, str):
        return "must be a string"
    if not item.strip():
        return "must not be empty"
    pattern = DATE_PATTERNS.get(kind)
    if pattern is not None and not pattern.fullmatch(item):
        return f"is not a valid FHIR {kind}"
    return None


def _primitive_extras(name: str, item: Any, defs: dict[str, ElementDef], parent: dict[str, Any],
                      path: str, issues: list[Issue]) -> None:
    definition = defs.get(name)
    if definition is None or definition.primitive is None:
        issues.append(Issue("structure", f"unknown element '_{name}'", path))
        return
    from fhirclient.models.element import Element

    values = item if definition.repeats and isinstance(item, list) else [item]
    if definition.repeats != isinstance(item, list):
        issues.append(Issue("structure", "must match the shape of its primitive", path))
        return
    for index, one in enumerate(values):
        if one is not None:
            _object(one, Element, f"{path}[{index}]" if definition.repeats else path, issues)


def _walk(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def _uk_core(resource: dict[str, Any], kind: str) -> Iterator[Issue]:
    for path, node in _walk(resource, kind):
        system = node.get("system")
        if system == NHS_NUMBER_SYSTEM and isinstance(node.get("value"), str):
            problem = range_problem(node["value"])
            if problem:
                yield Issue("value", problem, f"{path}.value")
        elif system == ODS_SYSTEM and isinstance(node.get("value"), str):
            if not ODS_PATTERN.fullmatch(node["value"]):
                yield Issue("value", "an ODS code is 3-10 capital letters and digits",
                            f"{path}.value")
        elif system in (SNOMED, DMD) and isinstance(node.get("code"), str):
            problem = concept_id_problem(node["code"])
            if problem:
                yield Issue("code-invalid", problem, f"{path}.code")


@cache
def required_codes() -> dict[str, list[tuple[str, frozenset[str]]]]:
    """(element path, allowed codes) by resource type, from data/required_codes.csv."""
    text = resources.files("joinedup.record").joinpath("data/required_codes.csv").read_text()
    out: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for row in csv.DictReader(text.splitlines()):
        out.setdefault(row["resource"], []).append(
            (row["element"], frozenset(row["codes"].split())))
    return out


def _values_at(node: Any, steps: list[str], path: str) -> Iterator[tuple[str, Any]]:
    if not steps:
        yield path, node
        return
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _values_at(item, steps, f"{path}[{index}]")
    elif isinstance(node, dict) and steps[0] in node:
        yield from _values_at(node[steps[0]], steps[1:], f"{path}.{steps[0]}")


def _required_codes(resource: dict[str, Any], kind: str) -> Iterator[Issue]:
    for element, allowed in required_codes().get(kind, []):
        for path, value in _values_at(resource, element.split("."), kind):
            for one in value if isinstance(value, list) else [value]:
                if isinstance(one, str) and one not in allowed:
                    yield Issue("code-invalid", "the code is not in the element's required "
                                "R4 value set", path)


def ensure_valid(resource: Any, expected_type: str | None = None) -> dict[str, Any]:
    """The resource, checked; raises `FhirError` if it is not valid."""
    check(resource, expected_type)
    assert isinstance(resource, dict)
    return resource

"""The shape of every FHIR R4 4.0.1 resource and data type, as the validator and XML reader see it.

Why: validating a resource and reading FHIR XML both need, for each element, its JSON name, its
type, whether it repeats, which choice group ([x]) it belongs to and whether it is required. The
`fhirclient` package (SMART Health IT, 4.4.0) ships classes generated from the FHIR 4.0.1
StructureDefinitions whose `elementProperties()` say exactly that, so this module reads them
rather than carrying a hand-written copy of the specification. Only the element tables are used;
validation itself is ours (record/validation.py), because fhirclient's own loader accepts things
R4's JSON rules forbid (empty strings, `true` for an integer, two choices of one [x]).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from fhirclient.models import fhirdate, fhirdatetime, fhirinstant, fhirtime
from fhirclient.models import resource as base_resource

PRIMITIVES: dict[Any, str] = {
    str: "string", int: "integer", float: "decimal", bool: "boolean",
    fhirdate.FHIRDate: "date", fhirdatetime.FHIRDateTime: "dateTime",
    fhirinstant.FHIRInstant: "instant", fhirtime.FHIRTime: "time",
}
"""fhirclient's Python type of a primitive element → the FHIR primitive family it stands for
(code, id, uri, markdown … are all `str`; positiveInt and unsignedInt are `int`)."""

DATE_PATTERNS = {
    "date": fhirdate.FHIRDate._REGEX, "dateTime": fhirdatetime.FHIRDateTime._REGEX,
    "instant": fhirinstant.FHIRInstant._REGEX, "time": fhirtime.FHIRTime._REGEX,
}
"""The regular expressions of FHIR R4's datatypes page for the date and time primitives."""


@dataclass(frozen=True)
class ElementDef:
    name: str
    """The JSON (and XML) name: `class`, `valueQuantity`, …"""
    primitive: str | None
    """The primitive family ("string", "integer", "date", …), or None for a complex type."""
    complex_type: Any
    """The fhirclient class of a complex element, or None for a primitive."""
    repeats: bool
    choice: str | None
    """The choice group (`value` for valueQuantity), or None."""
    required: bool

    @property
    def is_resource(self) -> bool:
        """An element holding a whole resource (contained, Bundle.entry.resource)."""
        return self.complex_type is base_resource.Resource


@cache
def elements(cls: Any) -> dict[str, ElementDef]:
    """The elements of a fhirclient class by JSON name."""
    out = {}
    for _, json_name, typ, repeats, choice, required in cls().elementProperties():
        primitive = PRIMITIVES.get(typ)
        out[json_name] = ElementDef(json_name, primitive, None if primitive else typ,
                                    bool(repeats), choice, bool(required))
    return out


@cache
def resource_class(resource_type: str) -> Any | None:
    """The class of an R4 resource type, or None when R4 has no such resource."""
    if not (resource_type.isascii() and resource_type.isalpha() and resource_type[:1].isupper()):
        return None
    try:
        module = importlib.import_module(f"fhirclient.models.{resource_type.lower()}")
    except ImportError:
        return None
    cls = getattr(module, resource_type, None)
    if cls is None or getattr(cls, "resource_type", None) != resource_type:
        return None
    if not issubclass(cls, base_resource.Resource):
        return None
    return cls

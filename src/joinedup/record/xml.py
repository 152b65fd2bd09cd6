"""Reading FHIR R4 XML into FHIR JSON, as the NHS England UK Core examples are published.

Why: the record stores and serves JSON, but much of what NHS England publishes (the UK Core
examples in ../shared/data/fhir/ukcore-examples among them) is XML. The two formats carry the
same content with different rules (http://hl7.org/fhir/R4/xml.html and json.html): in XML a
primitive is `<birthDate value="…"/>` with its id and extensions beside the value, repetition is
implicit, a resource in `contained` or `Bundle.entry.resource` is wrapped in an element named for
its type, and the narrative is XHTML. Turning XML into JSON needs to know which elements repeat
and which primitives are booleans or numbers: that comes from the R4 4.0.1 element tables
(record/model.py). Only files the operator loads are read this way; the API speaks JSON.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from joinedup.record.model import elements, resource_class
from joinedup.record.outcome import FhirError, Issue

FHIR_NS = "http://hl7.org/fhir"
XHTML_NS = "http://www.w3.org/1999/xhtml"


class XmlError(FhirError):
    def __init__(self, message: str, where: str) -> None:
        super().__init__(400, Issue("structure", message, where))


def resource_from_xml(text: str | bytes) -> dict[str, Any]:
    """The JSON form of one FHIR resource written in XML."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise XmlError(f"not well-formed XML ({exc})", "(document)") from None
    return _resource(root, "")


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _resource(element: ET.Element, path: str) -> dict[str, Any]:
    ns, kind = _local(element.tag)
    cls = resource_class(kind)
    if ns != FHIR_NS or cls is None:
        raise XmlError(f"<{kind}> is not an R4 resource", path or kind)
    out: dict[str, Any] = {"resourceType": kind}
    _fill(out, element, cls, f"{path}.{kind}" if path else kind)
    return out


def _fill(out: dict[str, Any], element: ET.Element, cls: Any, path: str) -> None:
    for attribute in ("id", "url"):
        if attribute in element.attrib:
            out[attribute] = element.attrib[attribute]
    defs = elements(cls)
    extras: dict[str, list[dict[str, Any] | None]] = {}
    for child in element:
        ns, name = _local(child.tag)
        where = f"{path}.{name}"
        if ns == XHTML_NS and name == "div":
            ET.register_namespace("", XHTML_NS)
            out["div"] = ET.tostring(child, encoding="unicode").strip()
            continue
        definition = defs.get(name)
        if ns != FHIR_NS or definition is None:
            raise XmlError(f"unknown element <{name}>", where)
        value: Any
        extra: dict[str, Any] | None = None
        if definition.primitive:
            raw = child.get("value")
            value = None if raw is None else _primitive(definition.primitive, raw, where)
            extra = _primitive_extra(child, where)
        elif definition.is_resource:
            inner = list(child)
            if len(inner) != 1:
                raise XmlError("must hold exactly one resource", where)
            value = _resource(inner[0], where)
        else:
            value = {}
            _fill(value, child, definition.complex_type, where)
        if definition.repeats:
            out.setdefault(name, []).append(value)
            if definition.primitive:
                extras.setdefault(name, []).append(extra)
        else:
            if value is not None:
                out[name] = value
            if extra:
                out["_" + name] = extra
    for name, items in extras.items():
        if any(items):
            out["_" + name] = items


def _primitive_extra(child: ET.Element, path: str) -> dict[str, Any] | None:
    from fhirclient.models.element import Element

    extra: dict[str, Any] = {}
    if list(child) or "id" in child.attrib:
        _fill(extra, child, Element, path)
    return extra or None


def _primitive(kind: str, raw: str, where: str) -> Any:
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise XmlError("must be true or false", where)
        return raw == "true"
    try:
        if kind == "integer":
            return int(raw)
        if kind == "decimal":
            number = float(raw)
            return int(number) if raw.lstrip("-").isdigit() else number
    except ValueError:
        raise XmlError(f"must be a{'n integer' if kind == 'integer' else ' number'}",
                       where) from None
    return raw

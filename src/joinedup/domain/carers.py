"""Carers: who counts as one in the record, and what recording one needs.

Why: a carer recorded once should be known to every service that cares for the person they look
after, as a carer passport is (issue 11); that only works if every service marks a carer the same
way, and only with consent. A carer is a RelatedPerson whose `relationship` includes the SNOMED
CT concept 133932002 |Caregiver (person)|; recording one needs the date the cared-for person (or
their representative) agreed to share it, in joinedup's `carer-consent` extension
(valueDateTime). Pure rules: standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SNOMED = "http://snomed.info/sct"
CAREGIVER = "133932002"
CONSENT_EXTENSION = "https://joinedup.invalid/fhir/StructureDefinition/carer-consent"


def is_carer(related_person: Mapping[str, Any]) -> bool:
    for concept in related_person.get("relationship") or []:
        for coding in concept.get("coding", []) if isinstance(concept, dict) else []:
            if coding.get("system") == SNOMED and coding.get("code") == CAREGIVER:
                return True
    return False


def consent_problem(related_person: Mapping[str, Any]) -> str | None:
    """Why a carer cannot be recorded as given, or None."""
    if not is_carer(related_person):
        return None
    for item in related_person.get("extension") or []:
        if isinstance(item, dict) and item.get("url") == CONSENT_EXTENSION and isinstance(
                item.get("valueDateTime"), str):
            return None
    return ("a carer is recorded only with consent: add the carer-consent extension with the "
            "date it was given")

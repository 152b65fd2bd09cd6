"""SNOMED CT identifiers (SCTIDs): the shape and check digit every concept id must have.

Why: the record accepts codes from SNOMED CT (`http://snomed.info/sct`) and from the NHS
Dictionary of Medicines and Devices (dm+d, `https://dmd.nhs.uk`), whose ids are SCTIDs too. A code
that cannot be an SCTID is a typing or mapping mistake, caught on the way in rather than found
when a programme's codelist silently misses it.

The rules (SNOMED CT Technical Implementation Guide, "SNOMED CT Identifiers": the SCTID data
type, the partition identifier and the Verhoeff check digit):
- 6 to 18 digits, no leading zero;
- the last digit is a Verhoeff check digit over the rest;
- the two digits before it are the partition identifier: its second digit is 0 for a short-format
  id and 1 for a long-format (namespaced) id, and its first digit names the component: 0 for a
  concept, 1 for a description, 2 for a relationship. A code in FHIR must name a concept, so the
  partition must be 00 or 10.
Pure rules: standard library only.
"""

from __future__ import annotations

_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6), (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4), (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
"""Verhoeff's multiplication table (the dihedral group D5)."""

_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2), (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
"""Verhoeff's permutation table, applied by position (position mod 8)."""


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of `digits` is the Verhoeff check digit of the others."""
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _D[check][_P[position % 8][int(digit)]]
    return check == 0


def concept_id_problem(code: str) -> str | None:
    """Why `code` cannot be a SNOMED CT concept id, or None when it can."""
    if not (code.isascii() and code.isdigit()) or not 6 <= len(code) <= 18:
        return "a SNOMED CT id has 6 to 18 digits"
    if code.startswith("0"):
        return "a SNOMED CT id has no leading zero"
    if code[-3:-1] not in ("00", "10"):
        return "the SNOMED CT id is not a concept id (its partition identifier)"
    if not verhoeff_valid(code):
        return "the SNOMED CT id's check digit (Verhoeff) is wrong"
    return None

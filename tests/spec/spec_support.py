"""Tiny inline populations for the behaviour specs, in the ehrQL style (STYLE.md point 3).

Each spec writes the few patients and events a rule needs and the answer expected, and runs
through the `engine` fixture (conftest.py), so the same specs run on every engine. Codelists are
small inline lists, one made-up code per list, so a spec reads "an `af` code on this date"
rather than a SNOMED CT id. The AF programme itself is the packaged definition.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from ibis.backends import BaseBackend

from joinedup.domain.codelists import Codelist, CodeSystem
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import Programme, programme_from_mapping
from joinedup.engines.measures import casefinder, patient_flags
from joinedup.engines.patient_level import practice_counts
from joinedup.programmes import load_parameters, load_programme, resolve_codelists

REF = date(2025, 3, 31)
AF = load_programme("af")

# One made-up code per codelist name used anywhere in the specs.
_NAMES = (
    "af",
    "af_resolved",
    "heart_failure",
    "hypertension",
    "hypertension_resolved",
    "diabetes",
    "stroke_tia_te",
    "vascular_disease",
    "anticoag_declined",
    "anticoag_contraindicated",
    "pulse_check",
    "irregular_pulse",
    "systolic_bp",
    "diastolic_bp",
    "anticoag_not_indicated",
    "vka_declined",
    "vka_contraindicated",
    "doac_unsuitable",
    "cha2ds2vasc_score",
)
_DMD_NAMES = ("doac", "vka", "antihypertensive")
CODE: dict[str, str] = {name: str(100100 + i) for i, name in enumerate(_NAMES)}
CODE.update({name: str(900100 + i) for i, name in enumerate(_DMD_NAMES)})
CODELISTS: dict[str, Codelist] = {
    name: Codelist.of(
        name,
        CodeSystem.DMD if name in _DMD_NAMES else CodeSystem.SNOMED_CT,
        [(code, name.replace("_", " "))],
    )
    for name, code in CODE.items()
}

ORGANISATIONS: tuple[dict[str, Any], ...] = (
    {"org_code": "ICS1", "name": "The ICS", "org_type": "ics"},
    {"org_code": "PLACE1", "name": "A place", "org_type": "place", "parent_code": "ICS1"},
    {"org_code": "SUB1", "name": "A sub-ICB", "org_type": "sub_icb", "parent_code": "PLACE1"},
    {"org_code": "PCN1", "name": "A PCN", "org_type": "pcn", "parent_code": "SUB1"},
    {"org_code": "P1", "name": "First Practice", "org_type": "practice", "parent_code": "PCN1"},
    {"org_code": "P2", "name": "Second Practice", "org_type": "practice", "parent_code": "PCN1"},
    # A PCN that hangs straight off the place: its practices have no sub-ICB.
    {"org_code": "PCN2", "name": "Other PCN", "org_type": "pcn", "parent_code": "PLACE1"},
    {"org_code": "P3", "name": "Third Practice", "org_type": "practice", "parent_code": "PCN2"},
)


def d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def patient(
    patient_id: int,
    *,
    born: str = "1970-06-15",
    sex: str = "M",
    practice: str = "P1",
    registered_from: str = "2000-01-01",
    registered_to: str | None = None,
    died: str | None = None,
    opted_out: bool = False,
    imd: int | None = 5,
) -> dict[str, Any]:
    """A patient row; by default a man aged 54 at REF, registered at P1 throughout."""
    return {
        "patient_id": patient_id,
        "nhs_number": f"999{patient_id:07d}",
        "birth_date": d(born),
        "sex": sex,
        "ethnicity": "White",
        "lsoa_code": None,
        "imd_decile": imd,
        "practice_code": practice,
        "registered_from": d(registered_from),
        "registered_to": d(registered_to),
        "date_of_death": d(died),
        "opted_out": opted_out,
    }


def event(patient_id: int, day: str, codelist: str, value: float | None = None) -> dict[str, Any]:
    """A clinical event coded with the test code of `codelist`."""
    return {
        "patient_id": patient_id,
        "date": d(day),
        "snomed_code": CODE[codelist],
        "numeric_value": value,
    }


def scored(patient_id: int, score: int, day: str = "2020-01-01") -> dict[str, Any]:
    """A recorded CHA2DS2-VASc score (QOF AF008's denominator reads the latest recorded one)."""
    return event(patient_id, day, "cha2ds2vasc_score", score)


def med(patient_id: int, day: str, codelist: str) -> dict[str, Any]:
    """A medication issue of the test code of dm+d `codelist`."""
    return {"patient_id": patient_id, "date": d(day), "dmd_code": CODE[codelist]}


class Engine(Protocol):
    name: str

    def load(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> BaseBackend: ...


@dataclass
class Spec:
    """One engine plus a population: ask for flags, counts or casefinder results."""

    engine: Engine
    patients: Sequence[Mapping[str, Any]]
    events: Sequence[Mapping[str, Any]] = ()
    medications: Sequence[Mapping[str, Any]] = ()
    organisations: Sequence[Mapping[str, Any]] = ORGANISATIONS
    programme: Programme = AF
    _con: BaseBackend | None = field(default=None, init=False)

    @property
    def con(self) -> BaseBackend:
        if self._con is None:
            self._con = self.engine.load(
                {
                    "organisations": self.organisations,
                    "patients": self.patients,
                    "clinical_events": self.events,
                    "medications": self.medications,
                }
            )
        return self._con

    @property
    def codelists(self) -> dict[str, Codelist]:
        """The definition's codelists: the small inline ones here, the packaged ones otherwise."""
        return resolve_codelists(self.programme, CODELISTS)

    def flags(self, ref: date = REF, **options: Any) -> dict[int, dict[str, Any]]:
        table = patient_flags(self.con, self.programme, ref, codelists=self.codelists, **options)
        return {row["patient_id"]: row for row in table.to_pyarrow().to_pylist()}

    def column(self, name: str, ref: date = REF, **options: Any) -> dict[int, Any]:
        """One flag for every patient: {patient_id: value}."""
        return {pid: row[name] for pid, row in self.flags(ref, **options).items()}

    def counts(
        self, ref: date = REF, parameters: ParameterSet | None = None, **options: Any
    ) -> dict[str, PracticeCounts]:
        params = parameters or load_parameters(self.programme)
        rows = practice_counts(
            self.con, self.programme, ref, params, codelists=self.codelists, **options
        )
        return {row.practice_code: row for row in rows}

    def casefinder(self, ref: date = REF, **options: Any) -> list[dict[str, Any]]:
        table = casefinder(self.con, self.programme, ref, codelists=self.codelists, **options)
        return list(table.to_pyarrow().to_pylist())


def definition(text: str, path: Path = Path("inline/programme.toml")) -> Programme:
    """A programme from inline TOML (for rule kinds the AF definition does not use)."""
    return programme_from_mapping(tomllib.loads(text), path)


MINIMAL = """
name = "demo"
title = "Demo"
[parameters]
expected_prevalence = "af_prevalence"
[ambitions]
detect = 0.8
treat = 0.8
combined = 0.8
[codelists]
af = "snomed_ct"
af_resolved = "snomed_ct"
hypertension = "snomed_ct"
hypertension_resolved = "snomed_ct"
systolic_bp = "snomed_ct"
diastolic_bp = "snomed_ct"
doac = "dmd"
antihypertensive = "dmd"
"""

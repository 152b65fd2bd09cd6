"""The patient-level data contract (DESIGN.md): tables, columns, types and allowed values.

Why here: the synthetic generator writes these tables, the loader validates them and the
programmes read them. Declaring them once keeps the three in step. Types are named abstractly
("string", "date", ...); each adapter maps them to its own engine's types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ORG_TYPES = (
    "ics",
    "place",
    "sub_icb",
    "pcn",
    "practice",
    "trust",
    "community_team",
    "local_authority",
)
SEXES = ("F", "M")
# Census 2021 high-level ethnic groups (ONS TS021 five-way grouping), plus "Unknown" for not stated.
ETHNICITIES = ("White", "Asian", "Black", "Mixed", "Other", "Unknown")
ENCOUNTER_KINDS = (
    "admission",
    "discharge",
    "ae_attendance",
    "outpatient",
    "community_visit",
    "gp_consultation",
)
PRIORITIES = ("P1", "P2", "P3", "P4")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # one of: string, date, timestamp, int, float, bool
    required: bool = True
    allowed: tuple[str, ...] | None = None
    references: str | None = None  # "table.column" this value must exist in


@dataclass(frozen=True)
class Table:
    """A contract table. `stored_order` is the order the store keeps its rows in (after them,
    the source file's): the coded tables by code, because every programme reads them through
    codelists, and DuckDB skips a block of rows whose codes' range (its zone map) holds no code
    of the list. Kept in file order, every block holds every code and is read whole. Only the
    code: sorting by patient and date too would double the sort's cost and skip nothing more."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = field(default=())
    stored_order: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


ORGANISATIONS = Table(
    "organisations",
    (
        Column("org_code", "string"),
        Column("name", "string"),
        Column("org_type", "string", allowed=ORG_TYPES),
        Column("parent_code", "string", required=False, references="organisations.org_code"),
        Column("valid_from", "date", required=False),
        Column("valid_to", "date", required=False),
    ),
    key=("org_code",),
)

PATIENTS = Table(
    "patients",
    (
        Column("patient_id", "int"),
        Column("nhs_number", "string"),
        Column("birth_date", "date"),
        Column("sex", "string", allowed=SEXES),
        Column("ethnicity", "string", allowed=ETHNICITIES),
        Column("lsoa_code", "string", required=False),
        Column("imd_decile", "int", required=False),
        Column("practice_code", "string", references="organisations.org_code"),
        Column("registered_from", "date"),
        Column("registered_to", "date", required=False),
        Column("date_of_death", "date", required=False),
        Column("opted_out", "bool"),
    ),
    key=("patient_id",),
)

CLINICAL_EVENTS = Table(
    "clinical_events",
    (
        Column("patient_id", "int", references="patients.patient_id"),
        Column("date", "date"),
        Column("snomed_code", "string"),
        Column("numeric_value", "float", required=False),
    ),
    stored_order=("snomed_code",),
)

MEDICATIONS = Table(
    "medications",
    (
        Column("patient_id", "int", references="patients.patient_id"),
        Column("date", "date"),
        Column("dmd_code", "string"),
    ),
    stored_order=("dmd_code",),
)

ENCOUNTERS = Table(
    "encounters",
    (
        Column("encounter_id", "int"),
        Column("patient_id", "int", references="patients.patient_id"),
        Column("org_code", "string", references="organisations.org_code"),
        Column("kind", "string", allowed=ENCOUNTER_KINDS),
        Column("start", "timestamp"),
        Column("end", "timestamp", required=False),
        Column("snomed_code", "string", required=False),
    ),
    key=("encounter_id",),
)

WAITING_LIST = Table(
    "waiting_list",
    (
        Column("referral_id", "int"),
        Column("patient_id", "int", references="patients.patient_id"),
        Column("trust_code", "string", references="organisations.org_code"),
        Column("specialty", "string"),
        Column("procedure_code", "string"),
        Column("priority", "string", allowed=PRIORITIES),
        Column("clock_start", "date"),
        Column("expected_minutes", "int"),
        Column("status", "string"),
    ),
    key=("referral_id",),
)

# Load order matters: a table may only reference tables before it.
TABLES: tuple[Table, ...] = (
    ORGANISATIONS,
    PATIENTS,
    CLINICAL_EVENTS,
    MEDICATIONS,
    ENCOUNTERS,
    WAITING_LIST,
)
REQUIRED_TABLES = ("organisations", "patients")


def table(name: str) -> Table:
    for t in TABLES:
        if t.name == name:
            return t
    raise KeyError(f"no table {name!r} in the data contract")

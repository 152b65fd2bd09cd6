"""The store kind "patient_level": records in the data contract's tables, measured by the engine.

Why a module of its own: the use cases ask every kind of store the same three questions — does
this store hold your kind of data, what date does it describe, and what are its practice counts
and breakdowns (`measure`, from one pass) — through `domain.extensions.STORE_KINDS`; this
is the answer for a store made by `joinedup load` (or the FHIR record feeding it).
`engines.aggregates.AGGREGATE` answers for published aggregates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow.compute as pc
from ibis.backends import BaseBackend

from joinedup.domain.codelists import Codelist
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import Programme, prevalence_bands
from joinedup.engines.breakdowns import (
    DEFAULT_AGE_EDGES,
    PATIENT_DIMENSIONS,
    breakdown_cube,
    breakdown_rows,
    with_ethnicity,
)
from joinedup.engines.measures import (
    MEASURE_COLUMNS,
    footprint_of,
    patient_flags,
    practice_counts,
    practice_counts_series,
    practice_rows,
    practice_score_totals,
)
from joinedup.engines.tables import has_table

DATED_TABLES = ("clinical_events", "medications")
"""Tables whose latest date is the extract date of a patient-level store."""


class PatientLevelStore:
    """Patient-level records: counts and breakdowns computed in the backend."""

    name = "patient_level"
    description = "patient-level records"

    def holds(self, con: BaseBackend) -> bool:
        return has_table(con, "patients")

    def period_end(self, con: BaseBackend) -> date | None:
        """The data's extract date: the latest dated record, so a default run sees current data.

        One query over every dated table, read through Arrow (no data frame for one value)."""
        tables = [t for t in DATED_TABLES if has_table(con, t)]
        if not tables:
            return None
        days = [con.table(t).select(day=con.table(t).date.cast("date")) for t in tables]
        latest: date | None = days[0].union(*days[1:]).day.max().to_pyarrow().as_py()
        return latest

    def practice_counts(
        self, con: BaseBackend, programme: Programme, reference_date: date,
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> tuple[list[PracticeCounts], dict[str, Any]]:
        counts = practice_counts(con, programme, reference_date, parameters, codelists=codelists)
        return counts, self._notes(programme, reference_date)

    def practice_counts_series(
        self, con: BaseBackend, programme: Programme, days: Sequence[date],
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> dict[date, tuple[list[PracticeCounts], dict[str, Any]]]:
        """`practice_counts` at every date in `days`, from one query over all of them."""
        series = practice_counts_series(con, programme, days, parameters, codelists=codelists)
        return {day: (counts, self._notes(programme, day)) for day, counts in series.items()}

    def _notes(self, programme: Programme, day: date) -> dict[str, Any]:
        return {"data_source": self.description, "age_structure": "single year of age",
                "treated_rule": programme.treated.at(day).label}

    def measure(
        self, con: BaseBackend, programme: Programme, reference_date: date,
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> tuple[list[PracticeCounts], dict[str, Any], list[dict[str, object]]]:
        """Practice counts, their notes and the breakdowns, from one query.

        The flags (the joins to every event table) are the expensive part. The practice counts
        (by practice and risk score) and the breakdown cube (by practice and patient group) are
        two group-bys over them, stacked into one query (`_stacked`): the flags are a common
        subquery the backend works out once (DuckDB holds it in memory), instead of twice, or
        once into a temporary table, which at 2.6 M patients cost more than both group-bys.
        """
        flags = patient_flags(con, programme, reference_date, codelists=codelists)
        population = with_ethnicity(con, flags.filter(flags.registered & flags.alive))
        bands = prevalence_bands(parameters[programme.expected_prevalence])
        both = _stacked(practice_score_totals(population, bands),
                        breakdown_cube(con, population, bands, DEFAULT_AGE_EDGES)).to_pyarrow()
        part = both.column(PART)
        counts_rows = both.filter(pc.equal(part, "counts")).select(_COUNTS_COLUMNS)
        cube = both.filter(pc.equal(part, "cube")).select(_CUBE_COLUMNS)
        counts = practice_rows(counts_rows.to_pylist(), programme, reference_date,
                               footprint_of(con))
        breakdowns = breakdown_rows(con, cube, programme, reference_date)
        return counts, self._notes(programme, reference_date), breakdowns


PART = "part"
_COUNTS_ONLY = {"risk_score": "int64", "imd_sum": "int64", "imd_n": "int64"}
_CUBE_ONLY = {d: "string" for d in PATIENT_DIMENSIONS}
_COUNTS_COLUMNS = ["practice_code", "risk_score", *MEASURE_COLUMNS, "imd_sum", "imd_n"]
_CUBE_COLUMNS = ["practice_code", *PATIENT_DIMENSIONS, *MEASURE_COLUMNS]


def _stacked(counts: ir.Table, cube: ir.Table) -> ir.Table:
    """The two group-bys as one table (a `part` column says which; each other's columns null),
    so one query computes both from their shared flags."""

    def padded(table: ir.Table, name: str) -> ir.Table:
        extra = {c: table[c] if c in table.columns else ibis.null(t)
                 for c, t in (_COUNTS_ONLY | _CUBE_ONLY).items()}
        return table.select("practice_code", *[table[m] for m in MEASURE_COLUMNS],
                            **{PART: ibis.literal(name)}, **extra)

    return padded(counts, "counts").union(padded(cube, "cube"))


PATIENT_LEVEL = PatientLevelStore()

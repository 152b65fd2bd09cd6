"""The store kind "patient_level": records in the data contract's tables, measured by the engine.

Why a module of its own: the use cases ask every kind of store the same three questions — does
this store hold your kind of data, what date does it describe, and what are its practice counts
and breakdowns (`measure`, from one pass) — through `domain.extensions.STORE_KINDS`; this
is the answer for a store made by `joinedup load` (or the FHIR record feeding it).
`engines.aggregates.AGGREGATE` answers for published aggregates.

It runs the queries that `engines.measures` and `engines.breakdowns` build, named as
"module:function" builders, through `engines.queries` (which keeps their compiled SQL), and turns
the results into records with `engines.rows`: none of that imports Ibis, so a repeat run does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from joinedup.domain.codelists import Codelist
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import Programme, prevalence_bands
from joinedup.engines import queries
from joinedup.engines.rows import (
    breakdown_rows,
    footprint_of,
    practice_rows,
)

DATED_TABLES = ("clinical_events", "medications")
"""Tables whose latest date is the extract date of a patient-level store."""

SERIES_ROWS_PER_QUERY = 2_000_000
"""Patient-periods one series query may pair (see `practice_counts_series`); about the rows of one
run on a 2 M-patient store, so a series never needs more memory than such a run."""

_MEASURES = "joinedup.engines.measures"
_PART = "part"  # engines.breakdowns.PART, which this module does not import (it imports Ibis)


class PatientLevelStore:
    """Patient-level records: counts and breakdowns computed in the backend."""

    name = "patient_level"
    description = "patient-level records"

    def holds(self, con: Any) -> bool:
        return queries.has_table(con, "patients")

    def period_end(self, con: Any) -> date | None:
        """The data's extract date: the latest dated record, so a default run sees current data.

        One query over every dated table."""
        tables = [t for t in DATED_TABLES if queries.has_table(con, t)]
        if not tables:
            return None
        latest: date | None = queries.run(con, f"{_MEASURES}:latest_date", tables)[0]["day"]
        return latest

    def practice_counts(
        self, con: Any, programme: Programme, reference_date: date,
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> tuple[list[PracticeCounts], dict[str, Any]]:
        counts = practice_counts(con, programme, reference_date, parameters, codelists=codelists)
        return counts, self._notes(programme, reference_date)

    def practice_counts_series(
        self, con: Any, programme: Programme, days: Sequence[date],
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> dict[date, tuple[list[PracticeCounts], dict[str, Any]]]:
        """`practice_counts` at every date in `days`, from one query over all of them."""
        series = practice_counts_series(con, programme, days, parameters, codelists=codelists)
        return {day: (counts, self._notes(programme, day)) for day, counts in series.items()}

    def _notes(self, programme: Programme, day: date) -> dict[str, Any]:
        return {"data_source": self.description, "age_structure": "single year of age",
                "treated_rule": programme.treated.at(day).label}

    def measure(
        self, con: Any, programme: Programme, reference_date: date,
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> tuple[list[PracticeCounts], dict[str, Any], list[dict[str, object]]]:
        """Practice counts, their notes and the breakdowns, from one query.

        The flags (the joins to every event table) are the expensive part. The patients are
        grouped once, by practice, risk score and every dimension's group, and the practice
        counts (by practice and risk score) and the breakdowns (by practice and each
        dimension's group) are sums of that grouping, stacked into one query
        (`breakdowns.counts_and_cube`), not a temporary table, which at 2.6 M patients cost
        more than the group-bys.
        """
        both = queries.run(con, *_measure_query(programme, reference_date, parameters, codelists))
        counts_rows: list[dict[str, Any]] = []
        cube: list[dict[str, Any]] = []
        for row in both:
            (counts_rows if row[_PART] == "counts" else cube).append(row)
        footprint = footprint_of(con)
        counts = practice_rows(counts_rows, programme, reference_date, footprint)
        breakdowns = breakdown_rows(footprint, cube, programme, reference_date)
        return counts, self._notes(programme, reference_date), breakdowns

    def prepare(
        self, con: Any, programme: Programme, reference_date: date,
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> bool:
        """Compile and keep `measure`'s query without running it (`queries.prepare`)."""
        return queries.prepare(
            con, *_measure_query(programme, reference_date, parameters, codelists))

    def prepare_series(
        self, con: Any, programme: Programme, days: Sequence[date],
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> bool:
        """Compile and keep `practice_counts_series`' queries for `days` without running them;
        True when every one is kept."""
        kept = [queries.prepare(con, *query)
                for _batch, query in _series_queries(con, programme, days, parameters,
                                                     codelists)]
        return all(kept)


def _measure_query(
    programme: Programme, reference_date: date, parameters: ParameterSet,
    codelists: Mapping[str, Codelist],
) -> tuple[Any, ...]:
    """The builder and arguments of `measure`'s query, the one `prepare` keeps."""
    bands = prevalence_bands(parameters[programme.expected_prevalence])
    return ("joinedup.engines.breakdowns:counts_and_cube", programme, reference_date, bands,
            codelists)


def practice_counts(
    con: Any,
    programme: Programme,
    reference_date: date,
    parameters: ParameterSet,
    *,
    codelists: Mapping[str, Codelist],
    include_opted_out: bool = False,
) -> list[PracticeCounts]:
    """The practice measure table's counts for every practice, computed in the backend.

    One row per practice that has registered patients at the date or is a practice organisation
    valid at the date (zero counts), sorted by practice code. `expected` sums, over registered
    patients, the prevalence of their age band and sex from the programme's expected-prevalence
    table in `parameters`.
    """
    bands = prevalence_bands(parameters[programme.expected_prevalence])
    rows = queries.run(con, f"{_MEASURES}:practice_totals", programme, reference_date, bands,
                       codelists, include_opted_out)
    return practice_rows(rows, programme, reference_date, footprint_of(con))


def practice_counts_series(
    con: Any,
    programme: Programme,
    days: Sequence[date],
    parameters: ParameterSet,
    *,
    codelists: Mapping[str, Codelist],
) -> dict[date, list[PracticeCounts]]:
    """`practice_counts` at each of `days`: what progress and trends measure.

    Period ends are measured together, as many to a query (`engines.moments`) as keep the
    patients times periods under `SERIES_ROWS_PER_QUERY`: a small store measures 12 or 24 period
    ends in one query (compiling it is then most of the cost), a large one a period or two at a
    time (running it is; pairing 2.6 M patients with 8 quarter ends in one query took 5.8 GB).
    """
    footprint = footprint_of(con)
    out: dict[date, list[PracticeCounts]] = {}
    for batch, query in _series_queries(con, programme, days, parameters, codelists):
        rows = queries.run(con, *query)
        by_day: dict[date, list[dict[str, Any]]] = {day: [] for day in batch}
        for row in rows:
            by_day[row.pop("period_end") if len(batch) > 1 else batch[0]].append(row)
        for day in batch:
            out[day] = practice_rows(by_day[day], programme, day, footprint)
    return out


def _series_queries(
    con: Any, programme: Programme, days: Sequence[date], parameters: ParameterSet,
    codelists: Mapping[str, Codelist],
) -> list[tuple[list[date], tuple[Any, ...]]]:
    """The period ends of `practice_counts_series`, batched to keep each query's patients times
    periods under `SERIES_ROWS_PER_QUERY`, each batch with its query's builder and arguments
    (the ones `prepare_series` keeps)."""
    ordered = sorted(set(days))
    patients = int(queries.run(con, f"{_MEASURES}:patient_count")[0]["patients"])
    per_query = max(1, SERIES_ROWS_PER_QUERY // max(patients, 1))
    bands = prevalence_bands(parameters[programme.expected_prevalence])
    batches = [ordered[start : start + per_query] for start in range(0, len(ordered), per_query)]
    return [(batch, (f"{_MEASURES}:practice_totals", programme,
                     batch[0] if len(batch) == 1 else batch, bands, codelists))
            for batch in batches]


PATIENT_LEVEL = PatientLevelStore()

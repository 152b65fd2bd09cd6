"""Patient-level inequality breakdowns: every practice count, by group of patients.

Why: the partnership wants every measure broken down by IMD quintile, ethnicity group, age band
and sex (issue 5, docs/inequalities.md) so it can see who is missed. The counts are the practice
measure table's (list_size, expected, recorded, eligible, treated, exceptions), over the same
population and flags (`patient_flags`: registered and alive at the date, opted-out patients left
out), so each dimension's groups add up to the practice table's totals.

How, and why it is fast: over one population (the patient flags, the expensive joins to
events, with each patient's prevalence and groups, worked out once), the backend counts by
practice and group, one group-by per dimension (grouping sets, in effect): a few dozen rows per
practice. Each dimension, at each roll-up level, is then a sum of those rows over practices, in
Python (`engines.rows`); the patient rows never leave the backend.

Groups: a patient's IMD quintile comes from the decile of their own LSOA (1 = most deprived);
missing or unrecognised values fall into `UNKNOWN`, so nobody is lost from a breakdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from joinedup.domain.codelists import Codelist
from joinedup.domain.contract import ETHNICITIES, SEXES
from joinedup.domain.inequality import DEFAULT_AGE_EDGES, UNKNOWN, age_bands
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import PrevalenceBand, Programme, prevalence_bands

# The prevalence expression is shared with the practice table so `expected` agrees exactly.
from joinedup.engines.measures import (
    measure_counts,
    patient_flags,
    prevalence,
)
from joinedup.engines.rows import (
    BREAKDOWN_LEVELS,
    MEASURE_COLUMNS,
    PATIENT_DIMENSIONS,
    BreakdownLevel,
    breakdown_rows,
    footprint_of,
)

_UNKNOWN = ibis.literal(UNKNOWN, type="string")
DIMENSION = "dimension"
GROUP = "group"

__all__ = [
    "breakdown_counts",
    "breakdown_cube",
    "counts_and_cube",
]


def breakdown_counts(
    con: BaseBackend,
    programme: Programme,
    reference_date: date,
    parameters: ParameterSet,
    *,
    level: BreakdownLevel = "footprint",
    codelists: Mapping[str, Codelist],
    age_edges: Sequence[int] = DEFAULT_AGE_EDGES,
) -> list[dict[str, object]]:
    """Counts by IMD quintile, ethnicity group, age band and sex, for each org at `level`.

    One row per (org_code, dimension, group) with the columns `IDENTITY_COLUMNS` then
    `COUNT_COLUMNS`. `org_code` is None at the footprint level, and for practices that have no
    organisation at `level`. Every group of a dimension is listed, in display order (Unknown
    last), with zeros where nobody is in it, so tables and charts line up across runs; the
    Unknown group only when someone is in it. (An Unknown that is always empty, such as sex
    where the contract allows only F and M, would be a zero a reader can predict; if disclosure
    control picked it as the second suppressed cell it would protect nothing.)
    IMD quintile groups are the ints 1-5 (or "Unknown"); the others are strings.
    Opted-out patients are never counted: this is an analytic output.
    """
    if level not in BREAKDOWN_LEVELS:
        raise ValueError(f"unknown breakdown level {level!r}; choose from {BREAKDOWN_LEVELS}")
    bands = prevalence_bands(parameters[programme.expected_prevalence])
    flags = patient_flags(con, programme, reference_date, codelists=codelists, ethnicity=True)
    cube = breakdown_cube(flags, bands, age_edges).to_pyarrow().to_pylist()
    return breakdown_rows(footprint_of(con), cube, programme, reference_date, level=level,
                          age_edges=age_edges)


def breakdown_cube(
    flags: ir.Table,
    bands: Sequence[PrevalenceBand],
    age_edges: Sequence[int] = DEFAULT_AGE_EDGES,
) -> ir.Table:
    """The backend's aggregation: counts per practice, dimension and group (Ibis table): the
    patients grouped once by practice, score and every dimension (`_fine`), then summed by
    each dimension and stacked (grouping sets, in effect).

    `flags` is `patient_flags(..., ethnicity=True)`; `bands` the programme's prevalence bands.
    Columns:
    practice_code, the measure counts, `dimension` (one of `PATIENT_DIMENSIONS`) and `group`, a
    string (IMD quintile "1"-"5"), `UNKNOWN` for anything missing or out of range. Every level of
    every breakdown is a sum of these rows over practices: at most a few dozen per practice,
    where crossing the four dimensions gave 130 per practice at 1 M patients, summed in Python.
    """
    return _cube(_fine(_grouped(flags.filter(flags.registered & flags.alive), bands, age_edges)))


def _grouped(
    population: ir.Table, bands: Sequence[PrevalenceBand], age_edges: Sequence[int]
) -> ir.Table:
    """The population with each patient's modelled prevalence and group in every dimension.

    Ethnicity comes with the patient's row (`patient_flags(..., ethnicity=True)`): joining it
    back to every patient cost a fifth of a second of CPU at 1 M.
    """
    decile = population.imd_decile
    grouped = population.mutate(
        prevalence=prevalence(population, bands),
        imd_quintile=ibis.ifelse(
            decile.between(1, 10).fill_null(False),
            ((decile + 1) // 2).cast("int64").cast("string"),
            _UNKNOWN,
        ),
        age_band=_age_band(population.age, age_edges),
        sex=ibis.ifelse(population.sex.isin(SEXES).fill_null(False), population.sex, _UNKNOWN),
        ethnicity=_ethnicity_group(population.ethnicity),
    )
    return grouped


def _fine(grouped: ir.Table) -> ir.Table:
    """The patients' counts by practice, risk score and every dimension's group at once: one
    pass over the patients, which the practice totals and the cube then sum (a hundred thousand
    rows at 2.6 M patients). Grouping the patients once per dimension instead made DuckDB keep
    all 2.5 M of them, with their flags, for the group-bys to read."""
    return grouped.group_by(["practice_code", "risk_score", *PATIENT_DIMENSIONS]).aggregate(
        **measure_counts(grouped),
        imd_sum=grouped.imd_decile.sum(),
        imd_n=grouped.imd_decile.count(),
    )


def _cube(fine: ir.Table) -> ir.Table:
    """The cube: `_fine`'s counts summed by practice and each dimension's group."""
    parts = [
        fine.group_by(["practice_code", fine[dimension].name(GROUP)])
        .aggregate(**{c: fine[c].sum() for c in MEASURE_COLUMNS})
        .select("practice_code", *MEASURE_COLUMNS, **{DIMENSION: ibis.literal(dimension)},
                **{GROUP: GROUP})
        for dimension in PATIENT_DIMENSIONS
    ]
    return parts[0].union(*parts[1:])


def _ethnicity_group(recorded: ir.StringValue) -> ir.StringValue:
    """The group of a recorded ethnicity: as the contract's patients record it, or `UNKNOWN`
    for none or a value the contract does not list."""
    return ibis.ifelse(recorded.isin(ETHNICITIES).fill_null(False), recorded, _UNKNOWN)


def _age_band(age: ir.IntegerValue, edges: Sequence[int]) -> ir.StringValue:
    """The domain's age band label, as a CASE in the backend (Unknown for no or negative age)."""
    labels = age_bands(edges)
    lows = (0, *edges)
    cases = []
    for i, label in enumerate(labels):
        condition = age >= lows[i]
        if i + 1 < len(lows):
            condition = condition & (age < lows[i + 1])
        cases.append((condition, ibis.literal(label, type="string")))
    return ibis.cases(*cases, else_=ibis.literal(UNKNOWN, type="string"))


PART = "part"
"""The column of `counts_and_cube` saying which group-by a row comes from."""
_COUNTS_ONLY = {"risk_score": "int64", "imd_sum": "int64", "imd_n": "int64"}
_CUBE_ONLY = {DIMENSION: "string", GROUP: "string"}


def counts_and_cube(
    con: BaseBackend,
    programme: Programme,
    reference_date: date,
    bands: Sequence[PrevalenceBand],
    codelists: Mapping[str, Codelist],
) -> ir.Table:
    """The practice totals (as `practice_score_totals` counts them) and the breakdown cube
    (`breakdown_cube`) stacked as one table, a `part` column saying which ("counts" or "cube")
    and each other's columns null: one query computes both, summing one grouping of the
    patients (`_fine`) two ways (`patient_level.measure`).
    """
    flags = patient_flags(con, programme, reference_date, codelists=codelists, ethnicity=True)
    fine = _fine(_grouped(flags.filter(flags.registered & flags.alive), bands,
                          DEFAULT_AGE_EDGES))
    counts = fine.group_by(["practice_code", "risk_score"]).aggregate(
        **{c: fine[c].sum() for c in (*MEASURE_COLUMNS, "imd_sum", "imd_n")})
    cube = _cube(fine)

    def padded(table: ir.Table, name: str) -> ir.Table:
        extra = {c: table[c] if c in table.columns else ibis.null(t)
                 for c, t in (_COUNTS_ONLY | _CUBE_ONLY).items()}
        return table.select("practice_code", *[table[m] for m in MEASURE_COLUMNS],
                            **{PART: ibis.literal(name)}, **extra)

    return padded(counts, "counts").union(padded(cube, "cube"))

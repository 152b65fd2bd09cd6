"""Breakdowns on a small synthetic ICS: they add up to the practice table, level by level, and
agree with plain SQL over the store; opted-out patients are never counted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from ibis.backends import BaseBackend

from joinedup.domain.disclosure import PublicationPolicy
from joinedup.domain.measures import PracticeCounts
from joinedup.engines.breakdowns import breakdown_counts
from joinedup.engines.duckdb import connect
from joinedup.engines.patient_level import practice_counts
from joinedup.engines.rows import PATIENT_DIMENSIONS
from joinedup.outputs.breakdowns import (
    COUNT_COLUMNS,
    IDENTITY_COLUMNS,
    breakdown_table,
    check_breakdown_totals,
)
from joinedup.programmes import load_parameters, load_programme, resolve_codelists
from joinedup.sources.synthetic import generate
from joinedup.store import load

pytestmark = pytest.mark.slow
REF = date(2026, 3, 31)
PROGRAMMES = ("af", "hypertension")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("breakdowns")
    generate(root / "source", patients=20_000, seed=1, density="programme")
    load(root / "source", root / "store.duckdb", today=REF)
    return root / "store.duckdb"


@pytest.fixture(scope="module")
def con(store: Path) -> Iterator[BaseBackend]:
    connection = connect(store, read_only=True)
    yield connection
    connection.disconnect()


@pytest.fixture(scope="module")
def results(con: BaseBackend) -> dict[str, tuple[list[PracticeCounts], dict[str, list[dict]]]]:
    out = {}
    for name in PROGRAMMES:
        programme = load_programme(name)
        parameters = load_parameters(programme)
        practices = practice_counts(
            con, programme, REF, parameters, codelists=resolve_codelists(programme)
        )
        levels = {
            level: breakdown_counts(
                con,
                programme,
                REF,
                parameters,
                level=level,
                codelists=resolve_codelists(programme),
            )
            for level in ("footprint", "pcn", "practice")
        }
        out[name] = (practices, levels)
    return out


@pytest.mark.parametrize("name", PROGRAMMES)
def test_every_dimension_adds_up_to_the_practice_table_totals(results, name):
    practices, levels = results[name]
    rows = levels["footprint"]
    assert {r["dimension"] for r in rows} == set(PATIENT_DIMENSIONS)
    for column in COUNT_COLUMNS:
        if column == "exceptions" and name == "hypertension":
            # No exceptions rule: unknown in the practice table and in every breakdown row.
            assert all(p.exceptions is None for p in practices)
            assert all(r["exceptions"] is None for r in rows)
            continue
        total = sum(getattr(p, column) for p in practices)
        if column != "exceptions":
            assert total > 0, column  # the programme's rules have work to do
        for dimension in PATIENT_DIMENSIONS:
            got = sum(r[column] for r in rows if r["dimension"] == dimension)
            assert got == pytest.approx(total, rel=1e-9), (dimension, column)
    totals = {
        c: None if any(getattr(p, c) is None for p in practices)
        else float(sum(getattr(p, c) for p in practices))
        for c in COUNT_COLUMNS
    }
    check_breakdown_totals(rows, totals)  # the output-side check agrees


@pytest.mark.parametrize("name", PROGRAMMES)
@pytest.mark.parametrize("level", ["pcn", "practice"])
def test_each_organisation_adds_up_to_its_practices(results, name, level):
    practices, levels = results[name]
    want: dict[str | None, dict[str, float]] = defaultdict(lambda: dict.fromkeys(COUNT_COLUMNS, 0))
    for p in practices:
        code = p.pcn_code if level == "pcn" else p.practice_code
        for column in COUNT_COLUMNS:
            want[code][column] += getattr(p, column) or 0  # hypertension: exceptions unknown
    for dimension in PATIENT_DIMENSIONS:
        got: dict[str | None, dict[str, float]] = defaultdict(
            lambda: dict.fromkeys(COUNT_COLUMNS, 0)
        )
        for r in levels[level]:
            if r["dimension"] == dimension:
                for column in COUNT_COLUMNS:
                    got[r["org_code"]][column] += r[column] or 0
        with_patients = {c: v for c, v in want.items() if v["list_size"]}
        assert set(got) == set(with_patients)
        for code, counts in with_patients.items():
            assert got[code] == pytest.approx(counts), (dimension, code)


def test_rows_have_the_output_columns(results):
    _, levels = results["af"]
    assert all(list(r) == [*IDENTITY_COLUMNS, *COUNT_COLUMNS] for r in levels["practice"])


POPULATION = """
    from patients
    where registered_from <= DATE '2026-03-31'
      and (registered_to is null or registered_to >= DATE '2026-03-31')
      and (date_of_death is null or date_of_death > DATE '2026-03-31')
"""


def test_list_sizes_match_plain_sql_and_leave_out_opted_out_patients(store, results):
    with duckdb.connect(str(store), read_only=True) as db:
        [(opted_out,)] = db.sql(f"select count(*) {POPULATION} and opted_out").fetchall()
        assert opted_out > 100  # the test has people to leave out
        by_group = {
            "imd_quintile": "coalesce(cast((imd_decile + 1) // 2 as varchar), 'Unknown')",
            "ethnicity": "ethnicity",
            "sex": "sex",
        }
        for dimension, expression in by_group.items():
            sql = f"select {expression}, count(*) {POPULATION} and not opted_out group by 1"
            want = {str(group): n for group, n in db.sql(sql).fetchall()}
            _, levels = results["af"]
            got = {
                str(r["group"]): r["list_size"]
                for r in levels["footprint"]
                if r["dimension"] == dimension and r["list_size"]
            }
            assert got == want, dimension


def test_published_practice_breakdowns_hide_small_counts_and_cannot_be_undone(results):
    _, levels = results["af"]
    rows = levels["practice"]
    published = breakdown_table(rows, PublicationPolicy())
    columns = ("list_size", "expected", "recorded", "eligible", "treated", "exceptions")
    hidden = 0
    for row in published:
        for column in columns:
            value = row[column]
            assert value is None or (value % 5 == 0 and not 1 <= value <= 7), (row, column)
            hidden += value is None
    assert hidden > 100  # small practices' groups do get suppressed
    # Within each practice's dimension, no column has exactly one hidden cell.
    siblings: dict[tuple[object, object, str], int] = defaultdict(int)
    for row in published:
        for column in columns:
            siblings[(row["org_code"], row["dimension"], column)] += row[column] is None
    assert 1 not in siblings.values()


@pytest.mark.parametrize("name", PROGRAMMES)
def test_one_pass_gives_the_separate_counts_and_breakdowns_and_leaves_no_table(con, results, name):
    from joinedup.engines.patient_level import PATIENT_LEVEL

    programme = load_programme(name)
    def tables() -> set[str]:
        """Temporary tables too (information_schema lists them); not the views Ibis registers
        for its in-memory tables (the code lists), which it keeps for the connection's life."""
        names = con.raw_sql("SELECT table_name FROM information_schema.tables").fetchall()
        return {r[0] for r in names if not r[0].startswith("ibis_pandas_memtable_")}

    tables_before = tables()
    counts, notes, breakdowns = PATIENT_LEVEL.measure(
        con, programme, REF, load_parameters(programme), resolve_codelists(programme))
    practices, levels = results[name]
    assert counts == practices
    assert breakdowns == levels["footprint"]
    assert notes["treated_rule"] == programme.treated.at(REF).label
    assert tables() == tables_before

"""Compiled queries kept and reused (engines.queries): same results, right keys, safe failures."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from joinedup.domain.codelists import Codelist
from joinedup.engines import queries
from joinedup.engines.duckdb import connect
from joinedup.engines.tables import create_contract_tables

BUILDER = "joinedup.engines.measures:practice_totals"
REF = date(2025, 3, 31)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(queries.CACHE_ENV, str(folder))
    return folder / "queries"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A tiny store: two practices, three patients, two with an AF code."""
    path = tmp_path / "store.duckdb"
    con = connect(path)

    def patient(pid: int, practice: str, born: date, sex: str) -> dict[str, object]:
        return {"patient_id": pid, "nhs_number": f"{pid:010d}", "birth_date": born, "sex": sex,
                "ethnicity": "White", "lsoa_code": None, "imd_decile": pid,
                "practice_code": practice, "registered_from": date(2000, 1, 1),
                "registered_to": None, "date_of_death": None, "opted_out": False}

    create_contract_tables(con, {
        "organisations": [{"org_code": code, "name": code, "org_type": "practice",
                           "parent_code": None, "valid_from": None, "valid_to": None}
                          for code in ("P1", "P2")],
        "patients": [patient(1, "P1", date(1940, 1, 1), "F"),
                     patient(2, "P1", date(1950, 6, 1), "M"),
                     patient(3, "P2", date(1930, 1, 1), "M")],
        "clinical_events": [
            {"patient_id": 1, "date": date(2020, 2, 2), "snomed_code": "49436004",
             "numeric_value": None},
            {"patient_id": 3, "date": date(2024, 5, 5), "snomed_code": "49436004",
             "numeric_value": None},
        ],
    })
    con.disconnect()
    return path


def totals(
    store: Path, day: date = REF, codelists: dict[str, Codelist] | None = None
) -> queries.Records:
    from joinedup.domain.programme import prevalence_bands
    from joinedup.programmes import load_parameters, load_programme, resolve_codelists

    af = load_programme("af")
    bands = prevalence_bands(load_parameters(af)[af.expected_prevalence])
    con = connect(store, read_only=True)
    try:
        return queries.run(con, BUILDER, af, day, bands, codelists or resolve_codelists(af), False)
    finally:
        con.disconnect()


def entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if not p.name.startswith("."))


def sort(rows: queries.Records) -> list[list[tuple[str, type, object]]]:
    """The rows in one order, each value with its Python type, so a float where Ibis gives an
    int (1.0 == 1) is a difference."""
    ordered = sorted(rows, key=lambda r: (r["practice_code"], r["risk_score"] is None,
                                          r["risk_score"] or 0))
    return [[(k, type(v), v) for k, v in sorted(row.items())] for row in ordered]


def column_sum(rows: queries.Records, column: str) -> int:
    return sum(row[column] or 0 for row in rows)


def test_a_kept_query_gives_the_table_ibis_gives(store: Path, cache: Path) -> None:
    from joinedup.domain.programme import prevalence_bands
    from joinedup.engines.measures import practice_totals
    from joinedup.programmes import load_parameters, load_programme, resolve_codelists

    first, again = totals(store), totals(store)
    assert len(entries(cache)) == 1
    af = load_programme("af")
    bands = prevalence_bands(load_parameters(af)[af.expected_prevalence])
    con = connect(store, read_only=True)
    by_ibis = practice_totals(con.ibis, af, REF, bands, resolve_codelists(af)).to_pyarrow()
    con.disconnect()
    assert sort(first) == sort(by_ibis.to_pylist())  # values and types: sums are ints, as in Ibis
    assert sort(again) == sort(by_ibis.to_pylist())
    assert column_sum(first, "list_size") == 3
    assert column_sum(first, "recorded") == 2


def test_a_repeat_run_does_not_import_ibis(store: Path, cache: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        from datetime import date
        from joinedup.domain.programme import prevalence_bands
        from joinedup.engines import queries
        from joinedup.engines.duckdb import connect
        from joinedup.programmes import load_parameters, load_programme, resolve_codelists
        af = load_programme("af")
        bands = prevalence_bands(load_parameters(af)[af.expected_prevalence])
        con = connect({str(store)!r}, read_only=True)
        rows = queries.run(con, {BUILDER!r}, af, date(2025, 3, 31), bands,
                           resolve_codelists(af), False)
        loaded = [m for m in ("ibis", "pyarrow", "numpy") if m in sys.modules]
        print(sum(r["list_size"] for r in rows), ",".join(loaded) or "none")
    """)

    def run() -> str:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=True)
        return done.stdout.split()

    assert run()[1].startswith("ibis")  # compiled: Ibis built the query
    assert run() == ["3", "none"]  # kept: DuckDB ran it alone, and gave Python records


def test_another_date_or_store_shape_compiles_afresh(store: Path, cache: Path) -> None:
    totals(store)
    totals(store, date(2024, 3, 31))
    assert len(entries(cache)) == 2
    con = connect(store)
    con.raw.execute("ALTER TABLE patients ADD COLUMN extra VARCHAR")
    con.disconnect()
    assert column_sum(totals(store), "list_size") == 3
    assert len(entries(cache)) == 3


def test_an_edited_codelist_compiles_afresh_and_counts_by_the_edit(
    store: Path, cache: Path
) -> None:
    from joinedup.programmes import load_programme, resolve_codelists

    codelists = dict(resolve_codelists(load_programme("af")))
    assert column_sum(totals(store, codelists=codelists), "recorded") == 2
    af = codelists["af"]
    codelists["af"] = Codelist.of("af", af.system, [(c, af.term(c)) for c in af
                                                    if c != "49436004"])
    assert column_sum(totals(store, codelists=codelists), "recorded") == 0
    assert len(entries(cache)) == 2


@pytest.mark.parametrize("damaged", ["query.json", "table0.parquet", "every file"])
def test_a_damaged_entry_is_compiled_again_and_replaced(
    store: Path, cache: Path, damaged: str
) -> None:
    expected = sort(totals(store))
    (entry,) = entries(cache)
    assert (entry / "table0.parquet").exists()  # the codelists, kept beside the SQL
    for part in entry.iterdir():
        if damaged in (part.name, "every file"):
            part.write_bytes(part.read_bytes()[:10])
    assert queries._read(entry) is None
    assert sort(totals(store)) == expected
    assert entries(cache) == [entry]
    assert queries._read(entry) is not None  # mended: the next run reads it
    assert sort(totals(store)) == expected
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]


def test_off_keeps_nothing(store: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(queries.CACHE_ENV, "off")
    assert column_sum(totals(store), "list_size") == 3
    assert not cache.parent.exists()


def test_a_cache_that_cannot_be_written_costs_only_time(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(queries.CACHE_ENV, str(blocked))
    assert column_sum(totals(store), "list_size") == 3


def test_the_oldest_entries_are_pruned(
    store: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "MAX_ENTRIES", 2)
    totals(store, date(2022, 3, 31))
    left_by_a_killed_writer = cache / ".abc-staging"
    left_by_a_killed_writer.mkdir()
    os.utime(left_by_a_killed_writer, (0, 0))
    for year in (2023, 2024):
        totals(store, date(year, 3, 31))
    assert len(entries(cache)) == 2
    assert not left_by_a_killed_writer.exists()


@dataclasses.dataclass(frozen=True)
class Rule:
    name: str
    codes: frozenset[str]
    note: str = dataclasses.field(default="", compare=False)


def test_keys_see_values_not_their_order_or_uncompared_fields() -> None:
    one = Rule("af", frozenset(["b", "a", "c"]), note="one")
    two = Rule("af", frozenset(["c", "a", "b"]), note="two")
    assert queries._canonical([one, {"x": 1, "y": 2}]) == queries._canonical(
        [two, {"y": 2, "x": 1}]
    )
    assert queries._canonical(one) != queries._canonical(Rule("af", frozenset(["a"])))
    assert queries._canonical(1.0) != queries._canonical(1)
    assert queries._canonical(date(2025, 3, 31)) != queries._canonical("2025-03-31")


def test_an_argument_the_key_cannot_see_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot key a compiled query on a object"):
        queries._canonical([object()])


def test_prepare_keeps_the_query_run_would_run(
    store: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from joinedup.domain.programme import prevalence_bands
    from joinedup.programmes import load_parameters, load_programme, resolve_codelists

    af = load_programme("af")
    args = (af, REF, prevalence_bands(load_parameters(af)[af.expected_prevalence]),
            resolve_codelists(af), False)
    con = connect(store, read_only=True)
    monkeypatch.setenv(queries.CACHE_ENV, "off")
    assert queries.prepare(con, BUILDER, *args) is False
    monkeypatch.setenv(queries.CACHE_ENV, str(cache.parent))
    assert queries.prepare(con, BUILDER, *args) is True
    con.disconnect()
    (entry,) = entries(cache)
    totals(store)  # the same query: read, not compiled again
    assert entries(cache) == [entry]


def test_the_cache_folder_follows_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(queries.CACHE_ENV, str(tmp_path / "mine"))
    assert queries._cache_folder() == tmp_path / "mine" / "queries"
    monkeypatch.delenv(queries.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert queries._cache_folder() == tmp_path / "xdg" / "joinedup" / "queries"
    monkeypatch.delenv("XDG_CACHE_HOME")

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert queries._cache_folder() is None  # compiles every time rather than failing

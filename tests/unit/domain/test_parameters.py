from __future__ import annotations

from pathlib import Path

import pytest

from joinedup.domain.parameters import ParameterError, ParameterSet


def _write_set(folder: Path, rows: str = "1,0.5,Smith 2020\n2,0.7,Smith 2020\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.toml").write_text('name = "demo"\nversion = "1.0"\n')
    (folder / "risk.csv").write_text("score,value,source\n" + rows)
    return folder


def test_loads_tables_with_version_and_values(tmp_path: Path) -> None:
    params = ParameterSet.from_dir(_write_set(tmp_path / "p"))
    assert params.label == "demo 1.0"
    assert params["risk"].value(score="2") == 0.7
    assert params["risk"].floats("value") == [0.5, 0.7]


def test_every_row_must_be_cited(tmp_path: Path) -> None:
    _write_set(tmp_path / "p", rows="1,0.5,Smith 2020\n2,0.7,\n")
    with pytest.raises(ParameterError, match=r"risk.csv: line 3: empty 'source'"):
        ParameterSet.from_dir(tmp_path / "p")


def test_a_table_without_a_source_column_is_refused(tmp_path: Path) -> None:
    folder = _write_set(tmp_path / "p")
    (folder / "risk.csv").write_text("score,value\n1,0.5\n")
    with pytest.raises(ParameterError, match="no 'source' column"):
        ParameterSet.from_dir(folder)


def test_bad_number_names_file_row_and_column(tmp_path: Path) -> None:
    params = ParameterSet.from_dir(_write_set(tmp_path / "p", rows="1,half,Smith\n"))
    with pytest.raises(ParameterError, match=r"risk.csv: row 1, column 'value'"):
        params["risk"].floats("value")


def test_override_replaces_a_table_and_marks_the_version(tmp_path: Path) -> None:
    base = ParameterSet.from_dir(_write_set(tmp_path / "p"))
    local = tmp_path / "local"
    local.mkdir()
    (local / "risk.csv").write_text("score,value,source\n1,0.9,Local audit 2026\n2,0.9,Local\n")
    over = base.with_overrides(local)
    assert over["risk"].value(score="1") == 0.9
    assert over.version.startswith("1.0+local.")
    assert base["risk"].value(score="1") == 0.5  # the packaged set is untouched


def test_override_with_an_unknown_table_is_refused(tmp_path: Path) -> None:
    base = ParameterSet.from_dir(_write_set(tmp_path / "p"))
    local = tmp_path / "local"
    local.mkdir()
    (local / "risks.csv").write_text("score,value,source\n1,0.9,x\n")
    with pytest.raises(ParameterError, match="not tables of parameter set"):
        base.with_overrides(local)


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="no parameter manifest"):
        ParameterSet.from_dir(tmp_path)

"""`joinedup synth` from the command line: files, summary, and one clear line for a mistake."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from joinedup.cli.main import app
from joinedup.sources.synthetic.rates import af_packaged_dir

runner = CliRunner()


def test_synth_writes_files_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "ics"
    result = runner.invoke(app, ["synth", "--out", str(out), "--patients", "5000", "--seed", "9"])
    assert result.exit_code == 0, result.output
    for name in ("organisations", "patients", "clinical_events", "medications", "encounters"):
        assert (out / f"{name}.parquet").is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 9 and manifest["options"]["patients"] == 5000
    text = " ".join(result.output.split())
    assert "6 places" in text and "PCNs" in text and "practices" in text
    assert "patients" in text and "encounters" in text
    assert f"{manifest['tables']['patients']['rows']:,}" in text


def test_unknown_footprint_is_one_error_listing_the_choices(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--out", str(tmp_path), "--footprint", "atlantis"])
    assert result.exit_code == 2
    assert "atlantis" in result.output
    assert "west-yorkshire" in result.output and "west-yorkshire-2019" in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_bad_reference_date_and_misplaced_parameters_are_clear_errors(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["synth", "--out", str(tmp_path / "x"), "--reference-date", "31/03/2026"]
    )
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    params = tmp_path / "params"
    params.mkdir()
    (params / "af_prevalence.csv").write_text(
        (af_packaged_dir() / "af_prevalence.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = runner.invoke(
        app,
        ["synth", "--out", str(tmp_path / "y"), "--patients", "2000", "--parameters", str(params)],
    )
    assert result.exit_code == 2
    assert "af_prevalence.csv" in result.output and "af" in result.output


def test_help_describes_every_option() -> None:
    result = runner.invoke(app, ["synth", "--help"])
    assert result.exit_code == 0
    for option in (
        "--out",
        "--patients",
        "--seed",
        "--footprint",
        "--reference-date",
        "--parameters",
    ):
        assert option in result.output

"""`joinedup demo` runs the main job end to end with nothing set up beforehand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joinedup.cli.main import app


@pytest.mark.slow
def test_demo_generates_loads_runs_and_points_at_the_report(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--patients", "20000"])
    assert result.exit_code == 0, result.output
    report = out / "af" / "report.html"
    assert report.is_file()
    assert f"report: {report}" in result.output
    summary = json.loads((out / "af" / "summary.json").read_text())
    # The synthetic population has undiagnosed and untreated AF, so there is work to do.
    assert summary["to_find"] > 0 and summary["to_treat"] > 0
    assert 0.6 < summary["detection_rate"] < 0.95
    assert f"find {summary['to_find']:,} and treat {summary['to_treat']:,}" in result.output
    # Nothing was rejected: the generator's own data satisfies the loader's checks.
    # The demo charts progress: the default improvement scenario shows treatment rising.
    assert 'id="trend"' in report.read_text()
    trend = json.loads((out / "af" / "progress.json").read_text())["footprint_trend"]
    assert len(trend["treatment_rate"]) == 8
    assert trend["treatment_rate"][-1] > trend["treatment_rate"][0] + 0.03
    assert trend["detection_rate"][-1] > trend["detection_rate"][0]
    assert (out / "af" / "progress.csv").is_file() and (out / "af" / "improvers.csv").is_file()
    rejects = (out / "ics.rejects.csv").read_text().splitlines()
    assert len(rejects) == 1, rejects[:3]  # the header only
    assert (out / "ics.duckdb").is_file()


def test_real_demo_runs_af_for_west_yorkshire_from_published_data(tmp_path: Path) -> None:
    out = tmp_path / "real"
    result = CliRunner().invoke(app, ["demo", "--real", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "af" / "summary.json").read_text())
    assert (summary["practices"], summary["list_size"], summary["recorded"]) == (
        290, 2_592_366, 47_365)
    assert f"report: {out / 'af' / 'report.html'}" in result.output
    assert "Open Government Licence" in result.output

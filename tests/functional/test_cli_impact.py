"""`joinedup impact af`: exit codes, the text and JSON outputs, and parameter overrides."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
import rich.style  # noqa: F401  (rich draws from the global `random` when first imported)
from click.testing import CliRunner

from joinedup.app.impact import ImpactRequest, estimate_impact
from joinedup.app.programme import ProgrammeSetup
from joinedup.cli import impact as impact_command


def impact_of(additional_treated: int, additional_found: int = 0):  # type: ignore[no-untyped-def]
    """The AF impact the app computes for these patients, at the programme's own ambition."""
    request = ImpactRequest(additional_treated=additional_treated,
                            additional_found=additional_found)
    return estimate_impact(request).result


def packaged_parameters():  # type: ignore[no-untyped-def]
    return ProgrammeSetup.load("af").parameters

PARAMETERS = Path(__file__).resolve().parents[2] / "src/joinedup/programmes/af/parameters"
JSON_KEYS = [
    "strokes_prevented_per_year",
    "deaths_avoided_per_year",
    "savings_gbp_per_year",
    "parameters_version",
]


@pytest.fixture
def app() -> click.Group:
    """A group holding only this command, so `impact` is a subcommand as in `joinedup`."""
    app = click.Group()
    impact_command.register(app)
    return app


def run(app: click.Group, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["impact", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_output_has_the_contract_keys_and_the_calculator_values(app: click.Group) -> None:
    code, out, _ = run(
        app, "af", "--additional-treated", "100", "--additional-found", "40", "--json"
    )
    assert code == 0
    payload = json.loads(out)
    assert list(payload)[:4] == JSON_KEYS
    expected = impact_of(100, 40)
    assert payload["strokes_prevented_per_year"] == pytest.approx(
        expected.strokes_prevented_per_year
    )
    assert payload["deaths_avoided_per_year"] == pytest.approx(expected.deaths_avoided_per_year)
    assert payload["savings_gbp_per_year"] == pytest.approx(expected.savings_gbp_per_year)
    assert payload["parameters_version"] == packaged_parameters().version


def test_text_output_prints_strokes_deaths_and_money(app: click.Group) -> None:
    code, out, _ = run(app, "af", "--additional-treated", "100")
    assert code == 0
    expected = impact_of(100)
    assert f"strokes prevented a year:  {expected.strokes_prevented_per_year:,.2f}" in out
    assert f"deaths avoided a year:     {expected.deaths_avoided_per_year:,.2f}" in out
    assert f"£{expected.savings_gbp_per_year:,.0f}" in out
    assert packaged_parameters().version in out


def test_treat_ambition_sets_the_share_of_found_patients_treated(app: click.Group) -> None:
    _, low, _ = run(app, "af", "--additional-treated", "0", "--additional-found", "100", "--json")
    _, high, _ = run(
        app,
        "af",
        "--additional-treated", "0",
        "--additional-found", "100",
        "--ambition-treat", "1.0",
        "--json",
    )  # fmt: skip
    # 100 × 0.845 × 0.90 = 76.05 vs 100 × 0.845 × 1.0 = 84.5 patients treated
    assert json.loads(low)["newly_found_treated"] == pytest.approx(76.05)
    assert json.loads(high)["newly_found_treated"] == pytest.approx(84.5)


def test_parameters_override_changes_the_version_and_the_figures(
    app: click.Group, tmp_path: Path
) -> None:
    text = (PARAMETERS / "impact.csv").read_text(encoding="utf-8")
    text = re.sub(
        r"(?m)^cost_per_stroke_year_one_gbp,22175,", "cost_per_stroke_year_one_gbp,10000,", text
    )
    (tmp_path / "impact.csv").write_text(text, encoding="utf-8")
    code, out, _ = run(
        app, "af", "--additional-treated", "100", "--json", "--parameters", str(tmp_path)
    )
    assert code == 0
    payload = json.loads(out)
    assert "+local." in payload["parameters_version"]
    assert payload["savings_gbp_per_year"] == pytest.approx(
        payload["strokes_prevented_per_year"] * 10_000
    )


def test_a_bad_override_is_one_line_naming_file_row_and_column(
    app: click.Group, tmp_path: Path
) -> None:
    text = (PARAMETERS / "impact.csv").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^relative_risk_reduction,0\.64,", "relative_risk_reduction,lots,", text)
    (tmp_path / "impact.csv").write_text(text, encoding="utf-8")
    code, _, err = run(app, "af", "--additional-treated", "1", "--parameters", str(tmp_path))
    assert code == 2
    assert err.count("\n") == 1
    assert "impact.csv: row 1, column 'value': 'lots' is not a number" in err


def test_unknown_programme_and_negative_counts_are_usage_errors(app: click.Group) -> None:
    code, _, err = run(app, "nope", "--additional-treated", "1")
    assert code == 2
    assert "no packaged programme 'nope'" in err
    code, _, _ = run(app, "af", "--additional-treated", "-3")
    assert code == 2
    code, _, _ = run(app, "af")
    assert code == 2  # --additional-treated is required

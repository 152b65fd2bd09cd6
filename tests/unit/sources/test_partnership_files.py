"""Reading the plan file and the partnership's measures file (sources/partnership.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from joinedup.domain.partnership import FOOTPRINT, PlanError
from joinedup.sources.partnership import EXAMPLE_PLAN, measures_path, read_measures, read_plan

PLAN = '''title = "Plan"
measures_file = "measures.csv"
[measures.waits]
title = "Waits"
unit = "%"
source = "test"
[[priority]]
key = "uec"
title = "Urgent care"
[[priority.ambition]]
key = "four-hours"
title = "Four hours"
triple_aim = ["care_and_quality"]
measure = "waits"
direction = "increase"
[[priority.ambition.target]]
areas = ["footprint"]
value = 78
by = 2026-03-31
'''


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def measures(tmp_path: Path, *lines: str, bom: bool = False) -> Path:
    path = tmp_path / "measures.csv"
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_packaged_example_reads_with_every_measure_declared_and_used() -> None:
    plan = read_plan(EXAMPLE_PLAN)
    found = measures_path(EXAMPLE_PLAN, plan)
    assert found is not None and found.is_file()
    readings = read_measures(found, plan)
    used = {a.measure for a in plan.ambitions if a.measure}
    assert used == set(plan.measures) == {r.measure for r in readings}
    assert set(plan.programmes) == {"af", "hypertension"}
    # every ambition with a baseline date has a reading there for its footprint target
    for ambition in plan.ambitions:
        if ambition.measure and ambition.baseline_date:
            assert any(r.measure == ambition.measure and r.area == FOOTPRINT
                       and r.period_end == ambition.baseline_date for r in readings)


def test_rows_become_readings_and_a_bom_is_fine(plan_file: Path, tmp_path: Path) -> None:
    path = measures(tmp_path, "measure,area,period_end,value,note",
                    "waits,footprint,2025-03-31,71.5,first", "", "waits,PL-A,2025-03-31,70",
                    bom=True)
    got = read_measures(path, read_plan(plan_file))
    assert [(r.area, r.period_end, r.value) for r in got] == [
        (FOOTPRINT, date(2025, 3, 31), 71.5), ("PL-A", date(2025, 3, 31), 70.0)]


@pytest.mark.parametrize(("lines", "expected"), [
    (["measure,area,value", "waits,footprint,1"],
     "line 1: missing column(s) period_end"),
    (["measure,area,period_end,value,colour", "waits,footprint,2025-03-31,1,red"],
     "line 1: unknown column 'colour'"),
    (["measure,area,period_end,value", "waits,footprint,2025-03-31,1",
      "queues,footprint,2025-03-31,1"],
     "line 3, field measure: 'queues' is not declared under [measures]"),
    (["measure,area,period_end,value", "waits,Leeds,2025-03-31,1"],
     "line 2, field area: 'Leeds' is not an organisation code"),
    (["measure,area,period_end,value", "waits,footprint,31/03/2025,1"],
     "line 2, field period_end: '31/03/2025' is not a date"),
    (["measure,area,period_end,value", "waits,footprint,2025-03-31,n/a"],
     "line 2, field value: 'n/a' is not a number"),
    (["measure,area,period_end,value", "waits,footprint,2025-03-31,inf"],
     "line 2, field value: 'inf' is not a finite number"),
    (["measure,area,period_end,value", "waits,footprint,2025-03-31,1",
      "waits,footprint,2025-03-31,2"],
     "line 3: waits for footprint at 2025-03-31 is given again (first on line 2)"),
])
def test_each_bad_row_is_named_by_line_and_field(plan_file: Path, tmp_path: Path,
                                                 lines: list[str], expected: str) -> None:
    path = measures(tmp_path, *lines)
    with pytest.raises(PlanError) as raised:
        read_measures(path, read_plan(plan_file))
    assert str(raised.value).startswith(f"{path}: {expected}")


def test_unreadable_and_malformed_plan_files(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read the plan"):
        read_plan(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("title = \n", encoding="utf-8")
    with pytest.raises(PlanError, match=r"broken.toml: not valid TOML"):
        read_plan(broken)

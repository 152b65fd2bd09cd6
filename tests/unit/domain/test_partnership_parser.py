"""The plan file's checks: every mistake is one error naming the file, entry and field."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from typing import Any

import pytest

from joinedup.domain.partnership import (
    FOOTPRINT,
    Direction,
    PlanError,
    ProgrammeFigure,
    TripleAim,
    plan_from_mapping,
)

PLAN = tomllib.loads('''
title = "Our plan"
measures_file = "measures.csv"

[measures.suicide_rate]
title = "Suicide rate"
unit = "per 100,000"
source = "ONS"

[[priority]]
key = "cvd"
title = "Cardiovascular disease"

[[priority.ambition]]
key = "af-detect"
title = "Find AF"
triple_aim = ["health_and_wellbeing", "care_and_quality"]
programme = "af"
figure = "detection_rate"
direction = "increase"
baseline_date = 2025-03-31

[[priority.ambition.target]]
areas = ["footprint"]
value = 0.85
by = 2029-03-31

[[priority]]
key = "mental-health"
title = "Mental health"

[[priority.ambition]]
key = "suicide"
title = "Reduce suicide"
triple_aim = ["health_and_wellbeing"]
measure = "suicide_rate"
direction = "decrease"

[[priority.ambition.target]]
areas = ["footprint"]
change = -0.10
by = 2027-03-31

[[priority.ambition.target]]
areas = ["PL-BDC", "PL-WAK"]
change = -0.75
by = 2027-03-31
''')


def changed(edit: Any) -> dict[str, Any]:
    data = copy.deepcopy(PLAN)
    edit(data)
    return data


def error(data: dict[str, Any]) -> str:
    with pytest.raises(PlanError) as raised:
        plan_from_mapping(data, "plan.toml")
    return str(raised.value)


def test_a_good_plan_reads_into_priorities_ambitions_and_targets() -> None:
    plan = plan_from_mapping(PLAN, "plan.toml")
    assert [p.key for p in plan.priorities] == ["cvd", "mental-health"]
    af, suicide = plan.ambitions
    assert af.programme_figure == ProgrammeFigure("af", "detection_rate")
    assert af.triple_aim == (TripleAim.HEALTH_AND_WELLBEING, TripleAim.CARE_AND_QUALITY)
    assert af.baseline_date == date(2025, 3, 31)
    assert af.targets[0].value == 0.85 and af.targets[0].areas == (FOOTPRINT,)
    assert suicide.measure == "suicide_rate" and suicide.direction is Direction.DECREASE
    assert [t.areas for t in suicide.targets] == [(FOOTPRINT,), ("PL-BDC", "PL-WAK")]
    assert suicide.targets[1].level(16.0) == pytest.approx(4.0)
    assert plan.programmes == ("af",)
    assert plan.measures_file == "measures.csv"


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d.update(colour="blue"), "plan.toml: field 'colour': unknown key"),
    (lambda d: d.pop("title"), "plan.toml: field 'title': missing"),
    (lambda d: d.update(priority=[]), "plan.toml: no [[priority]] entries"),
    (lambda d: d["priority"][1].update(key="cvd"),
     "plan.toml: priority 2 'cvd': priority key 'cvd' is used twice"),
    (lambda d: d["priority"][0].update(key="CVD"),
     "plan.toml: priority 1, field 'key': expected lower case"),
    (lambda d: d["priority"][1]["ambition"][0].update(key="af-detect"),
     "ambition key 'af-detect' is used twice"),
    (lambda d: d["priority"][0]["ambition"][0].update(triple_aim=["wealth"]),
     "priority 1 'cvd', ambition 1 'af-detect', field 'triple_aim': 'wealth' is not one of"),
    (lambda d: d["priority"][0]["ambition"][0].update(triple_aim=[]),
     "ambition 1 'af-detect', field 'triple_aim': expected a list"),
    (lambda d: d["priority"][0]["ambition"][0].update(direction="up"),
     "field 'direction': 'up' is not one of ['increase', 'decrease']"),
    (lambda d: d["priority"][0]["ambition"][0].update(measure="suicide_rate"),
     "give either 'measure' (one of the partnership's own) or 'programme' and 'figure'"),
    (lambda d: d["priority"][0]["ambition"][0].update(figure="prevalence"),
     "field 'figure': 'prevalence' is not one of ['detection_rate', 'treatment_rate']"),
    (lambda d: d["priority"][1]["ambition"][0].update(measure="suicides"),
     "priority 2 'mental-health', ambition 1 'suicide', field 'measure': 'suicides' is not "
     "declared under [measures]"),
    (lambda d: d["priority"][0]["ambition"][0]["target"][0].update(value=85),
     "target 1, field 'value': a detection_rate target is a share in (0, 1], got 85"),
    (lambda d: d["priority"][1]["ambition"][0]["target"][0].update(change=0.10),
     "ambition 1 'suicide', target 1, field 'change': 0.1 goes against the ambition's "
     "direction (decrease)"),
    (lambda d: d["priority"][1]["ambition"][0]["target"][0].update(change=-1.0),
     "target 1, field 'change': must be above -1 and not 0"),
    (lambda d: d["priority"][1]["ambition"][0]["target"][0].update(value=9.0),
     "target 1: give either 'value' (a level to reach) or 'change'"),
    (lambda d: d["priority"][1]["ambition"][0]["target"][1].update(areas=["footprint"]),
     "target 2, field 'areas': area footprint has a target already"),
    (lambda d: d["priority"][1]["ambition"][0]["target"][1].update(areas=["pl-bdc"]),
     "target 2, field 'areas': 'pl-bdc' is not an organisation code"),
    (lambda d: d["priority"][1]["ambition"][0]["target"][1].update(by="2027"),
     "target 2, field 'by': expected a date"),
    (lambda d: d["priority"][0]["ambition"][0]["target"][0].update(by=date(2024, 1, 1)),
     "target 1, field 'by': must be after the baseline_date"),
    (lambda d: d.pop("measures_file"),
     "field 'measures_file': missing: ambitions use the partnership's own measures "
     "(suicide_rate)"),
    (lambda d: d["measures"]["suicide_rate"].pop("source"),
     "plan.toml: measure 'suicide_rate', field 'source': missing"),
])
def test_each_mistake_is_named_by_entry_and_field(edit: Any, expected: str) -> None:
    assert expected in error(changed(edit))

"""The footprint model: hierarchy rules (one failing case each) and tree queries on a small tree."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from joinedup.domain.organisations import (
    Footprint,
    FootprintError,
    Organisation,
    Problem,
    hierarchy_problems,
)


def org(
    code: str,
    org_type: str,
    parent: object = None,
    valid_from: object = None,
    valid_to: object = None,
) -> dict[str, object]:
    return {
        "org_code": code,
        "name": f"{code} name",
        "org_type": org_type,
        "parent_code": parent,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


# A hand-built footprint: one ICS, two places. Place B has two sub-ICBs, one PCN hangs straight
# off place A (no sub-ICB), and a trust stands beside the practice chain.
#
#   ICS
#   ├── PL-A ── PCN1 ── P1, P2
#   ├── PL-B ── SUB1 ── PCN2 ── P3
#   │        └─ SUB2 ── PCN3 ── P4, P5
#   └── TRUST
TREE = [
    org("ICS", "ics"),
    org("PL-A", "place", "ICS"),
    org("PL-B", "place", "ICS"),
    org("SUB1", "sub_icb", "PL-B"),
    org("SUB2", "sub_icb", "PL-B"),
    org("PCN1", "pcn", "PL-A"),
    org("PCN2", "pcn", "SUB1"),
    org("PCN3", "pcn", "SUB2"),
    org("P1", "practice", "PCN1"),
    org("P2", "practice", "PCN1", "2019-04-01", "2020-03-31"),
    org("P3", "practice", "PCN2", date(2020, 4, 1)),
    org("P4", "practice", "PCN3"),
    org("P5", "practice", "PCN3", None, "2021-03-31"),
    org("TRUST", "trust", "ICS"),
]


def codes(orgs: tuple[Organisation, ...]) -> list[str]:
    return [o.org_code for o in orgs]


def test_the_hand_built_tree_has_no_problems() -> None:
    assert hierarchy_problems(TREE) == []


# --- one failing case per rule ---------------------------------------------------------------


def test_unknown_parent() -> None:
    rows = [org("ICS", "ics"), org("PCN1", "pcn", "NOPE")]
    assert hierarchy_problems(rows) == [
        Problem("PCN1", "parent_code", "parent 'NOPE' is not listed")
    ]


def test_practice_under_a_sub_icb_is_rejected() -> None:
    rows = [org("ICS", "ics"), org("PL", "place", "ICS"), org("SUB", "sub_icb", "PL")]
    rows.append(org("P1", "practice", "SUB"))
    assert hierarchy_problems(rows) == [
        Problem("P1", "parent_code", "parent 'SUB' is a sub_icb; a practice needs a pcn")
    ]


def test_practice_without_a_parent_is_rejected() -> None:
    assert hierarchy_problems([org("P1", "practice")]) == [
        Problem("P1", "parent_code", "a practice needs a pcn parent")
    ]


@pytest.mark.parametrize(
    ("child_type", "parent_type"),
    [
        ("pcn", "ics"),
        ("pcn", "practice"),
        ("sub_icb", "pcn"),
        ("place", "sub_icb"),
        ("ics", "ics"),
        ("trust", "place"),
        ("community_team", "pcn"),
        ("local_authority", "sub_icb"),
    ],
)
def test_disallowed_parent_types(child_type: str, parent_type: str) -> None:
    rows = [org("PARENT", parent_type), org("CHILD", child_type, "PARENT")]
    found = [p for p in hierarchy_problems(rows) if p.org_code == "CHILD"]
    assert len(found) == 1
    assert found[0].field == "parent_code"
    assert "'PARENT' is a" in found[0].reason or "must have no parent" in found[0].reason
    assert parent_type in found[0].reason or child_type == "ics"


@pytest.mark.parametrize(
    ("child_type", "parent_type"),
    [
        ("practice", "pcn"),
        ("pcn", "sub_icb"),
        ("pcn", "place"),
        ("sub_icb", "place"),
        ("sub_icb", "ics"),
        ("place", "ics"),
        ("trust", "ics"),
        ("community_team", "ics"),
        ("local_authority", "ics"),
    ],
)
def test_allowed_parent_types(child_type: str, parent_type: str) -> None:
    rows = [org("PARENT", parent_type), org("CHILD", child_type, "PARENT")]
    assert [p for p in hierarchy_problems(rows) if p.org_code == "CHILD"] == []


def test_ics_must_have_no_parent() -> None:
    rows = [org("ICS1", "ics"), org("ICS2", "ics", "ICS1")]
    assert hierarchy_problems(rows) == [
        Problem("ICS2", "parent_code", "an ics must have no parent")
    ]


@pytest.mark.parametrize("org_type", ["pcn", "sub_icb", "place"])
def test_middle_levels_need_a_parent(org_type: str) -> None:
    [problem] = hierarchy_problems([org("X", org_type)])
    assert (problem.org_code, problem.field) == ("X", "parent_code")
    assert problem.reason.endswith("parent")


@pytest.mark.parametrize("org_type", ["ics", "trust", "community_team", "local_authority"])
def test_top_levels_may_stand_alone(org_type: str) -> None:
    assert hierarchy_problems([org("X", org_type)]) == []


def test_cycle_reports_every_member() -> None:
    rows = [
        org("A", "sub_icb", "B"),
        org("B", "place", "C"),
        org("C", "sub_icb", "A"),
        org("OK", "ics"),
    ]
    cycle = [p for p in hierarchy_problems(rows) if "loops back" in p.reason]
    assert [p.org_code for p in cycle] == ["A", "B", "C"]
    assert cycle[0].reason == "parent chain loops back: A -> B -> C -> A"
    assert cycle[1].reason == "parent chain loops back: B -> C -> A -> B"


def test_self_parent_is_a_cycle_and_a_tail_into_a_cycle_is_not_a_member() -> None:
    rows = [org("A", "pcn", "A"), org("P", "practice", "A")]
    cycle = [p for p in hierarchy_problems(rows) if "loops back" in p.reason]
    assert [p.org_code for p in cycle] == ["A"]


def test_valid_to_before_valid_from() -> None:
    rows = [org("ICS", "ics", None, "2020-04-01", date(2020, 3, 31))]
    assert hierarchy_problems(rows) == [
        Problem("ICS", "valid_to", "valid_to 2020-03-31 is before valid_from 2020-04-01")
    ]


def test_same_day_validity_is_fine() -> None:
    assert hierarchy_problems([org("ICS", "ics", None, "2020-04-01", "2020-04-01")]) == []


def test_unreadable_date_names_the_field() -> None:
    assert hierarchy_problems([org("ICS", "ics", None, "01/04/2020")]) == [
        Problem("ICS", "valid_from", "valid_from is not a date (YYYY-MM-DD)")
    ]


def test_unknown_org_type_blank_and_duplicate_codes() -> None:
    rows = [org("ICS", "ics"), org("ICS", "ics"), org("", "ics"), org("X", "region")]
    found = {(p.org_code, p.field) for p in hierarchy_problems(rows)}
    assert found == {("ICS", "org_code"), ("", "org_code"), ("X", "org_type")}


def test_missing_value_markers_read_as_absent() -> None:
    # NaN and blank text are how dataframes and CSV spell "no parent" / "no date".
    rows = [org("ICS", "ics", float("nan"), "", float("nan"))]
    assert hierarchy_problems(rows) == []


# --- the Footprint -----------------------------------------------------------------------------


@pytest.fixture
def footprint() -> Footprint:
    return Footprint.from_rows(TREE)


def test_parent_and_children(footprint: Footprint) -> None:
    parent = footprint.parent("P3")
    assert parent is not None and parent.org_code == "PCN2"
    assert footprint.parent("ICS") is None
    assert codes(footprint.children("PL-B")) == ["SUB1", "SUB2"]
    assert codes(footprint.children("P1")) == []


def test_ancestors_nearest_first(footprint: Footprint) -> None:
    assert codes(footprint.ancestors("P4")) == ["PCN3", "SUB2", "PL-B", "ICS"]


def test_ancestor_of_type(footprint: Footprint) -> None:
    place = footprint.ancestor_of_type("P4", "place")
    assert place is not None and place.org_code == "PL-B"
    sub_icb = footprint.ancestor_of_type("P4", "sub_icb")
    assert sub_icb is not None and sub_icb.org_code == "SUB2"
    # P1's PCN hangs straight off its place: there is no sub-ICB level to find.
    assert footprint.ancestor_of_type("P1", "sub_icb") is None
    with pytest.raises(ValueError, match="unknown org_type"):
        footprint.ancestor_of_type("P1", "region")


def test_rollup(footprint: Footprint) -> None:
    assert footprint.rollup("P3") == {
        "practice": "P3",
        "pcn": "PCN2",
        "sub_icb": "SUB1",
        "place": "PL-B",
        "ics": "ICS",
    }
    assert footprint.rollup("P1")["sub_icb"] is None


def test_a_rollup_is_the_callers_to_change(footprint: Footprint) -> None:
    """Worked out once per practice, but each answer is a copy: changing one changes no other."""
    first = footprint.rollup("P3")
    first["pcn"] = "changed"
    assert footprint.rollup("P3")["pcn"] == "PCN2"
    with pytest.raises(KeyError):
        footprint.rollup("nowhere")


def test_practices_under(footprint: Footprint) -> None:
    assert codes(footprint.practices_under("PL-B")) == ["P3", "P4", "P5"]
    assert codes(footprint.practices_under("PL-A")) == ["P1", "P2"]
    assert len(footprint.practices_under("ICS")) == 5
    assert codes(footprint.practices_under("P2")) == ["P2"]
    assert codes(footprint.practices_under("TRUST")) == []


def test_valid_at_is_inclusive_at_both_ends(footprint: Footprint) -> None:
    on_first_day = {o.org_code for o in footprint.valid_at(date(2020, 4, 1))}
    assert "P3" in on_first_day and "P2" not in on_first_day and "P5" in on_first_day
    on_last_day = {o.org_code for o in footprint.valid_at(date(2020, 3, 31))}
    assert "P2" in on_last_day and "P3" not in on_last_day
    assert len(footprint.valid_at(date(2022, 1, 1))) == len(TREE) - 2  # P2 and P5 have ended


def test_unknown_code_raises_key_error(footprint: Footprint) -> None:
    with pytest.raises(KeyError, match="NOPE"):
        footprint.parent("NOPE")


def test_validate_lists_every_problem() -> None:
    bad = Footprint(
        [
            Organisation("ICS", "ICS", "ics"),
            Organisation("P1", "Practice 1", "practice", "ICS"),
            Organisation("P2", "Practice 2", "practice", "GONE"),
        ]
    )
    with pytest.raises(FootprintError) as caught:
        bad.validate()
    assert [p.org_code for p in caught.value.problems] == ["P1", "P2"]
    message = str(caught.value)
    assert "2 problem(s)" in message
    assert "P1: parent_code: parent 'ICS' is an ics; a practice needs a pcn" in message
    assert "P2: parent_code: parent 'GONE' is not listed" in message


def test_from_rows_refuses_a_bad_tree_and_names_the_context() -> None:
    with pytest.raises(FootprintError, match=r"organisations.csv has 1 problem"):
        Footprint.from_rows([org("P1", "practice")], context="organisations.csv")


def test_ancestors_refuses_to_loop_forever() -> None:
    looped = Footprint([Organisation("A", "A", "pcn", "B"), Organisation("B", "B", "pcn", "A")])
    with pytest.raises(FootprintError, match="loops back"):
        looped.ancestors("A")


def test_domain_module_imports_no_adapter() -> None:
    code = (
        "import sys, joinedup.domain.organisations; "
        "bad = {'pandas', 'pyarrow', 'duckdb', 'ibis', 'typer', 'click', 'rich'} "
        "& set(sys.modules); "
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_rows_from_a_dataframe_read_cleanly() -> None:
    # The loader hands over dataframe rows: Timestamps, NaT and NaN must read as dates/absent.
    import pandas as pd

    frame = pd.DataFrame(
        {
            "org_code": ["ICS", "PL"],
            "name": ["An ICS", "A place"],
            "org_type": ["ics", "place"],
            "parent_code": [None, "ICS"],
            "valid_from": pd.to_datetime(["2020-04-01", "2021-04-01"]),
            "valid_to": [pd.NaT, pd.Timestamp("2021-03-31")],
        }
    )
    rows = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    assert hierarchy_problems(rows) == [
        Problem("PL", "valid_to", "valid_to 2021-03-31 is before valid_from 2021-04-01")
    ]

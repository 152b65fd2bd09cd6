"""The organisation tree is pruned until what remains is a valid footprint."""

from __future__ import annotations

from joinedup.store.organisation_tree import row_text, tree_rejects


def org(code: str, org_type: str, parent: str | None) -> dict[str, object]:
    return {
        "org_code": code,
        "name": code,
        "org_type": org_type,
        "parent_code": parent,
        "valid_from": None,
        "valid_to": None,
    }


FOOTPRINT = [
    org("ICS", "ics", None),
    org("PL", "place", "ICS"),
    org("PCN", "pcn", "PL"),
    org("P1", "practice", "PCN"),
    org("T1", "trust", "ICS"),
]


def rows(*orgs: dict[str, object]) -> dict[int, dict[str, object]]:
    return {i: o for i, o in enumerate(orgs, 1)}


def test_a_valid_footprint_loses_nothing() -> None:
    assert tree_rejects(rows(*FOOTPRINT), {}, "organisations.csv", "csv") == {}


def test_an_unknown_parent_is_named() -> None:
    found = tree_rejects(rows(*FOOTPRINT, org("T2", "trust", "GONE")), {}, "o.parquet", "parquet")
    assert found == {
        6: [("parent_code", "parent_code 'GONE' matches no organisation in o.parquet")]
    }


def test_a_parent_rejected_earlier_is_pointed_at_by_row() -> None:
    # PCN's own row (3) failed the row checks, so it is not among the rows passed in.
    passed = rows(*FOOTPRINT)
    del passed[3]
    found = tree_rejects(passed, {"PCN": 3}, "organisations.csv", "csv")
    assert found == {
        4: [
            (
                "parent_code",
                "parent_code refers to a rejected organisation (organisations.csv row 3, line 4)",
            )
        ]
    }


def test_a_domain_problem_cascades_to_the_children() -> None:
    # The PCN hangs off a trust: the domain rejects it, then its practice loses its parent.
    bad = [*FOOTPRINT[:2], org("PCN", "pcn", "T1"), *FOOTPRINT[3:]]
    first_row = {str(o["org_code"]): i for i, o in rows(*bad).items()}
    found = tree_rejects(rows(*bad), first_row, "o.parquet", "parquet")
    assert sorted(found) == [3, 4]
    assert found[3][0][0] == "parent_code"
    assert "a pcn needs" in found[3][0][1]
    assert found[4] == [
        ("parent_code", "parent_code refers to a rejected organisation (o.parquet row 3)")
    ]


def test_every_member_of_a_cycle_goes() -> None:
    cycle = [org("A", "pcn", "B"), org("B", "place", "C"), org("C", "ics", "A")]
    found = tree_rejects(rows(*FOOTPRINT, *cycle), {}, "o.csv", "csv")
    assert sorted(found) == [6, 7, 8]
    for problems in found.values():
        assert any("loops back" in reason for _, reason in problems), problems


def test_row_text() -> None:
    assert row_text(3, "csv") == "row 3, line 4"
    assert row_text(3, "parquet") == "row 3"

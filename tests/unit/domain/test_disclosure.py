"""Disclosure control: small counts suppressed, the rest rounded, nothing recoverable by
subtraction within a table, and rates from suppressed counts suppressed too."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.domain.disclosure import (
    WORKING_NOTE,
    DisclosureError,
    PublicationPolicy,
    apply_sdc,
    output_note,
    publish_rows,
    published_rate,
    round_count,
)

POLICY = PublicationPolicy()


def test_the_default_policy_and_the_metadata_notes() -> None:
    assert (POLICY.threshold, POLICY.rounding_base) == (7, 5)
    assert output_note(None) == WORKING_NOTE == "working output, not for publication"
    assert output_note(POLICY) == "published: counts 1–7 suppressed, others rounded to 5"
    assert PublicationPolicy(threshold=10, rounding_base=10).note == (
        "published: counts 1–10 suppressed, others rounded to 10"
    )
    with pytest.raises(DisclosureError, match="rounding_base must be 1 or more"):
        PublicationPolicy(rounding_base=0)
    with pytest.raises(DisclosureError, match="threshold must be 0 or more"):
        PublicationPolicy(threshold=-1)


@pytest.mark.parametrize(
    ("value", "published"),
    [(0, 0), (1, None), (7, None), (8, 10), (12, 10), (13, 15), (17, 15), (18, 20), (None, None)],
)
def test_one_count(value: int | None, published: int | None) -> None:
    assert apply_sdc(value, POLICY) == published


def test_rounding_is_half_up_with_an_even_base() -> None:
    tens = PublicationPolicy(rounding_base=10)
    assert [round_count(v, tens) for v in (14, 15, 25, 26)] == [10, 20, 30, 30]


def test_a_single_suppressed_cell_takes_its_smallest_sibling_with_it() -> None:
    rows = [
        {"quintile": 1, "n": 120},
        {"quintile": 2, "n": 5},  # primary
        {"quintile": 3, "n": 40},  # smallest published sibling: secondary
        {"quintile": 4, "n": 300},
        {"quintile": 5, "n": 41},
    ]
    table = publish_rows(rows, ["n"])
    assert [r["n"] for r in table.rows] == [120, None, None, 300, 40]
    assert table.suppressed == {(1, "n"), (2, "n")}
    assert rows[1]["n"] == 5  # the input is not changed
    assert table.note == POLICY.note


def test_two_suppressed_cells_need_no_more() -> None:
    rows = [{"g": g, "n": n} for g, n in enumerate([3, 6, 100, 200])]
    assert [r["n"] for r in publish_rows(rows, ["n"]).rows] == [None, None, 100, 200]


def test_groups_are_protected_separately_and_total_rows_are_not_siblings() -> None:
    rows = [
        {"dimension": "sex", "group": "F", "n": 4},
        {"dimension": "sex", "group": "M", "n": 96},
        {"dimension": "sex", "group": "total", "n": 100},
        {"dimension": "ethnicity", "group": "White", "n": 80},
        {"dimension": "ethnicity", "group": "Asian", "n": 12},
        {"dimension": "ethnicity", "group": "Unknown", "n": 8},
        {"dimension": "ethnicity", "group": "total", "n": 100},
    ]
    table = publish_rows(
        rows, ["n"], groupings=[("dimension",)], is_total=lambda r: r["group"] == "total"
    )
    # sex: F primary, M secondary (else 100 - 96 gives F); the total stays.
    # ethnicity: nothing small, all rounded.
    assert [r["n"] for r in table.rows] == [None, None, 100, 80, 10, 10, 100]


def test_a_small_total_is_suppressed_and_its_cells_too() -> None:
    rows = [{"g": "a", "n": 0}, {"g": "b", "n": 3}, {"g": "total", "n": 3}]
    table = publish_rows(rows, ["n"], is_total=lambda r: r["g"] == "total")
    assert [r["n"] for r in table.rows] == [None, None, None]


def test_rates_come_from_published_counts_and_die_with_them() -> None:
    rows = [
        {"practice": "A", "treated": 23, "eligible": 101, "rate": 23 / 101},
        {"practice": "B", "treated": 5, "eligible": 60, "rate": 5 / 60},
        {"practice": "C", "treated": 9, "eligible": 0, "rate": None},
        {"practice": "D", "treated": 50, "eligible": 58, "rate": 50 / 58},
    ]
    table = publish_rows(rows, ["treated", "eligible"], rates={"rate": ("treated", "eligible")})
    a, b, c, d = table.rows
    assert a["rate"] == pytest.approx(25 / 100)  # not 23/101: the exact count stays hidden
    assert b["treated"] is None and b["rate"] is None  # primary
    assert c["treated"] is None and c["rate"] is None  # secondary (next smallest, 9)
    assert d["rate"] == pytest.approx(50 / 60)
    assert (1, "rate") in table.suppressed and (2, "rate") in table.suppressed


def test_rates_against_a_modelled_denominator_use_it_as_given() -> None:
    rows = [{"recorded": 98, "expected": 131.7, "detection_rate": 98 / 131.7}]
    (row,) = publish_rows(
        rows, ["recorded"], rates={"detection_rate": ("recorded", "expected")}
    ).rows
    assert row["expected"] == 131.7
    assert row["detection_rate"] == pytest.approx(100 / 131.7)


def test_derived_columns_are_suppressed_with_their_sources() -> None:
    rows = [
        {"p": "A", "treated": 6, "eligible": 40, "to_treat": 26, "strokes": 0.7},
        {"p": "B", "treated": 30, "eligible": 40, "to_treat": 2, "strokes": 0.1},
        {"p": "C", "treated": 300, "eligible": 400, "to_treat": 20, "strokes": 1.0},
    ]
    table = publish_rows(
        rows,
        ["treated", "eligible", "to_treat"],
        derived={"to_treat": ("treated", "eligible"), "strokes": ("to_treat",)},
    )
    a, b, c = table.rows
    # A's treated is small; B's treated goes with it (secondary); both rows' to_treat and
    # strokes follow; to_treat then has two suppressed cells already.
    assert (a["treated"], a["to_treat"], a["strokes"]) == (None, None, None)
    assert (b["treated"], b["to_treat"], b["strokes"]) == (None, None, None)
    assert (c["treated"], c["to_treat"], c["strokes"]) == (300, 20, 1.0)
    assert a["eligible"] == 40


def test_two_way_tables_are_protected_both_ways() -> None:
    # practice x sex, with a practice's cells summing to its list and a sex's to the footprint.
    cells = {("A", "F"): 3, ("A", "M"): 50, ("B", "F"): 40, ("B", "M"): 60, ("C", "F"): 70,
             ("C", "M"): 9}  # fmt: skip
    rows = [{"practice": p, "sex": s, "n": n} for (p, s), n in cells.items()]
    table = publish_rows(rows, ["n"], groupings=[("practice",), ("sex",)])
    pairs = zip(rows, table.rows, strict=True)
    hidden = {(r["practice"], r["sex"]) for r, out in pairs if out["n"] is None}
    for key in (0, 1):
        per_line: dict[str, int] = defaultdict(int)
        for cell in hidden:
            per_line[cell[key]] += 1
        assert all(n != 1 for n in per_line.values()), (key, hidden)
    assert ("A", "F") in hidden and ("C", "M") in hidden


def test_bad_cells_are_refused_naming_row_and_column() -> None:
    with pytest.raises(DisclosureError, match=r"row 2, column 'n': 2.5 is not a whole number"):
        publish_rows([{"n": 1}, {"n": 2.5}], ["n"])
    with pytest.raises(DisclosureError, match=r"row 1: no column 'm'"):
        publish_rows([{"n": 1}], ["m"])
    with pytest.raises(DisclosureError, match=r"row 1, column 'n': -3 is negative"):
        publish_rows([{"n": -3}], ["n"])
    with pytest.raises(DisclosureError, match=r"row 1, column 'n': 'x' is not a count"):
        publish_rows([{"n": "x"}], ["n"])
    # Whole floats (as pandas gives) and unknowns are fine.
    assert [r["n"] for r in publish_rows([{"n": 12.0}, {"n": None}], ["n"]).rows] == [10, None]


def test_published_rate_needs_both_parts() -> None:
    assert published_rate(None, 10) is None
    assert published_rate(5, None) is None
    assert published_rate(5, 0) is None
    assert published_rate(5, 10) == 0.5


# --- properties ---------------------------------------------------------------------------

policies = st.builds(
    PublicationPolicy, threshold=st.integers(0, 10), rounding_base=st.sampled_from([1, 2, 5, 10])
)
counts = st.one_of(st.integers(0, 12), st.integers(0, 400))
tables = st.lists(st.tuples(st.sampled_from("abc"), counts, counts), min_size=1, max_size=12).map(
    lambda cells: [{"group": g, "x": x, "y": y} for g, x, y in cells]
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(rows=tables, policy=policies)
def test_no_small_count_is_published_and_all_are_rounded(rows, policy) -> None:
    table = publish_rows(rows, ["x", "y"], policy=policy, groupings=[("group",)])
    for i, row in enumerate(table.rows):
        for column in ("x", "y"):
            if row[column] is None:
                continue
            assert row[column] % policy.rounding_base == 0
            assert not 1 <= rows[i][column] <= policy.threshold
            assert abs(row[column] - rows[i][column]) <= policy.rounding_base / 2


@settings(max_examples=300, deadline=None, derandomize=True)
@given(rows=tables)
def test_default_policy_never_publishes_1_to_7(rows) -> None:
    table = publish_rows(rows, ["x", "y"], groupings=[("group",)])
    published = [r[c] for r in table.rows for c in ("x", "y") if r[c] is not None]
    assert all(v == 0 or v >= 10 for v in published)
    assert all(v % 5 == 0 for v in published)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(rows=tables, policy=policies)
def test_no_suppressed_cell_is_recoverable_by_subtraction(rows, policy) -> None:
    """Given a group's exact total and every published sibling's exact value (more than a reader
    has), the suppressed cells' values are never pinned: there are at least two of them and
    their sum is positive, so a unit can move between them and still match every fact."""
    table = publish_rows(rows, ["x", "y"], policy=policy, groupings=[("group",)])
    groups: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[row["group"]].append(i)
    for members in groups.values():
        for column in ("x", "y"):
            hidden = [i for i in members if (i, column) in table.suppressed]
            if not hidden:
                continue
            total = sum(rows[i][column] for i in members)
            published = sum(rows[i][column] for i in members if i not in hidden)
            remainder = total - published
            assert remainder == sum(rows[i][column] for i in hidden)
            if len(members) == 1:
                continue  # a lone cell is its own total; the total is suppressed with it
            assert len(hidden) >= 2
            assert remainder > 0
            # Every hidden cell has another value consistent with the remainder.
            for i in hidden:
                others = [j for j in hidden if j != i]
                value = rows[i][column]
                alternatives = {value - 1} if value > 0 else set()
                if any(rows[j][column] > 0 for j in others):
                    alternatives.add(value + 1)
                assert alternatives


@settings(max_examples=200, deadline=None, derandomize=True)
@given(rows=tables)
def test_rates_are_suppressed_with_either_count(rows) -> None:
    for row in rows:
        row["rate"] = row["x"] / row["y"] if row["y"] else None
    table = publish_rows(rows, ["x", "y"], rates={"rate": ("x", "y")})
    for i, row in enumerate(table.rows):
        if (i, "x") in table.suppressed or (i, "y") in table.suppressed:
            assert row["rate"] is None
        elif row["y"]:
            assert row["rate"] == pytest.approx(row["x"] / row["y"])

"""The planning formulas give NHSRwaitinglist 0.1.2's answers on hand-worked cases.

Each expected value is worked out in the test from the package's documented arithmetic; the
examples are those of the package's help pages and its testthat suite.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from joinedup.domain.errors import UserError
from joinedup.domain.waitlist.queue import (
    PlanInputs,
    PlanningError,
    plan,
    queue_load,
    relief_capacity,
    target_capacity,
    target_mean_wait,
    target_queue_size,
    waiting_list_pressure,
)


def test_queue_load_is_demand_over_capacity() -> None:
    # calc_queue_load(30, 27): 30 added and 27 removed a week.
    assert queue_load(30, 27) == pytest.approx(30 / 27)
    assert queue_load(30, 27) == pytest.approx(1.11111111)
    assert queue_load(52, 42) == pytest.approx(1.23809524)


def test_waiting_list_pressure_is_twice_mean_wait_over_target() -> None:
    assert waiting_list_pressure(63, 52) == pytest.approx(2 * 63 / 52)  # 2.42307692
    assert waiting_list_pressure(42, 24) == pytest.approx(3.5)


def test_target_mean_wait_defaults_to_a_quarter_of_the_target() -> None:
    assert target_mean_wait(52) == 13  # 52 / 4
    assert target_mean_wait(52, 6) == pytest.approx(8.6666667)  # 52 / 6
    assert target_mean_wait(35, 4) == pytest.approx(8.75)


def test_target_queue_size_is_littles_law() -> None:
    assert target_queue_size(30, 52) == pytest.approx(390)  # 30 × 52 / 4
    assert target_queue_size(30, 50) == pytest.approx(375)  # 30 × 12.5
    assert target_queue_size(30, 50, 6) == pytest.approx(250)  # 30 × 50 / 6


def test_relief_capacity_clears_the_excess_over_the_time_to_target() -> None:
    # 30 + (1200 − 390) / 26 = 30 + 31.1538 = 61.1538
    assert relief_capacity(30, 1200, 390, 26) == pytest.approx(61.153846)
    assert relief_capacity(30, 1200, 390) == pytest.approx(61.153846)  # 26 weeks by default
    assert relief_capacity(33, 800, 200, 30) == pytest.approx(53)  # 33 + 600 / 30
    assert relief_capacity(35, 250, 100, 15) == pytest.approx(45)  # 35 + 150 / 15


def test_relief_capacity_raises_estimated_demand_only_while_the_spread_is_below_one() -> None:
    # 14,400 referrals, cv 1: spread = 2 × 30 × 1 / √14400 = 60 / 120 = 0.5,
    # demand becomes 30 / (1 − 0.5) = 60; relief = 60 + 810 / 26.
    assert relief_capacity(30, 1200, 390, 26, 14_400, 1) == pytest.approx(60 + 810 / 26)
    # 3,600 referrals: spread = 60 / 60 = 1, not below 1, so demand stays 30.
    assert relief_capacity(30, 1200, 390, 26, 3_600, 1) == pytest.approx(30 + 810 / 26)
    # No referrals given (the default): no raise whatever the cv.
    assert relief_capacity(30, 1200, 390, 26, 0, 5) == pytest.approx(30 + 810 / 26)


def test_target_capacity_is_kingman_with_the_half() -> None:
    # 30 + ((1.1² + 1.2²) / 2) × (3 / 52) = 30 + 1.325 × 0.0576923 = 30.076442
    assert target_capacity(30, 52, 3, 1.1, 1.2) == pytest.approx(30.076442, abs=1e-6)
    # Defaults factor 4, cvs 1: 30 + ((1 + 1) / 2) × (4 / 52) = 30.0769231
    assert target_capacity(30, 52) == pytest.approx(30 + 4 / 52)
    # calc_target_capacity(4, 52) from the package's help: 4 + 4/52
    assert target_capacity(4, 52) == pytest.approx(4.0769231)
    assert target_capacity(42, 65, 2, 1.2, 1.5) == pytest.approx(42.0567692)


def test_plan_gives_every_figure_the_inputs_allow() -> None:
    result = plan(PlanInputs(demand=30, queue_size=1200, target_wait=52, capacity=27,
                             mean_wait=63))
    assert result.target_mean_wait == 13
    assert result.target_queue_size == pytest.approx(390)
    assert result.relief_capacity == pytest.approx(61.153846)
    assert result.target_capacity == pytest.approx(30 + 4 / 52)
    assert result.queue_load == pytest.approx(30 / 27)
    assert result.load_too_big is True
    assert result.waiting_list_pressure == pytest.approx(2 * 63 / 52)
    assert result.queue_too_big is True  # 1200 > 2 × 390


def test_plan_leaves_out_what_needs_inputs_not_given() -> None:
    result = plan(PlanInputs(demand=30, queue_size=100, target_wait=52))
    assert result.queue_load is None and result.load_too_big is None
    assert result.waiting_list_pressure is None
    # The relief formula still answers (negative: the list is already below its target).
    assert result.relief_capacity == pytest.approx(30 + (100 - 390) / 26)


def test_too_big_thresholds_follow_wl_stats() -> None:
    # Queue exactly twice its target is not too big (strictly more than twice is).
    at_twice = plan(PlanInputs(demand=30, queue_size=780, target_wait=52))
    assert at_twice.queue_too_big is False
    assert plan(PlanInputs(demand=30, queue_size=781, target_wait=52)).queue_too_big is True
    # A load of exactly 1 is too big (load ≥ 1).
    assert plan(PlanInputs(demand=27, queue_size=0, target_wait=18, capacity=27)).load_too_big
    below = plan(PlanInputs(demand=26, queue_size=0, target_wait=18, capacity=27))
    assert below.load_too_big is False


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: queue_load(30, 0), "capacity"),
        (lambda: target_mean_wait(52, 0), "factor"),
        (lambda: target_capacity(30, 0), "target wait"),
        (lambda: relief_capacity(30, 1200, 390, 0), "time to target"),
        (lambda: plan(PlanInputs(demand=-1, queue_size=0, target_wait=52)), "demand"),
    ],
)
def test_unusable_inputs_are_user_errors_naming_the_input(
    call: Callable[[], object], name: str
) -> None:
    with pytest.raises(PlanningError, match=name) as caught:
        call()
    assert isinstance(caught.value, UserError)

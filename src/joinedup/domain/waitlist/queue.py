"""Waiting-list planning formulas, as the NHS-R community's NHSRwaitinglist package gives them.

Why: an analyst planning a list with joinedup must get the same answer as one using
NHSRwaitinglist, the reference implementation of Fong et al. (2022), "Understanding waiting list
pressures" (medRxiv, doi:10.1101/2022.08.23.22279117). The formulas and their defaults below
follow NHSRwaitinglist 0.1.2 (CRAN, July 2025; the `calc_*` functions are unchanged at GitHub
commit 0d85b69), written afresh here from its documented arithmetic:

* queue load = demand ÷ capacity (`calc_queue_load`);
* waiting-list pressure = 2 × mean wait ÷ target wait (`calc_waiting_list_pressure`);
* target mean wait = target wait ÷ factor, factor 4 by default (`calc_target_mean_wait`);
* target queue size = demand × target mean wait, Little's law (`calc_target_queue_size`);
* relief capacity = demand + (queue size − target queue size) ÷ time to target, 26 by default;
  when a number of referrals is given, demand is first raised to demand ÷ (1 − 2 × demand ×
  cv_demand ÷ √referrals), only while that ratio is below 1 (`calc_relief_capacity`; by
  default no referrals and cv 0, so no raise);
* target capacity = demand + ((cv_demand² + cv_capacity²) ÷ 2) × (factor ÷ target wait),
  Kingman/Marchal, factors 4, 1 and 1 by default (`calc_target_capacity`; the package's help
  text prints the formula without the ÷ 2, its code and tests use it, and so does this).

Like `wl_stats`, a queue is "too big" when it is more than twice its target size (relief capacity
is then the answer) and the load is "too big" at 1 or more. Units: demand and capacity per week,
waits in weeks (any unit works if it is the same throughout).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from joinedup.domain.errors import UserError

DEFAULT_FACTOR = 4.0
DEFAULT_TIME_TO_TARGET = 26.0
DEFAULT_CV_DEMAND = 1.0
DEFAULT_CV_CAPACITY = 1.0


class PlanningError(UserError):
    """A planning input that the formulas cannot use (a zero or negative divisor)."""


def _positive(value: float, name: str) -> None:
    if not value > 0:
        raise PlanningError(f"{name} must be above 0, got {value}")


def queue_load(demand: float, capacity: float) -> float:
    """Arrivals for every patient leaving the list: demand ÷ capacity."""
    _positive(capacity, "capacity")
    return demand / capacity


def waiting_list_pressure(mean_wait: float, target_wait: float) -> float:
    """2 × mean wait ÷ target wait; above 1 the list will most likely miss its target."""
    _positive(target_wait, "target wait")
    return 2 * mean_wait / target_wait


def target_mean_wait(target_wait: float, factor: float = DEFAULT_FACTOR) -> float:
    """The mean wait that meets a target wait: target ÷ factor (4 → about 98% within target)."""
    _positive(factor, "factor")
    return target_wait / factor


def target_queue_size(demand: float, target_wait: float, factor: float = DEFAULT_FACTOR) -> float:
    """Little's law: demand × target mean wait."""
    return demand * target_mean_wait(target_wait, factor)


def relief_capacity(
    demand: float,
    queue_size: float,
    target_queue_size: float,
    time_to_target: float = DEFAULT_TIME_TO_TARGET,
    num_referrals: float = 0.0,
    cv_demand: float = 0.0,
) -> float:
    """Capacity a week that brings the queue to its target size within `time_to_target` weeks."""
    _positive(time_to_target, "time to target")
    if num_referrals > 0:
        spread = 2 * demand * cv_demand / math.sqrt(num_referrals)
        if spread < 1:
            demand = demand / (1 - spread)
    return demand + (queue_size - target_queue_size) / time_to_target


def target_capacity(
    demand: float,
    target_wait: float,
    factor: float = DEFAULT_FACTOR,
    cv_demand: float = DEFAULT_CV_DEMAND,
    cv_capacity: float = DEFAULT_CV_CAPACITY,
) -> float:
    """Capacity a week that holds the target mean wait, allowing for variation (Kingman)."""
    _positive(target_wait, "target wait")
    return demand + ((cv_demand**2 + cv_capacity**2) / 2) * (factor / target_wait)


@dataclass(frozen=True)
class PlanInputs:
    """What the calculator is asked: per-week demand and capacity, waits in weeks."""

    demand: float
    queue_size: float
    target_wait: float
    time_to_target: float = DEFAULT_TIME_TO_TARGET
    factor: float = DEFAULT_FACTOR
    cv_demand: float = DEFAULT_CV_DEMAND
    cv_capacity: float = DEFAULT_CV_CAPACITY
    mean_wait: float | None = None
    capacity: float | None = None


@dataclass(frozen=True)
class Plan:
    """The calculator's answer; the optional figures are None when their input was not given."""

    target_mean_wait: float
    target_queue_size: float
    relief_capacity: float
    target_capacity: float
    queue_too_big: bool
    queue_load: float | None
    load_too_big: bool | None
    waiting_list_pressure: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan(inputs: PlanInputs) -> Plan:
    """Every planning figure the inputs allow, with NHSRwaitinglist's defaults."""
    _positive(inputs.target_wait, "target wait")
    for name in ("demand", "queue_size"):
        if getattr(inputs, name) < 0:
            raise PlanningError(f"{name.replace('_', ' ')} must not be negative")
    mean = target_mean_wait(inputs.target_wait, inputs.factor)
    target_size = target_queue_size(inputs.demand, inputs.target_wait, inputs.factor)
    load = None if inputs.capacity is None else queue_load(inputs.demand, inputs.capacity)
    pressure = (
        None
        if inputs.mean_wait is None
        else waiting_list_pressure(inputs.mean_wait, inputs.target_wait)
    )
    return Plan(
        target_mean_wait=mean,
        target_queue_size=target_size,
        relief_capacity=relief_capacity(
            inputs.demand, inputs.queue_size, target_size, inputs.time_to_target
        ),
        target_capacity=target_capacity(
            inputs.demand, inputs.target_wait, inputs.factor, inputs.cv_demand, inputs.cv_capacity
        ),
        queue_too_big=inputs.queue_size > 2 * target_size,
        queue_load=load,
        load_too_big=None if load is None else load >= 1,
        waiting_list_pressure=pressure,
    )

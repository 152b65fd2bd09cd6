"""Change over time: how AF recording and anticoagulation moved before the reference date.

Why: a board watches progress quarter by quarter, so the demo needs data whose measures at
earlier dates tell a believable story. The generator dates AF diagnoses and lays out
anticoagulant courses over the last `history_years`, so the AF programme's rules evaluated at an
earlier date see the footprint as it was then. A *scenario* says how the two shares moved:

* ``steady``: today's shares held throughout; a series shows only noise. Built in.
* ``improvement`` (the default): over the last `years` the share of true AF on the register and
  the share of eligible patients anticoagulated rose to today's calibrated figures from lower
  ones (``scenarios.csv``). Practices differ: some did not change at all (engagement 0), the rest
  improved by a gamma-distributed amount, so the "most improved" list has something to find.

Each practice's share at day t is a logistic curve in time:

    share_p(t) = expit(logit(today_p) - drop_p * ramp(t)),  ramp = clip((R - t) / years, 0, 1)

with drop_p = kappa * engagement_p and one kappa solved so the footprint's weighted share at the
start of the ramp is the scenario's "before" figure. Scenarios are data: a user's
``scenarios.csv`` (through ``--parameters``) can add one by name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.domain.parameters import ParameterError
from joinedup.sources.synthetic import dates
from joinedup.sources.synthetic.rates import Rates
from joinedup.sources.synthetic.sampling import expit, logit

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

STEADY = "steady"
DEFAULT_SCENARIO = "improvement"
TABLE = "scenarios"
EARLY = -(10**9)
"""`Trend.since` for a share already above the draw before the history starts (always on)."""
NEVER = 10**9
"""`Trend.since` for a draw the share never reaches by the reference date."""

_MEASURES = ("af_register", "oac_treated")


@dataclass(frozen=True)
class Scenario:
    """A named story of change: the footprint's shares `years` before the reference date."""

    name: str
    years: float = 0.0
    before: tuple[tuple[str, float], ...] = ()
    """(measure, share at the start of the ramp) for af_register and oac_treated."""
    practices_unchanged: float = 1.0
    engagement_shape: float = 1.0

    @property
    def changes(self) -> bool:
        return bool(self.before) and self.years > 0

    def share_before(self, measure: str) -> float | None:
        return dict(self.before).get(measure)

    def as_dict(self) -> dict[str, object]:
        """What manifest.json records about the scenario."""
        return {
            "name": self.name,
            "years": self.years,
            **{f"{m}_share_before": v for m, v in self.before},
            "practices_unchanged": self.practices_unchanged if self.changes else None,
            "engagement_shape": self.engagement_shape if self.changes else None,
        }


def scenario_names(rates: Rates) -> tuple[str, ...]:
    """`steady` and every scenario named in the parameter set's scenarios table."""
    named = sorted({row["scenario"] for row in rates.table(TABLE).rows} - {STEADY})
    return (STEADY, *named)


def load_scenario(rates: Rates, name: str) -> Scenario:
    """The scenario called `name`, read and checked; ValueError names the choices if unknown."""
    if name == STEADY:
        return Scenario(name=STEADY)
    table = rates.table(TABLE)
    if name not in scenario_names(rates):
        raise ParameterError(
            f"unknown scenario {name!r}; choose from {', '.join(scenario_names(rates))}"
        )

    def value(key: str) -> float:
        return table.value("value", scenario=name, name=key)

    years = value("years")
    before = tuple((m, value(f"{m}_share_before")) for m in _MEASURES)
    unchanged = value("practices_unchanged")
    shape = value("engagement_shape")
    where = f"{table.path}: scenario {name!r}"
    if years <= 0:
        raise ParameterError(f"{where}: years must be above 0, got {years}")
    for measure, share in before:
        if not 0 < share < 1:
            raise ParameterError(f"{where}: {measure}_share_before must be in (0, 1), got {share}")
    if not 0 <= unchanged < 1:
        raise ParameterError(f"{where}: practices_unchanged must be in [0, 1), got {unchanged}")
    if shape <= 0:
        raise ParameterError(f"{where}: engagement_shape must be above 0, got {shape}")
    return Scenario(name, years, before, unchanged, shape)


def engagement(rng: np.random.Generator, n_practices: int, scenario: Scenario) -> FloatArray:
    """How much each practice took part in the change: 0 for the unchanged, else a gamma draw.

    Drawn the same way in every scenario (from the scenario's own stream), so switching the
    scenario off changes the curves and nothing else.
    """
    unchanged = rng.random(n_practices) < scenario.practices_unchanged
    amount = rng.gamma(scenario.engagement_shape, 1.0 / scenario.engagement_shape, n_practices)
    return np.where(unchanged, 0.0, amount)


@dataclass(frozen=True)
class Trend:
    """One measure's share per practice over time: today's `current`, lower by `drop` (logit)."""

    current: FloatArray
    drop: FloatArray
    reference: int
    ramp_days: float

    def at(self, practice: IntArray, day: IntArray) -> FloatArray:
        """The share at each row's practice on each row's day."""
        if self.ramp_days <= 0:
            return self.current[practice]
        ramp = np.clip((self.reference - day) / self.ramp_days, 0.0, 1.0)
        return expit(logit(self.current[practice]) - self.drop[practice] * ramp)

    def since(self, practice: IntArray, draw: FloatArray) -> IntArray:
        """The first day on which the share exceeds each row's uniform `draw`.

        A row is "on" at day t exactly when draw < share(t); as the share only rises, that is
        from this day on. EARLY if it was already on before the ramp, NEVER if not on by the
        reference date.
        """
        today = self.current[practice]
        drop = self.drop[practice]
        floor = np.where(drop > 0, expit(logit(today) - drop), today)
        out = np.full(practice.shape[0], NEVER, dtype=np.int64)
        out[draw < floor] = EARLY
        rising = (draw >= floor) & (draw < today) & (drop > 0)
        years_before = (logit(today[rising]) - logit(draw[rising])) / drop[rising]
        out[rising] = self.reference - np.floor(years_before * self.ramp_days).astype(np.int64)
        return out


@dataclass(frozen=True)
class Change:
    """A scenario applied to one footprint: the practices' engagement and the calendar."""

    scenario: Scenario
    engagement: FloatArray
    reference: int
    history_start: int

    @classmethod
    def build(
        cls, rng: np.random.Generator, scenario: Scenario, n_practices: int, reference: int,
        history_years: float,
    ) -> Change:
        if history_years < scenario.years:
            raise ParameterError(
                f"history_years ({history_years}) must cover the scenario's {scenario.years} years"
            )
        return cls(
            scenario=scenario,
            engagement=engagement(rng, n_practices, scenario),
            reference=reference,
            history_start=reference - dates.years(history_years),
        )

    def trend(self, measure: str, current: FloatArray, weights: FloatArray) -> Trend:
        """The measure's curve: flat at `current` unless the scenario gives a share before."""
        target = self.scenario.share_before(measure)
        if target is None or not self.scenario.changes:
            return Trend(current, np.zeros_like(current), self.reference, 0.0)
        kappa = solve_drop(current, self.engagement, weights, target, measure)
        ramp_days = self.scenario.years * dates.DAYS_PER_YEAR
        return Trend(current, kappa * self.engagement, self.reference, ramp_days)


def solve_drop(
    current: FloatArray, engagement: FloatArray, weights: FloatArray, target: float, measure: str
) -> float:
    """The logit drop per unit of engagement that brings the weighted share down to `target`."""
    w = weights / weights.sum() if weights.sum() > 0 else np.full_like(weights, 1 / len(weights))

    def mean(kappa: float) -> float:
        return float((expit(logit(current) - kappa * engagement) * w).sum())

    today = mean(0.0)
    if target > today + 1e-9:
        raise ParameterError(
            f"scenario share before for {measure} ({target:.3f}) is above today's "
            f"({today:.3f}); a scenario can only describe improvement"
        )
    hi = 60.0
    if mean(hi) > target:
        raise ParameterError(
            f"scenario share before for {measure} ({target:.3f}) cannot be reached while "
            f"{float((engagement == 0).mean()):.0%} of practices stay unchanged"
        )
    lo = 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if mean(mid) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2

"""The three-trust scenario as data: trusts, their weekly theatre sessions, demand, shared lists.

Why: the synthetic lists, the sample capacity file and the simulation must describe the same
trusts, so the scenario is read once from the parameter set (``scenario_trusts.csv``,
``scenario_shared_sessions.csv``, ``referral_rates.csv``); a user describes their own trusts by
overriding those tables with ``--parameters``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from joinedup.domain.parameters import ParameterError, ParameterSet
from joinedup.domain.waitlist.rules import SessionRule
from joinedup.waitlist.sessions import Session

SPECIALTIES = ("ENT", "Oral Surgery")
_SESSIONS_COLUMN = {"ENT": "ent_sessions_per_week", "Oral Surgery": "oral_sessions_per_week"}
_SHORT = {"ENT": "ENT", "Oral Surgery": "OS"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Trust:
    code: str
    name: str
    site: str
    population: int
    wait_scale: float
    sessions_per_week: dict[str, int]
    session_minutes: int
    min_age: int | None
    max_age: int | None


@dataclass(frozen=True)
class SharedList:
    site: str
    host_trust: str
    weekday: int  # 0 = Monday
    specialty: str
    minutes: int
    min_age: int | None
    max_age: int | None


@dataclass(frozen=True)
class Scenario:
    trusts: tuple[Trust, ...]
    shared: tuple[SharedList, ...]
    demand: dict[tuple[str, str], float]  # (trust, specialty) → additions to the list a week

    @property
    def trust_codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.trusts)


def _int_or_none(raw: str) -> int | None:
    return None if raw == "" else int(raw)


def scenario_from(parameters: ParameterSet) -> Scenario:
    table = parameters["scenario_trusts"]
    rates = {row["specialty"]: row for row in parameters["referral_rates"]}
    trusts = []
    demand: dict[tuple[str, str], float] = {}
    for i, row in enumerate(table.rows):
        try:
            trust = Trust(
                code=row["trust_code"],
                name=row["trust_name"],
                site=row["site"],
                population=int(row["population"]),
                wait_scale=table.float_at(i, "wait_scale"),
                sessions_per_week={s: int(row[_SESSIONS_COLUMN[s]]) for s in SPECIALTIES},
                session_minutes=int(row["session_minutes"]),
                min_age=_int_or_none(row["min_age"]),
                max_age=_int_or_none(row["max_age"]),
            )
        except (KeyError, ValueError) as exc:
            raise ParameterError(f"{table.path}: row {i + 1}: {exc}") from None
        trusts.append(trust)
        for specialty in SPECIALTIES:
            if specialty not in rates:
                raise ParameterError(f"referral_rates.csv: no row for {specialty}")
            rate = float(rates[specialty]["admitted_per_100k_per_week"])
            share = float(rates[specialty]["paediatric_share"])
            demand[(trust.code, specialty)] = trust.population / 100_000 * rate * share
    shared_table = parameters["scenario_shared_sessions"]
    shared = []
    for i, row in enumerate(shared_table.rows):
        if row["weekday"] not in WEEKDAYS or row["specialty"] not in SPECIALTIES:
            raise ParameterError(f"{shared_table.path}: row {i + 1}: unknown weekday or specialty")
        shared.append(
            SharedList(
                site=row["site"],
                host_trust=row["host_trust"],
                weekday=WEEKDAYS.index(row["weekday"]),
                specialty=row["specialty"],
                minutes=int(row["minutes"]),
                min_age=_int_or_none(row["min_age"]),
                max_age=_int_or_none(row["max_age"]),
            )
        )
    return Scenario(tuple(trusts), tuple(shared), demand)


def own_sessions(scenario: Scenario, monday: date, weeks: int) -> list[Session]:
    """Each trust's own weekday lists for its own patients, spread Monday to Friday."""
    sessions = []
    for week in range(weeks):
        start = monday + timedelta(weeks=week)
        for trust in scenario.trusts:
            n = 0
            for specialty in SPECIALTIES:
                for _ in range(trust.sessions_per_week[specialty]):
                    day = start + timedelta(days=n % 5)
                    n += 1
                    rule = SessionRule(
                        specialty, frozenset({trust.code}), trust.min_age, trust.max_age
                    )
                    sessions.append(
                        Session(
                            f"{trust.code}-{_SHORT[specialty]}-{day.isoformat()}-{n}",
                            trust.site,
                            trust.code,
                            day,
                            trust.session_minutes,
                            rule,
                        )
                    )
    return sessions


def shared_sessions(scenario: Scenario, monday: date, weeks: int) -> list[Session]:
    """The added shared lists, open to every trust of the scenario."""
    sessions = []
    for week in range(weeks):
        for n, shared in enumerate(scenario.shared, start=1):
            day = monday + timedelta(weeks=week, days=shared.weekday)
            rule = SessionRule(shared.specialty, None, shared.min_age, shared.max_age)
            sessions.append(
                Session(
                    f"SHARED-{_SHORT[shared.specialty]}-{day.isoformat()}-{n}",
                    shared.site,
                    shared.host_trust,
                    day,
                    shared.minutes,
                    rule,
                )
            )
    return sessions


def next_monday(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())

"""The typed definition of a programme: register, risk score, eligibility, treated, exceptions.

Why apart from the parser: engines, targeting and outputs read these types; only the parser
knows TOML. Every field is checked before a `Programme` exists, so an engine never meets a
half-valid definition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from joinedup.domain.codelists import CodeSystem
from joinedup.domain.errors import UserError
from joinedup.domain.extensions import IMPACT_MODELS
from joinedup.domain.programme.criteria import AgeBand, AllOf, Criterion, Diagnosed, LatestValue

PROGRAMME_FILE = "programme.toml"
# Flags a criterion may refer to, in evaluation order; a section may only name earlier flags.
FLAG_ORDER = ("on_register", "eligible", "treated", "exception")


class ProgrammeError(UserError):
    """A programme definition is missing, malformed or inconsistent; names the file and key."""


@dataclass(frozen=True)
class CodelistRef:
    """A codelist the programme uses: packaged by name, or a user's own CSV file (`path`)."""

    name: str
    system: CodeSystem
    path: Path | None = None


@dataclass(frozen=True)
class Register:
    """Who is on the disease register: `Diagnosed` logic plus an optional minimum age."""

    codelist: str
    resolved_by: str | None = None
    min_age: int | None = None

    @property
    def criterion(self) -> Criterion:
        diagnosed = Diagnosed(self.codelist, self.resolved_by)
        if self.min_age is None:
            return diagnosed
        return AllOf((diagnosed, AgeBand(age_from=self.min_age)))


@dataclass(frozen=True)
class ScoreComponent:
    """One scored item. Components sharing a `group` are alternatives (CHA2DS2-VASc's "age 65 to
    74" and "age 75 or over"): a group scores the largest of its met members' points, never their
    sum, so the declared maximum and every patient's score follow the published instrument."""

    key: str
    label: str
    points: int
    when: Criterion
    group: str | None = None


@dataclass(frozen=True)
class RiskScore:
    name: str
    components: tuple[ScoreComponent, ...]

    def groups(self) -> dict[str, tuple[ScoreComponent, ...]]:
        """Components by group, in definition order; an ungrouped component is its own group."""
        out: dict[str, list[ScoreComponent]] = {}
        for component in self.components:
            out.setdefault(component.group or f"component:{component.key}", []).append(component)
        return {name: tuple(members) for name, members in out.items()}

    @property
    def max_score(self) -> int:
        """The highest possible score: each group's largest points, summed."""
        return sum(max(c.points for c in members) for members in self.groups().values())


@dataclass(frozen=True)
class Eligibility:
    """Eligible = on the register and (if set) risk score >= `score_at_least`.

    With `recorded` (a codelist of score observations), the score that decides eligibility is
    the latest *recorded* one (QOF AF008's denominator), and patients whose score computed from
    the record reaches the threshold with no recorded score at all are counted apart, as
    `to_assess`; without it the computed score decides and `to_assess` is not applicable.
    """

    score_at_least: int | None = None
    recorded: str | None = None

    @property
    def definition(self) -> str:
        """One line saying what `eligible` counts, for summary.json, the report and docs."""
        if self.score_at_least is None:
            return "everyone on the register"
        if self.recorded is None:
            return f"on the register with a computed score of {self.score_at_least}+"
        return (
            f"on the register with a latest recorded score of {self.score_at_least}+ "
            f"('{self.recorded}' observations); to_assess: computed score "
            f"{self.score_at_least}+ with no recorded score"
        )


@dataclass(frozen=True)
class Rule:
    """One version of a rule: what it says, its name in outputs (e.g. the QOF indicator "AF008")
    and the first day it is in force (None: from the start)."""

    description: str
    when: Criterion
    name: str = ""
    in_force_from: date | None = None

    @property
    def label(self) -> str:
        """How outputs name the rule: its name, or its description when it has none."""
        return self.name or self.description


@dataclass(frozen=True)
class DatedRule:
    """A rule whose definition changes on given dates (QOF's indicators change by QOF year):
    versions oldest first, the first in force from the start, each later one from its
    `in_force_from`. Declared in programme.toml as `[[treated]]` tables with `from` dates; a
    single `[treated]` table is a rule with one version."""

    versions: tuple[Rule, ...]

    def __post_init__(self) -> None:
        if not self.versions or self.versions[0].in_force_from is not None:
            raise ValueError("a dated rule's first version applies from the start (no `from`)")
        starts = [v.in_force_from for v in self.versions[1:]]
        dated = [d for d in starts if d is not None]
        if len(dated) != len(starts) or dated != sorted(set(dated)):
            raise ValueError("a dated rule's later versions need increasing `from` dates")

    def at(self, day: date) -> Rule:
        """The version in force on `day`: the last whose `in_force_from` is on or before it."""
        current = self.versions[0]
        for version in self.versions[1:]:
            if version.in_force_from is not None and version.in_force_from <= day:
                current = version
        return current

    @property
    def when(self) -> Criterion:
        """The criterion of a rule with one version (a dated rule is read with `at`)."""
        if len(self.versions) > 1:
            raise ValueError("this rule changes over time: ask for the version in force (`at`)")
        return self.versions[0].when


@dataclass(frozen=True)
class CasefinderRule:
    key: str
    label: str
    when: Criterion


@dataclass(frozen=True)
class Ambitions:
    """Default ambitions: share of expected patients detected, of eligible treated, and combined."""

    detect: float
    treat: float
    combined: float


@dataclass(frozen=True)
class Programme:
    name: str
    title: str
    description: str
    codelists: tuple[CodelistRef, ...]
    register: Register
    eligibility: Eligibility
    treated: DatedRule
    ambitions: Ambitions
    expected_prevalence: str
    risk_score: RiskScore | None = None
    exceptions: DatedRule | None = None
    casefinder: tuple[CasefinderRule, ...] = ()
    parameters_dir: Path | None = None
    source: Path | None = None
    impact_model: str = IMPACT_MODELS.default

    def codelist(self, name: str) -> CodelistRef:
        for ref in self.codelists:
            if ref.name == name:
                return ref
        raise KeyError(f"programme {self.name!r} declares no codelist {name!r}")

    @property
    def score_components(self) -> tuple[ScoreComponent, ...]:
        return self.risk_score.components if self.risk_score else ()

    def criteria(self) -> Iterator[Criterion]:
        """Every top-level criterion in the definition, in evaluation order."""
        yield self.register.criterion
        for component in self.score_components:
            yield component.when
        if self.eligibility.recorded is not None:
            yield LatestValue(self.eligibility.recorded, None, at_least=0)
        for version in self.treated.versions:
            yield version.when
        if self.exceptions is not None:
            for version in self.exceptions.versions:
                yield version.when
        for rule in self.casefinder:
            yield rule.when



"""A find-and-treat programme as a definition: codelists, rules, score, ambitions.

Why: DESIGN.md says programmes are declared, not hard-wired. Adding a condition adds a
`programme.toml`, its codelists and a parameter folder; the engine compiles whatever a definition
says and holds no condition-specific branch. The AF programme is loaded through the same
`load_programme_file` a user's own definition would be (STYLE.md point 5).

A definition is made of *criteria*, a small vocabulary of patient-level conditions evaluated at a
reference date. Each is a one-line TOML inline table with exactly one kind key:

    { coded = "af" }                                 any code in the codelist, on or before the date
    { coded = ["doac", "vka"], within_months = 6 }   ... and within the window (see `months_before`)
    { diagnosed = "af", resolved_by = "af_resolved" } latest code not followed by a later resolved
    { age_from = 65, age_to = 74 }                   age in whole years at the date, both inclusive
    { sex = "F" }
    { latest_value = "systolic_bp", within_months = 12, at_most = 140 }
    { flag = "on_register" }                         a flag computed earlier in the definition
    { all = [...] }  { any = [...] }  { not = {...} }

Boundaries (docs/programmes.md explains why): events after the reference date are ignored; a
window of N months holds events after `months_before(date, N)` up to and including the date, so an
event exactly N months before is outside it; a resolved code on the same day as the diagnosis
leaves the patient on the register; a patient's age goes up on their birthday.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from joinedup.domain.codelists import CodeSystem
from joinedup.domain.contract import SEXES
from joinedup.domain.parameters import ParameterTable

PROGRAMME_FILE = "programme.toml"
# How a definition names a coding system ("snomed_ct", "dmd"): the CodeSystem member, lower case.
SYSTEMS: dict[str, CodeSystem] = {s.name.lower(): s for s in CodeSystem}
# Flags a criterion may refer to, in evaluation order; a section may only name earlier flags.
FLAG_ORDER = ("on_register", "eligible", "treated", "exception")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

# Every key a definition may use, by section. The parser refuses any other key (a typo must not
# silently drop a rule), and docs/programmes.md must describe each one (a test checks).
SECTION_KEYS: Mapping[str, frozenset[str]] = {
    "": frozenset(
        {
            "name", "title", "description", "parameters", "ambitions", "codelists",
            "register", "risk_score", "eligibility", "treated", "exceptions", "casefinder",
        }
    ),
    "parameters": frozenset({"folder", "expected_prevalence", "impact_model"}),
    "ambitions": frozenset({"detect", "treat", "combined"}),
    "codelists.<name>": frozenset({"system", "file"}),
    "register": frozenset({"codelist", "resolved_by", "min_age"}),
    "risk_score": frozenset({"name", "components"}),
    "risk_score.components": frozenset({"key", "label", "points", "when"}),
    "eligibility": frozenset({"score_at_least", "all_on_register"}),
    "treated": frozenset({"description", "when"}),
    "exceptions": frozenset({"description", "when"}),
    "casefinder": frozenset({"key", "label", "when"}),
}  # fmt: skip
# The impact model kinds a definition may name in [parameters] impact_model; the first is the
# default. Each is implemented once in domain/impact.py (`impact_model_for`), never per programme.
IMPACT_MODELS = ("stroke_risk_by_score", "blood_pressure_lowering")
# The criterion kinds and the keys each may carry (the first key names the kind).
CRITERION_KEYS: Mapping[str, frozenset[str]] = {
    "coded": frozenset({"coded", "within_months"}),
    "diagnosed": frozenset({"diagnosed", "resolved_by"}),
    "latest_value": frozenset({"latest_value", "within_months", "at_most", "at_least"}),
    "sex": frozenset({"sex"}),
    "flag": frozenset({"flag"}),
    "age": frozenset({"age_from", "age_to"}),
    "all": frozenset({"all"}),
    "any": frozenset({"any"}),
    "not": frozenset({"not"}),
}


class ProgrammeError(ValueError):
    """A programme definition is missing, malformed or inconsistent; names the file and key."""


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier, clamped to the month's end (31 Aug - 6 = 28 Feb).

    Windows are half-open: an event counts as "within N months" of the reference date when
    `months_before(date, N) < event date <= date`, i.e. the N whole months up to and including the
    reference date (QOF's "in the 6 months up to and including the end date").
    """
    if months < 0:
        raise ValueError("months must be >= 0")
    index = day.year * 12 + (day.month - 1) - months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


# --- criteria -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coded:
    """Any code from the codelists on or before the date (and within the window, if given)."""

    codelists: tuple[str, ...]
    within_months: int | None = None


@dataclass(frozen=True)
class Diagnosed:
    """QOF register logic: a code in `codelist`, with no later code in `resolved_by`."""

    codelist: str
    resolved_by: str | None = None


@dataclass(frozen=True)
class AgeBand:
    """Age in whole years at the reference date within [age_from, age_to]; None is open."""

    age_from: int | None = None
    age_to: int | None = None


@dataclass(frozen=True)
class SexIs:
    sex: str


@dataclass(frozen=True)
class LatestValue:
    """The latest recorded value in the window meets the bounds (both inclusive).

    On the latest day with a reading the lowest value is used (QOF's rule for blood pressure);
    no reading in the window means the criterion is not met.
    """

    codelist: str
    within_months: int | None = None
    at_most: float | None = None
    at_least: float | None = None


@dataclass(frozen=True)
class FlagIs:
    flag: str


@dataclass(frozen=True)
class AllOf:
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class AnyOf:
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Not:
    criterion: Criterion


Criterion = Coded | Diagnosed | AgeBand | SexIs | LatestValue | FlagIs | AllOf | AnyOf | Not


def walk(criterion: Criterion) -> Iterator[Criterion]:
    """The criterion and every criterion nested inside it, depth first."""
    yield criterion
    if isinstance(criterion, AllOf | AnyOf):
        for inner in criterion.criteria:
            yield from walk(inner)
    elif isinstance(criterion, Not):
        yield from walk(criterion.criterion)


# --- the definition -------------------------------------------------------------------------


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
    key: str
    label: str
    points: int
    when: Criterion


@dataclass(frozen=True)
class RiskScore:
    name: str
    components: tuple[ScoreComponent, ...]

    @property
    def max_score(self) -> int:
        return sum(c.points for c in self.components)


@dataclass(frozen=True)
class Eligibility:
    """Eligible = on the register and (if set) risk score >= `score_at_least`."""

    score_at_least: int | None = None


@dataclass(frozen=True)
class Rule:
    description: str
    when: Criterion


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
    treated: Rule
    ambitions: Ambitions
    expected_prevalence: str
    risk_score: RiskScore | None = None
    exceptions: Rule | None = None
    casefinder: tuple[CasefinderRule, ...] = ()
    parameters_dir: Path | None = None
    source: Path | None = None
    impact_model: str = IMPACT_MODELS[0]

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
        yield self.treated.when
        if self.exceptions is not None:
            yield self.exceptions.when
        for rule in self.casefinder:
            yield rule.when


# --- the expected-prevalence model ----------------------------------------------------------


@dataclass(frozen=True)
class PrevalenceBand:
    sex: str
    age_from: int
    age_to: int | None  # None = open-ended
    prevalence: float


def prevalence_bands(table: ParameterTable) -> tuple[PrevalenceBand, ...]:
    """Read and check an age x sex prevalence table (columns age_from, age_to, sex, prevalence).

    Every sex in the contract must be covered from age 0 upwards with no gap or overlap and an
    open last band, so no registered patient can silently fall outside the model.
    """
    for column in ("age_from", "age_to", "sex", "prevalence"):
        if column not in table.columns:
            raise ProgrammeError(f"{table.path}: no {column!r} column")
    bands: list[PrevalenceBand] = []
    for i, row in enumerate(table.rows):
        line = f"{table.path}: row {i + 1}"
        sex = row["sex"]
        if sex not in SEXES:
            raise ProgrammeError(f"{line}, column 'sex': {sex!r} is not one of {SEXES}")
        age_from = _int_cell(row["age_from"], f"{line}, column 'age_from'")
        age_to = None if row["age_to"] == "" else _int_cell(row["age_to"], f"{line}, 'age_to'")
        if age_from is None:
            raise ProgrammeError(f"{line}, column 'age_from': empty")
        if age_to is not None and age_to < age_from:
            raise ProgrammeError(f"{line}: age_to {age_to} is below age_from {age_from}")
        prevalence = table.float_at(i, "prevalence")
        if not 0 <= prevalence <= 1:
            raise ProgrammeError(f"{line}, column 'prevalence': {prevalence} is not in [0, 1]")
        bands.append(PrevalenceBand(sex, age_from, age_to, prevalence))
    for sex in SEXES:
        mine = sorted((b for b in bands if b.sex == sex), key=lambda b: b.age_from)
        next_from: int | None = 0
        for band in mine:
            if next_from is None or band.age_from != next_from:
                wanted = "no band after the open one" if next_from is None else f"age {next_from}"
                raise ProgrammeError(
                    f"{table.path}: sex {sex}: the band from age {band.age_from} leaves a gap or "
                    f"overlap (expected {wanted})"
                )
            next_from = None if band.age_to is None else band.age_to + 1
        if not mine or next_from is not None:
            raise ProgrammeError(
                f"{table.path}: sex {sex}: bands must cover every age from 0, the last open-ended"
            )
    return tuple(bands)


def _int_cell(raw: str, where: str) -> int | None:
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ProgrammeError(f"{where}: {raw!r} is not a whole number") from None


# --- loading --------------------------------------------------------------------------------


def load_programme_file(path: Path | str) -> Programme:
    """Load and check one programme definition; errors name the file and the key at fault."""
    path = Path(path)
    if path.is_dir():
        path = path / PROGRAMME_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProgrammeError(f"{path}: cannot read programme definition ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProgrammeError(f"{path}: not valid TOML: {exc}") from None
    return programme_from_mapping(data, path)


def programme_from_mapping(data: Mapping[str, object], path: Path) -> Programme:
    """Build a Programme from parsed TOML; relative file paths resolve against `path`'s folder."""
    return _Parser(path).programme(data)


class _Parser:
    """Reads a parsed definition, naming `file: key.path: reason` on the first problem."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = path.parent
        self.declared: set[str] = set()
        self.systems: dict[str, CodeSystem] = {}

    def fail(self, key: str, reason: str) -> ProgrammeError:
        return ProgrammeError(f"{self.path}: {key}: {reason}")

    # -- typed fields --
    def table(self, value: object, key: str) -> Mapping[str, object]:
        if not isinstance(value, Mapping):
            raise self.fail(key, f"expected a table, got {_kind(value)}")
        return value

    def known(self, table: Mapping[str, object], key: str, allowed: frozenset[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            where = f"{key}.{unknown[0]}" if key else unknown[0]
            raise self.fail(where, f"unknown key; expected one of {sorted(allowed)}")

    def text(
        self, table: Mapping[str, object], name: str, key: str, default: str | None = None
    ) -> str:
        value = table.get(name, default)
        where = f"{key}.{name}" if key else name
        if value is None:
            raise self.fail(where, "missing")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected non-empty text, got {_kind(value)}")
        return value.strip()

    def integer(self, value: object, key: str, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number, got {_kind(value)}")
        if value < minimum:
            raise self.fail(key, f"must be >= {minimum}, got {value}")
        return value

    def number(self, value: object, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"expected a number, got {_kind(value)}")
        return float(value)

    def identifier(self, table: Mapping[str, object], key: str) -> str:
        value = self.text(table, "key", key)
        if not _KEY.match(value):
            raise self.fail(f"{key}.key", f"{value!r} must be lower case letters, digits and _")
        return value

    # -- sections --
    def programme(self, data: Mapping[str, object]) -> Programme:
        self.known(data, "", SECTION_KEYS[""])
        name = self.text(data, "name", "")
        if not _KEY.match(name):
            raise self.fail("name", f"{name!r} must be lower case letters, digits and _")
        codelists = self.codelists(data.get("codelists"))
        register = self.register(data.get("register"))
        risk_score = None if "risk_score" not in data else self.risk_score(data["risk_score"])
        eligibility = self.eligibility(data.get("eligibility"), risk_score)
        treated = self.rule(data.get("treated"), "treated", FLAG_ORDER[:2])
        exceptions = (
            None
            if "exceptions" not in data
            else self.rule(data["exceptions"], "exceptions", FLAG_ORDER[:3])
        )
        casefinder = self.casefinder(data.get("casefinder", []))
        parameters_dir, expected, impact_model = self.parameters(data.get("parameters"))
        return Programme(
            name=name,
            title=self.text(data, "title", ""),
            description=str(data.get("description", "")).strip(),
            codelists=codelists,
            register=register,
            eligibility=eligibility,
            treated=treated,
            ambitions=self.ambitions(data.get("ambitions")),
            expected_prevalence=expected,
            risk_score=risk_score,
            exceptions=exceptions,
            casefinder=casefinder,
            parameters_dir=parameters_dir,
            source=self.path,
            impact_model=impact_model,
        )

    def codelists(self, value: object) -> tuple[CodelistRef, ...]:
        if value is None:
            raise self.fail("codelists", "missing")
        table = self.table(value, "codelists")
        refs = []
        for name, spec in table.items():
            key = f"codelists.{name}"
            if not _KEY.match(name):
                raise self.fail(key, "codelist names must be lower case letters, digits and _")
            path = None
            if isinstance(spec, str):
                system = spec
            else:
                spec_table = self.table(spec, key)
                self.known(spec_table, key, SECTION_KEYS["codelists.<name>"])
                system = self.text(spec_table, "system", key)
                if "file" in spec_table:
                    path = self.base / self.text(spec_table, "file", key)
            if system not in SYSTEMS:
                raise self.fail(key, f"system {system!r} is not one of {tuple(SYSTEMS)}")
            refs.append(CodelistRef(name, SYSTEMS[system], path))
            self.declared.add(name)
            self.systems[name] = SYSTEMS[system]
        if not refs:
            raise self.fail("codelists", "declares no codelists")
        return tuple(refs)

    def register(self, value: object) -> Register:
        if value is None:
            raise self.fail("register", "missing")
        table = self.table(value, "register")
        self.known(table, "register", SECTION_KEYS["register"])
        codelist = self.codelist_name(table.get("codelist"), "register.codelist")
        resolved = table.get("resolved_by")
        resolved_by = (
            None if resolved is None else self.codelist_name(resolved, "register.resolved_by")
        )
        min_age = table.get("min_age")
        return Register(
            codelist,
            resolved_by,
            None if min_age is None else self.integer(min_age, "register.min_age"),
        )

    def risk_score(self, value: object) -> RiskScore:
        table = self.table(value, "risk_score")
        self.known(table, "risk_score", SECTION_KEYS["risk_score"])
        raw = table.get("components")
        if not isinstance(raw, list) or not raw:
            raise self.fail("risk_score.components", "expected a list of [[risk_score.components]]")
        components = []
        seen: set[str] = set()
        for i, item in enumerate(raw):
            key = f"risk_score.components[{i}]"
            spec = self.table(item, key)
            self.known(spec, key, SECTION_KEYS["risk_score.components"])
            ident = self.identifier(spec, key)
            if ident in seen:
                raise self.fail(f"{key}.key", f"{ident!r} is used twice")
            if ident == "score":
                raise self.fail(f"{key}.key", "'score' is reserved for the total (risk_score)")
            seen.add(ident)
            if "when" not in spec:
                raise self.fail(f"{key}.when", "missing")
            components.append(
                ScoreComponent(
                    key=ident,
                    label=self.text(spec, "label", key, default=ident),
                    points=self.integer(spec.get("points"), f"{key}.points", minimum=1),
                    when=self.criterion(spec["when"], f"{key}.when", FLAG_ORDER[:1]),
                )
            )
        return RiskScore(self.text(table, "name", "risk_score"), tuple(components))

    def eligibility(self, value: object, risk_score: RiskScore | None) -> Eligibility:
        if value is None:
            raise self.fail("eligibility", "missing (use all_on_register = true or score_at_least)")
        table = self.table(value, "eligibility")
        self.known(table, "eligibility", SECTION_KEYS["eligibility"])
        if ("score_at_least" in table) == ("all_on_register" in table):
            raise self.fail("eligibility", "give exactly one of score_at_least, all_on_register")
        if "all_on_register" in table:
            if table["all_on_register"] is not True:
                raise self.fail("eligibility.all_on_register", "must be true when given")
            return Eligibility()
        if risk_score is None:
            raise self.fail("eligibility.score_at_least", "needs a [risk_score] section")
        return Eligibility(self.integer(table["score_at_least"], "eligibility.score_at_least"))

    def rule(self, value: object, key: str, flags: tuple[str, ...]) -> Rule:
        if value is None:
            raise self.fail(key, "missing")
        table = self.table(value, key)
        self.known(table, key, SECTION_KEYS[key])
        if "when" not in table:
            raise self.fail(f"{key}.when", "missing")
        return Rule(
            description=str(table.get("description", "")).strip(),
            when=self.criterion(table["when"], f"{key}.when", flags),
        )

    def casefinder(self, value: object) -> tuple[CasefinderRule, ...]:
        if not isinstance(value, list):
            raise self.fail("casefinder", "expected a list of [[casefinder]] tables")
        rules = []
        seen: set[str] = set()
        for i, item in enumerate(value):
            key = f"casefinder[{i}]"
            spec = self.table(item, key)
            self.known(spec, key, SECTION_KEYS["casefinder"])
            ident = self.identifier(spec, key)
            if ident in seen:
                raise self.fail(f"{key}.key", f"{ident!r} is used twice")
            seen.add(ident)
            if "when" not in spec:
                raise self.fail(f"{key}.when", "missing")
            rules.append(
                CasefinderRule(
                    key=ident,
                    label=self.text(spec, "label", key, default=ident),
                    when=self.criterion(spec["when"], f"{key}.when", FLAG_ORDER),
                )
            )
        return tuple(rules)

    def parameters(self, value: object) -> tuple[Path | None, str, str]:
        if value is None:
            raise self.fail("parameters", "missing (needs expected_prevalence)")
        table = self.table(value, "parameters")
        self.known(table, "parameters", SECTION_KEYS["parameters"])
        folder = None
        if "folder" in table:
            folder = self.base / self.text(table, "folder", "parameters")
        model = self.text(table, "impact_model", "parameters", default=IMPACT_MODELS[0])
        if model not in IMPACT_MODELS:
            raise self.fail("parameters.impact_model", f"{model!r} is not one of {IMPACT_MODELS}")
        return folder, self.text(table, "expected_prevalence", "parameters"), model

    def ambitions(self, value: object) -> Ambitions:
        if value is None:
            raise self.fail("ambitions", "missing")
        table = self.table(value, "ambitions")
        self.known(table, "ambitions", SECTION_KEYS["ambitions"])
        shares = {}
        for name in ("detect", "treat", "combined"):
            key = f"ambitions.{name}"
            if name not in table:
                raise self.fail(key, "missing")
            share = self.number(table[name], key)
            if not 0 < share <= 1:
                raise self.fail(key, f"must be a share in (0, 1], got {share}")
            shares[name] = share
        return Ambitions(**shares)

    # -- criteria --
    def codelist_name(self, value: object, key: str, system: CodeSystem | None = None) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"expected a codelist name, got {_kind(value)}")
        if value not in self.declared:
            raise self.fail(key, f"codelist {value!r} is not declared in [codelists]")
        if system is not None and self.systems[value] != system:
            raise self.fail(key, f"codelist {value!r} must be a {system.label} codelist")
        return value

    def window(self, table: Mapping[str, object], key: str) -> int | None:
        if "within_months" not in table:
            return None
        return self.integer(table["within_months"], f"{key}.within_months", minimum=1)

    def criterion(self, value: object, key: str, flags: tuple[str, ...]) -> Criterion:
        table = self.table(value, key)
        kinds = [k for k in ("coded", "diagnosed", "latest_value", "sex", "flag") if k in table]
        kinds += [k for k in ("all", "any", "not") if k in table]
        if "age_from" in table or "age_to" in table:
            kinds.append("age")
        if len(kinds) != 1:
            raise self.fail(
                key,
                "a criterion needs exactly one of coded, diagnosed, latest_value, sex, flag, "
                f"age_from/age_to, all, any, not; found {kinds or 'none'}",
            )
        kind = kinds[0]
        if kind == "coded":
            self.known(table, key, CRITERION_KEYS[kind])
            raw = table["coded"]
            names = raw if isinstance(raw, list) else [raw]
            if not names:
                raise self.fail(f"{key}.coded", "names no codelist")
            return Coded(
                tuple(self.codelist_name(n, f"{key}.coded") for n in names),
                self.window(table, key),
            )
        if kind == "diagnosed":
            self.known(table, key, CRITERION_KEYS[kind])
            resolved = table.get("resolved_by")
            return Diagnosed(
                self.codelist_name(table["diagnosed"], f"{key}.diagnosed"),
                None if resolved is None else self.codelist_name(resolved, f"{key}.resolved_by"),
            )
        if kind == "latest_value":
            self.known(table, key, CRITERION_KEYS[kind])
            if "at_most" not in table and "at_least" not in table:
                raise self.fail(key, "latest_value needs at_most and/or at_least")
            return LatestValue(
                self.codelist_name(
                    table["latest_value"], f"{key}.latest_value", CodeSystem.SNOMED_CT
                ),
                self.window(table, key),
                None if "at_most" not in table else self.number(table["at_most"], f"{key}.at_most"),
                None
                if "at_least" not in table
                else self.number(table["at_least"], f"{key}.at_least"),
            )
        if kind == "sex":
            self.known(table, key, CRITERION_KEYS[kind])
            if table["sex"] not in SEXES:
                raise self.fail(f"{key}.sex", f"{table['sex']!r} is not one of {SEXES}")
            return SexIs(str(table["sex"]))
        if kind == "flag":
            self.known(table, key, CRITERION_KEYS[kind])
            if table["flag"] not in flags:
                raise self.fail(
                    f"{key}.flag",
                    f"{table['flag']!r} is not available here; this section may use {flags}",
                )
            return FlagIs(str(table["flag"]))
        if kind == "age":
            self.known(table, key, CRITERION_KEYS[kind])
            age_from = table.get("age_from")
            age_to = table.get("age_to")
            band = AgeBand(
                None if age_from is None else self.integer(age_from, f"{key}.age_from"),
                None if age_to is None else self.integer(age_to, f"{key}.age_to"),
            )
            if (
                band.age_from is not None
                and band.age_to is not None
                and band.age_to < band.age_from
            ):
                raise self.fail(key, f"age_to {band.age_to} is below age_from {band.age_from}")
            return band
        if kind == "not":
            self.known(table, key, CRITERION_KEYS[kind])
            return Not(self.criterion(table["not"], f"{key}.not", flags))
        self.known(table, key, CRITERION_KEYS[kind])
        items = table[kind]
        if not isinstance(items, list) or not items:
            raise self.fail(f"{key}.{kind}", "expected a non-empty list of criteria")
        inner = tuple(
            self.criterion(item, f"{key}.{kind}[{i}]", flags) for i, item in enumerate(items)
        )
        return AllOf(inner) if kind == "all" else AnyOf(inner)


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"

"""`programme.toml` to a checked `Programme`, naming `file: key.path: reason` on the first problem.

Why a module of its own: the definition file is the product's main extension point, written by
analysts, so every key is checked (a typo must not silently drop a rule), every section says
which flags it may refer to, and each error names the file and the key at fault. docs/programmes.md
describes every key (a test checks it against `SECTION_KEYS`). It is longer than most modules
(about 450 lines) because it is one idea, the whole definition language, checked key by key; its
parts make sense only together.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

from joinedup.domain.ambitions import AmbitionError, check_share
from joinedup.domain.codelists import CodeSystem
from joinedup.domain.contract import SEXES
from joinedup.domain.extensions import IMPACT_MODELS
from joinedup.domain.programme.criteria import (
    AgeBand,
    AllOf,
    AnyOf,
    Coded,
    Criterion,
    Diagnosed,
    FlagIs,
    LatestValue,
    Not,
    SexIs,
)
from joinedup.domain.programme.definition import (
    FLAG_ORDER,
    PROGRAMME_FILE,
    Ambitions,
    CasefinderRule,
    CodelistRef,
    DatedRule,
    Eligibility,
    Programme,
    ProgrammeError,
    Register,
    RiskScore,
    Rule,
    ScoreComponent,
)

# How a definition names a coding system ("snomed_ct", "dmd"): the CodeSystem member, lower case.
SYSTEMS: dict[str, CodeSystem] = {s.name.lower(): s for s in CodeSystem}
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
    "risk_score.components": frozenset({"key", "label", "points", "when", "group"}),
    "eligibility": frozenset({"score_at_least", "all_on_register", "recorded"}),
    "treated": frozenset({"description", "when", "name", "from"}),
    "exceptions": frozenset({"description", "when", "name", "from"}),
    "casefinder": frozenset({"key", "label", "when"}),
}  # fmt: skip
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
                    group=None if "group" not in spec else self.text(spec, "group", key),
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
            if "recorded" in table:
                raise self.fail("eligibility.recorded", "goes with score_at_least")
            if table["all_on_register"] is not True:
                raise self.fail("eligibility.all_on_register", "must be true when given")
            return Eligibility()
        if risk_score is None:
            raise self.fail("eligibility.score_at_least", "needs a [risk_score] section")
        recorded = table.get("recorded")
        return Eligibility(
            self.integer(table["score_at_least"], "eligibility.score_at_least"),
            None
            if recorded is None
            else self.codelist_name(recorded, "eligibility.recorded", CodeSystem.SNOMED_CT),
        )

    def rule(self, value: object, key: str, flags: tuple[str, ...]) -> DatedRule:
        """`[key]` (one version) or `[[key]]` (versions by date, the first without `from`)."""
        if value is None:
            raise self.fail(key, "missing")
        if isinstance(value, list):
            if not value:
                raise self.fail(key, "expected at least one [[" + key + "]] table")
            versions = [self.version(v, f"{key}[{i}]", key, flags) for i, v in enumerate(value)]
        else:
            versions = [self.version(value, key, key, flags)]
        if versions[0].in_force_from is not None:
            where = f"{key}[0].from" if isinstance(value, list) else f"{key}.from"
            raise self.fail(where, "the first version applies from the start: give it no date")
        previous = None
        for i, version in enumerate(versions[1:], start=1):
            if version.in_force_from is None:
                raise self.fail(f"{key}[{i}].from", "missing (a later version starts on a date)")
            if previous is not None and version.in_force_from <= previous:
                raise self.fail(f"{key}[{i}].from", f"must be after {previous.isoformat()}")
            previous = version.in_force_from
        return DatedRule(tuple(versions))

    def version(
        self, value: object, key: str, section: str, flags: tuple[str, ...]
    ) -> Rule:
        table = self.table(value, key)
        self.known(table, key, SECTION_KEYS[section])
        if "when" not in table:
            raise self.fail(f"{key}.when", "missing")
        start = table.get("from")
        if start is not None and (isinstance(start, datetime) or not isinstance(start, date)):
            raise self.fail(f"{key}.from", f"expected a date like 2023-04-01, got {_kind(start)}")
        return Rule(
            description=str(table.get("description", "")).strip(),
            when=self.criterion(table["when"], f"{key}.when", flags),
            name=str(table.get("name", "")).strip(),
            in_force_from=start,
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
        model = self.text(table, "impact_model", "parameters", default=IMPACT_MODELS.default)
        if model not in IMPACT_MODELS:
            raise self.fail(
                "parameters.impact_model", f"{model!r} is not one of {IMPACT_MODELS.names()}"
            )
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
            try:
                shares[name] = check_share(name, self.number(table[name], key))
            except AmbitionError as exc:
                raise self.fail(key, str(exc).removeprefix(f"ambition {name} ")) from None
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

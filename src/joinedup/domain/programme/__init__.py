"""A find-and-treat programme as a definition: codelists, rules, score, ambitions.

Why: DESIGN.md says programmes are declared, not hard-wired. Adding a condition adds a
`programme.toml`, its codelists and a parameter folder; the engine compiles whatever a definition
says and holds no condition-specific branch. The AF programme is loaded through the same
`load_programme_file` a user's own definition would be (STYLE.md point 5).

The package holds one idea per module:

- `criteria`: the small vocabulary of patient-level conditions a definition is written in;
- `definition`: the typed definition (register, risk score, eligibility, treated, exceptions,
  casefinder, default ambitions);
- `prevalence`: the expected-prevalence model's age x sex bands, checked;
- `parser`: `programme.toml` to a checked definition, naming the file and key at fault.
"""

from joinedup.domain.calendar import months_before
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
    walk,
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
from joinedup.domain.programme.parser import (
    CRITERION_KEYS,
    SECTION_KEYS,
    SYSTEMS,
    load_programme_file,
    programme_from_mapping,
)
from joinedup.domain.programme.prevalence import PrevalenceBand, prevalence_bands

__all__ = [
    "CRITERION_KEYS",
    "FLAG_ORDER",
    "PROGRAMME_FILE",
    "SECTION_KEYS",
    "SYSTEMS",
    "AgeBand",
    "AllOf",
    "Ambitions",
    "AnyOf",
    "CasefinderRule",
    "Coded",
    "CodelistRef",
    "Criterion",
    "DatedRule",
    "Diagnosed",
    "Eligibility",
    "FlagIs",
    "LatestValue",
    "Not",
    "PrevalenceBand",
    "Programme",
    "ProgrammeError",
    "Register",
    "RiskScore",
    "Rule",
    "ScoreComponent",
    "SexIs",
    "load_programme_file",
    "months_before",
    "prevalence_bands",
    "programme_from_mapping",
    "walk",
]

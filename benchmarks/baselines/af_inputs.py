"""What both AF baselines read besides the store: codelists, the prevalence table, the result shape.

Why shared: the inputs are data (the packaged codelists and the cited parameter set), not rules,
so reading them once here keeps the two baselines about the rules alone. The CHA2DS2-VASc weights,
windows, boundaries and the date the treated rule changes (QOF AF007 -> AF008) are written out by
hand in each baseline, as docs/programmes.md states them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from joinedup.domain.codelists import CodeSystem, load_codelist
from joinedup.domain.measures import PracticeCounts
from joinedup.programmes import load_parameters, load_programme

# The SNOMED CT codelists the AF rules read (matched against clinical_events.snomed_code).
SNOMED_LISTS = (
    "af",
    "af_resolved",
    "heart_failure",
    "hypertension",
    "diabetes",
    "stroke_tia_te",
    "vascular_disease",
    "anticoag_declined",
    "anticoag_not_indicated",
    "anticoag_contraindicated",
    "vka_declined",
    "vka_contraindicated",
    "doac_unsuitable",
    "cha2ds2vasc_score",  # recorded scores: the event's numeric_value is the score
)
# The dm+d codelists of the treated rule (matched against medications.dmd_code).
ANTICOAGULANT_LISTS = ("doac", "vka")
# Digits `expected` is kept to, as the engine and practices.csv keep it.
EXPECTED_DIGITS = 6
# Ages are looked up in a table expanded to single years; older ages use the open last band.
OLDEST_AGE = 150


class PracticeRow(TypedDict):
    """One practice's counts as a baseline returns them (JSON-friendly)."""

    list_size: int
    expected: float
    recorded: int
    eligible: int
    treated: int
    exceptions: int
    to_assess: int  # on the register, computed score 2+, no recorded score
    risk_counts: dict[int, tuple[int, int]]  # computed CHA2DS2-VASc -> (eligible, treated)


@dataclass(frozen=True)
class PrevalenceBand:
    sex: str
    age_from: int
    age_to: int | None  # None: open-ended
    prevalence: float


def snomed_members() -> list[tuple[str, str]]:
    """(code, codelist) pairs for every SNOMED CT list the rules read; a code may be in several."""
    return [(code, name) for name in SNOMED_LISTS for code in load_codelist(name).ordered]


def anticoagulant_members() -> list[tuple[str, str]]:
    """(code, codelist) pairs of the dm+d codes of DOACs ("doac") and vitamin K antagonists
    ("vka"): AF008 tells the two apart."""
    return [
        (code, name)
        for name in ANTICOAGULANT_LISTS
        for code in load_codelist(name, CodeSystem.DMD).ordered
    ]


def prevalence_bands() -> list[PrevalenceBand]:
    """The AF programme's expected-prevalence table, read from its cited parameter set."""
    programme = load_programme("af")
    table = load_parameters(programme)[programme.expected_prevalence]
    return [
        PrevalenceBand(
            sex=row["sex"],
            age_from=int(row["age_from"]),
            age_to=int(row["age_to"]) if row["age_to"] != "" else None,
            prevalence=float(row["prevalence"]),
        )
        for row in table.rows
    ]


def prevalence_by_age(bands: Iterable[PrevalenceBand]) -> list[tuple[str, int, float]]:
    """(sex, age, prevalence) for every single year 0..OLDEST_AGE: a table to join on."""
    rows = []
    for band in bands:
        last = OLDEST_AGE if band.age_to is None else min(band.age_to, OLDEST_AGE)
        rows += [(band.sex, age, band.prevalence) for age in range(band.age_from, last + 1)]
    return rows


def zero_row() -> PracticeRow:
    """A practice with no population at the date (a valid practice organisation)."""
    return PracticeRow(
        list_size=0, expected=0.0, recorded=0, eligible=0, treated=0, exceptions=0, to_assess=0,
        risk_counts={},
    )


# --- comparing results ---------------------------------------------------------------------

COUNT_FIELDS = ("list_size", "recorded", "eligible", "treated", "exceptions", "to_assess")


def from_engine(rows: Iterable[PracticeCounts]) -> dict[str, PracticeRow]:
    """The engine's `practice_counts` in the baselines' shape."""
    return {
        r.practice_code: PracticeRow(
            list_size=r.list_size,
            expected=r.expected,
            recorded=r.recorded,
            eligible=int(r.eligible or 0),
            treated=int(r.treated or 0),
            exceptions=int(r.exceptions or 0),
            to_assess=int(r.to_assess or 0),
            risk_counts=dict(r.risk_counts),
        )
        for r in rows
    }


def normalise(rows: Mapping[str, Mapping[str, Any]]) -> dict[str, PracticeRow]:
    """Rows that went through JSON (score keys became strings, pairs became lists) made typed."""
    return {
        str(code): PracticeRow(
            list_size=int(row["list_size"]),
            expected=float(row["expected"]),
            recorded=int(row["recorded"]),
            eligible=int(row["eligible"]),
            treated=int(row["treated"]),
            exceptions=int(row["exceptions"]),
            to_assess=int(row["to_assess"]),
            risk_counts={
                int(score): (int(pair[0]), int(pair[1]))
                for score, pair in row["risk_counts"].items()
            },
        )
        for code, row in rows.items()
    }


def differences(
    expected: Mapping[str, PracticeRow],
    actual: Mapping[str, PracticeRow],
    *,
    tolerance: float = 1e-9,
) -> list[str]:
    """Every way `actual` differs from `expected`, one line each (empty when they agree)."""
    out: list[str] = []
    for code in sorted(set(expected) - set(actual)):
        out.append(f"{code}: missing")
    for code in sorted(set(actual) - set(expected)):
        out.append(f"{code}: unexpected practice")
    for code in sorted(set(expected) & set(actual)):
        want, got = expected[code], actual[code]
        for name in COUNT_FIELDS:
            if want[name] != got[name]:  # type: ignore[literal-required]
                out.append(f"{code}: {name} {got[name]} != {want[name]}")  # type: ignore[literal-required]
        if abs(want["expected"] - got["expected"]) > tolerance:
            out.append(f"{code}: expected {got['expected']!r} != {want['expected']!r}")
        if dict(want["risk_counts"]) != dict(got["risk_counts"]):
            out.append(f"{code}: risk_counts {got['risk_counts']} != {want['risk_counts']}")
    return out

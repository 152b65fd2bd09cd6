"""The practice measure table from a store of published aggregates (QOF, list sizes, CVDPREVENT).

Why: this is where aggregates fill the product's waist directly (DESIGN.md), so targeting,
impact and reports run unchanged. It is the engine of a store made by `joinedup import`, as
`engines/measures.py` is of a patient-level one; `AGGREGATE` registers it as a store kind. Per
practice in the footprint:

* ``list_size`` and ``recorded`` — the programme's QOF group (AF: the AF001 register, against
  the whole list) in the prevalence file;
* ``expected`` — the programme's age x sex prevalence table applied to the finest age structure
  the store holds for the practice (``age_structure.py``);
* ``eligible``, ``treated``, ``exceptions`` — the year's treatment indicator(s) in the QOF
  achievement file (AF: AF007 to 2022-23, AF008 from 2023-24): eligible = DENOMINATOR + PCAS
  (QOF's denominator leaves the care adjustments out; the measure table keeps them in, as the
  patient-level engine does), treated = NUMERATOR, exceptions = PCAS. Without achievement
  rows, CVDPREVENT's CVDP002AF whole-population row for the period ending on the QOF year end
  gives eligible (Denominator) and treated (Numerator), exceptions unknown. Anything missing or
  suppressed is None — the outputs then say so, and detection and to_find still run;
* ``imd_quintile`` — from the practice IMD file, when imported;
* names, opening and closing dates and PCN membership — from ODS when imported, laid over the
  QOF footprint at the date (``domain.ods``).

The module is a little over 400 lines because it is one job — every measure of the practice
table from the published files, with a note on where each came from — read in one place.

``practice_counts`` returns the rows and a small JSON-ready dict saying where each measure came
from, which age structure the expected model used, which measures are missing and why, and
which practices were left out.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

from joinedup.domain.codelists import Codelist
from joinedup.domain.errors import UserError
from joinedup.domain.inequality import national_quintiles
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.ods import overlay_ods
from joinedup.domain.organisations import Footprint, organisation_from_row
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import Programme, prevalence_bands
from joinedup.engines import queries
from joinedup.engines.queries import has_table, read_arrays, read_table
from joinedup.sources.cvdprevent import AF_TREATED
from joinedup.sources.imd import national_practice_imd
from joinedup.sources.qof.age_structure import (
    STRUCTURES,
    PrevalenceByAge,
    england_shape,
    expected_from_age_sex,
    expected_from_single_years,
    rake_age_bases,
    rakeable,
    shape_fingerprint,
)
from joinedup.sources.qof.indicators import (
    AggregateProgramme,
    TreatmentIndicators,
    aggregate_programme,
    treatment_for_year,
)
from joinedup.sources.qof.lists import AgeSexCount, age_base_interval
from joinedup.store.aggregate_schema import STORE_KIND

EXPECTED_DIGITS = 6  # as the patient-level engine: identical figures whatever the summing order

MEASURES = ("eligible", "treated", "exceptions")


_QUERIES = "joinedup.engines.aggregate_queries"


class AggregateStoreError(UserError):
    """The aggregate store cannot answer for this programme or date; the message says why."""


def is_aggregate_store(con: Any) -> bool:
    """Whether the store was made by ``joinedup import`` (published aggregates)."""
    return store_info(con).get("kind") == STORE_KIND


def store_info(con: Any) -> dict[str, str]:
    """The store's key facts (kind, QOF year, period, files); empty for other stores."""
    if not has_table(con, "store_info"):
        return {}
    rows = read_table(con, "store_info")
    return {str(r["key"]): str(r["value"]) for r in rows}


def aggregate_period_end(con: Any) -> date | None:
    """The QOF year's last day (e.g. 2020-03-31), the natural reference date of the store."""
    value = store_info(con).get("period_end")
    return date.fromisoformat(value) if value else None


def practice_counts(
    con: Any, programme: Programme, reference_date: date, parameters: ParameterSet
) -> tuple[list[PracticeCounts], dict[str, Any]]:
    """The practice measure rows for every footprint practice in the QOF files, and the notes."""
    info = store_info(con)
    if "qof_year" not in info:
        raise AggregateStoreError(
            "the store holds no QOF prevalence; import it with `joinedup import qof`")
    start, end = date.fromisoformat(info["period_start"]), date.fromisoformat(info["period_end"])
    if not start <= reference_date <= end:
        raise AggregateStoreError(
            f"the store holds QOF {info['qof_year']} ({start} to {end}); the date "
            f"{reference_date} is outside it")
    try:
        mapping = aggregate_programme(programme.name)
    except KeyError as exc:
        raise AggregateStoreError(str(exc.args[0])) from None
    files = json.loads(info.get("files", "{}"))

    organisations = overlay_ods(
        _table(con, "organisations"), _table(con, "ods_practices"), _table(con, "ods_pcns"),
        _table(con, "ods_pcn_partners"), reference_date,
    )
    footprint = Footprint(organisation_from_row(r) for r in organisations)
    practices = sorted(o.org_code for o in footprint.of_type("practice") if o.is_valid_at(end))
    prevalence = _prevalence(con, mapping)
    treatment = treatment_for_year(mapping, _indicator_codes(con))
    achieved = _achievement(con, treatment)
    cvd = _cvdprevent(con, end) if programme.name == "af" else {}
    imd = _imd(con)

    in_file = [p for p in practices if p in prevalence]
    left_out = Counter[str]()
    if len(in_file) < len(practices):
        left_out[f"not in the prevalence file for group {mapping.group_code}"] = (
            len(practices) - len(in_file))
    outside = sum(1 for p in prevalence if p not in footprint)
    if outside and not info.get("ics"):
        left_out["in the prevalence file but not in the geography mapping"] = outside

    expected, structure = _expected(con, in_file, prevalence, programme, parameters)
    rows: list[PracticeCounts] = []
    missing: Counter[tuple[str, str]] = Counter()
    sources: Counter[str] = Counter()
    for code in in_file:
        register, list_size = prevalence[code]
        eligible, treated, exceptions, source, why = _treatment_counts(
            code, treatment, achieved, cvd, files, info, end)
        sources[source] += 1
        for measure, value in zip(MEASURES, (eligible, treated, exceptions), strict=True):
            if value is None:
                missing[(measure, why.get(measure, "not published"))] += 1
        rollup = footprint.rollup(code)
        rows.append(PracticeCounts(
            period_end=end,
            programme=programme.name,
            practice_code=code,
            practice_name=footprint[code].name,
            pcn_code=rollup.get("pcn"),
            place_code=rollup.get("place"),
            sub_icb_code=rollup.get("sub_icb"),
            ics_code=rollup.get("ics"),
            list_size=list_size,
            expected=round(expected[code], EXPECTED_DIGITS),
            recorded=register,
            eligible=eligible,
            treated=treated,
            exceptions=exceptions,
            imd_quintile=imd.get(code),
        ))
    notes = _notes(info, mapping, treatment, structure, missing, sources, left_out, files,
                   sum(1 for r in rows if r.imd_quintile is None))
    return rows, notes


# --- reading the store -----------------------------------------------------------------------


def _table(con: Any, name: str) -> list[dict[str, Any]]:
    if not has_table(con, name):
        return []
    rows: list[dict[str, Any]] = read_table(con, name)
    return rows


def _prevalence(con: Any, mapping: AggregateProgramme) -> dict[str, tuple[int, int]]:
    """practice -> (register, list size) for the programme's group."""
    rows = queries.run(con, f"{_QUERIES}:prevalence_of_group", mapping.group_code)
    return {r["practice_code"]: (int(r["register"]), int(r["list_size"])) for r in rows}


def _list_types(con: Any) -> dict[str, dict[str, float]]:
    """practice -> {age-base list type -> list size} from every group's rows."""
    rows = queries.run(con, f"{_QUERIES}:list_types")
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        if age_base_interval(r["list_type"]) is not None:
            out[r["practice_code"]][r["list_type"]] = float(r["list_size"])
    return out


def _indicator_codes(con: Any) -> set[str]:
    return {r["indicator_code"] for r in _table(con, "qof_indicators")}


def _achievement(
    con: Any, treatment: TreatmentIndicators | None
) -> dict[tuple[str, str, str], float]:
    if treatment is None or not has_table(con, "qof_achievement"):
        return {}
    rows = queries.run(con, f"{_QUERIES}:achievement", sorted(treatment.codes))
    return {(r["practice_code"], r["indicator_code"], r["measure"]): float(r["value"])
            for r in rows}


def _cvdprevent(con: Any, period_end: date) -> dict[str, tuple[float | None, float | None]]:
    """practice -> (Denominator, Numerator) of CVDP002AF persons rows for the period."""
    out: dict[str, tuple[float | None, float | None]] = {}
    for r in _table(con, "cvdprevent"):
        if (r["indicator_code"] == AF_TREATED and r["period_end"] == period_end
                and r["metric_category_type_name"].upper() == "SEX"
                and r["metric_category_name"].upper() == "PERSONS"):
            out[r["area_code"]] = (r["denominator"], r["numerator"])
    return out


def _imd(con: Any) -> dict[str, int]:
    """practice -> deprivation quintile: the imported file's latest registration-weighted score
    placed among England's practices (the one definition every store kind uses,
    `domain.inequality.national_quintile`), or, where the file gives none, the practice's score
    in the packaged national table. A decile alone is not used: deciles ranked within a file
    (Fingertips) or paired national practice deciles are other definitions."""
    latest: dict[str, tuple[int, float | None]] = {}
    for r in _table(con, "practice_imd"):
        year = r["year"] or 0
        if r["code"] not in latest or year > latest[r["code"]][0]:
            latest[r["code"]] = (year, r["imd_score"])
    scores = national_practice_imd()
    national = tuple(scores.values())
    for code, score in scores.items():  # a practice the file gives no score takes England's
        if latest.get(code, (0, None))[1] is None:
            latest[code] = (0, score)
    return national_quintiles(
        {code: score for code, (_year, score) in latest.items() if score is not None}, national)


# --- expected --------------------------------------------------------------------------------


def _expected(
    con: Any, practices: list[str], prevalence: Mapping[str, tuple[int, int]],
    programme: Programme, parameters: ParameterSet,
) -> tuple[dict[str, float], dict[str, str]]:
    """Expected patients per practice and the structure key each used (finest available)."""
    rates = PrevalenceByAge.from_bands(prevalence_bands(parameters[programme.expected_prevalence]))
    shape = england_shape()
    by_sex: dict[str, list[AgeSexCount]] = defaultdict(list)
    for r in _table(con, "list_sizes_by_age_sex"):
        by_sex[r["practice_code"]].append(AgeSexCount(
            r["practice_code"], r["sex"], r["age_from"], r["age_to"], int(r["patients"])))
    bases: dict[str, dict[str, float]] = defaultdict(dict)
    if has_table(con, "list_sizes_by_age_base"):  # column by column: 53,840 rows for England
        found = read_arrays(con, "list_sizes_by_age_base",
                            ("practice_code", "age_base", "patients"))
        for code, base, people in zip(found["practice_code"].tolist(), found["age_base"].tolist(),
                                      found["patients"].tolist(), strict=True):
            bases[code][base] = float(people)

    expected: dict[str, float] = {}
    structure: dict[str, str] = {}
    to_rake: list[tuple[str, str, dict[str, float]]] = []
    raked_at_import = _raked_at_import(con)
    done: list[tuple[str, str, dict[str, float], Any, bool]] = []
    list_types: dict[str, dict[str, float]] | None = None
    for code in practices:
        list_size = prevalence[code][1]
        if code in by_sex:
            value = expected_from_age_sex(by_sex[code], list_size, rates)
            if value is not None:
                expected[code], structure[code] = value, "age_sex_5y"
                continue
        own = bases.get(code, {})
        if rakeable(own):
            if code in raked_at_import:
                fitted, single_years = raked_at_import[code]
                done.append((code, "qof_age_bases", dict(own), single_years, fitted))
            else:
                to_rake.append((code, "qof_age_bases", dict(own)))
            continue
        if list_types is None:  # read only for a practice without age bases of its own
            list_types = _list_types(con)
        types = dict(list_types.get(code, {}))
        types.setdefault("TOTAL", float(list_size))
        if rakeable(types):
            to_rake.append((code, "qof_list_types", types))
        else:
            to_rake.append((code, "list_size_only", {"TOTAL": float(max(list_size, 0))}))
    if to_rake:
        raked, converged = rake_age_bases([b for _c, _s, b in to_rake], shape)
        done += [(code, key, base, raked[i], bool(converged[i]))
                 for i, (code, key, base) in enumerate(to_rake)]
    if done:
        raw = expected_from_single_years(np.array([d[3] for d in done]), shape, rates)
        for i, (code, key, base, _people, converged_) in enumerate(done):
            total = base["TOTAL"]
            list_size = prevalence[code][1]
            expected[code] = float(raw[i]) * list_size / total if total > 0 else 0.0
            structure[code] = key if converged_ else "list_size_only"
    return expected, structure


def _raked_at_import(con: Any) -> dict[str, tuple[bool, Any]]:
    """The practices' age bases as `joinedup import qof` raked them, if fitted to the England
    shape this version holds (a store from before, or another shape, is raked at run time)."""
    info = store_info(con)
    if info.get("age_bases_raked_shape") != shape_fingerprint():
        return {}
    if not has_table(con, "age_bases_raked"):
        return {}
    raked = read_arrays(con, "age_bases_raked", ("practice_code", "converged", "patients_by_age"))
    return {code: (bool(converged), np.asarray(people, dtype=float))
            for code, converged, people in zip(raked["practice_code"], raked["converged"],
                                               raked["patients_by_age"], strict=True)}


# --- treatment -------------------------------------------------------------------------------


def _treatment_counts(
    code: str, treatment: TreatmentIndicators | None,
    achieved: Mapping[tuple[str, str, str], float],
    cvd: Mapping[str, tuple[float | None, float | None]], files: Mapping[str, str],
    info: Mapping[str, str], period_end: date,
) -> tuple[int | None, int | None, int | None, str, dict[str, str]]:
    """(eligible, treated, exceptions, where they came from, why each missing one is missing)."""
    why: dict[str, str] = {}
    if treatment is not None and "qof_achievement" in files:
        denominator = _sum(achieved, code, treatment.codes, "DENOMINATOR")
        numerator = _sum(achieved, code, treatment.codes, "NUMERATOR")
        pcas = _sum(achieved, code, treatment.codes, "PCAS")
        if denominator is not None or numerator is not None or pcas is not None:
            label = " + ".join(treatment.codes)
            for measure, parts in (("eligible", ("DENOMINATOR", "PCAS")),
                                   ("treated", ("NUMERATOR",)), ("exceptions", ("PCAS",))):
                why[measure] = (f"the achievement file lacks {label} "
                                f"{' or '.join(parts)} for these practices")
            eligible = None if denominator is None or pcas is None else denominator + pcas
            return eligible, numerator, pcas, f"QOF {label}", why
    if code in cvd:
        denominator_f, numerator_f = cvd[code]
        for measure in ("eligible", "treated"):
            why[measure] = f"CVDPREVENT {AF_TREATED} value suppressed or not published"
        why["exceptions"] = "CVDPREVENT does not publish personalised care adjustments"
        return (None if denominator_f is None else round(denominator_f),
                None if numerator_f is None else round(numerator_f), None,
                f"CVDPREVENT {AF_TREATED}", why)
    if treatment is None:
        reason = (f"QOF {info.get('qof_year', '')} has no treatment indicator for this programme "
                  f"in {info.get('indicator_mapping', 'the indicator mapping')}")
    elif "qof_achievement" not in files:
        reason = (f"no QOF achievement file was imported ({' + '.join(treatment.codes)} "
                  "denominators, numerators and PCAs)")
        if "cvdprevent_files" in info:
            reason += f" and CVDPREVENT has no {AF_TREATED} row for the period ending {period_end}"
    else:
        reason = f"the achievement file has no {' + '.join(treatment.codes)} rows for these " \
                 "practices"
    return None, None, None, "none", dict.fromkeys(MEASURES, reason)


def _sum(
    achieved: Mapping[tuple[str, str, str], float], code: str, indicators: tuple[str, ...],
    measure: str,
) -> int | None:
    """The measure summed over the indicators; None if any indicator lacks it."""
    values = [achieved.get((code, indicator, measure)) for indicator in indicators]
    if any(v is None for v in values):
        return None
    return round(sum(v for v in values if v is not None))


# --- notes -----------------------------------------------------------------------------------


def _notes(
    info: Mapping[str, str], mapping: AggregateProgramme,
    treatment: TreatmentIndicators | None, structure: Mapping[str, str],
    missing: Counter[tuple[str, str]], sources: Counter[str], left_out: Counter[str],
    files: Mapping[str, str], without_imd: int,
) -> dict[str, Any]:
    used = Counter(structure.values())
    labels = {STRUCTURES[k]: n for k, n in sorted(used.items(), key=lambda kv:
                                                  list(STRUCTURES).index(kv[0]))}
    if len(used) == 1:
        age_structure = next(iter(labels))
    elif used:
        age_structure = "mixed: " + "; ".join(f"{label} ({n} practices)"
                                               for label, n in labels.items())
    else:
        age_structure = "none (no practices)"
    treatment_source = {k: v for k, v in sources.most_common()}
    return {
        "data_source": f"published aggregates: QOF {info['qof_year']}",
        "qof_year": info["qof_year"],
        "age_structure": age_structure,
        "age_structures": labels,
        "treatment_indicator": treatment.description if treatment else None,
        "treated_rule": " + ".join(treatment.codes) if treatment else None,
        "measure_sources": {
            "list_size": f"QOF prevalence PATIENT_LIST_SIZE ({mapping.list_type}), group "
                         f"{mapping.group_code}",
            "recorded": f"QOF prevalence REGISTER, group {mapping.group_code} "
                        f"({mapping.register_indicator})",
            "expected": "programme age x sex prevalence x the practice's age structure",
            "eligible_treated_exceptions": treatment_source,
            "imd_quintile": files.get("practice_imd", "not imported"),
        },
        "missing_measures": [
            {"measure": measure, "practices": n, "reason": reason}
            for (measure, reason), n in sorted(missing.items(),
                                               key=lambda kv: MEASURES.index(kv[0][0]))
        ],
        "practices_left_out": [{"practices": n, "reason": r} for r, n in left_out.items()],
        "practices_without_imd": without_imd,
    }


class AggregateStore:
    """The store kind "aggregate" (``domain.extensions.STORE_KINDS``): published aggregates."""

    name = STORE_KIND
    description = "published aggregates (QOF, list sizes, CVDPREVENT)"

    def holds(self, con: Any) -> bool:
        return is_aggregate_store(con)

    def period_end(self, con: Any) -> date | None:
        return aggregate_period_end(con)

    def practice_counts(
        self, con: Any, programme: Programme, reference_date: date, parameters: ParameterSet,
        codelists: Mapping[str, Codelist],
    ) -> tuple[list[PracticeCounts], dict[str, Any]]:
        return practice_counts(con, programme, reference_date, parameters)

    def practice_counts_series(
        self, con: Any, programme: Programme, days: Sequence[date], parameters: ParameterSet,
        codelists: Mapping[str, Codelist],
    ) -> dict[date, tuple[list[PracticeCounts], dict[str, Any]]]:
        """`practice_counts` at each date (published aggregates: one small query per date)."""
        return {day: practice_counts(con, programme, day, parameters) for day in sorted(set(days))}

    def measure(
        self, con: Any, programme: Programme, reference_date: date, parameters: ParameterSet,
        codelists: Mapping[str, Codelist],
    ) -> tuple[list[PracticeCounts], dict[str, Any], list[dict[str, object]]]:
        """The practice counts, their notes and (no) breakdowns, for a run: published aggregates
        hold practice totals only, nothing by patient group."""
        counts, notes = practice_counts(con, programme, reference_date, parameters)
        return counts, notes, []


AGGREGATE = AggregateStore()

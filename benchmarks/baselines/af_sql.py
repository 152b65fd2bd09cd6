"""The AF practice counts as ONE hand-written DuckDB SQL statement: the practical floor.

Why: issue 3 asks that `run af` stay within 1.5x of what a single hand-tuned query costs on the
same store. The statement below is what a capable analyst would write for these counts: one pass
over each events table, joined to the codelists given inline, grouped per patient, then one
grouped pass per practice. It implements docs/programmes.md's rules directly:

- population: registered_from <= date, registered_to empty or >= date (last day counts), no
  death or a death after the date, not opted out;
- events after the reference date ignored; a window of N months holds dates after
  `date - N months` (clamped to month end, as DuckDB's interval arithmetic does) up to the date;
- register: the latest AF code with no strictly later "AF resolved" code (same day stays on);
- age in whole years, up on the birthday; CHA2DS2-VASc C1 H1 A2(75+) D1 S2 V1 A(65-74) Sc(F)1;
- eligible (QOF AF008's denominator): on the register and the latest *recorded* CHA2DS2-VASc
  score (the lowest value on the latest day with one) >= 2; to_assess: on the register, no
  recorded score, computed score >= 2;
- treated, eligible and by the QOF year of the date: to 31 March 2023 (AF007) a DOAC or VKA in
  6 months; from 1 April 2023 (AF008) a DOAC in 6 months, or a VKA in 6 months with a
  DOAC-unsuitable code ever;
- exceptions: eligible, untreated, and anticoagulation declined or not indicated in 12 months,
  or contraindicated ever, or (a VKA contraindicated ever or declined in 12 months, and a
  DOAC-unsuitable code ever);
- expected: the sum of age/sex prevalence over the population, kept to 6 decimals;
- every practice with population at the date, and every practice organisation valid then.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from baselines.af_inputs import (
    EXPECTED_DIGITS,
    OLDEST_AGE,
    PracticeRow,
    anticoagulant_members,
    prevalence_bands,
    prevalence_by_age,
    snomed_members,
)

# QOF AF008 (a VKA counts only where a DOAC is unsuitable) replaced AF007 on this day (2023-24).
AF008_FROM = date(2023, 4, 1)

QUERY = """
WITH
snomed(code, list) AS (VALUES {snomed}),
anticoagulant(code, list) AS (VALUES {anticoagulant}),
prevalence(sex, age, prevalence) AS (VALUES {prevalence}),
population AS (
    SELECT
        patient_id,
        practice_code,
        sex,
        year(DATE '{ref}') - year(birth_date)
            - CASE WHEN month(birth_date) * 100 + day(birth_date) > {ref_mmdd} THEN 1 ELSE 0 END
            AS age
    FROM patients
    WHERE registered_from <= DATE '{ref}'
      AND (registered_to IS NULL OR registered_to >= DATE '{ref}')
      AND (date_of_death IS NULL OR date_of_death > DATE '{ref}')
      AND NOT coalesce(opted_out, false)
),
history AS (
    SELECT
        e.patient_id,
        max(e.date) FILTER (WHERE s.list = 'af') AS last_af,
        max(e.date) FILTER (WHERE s.list = 'af_resolved') AS last_af_resolved,
        bool_or(s.list = 'heart_failure') AS heart_failure,
        bool_or(s.list = 'hypertension') AS hypertension,
        bool_or(s.list = 'diabetes') AS diabetes,
        bool_or(s.list = 'stroke_tia_te') AS stroke_tia_te,
        bool_or(s.list = 'vascular_disease') AS vascular_disease,
        bool_or(s.list = 'anticoag_declined'
                AND e.date > CAST(DATE '{ref}' - INTERVAL 12 MONTH AS DATE)) AS declined,
        bool_or(s.list = 'anticoag_not_indicated'
                AND e.date > CAST(DATE '{ref}' - INTERVAL 12 MONTH AS DATE)) AS not_indicated,
        bool_or(s.list = 'anticoag_contraindicated') AS contraindicated,
        bool_or(s.list = 'vka_declined'
                AND e.date > CAST(DATE '{ref}' - INTERVAL 12 MONTH AS DATE)) AS vka_declined,
        bool_or(s.list = 'vka_contraindicated') AS vka_contraindicated,
        bool_or(s.list = 'doac_unsuitable') AS doac_unsuitable,
        -- the latest recorded score: structs compare field by field, so the maximum of
        -- (date, -value) is the latest day and, on it, the lowest value
        max(struct_pack(day := e.date, negated := -e.numeric_value)) FILTER (
            WHERE s.list = 'cha2ds2vasc_score' AND e.numeric_value IS NOT NULL
        ) AS last_score
    FROM clinical_events AS e
    JOIN snomed AS s ON e.snomed_code = s.code
    WHERE e.date <= DATE '{ref}'
    GROUP BY e.patient_id
),
anticoagulated AS (
    SELECT m.patient_id, bool_or(a.list = 'doac') AS doac, bool_or(a.list = 'vka') AS vka
    FROM medications AS m
    JOIN anticoagulant AS a ON m.dmd_code = a.code
    WHERE m.date <= DATE '{ref}'
      AND m.date > CAST(DATE '{ref}' - INTERVAL 6 MONTH AS DATE)
    GROUP BY m.patient_id
),
scored AS (
    SELECT
        p.practice_code,
        coalesce(v.prevalence, 0.0) AS prevalence,
        coalesce(h.last_af IS NOT NULL
                 AND (h.last_af_resolved IS NULL OR h.last_af_resolved <= h.last_af), false)
            AS on_register,
        CASE WHEN h.heart_failure THEN 1 ELSE 0 END
        + CASE WHEN h.hypertension THEN 1 ELSE 0 END
        + CASE WHEN p.age >= 75 THEN 2 WHEN p.age >= 65 THEN 1 ELSE 0 END
        + CASE WHEN h.diabetes THEN 1 ELSE 0 END
        + CASE WHEN h.stroke_tia_te THEN 2 ELSE 0 END
        + CASE WHEN h.vascular_disease THEN 1 ELSE 0 END
        + CASE WHEN p.sex = 'F' THEN 1 ELSE 0 END AS score,
        -(h.last_score.negated) AS recorded_score,
        CASE WHEN DATE '{ref}' < DATE '{af008_from}'
             THEN coalesce(a.doac OR a.vka, false)
             ELSE coalesce(a.doac OR (a.vka AND h.doac_unsuitable), false)
        END AS anticoagulated,
        coalesce(h.declined OR h.not_indicated OR h.contraindicated
                 OR ((h.vka_contraindicated OR h.vka_declined) AND h.doac_unsuitable), false)
            AS adjusted
    FROM population AS p
    LEFT JOIN history AS h ON h.patient_id = p.patient_id
    LEFT JOIN anticoagulated AS a ON a.patient_id = p.patient_id
    LEFT JOIN prevalence AS v ON v.sex = p.sex AND v.age = least(p.age, {oldest})
),
flagged AS (
    SELECT
        *,
        on_register AND coalesce(recorded_score >= 2, false) AS eligible,
        on_register AND recorded_score IS NULL AND score >= 2 AS to_assess
    FROM scored
),
counted AS (
    SELECT
        practice_code,
        count(*) AS list_size,
        round(sum(prevalence), {digits}) AS expected,
        count(*) FILTER (WHERE on_register) AS recorded,
        count(*) FILTER (WHERE eligible) AS eligible,
        count(*) FILTER (WHERE eligible AND anticoagulated) AS treated,
        count(*) FILTER (WHERE eligible AND NOT anticoagulated AND adjusted) AS exceptions,
        count(*) FILTER (WHERE to_assess) AS to_assess,
        histogram(score) FILTER (WHERE eligible) AS eligible_by_score,
        histogram(score) FILTER (WHERE eligible AND anticoagulated) AS treated_by_score
    FROM flagged
    GROUP BY practice_code
),
practices AS (
    SELECT org_code AS practice_code
    FROM organisations
    WHERE org_type = 'practice'
      AND (valid_from IS NULL OR valid_from <= DATE '{ref}')
      AND (valid_to IS NULL OR valid_to >= DATE '{ref}')
)
SELECT
    practice_code,
    coalesce(c.list_size, 0) AS list_size,
    coalesce(c.expected, 0.0) AS expected,
    coalesce(c.recorded, 0) AS recorded,
    coalesce(c.eligible, 0) AS eligible,
    coalesce(c.treated, 0) AS treated,
    coalesce(c.exceptions, 0) AS exceptions,
    coalesce(c.to_assess, 0) AS to_assess,
    c.eligible_by_score,
    c.treated_by_score
FROM counted AS c
FULL OUTER JOIN practices USING (practice_code)
ORDER BY practice_code
"""


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def build_query(reference_date: date) -> str:
    """The statement for `reference_date`, with the codelists and prevalence table inline."""
    snomed = ", ".join(f"({_text(code)}, {_text(name)})" for code, name in snomed_members())
    anticoagulant = ", ".join(
        f"({_text(code)}, {_text(name)})" for code, name in anticoagulant_members()
    )
    prevalence = ", ".join(
        f"({_text(sex)}, {age}, {value!r}::DOUBLE)"
        for sex, age, value in prevalence_by_age(prevalence_bands())
    )
    return QUERY.format(
        snomed=snomed,
        anticoagulant=anticoagulant,
        prevalence=prevalence,
        ref=reference_date.isoformat(),
        af008_from=AF008_FROM.isoformat(),
        ref_mmdd=reference_date.month * 100 + reference_date.day,
        oldest=OLDEST_AGE,
        digits=EXPECTED_DIGITS,
    )


def practice_counts_sql(db_path: str, reference_date: date) -> dict[str, PracticeRow]:
    """Per-practice AF counts from the store at `db_path`, by one SQL statement."""
    query = build_query(reference_date)
    with duckdb.connect(db_path, read_only=True) as con:
        rows = con.execute(query).fetchall()
    out: dict[str, PracticeRow] = {}
    for code, size, expected, recorded, eligible, treated, exceptions, assess, by_e, by_t in rows:
        treated_by = by_t or {}
        out[str(code)] = PracticeRow(
            list_size=int(size),
            expected=float(expected),
            recorded=int(recorded),
            eligible=int(eligible),
            treated=int(treated),
            exceptions=int(exceptions),
            to_assess=int(assess),
            risk_counts={
                int(score): (int(n), int(treated_by.get(score, 0)))
                for score, n in sorted((by_e or {}).items())
            },
        )
    return out


def measure(db_path: str, reference_date: str) -> dict[str, Any]:
    """The benchmark's measured step (run in a fresh interpreter by benchmarks/harness.py)."""
    return {"practices": practice_counts_sql(db_path, date.fromisoformat(reference_date))}

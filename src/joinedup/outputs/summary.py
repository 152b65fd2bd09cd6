"""summary.json and rollups.csv: a plan's footprint totals, ambitions, waves and provenance.

Why in outputs: these are the shapes scripts and dashboards read (DESIGN.md), decided once; the
counts come from the plan, the names from the store.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from joinedup import __version__
from joinedup.domain.disclosure import output_note
from joinedup.domain.targeting import LEVELS, Plan


def build_summary(
    result: Plan, programme: str, reference_date: date, names: dict[str, str],
    parameters_label: str,
) -> dict[str, Any]:
    """summary.json: footprint totals, ambitions, waves and provenance."""
    totals = result.summary().as_dict()
    ics_codes = sorted({p.counts.ics_code for p in result.practices if p.counts.ics_code})
    return {
        "programme": programme,
        "period_end": reference_date.isoformat(),
        "footprint": ", ".join(names.get(c, c) for c in ics_codes) or "footprint",
        "practices": totals["practices"],
        "list_size": totals["list_size"],
        "expected": totals["expected"],
        "recorded": totals["recorded"],
        "eligible": totals["eligible"],
        "treated": totals["treated"],
        "exceptions": totals["exceptions"],
        "to_assess": totals["to_assess"],
        "detection_rate": totals["detection_rate"],
        "treatment_rate": totals["treatment_rate"],
        "to_find": totals["to_find"],
        # Unknown, not 0, when no practice's treatment counts are known (aggregate inputs).
        "to_treat": None
        if totals["practices_unknown_to_treat"] == totals["practices"]
        else totals["to_treat"],
        "strokes_prevented_per_year": totals["strokes_prevented_per_year"],
        "deaths_avoided_per_year": totals["deaths_avoided_per_year"],
        "savings_gbp_per_year": totals["savings_gbp_per_year"],
        "savings_gbp_five_year": totals["savings_gbp_five_year"],
        **_optional_impact(result),
        "ambition": result.ambition.as_dict(),
        "willing_practices": totals["willing_practices"],
        "planned_practices": totals["planned_practices"],
        "waves": [
            {
                "wave": w.wave,
                "practices": list(w.practice_codes),
                "to_find": w.to_find,
                "to_treat": w.to_treat,
                "share_of_footprint": w.share_of_footprint,
                "cumulative_share": w.cumulative_share,
                "strokes_prevented_per_year": (
                    w.impact.strokes_prevented_per_year if w.impact else None
                ),
                "savings_gbp_per_year": w.impact.savings_gbp_per_year if w.impact else None,
            }
            for w in result.waves
        ],
        "parameters_version": result.parameters_version,
        "parameters": parameters_label,
        "joinedup_version": __version__,
        "publication": output_note(None),
    }


def rollup_rows(result: Plan, names: dict[str, str]) -> list[dict[str, Any]]:
    """Every PCN, sub-ICB, place and ICS with its summed counts, named."""
    rows = []
    for level in LEVELS:
        for rollup in result.roll_up(level):
            row = rollup.as_dict()
            row["name"] = names.get(rollup.code or "", "")
            rows.append(row)
    return rows


def _optional_impact(result: Plan) -> dict[str, Any]:
    """Impact figures only some programmes' models give (hypertension: heart attacks)."""
    heart = [p.impact.heart_attacks_prevented_per_year for p in result.practices
             if p.impact is not None and p.impact.heart_attacks_prevented_per_year is not None]
    return {"heart_attacks_prevented_per_year": sum(heart)} if heart else {}

"""A practice's worklist rows: its registered patients' programme flags, and what each rule read.

Why in the engine: the flags are the same Ibis expressions the practice counts are made of
(`engines.measures.patient_flags`), evaluated for one practice's patients only — their events
alone are read — and with the columns the rules were computed from kept (latest dates and
readings), so a worklist lists exactly the patients the counts count, with the evidence. Patients
who opted out are included: worklists are direct care (`domain.worklists.INCLUDE_OPTED_OUT`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ibis.backends import BaseBackend

from joinedup.domain.codelists import Codelist
from joinedup.domain.programme import Programme
from joinedup.domain.worklists import INCLUDE_OPTED_OUT
from joinedup.engines.measures import patient_flags
from joinedup.engines.tables import contract_table


def practice_worklist_rows(
    con: BaseBackend, programme: Programme, reference_date: date, practice_code: str, *,
    codelists: Mapping[str, Codelist],
) -> list[dict[str, Any]]:
    """The practice's registered, living patients on any worklist, one row each: identifiers,
    age and sex, every flag (`to_assess` among them: a computed score at the eligibility
    threshold with none recorded), and the latest dates and readings the rules used."""
    flags = patient_flags(con, programme, reference_date, codelists=codelists,
                          include_opted_out=INCLUDE_OPTED_OUT, practices=[practice_code],
                          features=True)
    flags = flags.filter(flags.registered & flags.alive)
    on_a_list = (flags.eligible & ~flags.treated & ~flags.exception) | flags.to_assess
    for rule in programme.casefinder:
        on_a_list = on_a_list | flags[f"find_{rule.key}"]
    listed = flags.filter(on_a_list)
    ids = contract_table(con, "patients").select("patient_id", "nhs_number")
    table = listed.left_join(ids, "patient_id").select(*listed.columns, "nhs_number")
    return list(table.order_by("patient_id").to_pyarrow().to_pylist())

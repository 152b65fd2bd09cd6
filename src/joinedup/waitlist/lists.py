"""The waiting list as the allocation needs it, from rows in the data contract's shape.

Why: the contract's ``waiting_list`` table has no age, and paediatric lists need one; ages come
from ``patients.birth_date``, in whole years on the plan's start date (domain rule). Only
referrals whose ``status`` is ``waiting`` (any case) are booked; the others are counted.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from joinedup.domain.waitlist.rules import age_on
from joinedup.waitlist.problem import PATIENT_COLUMNS

WAITING = "waiting"


def waiting_patients(rows: pd.DataFrame, as_of: date) -> tuple[pd.DataFrame, int]:
    """(patients to book with their ages on ``as_of``, number of rows not waiting)."""
    is_waiting = rows["status"].astype(str).str.strip().str.casefold() == WAITING
    frame = rows[is_waiting].reset_index(drop=True)
    births = pd.to_datetime(frame["birth_date"]).dt.date
    ages = [None if pd.isna(b) else age_on(b, as_of) for b in births]
    frame = frame.assign(age=pd.array(ages, dtype="Int64"))
    return frame.loc[:, list(PATIENT_COLUMNS)], int((~is_waiting).sum())

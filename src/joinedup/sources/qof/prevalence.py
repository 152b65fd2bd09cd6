"""QOF prevalence: each practice's disease registers and the list size each is counted against.

Why: the published QOF raw data (NHS Digital, "Quality and Outcomes Framework" CSV files) give
every practice's register per clinical group (AF, HYP, ...) and the list it is a share of —
the whole list (``TOTAL``) or an age base (``18OV``, ``30_74``, ...). That is the recorded
count of the practice measure table, and the age bases feed the expected-prevalence model.

Layout: ``PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE``; some years
name the last column ``PRACTICE_LIST_SIZE``. Each row is checked; a row is rejected for a
blank or malformed practice or group code, a register or list size that is not a whole number
of 0 or more, an unknown list type, a repeated (practice, group), or a list size that disagrees
with an earlier row of the same practice and list type (one practice has one 18+ list,
whichever group it is counted for).

A register larger than its list is *not* rejected: QOF counts registers at 31 March and list
sizes at 1 January, so a practice whose list shrank in between can publish one (2019-20 has
six such rows, at two practices).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from joinedup.sources.qof.readers import (
    CsvRow,
    Imported,
    RowProblems,
    cell,
    check_count,
    check_practice,
    check_repeat,
    open_columns,
    read_rows,
)

TABLE = "qof_prevalence"
LAYOUT = "QOF prevalence"
COLUMNS = {
    "practice_code": ("PRACTICE_CODE",),
    "group_code": ("GROUP_CODE",),
    "register": ("REGISTER",),
    "list_type": ("PATIENT_LIST_TYPE",),
    "list_size": ("PATIENT_LIST_SIZE", "PRACTICE_LIST_SIZE"),
}

_GROUP = re.compile(r"^[A-Z][A-Z0-9_-]*$")
_LIST_TYPE = re.compile(r"^(?:TOTAL|[0-9]+OV|[0-9]+UN|UN[0-9]+|[0-9]+_[0-9]+(?:_[FM])?)$")


@dataclass(frozen=True)
class PrevalenceRow:
    practice_code: str
    group_code: str
    register: int
    list_type: str
    list_size: int


def read_prevalence(path: Path | str) -> Imported[PrevalenceRow]:
    """Every row of a QOF prevalence file, checked; see the module docstring for the checks."""
    path = Path(path)
    header, index, names = open_columns(path, COLUMNS, LAYOUT)
    seen: dict[tuple[str, str], int] = {}
    list_sizes: dict[tuple[str, str], tuple[int, int]] = {}

    def parse(row: CsvRow, problems: RowProblems) -> PrevalenceRow | None:
        practice = check_practice(problems, names["practice_code"],
                                  cell(row, header, index["practice_code"]))
        group = cell(row, header, index["group_code"]).upper()
        if not group:
            problems.add(names["group_code"], f"{names['group_code']} is blank")
        elif not _GROUP.match(group):
            problems.add(names["group_code"], f"{names['group_code']} is not a QOF group code")
        register = check_count(problems, names["register"], cell(row, header, index["register"]))
        list_type = cell(row, header, index["list_type"]).upper()
        if not list_type:
            problems.add(names["list_type"], f"{names['list_type']} is blank")
        elif not _LIST_TYPE.match(list_type):
            problems.add(names["list_type"], f"{names['list_type']} is not a QOF list type "
                         "(TOTAL, an age base such as 18OV or 30_74)")
        size = check_count(problems, names["list_size"], cell(row, header, index["list_size"]))
        if not problems:
            check_repeat(problems, seen, (practice, group), "same practice and group")
            earlier = list_sizes.get((practice, list_type))
            if earlier is not None and size is not None and earlier[0] != size:
                problems.add(names["list_size"],
                             f"{names['list_size']} {size} differs from row {earlier[1]} "
                             f"({earlier[0]}) for the same practice and list type")
        if problems:
            return None
        assert register is not None and size is not None
        seen[(practice, group)] = row.number
        list_sizes.setdefault((practice, list_type), (size, row.number))
        return PrevalenceRow(practice, group, register, list_type, size)

    return read_rows(TABLE, path, parse)

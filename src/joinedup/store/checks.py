"""The checks a row must pass to be loaded, each a SQL condition with the reason it gives.

Why SQL: the checks run set-wise inside DuckDB over millions of rows. Each ``Check`` is a
condition that is TRUE when the row fails, the field at fault and a SQL expression for the
reason. Reasons name fields, other rows and at most organisation codes or types, never a
patient's value, so the reasons can be shared with whoever fixes the extract (the raw row sits
in its own column of the rejects).

Three kinds, applied in this order within a row (the order reasons are listed in):

* row checks (``row_checks``) see one row: missing, unreadable, not allowed, NHS number,
  impossible dates;
* link checks (``link_checks``) join other tables already loaded: orphans, a rejected parent
  row, the wrong kind of organisation, dates outside the patient's life;
* duplicate checks (``duplicate_spec``): repeated keys, or exact repeats of a whole row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from joinedup.domain.contract import Table
from joinedup.store.nhs_number_sql import nhs_number_valid_sql
from joinedup.store.parsing import ISO_DATE, DateFormat, expected
from joinedup.store.sql import ident, literal

# Tables whose exact repeated rows are rejected (they have no key to catch them).
EXACT_DUPLICATES = frozenset({"clinical_events", "medications"})

# The date that places a row in a patient's life, per table.
PATIENT_DATED = {
    "clinical_events": "date",
    "medications": "date",
    "encounters": "start",
    "waiting_list": "clock_start",
}

# References that must reach an organisation of one type.
REFERENCED_TYPE = {
    ("patients", "practice_code"): "practice",
    ("waiting_list", "trust_code"): "trust",
}

# What one row of a referenced table is called in a reason.
NOUN = {"patients": "patient", "organisations": "organisation"}


@dataclass(frozen=True)
class Check:
    """A failing condition (SQL, TRUE = reject), the field at fault and the reason (SQL)."""

    field: str
    condition: str
    reason: str


def present(column: str) -> str:
    """Name of the staged flag that says a value was given for ``column``."""
    return f"__present_{column}"


def _fails(field: str, condition: str, reason: str) -> Check:
    return Check(field, condition, literal(reason))


def row_checks(
    table: Table, today: date, alias: str = "", day: DateFormat = ISO_DATE
) -> list[Check]:
    """Checks that need only the row itself, in column order then the cross-field rules.

    ``day`` is the declared form of text dates, named in the reasons.
    """
    prefix = f"{alias}." if alias else ""

    def col(name: str) -> str:
        return prefix + ident(name)

    checks: list[Check] = []
    for c in table.columns:
        if c.required:
            checks.append(_fails(c.name, f"NOT {col(present(c.name))}", f"{c.name} is missing"))
        if c.type != "string":
            checks.append(
                _fails(
                    c.name,
                    f"{col(present(c.name))} AND {col(c.name)} IS NULL",
                    f"{c.name} is not {expected(c.type, day)}",
                )
            )
        if c.allowed:
            values = ", ".join(literal(v) for v in c.allowed)
            checks.append(
                _fails(
                    c.name,
                    f"{col(c.name)} NOT IN ({values})",
                    f"{c.name} is not one of {', '.join(c.allowed)}",
                )
            )
    today_sql = f"DATE {literal(today.isoformat())}"
    after_today = f"is after today ({today.isoformat()})"
    if table.name == "organisations":
        checks.append(
            _fails(
                "valid_to",
                f"{col('valid_to')} < {col('valid_from')}",
                "valid_to is before valid_from",
            )
        )
    if table.name == "patients":
        nhs = col("nhs_number")
        checks += [
            _fails(
                "nhs_number",
                f"{nhs} IS NOT NULL AND NOT {nhs_number_valid_sql(nhs)}",
                "nhs_number is not ten digits ending in a valid Modulus 11 check digit",
            ),
            _fails(
                "imd_decile",
                f"{col('imd_decile')} NOT BETWEEN 1 AND 10",
                "imd_decile is not between 1 and 10",
            ),
            _fails("birth_date", f"{col('birth_date')} > {today_sql}", f"birth_date {after_today}"),
            _fails(
                "registered_to",
                f"{col('registered_to')} < {col('registered_from')}",
                "registered_to is before registered_from",
            ),
            _fails(
                "date_of_death",
                f"{col('date_of_death')} < {col('birth_date')}",
                "date_of_death is before birth_date",
            ),
            _fails(
                "date_of_death",
                f"{col('date_of_death')} > {today_sql}",
                f"date_of_death {after_today}",
            ),
        ]
    if table.name == "encounters":
        checks.append(_fails("end", f"{col('end')} < {col('start')}", "end is before start"))
    if table.name == "waiting_list":
        checks.append(
            _fails(
                "expected_minutes",
                f"{col('expected_minutes')} <= 0",
                "expected_minutes is not above 0",
            )
        )
    dated = PATIENT_DATED.get(table.name)
    if dated is not None:
        checks.append(
            _fails(dated, f"CAST({col(dated)} AS DATE) > {today_sql}", f"{dated} {after_today}")
        )
    return checks


@dataclass(frozen=True)
class Link:
    """A join from a row to the loaded table it references (and to that table's rejects)."""

    column: str
    target: str  # referenced table name
    key: str  # referenced column
    alias: str  # alias of the loaded target in the join
    rejected_alias: str  # alias of the target's rejected keys in the join


def links(table: Table) -> list[Link]:
    """The references this table's rows must satisfy, checked by joining in SQL.

    ``organisations.parent_code`` is not here: the organisation tree is checked as a whole by
    the domain's ``hierarchy_problems``.
    """
    out = []
    for i, c in enumerate(table.columns):
        if c.references is None or c.references.split(".")[0] == table.name:
            continue
        target, key = c.references.split(".")
        out.append(Link(c.name, target, key, f"ref{i}", f"rej{i}"))
    return out


def link_checks(
    table: Table, source_alias: str, target_files: dict[str, tuple[str, str]]
) -> list[Check]:
    """Orphans, rejected parents, wrong organisation types and dates outside a patient's life.

    ``target_files`` maps a referenced table to its (file name, format), to point at its rows.
    """
    checks: list[Check] = []
    for link in links(table):
        value = f"{source_alias}.{ident(link.column)}"
        found = f"{link.alias}.{ident(link.key)}"
        rejected_row = f"{link.rejected_alias}._row"
        noun = NOUN.get(link.target, link.target)
        file_name, fmt = target_files.get(link.target, (link.target, "parquet"))
        checks.append(
            _fails(
                link.column,
                f"{value} IS NOT NULL AND {found} IS NULL AND {rejected_row} IS NULL",
                f"{link.column} matches no {noun} in {file_name}",
            )
        )
        checks.append(
            Check(
                link.column,
                f"{value} IS NOT NULL AND {found} IS NULL AND {rejected_row} IS NOT NULL",
                f"{literal(f'{link.column} refers to a rejected {noun} ({file_name} ')} "
                f"|| {row_ref(rejected_row, fmt)} || ')'",
            )
        )
        wanted = REFERENCED_TYPE.get((table.name, link.column))
        if wanted is not None:
            org_type = f"{link.alias}.org_type"
            checks.append(
                Check(
                    link.column,
                    f"{org_type} <> {literal(wanted)}",
                    f"{literal(f'{link.column} refers to an organisation of type ')} || "
                    f"{org_type} || "
                    f"{literal(f', not a {wanted}')}",
                )
            )
        dated = PATIENT_DATED.get(table.name)
        if link.target == "patients" and dated is not None:
            day = f"CAST({source_alias}.{ident(dated)} AS DATE)"
            checks.append(
                _fails(
                    dated,
                    f"{day} < {link.alias}.birth_date",
                    f"{dated} is before the patient's birth_date",
                )
            )
            checks.append(
                _fails(
                    dated,
                    f"{day} > {link.alias}.date_of_death",
                    f"{dated} is after the patient's date_of_death",
                )
            )
    return checks


@dataclass(frozen=True)
class DuplicateSpec:
    """Which columns make a repeat, which rows take part, and what the reason says."""

    columns: tuple[str, ...]
    eligible: str  # SQL over the staged row: rows that take part
    field: str
    reason_prefix: str


def duplicate_spec(table: Table) -> DuplicateSpec | None:
    """Keyed tables reject a repeated key; event-like tables reject an exact repeat.

    The first occurrence in file order keeps the key even if it is itself rejected for another
    reason: which of two rows with one key is right cannot be known, so neither later one wins.
    Exact repeats are looked for only among rows with no row-level fault, where the parsed
    values are the whole story.
    """
    if table.key:
        return DuplicateSpec(
            table.key,
            " AND ".join(f"{ident(k)} IS NOT NULL" for k in table.key),
            table.key[0],
            f"{', '.join(table.key)} repeats ",
        )
    if table.name in EXACT_DUPLICATES:
        return DuplicateSpec(table.column_names, "_problems IS NULL", "*", "the whole row repeats ")
    return None


def row_ref(row_sql: str, fmt: str) -> str:
    """SQL text naming a data row: 'row 3', plus the file line for CSV ('row 3, line 4')."""
    if fmt == "csv":
        return f"('row ' || {row_sql} || ', line ' || ({row_sql} + 1))"
    return f"('row ' || {row_sql})"


def problem_list(checks: list[Check]) -> str:
    """SQL for the list of {field, reason} structs of the checks that fail, in order."""
    items = ", ".join(
        f"CASE WHEN {c.condition} THEN {{'field': {literal(c.field)}, 'reason': {c.reason}}} END"
        for c in checks
    )
    return f"list_filter([{items}], lambda p: p IS NOT NULL)"


def any_fails(checks: list[Check]) -> str:
    """SQL TRUE when any check fails (NULL conditions count as passing)."""
    if not checks:
        return "false"
    return " OR ".join(f"coalesce({c.condition}, false)" for c in checks)

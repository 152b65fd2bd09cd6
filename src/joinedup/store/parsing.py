"""How each contract type is read from whatever a file holds, as DuckDB SQL.

Why: CSV gives text and Parquet gives whatever types its writer chose, yet every row must end up
with the contract's types or be rejected with a reason. Each column yields two expressions: is a
value *present* (not null, not blank, not NaN), and its *parsed* value (NULL when it cannot be
read). "Present but not parsed" is a type error; "required but not present" is a missing value.
Nothing here guesses: text dates are ISO ``YYYY-MM-DD`` (a midnight time after them, as pandas
and spreadsheets write dates, is allowed), or one day-first form the user declared
(``DATE_FORMATS``) — ``01/02/1950`` is never read as either day or month first unless told.
Whole numbers must be whole, and booleans are true/false/1/0 in any case. Text is trimmed and an
empty string counts as missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.store.errors import LoadError

# The DuckDB type each contract type is stored as.
STORED_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
}


@dataclass(frozen=True)
class DateFormat:
    """One way of writing a day as text: its name, a regular expression and a strptime format."""

    name: str
    pattern: str  # the day alone, unanchored
    strptime: str  # DuckDB's strptime format for the day
    example: str


ISO_DATE = DateFormat("YYYY-MM-DD", "[0-9]{4}-[0-9]{2}-[0-9]{2}", "%Y-%m-%d", "1949-12-20")
DATE_FORMATS: tuple[DateFormat, ...] = (
    ISO_DATE,
    # Day first, as GP system exports write them. Four-digit years only: "20/12/49" is
    # ambiguous about its century and is never read.
    DateFormat("DD/MM/YYYY", "[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", "%d/%m/%Y", "20/12/1949"),
    DateFormat("DD-MMM-YYYY", "[0-9]{1,2}-[A-Za-z]{3}-[0-9]{4}", "%d-%b-%Y", "20-Dec-1949"),
)


def date_format(name: str | None) -> DateFormat:
    """The declared date format (ISO when none is); LoadError naming the accepted ones."""
    if name is None:
        return ISO_DATE
    for known in DATE_FORMATS:
        if known.name == name.strip().upper():
            return known
    raise LoadError(
        f"date format {name!r} is not one of {', '.join(f.name for f in DATE_FORMATS)} "
        "(ambiguous forms are never guessed)"
    )


# What a reader is told a value should look like, in reject reasons (dates: see ``expected``).
EXPECTED: dict[str, str] = {
    "string": "text",
    "int": "a whole number",
    "float": "a finite number",
    "bool": "true, false, 1 or 0",
}


def expected(contract_type: str, day: DateFormat = ISO_DATE) -> str:
    """What a value of ``contract_type`` should look like, naming the accepted date forms."""
    forms = [ISO_DATE.name] if day == ISO_DATE else [day.name, ISO_DATE.name]
    if contract_type == "date":
        return f"a date ({' or '.join(forms)})"
    if contract_type == "timestamp":
        return f"a timestamp ({' or '.join(f + ' HH:MM[:SS]' for f in forms)})"
    return EXPECTED[contract_type]

_INTEGER_TYPES = frozenset(
    {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
    }
)
_FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE"})
_TIMESTAMP_TYPES = frozenset(
    {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE"}
)

_DATE_TEXT = ISO_DATE.pattern
_MIDNIGHT = "([ T]00:00(:00([.]0+)?)?)?"
_TIME = "( [0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?"
_TIMESTAMP_TEXT = (
    _DATE_TEXT + "([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?"
)
_WHOLE_TEXT = "[+-]?[0-9]+([.]0+)?"


@dataclass(frozen=True)
class ColumnSql:
    """SQL for one column: whether a value is present, and the value in the contract's type."""

    present: str
    parsed: str


def _family(source_type: str) -> str:
    upper = source_type.upper()
    if upper in _INTEGER_TYPES:
        return "integer"
    if upper in _FLOAT_TYPES or upper.startswith("DECIMAL"):
        return "float"
    if upper in _TIMESTAMP_TYPES:
        return "timestamp"
    if upper in {"DATE", "BOOLEAN", "VARCHAR"}:
        return upper.lower()
    return "other"


def column_sql(
    ref: str, source_type: str, contract_type: str, day: DateFormat = ISO_DATE
) -> ColumnSql:
    """Present/parsed SQL for column reference ``ref`` read as ``source_type`` from a file.

    ``day`` is the declared form of text dates; ISO dates are read whatever it is.
    """
    family = _family(source_type)
    if family == "other":
        # Anything exotic (lists, blobs, intervals) is judged by its text form.
        ref, family = f"CAST({ref} AS VARCHAR)", "varchar"
    if family == "varchar":
        return _from_text(ref, contract_type, day)
    present = f"({ref} IS NOT NULL)"
    if family == "float":
        present = f"({ref} IS NOT NULL AND NOT isnan(CAST({ref} AS DOUBLE)))"
    return ColumnSql(present, _from_typed(ref, family, contract_type))


def _from_text(ref: str, contract_type: str, day: DateFormat) -> ColumnSql:
    text = f"nullif(trim({ref}), '')"
    present = f"({text} IS NOT NULL)"
    if contract_type == "string":
        parsed = text
    elif contract_type == "date":
        # A midnight time adds nothing to a date; any other time of day is refused, not dropped.
        parsed = _when_matches(
            text, _DATE_TEXT + _MIDNIGHT, f"TRY_CAST(substr({text}, 1, 10) AS DATE)"
        )
        if day != ISO_DATE:
            day_only = f"regexp_extract({text}, '^{day.pattern}')"
            value = f"CAST(try_strptime({day_only}, '{day.strptime}') AS DATE)"
            parsed = f"coalesce({parsed}, {_when_matches(text, day.pattern + _MIDNIGHT, value)})"
    elif contract_type == "timestamp":
        # An offset (Z, +01:00) is honoured and the value stored in UTC.
        value = f"CAST(TRY_CAST({text} AS TIMESTAMPTZ) AS TIMESTAMP)"
        parsed = _when_matches(text, _TIMESTAMP_TEXT, value)
        if day != ISO_DATE:
            formats = ", ".join(
                f"'{day.strptime}{time}'" for time in (" %H:%M:%S.%f", " %H:%M:%S", " %H:%M", "")
            )
            value = f"try_strptime({text}, [{formats}])"
            parsed = f"coalesce({parsed}, {_when_matches(text, day.pattern + _TIME, value)})"
    elif contract_type == "int":
        parsed = _when_matches(text, _WHOLE_TEXT, f"TRY_CAST({text} AS BIGINT)")
    elif contract_type == "float":
        present = f"({text} IS NOT NULL AND lower({text}) <> 'nan')"
        parsed = _finite(f"TRY_CAST({text} AS DOUBLE)")
    elif contract_type == "bool":
        parsed = (
            f"(CASE lower({text}) WHEN 'true' THEN true WHEN '1' THEN true "
            "WHEN 'false' THEN false WHEN '0' THEN false END)"
        )
    else:
        raise ValueError(f"unknown contract type {contract_type!r}")
    return ColumnSql(present, parsed)


def _when_matches(text: str, pattern: str, value: str) -> str:
    return f"(CASE WHEN regexp_full_match({text}, '{pattern}') THEN {value} END)"


def _finite(number: str) -> str:
    return f"(CASE WHEN isfinite({number}) THEN {number} END)"


def _from_typed(ref: str, family: str, contract_type: str) -> str:
    """Parsed SQL for a typed (Parquet) source; a type that cannot hold the value gives NULL."""
    stored = STORED_TYPES[contract_type]
    if contract_type == "string":
        return f"CAST({ref} AS VARCHAR)"
    if contract_type == "date" and family in {"date", "timestamp"}:
        return f"CAST({ref} AS DATE)"  # a timestamp keeps its date part
    if contract_type == "timestamp" and family in {"date", "timestamp"}:
        return f"CAST({ref} AS TIMESTAMP)"
    if contract_type == "int" and family == "integer":
        return f"TRY_CAST({ref} AS BIGINT)"
    if contract_type == "int" and family == "float":
        number = f"CAST({ref} AS DOUBLE)"
        whole = f"isfinite({number}) AND {number} = trunc({number})"
        return f"(CASE WHEN {whole} THEN TRY_CAST({ref} AS BIGINT) END)"
    if contract_type == "float" and family in {"integer", "float"}:
        return _finite(f"CAST({ref} AS DOUBLE)")
    if contract_type == "bool" and family == "boolean":
        return ref
    if contract_type == "bool" and family == "integer":
        return f"(CASE {ref} WHEN 1 THEN true WHEN 0 THEN false END)"
    return f"CAST(NULL AS {stored})"

"""What a load did: rows in, loaded and rejected per table, and where the rejects went.

Why a value object: the CLI prints it, tests check it and the load log stores it. The identity
``rows_in == loaded + rejected`` is enforced when a count is made, so a report that would
lose rows cannot exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class TableCounts:
    """One table's counts; ``file`` is None when the (optional) table was not supplied."""

    table: str
    file: str | None
    rows_in: int
    loaded: int
    rejected: int
    ignored_columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.rows_in != self.loaded + self.rejected:
            raise AssertionError(
                f"{self.table}: {self.rows_in} rows in but {self.loaded} loaded "
                f"+ {self.rejected} rejected; rows would be lost"
            )


@dataclass(frozen=True)
class LoadReport:
    """The outcome of one successful load."""

    db_path: Path
    rejects_csv: Path
    source_dir: Path
    today: date
    tables: tuple[TableCounts, ...]
    ignored_files: tuple[str, ...] = ()

    @property
    def rows_in(self) -> int:
        return sum(t.rows_in for t in self.tables)

    @property
    def loaded(self) -> int:
        return sum(t.loaded for t in self.tables)

    @property
    def rejected(self) -> int:
        return sum(t.rejected for t in self.tables)

    def table(self, name: str) -> TableCounts:
        for t in self.tables:
            if t.table == name:
                return t
        raise KeyError(f"no table {name!r} in this load")

    def counts(self) -> dict[str, dict[str, int]]:
        """Per table: rows_in, loaded, rejected (JSON-ready)."""
        return {
            t.table: {"rows_in": t.rows_in, "loaded": t.loaded, "rejected": t.rejected}
            for t in self.tables
        }

    def summary(self) -> str:
        """A plain-text account: one line per table, the totals, and where rejects went."""
        header = ("table", "file", "rows in", "loaded", "rejected")
        rows = [
            (
                t.table,
                t.file or "(not supplied)",
                f"{t.rows_in:,}",
                f"{t.loaded:,}",
                f"{t.rejected:,}",
            )
            for t in self.tables
        ]
        rows.append(("total", "", f"{self.rows_in:,}", f"{self.loaded:,}", f"{self.rejected:,}"))
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]

        def line(cells: tuple[str, ...]) -> str:
            left = [cells[i].ljust(widths[i]) for i in range(2)]
            right = [cells[i].rjust(widths[i]) for i in range(2, 5)]
            return "  ".join(left + right).rstrip()

        out = [
            f"Loaded {self.source_dir} into {self.db_path} (as of {self.today.isoformat()})",
            line(header),
            *(line(r) for r in rows),
        ]
        if self.rejected:
            out.append(
                f"{self.rejected:,} rejected rows, with reasons, are in {self.rejects_csv} "
                "and the database's rejects table."
            )
        else:
            out.append(f"No rows rejected ({self.rejects_csv} lists none).")
        for t in self.tables:
            if t.ignored_columns:
                out.append(
                    f"{t.file}: ignored columns not in the contract: {', '.join(t.ignored_columns)}"
                )
        if self.ignored_files:
            out.append(f"Ignored files (not contract tables): {', '.join(self.ignored_files)}")
        return "\n".join(out)

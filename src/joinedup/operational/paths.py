"""Where an operational store lives by default, without opening it.

Why a module of its own: a `joinedup run` asks only whether a saved plan could exist beside its
analytics store; answering must not import SQLAlchemy and Alembic (most of a second), which the
rest of the package needs.
"""

from __future__ import annotations

from pathlib import Path


def ops_url_for(db: Path) -> str:
    """The default store beside an analytics store: `ics.duckdb` → `ics.ops.sqlite`."""
    return f"sqlite:///{db.resolve().with_suffix('.ops.sqlite')}"


def default_ops_file(db: Path) -> Path:
    """The SQLite file of the default store beside `db` (which may not exist)."""
    return Path(ops_url_for(db).removeprefix("sqlite:///"))

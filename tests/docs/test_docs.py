"""Docs the code checks: every command and every practices.csv column is documented."""

from __future__ import annotations

from pathlib import Path

from joinedup.cli.main import app
from joinedup.domain.measures import PRACTICE_TABLE_COLUMNS
from joinedup.domain.targeting import EXTRA_COLUMNS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _command_names() -> set[str]:
    return set(app.commands)


def test_every_command_is_in_the_cli_reference() -> None:
    reference = (DOCS / "cli.md").read_text()
    names = _command_names()
    assert {"synth", "load", "run", "impact", "demo"} <= names
    missing = sorted(n for n in names if f"`joinedup {n}" not in reference)
    assert not missing, f"docs/cli.md does not document: {missing}"


def test_every_practice_table_column_is_explained() -> None:
    text = (DOCS / "find-and-treat.md").read_text()
    documented = {line.split("|")[1].strip() for line in text.splitlines()
                  if line.startswith("| ") and line.count("|") >= 3}
    names = {part.strip() for cell in documented for part in cell.split(",")}
    missing = [c for c in (*PRACTICE_TABLE_COLUMNS, *EXTRA_COLUMNS) if c not in names]
    assert not missing, f"docs/find-and-treat.md does not explain: {missing}"

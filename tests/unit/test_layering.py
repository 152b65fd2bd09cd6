"""The domain is pure: importing it loads no engine, file format or web framework (STYLE.md 1)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import joinedup.domain

FORBIDDEN = ("duckdb", "ibis", "pyarrow", "pandas", "pyspark", "typer", "click", "rich", "openpyxl",
             "numpy", "sqlalchemy", "alembic", "fastapi", "starlette", "argon2", "psycopg")
# nhs_number vectorises with numpy by design; it is the one numeric dependency the domain allows.
ALLOWED_EXCEPTIONS = {"numpy"}


def test_domain_imports_no_adapter() -> None:
    modules = [f"joinedup.domain.{m.name}" for m in pkgutil.iter_modules(joinedup.domain.__path__)]
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    roots = {name.split(".")[0] for name in loaded}
    bad = sorted((roots & set(FORBIDDEN)) - ALLOWED_EXCEPTIONS)
    assert not bad, f"the domain imported adapters: {bad}"
    assert len(modules) >= 3

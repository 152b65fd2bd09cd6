"""Starting the CLI loads no engine, data-frame or plotting library (issue 8: --help is instant).

Speed itself is measured in benchmarks/bench_startup.py; this checks the cause, not the time.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "ibis", "duckdb", "pandas", "pyarrow", "matplotlib", "numpy", "openpyxl", "jinja2",
    "sqlalchemy", "fastapi", "uvicorn", "ortools", "alembic", "xlsxwriter",
)


def test_importing_the_cli_loads_nothing_heavy() -> None:
    code = (
        "import json, sys\n"
        "import joinedup.cli.main\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    assert loaded == [], f"`joinedup --help` would load {loaded}"


def test_help_and_version_run_without_loading_anything_heavy() -> None:
    code = (
        "import json, sys\n"
        "from joinedup.cli.main import app\n"
        "try:\n"
        "    app(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.check_output([sys.executable, "-c", code], text=True).strip().splitlines()
    assert out[0].startswith("joinedup ")
    assert json.loads(out[-1]) == []


def test_charts_do_not_choose_matplotlibs_backend_for_others() -> None:
    """Drawing never imports pyplot, so the process's backend stays whatever its owner chose."""
    code = (
        "import sys\n"
        "import joinedup.outputs.charts as charts\n"
        "svg = charts.pareto_curve([0.5, 1.0])\n"
        "print(svg.startswith('<svg'), 'matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.check_output([sys.executable, "-c", code], text=True).split()
    assert out == ["True", "False"]

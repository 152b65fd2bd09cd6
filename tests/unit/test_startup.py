"""Starting the CLI loads no engine, data-frame or plotting library (issue 8: --help is instant),
and drawing the reports' charts loads none either (issue 13).

Speed itself is measured in benchmarks/bench_startup.py; this checks the cause, not the time.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "ibis",
    "duckdb",
    "pandas",
    "pyarrow",
    "matplotlib",
    "numpy",
    "openpyxl",
    "jinja2",
    "sqlalchemy",
    "fastapi",
    "uvicorn",
    "ortools",
    "alembic",
    "xlsxwriter",
    "pyspark",
    "py4j",
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


def test_drawing_the_charts_loads_no_plotting_or_data_library() -> None:
    """The reports' charts are SVG text written by joinedup.drawing (issue 13: matplotlib's
    import alone was 0.7 s of a small run), so drawing every kind of chart loads nothing heavy."""
    code = (
        "import json, sys\n"
        "from joinedup.outputs import charts\n"
        "from joinedup.waitlist.charts import bars_by_trust, lines_by_scenario\n"
        "svgs = [charts.pareto_curve([0.5, 1.0], 1),\n"
        "        charts.find_and_treat_bars(['a'], [1], [2], 't'),\n"
        "        charts.rate_bars(['a'], [0.5], 0.8, 't'),\n"
        "        charts.inequality_bars(['a'], [0.5], [0.4], [0.6], 't'),\n"
        "        charts.trend_lines(['p', 'q'], {'x': [0.1, 0.2]}, 0.5, 't'),\n"
        "        lines_by_scenario([0, 1], {'pooled': [1.0, 2.0]}, 'y', 't'),\n"
        "        bars_by_trust(['A'], {'pooled': [1.0]}, 'y', 't')]\n"
        "print(all(s.startswith('<svg') for s in svgs))\n"
        f"print(json.dumps(sorted(m for m in {(*HEAVY, 'PIL', 'pygal')!r} if m in sys.modules)))\n"
    )
    out = subprocess.check_output([sys.executable, "-c", code], text=True).splitlines()
    assert out[0] == "True"
    assert json.loads(out[1]) == [], f"drawing the charts loaded {out[1]}"

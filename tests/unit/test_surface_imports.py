"""The web surface and the new CLI commands reach joinedup only through `joinedup.app`.

Why: surfaces parse, authorise and render; use cases do the work (common brief, "Architecture").
This reads the import statements of every module under web/ and of the server's CLI commands
and fails on an import of another joinedup package, or (for the CLI) a heavy library imported at
module level, which would slow `joinedup --help`.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "joinedup"
SERVER_CLI = ("users.py", "audit.py", "serve.py")
HEAVY = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "argon2", "psycopg"}


def _imports(path: Path, top_level_only: bool) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def _joinedup_outside(names: list[str], allowed: tuple[str, ...]) -> list[str]:
    return [n for n in names if n.startswith("joinedup.")
            and not any(n == a or n.startswith(a + ".") for a in allowed)]


def test_web_imports_only_the_app_layer() -> None:
    modules = sorted((SRC / "web").rglob("*.py"))
    assert len(modules) > 10
    bad = {str(m.relative_to(SRC)): _joinedup_outside(_imports(m, False),
                                                      ("joinedup.app", "joinedup.web"))
           for m in modules}
    assert {k: v for k, v in bad.items() if v} == {}


def test_server_cli_commands_import_the_app_lazily_and_nothing_heavy_up_front() -> None:
    for name in SERVER_CLI:
        path = SRC / "cli" / name
        top = _imports(path, True)
        assert _joinedup_outside(top, ("joinedup.cli",)) == [], name
        assert not {n.split(".")[0] for n in top} & HEAVY, name
        inside = _imports(path, False)
        assert _joinedup_outside(inside, ("joinedup.cli", "joinedup.app", "joinedup.web")) == []

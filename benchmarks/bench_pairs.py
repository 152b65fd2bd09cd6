"""Before and after: one `joinedup` command timed in interleaved pairs, another commit against
this tree.

Why: on a shared machine a whole command's wall time wanders by a third within minutes, more
than most changes are worth, so two recordings taken an hour apart cannot say whether a change
helped. Run in pairs, the two versions share whatever the machine is doing at that moment. The
other commit is checked out into a temporary git worktree and run with its `src` first on
`PYTHONPATH`, with the same interpreter and installed libraries; each side keeps its own query
cache (`JOINEDUP_CACHE_DIR`), warmed by one run first, so the pairs time repeats, or, with
`--first`, emptied before every run, so they time first runs that compile their queries.

    .venv/bin/python benchmarks/bench_pairs.py --against 3a0a53d [--pairs 5] [--first]
        [--db-before OLD_STORE] [--record NAME] -- run af --db STORE --out FOLDER

The command's own `--out` is given a folder for each side. `--db-before` runs the "before" side
on another store, for a change to how the store is built: a store loaded by the older commit,
compared with `--against HEAD` to time the same code on both stores. Results: for each side,
every pair's wall seconds, CPU seconds (user + system) and peak RSS, and their medians;
`--record NAME` writes results/pairs_NAME.json with the machine and the date.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import record, timed_command

REPO = Path(__file__).resolve().parents[1]
SIDES = ("before", "after")


def worktree(commit: str, folder: Path) -> Path:
    """`commit` checked out in `folder/tree`, beside a link to the shared data the repository
    reads from `../shared`, as this checkout has it."""
    tree = folder / "tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), commit],
                   check=True, capture_output=True)
    shared = REPO.parent / "shared"
    if shared.exists():
        (folder / "shared").symlink_to(shared)
    return tree


def side_command(args: list[str], out: Path, db: str | None = None) -> list[str]:
    """The joinedup command, run as `python -c` so that `PYTHONPATH` chooses the source tree,
    with its `--out` (if any) replaced by `out` and its `--db` by `db` (when given)."""
    args = list(args)
    if "--out" in args:
        args[args.index("--out") + 1] = str(out)
    if db is not None:
        if "--db" not in args:
            raise SystemExit("--db-before needs a command with --db")
        args[args.index("--db") + 1] = db
    return [sys.executable, "-c", "from joinedup.cli.main import app; app()", *args]


def pairs(
    args: list[str], commit: str, count: int, first: bool, db_before: str | None = None
) -> dict[str, Any]:
    """`count` interleaved pairs of `args`, `commit` then this tree in each pair (the first on
    `db_before`, when given)."""
    with tempfile.TemporaryDirectory(prefix="joinedup-pairs-") as scratch:
        folder = Path(scratch)
        tree = worktree(commit, folder)
        try:
            sources = {"before": tree / "src", "after": REPO / "src"}
            caches = {side: folder / f"cache-{side}" for side in SIDES}
            runs: dict[str, list[dict[str, float]]] = {side: [] for side in SIDES}

            def one(side: str) -> dict[str, float]:
                if first:
                    shutil.rmtree(caches[side], ignore_errors=True)
                env = {"PYTHONPATH": str(sources[side]), "JOINEDUP_CACHE_DIR": str(caches[side])}
                db = db_before if side == "before" else None
                return timed_command(side_command(args, folder / f"out-{side}", db), env)

            if not first:
                for side in SIDES:
                    one(side)  # keeps the side's queries: the pairs time repeats
            for number in range(1, count + 1):
                for side in SIDES:
                    runs[side].append(one(side))
                print(f"pair {number}: " + ", ".join(
                    f"{side} {runs[side][-1]['wall_s']:.2f} s" for side in SIDES), flush=True)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                           check=False, capture_output=True)
    return {side: {"runs": runs[side],
                   "median": {k: statistics.median(r[k] for r in runs[side])
                              for k in runs[side][0]}}
            for side in SIDES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="the commit to compare this tree with")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--first", action="store_true",
                        help="time first runs (an empty query cache before every run)")
    parser.add_argument("--db-before", metavar="STORE",
                        help="run the before side on this store instead of the command's --db")
    parser.add_argument("--record", metavar="NAME", help="write results/pairs_NAME.json")
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="the joinedup arguments, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command or args.pairs < 1:
        parser.error("give at least one pair and a joinedup command after --")
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.against],
                            check=True, capture_output=True, text=True).stdout.strip()
    after = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                           check=True, capture_output=True, text=True).stdout.strip()
    result = pairs(command, commit, args.pairs, args.first, args.db_before)
    for side, label in (("before", commit), ("after", f"{after} (this tree)")):
        walls = sorted(r["wall_s"] for r in result[side]["runs"])
        median = result[side]["median"]
        print(f"{side} {label}: median wall {median['wall_s']:.2f} s "
              f"({walls[0]:.2f}-{walls[-1]:.2f}), CPU {median['cpu_s']:.2f} s, "
              f"peak {median['peak_rss_mib']:.0f} MiB")
    if args.record:
        payload = {"command": command, "first_runs": args.first, "before_commit": commit,
                   "before_db": args.db_before,
                   "after_commit": after, "tree_clean": _clean(), "load_average_1m":
                   os.getloadavg()[0], **result}
        print(f"recorded {record(f'pairs_{args.record}', payload)}")
    return 0


def _clean() -> bool:
    """Whether this tree is its commit exactly (else "after" includes uncommitted changes)."""
    status = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
                            check=True, capture_output=True, text=True).stdout
    return not status.strip()


if __name__ == "__main__":
    raise SystemExit(main())

"""Time and peak memory of `joinedup synth` at a given size.

Target (DESIGN.md scale): one ICS of 2.6 M registered patients in at most 60 s and 6 GiB peak
resident memory on 2 cores. Run from the repository root:

    .venv/bin/python benchmarks/bench_synth.py --patients 2600000 --record
    .venv/bin/python benchmarks/bench_synth.py --patients 300000

Each measurement runs `generate` alone in a fresh interpreter (see harness.py), writing to a
temporary folder that is removed afterwards. `--record` writes results/synth_<patients>.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import measure, record

TARGET_SECONDS = 60.0
TARGET_PEAK_MIB = 6 * 1024.0
FULL_SIZE = 2_600_000


def run_generate(
    patients: int, out: str, seed: int, footprint: str, density: str = "realistic"
) -> dict[str, Any]:
    """The measured step: one full `generate` run (called in the child interpreter)."""
    from joinedup.sources.synthetic import generate

    result = generate(out, patients=patients, seed=seed, footprint=footprint, density=density)
    sizes = {name: path.stat().st_size for name, path in result.paths.items()}
    return {"rows": result.counts, "bytes": sizes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--footprint", default="west-yorkshire")
    parser.add_argument("--density", choices=("realistic", "programme"), default="realistic")
    parser.add_argument("--record", action="store_true", help="write results/synth_<n>.json")
    args = parser.parse_args(argv)

    out = Path(tempfile.mkdtemp(prefix="bench-synth-"))
    try:
        result = measure(
            "bench_synth",
            "run_generate",
            patients=args.patients,
            out=str(out),
            seed=args.seed,
            footprint=args.footprint,
            density=args.density,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)

    seconds, peak = float(result["seconds"]), float(result["peak_rss_mib"])
    rows = result["rows"]
    print(f"synth {args.footprint} {args.patients:,} patients (seed {args.seed}, {args.density})")
    print(f"  time        {seconds:8.1f} s")
    print(f"  peak RSS    {peak:8.0f} MiB")
    for name, count in rows.items():
        print(f"  {name:<16}{count:>12,} rows  {result['bytes'][name] / 2**20:8.1f} MiB")
    if args.patients >= FULL_SIZE:
        ok = seconds <= TARGET_SECONDS and peak <= TARGET_PEAK_MIB
        verdict = "meets" if ok else "MISSES"
        print(f"  {verdict} the target of {TARGET_SECONDS:.0f} s and {TARGET_PEAK_MIB:.0f} MiB")
    else:
        share = args.patients / FULL_SIZE
        print(
            f"  (at {share:.0%} of full size; the {TARGET_SECONDS:.0f} s / "
            f"{TARGET_PEAK_MIB / 1024:.0f} GiB target applies at {FULL_SIZE:,})"
        )
    if args.record:
        payload = {
            "patients": args.patients,
            "seed": args.seed,
            "footprint": args.footprint,
            "density": args.density,
            "target": {"seconds": TARGET_SECONDS, "peak_rss_mib": TARGET_PEAK_MIB},
            **result,
        }
        print(f"  recorded {record(f'synth_{args.patients}', payload)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Reads and searches per second, and latency, of the FHIR API at 50 concurrent clients.

A record of `--patients` patients (each registered at one practice, in hospital at the trust the
benchmark's care professional works for, with five blood-pressure Observations) is loaded into a
fresh SQLite operational store; `joinedup serve` runs it in its own process on 127.0.0.1; 50
clients (httpx, asyncio) then send a fixed number of requests each — bounded in count and time,
to loopback only — of one kind at a time: a read (`GET /fhir/Patient/{id}`), a search
(`GET /fhir/Observation?patient=…&code=…&date=ge…`) and `$everything`. Every request is
authorised by care relationship and audited (an audit row and an AuditEvent resource), so each
"read" also writes. Run from the repository root:

    .venv/bin/python benchmarks/bench_fhir.py --record
    .venv/bin/python benchmarks/bench_fhir.py --patients 500 --requests 20

`--record` writes results/fhir_api.json. `--load-only` times the loading alone (resources
written a second by `joinedup.app.record_load.load_resources`, 500 to a transaction) and, with
`--record`, writes results/fhir_load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import record

ROOT = Path(__file__).resolve().parent.parent
TRUST, PRACTICE = "RR8", "A81001"
SNOMED = "http://snomed.info/sct"


def seed(ops_url: str, patients: int) -> str:
    """Fill the record; returns the care professional's API token."""
    from joinedup.app.record import RecordService
    from joinedup.app.record_load import load_resources
    from joinedup.domain.nhs_number import synthetic_numbers
    from joinedup.domain.roles import Role
    from joinedup.operational import open_store

    store = open_store(ops_url)
    store.accounts.add("bench", Role.CARE_PROFESSIONAL, TRUST)
    token = store.accounts.issue_token("bench")
    service = RecordService(store)
    numbers = synthetic_numbers(patients)

    def resources() -> Any:
        for code in (TRUST, PRACTICE):
            yield code, {"resourceType": "Organization", "id": code, "identifier": [
                {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": code}]}
        for index, number in enumerate(numbers):
            pid = f"pt-{index}"
            yield pid, {"resourceType": "Patient", "id": pid, "gender": "female",
                        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number",
                                        "value": str(number)}],
                        "birthDate": f"19{30 + index % 60}-01-01",
                        "generalPractitioner": [{"reference": f"Organization/{PRACTICE}"}]}
            yield pid, {"resourceType": "Encounter", "id": f"enc-{index}", "status": "in-progress",
                        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                                  "code": "IMP"}, "subject": {"reference": f"Patient/{pid}"},
                        "serviceProvider": {"reference": f"Organization/{TRUST}"},
                        "period": {"start": "2026-10-01T10:00:00Z"}}
            for day in range(1, 6):
                yield pid, {"resourceType": "Observation", "id": f"bp-{index}-{day}",
                            "status": "final", "subject": {"reference": f"Patient/{pid}"},
                            "code": {"coding": [{"system": SNOMED, "code": "72313002"}]},
                            "effectiveDateTime": f"2026-10-0{day}",
                            "valueQuantity": {"value": 120 + day, "unit": "mmHg"}}

    report = load_resources(service, resources(), patients * 7 + 2)
    assert not report.rejected, report.rejected[:3]
    store.close()
    return token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def hammer(base: str, token: str, kind: str, patients: int, clients: int,
                 per_client: int, seed_value: int) -> dict[str, Any]:
    rng = random.Random(seed_value)
    plan = [[rng.randrange(patients) for _ in range(per_client)] for _ in range(clients)]
    latencies: list[float] = []
    errors = 0
    # drop idle connections before uvicorn's 5 s keep-alive timeout can close them under us
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients,
                          keepalive_expiry=2)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits,
                                 timeout=60) as client:

        async def one_client(targets: list[int]) -> None:
            nonlocal errors
            for index in targets:
                if kind == "read":
                    url = f"/fhir/Patient/pt-{index}"
                elif kind == "search":
                    url = (f"/fhir/Observation?patient=pt-{index}&code={SNOMED}|72313002"
                           "&date=ge2026-10-03")
                else:
                    url = f"/fhir/Patient/pt-{index}/$everything"
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(one_client(t) for t in plan)), timeout=900)
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {"kind": kind, "requests": len(latencies), "errors": errors,
            "seconds": round(elapsed, 2),
            "per_second": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1)}


def load_only(patients: int, keep: bool) -> int:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        seed(f"sqlite:///{Path(folder) / 'ics.ops.sqlite'}", patients)
        seconds = time.perf_counter() - started
    resources = patients * 7 + 2
    result = {"patients": patients, "resources": resources, "store": "sqlite",
              "seconds": round(seconds, 1), "per_second": round(resources / seconds, 1)}
    print(result)
    if keep:
        print(f"recorded {record('fhir_load', result)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="requests per client per kind")
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--load-only", action="store_true", help="time the loading alone")
    args = parser.parse_args()
    if args.load_only:
        return load_only(args.patients, args.record)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "ics.duckdb"
        db.touch()
        ops = f"sqlite:///{Path(folder) / 'ics.ops.sqlite'}"
        started = time.perf_counter()
        token = seed(ops, args.patients)
        seeded = time.perf_counter() - started
        port = free_port()
        log = (Path(folder) / "server.log").open("w")
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "joinedup"), "serve", "--db", str(db), "--ops", ops,
             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=log,
            env={**os.environ})
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/fhir/metadata", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            runs = [asyncio.run(hammer(base, token, kind, args.patients, args.clients,
                                       args.requests, seed_value))
                    for seed_value, kind in enumerate(("read", "search", "everything"))]
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
            errors = [line for line in (Path(folder) / "server.log").read_text().splitlines()
                      if "Error" in line or "Traceback" in line]
            print("\n".join(errors[:20]))
    for run in runs:
        print(run)
    if args.record:
        path = record("fhir_api", {"patients": args.patients, "clients": args.clients,
                                   "requests_per_client": args.requests,
                                   "seed_seconds": round(seeded, 1), "store": "sqlite",
                                   "runs": runs})
        print(f"recorded {path}")
    return 0 if all(r["errors"] == 0 for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""`joinedup waitlist synth | allocate | plan | simulate`: pooled waiting lists across trusts.

A thin command group over ``joinedup.app.waitlist``: it parses options, shows progress on long
work, prints what was written, and turns a ``UserError`` into one ``error:`` line with exit code
2. The use cases are imported inside each command so `joinedup --help` loads no solver.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from joinedup.app.errors import UserError
from joinedup.cli.errors import fail

group = typer.Typer(
    name="waitlist",
    help="Pooled waiting lists across trusts: synthetic lists, allocation to shared theatre "
    "sessions, queue planning and simulation.",
    no_args_is_help=True,
)

Parameters = Annotated[Path | None, typer.Option(
    "--parameters", help="Folder of CSVs overriding the waitlist parameter tables by name.",
    show_default=False,
)]
Seed = Annotated[int, typer.Option("--seed", min=0, help="Random seed; the same seed gives "
                                                         "the same output.")]


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} must be a date as YYYY-MM-DD, got {value!r}") from None


def _written(title: str, paths: dict[str, Path]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("output")
    table.add_column("file")
    for name, path in paths.items():
        table.add_row(name, str(path))
    Console().print(table)


@group.command("synth")
def synth_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the scenario into.",
                                      show_default=False)],
    seed: Seed = 7,
    today: Annotated[str, typer.Option("--today", metavar="YYYY-MM-DD",
                                       help="The lists' 'today': waits are counted to it.")]
    = "2025-03-31",
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=52,
                                       help="Weeks of theatre sessions in sessions.csv.")] = 4,
    patients: Annotated[int | None, typer.Option(
        "--patients", min=1, help="Scale the lists (and sessions and demand) to about this many "
        "waiting patients [default: the scenario's own size, about 1,200].",
        show_default=False)] = None,
    parameters: Parameters = None,
) -> None:
    """Write a synthetic three-trust scenario: contract tables, sessions.csv and demand.csv.

    The tables load with `joinedup load OUT --db FILE`; sessions.csv is a capacity file for
    `joinedup waitlist allocate`.
    """
    from rich.console import Console

    from joinedup.app.waitlist import SynthRequest, synth

    request = SynthRequest(out, seed, _date(today, "--today"), weeks, patients, parameters)
    try:
        result = synth(request)
    except UserError as exc:
        raise fail(str(exc)) from None
    counts = ", ".join(f"{k} {v:,}" for k, v in result.counts.items())
    Console().print(f"Synthetic pooled lists (seed {result.seed}, today {result.today}): {counts}")
    _written(f"Written to {result.out_dir}", result.paths)
    Console().print(f"Parameters: {result.parameters}")


@group.command("allocate")
def allocate_command(
    db: Annotated[Path, typer.Option("--db", help="Store loaded by `joinedup load` holding "
                                                  "waiting_list and patients.",
                                     show_default=False)],
    sessions: Annotated[Path, typer.Option("--sessions", help="Capacity file (CSV) of theatre "
                                                              "sessions; see docs/waitlist.md.",
                                           show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Folder for bookings.csv, unbooked.csv, "
                                                    "session_use.csv and summary.json.",
                                      show_default=False)],
    method: Annotated[str, typer.Option(
        "--method", help="optimiser (OR-Tools CP-SAT), greedy, or auto (optimiser up to 5,000 "
        "waiting patients).")] = "auto",
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=0.1, help="Seconds the optimiser may spend on each priority.")] = 10.0,
    parameters: Parameters = None,
) -> None:
    """Book the waiting list into sessions by clinical priority, then longest wait.

    Every booking says why this patient and why this session; patients left waiting say why.
    """
    from rich.console import Console

    from joinedup.app.waitlist import AllocateRequest, allocate

    err = Console(stderr=True)
    try:
        with err.status("allocating…"):
            result = allocate(AllocateRequest(db, sessions, out, method, time_limit, parameters))
    except UserError as exc:
        raise fail(str(exc)) from None
    s = result.summary
    Console().print(
        f"{s['method']}: booked {s['patients_booked']:,} of {s['patients_waiting']:,} waiting "
        f"patients into {s['sessions']:,} sessions ({s['booked_minutes']:,} of "
        f"{s['session_minutes']:,} minutes); weighted wait left {s['weighted_wait_left']:,} "
        f"(greedy rule: {s['greedy_weighted_wait_left']:,}); priority-order breaches "
        f"{s['priority_order_breaches']}"
    )
    _written(f"Written to {out}", result.paths)


@group.command("plan")
def plan_command(
    demand: Annotated[float, typer.Option("--demand", min=0, help="Patients added a week.",
                                          show_default=False)],
    queue_size: Annotated[float, typer.Option("--queue-size", min=0, help="Patients waiting now.",
                                              show_default=False)],
    target_wait: Annotated[float, typer.Option("--target-wait", min=0,
                                               help="Target wait in weeks (e.g. 18 or 52).",
                                               show_default=False)],
    time_to_target: Annotated[float, typer.Option(
        "--time-to-target", help="Weeks in which to reach the target queue size.")] = 26,
    factor: Annotated[float, typer.Option(
        "--factor", help="Target mean wait = target wait ÷ factor (4: about 98% within target)."
    )] = 4,
    cv_demand: Annotated[float, typer.Option(
        "--cv-demand", min=0, help="Coefficient of variation of demand.")] = 1,
    cv_capacity: Annotated[float, typer.Option(
        "--cv-capacity", min=0, help="Coefficient of variation of capacity.")] = 1,
    mean_wait: Annotated[float | None, typer.Option(
        "--mean-wait", min=0, help="Mean wait now, in weeks (gives the waiting-list pressure).",
        show_default=False)] = None,
    capacity: Annotated[float | None, typer.Option(
        "--capacity", min=0, help="Patients treated a week now (gives the queue load).",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Queue planning as NHSRwaitinglist 0.1.2 does it (Fong et al. 2022).

    Target mean wait and queue size for a target wait, relief capacity to reach the target queue
    in --time-to-target weeks, and target capacity allowing for variation.
    """
    from joinedup.app.waitlist import PlanRequest, plan_queue

    inputs = PlanRequest(demand, queue_size, target_wait, time_to_target, factor, cv_demand,
                        cv_capacity, mean_wait, capacity)
    try:
        result = plan_queue(inputs)
    except UserError as exc:
        raise fail(str(exc)) from None
    payload = {k: v for k, v in result.to_dict().items() if v is not None}
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(f"Waiting-list plan for a {target_wait:g}-week target (NHSRwaitinglist formulas)")
    typer.echo(f"  target mean wait:   {result.target_mean_wait:,.2f} weeks")
    typer.echo(f"  target queue size:  {result.target_queue_size:,.1f} patients"
               f"{'  (queue now more than twice this)' if result.queue_too_big else ''}")
    typer.echo(f"  relief capacity:    {result.relief_capacity:,.2f} a week for "
               f"{time_to_target:g} weeks")
    typer.echo(f"  target capacity:    {result.target_capacity:,.2f} a week")
    if result.queue_load is not None:
        typer.echo(f"  queue load:         {result.queue_load:,.3f}"
                   f"{'  (1 or more: the list grows)' if result.load_too_big else ''}")
    pressure = result.waiting_list_pressure
    if pressure is not None:
        warning = "  (above 1: likely to miss the target)" if pressure > 1 else ""
        typer.echo(f"  waiting-list pressure: {pressure:,.3f}{warning}")


@group.command("simulate")
def simulate_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for simulation.csv, summary.json "
                                                    "and report.html.", show_default=False)],
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=520, help="Weeks to simulate.")] = 52,
    seed: Seed = 7,
    start: Annotated[str, typer.Option("--start", metavar="YYYY-MM-DD",
                                       help="Run from the Monday after this date.")]
    = "2025-03-31",
    db: Annotated[Path | None, typer.Option(
        "--db", help="Start from the list loaded in this store instead of the synthetic one "
        "(its trusts must be in scenario_trusts.csv).", show_default=False)] = None,
    parameters: Parameters = None,
) -> None:
    """Simulate separate lists, pooled lists, and pooled lists with added shared sessions.

    All three start from the same list and see the same referrals; the effect of pooling (long
    waits, by trust) and of added capacity (list size) are reported apart.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from joinedup.app.waitlist import SimulateRequest, simulate

    request = SimulateRequest(out, weeks, seed, _date(start, "--start"), db, parameters)
    progress = Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(bar_width=30),
        TextColumn("{task.completed}/{task.total} weeks"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("starting", total=weeks * 3)
    done: dict[str, int] = {}

    def show(scenario: str, week: int) -> None:
        done[scenario] = week
        progress.update(task, description=scenario, completed=sum(done.values()))

    try:
        with progress:
            result = simulate(request, show)
    except UserError as exc:
        raise fail(str(exc)) from None
    s = result.summary
    console = Console()
    table = Table(title=f"After {weeks} weeks (seed {seed})")
    for column in ("scenario", "list", "over 18 wk", "over 52 wk", "over 65 wk", "over 78 wk"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for name in ("separate", "pooled", "pooled_plus_capacity"):
        row = s[name]
        table.add_row(name, *(f"{row[k]:,}" for k in ("final_list_size", "over_18", "over_52",
                                                      "over_65", "over_78")))
    console.print(table)
    _written(f"Written to {out}", result.paths)


def register(app: typer.Typer) -> None:
    """Add the `waitlist` command group to the app."""
    app.add_typer(group, name="waitlist")

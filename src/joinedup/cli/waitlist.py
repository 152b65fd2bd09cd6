"""`joinedup waitlist synth | allocate | plan | simulate`: pooled waiting lists across trusts.

A thin command group over ``joinedup.app.waitlist``: it parses options, shows progress on long
work, prints what was written, and turns a ``UserError`` into one ``error:`` line with exit code
2. The use cases are imported inside each command so `joinedup --help` loads no solver.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from joinedup.app.errors import UserError
from joinedup.cli.errors import fail
from joinedup.cli.group import Group
from joinedup.cli.options import PATH


@click.group("waitlist", cls=Group, no_args_is_help=True)
def group() -> None:
    """Pooled waiting lists across trusts: synthetic lists, allocation to shared theatre
    sessions, queue planning and simulation."""


parameters_option = click.option(
    "--parameters",
    type=PATH,
    help="Folder of CSVs overriding the waitlist parameter tables by name.",
)
seed_option = click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=7,
    help="Random seed; the same seed gives the same output.",
)


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
@click.option("--out", type=PATH, required=True, help="Folder to write the scenario into.")
@seed_option
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    default="2025-03-31",
    help="The lists' 'today': waits are counted to it.",
)
@click.option(
    "--weeks",
    type=click.IntRange(1, 52),
    default=4,
    help="Weeks of theatre sessions in sessions.csv.",
)
@click.option(
    "--patients",
    type=click.IntRange(min=1),
    help="Scale the lists (and sessions and demand) to about this many waiting "
    "patients [default: the scenario's own size, about 1,200].",
)
@parameters_option
def synth_command(
    out: Path, seed: int, today: str, weeks: int, patients: int | None, parameters: Path | None
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
@click.option(
    "--db",
    type=PATH,
    required=True,
    help="Store loaded by `joinedup load` holding waiting_list and patients.",
)
@click.option(
    "--sessions",
    type=PATH,
    required=True,
    help="Capacity file (CSV) of theatre sessions; see docs/waitlist.md.",
)
@click.option(
    "--out",
    type=PATH,
    required=True,
    help="Folder for bookings.csv, unbooked.csv, session_use.csv and summary.json.",
)
@click.option(
    "--method",
    default="auto",
    help="optimiser (OR-Tools CP-SAT), greedy, or auto (optimiser up to 5,000 waiting patients).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.1),
    default=10.0,
    help="Seconds the optimiser may spend on each priority.",
)
@parameters_option
def allocate_command(
    db: Path, sessions: Path, out: Path, method: str, time_limit: float, parameters: Path | None
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
@click.option(
    "--demand", type=click.FloatRange(min=0), required=True, help="Patients added a week."
)
@click.option(
    "--queue-size", type=click.FloatRange(min=0), required=True, help="Patients waiting now."
)
@click.option(
    "--target-wait",
    type=click.FloatRange(min=0),
    required=True,
    help="Target wait in weeks (e.g. 18 or 52).",
)
@click.option(
    "--time-to-target",
    type=float,
    default=26,
    help="Weeks in which to reach the target queue size.",
)
@click.option(
    "--factor",
    type=float,
    default=4,
    help="Target mean wait = target wait ÷ factor (4: about 98% within target).",
)
@click.option(
    "--cv-demand",
    type=click.FloatRange(min=0),
    default=1,
    help="Coefficient of variation of demand.",
)
@click.option(
    "--cv-capacity",
    type=click.FloatRange(min=0),
    default=1,
    help="Coefficient of variation of capacity.",
)
@click.option(
    "--mean-wait",
    type=click.FloatRange(min=0),
    help="Mean wait now, in weeks (gives the waiting-list pressure).",
)
@click.option(
    "--capacity",
    type=click.FloatRange(min=0),
    help="Patients treated a week now (gives the queue load).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def plan_command(
    demand: float,
    queue_size: float,
    target_wait: float,
    time_to_target: float,
    factor: float,
    cv_demand: float,
    cv_capacity: float,
    mean_wait: float | None,
    capacity: float | None,
    as_json: bool,
) -> None:
    """Queue planning as NHSRwaitinglist 0.1.2 does it (Fong et al. 2022).

    Target mean wait and queue size for a target wait, relief capacity to reach the target queue
    in --time-to-target weeks, and target capacity allowing for variation.
    """
    from joinedup.app.waitlist import PlanRequest, plan_queue

    inputs = PlanRequest(
        demand,
        queue_size,
        target_wait,
        time_to_target,
        factor,
        cv_demand,
        cv_capacity,
        mean_wait,
        capacity,
    )
    try:
        result = plan_queue(inputs)
    except UserError as exc:
        raise fail(str(exc)) from None
    payload = {k: v for k, v in result.to_dict().items() if v is not None}
    if as_json:
        click.echo(json.dumps(payload, indent=2))
        return
    click.echo(f"Waiting-list plan for a {target_wait:g}-week target (NHSRwaitinglist formulas)")
    click.echo(f"  target mean wait:   {result.target_mean_wait:,.2f} weeks")
    click.echo(
        f"  target queue size:  {result.target_queue_size:,.1f} patients"
        f"{'  (queue now more than twice this)' if result.queue_too_big else ''}"
    )
    click.echo(
        f"  relief capacity:    {result.relief_capacity:,.2f} a week for {time_to_target:g} weeks"
    )
    click.echo(f"  target capacity:    {result.target_capacity:,.2f} a week")
    if result.queue_load is not None:
        click.echo(
            f"  queue load:         {result.queue_load:,.3f}"
            f"{'  (1 or more: the list grows)' if result.load_too_big else ''}"
        )
    pressure = result.waiting_list_pressure
    if pressure is not None:
        warning = "  (above 1: likely to miss the target)" if pressure > 1 else ""
        click.echo(f"  waiting-list pressure: {pressure:,.3f}{warning}")


@group.command("simulate")
@click.option(
    "--out",
    type=PATH,
    required=True,
    help="Folder for simulation.csv, summary.json and report.html.",
)
@click.option("--weeks", type=click.IntRange(1, 520), default=52, help="Weeks to simulate.")
@seed_option
@click.option(
    "--start",
    metavar="YYYY-MM-DD",
    default="2025-03-31",
    help="Run from the Monday after this date.",
)
@click.option(
    "--db",
    type=PATH,
    help="Start from the list loaded in this store instead of the synthetic one (its "
    "trusts must be in scenario_trusts.csv).",
)
@parameters_option
def simulate_command(
    out: Path, weeks: int, seed: int, start: str, db: Path | None, parameters: Path | None
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
        table.add_row(
            name,
            *(
                f"{row[k]:,}"
                for k in ("final_list_size", "over_18", "over_52", "over_65", "over_78")
            ),
        )
    console.print(table)
    _written(f"Written to {out}", result.paths)


def register(app: click.Group) -> None:
    """Add the `waitlist` command group to the app."""
    app.add_command(group)

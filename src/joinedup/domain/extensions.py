"""Every extension point of joinedup on one screen, with the project's own features registered.

Why: a new condition, impact model, footprint, aggregate source, store kind or engine should be
a registration beside the existing ones, never a new branch in the code (DESIGN.md, STYLE.md
point 5). joinedup's own features register here exactly as a third party's would, so the seams
cannot rot. Targets are "module:attribute" strings, imported only when first used, so reading
this screen (or `joinedup --help`) loads nothing heavy. Another installed package adds entries
with a Python entry point in the group ``joinedup.<point>`` (e.g. ``joinedup.engine``), found by
`importlib.metadata` the first time a point lists or loads its names.

It lives in the domain and imports nothing but the domain's error type, so every layer may read it;
only the use cases (``joinedup.app``) resolve targets, so the domain itself never loads an adapter.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from joinedup.domain.errors import UserError


class UnknownExtensionError(UserError):
    """A name that is registered at no extension point; the message lists the names there are."""


@dataclass
class ExtensionPoint:
    """Named, lazily imported implementations of one kind; the first registered is the default."""

    kind: str
    description: str
    targets: dict[str, str] = field(default_factory=dict)
    _loaded: dict[str, Any] = field(default_factory=dict, repr=False)
    _entry_points_read: bool = field(default=False, repr=False)

    def register(self, name: str, target: str) -> None:
        """Add (or replace) `name`, implemented by `target` ("package.module:attribute")."""
        if ":" not in target:
            raise ValueError(f"{self.kind} {name!r}: target {target!r} is not 'module:attribute'")
        self.targets[name] = target
        self._loaded.pop(name, None)

    def names(self, *, plugins: bool = True) -> tuple[str, ...]:
        """Registered names, the project's own first, in registration order; `plugins=False`
        leaves out other packages' entry points (and the ~40 ms it takes to look for them)."""
        if plugins:
            self._read_entry_points()
        return tuple(self.targets)

    @property
    def default(self) -> str:
        return next(iter(self.targets))

    def __contains__(self, name: object) -> bool:
        return name in self.names()

    def load(self, name: str) -> Any:
        """The implementation registered as `name`, imported on first use."""
        if name not in self._loaded:
            if name not in self.names():
                raise UnknownExtensionError(
                    f"unknown {self.kind} {name!r}; choose one of: {', '.join(self.names())}"
                )
            module, _, attribute = self.targets[name].partition(":")
            value: Any = importlib.import_module(module)
            for part in attribute.split("."):
                value = getattr(value, part)
            self._loaded[name] = value
        return self._loaded[name]

    def _read_entry_points(self) -> None:
        if self._entry_points_read:
            return
        self._entry_points_read = True
        from importlib.metadata import entry_points  # ~40 ms: only when a point is first read

        group = "joinedup." + self.kind.replace(" ", "_")
        for point in entry_points(group=group):
            self.targets.setdefault(point.name, point.value)


PROGRAMMES = ExtensionPoint(
    "programme",
    "A find-and-treat programme: a folder holding programme.toml, its codelists and its cited "
    "parameters (docs/programmes.md). The target is the folder's package.",
    {
        "af": "joinedup.programmes.af:__path__",
        "hypertension": "joinedup.programmes.hypertension:__path__",
    },
)

IMPACT_MODELS = ExtensionPoint(
    "impact model",
    "Turns patients found and treated into events prevented, deaths avoided and money saved; a "
    "programme names its kind in programme.toml ([parameters] impact_model). The target is a "
    "class with `from_parameters(ParameterSet)` giving a `domain.impact.ImpactEstimator`.",
    {
        "stroke_risk_by_score": "joinedup.domain.impact.stroke_risk:StrokeRiskModel",
        "blood_pressure_lowering": "joinedup.domain.impact.blood_pressure:BloodPressureModel",
    },
)

STORE_KINDS = ExtensionPoint(
    "store kind",
    "How a kind of store gives the practice measure table: patient-level records measured by "
    "an engine, or published aggregates read as they are. The target is an object with "
    "`holds(con)`, `period_end(con)`, `practice_counts(con, programme, date, parameters, "
    "codelists)`, `measure(...)` (the counts and the breakdowns, from one pass) and "
    "`practice_counts_series(con, programme, days, ...)` (several dates in one pass).",
    {
        "patient_level": "joinedup.engines.patient_level:PATIENT_LEVEL",
        "aggregate": "joinedup.engines.aggregates:AGGREGATE",
    },
)

ENGINES = ExtensionPoint(
    "engine",
    "Where the measures run: a function `connect(path, read_only=...)` giving an Ibis backend "
    "over the store's tables, or a connection that becomes one on first use (DuckDB embedded "
    "by default, whose kept SQL runs without Ibis; Apache Spark, with a `master=` keyword, "
    "from the `spark` extra: docs/engines.md).",
    {
        "duckdb": "joinedup.engines.duckdb:connect",
        "spark": "joinedup.engines.spark:connect",
    },
)

FOOTPRINTS = ExtensionPoint(
    "footprint",
    "A footprint the synthetic generator can fill: a function `(rates, patients)` giving its "
    "organisations and list sizes (docs/synthetic.md).",
    {
        "west-yorkshire": "joinedup.sources.synthetic.footprint:synthetic_west_yorkshire",
        "west-yorkshire-2019": "joinedup.sources.synthetic.footprint_2019:west_yorkshire_2019",
    },
)

AGGREGATE_SOURCES = ExtensionPoint(
    "aggregate source",
    "Published files that fill or enrich a store of aggregates (`joinedup import NAME`). The "
    "target is the use case that checks the files and writes the store atomically.",
    {
        "qof": "joinedup.app.imports:import_qof",
        "cvdprevent": "joinedup.app.imports:import_cvdprevent",
        "ods": "joinedup.app.imports:import_ods",
    },
)

POINTS: tuple[ExtensionPoint, ...] = (
    PROGRAMMES, IMPACT_MODELS, STORE_KINDS, ENGINES, FOOTPRINTS, AGGREGATE_SOURCES,
)
"""Every extension point, for docs and `tests/unit/test_extensions.py`."""

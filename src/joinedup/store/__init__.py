"""The embedded store: validated, atomic loading into a DuckDB file, and read access to it.

``load`` turns a folder of contract files into a database and a rejects file; ``connect`` and
``ibis_connect`` open that database read-only for the programmes, and ``check_store`` gives any
other opener the same one-line answer for a path that holds no usable store. See
docs/loading.md.

Names load on first use (PEP 562): opening a store for a run reads only `store.reading`, and
should not pay for the loader's checks and staging to do so.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from joinedup.store.errors import LoadError, StoreError
    from joinedup.store.loader import ProgressEvent, default_rejects_path, load
    from joinedup.store.reading import check_store, connect, ibis_connect
    from joinedup.store.report import LoadReport, TableCounts

_HOMES = {
    "LoadError": "errors",
    "StoreError": "errors",
    "ProgressEvent": "loader",
    "default_rejects_path": "loader",
    "load": "loader",
    "check_store": "reading",
    "connect": "reading",
    "ibis_connect": "reading",
    "LoadReport": "report",
    "TableCounts": "report",
}

__all__ = [
    "LoadError",
    "LoadReport",
    "ProgressEvent",
    "StoreError",
    "TableCounts",
    "check_store",
    "connect",
    "default_rejects_path",
    "ibis_connect",
    "load",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"joinedup.store.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

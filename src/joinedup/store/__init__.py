"""The embedded store: validated, atomic loading into a DuckDB file, and read access to it.

``load`` turns a folder of contract files into a database and a rejects file; ``connect`` and
``ibis_connect`` open that database read-only for the programmes. See docs/loading.md.
"""

from joinedup.store.errors import LoadError, StoreError
from joinedup.store.loader import ProgressEvent, default_rejects_path, load
from joinedup.store.reading import connect, ibis_connect
from joinedup.store.report import LoadReport, TableCounts

__all__ = [
    "LoadError",
    "LoadReport",
    "ProgressEvent",
    "StoreError",
    "TableCounts",
    "connect",
    "default_rejects_path",
    "ibis_connect",
    "load",
]

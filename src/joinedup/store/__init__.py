"""The embedded store: validated, atomic loading into a DuckDB file, and read access to it.

``load`` turns a folder of contract files into a database and a rejects file; ``connect`` and
``ibis_connect`` open that database read-only for the programmes, and ``check_store`` gives any
other opener the same one-line answer for a path that holds no usable store. See
docs/loading.md.
"""

from joinedup.store.errors import LoadError, StoreError
from joinedup.store.loader import ProgressEvent, default_rejects_path, load
from joinedup.store.reading import check_store, connect, ibis_connect
from joinedup.store.report import LoadReport, TableCounts

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

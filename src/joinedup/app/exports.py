"""Download copies of tables (CSV, Excel) for the surfaces.

Why: the web layer imports only the use cases; the file formats live in `joinedup.outputs`.
"""

from __future__ import annotations

from joinedup.outputs.exports import FORMATS, export_table

__all__ = ["FORMATS", "export_table"]

"""Loading patient-level files into the embedded store: the use case behind `joinedup load`.

Why a use case of its own: surfaces import only `joinedup.app`; the validated, atomic loader
lives in `joinedup.store` and is called from here unchanged.
"""

from __future__ import annotations

from joinedup.store import LoadError, LoadReport, ProgressEvent, load

__all__ = ["LoadError", "LoadReport", "ProgressEvent", "load"]

"""The errors the store raises: problems a user can fix, told in one line that names the file.

Why separate: the CLI shows these as ``error: ...`` with exit code 2 and no traceback, while any
other exception is a bug and keeps its traceback. They are ``UserError``s, the one kind of error
every surface shows as a user's to fix. Messages name files, rows and fields, never patient
values.
"""

from __future__ import annotations

from joinedup.domain.errors import UserError


class StoreError(UserError):
    """A problem with the database file itself (missing, not a DuckDB file, in the way)."""


class LoadError(StoreError):
    """A load that cannot go ahead: a missing or unreadable file, missing columns, a bad folder.

    A load that raises this leaves the previous database exactly as it was.
    """

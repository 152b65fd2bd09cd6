"""The one kind of error a user can fix.

Why: every surface (the CLI today, the web server and FHIR API next) must tell a user's mistake
(a missing file, a bad option, a malformed definition) from a bug in joinedup. Every module's own
error type derives from `UserError`, so a surface catches this one class, shows its message as a
single line (CLI) or a 4xx answer (web), and lets anything else surface as a genuine fault.
Messages name files, rows and fields, never patient values.
"""

from __future__ import annotations


class UserError(ValueError):
    """A problem with the user's input, named so they can fix it (file, row, field, option)."""

"""Writing a big file in a forked child process while this one writes the others.

Why: the Excel copy of a national practice table takes xlsxwriter about 0.8 s of pure Python,
as long as every other file of the run together, and Python runs one thread at a time. A child
made by `fork` starts at once with the rows already in its memory (nothing is copied or pickled
up front), so on a machine with two or more cores the two halves run side by side.

Where `fork` is not safe or not there (macOS, Windows, one core) the file is written in this
process, as before. The child runs only the writer it is given (pure Python: it touches no
database, no console, no thread of the parent) and leaves with `os._exit`, so it never runs the
parent's exit handlers or flushes its buffers. A failure in the child is raised in the parent,
as the same exception where it can be sent back, naming the file either way; `wait` (or leaving
the `with` block) waits for every child, so a command never ends with a file half written.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

_FAILED = 1


class Alongside:
    """Writers started beside this process; leave the `with` block to wait for them all.

    For a command's own process (`joinedup run`, whose only other thread draws its progress
    line): a server's worker threads may hold locks a forked child would wait on for ever, so a
    server that writes files passes `fork=False`."""

    def __init__(self, *, fork: bool | None = None) -> None:
        self._fork = _can_fork() if fork is None else fork
        self._children: list[tuple[int, int, Path]] = []

    def __enter__(self) -> Alongside:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.wait()
        except Exception:
            if error is None:
                raise  # the child's failure is this block's; otherwise the block's own wins

    def start(self, path: Path, write: Callable[[], None]) -> None:
        """Write `path` by calling `write()`: in a forked child when this process can fork, else
        now. Import whatever `write` needs before calling this: an import in the child could
        wait on a lock another thread of the parent held at the fork."""
        if not self._fork:
            write()
            return
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # else the child's copy of the buffers could be written twice
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_end)
            _run_child(write, write_end)
        os.close(write_end)
        self._children.append((pid, read_end, path))

    def wait(self) -> None:
        """Wait for every child started; raise the first failure."""
        failures: list[BaseException] = []
        children, self._children = self._children, []
        for pid, read_end, path in children:
            with os.fdopen(read_end, "rb") as pipe:
                report = pipe.read()
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                failures.append(_failure(report, path, status))
        if failures:
            raise failures[0]


def _run_child(write: Callable[[], None], write_end: int) -> None:
    code = 0
    try:
        write()
    except BaseException as exc:  # every failure, Ctrl-C too, goes back to the parent
        code = _FAILED
        try:
            report = pickle.dumps(exc)
        except Exception:  # an exception that cannot be pickled: send its text
            report = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
        os.write(write_end, report)
    finally:
        os._exit(code)


def _failure(report: bytes, path: Path, status: int) -> BaseException:
    """The child's exception (with the file named), or why it died without one."""
    try:
        error: BaseException = pickle.loads(report)
    except Exception:
        return RuntimeError(f"writing {path} failed: the writer process ended with status "
                            f"{os.waitstatus_to_exitcode(status)}")
    if isinstance(error, Exception):
        error.add_note(f"while writing {path} (in a child process)")
    return error


def _can_fork() -> bool:
    """Linux with more than one core: `fork` is safe for a pure-Python writer and worth it."""
    return sys.platform == "linux" and hasattr(os, "fork") and (os.cpu_count() or 1) > 1

"""SIGINT and SIGTERM for commands that write files.

The CLI installs handlers that raise `Interrupted`, a `BaseException`, so the writers'
``finally`` blocks remove their temporary files and no ``except Exception`` swallows it.
A writer makes its output visible inside `commit`: signals are held while the files are
renamed into place, and once that is done a late signal is ignored, so a run never
reports an interruption after its output is complete.
"""

from __future__ import annotations

import signal
import typing as t
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM)

_committed = False


class Interrupted(BaseException):
    """A SIGINT or SIGTERM arrived before the output was complete."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """Return the shell's code for death by this signal: 128 plus its number."""
        return 128 + self.signum


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    if not _committed:
        raise Interrupted(signum)


def install() -> t.Callable[[], None]:
    """Install the handlers and return a function that restores the previous ones."""
    global _committed
    _committed = False
    previous = {number: signal.signal(number, _raise_interrupted) for number in HANDLED}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    return restore


@contextmanager
def commit() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while the block makes the output visible.

    A signal that arrives inside the block is delivered after it. When the block
    completed, the handlers ignore that signal, because the output is already complete.
    """
    global _committed
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
    try:
        yield
        _committed = True
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)

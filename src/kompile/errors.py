"""Errors that reach the user as one line on stderr and exit code 2.

Every failure kompile expects is a `KompileError`. It extends `click.ClickException`, so
the CLI prints it as ``Error: <message>`` without a traceback. The message is built from
three parts: where (file, line, column, key path), what failed, and what to do next.
Library code raises these and never calls `sys.exit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """Render a key path the way users write it: ``services.web.ports[1]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif text:
            text += f".{part}"
        else:
            text = part
    return text


def one_line(text: str) -> str:
    """Return ``text`` as one printable line, whatever keys or values it quotes.

    Line breaks of every kind (``\n``, ``\r``, form feed, U+2028 ...) become spaces, and
    other non-printable characters their Python escapes, so a message stays one line and
    cannot send control sequences to the terminal.
    """
    joined = " ".join(text.splitlines())
    if joined.isprintable():
        return joined
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in joined)


@dataclass(frozen=True)
class Location:
    """A place in a compose file: the file and, when known, the 1-based line and column."""

    file: Path | str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = str(self.file)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class KompileError(click.ClickException):
    """A failure caused by the input or the environment, shown as one line."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        key_path: KeyPath = (),
        hint: str | None = None,
    ) -> None:
        self.reason = message
        self.location = location
        self.key_path = key_path
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.key_path:
            parts.append(format_key_path(self.key_path))
        prefix = ": ".join(parts)
        text = f"{prefix}: {self.reason}" if prefix else self.reason
        if self.hint:
            text = f"{text.rstrip('.')}. {self.hint[:1].upper()}{self.hint[1:]}"
        return one_line(text)


class ComposeError(KompileError):
    """The compose project cannot be read: missing file, invalid YAML, wrong type."""


class ConversionError(KompileError):
    """The project is valid compose but cannot be turned into Kubernetes objects."""


class OutputError(KompileError):
    """The manifests cannot be written where the user asked."""


class StrictModeError(KompileError):
    """A warning was raised while ``--strict`` turns warnings into errors."""


class ClusterError(KompileError):
    """The cluster cannot be reached, or it rejected a request."""


class CheckError(KompileError):
    """``kompile check`` cannot judge the project: a bad Dockerfile or check setting."""

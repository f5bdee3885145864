"""Warnings about compose keys that were dropped or approximated.

Reader and mappers report through a `Diagnostics` object instead of printing, so the
library stays silent and the CLI decides: print each warning as one stderr line, hide them
with ``--quiet``, or fail on the first one with ``--strict``. A warning names the compose
service and key; it never contains a value, because values may be secrets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kompile.errors import KeyPath, StrictModeError, format_key_path, one_line


@dataclass(frozen=True)
class KompileWarning:
    """One dropped or approximated compose key."""

    message: str
    service: str | None = None
    key_path: KeyPath = ()

    def __str__(self) -> str:
        where = []
        if self.service is not None:
            where.append(f"service {self.service!r}")
        if self.key_path:
            where.append(format_key_path(self.key_path))
        prefix = ", ".join(where)
        return one_line(f"{prefix}: {self.message}" if prefix else self.message)


@dataclass
class Diagnostics:
    """Collects warnings and notes; with ``strict`` the first warning raises instead.

    A note reports something kompile did on purpose (variables moved to a Secret), so
    ``--strict`` does not turn it into an error.
    """

    strict: bool = False
    warnings: list[KompileWarning] = field(default_factory=list)
    notes: list[KompileWarning] = field(default_factory=list)
    # The warnings already in ``warnings``, so that a repeated warning costs one hash lookup.
    _seen: set[KompileWarning] = field(default_factory=set, init=False, repr=False, compare=False)

    def note(self, message: str, *, service: str | None = None) -> None:
        self.notes.append(KompileWarning(message, service))

    def warn(self, message: str, *, service: str | None = None, key_path: KeyPath = ()) -> None:
        warning = KompileWarning(message, service, key_path)
        if self.strict:
            raise StrictModeError(str(warning), hint="fix the compose file or run without --strict")
        if warning not in self._seen:
            self._seen.add(warning)
            self.warnings.append(warning)

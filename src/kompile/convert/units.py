"""Compose durations, byte sizes and CPU counts as numbers and Kubernetes quantities.

Compose writes durations in Go's syntax (``1m30s``, ``500ms``) and byte sizes with
binary units (``512m``, ``1.5g``: ``m`` is mebibytes, as in Docker, never milli).
Kubernetes wants whole seconds for probe and grace periods, and quantities whose
suffixes are ``Ki``/``Mi``/``Gi`` for memory and ``m`` (millicores) for CPU. Each parser
raises `ValueError` with a short reason; the mappers turn it into a `ConversionError`
that names the file and key.
"""

from __future__ import annotations

import math
import re
import typing as t

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_DURATION_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
# Docker's RAMInBytes syntax: a number, an optional binary unit, optional "i" and "b".
_BYTES = re.compile(r"^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$", re.IGNORECASE)
_BYTE_UNITS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}
_BINARY_SUFFIXES = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


def parse_duration(value: t.Any) -> float:
    """Return a Go duration (``1m30s``, ``250ms``, or a number of seconds) in seconds."""
    if isinstance(value, bool):
        raise ValueError("a duration cannot be a boolean")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text in ("0", ""):
        return 0.0
    position = 0
    total = 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != position:
            break
        total += float(match.group(1)) * _DURATION_SECONDS[match.group(2)]
        position = match.end()
    if position != len(text) or position == 0:
        raise ValueError(f"{text!r} is not a duration such as 30s, 1m30s or 500ms")
    return total


def whole_seconds(seconds: float, *, minimum: int = 0) -> int:
    """Round a duration up to whole seconds, because Kubernetes counts in seconds."""
    return max(minimum, math.ceil(seconds - 1e-9))


def parse_bytes(value: t.Any) -> int:
    """Return a Compose byte size (``1073741824``, ``512m``, ``1.5g``, ``64MiB``) in bytes."""
    if isinstance(value, bool):
        raise ValueError("a byte size cannot be a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    match = _BYTES.match(str(value).strip())
    if match is None:
        raise ValueError(f"{value!r} is not a byte size such as 512m, 1.5g or 1073741824")
    number, unit = match.group(1), (match.group(2) or "").lower()
    return int(float(number) * 1024 ** _BYTE_UNITS[unit])


def memory_quantity(size: int) -> str:
    """Return bytes as a Kubernetes quantity with the largest exact binary suffix."""
    for power in range(len(_BINARY_SUFFIXES) - 1, 0, -1):
        unit = 1024**power
        if size >= unit and size % unit == 0:
            return f"{size // unit}{_BINARY_SUFFIXES[power]}"
    return str(size)


def parse_cpus(value: t.Any) -> float:
    """Return a Compose CPU count (``1.5``, ``"0.5"``) as a number of CPUs."""
    if isinstance(value, bool):
        raise ValueError("a CPU count cannot be a boolean")
    try:
        cpus = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number of CPUs such as 0.5 or 2") from None
    if not math.isfinite(cpus) or cpus < 0:
        raise ValueError(f"{value!r} is not a number of CPUs such as 0.5 or 2")
    return cpus


def cpu_quantity(cpus: float) -> str:
    """Return CPUs as a Kubernetes quantity: whole CPUs as ``2``, fractions as ``500m``.

    Kubernetes resolves CPU to one millicore, so a non-zero amount below that becomes 1m.
    """
    millicores = round(cpus * 1000)
    if millicores == 0 and cpus > 0:
        millicores = 1
    if millicores % 1000 == 0:
        return str(millicores // 1000)
    return f"{millicores}m"

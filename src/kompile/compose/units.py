"""Durations and byte sizes in the notation Docker Compose reads and prints.

Durations use Go's ``time.ParseDuration`` syntax (``1m30s``, ``1.5s``, ``250ms``) and are
printed as Go's ``Duration.String`` does, so ``90s`` becomes ``1m30s``. Byte sizes use
binary multiples with an optional ``b``/``ib`` suffix (``512m``, ``1gb``, ``64MiB``), as
Docker's ``RAMInBytes`` reads them, and are printed as a decimal count of bytes.
"""

from __future__ import annotations

import re

NANOSECOND = 1
MICROSECOND = 1000
MILLISECOND = 1000 * MICROSECOND
SECOND = 1000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_DURATION_UNITS = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "µs": MICROSECOND,
    "μs": MICROSECOND,
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}
_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_BYTES = re.compile(r"^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$")
_BYTE_MULTIPLES = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def parse_duration(text: str) -> int:
    """Return the nanoseconds of a Go duration string; raises ValueError when invalid."""
    body = text.strip()
    sign = -1 if body.startswith("-") else 1
    body = body.lstrip("+-")
    if body == "0":
        return 0
    if not body:
        raise ValueError(f"invalid duration {text!r}")
    import decimal

    total = decimal.Decimal(0)
    position = 0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        if match is None:
            raise ValueError(f"invalid duration {text!r}")
        total += decimal.Decimal(match[1]) * _DURATION_UNITS[match[2]]
        position = match.end()
    return sign * int(total)


def format_duration(nanoseconds: int) -> str:
    """Format nanoseconds as Go's ``time.Duration.String`` does."""
    if nanoseconds == 0:
        return "0s"
    sign = "-" if nanoseconds < 0 else ""
    value = abs(nanoseconds)
    if value < SECOND:
        for unit, size in (("ms", MILLISECOND), ("µs", MICROSECOND)):
            if value >= size:
                return sign + _fraction(value, size) + unit
        return f"{sign}{value}ns"
    hours, rest = divmod(value, HOUR)
    minutes, rest = divmod(rest, MINUTE)
    text = _fraction(rest, SECOND) + "s"
    if hours or minutes:
        text = f"{minutes}m{text}"
    if hours:
        text = f"{hours}h{text}"
    return sign + text


def _fraction(value: int, size: int) -> str:
    whole, remainder = divmod(value, size)
    if not remainder:
        return str(whole)
    digits = len(str(size)) - 1
    return f"{whole}.{remainder:0{digits}d}".rstrip("0")


def normalize_duration(text: str) -> str:
    """Return a duration string in the form Docker Compose prints."""
    return format_duration(parse_duration(text))


def parse_bytes(value: str | int | float) -> int:
    """Return a byte size as an integer; raises ValueError when invalid."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    match = _BYTES.match(str(value).strip())
    if match is None:
        raise ValueError(f"invalid byte size {value!r}")
    import decimal

    number = decimal.Decimal(match[1])
    multiple = _BYTE_MULTIPLES[(match[2] or "").lower()]
    return int(number * multiple)

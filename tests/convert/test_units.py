"""Durations, byte sizes and CPU counts: Compose spellings to Kubernetes values."""

from __future__ import annotations

import pytest

from kompile.convert import units


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("1m30s", 90.0),
        ("1h", 3600.0),
        ("500ms", 0.5),
        ("1.5s", 1.5),
        ("2m0s", 120.0),
        ("100us", 0.0001),
        ("0", 0.0),
        (45, 45.0),
    ],
)
def test_parse_duration(text: object, seconds: float) -> None:
    assert units.parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["30", "abc", "1m30", "s", "-5s", "1d"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        units.parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "minimum", "expected"),
    [(0.5, 1, 1), (0.0, 1, 1), (90.0, 0, 90), (1.2, 0, 2), (0.0, 0, 0)],
)
def test_whole_seconds(seconds: float, minimum: int, expected: int) -> None:
    assert units.whole_seconds(seconds, minimum=minimum) == expected


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("256m", 256 * 1024**2),
        ("512M", 512 * 1024**2),
        ("1.5g", 1536 * 1024**2),
        ("1g", 1024**3),
        ("64MiB", 64 * 1024**2),
        ("100kb", 100 * 1024),
        ("1073741824", 1024**3),
        (134217728, 128 * 1024**2),
        ("10b", 10),
        ("10", 10),
    ],
)
def test_parse_bytes(text: object, size: int) -> None:
    assert units.parse_bytes(text) == size


@pytest.mark.parametrize("text", ["lots", "1.5x", "", "m"])
def test_parse_bytes_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a byte size"):
        units.parse_bytes(text)


@pytest.mark.parametrize(
    ("size", "quantity"),
    [
        (256 * 1024**2, "256Mi"),
        (1536 * 1024**2, "1536Mi"),
        (1024**3, "1Gi"),
        (1024, "1Ki"),
        (1000, "1000"),
        (3 * 1024**4, "3Ti"),
    ],
)
def test_memory_quantity(size: int, quantity: str) -> None:
    assert units.memory_quantity(size) == quantity


@pytest.mark.parametrize(
    ("cpus", "quantity"),
    [(0.5, "500m"), (1.5, "1500m"), (1.0, "1"), (2.0, "2"), (0.25, "250m"), (0.0001, "1m")],
)
def test_cpu_quantity(cpus: float, quantity: str) -> None:
    assert units.cpu_quantity(cpus) == quantity


@pytest.mark.parametrize(("value", "cpus"), [("0.5", 0.5), (1.5, 1.5), (2, 2.0)])
def test_parse_cpus(value: object, cpus: float) -> None:
    assert units.parse_cpus(value) == cpus


@pytest.mark.parametrize("value", ["half", "-1", True])
def test_parse_cpus_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="CPU"):
        units.parse_cpus(value)

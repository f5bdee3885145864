"""Durations and byte sizes, read and printed in Docker Compose's notation."""

from __future__ import annotations

import pytest

from kompile.compose.units import normalize_duration, parse_bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", "1m30s"),
        ("1m30s", "1m30s"),
        ("1500ms", "1.5s"),
        ("250ms", "250ms"),
        ("1h", "1h0m0s"),
        ("2m", "2m0s"),
        ("0", "0s"),
        ("1.5h", "1h30m0s"),
        ("10us", "10µs"),  # Go prints the micro sign.
        ("7ns", "7ns"),
    ],
)
def test_duration_printed_like_go(text: str, expected: str) -> None:
    assert normalize_duration(text) == expected


@pytest.mark.parametrize("text", ["10", "10 seconds", "s", ""])
def test_invalid_duration_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        normalize_duration(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("512m", 512 * 1024**2),
        ("1gb", 1024**3),
        ("128M", 128 * 1024**2),
        ("64MiB", 64 * 1024**2),
        ("1.5g", 1610612736),
        ("1KB", 1024),
        (1000, 1000),
        ("1000", 1000),
    ],
)
def test_byte_sizes_binary_multiples(value: str | int, expected: int) -> None:
    assert parse_bytes(value) == expected


def test_invalid_byte_size_rejected() -> None:
    with pytest.raises(ValueError, match="invalid byte size"):
        parse_bytes("lots")

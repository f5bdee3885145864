"""docs/x-kompile.md lists exactly the x-kompile keys that the mappers read."""

from __future__ import annotations

from pathlib import Path

from kompile.convert.extensions import render_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "x-kompile.md"


def test_reference_is_current() -> None:
    assert DOC.read_text() == render_reference(), "run python -m kompile.convert.extensions"

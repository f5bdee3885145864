"""Fixtures of the chart tests: charts built through the CLI."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from click.testing import CliRunner

from kompile.cli import cli

REPOSITORY = Path(__file__).resolve().parents[2]
GOLDEN = REPOSITORY / "golden"
CASES = sorted(path.parent.name for path in GOLDEN.glob("*/compose.yaml"))


@pytest.fixture
def make_chart(runner: CliRunner, tmp_path: Path) -> t.Callable[..., Path]:
    """Return a function that runs ``kompile chart`` on a compose file and returns the folder."""

    def make(compose: Path, *options: str, name: str = "chart") -> Path:
        out = tmp_path / name
        arguments = ["chart", "-q", "-f", str(compose), "-o", str(out), *options]
        result = runner.invoke(cli, arguments, catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return out

    return make

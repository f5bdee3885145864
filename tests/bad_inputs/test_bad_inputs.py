"""Every bad input of the corpus fails cleanly with every command that reads a project.

For each case and each of convert, config, chart -o and check:

- the exit code is 2 and stdout is empty;
- stderr is exactly one line, starting with ``Error: ``, with no traceback;
- that line contains the expected substring, the file (and line when known) and the key
  path of the case;
- no file appears or changes in the case folder, and chart's output folder stays absent.

One command per case runs as ``python -m kompile`` in a child process. The commands take
turns over the cases, so each one runs that way for about a quarter of them. The others
run through the same entry point in-process, which costs milliseconds instead of a
Python start-up. With ``--debug`` every command prints the traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import kompile.cli
from tests.bad_inputs.corpus import BadInput, load_cases, prepare, unreadable_as_this_user

CASES = load_cases()
TIMEOUT_SECONDS = 120


def kompile_env() -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("COMPOSE_") and name != "KUBECONFIG"
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def command_line(command: str, case: BadInput, chart_out: Path) -> list[str]:
    args = [command, *case.args]
    if command == "chart":
        args += ["-o", str(chart_out)]
    return args


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Return every path under ``folder`` with its contents (None for folders)."""
    result: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        if path.is_dir():
            result[relative] = None
        elif os.access(path, os.R_OK):
            result[relative] = path.read_bytes()
        else:
            result[relative] = b"<unreadable>"
    return result


def skip_unless_unreadable(case: BadInput, work: Path) -> None:
    if case.setup == "unreadable" and not unreadable_as_this_user(work / "compose.yaml"):
        pytest.skip("running as root, so chmod cannot make the file unreadable")


def check_message(case: BadInput, label: str, message: str) -> None:
    assert case.message in message, f"{label}: {message}"
    where = case.where()
    if where is not None:
        assert where in message, f"{label}: {message}"
    if case.key is not None:
        assert case.key in message, f"{label}: {message}"


def test_corpus_has_fifty_cases() -> None:
    assert len(CASES) >= 50


def test_every_case_expects_exit_two() -> None:
    assert {case.exit_code for case in CASES} == {2}


@dataclass
class Outcome:
    """What one command printed; the texts stay out of the repr."""

    exit_code: int
    stdout: str = field(repr=False)
    stderr: str = field(repr=False)


def run_child(args: list[str], work: Path) -> Outcome:
    result = subprocess.run(
        [sys.executable, "-m", "kompile", *args],
        cwd=work,
        env=kompile_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    return Outcome(result.returncode, result.stdout, result.stderr)


@pytest.fixture
def run_here(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> t.Callable[[list[str], Path], Outcome]:
    """Return a function that runs kompile's entry point in this process."""
    for name in ("COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", "KUBECONFIG"):
        monkeypatch.delenv(name, raising=False)

    def run(args: list[str], work: Path) -> Outcome:
        monkeypatch.chdir(work)
        monkeypatch.setattr(kompile.cli, "_debug", False)
        code: int | str | None = 0
        try:
            kompile.cli.main(args)
        except SystemExit as exited:
            code = exited.code
        captured = capsys.readouterr()
        return Outcome(code if isinstance(code, int) else -1, captured.out, captured.err)

    return run


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case.name for case in CASES])
def test_bad_input_fails_cleanly(
    index: int, tmp_path: Path, run_here: t.Callable[[list[str], Path], Outcome]
) -> None:
    case = CASES[index]
    work = prepare(case, tmp_path)
    skip_unless_unreadable(case, work)
    before = snapshot(work)
    chart_out = tmp_path / "chart-out"
    child_command = case.commands[index % len(case.commands)]
    for command in case.commands:
        args = command_line(command, case, chart_out)
        in_child = command == child_command
        outcome = run_child(args, work) if in_child else run_here(args, work)
        label = f"kompile {command}" + (" (child process)" if in_child else "")
        assert outcome.exit_code == case.exit_code, f"{label}: {outcome.stderr}"
        assert outcome.stdout == "", label
        lines = outcome.stderr.splitlines()
        assert len(lines) == 1, f"{label}: {outcome.stderr}"
        assert lines[0].startswith("Error: "), f"{label}: {outcome.stderr}"
        assert "Traceback" not in outcome.stderr, label
        check_message(case, label, lines[0])
    assert snapshot(work) == before
    assert not chart_out.exists()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_debug_shows_traceback(
    case: BadInput,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    work = prepare(case, tmp_path)
    skip_unless_unreadable(case, work)
    monkeypatch.chdir(work)
    for name in ("COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", "KUBECONFIG"):
        monkeypatch.delenv(name, raising=False)
    for command in case.commands:
        monkeypatch.setattr(kompile.cli, "_debug", False)
        args = command_line(command, case, tmp_path / "chart-out")
        with pytest.raises(SystemExit) as exited:
            kompile.cli.main([*args, "--debug"])
        stderr = capsys.readouterr().err
        label = f"kompile {command} --debug"
        assert exited.value.code == case.exit_code, f"{label}: {stderr}"
        assert "Traceback" in stderr, label
        last = stderr.splitlines()[-1]
        assert last.startswith("Error: "), f"{label}: {stderr}"
        check_message(case, label, last)

"""SIGINT and SIGTERM during file output: no temporary files left, exit 130 or 143.

Each case converts a generated project in a subprocess, waits until the hidden
temporary file or folder appears, and sends the signal. When the write wins the race,
the run must have completed normally, and the case retries with a larger project.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kompile import interrupts

# Project sizes in services, tried in order until a signal lands during the write.
SIZES = (400, 1600, 6400)


def write_project(folder: Path, services: int) -> Path:
    lines = ["services:"]
    for index in range(services):
        lines += [
            f"  service{index}:",
            "    image: nginx",
            f"    ports: ['{10000 + index}:80']",
            "    environment:",
            "      MODE: production",
            "    labels:",
            "      com.example.owner: web",
        ]
    path = folder / "compose.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def hidden_entries(folder: Path) -> list[str]:
    return sorted(entry.name for entry in os.scandir(folder) if entry.name.startswith("."))


def signal_during_write(
    folder: Path, output: str, signum: int
) -> tuple[subprocess.CompletedProcess[str], bool]:
    """Run one conversion and send ``signum`` once a temporary entry exists.

    Returns the finished process and whether the signal was sent before it exited.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "kompile", "convert", "-q", "-o", output],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sent = False
    while process.poll() is None:
        if hidden_entries(folder):
            process.send_signal(signum)
            sent = True
            break
        time.sleep(0.0005)
    stdout, stderr = process.communicate()
    completed = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return completed, sent


CASES = {
    "file-sigint": ("all.yaml", signal.SIGINT),
    "file-sigterm": ("all.yaml", signal.SIGTERM),
    "folder-sigterm": ("k8s", signal.SIGTERM),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_signal_removes_temporary_output(case: str, tmp_path: Path) -> None:
    output, signum = CASES[case]
    interrupted = False
    for size in SIZES:
        folder = tmp_path / str(size)
        folder.mkdir()
        write_project(folder, size)
        result, sent = signal_during_write(folder, output, signum)
        assert hidden_entries(folder) == [], result.stderr
        if result.returncode == 0:
            # The write completed before the signal was handled: a complete run.
            assert "Aborted" not in result.stderr
            assert (folder / output).exists()
            continue
        assert sent
        assert result.returncode == 128 + signum, result.stderr
        assert result.stderr.splitlines() == [f"Aborted ({signal.Signals(signum).name})."]
        assert not (folder / output).exists()
        interrupted = True
        break
    assert interrupted, f"every write finished before the signal, up to {SIZES[-1]} services"


def test_signal_after_commit_is_ignored() -> None:
    restore = interrupts.install()
    try:
        with interrupts.commit():
            pass
        os.kill(os.getpid(), signal.SIGTERM)
    finally:
        restore()


def test_signal_before_commit_raises() -> None:
    restore = interrupts.install()
    try:
        with pytest.raises(interrupts.Interrupted) as raised:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # The handler runs at the next bytecode, well before this ends.
        assert raised.value.exit_code == 143
    finally:
        restore()


def test_signal_inside_commit_does_not_abort() -> None:
    restore = interrupts.install()
    try:
        with interrupts.commit():
            os.kill(os.getpid(), signal.SIGINT)
            reached = True
        assert reached
    finally:
        restore()

"""Invalid input: one line on stderr, exit 2, no traceback and nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BAD_INPUTS = {
    "invalid-yaml": ("services:\n  web:\n    image: [nginx\n", "compose.yaml:4"),
    "ports-string": ("services:\n  web:\n    image: nginx\n    ports: abc\n", "services.web.ports"),
    "services-list": ("services: []\n", "services"),
    "bad-port": ("services:\n  web:\n    image: nginx\n    ports: ['abc']\n", "ports[0]"),
    "duplicate-key": ("services:\n  web:\n    image: a\n    image: b\n", "compose.yaml:4"),
}


def run_kompile(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kompile", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_fails_cleanly(name: str, tmp_path: Path) -> None:
    text, where = BAD_INPUTS[name]
    (tmp_path / "compose.yaml").write_text(text)
    out = tmp_path / "out.yaml"
    result = run_kompile("convert", "-o", str(out), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert where in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "compose.yaml"]


def test_missing_file_names_it(tmp_path: Path) -> None:
    result = run_kompile("convert", "-f", "absent.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "absent.yaml" in result.stderr


def test_no_compose_file_found(tmp_path: Path) -> None:
    result = run_kompile("convert", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "compose.yaml" in result.stderr


def test_debug_shows_traceback(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services: []\n")
    result = run_kompile("convert", "--debug", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" in result.stderr


def test_failed_folder_output_keeps_old_files(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    out = tmp_path / "k8s"
    assert run_kompile("convert", "-o", str(out), cwd=tmp_path).returncode == 0
    before = {path.name: path.read_text() for path in out.iterdir()}
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    ports: [abc]\n")
    assert run_kompile("convert", "-o", str(out), cwd=tmp_path).returncode == 2
    after = {path.name: path.read_text() for path in out.iterdir()}
    assert after == before

"""Messages for bad input and bad options: one line, a location where one exists, a hint.

Covers stdin that is not UTF-8, an empty COMPOSE_FILE list, YAML syntax errors, empty and
unreadable files, name collisions, output paths that cannot be written, click's usage
errors and a missing --env-file.
"""

from __future__ import annotations

import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

from kompile.cli import main
from kompile.compose import files
from kompile.errors import ComposeError

WEB = "services:\n  web:\n    image: nginx\n"


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


class WorkDir:
    """A temporary working folder that the CLI runs in, in this process."""

    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.folder = folder
        self.capsys = capsys

    def write(self, text: str, name: str = "compose.yaml") -> None:
        (self.folder / name).write_text(text)

    def run(self, *argv: str) -> tuple[int, str, str]:
        return run_main(list(argv), self.capsys)


@pytest.fixture
def workdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> WorkDir:
    monkeypatch.chdir(tmp_path)
    return WorkDir(tmp_path, capsys)


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_stdin_not_utf8_is_named(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kompile", "convert", "-f", "-"],
        input=b"\xff",
        cwd=tmp_path,
        capture_output=True,
        check=False,
        env={"PATH": "", "LC_ALL": "C"},
    )
    assert result.returncode == 2
    line = one_error_line(result.stderr.decode())
    assert "stdin is not UTF-8" in line
    assert "internal error" not in line


def test_stdin_utf8_converts(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kompile", "convert", "-q", "-f", "-"],
        input=(WEB + "    labels:\n      note: café\n").encode(),
        cwd=tmp_path,
        capture_output=True,
        check=False,
        env={"PATH": "", "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert b"kind: Deployment" in result.stdout


def test_compose_file_without_names(workdir: WorkDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPOSE_FILE", ":::")
    monkeypatch.delenv("COMPOSE_PATH_SEPARATOR", raising=False)
    code, _, err = workdir.run("config")
    assert code == 2
    line = one_error_line(err)
    assert "COMPOSE_FILE ':::' names no file" in line
    assert "unset COMPOSE_FILE" in line


def test_empty_path_separator_uses_default(
    workdir: WorkDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    workdir.write(WEB, "one.yaml")
    monkeypatch.setenv("COMPOSE_FILE", "one.yaml")
    monkeypatch.setenv("COMPOSE_PATH_SEPARATOR", "")
    code, out, _ = workdir.run("config", "-q")
    assert code == 0
    assert "web:" in out


def test_include_with_empty_path_list(workdir: WorkDir) -> None:
    workdir.write("include:\n  - path: []\n" + WEB)
    code, out, _ = workdir.run("config", "-q")
    assert code == 0
    assert "web:" in out


YAML_ERRORS = {
    "unclosed-list": ("services:\n  web: [\n  db: x\n", ":4:1:", "close the [ list"),
    "second-document": (WEB + "---\nx: 1\n", ":4:1:", "remove the '---' line"),
    "bad-indent": ("services:\n  web:\n    image: x\n   db: 1\n", ":4:4:", "indented like"),
    "tab": ("services:\n\tweb: 1\n", ":2:1:", "tabs"),
    "unknown-alias": ("services: *web\n", ":1:11:", "&anchor"),
}


@pytest.mark.parametrize("case", sorted(YAML_ERRORS))
def test_yaml_error_has_line_and_hint(case: str, workdir: WorkDir) -> None:
    text, where, hint = YAML_ERRORS[case]
    workdir.write(text)
    code, _, err = workdir.run("convert")
    assert code == 2
    line = one_error_line(err)
    assert f"compose.yaml{where} invalid YAML" in line
    assert hint in line.lower()


def test_empty_file_has_hint(workdir: WorkDir) -> None:
    workdir.write("")
    code, _, err = workdir.run("convert")
    assert code == 2
    line = one_error_line(err)
    assert "the compose file is empty" in line
    assert "Add a services: section" in line


def test_permission_denied_has_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Tests may run as root, which reads any file, so the failure is simulated.
    def deny(self: Path, *args: object, **kwargs: object) -> t.NoReturn:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(ComposeError) as error:
        files.read_text(str(tmp_path / "compose.yaml"))
    assert "permission denied" in str(error.value)
    assert "read permission" in str(error.value)


def test_collision_names_second_service(workdir: WorkDir) -> None:
    text = "services:\n  web_1:\n    image: nginx\n  web-1:\n    image: nginx\n"
    workdir.write(text)
    code, _, err = workdir.run("convert")
    assert code == 2
    line = one_error_line(err)
    assert "compose.yaml:4:3: service 'web_1' and service 'web-1' both become" in line
    assert "Rename one of them" in line


def test_output_folder_named_like_file(workdir: WorkDir) -> None:
    workdir.write(WEB)
    (workdir.folder / "isdir.yaml").mkdir()
    code, _, err = workdir.run("convert", "-o", "isdir.yaml")
    assert code == 2
    line = one_error_line(err)
    assert "cannot write isdir.yaml: it is a folder" in line
    assert "remove the folder" in line
    assert list((workdir.folder / "isdir.yaml").iterdir()) == []


def test_output_with_other_extension(workdir: WorkDir) -> None:
    workdir.write(WEB)
    code, _, err = workdir.run("convert", "-o", "all.txt")
    assert code == 2
    line = one_error_line(err)
    assert "'.txt' is not a manifest file extension" in line
    assert "Name a .yaml, .yml or .json file" in line
    assert not (workdir.folder / "all.txt").exists()


def test_existing_folder_with_dot_is_used(workdir: WorkDir) -> None:
    workdir.write(WEB)
    (workdir.folder / "k8s.d").mkdir()
    code, _, _ = workdir.run("convert", "-o", "k8s.d")
    assert code == 0
    assert (workdir.folder / "k8s.d" / "web-deployment.yaml").is_file()


def test_uppercase_extension_is_a_file(workdir: WorkDir) -> None:
    workdir.write(WEB)
    code, _, _ = workdir.run("convert", "-o", "ALL.YAML")
    assert code == 0
    assert (workdir.folder / "ALL.YAML").is_file()


USAGE_ERRORS = {
    "bad-choice": (["convert", "--format", "xml"], "Invalid value for '--format'"),
    "unknown-option": (["convert", "--bogus"], "No such option '--bogus'"),
    "unknown-command": (["bogus"], "No such command 'bogus'"),
}


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_error_is_one_line(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv, message = USAGE_ERRORS[case]
    code, out, err = run_main(argv, capsys)
    assert code == 2
    assert out == ""
    line = one_error_line(err)
    assert message in line
    assert "--help' for the options" in line


def test_missing_env_file_fails(workdir: WorkDir) -> None:
    workdir.write(WEB)
    code, out, err = workdir.run("convert", "--env-file", "missing.env")
    assert code == 2
    assert out == ""
    line = one_error_line(err)
    assert "missing.env not found" in line

"""The bad-input corpus: one folder per case, each with an ``expected.yaml``.

``expected.yaml`` describes what every command must do with the case:

- ``message``: a substring of the one ``Error:`` line;
- ``exit``: the exit code, always 2;
- ``file`` and ``line``: the file the message names, relative to the case folder, and
  its 1-based line when the reader knows it. ``file`` is absent when no file is at fault;
- ``key``: the key path the message names, when one is at fault;
- ``commands``: the commands that must fail, when not all of convert, config, chart and
  check; ``why`` says why the others succeed;
- ``args``: options added after the command name;
- ``setup``: the name of a function below that writes the input at test time, for
  inputs that git cannot hold or that are too large to commit;
- ``secrets``: values in the input that no output may contain.
"""

from __future__ import annotations

import os
import shutil
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent
COMMANDS = ("convert", "config", "chart", "check")
EXPECTED = "expected.yaml"
LARGE_FILE_BYTES = 50 * 2**20


@dataclass(frozen=True)
class BadInput:
    """One case of the corpus."""

    name: str
    folder: Path
    message: str
    exit_code: int
    file: str | None = None
    line: int | None = None
    key: str | None = None
    commands: tuple[str, ...] = COMMANDS
    args: tuple[str, ...] = ()
    setup: str | None = None
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def where(self) -> str | None:
        """Return the ``file:line`` (or file) text the message must contain."""
        if self.file is None:
            return None
        name = Path(self.file).name
        return f"{name}:{self.line}" if self.line is not None else name


def load_cases() -> list[BadInput]:
    cases = []
    for expected_file in sorted(CORPUS.glob(f"*/{EXPECTED}")):
        data = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
        cases.append(
            BadInput(
                name=expected_file.parent.name,
                folder=expected_file.parent,
                message=data["message"],
                exit_code=data["exit"],
                file=data.get("file"),
                line=data.get("line"),
                key=data.get("key"),
                commands=tuple(data.get("commands", COMMANDS)),
                args=tuple(data.get("args", ())),
                setup=data.get("setup"),
                secrets=tuple(data.get("secrets", ())),
            )
        )
    return cases


def prepare(case: BadInput, parent: Path) -> Path:
    """Copy the case into ``parent`` (its folder name kept) and run its setup there."""
    work = parent / case.name
    shutil.copytree(case.folder, work, ignore=shutil.ignore_patterns(EXPECTED))
    if case.setup is not None:
        SETUPS[case.setup](work)
    return work


def unreadable_as_this_user(path: Path) -> bool:
    """Tell whether chmod made ``path`` unreadable; root reads every file regardless."""
    return not os.access(path, os.R_OK)


def _alias_bomb(work: Path) -> None:
    # Each level lists the previous one nine times: 9**10 strings once expanded.
    lines = ['l0: &l0 ["kompile", "kompile", "kompile", "kompile", "kompile"]']
    for level in range(1, 10):
        items = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{items}]")
    lines += ["services:", "  web:", "    image: nginx:1.27", "    command: *l9"]
    (work / "compose.yaml").write_text("\n".join(lines) + "\n")


def _deep_flow(work: Path) -> None:
    depth = 10_000
    text = "services:\n  web:\n    image: nginx:1.27\n    x-deep: " + "[" * depth + "]" * depth
    (work / "compose.yaml").write_text(text + "\n")


def _deep_block(work: Path) -> None:
    depth = 300
    labels = "{a: " * depth + "b" + "}" * depth
    (work / "compose.yaml").write_text(
        f"services:\n  web:\n    image: nginx:1.27\n    labels: {labels}\n"
    )


def _binary(work: Path) -> None:
    (work / "compose.yaml").write_bytes(bytes(range(256)) * 16)


def _utf16(work: Path) -> None:
    (work / "compose.yaml").write_bytes("services:\n  web:\n    image: nginx\n".encode("utf-16"))


def _latin1(work: Path) -> None:
    text = "services:\n  web:\n    image: nginx\n    labels:\n      owner: café\n"
    (work / "compose.yaml").write_bytes(text.encode("latin-1"))


def _directory(work: Path) -> None:
    (work / "compose.yaml").mkdir()
    (work / "compose.yaml" / "README.md").write_text("a folder, not a compose file\n")


def _unreadable(work: Path) -> None:
    (work / "compose.yaml").chmod(0)


def _large(work: Path) -> None:
    padding = b"# " + b"padding " * 15 + b"\n"
    with (work / "compose.yaml").open("wb") as handle:
        handle.write(b"services:\n  web:\n    image: nginx:1.27\n")
        handle.write(padding * (LARGE_FILE_BYTES // len(padding) + 1))


def _binary_env(work: Path) -> None:
    (work / "app.env").write_bytes(b"A=1\n" + bytes(range(128, 256)))


SETUPS: dict[str, t.Callable[[Path], None]] = {
    "alias-bomb": _alias_bomb,
    "deep-flow": _deep_flow,
    "deep-block": _deep_block,
    "binary": _binary,
    "utf16": _utf16,
    "latin1": _latin1,
    "directory": _directory,
    "unreadable": _unreadable,
    "large": _large,
    "binary-env": _binary_env,
}

"""Helpers that write a small compose project to a folder and check it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from kompile.check import CheckOptions, Report, check_project
from kompile.compose.loader import LoadOptions, load_project
from kompile.diagnostics import Diagnostics


def write_project(folder: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path → text, dedented) and return the compose file."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return folder / "compose.yaml"


def check_files(
    folder: Path, files: dict[str, str], *, require_digest: bool = False
) -> tuple[Report, Diagnostics]:
    """Write a project, load it with kompile's reader and run every rule over it."""
    compose = write_project(folder, files)
    diagnostics = Diagnostics()
    project = load_project(LoadOptions(files=[str(compose)]), diagnostics)
    report = check_project(project, CheckOptions(require_digest=require_digest), diagnostics)
    return report, diagnostics

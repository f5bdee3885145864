"""Run ``kompile convert`` on a compose text written to a temporary project folder."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from pathlib import Path

import yaml
from click.testing import CliRunner

from kompile.cli import cli

Manifest = dict[str, t.Any]


@dataclass
class Converted:
    """The outcome of one conversion: exit code, objects and stderr lines."""

    exit_code: int
    objects: list[Manifest]
    stderr: str

    def find(self, kind: str, name: str) -> Manifest:
        for obj in self.objects:
            if obj["kind"] == kind and obj["metadata"]["name"] == name:
                return obj
        raise AssertionError(f"{kind}/{name} is not among the objects")

    def kinds(self, kind: str) -> list[Manifest]:
        return [obj for obj in self.objects if obj["kind"] == kind]

    def pod(self, name: str) -> dict[str, t.Any]:
        return t.cast(dict[str, t.Any], self.find("Deployment", name)["spec"]["template"]["spec"])

    def container(self, name: str) -> dict[str, t.Any]:
        return t.cast(dict[str, t.Any], self.pod(name)["containers"][0])

    def warnings(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("warning:")]


def convert(
    project: Path, compose: str, *flags: str, env: dict[str, str] | None = None
) -> Converted:
    """Write ``compose`` to ``project/compose.yaml`` and convert it."""
    project.mkdir(parents=True, exist_ok=True)
    (project / "compose.yaml").write_text(compose)
    args = ["convert", "-f", str(project / "compose.yaml"), *flags]
    result = CliRunner().invoke(cli, args, env=env)
    objects = list(yaml.safe_load_all(result.stdout)) if result.exit_code == 0 else []
    return Converted(result.exit_code, [obj for obj in objects if obj], result.stderr)

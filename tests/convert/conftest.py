"""Run a compose document through the reader and the mapping, without the CLI."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import yaml

from kompile.compose.loader import LoadOptions, load_project
from kompile.convert.context import ConvertOptions
from kompile.convert.pipeline import convert_project
from kompile.diagnostics import Diagnostics
from tests.kubeschema import schema_errors


class Conversion:
    """The objects and warnings of one conversion, looked up by kind and name."""

    def __init__(self, objects: list[dict[str, t.Any]], diagnostics: Diagnostics) -> None:
        self.objects = objects
        self.warnings = [str(warning) for warning in diagnostics.warnings]
        self.notes = [f"{note.service}: {note.message}" for note in diagnostics.notes]

    def get(self, kind: str, name: str) -> dict[str, t.Any]:
        for obj in self.objects:
            if obj["kind"] == kind and obj["metadata"]["name"] == name:
                return obj
        raise AssertionError(f"no {kind} {name} in {self.names()}")

    def names(self) -> list[str]:
        return [f"{obj['kind']}/{obj['metadata']['name']}" for obj in self.objects]

    def of_kind(self, kind: str) -> list[dict[str, t.Any]]:
        return [obj for obj in self.objects if obj["kind"] == kind]

    def pod(self, kind: str, name: str) -> dict[str, t.Any]:
        spec = self.get(kind, name)["spec"]
        if kind == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        return t.cast(dict[str, t.Any], spec["template"]["spec"])

    def container(self, kind: str, name: str, index: int = 0) -> dict[str, t.Any]:
        return t.cast(dict[str, t.Any], self.pod(kind, name)["containers"][index])

    def warned(self, *words: str) -> bool:
        return any(all(word in warning for word in words) for warning in self.warnings)


ConvertText = t.Callable[..., Conversion]


@pytest.fixture
def convert_text(tmp_path: Path) -> ConvertText:
    """Return a function that converts compose YAML text, checking the objects' schemas."""

    def convert(text: str, **options: t.Any) -> Conversion:
        compose = tmp_path / "compose.yaml"
        compose.write_text(text)
        diagnostics = Diagnostics()
        load_options = LoadOptions(files=[str(compose)], environ={}, working_dir=tmp_path)
        project = load_project(load_options, diagnostics)
        objects = convert_project(project, ConvertOptions(**options), diagnostics)
        assert schema_errors(objects) == []
        return Conversion(objects, diagnostics)

    return convert


def load_yaml(text: str) -> t.Any:
    return yaml.safe_load(text)

"""Render a chart folder with `gotemplate` and undo what a release adds to the objects."""

from __future__ import annotations

import copy
import typing as t
from pathlib import Path

import yaml

from tests.chart.gotemplate import Renderer

RELEASE = "rel"
HELM_ONLY_LABELS = ("helm.sh/chart", "app.kubernetes.io/instance")


def merge_values(defaults: dict[str, t.Any], overrides: dict[str, t.Any]) -> dict[str, t.Any]:
    """Merge ``overrides`` into ``defaults`` as Helm does: maps deeply, null deletes."""
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_values(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def render_chart(
    folder: Path, overrides: dict[str, t.Any] | None = None, *, release: str = RELEASE
) -> dict[str, str]:
    """Return the rendered text of every template of ``folder``, keyed by file name."""
    chart = yaml.safe_load((folder / "Chart.yaml").read_text())
    values = yaml.safe_load((folder / "values.yaml").read_text())
    root = {
        "Values": merge_values(values, overrides or {}),
        "Release": {"Name": release, "Namespace": "default", "Service": "Helm"},
        "Chart": {"Name": chart["name"], "Version": chart["version"]},
    }
    renderer = Renderer((folder / "templates" / "_helpers.tpl").read_text(), root)
    rendered = {}
    for path in sorted((folder / "templates").iterdir()):
        if path.name.startswith("_"):
            continue
        rendered[path.name] = renderer.render(path.read_text())
    return rendered


def render_objects(
    folder: Path, overrides: dict[str, t.Any] | None = None, *, release: str = RELEASE
) -> list[dict[str, t.Any]]:
    """Return the objects the chart renders, in template file order."""
    objects = []
    for name, text in render_chart(folder, overrides, release=release).items():
        if name.endswith(".yaml"):
            objects.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return objects


def without_release(obj: t.Any, prefix: str) -> t.Any:
    """Return ``obj`` without the release: name prefix removed, kompile's labels back."""
    if isinstance(obj, dict):
        result = {key: without_release(value, prefix) for key, value in obj.items()}
        if "app.kubernetes.io/name" in result:
            for label in HELM_ONLY_LABELS:
                result.pop(label, None)
            if result.get("app.kubernetes.io/managed-by") == "Helm":
                result["app.kubernetes.io/managed-by"] = "kompile"
        return result
    if isinstance(obj, list):
        return [without_release(item, prefix) for item in obj]
    if isinstance(obj, str) and obj.startswith(prefix):
        return obj.removeprefix(prefix)
    return obj


def by_identity(objects: list[dict[str, t.Any]]) -> dict[tuple[str, str], dict[str, t.Any]]:
    return {(obj["kind"], obj["metadata"]["name"]): obj for obj in objects}

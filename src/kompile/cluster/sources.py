"""Desired objects read from manifest files, as ``kompile convert -o`` writes them.

``apply`` and ``diff`` take either a compose project or the manifests converted from
one: a folder, or YAML/JSON files whose documents are Kubernetes objects. Objects are
applied in kind order whatever their file names, and each one must carry the project's
part-of label (added from ``-p`` when missing), because prune and diff find the
project's live objects by that label.
"""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import yaml

from kompile.convert.names import (
    MANAGED_BY,
    MANAGED_BY_LABEL,
    NAME_LABEL,
    PART_OF_LABEL,
    label_value,
)
from kompile.errors import KompileError

Manifest = dict[str, t.Any]
SUFFIXES = (".yaml", ".yml", ".json")
# libyaml's loader, about ten times faster than PyYAML's Python one on large files.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_all(text: str) -> t.Iterator[t.Any]:
    return yaml.load_all(text, Loader=_Loader)


def is_manifest_input(files: t.Sequence[str]) -> bool:
    """Tell whether ``-f`` names manifests rather than compose files."""
    for name in files:
        path = Path(name)
        if name == "-" or not path.exists():
            continue
        if path.is_dir():
            return True
        try:
            first = next(_load_all(path.read_text(encoding="utf-8")), None)
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            return False
        return isinstance(first, dict) and "apiVersion" in first and "kind" in first
    return False


def _files(names: t.Sequence[str]) -> list[Path]:
    paths: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file()))
        else:
            paths.append(path)
    return paths


def read_manifests(names: t.Sequence[str]) -> list[Manifest]:
    """Return every object in the files and folders ``names``."""
    objects: list[Manifest] = []
    for path in _files(names):
        try:
            text = path.read_text(encoding="utf-8")
            documents = [json.loads(text)] if path.suffix == ".json" else list(_load_all(text))
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
            raise KompileError(
                f"cannot read manifests from {path}: {type(error).__name__}",
                hint="pass files written by kompile convert",
            ) from None
        for index, document in enumerate(documents):
            if document is None:
                continue
            items = document.get("items") if isinstance(document, dict) else None
            if isinstance(document, dict) and document.get("kind") == "List":
                candidates = items if isinstance(items, list) else []
            else:
                candidates = [document]
            for obj in candidates:
                _check_object(obj, path, index)
                objects.append(obj)
    if not objects:
        raise KompileError(f"no Kubernetes objects found in {', '.join(names)}")
    return objects


def _check_object(obj: t.Any, path: Path, index: int) -> None:
    name = (obj.get("metadata") or {}).get("name") if isinstance(obj, dict) else None
    if not isinstance(obj, dict) or not obj.get("apiVersion") or not obj.get("kind") or not name:
        raise KompileError(
            f"{path}: document {index + 1} is not a Kubernetes object",
            hint="each document needs apiVersion, kind and metadata.name",
        )


def label_project(objects: list[Manifest], project_name: str | None) -> str:
    """Return the project of the manifests, adding its labels to objects that lack them."""
    found = {
        ((obj.get("metadata") or {}).get("labels") or {}).get(PART_OF_LABEL) for obj in objects
    }
    found.discard(None)
    if project_name is None:
        if len(found) != 1:
            listed = ", ".join(sorted(str(value) for value in found)) or "none"
            raise KompileError(
                f"the manifests belong to {len(found)} projects ({listed})",
                hint="pass -p PROJECT to choose the project the objects belong to",
            )
        project = str(found.pop())
    else:
        project = label_value(project_name)
    for obj in objects:
        labels = obj.setdefault("metadata", {}).setdefault("labels", {})
        if labels.get(PART_OF_LABEL, project) != project:
            raise KompileError(
                f"{obj['kind']} {obj['metadata']['name']} belongs to project "
                f"{labels[PART_OF_LABEL]}, not {project}",
                hint="apply each project separately",
            )
        labels[PART_OF_LABEL] = project
        labels.setdefault(MANAGED_BY_LABEL, MANAGED_BY)
    return project


def manifest_namespace(
    namespaced: list[Manifest], option: str | None, default: str | None
) -> str | None:
    """Return the namespace of namespaced manifests, checked against ``-n`` like kubectl."""
    written = sorted(
        {obj["metadata"]["namespace"] for obj in namespaced if obj["metadata"].get("namespace")}
    )
    if option is not None:
        for name in written:
            if name != option:
                raise KompileError(
                    f"the manifests set namespace {name}, which differs from -n {option}",
                    hint=f"pass -n {name}, or convert again with -n {option}",
                )
        return option
    if len(written) > 1:
        raise KompileError(
            f"the manifests span several namespaces ({', '.join(written)})",
            hint="apply the objects of each namespace separately",
        )
    return written[0] if written else default


def add_namespace(objects: list[Manifest], name: str, project: str) -> None:
    """Add the Namespace object that ``--create-namespace`` requests, unless one is present."""
    if any(obj["kind"] == "Namespace" and obj["metadata"]["name"] == name for obj in objects):
        return
    labels = {NAME_LABEL: label_value(name), PART_OF_LABEL: project, MANAGED_BY_LABEL: MANAGED_BY}
    objects.append(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
    )

"""Identity of objects in the cluster, and the labels that mark them as the project's."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from kompile.cluster.kinds import Resource
from kompile.convert.names import MANAGED_BY, MANAGED_BY_LABEL, PART_OF_LABEL, label_value

Manifest = dict[str, t.Any]

# An object with this annotation set to "false" is never pruned, whatever the flags.
PRUNE_ANNOTATION = "kompile.dev/prune"


@dataclass(frozen=True, order=True)
class ObjectKey:
    """What names one object in a cluster: its group, kind, namespace and name."""

    group: str
    kind: str
    namespace: str
    name: str


def object_key(resource: Resource, obj: Manifest) -> ObjectKey:
    metadata = obj.get("metadata") or {}
    namespace = metadata.get("namespace", "") if resource.namespaced else ""
    return ObjectKey(resource.group, resource.kind, namespace or "", metadata.get("name", ""))


def display_name(resource: Resource, name: str) -> str:
    """Return the name kubectl prints for an object: ``deployment.apps/web``."""
    return f"{resource.display}/{name}"


def project_selector(project: str) -> str:
    """Return the label selector of every object that kompile made for ``project``."""
    return f"{PART_OF_LABEL}={label_value(project)},{MANAGED_BY_LABEL}={MANAGED_BY}"


def prune_disabled(obj: Manifest) -> bool:
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(PRUNE_ANNOTATION, "")).lower() == "false"

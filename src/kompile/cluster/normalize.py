"""Objects as the user wrote them: server bookkeeping removed, lists keyed like SSA keys them.

A live object carries fields that only the server and its controllers write (status,
managedFields, resourceVersion, the rollout revision annotation). Neither ``diff`` nor the
"unchanged" check of ``apply`` may count those as changes.
"""

from __future__ import annotations

import copy
import typing as t

Manifest = dict[str, t.Any]

SERVER_METADATA = (
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
)
SERVER_ANNOTATIONS = (
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
)

# Keys that identify the items of the list-map fields kompile emits, in the order tried.
# They follow the merge keys of the Kubernetes API: name for containers, env, volumes;
# mountPath for volumeMounts; port and protocol for Service and container ports.
_ITEM_KEYS: tuple[tuple[str, ...], ...] = (
    ("name",),
    ("mountPath",),
    ("containerPort", "protocol"),
    ("port", "protocol"),
    ("secretKey",),
)


def strip_server_fields(obj: Manifest) -> Manifest:
    """Return a copy of ``obj`` without status and server-owned metadata."""
    result = copy.deepcopy(obj)
    result.pop("status", None)
    metadata = result.get("metadata") or {}
    for key in SERVER_METADATA:
        metadata.pop(key, None)
    annotations = metadata.get("annotations")
    if isinstance(annotations, dict):
        for key in SERVER_ANNOTATIONS:
            annotations.pop(key, None)
        if not annotations:
            metadata.pop("annotations", None)
    return result


def item_key(item: t.Any) -> str | None:
    """Return the merge key of a list item as ``name=web`` text, or None when it has none."""
    if not isinstance(item, dict):
        return None
    for fields in _ITEM_KEYS:
        if fields[0] in item:
            return ",".join(f"{field}={item.get(field, 'TCP')}" for field in fields)
    return None


def keyed(items: list[t.Any]) -> dict[str, t.Any] | None:
    """Return the items of a list-map by merge key, or None when the list is not one."""
    result: dict[str, t.Any] = {}
    for item in items:
        key = item_key(item)
        if key is None or key in result:
            return None
        result[key] = item
    return result


def project_onto(live: t.Any, desired: t.Any) -> t.Any:
    """Return the part of ``live`` that has the shape of ``desired``.

    Maps keep the keys of ``desired``, and list-maps keep the items whose merge keys appear
    in ``desired``. Other lists of the same length are projected item by item, in order.
    Lists of another length and scalars are taken whole. What remains is what applying
    ``desired`` would compare against, without fields that other managers or defaults set.
    """
    if isinstance(desired, dict) and isinstance(live, dict):
        return {
            key: project_onto(live[key], value) for key, value in desired.items() if key in live
        }
    if isinstance(desired, list) and isinstance(live, list):
        desired_items = keyed(desired)
        live_items = keyed(live)
        if desired_items is None or live_items is None:
            # The server keeps the order of lists without merge keys but fills defaults
            # inside their items, such as apiVersion, kind and spec.volumeMode in each
            # StatefulSet volumeClaimTemplate.
            if len(live) == len(desired):
                return [project_onto(item, want) for item, want in zip(live, desired, strict=True)]
            return live
        return [
            project_onto(live_items[key], value)
            for key, value in desired_items.items()
            if key in live_items
        ]
    return live

"""List and map types of the fields that server-side apply merges.

A real server reads `x-kubernetes-list-type`, `-list-map-keys` and `-map-type` from the
OpenAPI schema of each type. The double instead matches the field path (field names only,
list positions left out) against rules taken from the `+listType`/`+listMapKey`/
`+structType` markers of k8s.io/api v0.32. A list no rule names is atomic, which is also the
schema default for a list without markers, so the double never merges a list a real server
would replace whole.
"""

from __future__ import annotations

from dataclasses import dataclass

SchemaPath = tuple[str, ...]

CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})

# Keys of list-map items inside one container.
CONTAINER_LIST_KEYS: dict[str, tuple[str, ...]] = {
    "ports": ("containerPort", "protocol"),
    "env": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "resizePolicy": ("resourceName",),
}

# Keys of list-map items directly inside a PodSpec.
POD_SPEC_LIST_KEYS: dict[str, tuple[str, ...]] = {
    "volumes": ("name",),
    "imagePullSecrets": ("name",),
    "hostAliases": ("ip",),
    "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"),
    "resourceClaims": ("name",),
}

# LabelSelector fields (`+structType=atomic`) and the Service selector (`+mapType=atomic`).
ATOMIC_OBJECT_FIELDS = frozenset({"selector", "podSelector", "namespaceSelector", "labelSelector"})

# map[string]string fields that Go serialises with omitempty, so an emptied map disappears.
STRING_MAP_FIELDS = frozenset(
    {"labels", "annotations", "data", "binaryData", "stringData", "nodeSelector", "matchLabels"}
)


@dataclass(frozen=True)
class ListType:
    """How SSA treats one list: `map` (items keyed by `keys`), `set` or `atomic`."""

    kind: str
    keys: tuple[str, ...] = ()


ATOMIC = ListType("atomic")
SET = ListType("set")


def _is_pod_spec(path: SchemaPath) -> bool:
    """Tell whether `path` is a PodSpec: `spec` of a Pod, or of a pod template."""
    return path == ("spec",) or path[-2:] == ("template", "spec")


def list_type(kind: str, path: SchemaPath) -> ListType:
    """Return the list type of the list at `path` in an object of `kind`."""
    if not path:
        return ATOMIC
    name = path[-1]
    parent = path[:-1]
    if name in CONTAINER_LISTS and _is_pod_spec(parent):
        return ListType("map", ("name",))
    if parent and parent[-1] in CONTAINER_LISTS and name in CONTAINER_LIST_KEYS:
        return ListType("map", CONTAINER_LIST_KEYS[name])
    if name in POD_SPEC_LIST_KEYS and _is_pod_spec(parent):
        return ListType("map", POD_SPEC_LIST_KEYS[name])
    if kind == "Service" and path == ("spec", "ports"):
        return ListType("map", ("port", "protocol"))
    if path == ("metadata", "ownerReferences"):
        return ListType("map", ("uid",))
    if path == ("metadata", "finalizers"):
        return SET
    return ATOMIC


def is_atomic_object(kind: str, path: SchemaPath) -> bool:
    """Tell whether the object at `path` is replaced whole instead of merged field by field."""
    if not path or path[0] == "metadata":
        return False
    return path[-1] in ATOMIC_OBJECT_FIELDS


def drops_when_empty(path: SchemaPath) -> bool:
    return bool(path) and path[-1] in STRING_MAP_FIELDS

"""Strict validation of generated objects against the official Kubernetes schemas."""

from __future__ import annotations

import typing as t

import kubernetes_validate
from kubernetes_validate.utils import latest_version

# The oldest Kubernetes release kompile supports, and the newest one the installed
# kubernetes-validate ships schemas for.
OLDEST_VERSION = "1.29.0"
VERSIONS = (OLDEST_VERSION, latest_version())
# Custom resources have no schema in kubernetes-validate; each kind listed here is checked
# by its own shape test instead (ExternalSecret: tests/convert/externalsecret_shape.py).
CRD_KINDS = frozenset({("external-secrets.io/v1", "ExternalSecret")})


def schema_errors(objects: t.Iterable[dict[str, t.Any]]) -> list[str]:
    """Return one line per object and version that fails strict validation."""
    errors = []
    for obj in objects:
        if (obj.get("apiVersion"), obj.get("kind")) in CRD_KINDS:
            continue
        identity = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        for version in VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                errors.append(f"{identity} ({version}): {error.message} at {list(error.path)}")
    return errors

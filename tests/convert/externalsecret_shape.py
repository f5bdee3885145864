"""The shape of an ExternalSecret of external-secrets.io/v1, written out field by field.

kubernetes-validate has no schemas for custom resources. This module therefore lists the
v1 fields of the External Secrets Operator API reference (ExternalSecretSpec and the
types it uses). The check rejects unknown fields, missing required fields and values of
the wrong type or outside an enum.
"""

from __future__ import annotations

import re
import typing as t

Shape = t.Union[type, frozenset[str], re.Pattern[str], "Fields", tuple["Shape"]]

# A Go duration as the operator parses it: "1h", "15m", "1h30m", "0".
DURATION = re.compile(r"0|(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+")
# A key of a Secret's data, which the target Secret gets from secretKey.
SECRET_KEY = re.compile(r"[-._a-zA-Z0-9]+")
# A DNS-1123 subdomain, for the object and target Secret names.
SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


class Fields(t.NamedTuple):
    """An object: its fields, each with a shape, and which of them are required."""

    fields: dict[str, Shape]
    required: frozenset[str] = frozenset()


REMOTE_REF = Fields(
    {
        "key": str,
        "property": str,
        "version": str,
        "metadataPolicy": frozenset({"None", "Fetch"}),
        "conversionStrategy": frozenset({"Default", "Unicode"}),
        "decodingStrategy": frozenset({"Auto", "Base64", "Base64URL", "None"}),
    },
    frozenset({"key"}),
)
STORE_REF = Fields(
    {"name": str, "kind": frozenset({"SecretStore", "ClusterSecretStore"})},
    frozenset({"name"}),
)
SOURCE_REF = Fields({"storeRef": STORE_REF, "generatorRef": dict})
DATA_ENTRY = Fields(
    {"secretKey": SECRET_KEY, "remoteRef": REMOTE_REF, "sourceRef": SOURCE_REF},
    frozenset({"secretKey", "remoteRef"}),
)
TARGET = Fields(
    {
        "name": SUBDOMAIN,
        "creationPolicy": frozenset({"Owner", "Orphan", "Merge", "None"}),
        "deletionPolicy": frozenset({"Delete", "Merge", "Retain"}),
        "template": dict,
        "immutable": bool,
    }
)
SPEC = Fields(
    {
        "secretStoreRef": STORE_REF,
        "target": TARGET,
        "refreshPolicy": frozenset({"CreatedOnce", "Periodic", "OnChange"}),
        "refreshInterval": DURATION,
        "data": (DATA_ENTRY,),
        "dataFrom": (dict,),
    }
)
METADATA = Fields(
    {"name": SUBDOMAIN, "namespace": str, "labels": dict, "annotations": dict},
    frozenset({"name"}),
)
EXTERNAL_SECRET = Fields(
    {
        "apiVersion": frozenset({"external-secrets.io/v1"}),
        "kind": frozenset({"ExternalSecret"}),
        "metadata": METADATA,
        "spec": SPEC,
    },
    frozenset({"apiVersion", "kind", "metadata", "spec"}),
)


def shape_errors(value: t.Any, shape: Shape, path: str = "") -> list[str]:
    """Return one line per place where ``value`` does not have ``shape``."""
    where = path or "."
    if isinstance(shape, Fields):
        if not isinstance(value, dict):
            return [f"{where}: expected an object"]
        errors = [f"{where}: missing {name}" for name in sorted(shape.required - set(value))]
        for name, item in value.items():
            if name not in shape.fields:
                errors.append(f"{where}: unknown field {name}")
            else:
                errors += shape_errors(item, shape.fields[name], f"{path}.{name}")
        return errors
    if isinstance(shape, tuple):
        if not isinstance(value, list):
            return [f"{where}: expected a list"]
        return [
            e for i, item in enumerate(value) for e in shape_errors(item, shape[0], f"{path}[{i}]")
        ]
    if isinstance(shape, frozenset):
        return [] if value in shape else [f"{where}: not one of {sorted(shape)}"]
    if isinstance(shape, re.Pattern):
        ok = isinstance(value, str) and shape.fullmatch(value)
        return [] if ok else [f"{where}: does not match {shape.pattern}"]
    return [] if isinstance(value, shape) else [f"{where}: expected {shape.__name__}"]


def external_secret_errors(obj: dict[str, t.Any]) -> list[str]:
    """Return the shape errors of one ExternalSecret; the list is empty when it is valid."""
    return shape_errors(obj, EXTERNAL_SECRET)

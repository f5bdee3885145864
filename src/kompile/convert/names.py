"""Kubernetes names and the standard labels every object carries.

Compose service names allow capitals, dots and underscores; Kubernetes object names must
be DNS-1123 labels (lowercase alphanumerics and ``-``, at most 63 characters, alphanumeric
at both ends). `dns_label` maps one to the other, and a name that has to be cut gets a
short hash of the original, so two long names never end up equal by truncation. Two
different compose names that still map to the same object name are an error, never a
silent merge.
"""

from __future__ import annotations

import re

from kompile.errors import ConversionError

MANAGED_BY = "kompile"
NAME_LABEL = "app.kubernetes.io/name"
PART_OF_LABEL = "app.kubernetes.io/part-of"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"

MAX_LABEL_LENGTH = 63
_INVALID = re.compile(r"[^a-z0-9-]+")
_DASHES = re.compile(r"-{2,}")
# A label value: empty, or alphanumerics at both ends with "-", "_" and "." between.
_LABEL_VALUE = re.compile(r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?")


def dns_label(name: str, *, max_length: int = MAX_LABEL_LENGTH) -> str:
    """Return ``name`` as a valid DNS-1123 label of at most ``max_length`` characters."""
    label = _INVALID.sub("-", name.lower().replace("_", "-"))
    label = _DASHES.sub("-", label).strip("-")
    if len(label) > max_length:
        import hashlib

        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        label = f"{label[: max_length - 9].rstrip('-')}-{digest}"
    if not label:
        raise ConversionError(
            f"{name!r} has no letters or digits to build a Kubernetes name from",
            hint="rename it with letters or digits",
        )
    return label


def label_value(name: str) -> str:
    """Return ``name`` unchanged when it is a valid label value, else as a DNS-1123 label."""
    if len(name) <= MAX_LABEL_LENGTH and _LABEL_VALUE.fullmatch(name):
        return name
    return dns_label(name)


def standard_labels(name: str, project: str) -> dict[str, str]:
    """Return the labels every object of the project carries."""
    return {**selector_labels(name, project), MANAGED_BY_LABEL: MANAGED_BY}


def selector_labels(name: str, project: str) -> dict[str, str]:
    """Return the labels a selector matches: only the stable identity, never a version."""
    return {NAME_LABEL: label_value(name), PART_OF_LABEL: label_value(project)}


class NameRegistry:
    """Remembers which compose name produced each object name, to report collisions."""

    def __init__(self) -> None:
        self._owners: dict[tuple[str, str], str] = {}

    def claim(self, kind: str, name: str, owner: str) -> str:
        key = (kind, name)
        previous = self._owners.setdefault(key, owner)
        if previous != owner:
            raise ConversionError(
                f"{previous} and {owner} both become {kind} {name!r}",
                hint="rename one of them so their Kubernetes names differ",
            )
        return name

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

from kompile.errors import ConversionError, Location

MANAGED_BY = "kompile"
NAME_LABEL = "app.kubernetes.io/name"
PART_OF_LABEL = "app.kubernetes.io/part-of"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"

MAX_LABEL_LENGTH = 63
_INVALID = re.compile(r"[^a-z0-9-]+")
_DASHES = re.compile(r"-{2,}")
_DNS_1123_LABEL = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?")
_DNS_1123_SUBDOMAIN = re.compile(
    r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*"
)
MAX_SUBDOMAIN_LENGTH = 253
# The name part of an annotation key: alphanumerics at both ends, "-", "_" and "." between.
_QUALIFIED_NAME = re.compile(r"[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?")
# Environment variable names that every Kubernetes version accepts: the API server's
# check before the relaxed rule of Kubernetes 1.32.
_ENV_VAR_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
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


def check_namespace(namespace: str, origin: str = "-n/--namespace") -> str:
    """Return ``namespace`` unchanged when it is a valid DNS-1123 label, else raise.

    A namespace is used verbatim in every object, so it is checked rather than rewritten
    like service names, because a rewritten name would differ from the one the user
    passes to kubectl. The error names ``origin`` as the source of the value.
    """
    if len(namespace) <= MAX_LABEL_LENGTH and _DNS_1123_LABEL.fullmatch(namespace):
        return namespace
    hint = (
        "use at most 63 lowercase letters, digits and '-', "
        "starting and ending with a letter or digit"
    )
    if _INVALID.sub("", namespace.lower().replace("_", "-")):
        hint += f", such as {dns_label(namespace)!r}"
    raise ConversionError(
        f"invalid namespace {namespace!r} from {origin}: a namespace must be a DNS-1123 label",
        hint=hint,
    )


def check_service_name(name: str, owner: str, location: Location | None = None) -> str:
    """Return the Service name ``name`` when it is a DNS-1035 label, else raise.

    Service names must start with a letter, because they become DNS host names. A compose
    service such as ``1web`` is an error rather than a renamed Service: clients in the
    project reach it by its compose name, and a new name would break them silently.
    """
    if name[:1].isalpha():
        return name
    raise ConversionError(
        f"{owner} becomes Service {name!r}, but Kubernetes Service names must start with "
        "a letter (DNS-1035 label)",
        location=location,
        hint="rename the service so that it starts with a letter, and update the clients "
        "that connect to it by name",
    )


def is_env_var_name(name: str) -> bool:
    """Tell whether Kubernetes accepts ``name`` as an environment variable name."""
    return bool(_ENV_VAR_NAME.fullmatch(name))


def is_annotation_key(key: str) -> bool:
    """Tell whether ``key`` is a valid annotation key: an optional DNS-1123 subdomain
    prefix and ``/``, then a name of at most 63 characters."""
    prefix, slash, name = key.rpartition("/")
    if slash:
        if len(prefix) > MAX_SUBDOMAIN_LENGTH or not _DNS_1123_SUBDOMAIN.fullmatch(prefix):
            return False
    return len(name) <= MAX_LABEL_LENGTH and bool(_QUALIFIED_NAME.fullmatch(name))


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

    def claim(self, kind: str, name: str, owner: str, location: Location | None = None) -> str:
        """Record ``owner`` as the source of ``name`` and return the name.

        A second owner is an error, placed at ``location`` when it is given.
        """
        key = (kind, name)
        previous = self._owners.setdefault(key, owner)
        if previous != owner:
            raise ConversionError(
                f"{previous} and {owner} both become {kind} {name!r}",
                location=location,
                hint="rename one of them so their Kubernetes names differ "
                "(object names are lowercase, with '-' for '_' and '.')",
            )
        return name

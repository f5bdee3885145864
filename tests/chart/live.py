"""Objects a Helm release stored in a cluster, read back and compared with convert's output.

The live objects carry what Helm and the server add: the release-name prefix, Helm's
labels and annotations, server metadata, status and defaults. `release_free` takes off
what Helm adds, and `differences` compares only the fields convert emits, so a server
default never counts as a difference but a changed or missing field does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import typing as t
import urllib.request
from collections import defaultdict

from deepdiff import DeepDiff

from kompile.cluster.normalize import project_onto, strip_server_fields
from kompile.output.chartvalues import values_key
from tests.chart.render import without_release

Manifest = dict[str, t.Any]
Identity = tuple[str, str]

HELM_ANNOTATION_PREFIX = "meta.helm.sh/"
# Helm keeps each release revision in a Secret labelled owner=helm.
HELM_STORAGE_LABEL = ("owner", "helm")
REQUEST_TIMEOUT_SECONDS = 30


def get_json(url: str) -> t.Any:
    with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_SECONDS) as response:
        return json.load(response)


def list_resources(server: str) -> list[tuple[str, str, str]]:
    """Return (apiVersion, kind, list path) of every namespaced resource the server lists."""
    versions = ["v1"]
    for group in get_json(f"{server}/apis")["groups"]:
        versions.append(group["preferredVersion"]["groupVersion"])
    found = []
    for version in versions:
        base = f"{server}/api/{version}" if version == "v1" else f"{server}/apis/{version}"
        for resource in get_json(base)["resources"]:
            listable = "list" in resource["verbs"] and "/" not in resource["name"]
            if listable and resource["namespaced"]:
                found.append((version, resource["kind"], f"{base}/{resource['name']}"))
    return found


def read_objects(server: str) -> dict[str, list[Manifest]]:
    """Return every namespaced object of the server, by namespace.

    List responses leave out the kind and apiVersion of their items, so they are set from
    the discovery entry of the list.
    """
    objects: dict[str, list[Manifest]] = defaultdict(list)
    for api_version, kind, path in list_resources(server):
        for item in get_json(path)["items"]:
            obj = {"apiVersion": api_version, "kind": kind, **item}
            objects[obj["metadata"]["namespace"]].append(obj)
    return dict(objects)


def chart_objects(objects: list[Manifest]) -> list[Manifest]:
    """Return the objects a chart made: without Helm's release records and server dependents."""
    key, value = HELM_STORAGE_LABEL
    return [
        obj
        for obj in objects
        if (obj["metadata"].get("labels") or {}).get(key) != value
        and not obj["metadata"].get("ownerReferences")
    ]


def release_free(obj: Manifest, prefix: str) -> Manifest:
    """Return ``obj`` without server metadata, status and what the Helm release added.

    ``prefix`` is the release prefix of names (``rel-lamp-stack-``), or "" when the chart
    kept the compose names, so that a reference that wrongly kept the prefix shows up.
    """
    result: Manifest = without_release(strip_server_fields(obj), prefix)
    metadata = result["metadata"]
    metadata.pop("namespace", None)
    annotations = {
        key: value
        for key, value in (metadata.pop("annotations", None) or {}).items()
        if not key.startswith(HELM_ANNOTATION_PREFIX)
    }
    if annotations:
        metadata["annotations"] = annotations
    return result


def digest_secret_data(obj: Manifest) -> Manifest:
    """Return ``obj`` with each Secret data value replaced by its SHA-256 digest.

    A failed comparison then shows digests, never a secret value.
    """
    if obj.get("kind") != "Secret" or not obj.get("data"):
        return obj
    data = {
        key: "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()
        for key, value in obj["data"].items()
    }
    return {**obj, "data": data}


def identity(obj: Manifest) -> Identity:
    return obj["kind"], obj["metadata"]["name"]


def differences(expected: list[Manifest], live: list[Manifest]) -> list[str]:
    """Return what differs between convert's objects and release-free live objects.

    Live objects are projected onto the shape of convert's objects, so server defaults do
    not count. The labels and annotations of each object must match exactly.
    """
    converted = {identity(obj): digest_secret_data(obj) for obj in expected}
    stored = {identity(obj): digest_secret_data(obj) for obj in live}
    found = [f"{kind}/{name}: missing" for kind, name in sorted(converted.keys() - stored.keys())]
    found += [
        f"{kind}/{name}: not made by convert"
        for kind, name in sorted(stored.keys() - converted.keys())
    ]
    for key in sorted(converted.keys() & stored.keys()):
        label = "/".join(key)
        desired, actual = converted[key], stored[key]
        for field in ("labels", "annotations"):
            desired_map = desired["metadata"].get(field) or {}
            actual_map = actual["metadata"].get(field) or {}
            if desired_map != actual_map:
                found.append(
                    f"{label}: metadata.{field} is {actual_map}, convert wrote {desired_map}"
                )
        projected = project_onto(actual, desired)
        if projected != desired:
            report = DeepDiff(desired, projected, verbose_level=2).pretty()
            found += [f"{label}: {line}" for line in report.splitlines()]
    return found


def secret_values(objects: list[Manifest]) -> dict[str, t.Any]:
    """Return chart values that give every Secret of ``objects`` its data."""
    secrets = {}
    for obj in objects:
        if obj["kind"] == "Secret":
            data = obj.get("data") or {}
            text = {key: base64.b64decode(value).decode() for key, value in data.items()}
            secrets[values_key(obj["metadata"]["name"])] = {"values": text}
    return {"secrets": secrets} if secrets else {}


def secret_texts(values: dict[str, t.Any]) -> list[str]:
    """Return the secret values set in chart ``values``, to mask them in messages."""
    return [
        text
        for entry in (values.get("secrets") or {}).values()
        for text in (entry.get("values") or {}).values()
    ]

"""Decoding of the Kubernetes protobuf encoding for the few kinds typed clients send.

Typed client-go clientsets (Helm's release storage, `kubectl create namespace`) send
`application/vnd.kubernetes.protobuf` bodies: the magic prefix `k8s\\x00`, then a
`runtime.Unknown` message whose `raw` field holds the object's own message. The double
decodes Namespace, ConfigMap and Secret, with the ObjectMeta fields a client may set, into
the same dict a JSON body gives. Field numbers come from k8s.io/api core/v1 and
k8s.io/apimachinery meta/v1 `generated.proto` (v0.32). Other kinds answer 415.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

from tests.apiserver import status

MAGIC = b"k8s\x00"
JsonObject = dict[str, Any]
Field = tuple[int, int, Any]

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if position >= len(data):
            raise ValueError("truncated varint")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def fields(data: bytes) -> Iterator[Field]:
    """Yield (field number, wire type, value) for each field of one message."""
    position = 0
    while position < len(data):
        tag, position = _varint(data, position)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == VARINT:
            value, position = _varint(data, position)
        elif wire_type == LENGTH_DELIMITED:
            length, position = _varint(data, position)
            value = data[position : position + length]
            position += length
        elif wire_type == FIXED64:
            value = data[position : position + 8]
            position += 8
        elif wire_type == FIXED32:
            value = data[position : position + 4]
            position += 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        yield number, wire_type, value


def _text(value: bytes) -> str:
    return value.decode("utf-8")


def _map_entry(data: bytes, convert: Callable[[bytes], Any]) -> tuple[str, Any]:
    key, value = "", convert(b"")
    for number, _, raw in fields(data):
        if number == 1:
            key = _text(raw)
        elif number == 2:
            value = convert(raw)
    return key, value


def _time(data: bytes) -> str:
    from datetime import datetime, timezone

    seconds = 0
    for number, _, raw in fields(data):
        if number == 1:
            seconds = raw
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _owner_reference(data: bytes) -> JsonObject:
    names = {1: "kind", 3: "name", 4: "uid", 5: "apiVersion"}
    reference: JsonObject = {}
    for number, _, raw in fields(data):
        if number in names:
            reference[names[number]] = _text(raw)
        elif number == 6:
            reference["controller"] = bool(raw)
        elif number == 7:
            reference["blockOwnerDeletion"] = bool(raw)
    return reference


def object_meta(data: bytes) -> JsonObject:
    strings = {1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion"}
    metadata: JsonObject = {}
    for number, _, raw in fields(data):
        if number in strings:
            metadata[strings[number]] = _text(raw)
        elif number == 7:
            metadata["generation"] = raw
        elif number == 8:
            metadata["creationTimestamp"] = _time(raw)
        elif number in (11, 12):
            key, value = _map_entry(raw, _text)
            metadata.setdefault("labels" if number == 11 else "annotations", {})[key] = value
        elif number == 13:
            metadata.setdefault("ownerReferences", []).append(_owner_reference(raw))
        elif number == 14:
            metadata.setdefault("finalizers", []).append(_text(raw))
    return metadata


def _base64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _secret(data: bytes) -> JsonObject:
    obj: JsonObject = {"apiVersion": "v1", "kind": "Secret"}
    for number, _, raw in fields(data):
        if number == 1:
            obj["metadata"] = object_meta(raw)
        elif number == 2:
            key, value = _map_entry(raw, _base64)
            obj.setdefault("data", {})[key] = value
        elif number == 3:
            obj["type"] = _text(raw)
        elif number == 4:
            key, value = _map_entry(raw, _text)
            obj.setdefault("stringData", {})[key] = value
        elif number == 5:
            obj["immutable"] = bool(raw)
    return obj


def _config_map(data: bytes) -> JsonObject:
    obj: JsonObject = {"apiVersion": "v1", "kind": "ConfigMap"}
    for number, _, raw in fields(data):
        if number == 1:
            obj["metadata"] = object_meta(raw)
        elif number == 2:
            key, value = _map_entry(raw, _text)
            obj.setdefault("data", {})[key] = value
        elif number == 3:
            key, value = _map_entry(raw, _base64)
            obj.setdefault("binaryData", {})[key] = value
        elif number == 4:
            obj["immutable"] = bool(raw)
    return obj


def _namespace(data: bytes) -> JsonObject:
    obj: JsonObject = {"apiVersion": "v1", "kind": "Namespace"}
    for number, _, raw in fields(data):
        if number == 1:
            obj["metadata"] = object_meta(raw)
        elif number == 2:
            finalizers = [_text(v) for n, _, v in fields(raw) if n == 1]
            obj["spec"] = {"finalizers": finalizers} if finalizers else {}
    return obj


DECODERS: dict[tuple[str, str], Callable[[bytes], JsonObject]] = {
    ("v1", "Secret"): _secret,
    ("v1", "ConfigMap"): _config_map,
    ("v1", "Namespace"): _namespace,
}


def decode(body: bytes, content_type: str) -> JsonObject:
    """Decode a protobuf request body; raises 415 for kinds the double cannot decode."""
    if not body.startswith(MAGIC):
        raise status.bad_request("protobuf body does not start with the k8s magic prefix")
    api_version, kind, raw = "", "", b""
    try:
        for number, _, value in fields(body[len(MAGIC) :]):
            if number == 1:
                for meta_number, _, meta_value in fields(value):
                    if meta_number == 1:
                        api_version = _text(meta_value)
                    elif meta_number == 2:
                        kind = _text(meta_value)
            elif number == 2:
                raw = value
        decoder = DECODERS.get((api_version, kind))
        if decoder is None:
            raise status.unsupported_media_type(content_type)
        return decoder(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise status.bad_request(f"unable to decode protobuf body: {error}") from error


def delete_options(body: bytes) -> JsonObject:
    """Decode a protobuf DeleteOptions body into its JSON form."""
    if not body.startswith(MAGIC):
        raise status.bad_request("protobuf body does not start with the k8s magic prefix")
    options: JsonObject = {}
    try:
        for number, _, value in fields(body[len(MAGIC) :]):
            if number != 2:
                continue
            for option_number, _, raw in fields(value):
                if option_number == 1:
                    options["gracePeriodSeconds"] = raw
                elif option_number == 2:
                    names = {1: "uid", 2: "resourceVersion"}
                    options["preconditions"] = {
                        names[n]: _text(v) for n, _, v in fields(raw) if n in names
                    }
                elif option_number == 3:
                    options["orphanDependents"] = bool(raw)
                elif option_number == 4:
                    options["propagationPolicy"] = _text(raw)
                elif option_number == 5:
                    options.setdefault("dryRun", []).append(_text(raw))
    except (ValueError, UnicodeDecodeError) as error:
        raise status.bad_request(f"unable to decode protobuf body: {error}") from error
    return options

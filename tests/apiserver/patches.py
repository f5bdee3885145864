"""Non-apply patch formats: JSON merge patch, strategic merge patch and JSON patch.

Strategic merge patch merges the lists that carry `patchStrategy:"merge"` in k8s.io/api by
their `patchMergeKey`, which is the first key of the list-map in `schema.py` (containers by
`name`, container ports by `containerPort`, Service ports by `port`); other lists are
replaced. The directives kubectl sends are understood: `$patch` (replace, delete, merge),
`$retainKeys`, `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`, the last
of which only orders items, so the double ignores it.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.apiserver import schema
from tests.apiserver.status import ApiError, bad_request

JsonObject = dict[str, Any]


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply an RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge_patch(target: JsonObject, patch: JsonObject, kind: str) -> JsonObject:
    result = _strategic(copy.deepcopy(target), patch, (), kind)
    if not isinstance(result, dict):
        raise bad_request("strategic merge patch must produce an object")
    return result


def _strategic(target: Any, patch: Any, spath: schema.SchemaPath, kind: str) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    directive = patch.get("$patch")
    if directive == "replace":
        return _strip_directives(patch)
    if directive == "delete":
        return None
    retain = patch.get("$retainKeys")
    for key, value in patch.items():
        if key.startswith("$setElementOrder/") or key in ("$patch", "$retainKeys"):
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            name = key.split("/", 1)[1]
            target[name] = [v for v in target.get(name) or [] if v not in value]
            continue
        child_path = (*spath, key)
        if value is None:
            target.pop(key, None)
        elif isinstance(value, list) and isinstance(target.get(key), list):
            target[key] = _strategic_list(target[key], value, child_path, kind)
        else:
            merged = _strategic(target.get(key), value, child_path, kind)
            if merged is None:
                target.pop(key, None)
            else:
                target[key] = merged
    if isinstance(retain, list):
        for key in list(target):
            if key not in retain:
                del target[key]
    return target


def _strategic_list(
    target: list[Any], patch: list[Any], spath: schema.SchemaPath, kind: str
) -> list[Any]:
    list_type = schema.list_type(kind, spath)
    if list_type.kind == "set":
        return target + [v for v in patch if v not in target]
    if list_type.kind != "map":
        return [_strip_directives(v) for v in patch]
    key = list_type.keys[0]
    result = list(target)
    for item in patch:
        if not isinstance(item, dict):
            raise bad_request(f"merging an item of list {'.'.join(spath)} that is not an object")
        position = next((i for i, t in enumerate(result) if t.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if position is not None:
                del result[position]
        elif position is None:
            result.append(_strip_directives(item))
        else:
            result[position] = _strategic(result[position], item, spath, kind)
    return result


def _strip_directives(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_directives(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [_strip_directives(v) for v in value]
    return value


def json_patch(target: JsonObject, operations: Any) -> JsonObject:
    """Apply an RFC 6902 JSON patch (add, remove, replace, test, copy, move)."""
    if not isinstance(operations, list):
        raise bad_request("json patch must be a list of operations")
    document: Any = copy.deepcopy(target)
    for operation in operations:
        op = operation.get("op")
        path = operation.get("path", "")
        if op == "add":
            document = _pointer_set(
                document, path, copy.deepcopy(operation.get("value")), insert=True
            )
        elif op == "remove":
            _pointer_remove(document, path)
        elif op == "replace":
            _pointer_get(document, path)
            document = _pointer_set(
                document, path, copy.deepcopy(operation.get("value")), insert=False
            )
        elif op == "test":
            if _pointer_get(document, path) != operation.get("value"):
                raise ApiError(422, "Invalid", f"testing value {path} failed")
        elif op in ("copy", "move"):
            value = copy.deepcopy(_pointer_get(document, operation.get("from", "")))
            if op == "move":
                _pointer_remove(document, operation.get("from", ""))
            document = _pointer_set(document, path, value, insert=True)
        else:
            raise bad_request(f"Unexpected kind: {op}")
    if not isinstance(document, dict):
        raise bad_request("json patch must produce an object")
    return document


def _tokens(path: str) -> list[str]:
    if not path:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in path.lstrip("/").split("/")]


def _pointer_get(document: Any, path: str) -> Any:
    node = document
    for token in _tokens(path):
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError) as error:
            raise ApiError(422, "Invalid", f"path {path!r} does not exist") from error
    return node


def _pointer_set(document: Any, path: str, value: Any, insert: bool) -> Any:
    tokens = _tokens(path)
    if not tokens:
        return value
    parent = _pointer_get(document, "/" + "/".join(tokens[:-1])) if len(tokens) > 1 else document
    last = tokens[-1]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if insert:
            parent.insert(index, value)
        else:
            parent[index] = value
    else:
        parent[last] = value
    return document


def _pointer_remove(document: Any, path: str) -> None:
    tokens = _tokens(path)
    parent = _pointer_get(document, "/" + "/".join(tokens[:-1])) if len(tokens) > 1 else document
    last = tokens[-1]
    try:
        if isinstance(parent, list):
            del parent[int(last)]
        else:
            del parent[last]
    except (KeyError, IndexError, ValueError) as error:
        raise ApiError(422, "Invalid", f"path {path!r} does not exist") from error

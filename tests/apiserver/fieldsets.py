"""Field paths and their `fieldsV1` encoding in `metadata.managedFields`.

A path is a tuple of path elements, each already in its `fieldsV1` spelling:
`f:<field>` (struct field or map key), `k:<json>` (list-map item by its key fields),
`v:<json>` (set member) and `i:<n>` (list index). A field set is a plain Python `set` of
paths. In `fieldsV1` a set becomes a tree whose leaves are `{}`; a path that is a member and
also has members below it carries `".": {}`. JSON inside `k:` and `v:` is compact with
sorted keys, as structured-merge-diff writes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

Path = tuple[str, ...]
FieldSet = set[Path]
FieldsV1 = dict[str, Any]


def compact_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def field_element(name: str) -> str:
    return f"f:{name}"


def key_element(item: Mapping[str, Any], keys: Iterable[str]) -> str:
    """Return the `k:` element of a list-map item; a missing key field is left out."""
    return "k:" + compact_json({key: item[key] for key in keys if key in item})


def value_element(value: object) -> str:
    return "v:" + compact_json(value)


def index_element(index: int) -> str:
    return f"i:{index}"


def to_fields_v1(paths: Iterable[Path]) -> FieldsV1:
    """Encode a field set as a `fieldsV1` tree."""
    members = set(paths)
    tree: FieldsV1 = {}
    for path in sorted(members):
        node = tree
        for element in path:
            node = node.setdefault(element, {})
    _mark_members(tree, (), members)
    return tree


def _mark_members(node: FieldsV1, prefix: Path, members: set[Path]) -> None:
    for element, child in node.items():
        path = (*prefix, element)
        _mark_members(child, path, members)
        if child and path in members:
            # structured-merge-diff writes the "." member marker before the children.
            node[element] = {".": {}, **child}


def from_fields_v1(tree: Mapping[str, Any]) -> FieldSet:
    """Decode a `fieldsV1` tree into a field set."""
    paths: FieldSet = set()
    _collect(tree, (), paths)
    return paths


def _collect(node: Mapping[str, Any], prefix: Path, paths: FieldSet) -> None:
    for element, child in node.items():
        if element == ".":
            paths.add(prefix)
            continue
        path = (*prefix, element)
        if not child:
            paths.add(path)
        else:
            _collect(child, path, paths)


def format_path(path: Path) -> str:
    """Print a path as conflict messages do: `.spec.containers[name="web"].image`."""
    text = ""
    for element in path:
        prefix, _, rest = element.partition(":")
        if prefix == "f":
            text += "." + rest
        elif prefix == "k":
            fields = json.loads(rest)
            text += "[" + ",".join(f"{k}={compact_json(v)}" for k, v in fields.items()) + "]"
        elif prefix == "v":
            text += f"[={rest}]"
        else:
            text += f"[{rest}]"
    return text


def is_prefix(prefix: Path, path: Path) -> bool:
    return path[: len(prefix)] == prefix


def has_descendant(paths: Iterable[Path], prefix: Path) -> bool:
    """Tell whether any path in `paths` lies strictly below `prefix`."""
    return any(len(p) > len(prefix) and is_prefix(prefix, p) for p in paths)

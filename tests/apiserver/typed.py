"""Schema-aware walks over JSON objects: field sets, merge, comparison and removal.

These are the structured-merge-diff operations that server-side apply and managedFields
need, over plain dicts and lists. List and object types come from `schema.py`. A JSON
`null` counts as an absent field, as it does for structured-merge-diff on built-in types.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.apiserver import schema
from tests.apiserver.fieldsets import (
    FieldSet,
    Path,
    field_element,
    has_descendant,
    key_element,
    value_element,
)

# Struct fields that every zero Go object of these kinds already has, so an Update that
# fills them does not record the node itself as a member, only its contents.
ZERO_VALUE_STRUCTS = frozenset(
    {"metadata", "spec", "template", "status", "strategy", "updateStrategy", "jobTemplate"}
)


def _is_object(value: object) -> bool:
    return isinstance(value, dict)


def object_fields(obj: dict[str, Any], kind: str) -> FieldSet:
    """Return the field set an apply configuration claims: leaves, list items, atomic nodes."""
    paths: FieldSet = set()
    _walk(obj, (), (), kind, paths)
    return paths


def _walk(value: Any, path: Path, spath: schema.SchemaPath, kind: str, out: FieldSet) -> None:
    if isinstance(value, dict):
        if schema.is_atomic_object(kind, spath) or not value:
            out.add(path)
            return
        for name, child in value.items():
            if child is not None:
                _walk(child, (*path, field_element(name)), (*spath, name), kind, out)
    elif isinstance(value, list):
        list_type = schema.list_type(kind, spath)
        if list_type.kind == "atomic":
            out.add(path)
        elif list_type.kind == "set":
            out.update((*path, value_element(v)) for v in value)
        else:
            for item in value:
                item_path = (*path, key_element(item, list_type.keys))
                out.add(item_path)
                for name, child in item.items():
                    if child is not None:
                        _walk(child, (*item_path, field_element(name)), (*spath, name), kind, out)
    else:
        out.add(path)


def _subtree(value: Any, path: Path, spath: schema.SchemaPath, kind: str, out: FieldSet) -> None:
    """Add `path` and every path below it, as an Update does for newly added fields."""
    if isinstance(value, dict) and value and not schema.is_atomic_object(kind, spath):
        if not spath or spath[-1] not in ZERO_VALUE_STRUCTS:
            out.add(path)
        for name, child in value.items():
            if child is not None:
                _subtree(child, (*path, field_element(name)), (*spath, name), kind, out)
        return
    if isinstance(value, list):
        list_type = schema.list_type(kind, spath)
        if list_type.kind == "map":
            out.add(path)
            for item in value:
                _subtree(item, (*path, key_element(item, list_type.keys)), spath, kind, out)
            return
        if list_type.kind == "set":
            out.add(path)
            out.update((*path, value_element(v)) for v in value)
            return
    out.add(path)


@dataclass
class Comparison:
    """Paths that differ between two objects, as structured-merge-diff's Compare reports."""

    added: FieldSet = field(default_factory=set)
    modified: FieldSet = field(default_factory=set)
    removed: FieldSet = field(default_factory=set)

    @property
    def changed(self) -> FieldSet:
        return self.added | self.modified | self.removed


def compare(old: dict[str, Any], new: dict[str, Any], kind: str) -> Comparison:
    result = Comparison()
    _compare(old, new, (), (), kind, result)
    return result


def _compare(
    old: Any, new: Any, path: Path, spath: schema.SchemaPath, kind: str, result: Comparison
) -> None:
    if _is_object(old) and _is_object(new) and not schema.is_atomic_object(kind, spath):
        for name in {**old, **new}:
            child_path = (*path, field_element(name))
            old_child, new_child = old.get(name), new.get(name)
            if old_child is None and new_child is not None:
                _subtree(new_child, child_path, (*spath, name), kind, result.added)
            elif new_child is None and old_child is not None:
                result.removed.add(child_path)
            elif old_child is not None:
                _compare(old_child, new_child, child_path, (*spath, name), kind, result)
        return
    if isinstance(old, list) and isinstance(new, list):
        list_type = schema.list_type(kind, spath)
        if list_type.kind == "map":
            _compare_list_map(old, new, path, spath, kind, list_type.keys, result)
            return
        if list_type.kind == "set":
            old_set = {value_element(v) for v in old}
            new_set = {value_element(v) for v in new}
            result.added.update((*path, e) for e in new_set - old_set)
            result.removed.update((*path, e) for e in old_set - new_set)
            return
    if old != new:
        result.modified.add(path)


def _compare_list_map(
    old: list[Any],
    new: list[Any],
    path: Path,
    spath: schema.SchemaPath,
    kind: str,
    keys: tuple[str, ...],
    result: Comparison,
) -> None:
    old_items = {key_element(item, keys): item for item in old}
    new_items = {key_element(item, keys): item for item in new}
    for element, item in new_items.items():
        item_path = (*path, element)
        if element not in old_items:
            _subtree(item, item_path, spath, kind, result.added)
        else:
            _compare(old_items[element], item, item_path, spath, kind, result)
    for element in old_items.keys() - new_items.keys():
        result.removed.add((*path, element))


def merge(live: dict[str, Any], config: dict[str, Any], kind: str) -> dict[str, Any]:
    """Merge an apply configuration into the live object; configured values win."""
    merged = _merge(copy.deepcopy(live), config, (), kind)
    assert isinstance(merged, dict)
    return merged


def _merge(live: Any, config: Any, spath: schema.SchemaPath, kind: str) -> Any:
    if _is_object(live) and _is_object(config) and not schema.is_atomic_object(kind, spath):
        for name, value in config.items():
            if value is None:
                continue
            if name in live and live[name] is not None:
                live[name] = _merge(live[name], value, (*spath, name), kind)
            else:
                live[name] = copy.deepcopy(value)
        return live
    if isinstance(live, list) and isinstance(config, list):
        list_type = schema.list_type(kind, spath)
        if list_type.kind == "map":
            return _merge_list_map(live, config, spath, kind, list_type.keys)
        if list_type.kind == "set":
            return live + [copy.deepcopy(v) for v in config if v not in live]
    return copy.deepcopy(config)


def _merge_list_map(
    live: list[Any], config: list[Any], spath: schema.SchemaPath, kind: str, keys: tuple[str, ...]
) -> list[Any]:
    """Merge list-map items by key: live order first, new items appended in config order."""
    positions = {key_element(item, keys): index for index, item in enumerate(live)}
    for item in config:
        element = key_element(item, keys)
        if element in positions:
            index = positions[element]
            live[index] = _merge(live[index], item, spath, kind)
        else:
            positions[element] = len(live)
            live.append(copy.deepcopy(item))
    return live


def _find_item(items: list[Any], element: str) -> int | None:
    prefix, _, text = element.partition(":")
    wanted = json.loads(text)
    for index, item in enumerate(items):
        if prefix == "k" and isinstance(item, dict):
            if all(item.get(k) == v for k, v in wanted.items()):
                return index
        elif prefix == "v" and item == wanted:
            return index
        elif prefix == "i" and index == wanted:
            return index
    return None


def _step(container: Any, element: str) -> tuple[bool, Any]:
    if element.startswith("f:"):
        if isinstance(container, dict) and container.get(element[2:]) is not None:
            return True, container[element[2:]]
        return False, None
    if isinstance(container, list):
        index = _find_item(container, element)
        if index is not None:
            return True, container[index]
    return False, None


def get_value(obj: Any, path: Path) -> tuple[bool, Any]:
    """Return (found, value) for the node at `path`."""
    node = obj
    for element in path:
        found, node = _step(node, element)
        if not found:
            return False, None
    return True, node


def remove_path(obj: dict[str, Any], path: Path) -> None:
    """Delete the node at `path`; a missing node is ignored."""
    found, parent = get_value(obj, path[:-1])
    if not found:
        return
    element = path[-1]
    if element.startswith("f:"):
        if isinstance(parent, dict):
            parent.pop(element[2:], None)
    elif isinstance(parent, list):
        index = _find_item(parent, element)
        if index is not None:
            del parent[index]


def prune(obj: dict[str, Any], stale: FieldSet, owned: FieldSet) -> list[Path]:
    """Remove every stale path whose subtree holds nothing that `owned` claims.

    A stale node with owned descendants stays, and only its stale children go. Returns the
    removed paths, shortest first.
    """
    removed: list[Path] = []
    for path in sorted(stale, key=len):
        if any(p == path[: len(p)] for p in removed):
            continue
        if path in owned or has_descendant(owned, path):
            continue
        remove_path(obj, path)
        removed.append(path)
    return removed


def drop_empty_maps(obj: dict[str, Any], removed: list[Path]) -> None:
    """Drop string maps (labels, data, ...) left empty by a removal, as Go omitempty does."""
    for path in removed:
        parent_path = path[:-1]
        if not parent_path or not parent_path[-1].startswith("f:"):
            continue
        if not schema.drops_when_empty(tuple(e[2:] for e in parent_path if e.startswith("f:"))):
            continue
        found, value = get_value(obj, parent_path)
        if found and value == {}:
            remove_path(obj, parent_path)


def leaves(value: Any, path: Path = ()) -> Iterator[Path]:
    """Yield the paths of scalar leaves, following dict keys only (lists stay whole)."""
    if isinstance(value, dict) and value:
        for name, child in value.items():
            yield from leaves(child, (*path, field_element(name)))
    else:
        yield path


# Key fields with a schema default: the server fills them before merging, so an item that
# omits `protocol` still matches the live item keyed with `"protocol":"TCP"`.
KEY_DEFAULTS = {"protocol": "TCP"}


def default_list_keys(value: Any, kind: str, spath: schema.SchemaPath = ()) -> None:
    """Fill defaulted key fields of list-map items in place, at any depth."""
    if isinstance(value, dict):
        for name, child in value.items():
            default_list_keys(child, kind, (*spath, name))
    elif isinstance(value, list):
        list_type = schema.list_type(kind, spath)
        for item in value:
            if list_type.kind == "map" and isinstance(item, dict):
                for key in list_type.keys:
                    if key in KEY_DEFAULTS:
                        item.setdefault(key, KEY_DEFAULTS[key])
            default_list_keys(item, kind, spath)

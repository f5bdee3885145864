"""Merge several normalized compose files, later files winning.

Mappings merge key by key; keyed sequences merge by their key (volumes by target, ports
by their whole entry); other sequences are appended without duplicates; scalars and the
command-like keys are replaced. ``!reset`` removes a value and ``!override`` replaces it
whole.
"""

from __future__ import annotations

import typing as t

from kompile.compose.yamlsource import RESET_TAG, Tagged

_REPLACED = {"command", "entrypoint", "image", "healthcheck.test"}
_KEYED: dict[str, str] = {"volumes": "target", "secrets": "source", "configs": "source"}


def merge_files(documents: list[dict[str, t.Any]]) -> dict[str, t.Any]:
    """Merge whole documents in order and strip any tags left on the first one."""
    result: dict[str, t.Any] = untag(documents[0])
    for document in documents[1:]:
        result = merge_values(result, document, ())
    return result


def untag(value: t.Any) -> t.Any:
    if isinstance(value, Tagged):
        return None if value.tag == RESET_TAG else untag(value.value)
    if isinstance(value, dict):
        return {k: untag(v) for k, v in value.items() if not _is_reset(v)}
    if isinstance(value, list):
        return [untag(v) for v in value]
    return value


def _is_reset(value: t.Any) -> bool:
    return isinstance(value, Tagged) and value.tag == RESET_TAG


def merge_values(base: t.Any, override: t.Any, path: tuple[str, ...]) -> t.Any:
    if isinstance(override, Tagged):
        return None if override.tag == RESET_TAG else untag(override.value)
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            if _is_reset(value):
                merged.pop(key, None)
            elif key in merged:
                merged[key] = merge_values(merged[key], value, (*path, key))
            else:
                merged[key] = untag(value)
        return merged
    if isinstance(base, list) and isinstance(override, list):
        dotted = ".".join(path[2:]) if path[:1] == ("services",) else ""
        if dotted in _REPLACED:
            return untag(override)
        key = _KEYED.get(dotted)
        if key is not None:
            return _merge_keyed(base, untag(override), key)
        merged_list = list(base)
        for item in untag(override):
            if item not in merged_list:
                merged_list.append(item)
        return merged_list
    return untag(override)


def _merge_keyed(base: list[t.Any], override: list[t.Any], key: str) -> list[t.Any]:
    merged = {_item_key(item, key): item for item in base}
    for item in override:
        merged[_item_key(item, key)] = item
    return list(merged.values())


def _item_key(item: t.Any, key: str) -> t.Any:
    if isinstance(item, dict):
        return item.get(key)
    return item

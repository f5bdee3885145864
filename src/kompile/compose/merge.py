"""Merge canonical compose documents, later ones winning, with Docker Compose's rules.

The rules, as Docker Compose v2.40.3 applies them to ``-f`` files, override files and
``extends``:

* mappings merge key by key (``environment``, ``labels``, ``deploy``, ``networks`` ...);
* ``command``, ``entrypoint`` and ``healthcheck.test`` are replaced whole;
* ``volumes`` merge by mount target and ``secrets``/``configs`` by source and target,
  the later entry replacing the earlier one in place;
* ``logging`` is replaced whole when the driver changes;
* every other sequence (``ports``, ``expose``, ``dns``, ``cap_add``, ``profiles`` ...)
  is appended, leaving out entries equal to one already present;
* scalars are replaced.

``!reset`` removes a value and ``!override`` replaces it whole, whatever the key.
"""

from __future__ import annotations

import typing as t

from kompile.compose.yamlsource import RESET_TAG, Tagged

_REPLACED = {"command", "entrypoint", "healthcheck.test"}


def _mount_key(item: t.Any) -> t.Any:
    return item.get("target") if isinstance(item, dict) else item


def _reference_key(item: t.Any) -> t.Any:
    if isinstance(item, dict):
        return (item.get("source"), item.get("target"))
    return item


def _env_file_key(item: t.Any) -> t.Any:
    return item.get("path") if isinstance(item, dict) else item


_KEYED: dict[str, t.Callable[[t.Any], t.Any]] = {
    "volumes": _mount_key,
    "secrets": _reference_key,
    "configs": _reference_key,
    "env_file": _env_file_key,
}


def merge_files(documents: list[dict[str, t.Any]]) -> dict[str, t.Any]:
    """Merge whole documents in order and strip any tags left on the first one."""
    result: dict[str, t.Any] = untag(documents[0])
    for document in documents[1:]:
        result = merge_values(result, document, ())
    return result


def merge_service(base: dict[str, t.Any], override: dict[str, t.Any]) -> dict[str, t.Any]:
    """Merge one service over another, as ``extends`` and override files do."""
    merged = merge_values(base, override, ("services", "_"))
    assert isinstance(merged, dict)
    return merged


def untag(value: t.Any) -> t.Any:
    """Return ``value`` without tags: ``!reset`` values are dropped, ``!override`` kept."""
    if isinstance(value, Tagged):
        return None if value.tag == RESET_TAG else untag(value.value)
    if isinstance(value, dict):
        return {k: untag(v) for k, v in value.items() if not _is_reset(v)}
    if isinstance(value, list):
        return [untag(v) for v in value if not _is_reset(v)]
    return value


def _is_reset(value: t.Any) -> bool:
    return isinstance(value, Tagged) and value.tag == RESET_TAG


def merge_values(base: t.Any, override: t.Any, path: tuple[str, ...]) -> t.Any:
    """Merge ``override`` over ``base``; ``path`` names the key, for the keyed rules."""
    if isinstance(override, Tagged):
        return None if override.tag == RESET_TAG else untag(override.value)
    service_key = ".".join(path[2:]) if path[:1] == ("services",) else ""
    if isinstance(base, dict) and isinstance(override, dict):
        if service_key == "logging" and override.get("driver") not in (None, base.get("driver")):
            return untag(override)
        merged = dict(base)
        for key, value in override.items():
            if _is_reset(value):
                merged.pop(key, None)
            elif key in merged and merged[key] is not None:
                merged[key] = merge_values(merged[key], value, (*path, key))
            else:
                merged[key] = untag(value)
        return merged
    if isinstance(base, list) and isinstance(override, list):
        if service_key in _REPLACED:
            return untag(override)
        key_function = _KEYED.get(service_key)
        if key_function is not None:
            return _merge_keyed(base, untag(override), key_function)
        merged_list = list(base)
        for item in untag(override):
            if item not in merged_list:
                merged_list.append(item)
        return merged_list
    return untag(override)


def _merge_keyed(
    base: list[t.Any], override: list[t.Any], key_function: t.Callable[[t.Any], t.Any]
) -> list[t.Any]:
    merged = {key_function(item): item for item in base}
    for item in override:
        merged[key_function(item)] = item
    return list(merged.values())

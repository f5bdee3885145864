"""Bring one validated service to the canonical form that ``docker compose config`` prints.

Runs on each file's services before the files are merged, because Docker Compose merges
canonical values: two ``ports`` lists merge entry by entry only once both are long
syntax. Relative paths resolve against ``base_dir``, the folder of the project (or of the
file that an ``extends`` points to).
"""

from __future__ import annotations

import typing as t
from pathlib import Path

from kompile.compose import normalize
from kompile.compose.model import ServiceConfig
from kompile.compose.yamlsource import Tagged
from kompile.errors import KeyPath

Locate = normalize.Locate

_MAPPINGS = ("labels", "annotations", "sysctls")
_STRING_LISTS = ("dns", "dns_search", "tmpfs", "label_file")
_BYTE_SIZES = ("mem_limit", "mem_reservation", "memswap_limit", "shm_size")
_DURATIONS = ("stop_grace_period",)


def normalize_service(name: str, service: t.Any, base_dir: Path, locate: Locate) -> ServiceConfig:
    """Return the canonical form of one service; tagged values are left to the merge."""
    path: KeyPath = ("services", name)
    config: ServiceConfig = dict(service or {})
    for key, value in list(config.items()):
        if isinstance(value, Tagged):
            config[key] = Tagged(
                value.tag, _normalize_key(key, value.value, path, base_dir, locate)
            )
        else:
            config[key] = _normalize_key(key, value, path, base_dir, locate)
    return config


def _normalize_key(key: str, value: t.Any, path: KeyPath, base_dir: Path, locate: Locate) -> t.Any:
    key_path = (*path, key)
    if value is None:
        return None
    if key == "environment":
        return normalize.environment(value, key_path, locate)
    if key in ("command", "entrypoint"):
        return normalize.command(value, key_path, locate)
    if key == "ports":
        return normalize.ports(value, key_path, locate)
    if key == "expose":
        return normalize.expose(value, key_path, locate)
    if key == "depends_on":
        return normalize.depends_on(value, key_path, locate)
    if key == "volumes":
        return [
            normalize.mount(item, (*key_path, i), locate, base_dir) for i, item in enumerate(value)
        ]
    if key == "healthcheck":
        return normalize.healthcheck(value, key_path, locate)
    if key == "deploy":
        return normalize.deploy(value, key_path, locate)
    if key in _MAPPINGS:
        return normalize.string_mapping(value, key_path, locate)
    if key in _STRING_LISTS:
        return normalize.string_list(value)
    if key in _BYTE_SIZES:
        return normalize.byte_size(value, key_path, locate)
    if key in _DURATIONS:
        return normalize.duration(value, key_path, locate)
    return _normalize_other(key, value, base_dir, locate, key_path)


def _normalize_other(
    key: str, value: t.Any, base_dir: Path, locate: Locate, key_path: KeyPath
) -> t.Any:
    if key == "cpus":
        return normalize.cpus(value, key_path, locate)
    if key == "extra_hosts":
        return normalize.extra_hosts(value)
    if key == "env_file":
        return normalize.env_files(value, base_dir)
    if key == "build":
        return normalize.build(value, base_dir)
    if key == "devices":
        return normalize.devices(value)
    if key in ("secrets", "configs"):
        return normalize.file_references(value)
    if key == "networks":
        return normalize.service_networks(value)
    if key == "group_add":
        return [normalize.scalar_to_string(item) for item in value]
    return value

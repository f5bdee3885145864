"""Complete a merged project with the defaults that ``docker compose config`` shows.

After merging, Docker Compose reads each service's ``env_file`` into its
``environment`` and fills variables listed without a value from the environment. It
attaches services to the ``default`` network and keeps only the volumes, networks,
secrets and configs that services use, under project-prefixed names. Last, it checks
that every reference points at something defined.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

from kompile.compose import dotenv
from kompile.compose.interpolation import Lookup
from kompile.compose.model import ServiceConfig
from kompile.errors import ComposeError, KeyPath, Location

Locate = t.Callable[[KeyPath], Location]

SECTIONS = ("networks", "volumes", "secrets", "configs")


def finalize_service(
    name: str, service: ServiceConfig, lookup: Lookup, locate: Locate | None = None
) -> ServiceConfig:
    """Resolve ``env_file`` and bare variables, and add the keys Compose always prints."""
    result = dict(service)
    try:
        environment = _environment(result, lookup)
    except ComposeError as error:
        if error.location is not None or locate is None:
            raise
        # A missing or unreadable env file: point at the env_file key that names it.
        path: KeyPath = ("services", name, "env_file")
        raise ComposeError(
            error.reason, location=locate(path), key_path=path, hint=error.hint
        ) from None
    if environment is not None:
        result["environment"] = environment
    result.pop("env_file", None)
    result.setdefault("command", None)
    result.setdefault("entrypoint", None)
    if "network_mode" not in result and not result.get("networks"):
        result["networks"] = {"default": None}
    for entry in result.get("secrets") or []:
        entry.setdefault("target", f"/run/secrets/{entry['source']}")
    if isinstance(result.get("build"), dict) and "args" in result["build"]:
        args = result["build"]["args"]
        resolved = {key: lookup(key) if value is None else value for key, value in args.items()}
        result["build"]["args"] = {k: v for k, v in resolved.items() if v is not None}
    return omit_empty(result)


# Keys that Docker Compose prints even when false, zero or empty.
_KEEP_EMPTY = {"attach", "init", "scale", "command", "entrypoint", "environment", "networks"}


def omit_empty(service: ServiceConfig) -> ServiceConfig:
    """Drop false, zero and empty values, as Compose's JSON output omits them."""
    result = {
        key: value for key, value in service.items() if key in _KEEP_EMPTY or not _empty(value)
    }
    if isinstance(result.get("healthcheck"), dict):
        result["healthcheck"] = {
            key: value for key, value in result["healthcheck"].items() if not _empty(value)
        }
    if "volumes" in result:
        result["volumes"] = [_omit_empty_mount(mount) for mount in result["volumes"]]
    return result


def _omit_empty_mount(mount: dict[str, t.Any]) -> dict[str, t.Any]:
    result = {key: value for key, value in mount.items() if value is not False}
    for key in ("bind", "volume", "tmpfs"):
        if isinstance(result.get(key), dict):
            result[key] = {k: v for k, v in result[key].items() if not _empty(v)}
    return result


def _empty(value: t.Any) -> bool:
    if isinstance(value, bool):
        return not value
    return value is None or value == 0 or value == "" or value == [] or value == {}


def _environment(service: ServiceConfig, lookup: Lookup) -> dict[str, str | None] | None:
    files = service.get("env_file") or []
    declared: dict[str, str | None] = service.get("environment") or {}
    if not files and not declared:
        return None
    merged: dict[str, str | None] = {}
    for entry in files:
        path = Path(entry["path"])
        if not path.exists() and not entry.get("required", True):
            continue
        merged.update(dotenv.read_env_file(path, lookup))
    for key, value in declared.items():
        merged[key] = lookup(key) if value is None else value
    if not merged and "environment" not in service:
        return None
    return dict(sorted(merged.items()))


def finalize_sections(document: dict[str, t.Any], project: str, base_dir: Path) -> None:
    """Keep the networks, volumes, secrets and configs that services use, named as
    Docker Compose names them."""
    used = _used_resources(document.get("services") or {})
    networks = document.setdefault("networks", {})
    if "default" in used["networks"] and "default" not in networks:
        networks["default"] = None
    for section in SECTIONS:
        entries = document.get(section) or {}
        for key, entry in list(entries.items()):
            if key not in used[section]:
                del entries[key]
                continue
            entries[key] = _named(section, key, dict(entry or {}), project, base_dir)
        if entries:
            document[section] = entries
        else:
            document.pop(section, None)


def _used_resources(services: dict[str, ServiceConfig]) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {section: set() for section in SECTIONS}
    for service in services.values():
        used["networks"].update(service.get("networks") or {})
        for mount in service.get("volumes") or []:
            if mount.get("type") == "volume" and mount.get("source"):
                used["volumes"].add(mount["source"])
        for section in ("secrets", "configs"):
            used[section].update(entry["source"] for entry in service.get(section) or [])
    return used


def _named(
    section: str, key: str, entry: dict[str, t.Any], project: str, base_dir: Path
) -> dict[str, t.Any]:
    external = entry.get("external")
    if isinstance(external, dict):
        entry.setdefault("name", external.get("name", key))
        entry["external"] = True
    if entry.get("external"):
        entry.setdefault("name", key)
    else:
        entry.setdefault("name", f"{project}_{key}")
    result = {"name": entry.pop("name"), **entry}
    if section == "networks" and not result.get("external"):
        result.setdefault("ipam", {})
    if section in ("secrets", "configs") and isinstance(result.get("file"), str):
        path = Path(result["file"]).expanduser()
        result["file"] = str(path if path.is_absolute() else (base_dir / path).resolve())
    return result


def check_references(document: dict[str, t.Any], locate: Locate) -> None:
    """Reject services that use a volume, network, secret, config or service not defined."""
    services = document.get("services", {})
    for name, service in services.items():
        path: KeyPath = ("services", name)
        for mount in service.get("volumes") or []:
            source = mount.get("source")
            if (
                mount.get("type") == "volume"
                and source
                and source not in document.get("volumes", {})
            ):
                _missing(path, "volumes", source, "volume", locate)
        for network in service.get("networks") or {}:
            if network not in document.get("networks", {}):
                _missing(path, "networks", network, "network", locate)
        for section, noun in (("secrets", "secret"), ("configs", "config")):
            for entry in service.get(section) or []:
                if entry["source"] not in document.get(section, {}):
                    _missing(path, section, entry["source"], noun, locate)
        for dependency in service.get("depends_on") or {}:
            if dependency not in services:
                _missing(path, "depends_on", dependency, "service", locate)


def _missing(path: KeyPath, key: str, name: str, noun: str, locate: Locate) -> t.NoReturn:
    raise ComposeError(
        f"refers to undefined {noun} {name!r}",
        location=locate((*path, key)),
        key_path=(*path, key),
        hint=f"define it under the top-level {key if key != 'depends_on' else 'services'} key",
    )


# Service keys that Docker Compose requires to agree with their deploy.resources twin.
_RESOURCE_TWINS = {
    "mem_limit": ("limits", "memory"),
    "mem_reservation": ("reservations", "memory"),
    "cpus": ("limits", "cpus"),
}


def check_resource_conflicts(name: str, service: ServiceConfig, locate: Locate) -> None:
    """Reject a service whose ``mem_limit`` (or similar) disagrees with ``deploy``."""
    resources = (service.get("deploy") or {}).get("resources") or {}
    for key, (kind, twin) in _RESOURCE_TWINS.items():
        value = service.get(key)
        other = (resources.get(kind) or {}).get(twin)
        if value is not None and other is not None and float(value) != float(other):
            path: KeyPath = ("services", name, key)
            raise ComposeError(
                f"{key} and deploy.resources.{kind}.{twin} have different values",
                location=locate(path),
                key_path=path,
                hint="set only one of the two",
            )

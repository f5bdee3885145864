"""Complete a merged project with the defaults that ``docker compose config`` shows.

After merging, Docker Compose reads each service's ``env_file`` into its
``environment``, fills variables listed without a value from the environment, attaches
services to the ``default`` network, gives volumes, networks, secrets and configs their
project-prefixed names, and checks that every reference points at something defined.
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


def finalize_service(name: str, service: ServiceConfig, lookup: Lookup) -> ServiceConfig:
    """Resolve ``env_file`` and bare variables, and add the keys Compose always prints."""
    result = dict(service)
    environment = _environment(result, lookup)
    if environment is not None:
        result["environment"] = environment
    result.pop("env_file", None)
    result.setdefault("command", None)
    result.setdefault("entrypoint", None)
    if "network_mode" not in result and not result.get("networks"):
        result["networks"] = {"default": None}
    for key in ("secrets",):
        for entry in result.get(key) or []:
            entry.setdefault("target", f"/run/secrets/{entry['source']}")
    return result


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
    return dict(sorted(merged.items()))


def finalize_sections(document: dict[str, t.Any], project: str, base_dir: Path) -> None:
    """Name each network, volume, secret and config as Docker Compose does."""
    uses_default = any(
        "default" in (service.get("networks") or {})
        for service in document.get("services", {}).values()
    )
    networks = document.setdefault("networks", {})
    if uses_default and "default" not in networks:
        networks["default"] = None
    for section in SECTIONS:
        entries = document.get(section) or {}
        for key, entry in list(entries.items()):
            entries[key] = _named(section, key, dict(entry or {}), project, base_dir)
        if entries:
            document[section] = entries
        else:
            document.pop(section, None)


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
        for dependency, condition in (service.get("depends_on") or {}).items():
            if dependency not in services and condition.get("required", True):
                _missing(path, "depends_on", dependency, "service", locate)


def _missing(path: KeyPath, key: str, name: str, noun: str, locate: Locate) -> t.NoReturn:
    raise ComposeError(
        f"refers to undefined {noun} {name!r}",
        location=locate((*path, key)),
        key_path=(*path, key),
        hint=f"define it under the top-level {key if key != 'depends_on' else 'services'} key",
    )

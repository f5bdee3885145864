"""Find, read, merge and normalize the compose files of one project.

The steps follow Docker Compose: choose the files (``-f``, then ``COMPOSE_FILE``, then the
default names with their override file), read each one with locations, normalize each
file's services to long syntax, merge the files in order, keep the services of the active
profiles, and name the project. Relative paths in every file resolve against the project
directory, which is the folder of the first file unless ``--project-directory`` says
otherwise.
"""

from __future__ import annotations

import os
import re
import sys
import typing as t
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kompile.compose import normalize
from kompile.compose.merge import merge_files
from kompile.compose.model import Project, ServiceConfig
from kompile.compose.yamlsource import SourceMap, Tagged, load_document
from kompile.diagnostics import Diagnostics
from kompile.errors import ComposeError, KeyPath, Location

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
STDIN = "-"

_TOP_LEVEL_KEYS = {"version", "name", "services", "networks", "volumes", "secrets", "configs"}
_TOP_LEVEL_SECTIONS = ("networks", "volumes", "secrets", "configs")


@dataclass
class LoadOptions:
    """What the user told kompile about the project, from flags and the environment."""

    files: list[str] = field(default_factory=list)
    project_name: str | None = None
    project_directory: Path | None = None
    profiles: list[str] = field(default_factory=list)
    env_files: list[str] = field(default_factory=list)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    working_dir: Path = field(default_factory=Path.cwd)


def find_files(options: LoadOptions) -> list[str]:
    """Return the compose files to read, in merge order, as Docker Compose chooses them."""
    if options.files:
        return list(options.files)
    from_env = options.environ.get("COMPOSE_FILE")
    if from_env:
        separator = options.environ.get("COMPOSE_PATH_SEPARATOR", os.pathsep)
        return [str(options.working_dir / name) for name in from_env.split(separator) if name]
    for name in DEFAULT_FILES:
        candidate = options.working_dir / name
        if candidate.is_file():
            stem, suffix = name.rsplit(".", 1)
            files = [str(candidate)]
            for override_suffix in (suffix, "yml" if suffix == "yaml" else "yaml"):
                override = options.working_dir / f"{stem}.override.{override_suffix}"
                if override.is_file():
                    files.append(str(override))
                    break
            return files
    raise ComposeError(
        f"no compose file found in {options.working_dir}",
        hint=f"create {DEFAULT_FILES[0]} or name a file with -f",
    )


def read_text(name: str) -> str:
    """Read one compose file as UTF-8 text, or stdin for ``-``."""
    if name == STDIN:
        return sys.stdin.read()
    path = Path(name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ComposeError(f"compose file {name} not found", hint="check the -f path") from None
    except IsADirectoryError:
        raise ComposeError(
            f"{name} is a directory, not a compose file", hint="name the YAML file inside it"
        ) from None
    except PermissionError:
        raise ComposeError(f"compose file {name} cannot be read: permission denied") from None
    except OSError as error:
        raise ComposeError(f"compose file {name} cannot be read: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ComposeError(
            f"{name} is not UTF-8 text (invalid byte at offset {error.start})",
            hint="save the compose file as UTF-8",
        ) from None


def normalize_project_name(name: str) -> str:
    """Apply Compose's rule: lowercase letters, digits, dashes and underscores only."""
    lowered = re.sub(r"[^a-z0-9_-]", "", name.lower())
    return lowered.lstrip("_-")


def load_project(options: LoadOptions, diagnostics: Diagnostics) -> Project:
    """Load the compose project described by ``options``."""
    names = find_files(options)
    first = names[0]
    project_dir = options.project_directory or (
        options.working_dir if first == STDIN else Path(first).resolve().parent
    )
    documents: list[dict[str, t.Any]] = []
    sources: list[SourceMap] = []
    for name in names:
        display: Path | str = name if name == STDIN else Path(name)
        value, source = load_document(read_text(name), display)
        sources.append(source)
        if value is None:
            raise ComposeError("the compose file is empty", location=Location(display))
        if not isinstance(value, dict):
            raise normalize.wrong_type(source.locate, (), "a mapping of top-level keys", value)
        documents.append(_normalize_file(value, source, project_dir, diagnostics))
    merged = merge_files(documents)
    services = merged.get("services") or {}
    locate = _locator(sources)
    if not services:
        raise ComposeError(
            "the project defines no services",
            location=Location(names[0] if names[0] == STDIN else Path(names[0])),
            key_path=("services",),
            hint="add at least one service",
        )
    active = _select_profiles(services, options, locate)
    project = Project(
        name=_project_name(options, merged, project_dir),
        working_dir=project_dir,
        services=active,
        files=[n if n == STDIN else Path(n) for n in names],
        sources=sources,
    )
    for section in _TOP_LEVEL_SECTIONS:
        setattr(project, section, merged.get(section) or {})
    project.extensions = {k: v for k, v in merged.items() if k.startswith("x-")}
    return project


def _locator(sources: list[SourceMap]) -> normalize.Locate:
    def locate(path: KeyPath) -> Location:
        for source in reversed(sources):
            if path[:2] in source.positions or path[:1] in source.positions:
                return source.locate(path)
        return sources[0].locate(path)

    return locate


def _normalize_file(
    document: dict[str, t.Any], source: SourceMap, project_dir: Path, diagnostics: Diagnostics
) -> dict[str, t.Any]:
    locate = source.locate
    for key in document:
        if key not in _TOP_LEVEL_KEYS and not key.startswith("x-"):
            raise ComposeError(
                f"unknown top-level key {key!r}",
                location=locate((key,)),
                key_path=(key,),
                hint="use services, networks, volumes, secrets, configs, name or an x- key",
            )
    if "version" in document:
        diagnostics.warn(
            "the top-level 'version' key is obsolete and ignored", key_path=("version",)
        )
    result = dict(document)
    result.pop("version", None)
    services = document.get("services")
    if services is not None:
        services = normalize.expect_mapping(services, ("services",), locate)
        result["services"] = {
            name: _normalize_service(name, service, project_dir, locate)
            for name, service in services.items()
        }
    for section in _TOP_LEVEL_SECTIONS:
        if document.get(section) is not None:
            entries = normalize.expect_mapping(document[section], (section,), locate)
            result[section] = {name: dict(entry or {}) for name, entry in entries.items()}
    return result


_NORMALIZERS: dict[str, t.Callable[[t.Any, KeyPath, normalize.Locate], t.Any]] = {
    "environment": normalize.environment,
    "command": normalize.command,
    "entrypoint": normalize.command,
    "ports": normalize.ports,
    "expose": normalize.expose,
    "depends_on": normalize.depends_on,
}


def _normalize_service(
    name: str, service: t.Any, project_dir: Path, locate: normalize.Locate
) -> ServiceConfig:
    path: KeyPath = ("services", name)
    if service is None:
        service = {}
    config = dict(normalize.expect_mapping(service, path, locate))
    for key, value in list(config.items()):
        if isinstance(value, Tagged):
            continue  # The merge step applies !reset and !override.
        key_path = (*path, key)
        if key in _NORMALIZERS:
            config[key] = _NORMALIZERS[key](value, key_path, locate)
        elif key == "volumes":
            items = normalize.expect_list(value, key_path, locate)
            config[key] = [
                normalize.mount(item, (*key_path, i), locate, project_dir)
                for i, item in enumerate(items)
            ]
        elif key == "image" and not isinstance(value, str):
            raise normalize.wrong_type(locate, key_path, "an image name", value)
        elif key == "healthcheck" and isinstance(value, dict) and "test" in value:
            test = normalize.healthcheck_test(value["test"], (*key_path, "test"), locate)
            config[key] = {**value, "test": test}
    return config


def _select_profiles(
    services: dict[str, ServiceConfig], options: LoadOptions, locate: normalize.Locate
) -> dict[str, ServiceConfig]:
    profiles = list(options.profiles)
    from_env = options.environ.get("COMPOSE_PROFILES", "")
    profiles += [p.strip() for p in from_env.split(",") if p.strip()]
    everything = "*" in profiles
    active = {}
    for name, service in services.items():
        service_profiles = service.get("profiles") or []
        if not service_profiles or everything or set(service_profiles) & set(profiles):
            active[name] = service
    if not active:
        known = sorted({p for s in services.values() for p in (s.get("profiles") or [])})
        raise ComposeError(
            "no service is active: every service belongs to a profile that is not enabled",
            key_path=("services",),
            location=locate(("services",)),
            hint=f"enable one with --profile (available: {', '.join(known)})",
        )
    return active


def _project_name(options: LoadOptions, merged: dict[str, t.Any], project_dir: Path) -> str:
    candidates = [
        options.project_name,
        options.environ.get("COMPOSE_PROJECT_NAME"),
        merged.get("name"),
        project_dir.name,
    ]
    for candidate in candidates:
        if candidate:
            name = normalize_project_name(str(candidate))
            if name:
                return name
    raise ComposeError(
        "cannot derive a project name from the folder name",
        hint="set one with -p or a top-level name: key",
    )

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
import typing as t
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kompile.compose import normalize
from kompile.compose.dotenv import read_env_file
from kompile.compose.files import STDIN, FileReader
from kompile.compose.finalize import (
    check_references,
    check_resource_conflicts,
    finalize_sections,
    finalize_service,
)
from kompile.compose.interpolation import Lookup
from kompile.compose.merge import merge_files
from kompile.compose.model import Project, ServiceConfig
from kompile.compose.yamlsource import SourceMap
from kompile.diagnostics import Diagnostics
from kompile.errors import ComposeError, KeyPath, Location

_VALID_PROJECT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")

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
    # Fail when no service is defined or active; `kompile config` prints such a project
    # as Docker Compose does instead.
    require_services: bool = True


def find_files(options: LoadOptions) -> list[str]:
    """Return the compose files to read, in merge order, as Docker Compose chooses them."""
    if options.files:
        return list(options.files)
    from_env = options.environ.get("COMPOSE_FILE")
    if from_env:
        # An empty separator means the default, as in Docker Compose.
        separator = options.environ.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
        names = [str(options.working_dir / name) for name in from_env.split(separator) if name]
        if not names:
            raise ComposeError(
                f"COMPOSE_FILE {from_env!r} names no file",
                hint=f"list compose files separated by {separator!r}, or unset COMPOSE_FILE",
            )
        return names
    for name in DEFAULT_FILES:
        candidate = options.working_dir / name
        if candidate.is_dir():
            raise ComposeError(
                f"{candidate} is a directory, not a compose file",
                hint="rename the folder, or name the compose file with -f",
            )
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


def normalize_project_name(name: str) -> str:
    """Apply Compose's rule: lowercase letters, digits, dashes and underscores only."""
    lowered = re.sub(r"[^a-z0-9_-]", "", name.lower())
    return lowered.lstrip("_-")


def load_environment(options: LoadOptions, project_dir: Path) -> dict[str, str]:
    """Return the variables for interpolation: ``.env`` (or ``--env-file``) under the
    process environment, which wins, as Docker Compose does."""
    process = dict(options.environ)
    if options.env_files:
        names = [Path(name) for name in options.env_files]
    else:
        default = project_dir / ".env"
        names = [default] if default.is_file() else []
    values: dict[str, str] = {}
    for name in names:
        path = name if name.is_absolute() else options.working_dir / name
        values.update(read_env_file(path, _chain(values, process)))
    return {**values, **process}


def _chain(*mappings: Mapping[str, str]) -> Lookup:
    def lookup(name: str) -> str | None:
        for mapping in reversed(mappings):
            if name in mapping:
                return mapping[name]
        return None

    return lookup


def load_project(options: LoadOptions, diagnostics: Diagnostics) -> Project:
    """Load, interpolate, validate, normalize and merge the compose project."""
    names = find_files(options)
    first = names[0]
    project_dir = options.project_directory or (
        options.working_dir if first == STDIN else Path(first).resolve().parent
    )
    project_dir = project_dir.resolve()
    environ = load_environment(options, project_dir)
    reader = FileReader(environ, diagnostics)
    documents: list[dict[str, t.Any]] = []
    for name in names:
        documents.append(reader.read_project_file(name, project_dir))
    merged = merge_files(documents)
    locate = _locator(reader.sources)
    services = merged.get("services") or {}
    if not services and options.require_services:
        raise ComposeError(
            "the project defines no services",
            location=Location(first if first == STDIN else Path(first)),
            key_path=("services",),
            hint="add at least one service",
        )
    active = _select_profiles(services, options, environ, locate) if services else {}
    _check_images(active, locate)
    project_name = _project_name(options, environ, merged, project_dir)
    lookup = environ.get
    merged["services"] = {
        name: finalize_service(name, service, lookup, locate) for name, service in active.items()
    }
    finalize_sections(merged, project_name, project_dir)
    check_references(merged, locate)
    for name, service in merged["services"].items():
        check_resource_conflicts(name, service, locate)
    project = Project(
        name=project_name,
        working_dir=project_dir,
        services=merged["services"],
        files=[n if n == STDIN else Path(n) for n in names],
        sources=reader.sources,
    )
    for section in _TOP_LEVEL_SECTIONS:
        setattr(project, section, merged.get(section) or {})
    project.extensions = {k: v for k, v in merged.items() if k.startswith("x-")}
    return project


def _check_images(services: dict[str, ServiceConfig], locate: normalize.Locate) -> None:
    """Reject a service with neither image nor build, as Docker Compose does."""
    for name, service in services.items():
        if not service.get("image") and not service.get("build"):
            raise ComposeError(
                f"service {name!r} has neither an image nor a build section",
                location=locate(("services", name)),
                key_path=("services", name),
                hint="set image: to the image the service runs",
            )


def _locator(sources: list[SourceMap]) -> normalize.Locate:
    def locate(path: KeyPath) -> Location:
        for source in reversed(sources):
            if path[:2] in source.positions or path[:1] in source.positions:
                return source.locate(path)
        return sources[0].locate(path)

    return locate


def _select_profiles(
    services: dict[str, ServiceConfig],
    options: LoadOptions,
    environ: Mapping[str, str],
    locate: normalize.Locate,
) -> dict[str, ServiceConfig]:
    profiles = list(options.profiles)
    from_env = "" if profiles else environ.get("COMPOSE_PROFILES", "")
    profiles += [p.strip() for p in from_env.split(",") if p.strip()]
    everything = "*" in profiles
    active = {}
    for name, service in services.items():
        service_profiles = service.get("profiles") or []
        if not service_profiles or everything or set(service_profiles) & set(profiles):
            active[name] = service
    if not active and options.require_services:
        known = sorted({p for s in services.values() for p in (s.get("profiles") or [])})
        raise ComposeError(
            "no service is active: every service belongs to a profile that is not enabled",
            key_path=("services",),
            location=locate(("services",)),
            hint=f"enable one with --profile (available: {', '.join(known)})",
        )
    return active


def _project_name(
    options: LoadOptions, environ: Mapping[str, str], merged: dict[str, t.Any], project_dir: Path
) -> str:
    """Return the project name: ``-p`` and ``COMPOSE_PROJECT_NAME`` must be valid, while
    the top-level ``name`` and the folder name are normalized, as Docker Compose does."""
    explicit = [
        ("-p", options.project_name),
        ("COMPOSE_PROJECT_NAME", environ.get("COMPOSE_PROJECT_NAME")),
    ]
    for origin, candidate in explicit:
        if candidate:
            if not _VALID_PROJECT_NAME.match(candidate):
                raise ComposeError(
                    f"invalid project name {candidate!r} from {origin}",
                    hint="use lowercase letters, digits, dashes and underscores, "
                    "starting with a letter or digit",
                )
            return str(candidate)
    name = normalize_project_name(str(merged.get("name") or project_dir.name))
    if not name:
        raise ComposeError(
            "cannot derive a project name from the folder name",
            hint="set one with -p or a top-level name: key",
        )
    return name

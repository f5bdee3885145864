"""The compose project as kompile reads it.

The model is Compose's own canonical form: the JSON that ``docker compose config
--format json`` prints, with every short syntax expanded to the long one (ports, volumes,
environment, depends_on, healthcheck test, command). Keeping that shape means
``kompile config`` is the model itself, conformance tests compare it with Docker
Compose's output key for key, and mappers read one spelling of each key. The mappers
treat services, volumes and the other top-level sections as read-only.

Each section is a plain mapping, typed at the edges with `TypedDict` where mappers rely
on a key. Values that Compose leaves as strings (published ports, byte sizes in
``mem_limit``) stay strings here.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field
from pathlib import Path

from kompile.compose.yamlsource import SourceMap
from kompile.errors import KeyPath, Location

ServiceConfig = dict[str, t.Any]


class PortConfig(t.TypedDict, total=False):
    """One entry of a service's ``ports`` in long syntax."""

    name: str
    mode: str
    host_ip: str
    target: int
    published: str
    protocol: str
    app_protocol: str


class MountConfig(t.TypedDict, total=False):
    """One entry of a service's ``volumes`` in long syntax."""

    type: str
    source: str
    target: str
    read_only: bool
    bind: dict[str, t.Any]
    volume: dict[str, t.Any]
    tmpfs: dict[str, t.Any]


@dataclass
class Project:
    """A loaded, merged, interpolated and normalized compose project."""

    name: str
    working_dir: Path
    services: dict[str, ServiceConfig]
    volumes: dict[str, dict[str, t.Any]] = field(default_factory=dict)
    networks: dict[str, dict[str, t.Any]] = field(default_factory=dict)
    secrets: dict[str, dict[str, t.Any]] = field(default_factory=dict)
    configs: dict[str, dict[str, t.Any]] = field(default_factory=dict)
    extensions: dict[str, t.Any] = field(default_factory=dict)
    files: list[Path | str] = field(default_factory=list)
    sources: list[SourceMap] = field(default_factory=list)

    def locate(self, path: KeyPath) -> Location:
        """Return where ``path`` was written, preferring the file that set it last."""
        for source in reversed(self.sources):
            if path[:1] in source.positions or path in source.positions:
                location = source.locate(path)
                if location.line is not None:
                    return location
        return Location(self.files[0] if self.files else "<unknown>")

    def to_config(self) -> dict[str, t.Any]:
        """Return the project in the shape of ``docker compose config --format json``.

        Every ``$`` in a key or value is written as ``$$``, as Docker Compose does, so
        the output can be read again without a second interpolation.
        """
        config: dict[str, t.Any] = {"name": self.name}
        sections = {
            "networks": self.networks,
            "services": self.services,
            "volumes": self.volumes,
            "secrets": self.secrets,
            "configs": self.configs,
        }
        for key, section in sections.items():
            if section or key == "services":
                config[key] = section
        config.update(self.extensions)
        return t.cast(dict[str, t.Any], escape_dollars(config))


def escape_dollars(value: t.Any) -> t.Any:
    """Return ``value`` with ``$`` doubled in every string, keys included."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {escape_dollars(k): escape_dollars(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escape_dollars(item) for item in value]
    return value

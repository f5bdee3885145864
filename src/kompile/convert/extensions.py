"""The ``x-kompile`` extension: per-service, per-volume and top-level choices.

Each mapper documents the keys it reads in the tables below; a key that no mapper reads
is an error with a did-you-mean hint, so a typo never silently falls back to a default.
The mappers validate the values of their own keys.
"""

from __future__ import annotations

import difflib
import typing as t

from kompile.compose.model import Project
from kompile.compose.normalize import describe
from kompile.errors import ConversionError, KeyPath

EXTENSION = "x-kompile"

# Key → one-line description, per place where x-kompile may appear.
SERVICE_KEYS: dict[str, str] = {
    "secrets": "variables to move into the service's Secret, whatever detection finds",
    "not-secrets": "variables to keep as plain env values, whatever detection finds",
    "check": "rules that kompile check skips for this service: {ignore: [RULE_ID, ...]}",
}
VOLUME_KEYS: dict[str, str] = {}
PROJECT_KEYS: dict[str, str] = {}


def extension(project: Project, section: dict[str, t.Any], path: KeyPath) -> dict[str, t.Any]:
    """Return the ``x-kompile`` mapping of ``section`` (empty when absent)."""
    value = section.get(EXTENSION)
    if value is None:
        return {}
    if not isinstance(value, dict):
        where = (*path, EXTENSION)
        raise ConversionError(
            f"{EXTENSION} must be a mapping, not {describe(value)}",
            location=project.locate(where),
            key_path=where,
            hint="write the choices as key: value lines under x-kompile",
        )
    return value


def validate_project(project: Project) -> None:
    """Reject ``x-kompile`` keys that no mapper reads, with the closest known key."""
    places: list[tuple[dict[str, t.Any], KeyPath, dict[str, str]]] = [
        (project.extensions, (), PROJECT_KEYS)
    ]
    places += [
        (service, ("services", name), SERVICE_KEYS) for name, service in project.services.items()
    ]
    places += [
        (volume or {}, ("volumes", name), VOLUME_KEYS) for name, volume in project.volumes.items()
    ]
    for section, path, known in places:
        for key in extension(project, section, path):
            if key in known:
                continue
            where = (*path, EXTENSION, key)
            close = difflib.get_close_matches(key, known, n=1)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else (f"known keys: {', '.join(sorted(known))}" if known else "remove it")
            )
            raise ConversionError(
                f"unknown {EXTENSION} key {key!r}",
                location=project.locate(where),
                key_path=where,
                hint=hint,
            )

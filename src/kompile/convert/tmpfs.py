"""tmpfs mounts to ``emptyDir`` volumes kept in memory.

Compose writes tmpfs mounts three ways: ``tmpfs: /run``, ``tmpfs: ["/tmp:size=64m"]`` and a
``volumes`` entry of ``type: tmpfs``. Each becomes an ``emptyDir`` with ``medium: Memory``;
a size becomes ``sizeLimit``. An emptyDir has no file mode, so ``mode`` is dropped with a
warning, as are other mount options.
"""

from __future__ import annotations

import re
import typing as t

from kompile.compose.model import MountConfig
from kompile.convert.context import Context
from kompile.convert.keytable import KeyMapping
from kompile.errors import ConversionError, KeyPath

if t.TYPE_CHECKING:
    from kompile.convert.storage import PodStorage

# Docker's byte sizes: a number and an optional unit b, k, m, g, t or p (powers of 1024).
_BYTE_SIZE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*([kmgtp]?)i?b?$", re.IGNORECASE)
_UNITS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}
_QUANTITY_SUFFIXES = (("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10))

KEY_MAPPINGS = (
    KeyMapping("services.*.tmpfs", "`emptyDir` with `medium: Memory`; `size` → `sizeLimit`"),
    KeyMapping("services.*.tmpfs (mode and other options)", "", "warning: no emptyDir equivalent"),
    KeyMapping("services.*.volumes (type tmpfs)", "`emptyDir` with `medium: Memory`"),
    KeyMapping("services.*.volumes.tmpfs.size", "emptyDir `sizeLimit`"),
    KeyMapping("services.*.volumes.tmpfs.mode", "", "warning: no emptyDir equivalent"),
)


def parse_byte_size(value: t.Any) -> int | None:
    """Return a Docker byte size (``64m``, ``10485760``, ``1.5g``) in bytes, None if invalid."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _BYTE_SIZE.match(str(value).strip())
    if match is None:
        return None
    return int(float(match[1]) * 1024 ** _UNITS[match[2].lower()])


def quantity(size: int) -> str:
    """Return a byte count as a Kubernetes quantity, in the largest exact binary unit."""
    for suffix, factor in _QUANTITY_SUFFIXES:
        if size and size % factor == 0:
            return f"{size // factor}{suffix}"
    return str(size)


def _add(
    context: Context,
    service_name: str,
    storage: PodStorage,
    target: str,
    options: dict[str, t.Any],
    path: KeyPath,
) -> None:
    empty_dir: dict[str, t.Any] = {"medium": "Memory"}
    for key, value in options.items():
        if key == "size":
            size = parse_byte_size(value)
            if size is None:
                where = ("services", service_name, *path)
                raise ConversionError(
                    f"invalid tmpfs size {value!r}",
                    location=context.project.locate(where),
                    key_path=where,
                    hint="write a byte count or a number with k, m or g",
                )
            if size:
                empty_dir["sizeLimit"] = quantity(size)
        else:
            context.diagnostics.warn(
                f"tmpfs option {key} has no emptyDir equivalent and is left out",
                service=service_name,
                key_path=path,
            )
    index = sum(1 for volume in storage.volumes if volume["name"].startswith("tmpfs-"))
    storage.add({"name": f"tmpfs-{index}", "emptyDir": empty_dir}, {"mountPath": target})


def add_service_tmpfs(
    context: Context, service_name: str, service: dict[str, t.Any], storage: PodStorage
) -> None:
    """Add the service's ``tmpfs`` entries (one string or a list of them)."""
    entries = service.get("tmpfs") or []
    if isinstance(entries, str):
        entries = [entries]
    for index, entry in enumerate(entries):
        target, _, text = str(entry).partition(":")
        options = {}
        for option in filter(None, text.split(",")):
            key, _, value = option.partition("=")
            options[key] = value
        _add(context, service_name, storage, target, options, ("tmpfs", index))


def add_tmpfs_mount(
    context: Context, service_name: str, mount: MountConfig, path: KeyPath, storage: PodStorage
) -> None:
    """Add a ``volumes`` entry of type tmpfs."""
    options = dict(mount.get("tmpfs") or {})
    _add(context, service_name, storage, mount["target"], options, path)

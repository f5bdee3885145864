"""Compose configs to ConfigMaps, each mounted as a single file.

A top-level config becomes a ConfigMap named after it, with one key (the config name)
read from its ``file``, ``content`` or ``environment`` variable. ``external: true``
configs are only referenced and must exist. A service mounts the key with ``subPath`` at
``target`` (default ``/<config name>``), so the path is a file as in Compose and two
configs never hide each other. ``mode`` becomes the item mode; ``uid`` and ``gid`` have
no per-file equivalent and are dropped with a warning.
"""

from __future__ import annotations

import posixpath
import typing as t
from dataclasses import dataclass
from pathlib import Path

from kompile.convert import files
from kompile.convert.context import Context
from kompile.convert.keytable import KeyMapping
from kompile.convert.names import dns_label
from kompile.errors import ConversionError, KeyPath

if t.TYPE_CHECKING:
    from kompile.convert.storage import PodStorage, StoragePlan

KEY_MAPPINGS = (
    KeyMapping("configs.*", "ConfigMap with one key, the config name"),
    KeyMapping(
        "configs.*.file", "ConfigMap `data` (`binaryData` when not UTF-8)", "error over 1 MiB"
    ),
    KeyMapping("configs.*.content", "ConfigMap `data`"),
    KeyMapping("configs.*.environment", "ConfigMap `data` from the variable at conversion time"),
    KeyMapping("configs.*.external", "reference only; the ConfigMap must exist", "warning"),
    KeyMapping("services.*.configs", "configMap volume item mounted with `subPath` at the target"),
    KeyMapping("services.*.configs.target", "volumeMount `mountPath` (default `/<config>`)"),
    KeyMapping("services.*.configs.mode", "volume item `mode`"),
    KeyMapping("services.*.configs.uid", "", "warning: no per-file owner in Kubernetes"),
    KeyMapping("services.*.configs.gid", "", "warning: no per-file owner in Kubernetes"),
)


def parse_mode(value: t.Any) -> int | None:
    """Return a file mode as an int; Compose prints modes as octal strings like ``0440``."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value), 8)
    except ValueError:
        return None


def invalid(context: Context, path: KeyPath, message: str, hint: str) -> ConversionError:
    return ConversionError(message, location=context.project.locate(path), key_path=path, hint=hint)


def external_name(entry: dict[str, t.Any], name: str) -> str:
    """Return the object name an external config or secret refers to, made DNS-1123 valid."""
    return dns_label(str(entry.get("name") or name))


def source_bytes(context: Context, section: str, name: str, entry: dict[str, t.Any]) -> bytes:
    """Return the contents of a config or secret from its file, content or variable."""
    path: KeyPath = (section, name)
    if "file" in entry:
        source = Path(str(entry["file"]))
        if not source.is_absolute():
            source = context.project.working_dir / source
        content = files.read_bytes(source, context.project.locate(path), (*path, "file"))
    elif "content" in entry:
        content = str(entry["content"]).encode()
    elif "environment" in entry:
        variable = str(entry["environment"])
        if variable not in context.options.environ:
            raise invalid(
                context,
                (*path, "environment"),
                f"environment variable {variable} is not set",
                f"export {variable} before converting",
            )
        content = context.options.environ[variable].encode()
    else:
        raise invalid(
            context, path, "no file, content, environment or external is set", "set one of them"
        )
    if files.too_large(len(content)):
        raise invalid(
            context,
            path,
            f"the contents are {files.size_text(len(content))}, over the 1 MiB an object holds",
            "mount large files from a claim instead",
        )
    return content


def mount_item(
    storage: PodStorage,
    volume_source: str,
    object_name: str,
    key: str,
    target: str,
    mode: int | None,
) -> None:
    """Mount one key of a ConfigMap or Secret as the file ``target``."""
    item: dict[str, t.Any] = {"key": key, "path": key}
    if mode is not None:
        item["mode"] = mode
    reference = "secretName" if volume_source == "secret" else "name"
    volume = {"name": object_name, volume_source: {reference: object_name, "items": [item]}}
    storage.add(volume, {"mountPath": target, "subPath": key, "readOnly": True})


def service_entries(service: dict[str, t.Any], key: str) -> list[tuple[int, dict[str, t.Any]]]:
    """Return the service's ``configs`` or ``secrets`` entries in long syntax."""
    entries = service.get(key) or []
    return [
        (index, {"source": entry} if isinstance(entry, str) else dict(entry))
        for index, entry in enumerate(entries)
    ]


@dataclass(frozen=True)
class FileSource:
    """How the entries of a service's ``configs`` or ``secrets`` become mounted files."""

    section: str  # "configs" or "secrets"
    kind: str  # the object kind: ConfigMap or Secret
    volume_source: str  # the pod volume field: configMap or secret
    directory: str  # where a relative or missing target is placed
    contents: t.Callable[[str, bytes], dict[str, t.Any]]  # the object fields holding the data


def config_map_fields(key: str, content: bytes) -> dict[str, t.Any]:
    data = files.file_data({key: content})
    fields: dict[str, t.Any] = {}
    if data.data:
        fields["data"] = data.data
    if data.binary_data:
        fields["binaryData"] = data.binary_data
    return fields


CONFIGS = FileSource("configs", "ConfigMap", "configMap", "/", config_map_fields)


def add_file_mounts(
    plan: StoragePlan,
    service_name: str,
    service: dict[str, t.Any],
    storage: PodStorage,
    source_type: FileSource,
) -> None:
    """Add a file mount per ``configs`` or ``secrets`` entry, creating the objects once."""
    context = plan.context
    section = source_type.section
    for index, entry in service_entries(service, section):
        path: KeyPath = (section, index)
        source = str(entry["source"])
        top = getattr(context.project, section).get(source)
        if top is None:
            raise invalid(
                context,
                ("services", service_name, *path),
                f"{section[:-1]} {source!r} is not declared under the top-level {section} key",
                "declare it with a file or environment source",
            )
        for owner_key in ("uid", "gid"):
            if entry.get(owner_key) is not None:
                context.diagnostics.warn(
                    f"{owner_key} has no per-file equivalent; set the pod's fsGroup or "
                    "runAsUser instead",
                    service=service_name,
                    key_path=(*path, owner_key),
                )
        target = posixpath.join(source_type.directory, str(entry.get("target") or source))
        key = files.data_key(source)
        mode = parse_mode(entry.get("mode"))
        if top.get("external"):
            name = external_name(top, source)
            context.diagnostics.warn(
                f"{section[:-1]} {source!r} is external, so {source_type.kind} {name} is not "
                f"created and must exist with the key {key}",
                service=service_name,
                key_path=path,
            )
        else:
            name = dns_label(source)
            if not plan.has_object(source_type.kind, name):
                metadata = context.metadata(
                    source_type.kind, name, owner=f"{section[:-1]} {source!r}"
                )
                content = source_bytes(context, section, source, top)
                manifest = {"apiVersion": "v1", "kind": source_type.kind, "metadata": metadata}
                plan.add_object({**manifest, **source_type.contents(key, content)})
        mount_item(storage, source_type.volume_source, name, key, target, mode)


def add_configs(
    plan: StoragePlan, service_name: str, service: dict[str, t.Any], storage: PodStorage
) -> None:
    """Add a file mount for each of the service's configs, creating their ConfigMaps."""
    add_file_mounts(plan, service_name, service, storage, CONFIGS)

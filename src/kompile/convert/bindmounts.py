"""Bind mounts: host files and folders, which a pod on another machine cannot see.

What a bind mount becomes depends on what it is, so that a configuration file never
turns into an empty claim:

- a file that exists → a ConfigMap (a Secret when it contains a private key) mounted with
  ``subPath`` at the exact path, read-only; over 1 MiB it is an error;
- a read-only folder of plain files that fit in 1 MiB → a ConfigMap with every file;
- a socket such as ``/var/run/docker.sock`` → left out with a warning, unless the mount
  is set to ``hostpath``, because a host socket gives a container control of the node;
- any other folder → a claim (``--bind-mounts pvc``, the default), a ``hostPath`` volume
  (``hostpath``) or an ``emptyDir`` (``emptydir``), with a warning that the host contents
  are not copied.

``x-kompile.bindMounts`` on a service chooses per mount, keyed by the container path:
``configmap``, ``pvc``, ``hostpath`` or ``emptydir``.
"""

from __future__ import annotations

import os
import stat
import typing as t
from pathlib import Path

from kompile.compose.model import MountConfig
from kompile.convert import files
from kompile.convert.extensions import SERVICE_KEYS, extension
from kompile.convert.keytable import KeyMapping
from kompile.convert.names import dns_label
from kompile.errors import ConversionError, KeyPath

if t.TYPE_CHECKING:
    from kompile.convert.storage import PodStorage, StoragePlan

BIND_MODES = ("configmap", "pvc", "hostpath", "emptydir")
FOLDER_MODES = ("pvc", "hostpath", "emptydir")
SERVICE_KEYS["bindMounts"] = "per bind mount, by container path: configmap, pvc, hostpath, emptydir"

# Mount propagation modes of Compose and their nearest Kubernetes equivalent.
PROPAGATION = {
    "rshared": "Bidirectional",
    "shared": "Bidirectional",
    "rslave": "HostToContainer",
    "slave": "HostToContainer",
    "rprivate": "None",
    "private": "None",
}

KEY_MAPPINGS = (
    KeyMapping(
        "services.*.volumes (type bind, file)",
        "ConfigMap (Secret for a private key) mounted with `subPath`, read-only",
        "error over 1 MiB",
    ),
    KeyMapping(
        "services.*.volumes (type bind, folder)",
        "read-only and small: ConfigMap; else claim, `hostPath` or `emptyDir` "
        "(`--bind-mounts`, `x-kompile.bindMounts`)",
        "warning: host contents are not copied",
    ),
    KeyMapping(
        "services.*.volumes (type bind, socket)",
        "left out; `hostPath` of type Socket with `x-kompile.bindMounts: {PATH: hostpath}`",
        "warning",
    ),
    KeyMapping("services.*.volumes.bind.propagation", "volumeMount `mountPropagation`"),
    KeyMapping("services.*.volumes.bind.selinux", "", "warning: use the pod securityContext"),
    KeyMapping("services.*.x-kompile.bindMounts", "what each bind mount becomes"),
)


def _choices(plan: StoragePlan, service_name: str, service: dict[str, t.Any]) -> dict[str, str]:
    path = ("services", service_name)
    choices = extension(plan.context.project, service, path).get("bindMounts", {})
    where = (*path, "x-kompile", "bindMounts")
    if not isinstance(choices, dict):
        raise ConversionError(
            "x-kompile bindMounts must be a mapping of container paths to modes",
            location=plan.context.project.locate(where),
            key_path=where,
            hint="write it as bindMounts: {/srv/uploads: emptydir}",
        )
    for target, mode in choices.items():
        if mode not in BIND_MODES:
            raise ConversionError(
                f"invalid bind mount mode {mode!r}",
                location=plan.context.project.locate((*where, target)),
                key_path=(*where, target),
                hint=f"use one of {', '.join(BIND_MODES)}",
            )
    return choices


def _is_socket(source: Path) -> bool:
    try:
        return stat.S_ISSOCK(source.stat().st_mode)
    except OSError:
        return source.name.endswith(".sock")


def relative_source(source: Path, working_dir: Path) -> str:
    """Return the bind source relative to the project directory, or absolute outside it."""
    try:
        relative = Path(os.path.relpath(source, working_dir))
    except ValueError:
        return str(source)
    if relative.parts and relative.parts[0] == "..":
        return str(source)
    return str(relative)


def add_bind_mount(
    plan: StoragePlan,
    service_name: str,
    mount: MountConfig,
    path: KeyPath,
    storage: PodStorage,
) -> None:
    """Add the pod volume and mount that stand for one bind mount."""
    context = plan.context
    service = context.project.services[service_name]
    source = Path(mount["source"])
    relative = relative_source(source, context.project.working_dir)
    shown = relative if Path(relative).is_absolute() else f"./{relative}"
    chosen = _choices(plan, service_name, service).get(mount["target"])
    volume_mount: dict[str, t.Any] = {"mountPath": mount["target"]}
    if mount.get("read_only"):
        volume_mount["readOnly"] = True
    _propagation(plan, service_name, mount, path, volume_mount)
    if _is_socket(source) and chosen != "hostpath":
        context.diagnostics.warn(
            f"host socket {shown} is not mounted, because it gives the container control of "
            "the node; set x-kompile bindMounts to hostpath for this path to mount it anyway",
            service=service_name,
            key_path=path,
        )
        return
    if chosen in (None, "configmap") and source.is_file():
        _add_file(plan, service_name, source, shown, path, volume_mount, storage)
        return
    if chosen == "configmap" or (chosen is None and mount.get("read_only")):
        if _add_folder(plan, service_name, source, shown, path, volume_mount, storage, chosen):
            return
    mode = chosen if chosen in FOLDER_MODES else context.options.bind_mounts
    _add_folder_volume(
        plan, service_name, mount, shown, relative, path, volume_mount, storage, mode
    )


def _propagation(
    plan: StoragePlan,
    service_name: str,
    mount: MountConfig,
    path: KeyPath,
    volume_mount: dict[str, t.Any],
) -> None:
    bind = mount.get("bind") or {}
    propagation = bind.get("propagation")
    if propagation in PROPAGATION:
        volume_mount["mountPropagation"] = PROPAGATION[propagation]
    if bind.get("selinux"):
        plan.context.diagnostics.warn(
            "SELinux relabelling has no volume equivalent; set seLinuxOptions in the pod "
            "security context instead",
            service=service_name,
            key_path=(*path, "bind", "selinux"),
        )


def _data_object(
    plan: StoragePlan, service_name: str, name: str, shown: str, data: files.FileData
) -> tuple[str, dict[str, t.Any]]:
    """Record the ConfigMap or Secret holding ``data``; return its kind and pod volume."""
    kind = "Secret" if data.looks_secret else "ConfigMap"
    owner = f"bind mount {shown}"
    metadata = plan.context.metadata(kind, name, owner=owner, app=service_name)
    manifest: dict[str, t.Any] = {"apiVersion": "v1", "kind": kind, "metadata": metadata}
    if kind == "Secret":
        manifest["type"] = "Opaque"
        encoded = {key: files.encode_text(value) for key, value in data.data.items()}
        manifest["data"] = {**encoded, **data.binary_data}
        volume = {"name": metadata["name"], "secret": {"secretName": metadata["name"]}}
    else:
        if data.data:
            manifest["data"] = data.data
        if data.binary_data:
            manifest["binaryData"] = data.binary_data
        volume = {"name": metadata["name"], "configMap": {"name": metadata["name"]}}
    plan.add_object(manifest)
    return kind, volume


def _add_file(
    plan: StoragePlan,
    service_name: str,
    source: Path,
    shown: str,
    path: KeyPath,
    volume_mount: dict[str, t.Any],
    storage: PodStorage,
) -> None:
    location = plan.context.project.locate(("services", service_name, *path))
    content = files.read_bytes(source, location, ("services", service_name, *path))
    if files.too_large(len(content)):
        raise ConversionError(
            f"bind-mounted file {shown} is {files.size_text(len(content))}, over the 1 MiB "
            "that a ConfigMap stores",
            location=location,
            key_path=("services", service_name, *path),
            hint="build the file into the image, or set x-kompile bindMounts to pvc for this "
            "path and copy the file into the claim",
        )
    data = files.file_data({source.name: content})
    _, volume = _data_object(plan, service_name, dns_label(shown), shown, data)
    key = files.data_key(source.name)
    if not volume_mount.get("readOnly"):
        plan.context.diagnostics.warn(
            f"bind-mounted file {shown} becomes a read-only ConfigMap or Secret file",
            service=service_name,
            key_path=path,
        )
    storage.add(volume, {**volume_mount, "subPath": key, "readOnly": True})


def _add_folder(
    plan: StoragePlan,
    service_name: str,
    source: Path,
    shown: str,
    path: KeyPath,
    volume_mount: dict[str, t.Any],
    storage: PodStorage,
    chosen: str | None,
) -> bool:
    """Mount a folder of plain files as a ConfigMap; return False when it does not fit."""
    found = files.folder_files(source) if source.is_dir() else None
    location = plan.context.project.locate(("services", service_name, *path))
    contents = {
        name: files.read_bytes(file, location, ("services", service_name, *path))
        for name, file in (found or {}).items()
    }
    data = files.file_data(contents)
    fits = bool(found) and not files.too_large(data.size)
    if not fits:
        if chosen == "configmap":
            raise ConversionError(
                f"bind-mounted folder {shown} does not fit in a ConfigMap: it must exist, "
                "hold only files and at most 1 MiB",
                location=location,
                key_path=("services", service_name, *path),
                hint="choose pvc, hostpath or emptydir for this path in x-kompile bindMounts",
            )
        return False
    kind, volume = _data_object(plan, service_name, dns_label(shown), shown, data)
    renamed = [name for name in contents if files.data_key(name) != name]
    if renamed:
        items = [{"key": files.data_key(name), "path": name} for name in contents]
        source_key = "secret" if kind == "Secret" else "configMap"
        volume[source_key]["items"] = items
    storage.add(volume, {**volume_mount, "readOnly": True})
    return True


def _add_folder_volume(
    plan: StoragePlan,
    service_name: str,
    mount: MountConfig,
    shown: str,
    relative: str,
    path: KeyPath,
    volume_mount: dict[str, t.Any],
    storage: PodStorage,
    mode: str,
) -> None:
    diagnostics = plan.context.diagnostics
    if mode == "hostpath":
        source = Path(mount["source"])
        if _is_socket(source):
            kind = "Socket"
        elif source.is_file():
            kind = "File"
        elif (mount.get("bind") or {}).get("create_host_path", True):
            kind = "DirectoryOrCreate"
        else:
            kind = "Directory"
        name = dns_label(relative)
        storage.add({"name": name, "hostPath": {"path": str(source), "type": kind}}, volume_mount)
        diagnostics.warn(
            f"bind mount {shown} becomes a hostPath volume, which reads the path on whatever "
            "node runs the pod, so the path must exist on every node",
            service=service_name,
            key_path=path,
        )
        return
    if mode == "emptydir":
        storage.add({"name": dns_label(relative), "emptyDir": {}}, volume_mount)
        diagnostics.warn(
            f"bind mount {shown} becomes an emptyDir volume that starts empty with each pod; "
            "the host files are not copied",
            service=service_name,
            key_path=path,
        )
        return
    claim = plan.claim(dns_label(relative), f"bind mount {relative!r}", plan.default_claim_spec())
    plan.use_claim(claim, service_name)
    storage.add(
        {"name": claim.name, "persistentVolumeClaim": {"claimName": claim.name}}, volume_mount
    )
    storage.uses_single_node_claim = True
    diagnostics.warn(
        f"bind mount {shown} becomes claim {claim.name}; the host files are not copied "
        "into it, so copy them in before the application needs them",
        service=service_name,
        key_path=path,
    )

"""Service volumes to pod volumes, mounts and PersistentVolumeClaims.

A named volume becomes one claim named after the volume, however many services mount it.
A bind mount also becomes a claim, named after the host path relative to the project
directory (``./app`` → ``app``); the host files are not copied into it, and a warning says
so. tmpfs mounts and anonymous volumes become ``emptyDir`` volumes, tmpfs in memory.
"""

from __future__ import annotations

import os
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

from kompile.compose.model import MountConfig
from kompile.convert.context import Context, Manifest
from kompile.convert.names import dns_label

DEFAULT_SIZE = "1Gi"
DEFAULT_ACCESS_MODE = "ReadWriteOnce"


@dataclass
class PodStorage:
    """The pod volumes and container mounts of one service."""

    volumes: list[dict[str, t.Any]] = field(default_factory=list)
    mounts: list[dict[str, t.Any]] = field(default_factory=list)
    # True when a ReadWriteOnce claim is mounted: such a pod cannot roll out a second copy
    # on another node while the first one still holds the claim.
    uses_single_node_claim: bool = False


@dataclass
class _Claim:
    name: str
    owner: str
    services: list[str] = field(default_factory=list)


class StoragePlan:
    """Collects claims across services so that a shared volume is one claim."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._claims: dict[str, _Claim] = {}

    def pod_storage(self, service_name: str, service: dict[str, t.Any]) -> PodStorage:
        storage = PodStorage()
        volume_names: set[str] = set()
        for index, mount in enumerate(t.cast(list[MountConfig], service.get("volumes") or [])):
            path = ("services", service_name, "volumes", index)
            volume = self._pod_volume(service_name, mount, index, path)
            if volume is None:
                continue
            if volume["name"] not in volume_names:
                volume_names.add(volume["name"])
                storage.volumes.append(volume)
            volume_mount: dict[str, t.Any] = {"name": volume["name"], "mountPath": mount["target"]}
            if mount.get("read_only"):
                volume_mount["readOnly"] = True
            storage.mounts.append(volume_mount)
            if "persistentVolumeClaim" in volume:
                storage.uses_single_node_claim = True
        return storage

    def _pod_volume(
        self, service_name: str, mount: MountConfig, index: int, path: tuple[t.Any, ...]
    ) -> dict[str, t.Any] | None:
        kind = mount.get("type")
        diagnostics = self.context.diagnostics
        if kind == "volume" and mount.get("source"):
            source = mount["source"]
            if source not in self.context.project.volumes:
                diagnostics.warn(
                    f"volume {source!r} is not declared under the top-level volumes key",
                    service=service_name,
                    key_path=path[2:],
                )
            claim = self._claim(source, f"volume {source!r}", service_name)
            return {"name": claim, "persistentVolumeClaim": {"claimName": claim}}
        if kind == "volume":
            return {"name": f"{dns_label(service_name, max_length=50)}-tmp-{index}", "emptyDir": {}}
        if kind == "bind":
            relative = _relative_source(Path(mount["source"]), self.context.project.working_dir)
            claim = self._claim(relative, f"bind mount {relative!r}", service_name)
            shown = relative if Path(relative).is_absolute() else f"./{relative}"
            diagnostics.warn(
                f"bind mount {shown} becomes claim {claim}; the host files are not copied "
                "into it, so copy them in before the application needs them",
                service=service_name,
                key_path=path[2:],
            )
            return {"name": claim, "persistentVolumeClaim": {"claimName": claim}}
        if kind == "tmpfs":
            name = f"{dns_label(service_name, max_length=50)}-tmpfs-{index}"
            return {"name": name, "emptyDir": {"medium": "Memory"}}
        diagnostics.warn(
            f"mounts of type {kind!r} have no Kubernetes equivalent and are left out",
            service=service_name,
            key_path=path[2:],
        )
        return None

    def _claim(self, source: str, owner: str, service_name: str) -> str:
        name = dns_label(source)
        claim = self._claims.get(name)
        if claim is None:
            claim = _Claim(name, owner)
            self._claims[name] = claim
            self.context.names.claim("PersistentVolumeClaim", name, owner)
        elif claim.owner != owner:
            self.context.names.claim("PersistentVolumeClaim", name, owner)
        if service_name not in claim.services:
            claim.services.append(service_name)
        return name

    def claims(self) -> list[Manifest]:
        """Return one PersistentVolumeClaim per named volume or bind source in use."""
        manifests = []
        for claim in self._claims.values():
            if len(claim.services) > 1:
                self.context.diagnostics.warn(
                    f"claim {claim.name} is mounted by services {', '.join(claim.services)}; a "
                    f"{DEFAULT_ACCESS_MODE} claim attaches to one node at a time, so use a "
                    "storage class that offers ReadWriteMany",
                )
            metadata = self.context.metadata("PersistentVolumeClaim", claim.name, owner=claim.owner)
            manifests.append(
                {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": metadata,
                    "spec": {
                        "accessModes": [DEFAULT_ACCESS_MODE],
                        "resources": {"requests": {"storage": DEFAULT_SIZE}},
                    },
                }
            )
        return manifests


def _relative_source(source: Path, working_dir: Path) -> str:
    """Return the bind source relative to the project directory, or absolute outside it."""
    try:
        relative = Path(os.path.relpath(source, working_dir))
    except ValueError:
        return str(source)
    if relative.parts and relative.parts[0] == "..":
        return str(source)
    return str(relative)

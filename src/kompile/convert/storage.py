"""Service volumes to pod volumes, mounts and PersistentVolumeClaims.

A named volume becomes one claim named after the volume, however many services mount it.
When several services share a ReadWriteOnce claim, a warning suggests ReadWriteMany and
each of their Deployments uses the Recreate strategy. ``external: true`` volumes are
referenced by name and not created. Size, storage class and access modes come from the
volume's ``x-kompile`` keys or kompose's ``kompose.volume.*`` labels. Anonymous volumes
become ``emptyDir`` volumes. Bind mounts, tmpfs, configs and secrets each have their own
module; `StoragePlan` runs them for every service and keeps the objects they share.
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass, field

from kompile.compose.model import MountConfig
from kompile.convert import bindmounts, configs, secretfiles, tmpfs
from kompile.convert.context import Context, Manifest
from kompile.convert.extensions import VOLUME_KEYS, extension
from kompile.convert.keytable import KeyMapping
from kompile.convert.kompose import kompose_label
from kompile.convert.names import dns_label
from kompile.errors import ConversionError, KeyPath

DEFAULT_SIZE = "1Gi"
DEFAULT_ACCESS_MODE = "ReadWriteOnce"
ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
SINGLE_NODE_MODES = ("ReadWriteOnce", "ReadWriteOncePod")
# A Kubernetes quantity such as 10Gi, 500M or 1.5Ti.
_QUANTITY = re.compile(r"^[0-9]+(?:\.[0-9]+)?(?:[KMGTPE]i?|[kmunpE])?$")

VOLUME_KEYS["size"] = "storage request of the claim, such as 10Gi"
VOLUME_KEYS["storageClass"] = "storageClassName of the claim"
VOLUME_KEYS["accessModes"] = "access modes of the claim, such as [ReadWriteMany]"

KEY_MAPPINGS = (
    KeyMapping("volumes.*", "one PersistentVolumeClaim, shared by every service mounting it"),
    KeyMapping("volumes.*.external", "claim reference only; the claim must exist", "warning"),
    KeyMapping("volumes.*.name", "claim name of an external volume"),
    KeyMapping("volumes.*.driver", "", "warning: storage classes replace volume drivers"),
    KeyMapping("volumes.*.driver_opts", "", "warning: storage classes replace driver options"),
    KeyMapping("volumes.*.x-kompile.size", "claim `resources.requests.storage` (default 1Gi)"),
    KeyMapping("volumes.*.x-kompile.storageClass", "claim `storageClassName`"),
    KeyMapping("volumes.*.x-kompile.accessModes", "claim `accessModes` (default ReadWriteOnce)"),
    KeyMapping("volumes.*.labels.kompose.volume.size", "claim `resources.requests.storage`"),
    KeyMapping("volumes.*.labels.kompose.volume.storage-class-name", "claim `storageClassName`"),
    KeyMapping("volumes.*.labels.kompose.volume.subpath", "volumeMount `subPath`"),
    KeyMapping(
        "services.*.volumes (type volume)",
        "`persistentVolumeClaim` volume; `emptyDir` when anonymous",
        "a ReadWriteOnce claim used by several services: warning, Recreate strategy",
    ),
    KeyMapping("services.*.volumes.read_only", "volumeMount `readOnly`"),
    KeyMapping("services.*.volumes.volume.subpath", "volumeMount `subPath`"),
    KeyMapping("services.*.volumes.volume.nocopy", "", "no effect: a new claim starts empty"),
    KeyMapping(
        "services.*.volumes_from",
        "the other service's claims and bind mounts, mounted at the same paths",
        "warning for tmpfs and anonymous volumes, which pods cannot share",
    ),
)


@dataclass
class PodStorage:
    """The pod volumes and container mounts of one service."""

    volumes: list[dict[str, t.Any]] = field(default_factory=list)
    mounts: list[dict[str, t.Any]] = field(default_factory=list)
    # True when a ReadWriteOnce claim is mounted, because a second copy of such a pod on
    # another node cannot start while the first one still has the claim attached.
    uses_single_node_claim: bool = False

    def add(self, volume: dict[str, t.Any], mount: dict[str, t.Any]) -> None:
        """Add a volume (once, under a name unique in the pod) and a mount of it."""
        name = volume["name"]
        suffix = 2
        while True:
            same = [item for item in self.volumes if item["name"] == name]
            if not same:
                self.volumes.append({**volume, "name": name})
                break
            if {**same[0], "name": volume["name"]} == volume:
                break
            name = f"{volume['name'][:59]}-{suffix}"
            suffix += 1
        self.mounts.append({"name": name, **mount})


@dataclass
class _Claim:
    name: str
    owner: str
    spec: dict[str, t.Any]
    external: bool = False
    services: list[str] = field(default_factory=list)


class StoragePlan:
    """Collects claims, ConfigMaps and Secrets across services, so a shared one is one."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._claims: dict[str, _Claim] = {}
        self._objects: dict[tuple[str, str], Manifest] = {}

    def pod_storage(self, service_name: str, service: dict[str, t.Any]) -> PodStorage:
        """Return the volumes and mounts of a service, recording the objects they need."""
        storage = PodStorage()
        entries: list[tuple[MountConfig, KeyPath]] = [
            (mount, ("volumes", index))
            for index, mount in enumerate(t.cast(list[MountConfig], service.get("volumes") or []))
        ]
        entries += self._volumes_from(service_name, service)
        for mount, path in entries:
            self._add_mount(storage, service_name, mount, path)
        tmpfs.add_service_tmpfs(self.context, service_name, service, storage)
        configs.add_configs(self, service_name, service, storage)
        secretfiles.add_secrets(self, service_name, service, storage)
        self._check_mount_paths(service_name, storage)
        return storage

    def _check_mount_paths(self, service_name: str, storage: PodStorage) -> None:
        """Reject two mounts at one path, which Kubernetes rejects in a container."""
        seen: set[str] = set()
        for mount in storage.mounts:
            path = mount["mountPath"]
            if path in seen:
                key_path = ("services", service_name, "volumes")
                raise ConversionError(
                    f"two mounts use the path {path!r}",
                    location=self.context.project.locate(key_path),
                    key_path=key_path,
                    hint="give each volume, tmpfs, config and secret its own target path",
                )
            seen.add(path)

    def _add_mount(
        self, storage: PodStorage, service_name: str, mount: MountConfig, path: KeyPath
    ) -> None:
        kind = mount.get("type")
        if kind == "volume" and mount.get("source"):
            self._add_named_volume(storage, service_name, mount, path)
        elif kind == "volume":
            volume = {"name": f"anonymous-{path[-1]}", "emptyDir": {}}
            storage.add(volume, {"mountPath": mount["target"]})
        elif kind == "bind":
            bindmounts.add_bind_mount(self, service_name, mount, path, storage)
        elif kind == "tmpfs":
            tmpfs.add_tmpfs_mount(self.context, service_name, mount, path, storage)
        else:
            self.context.diagnostics.warn(
                f"mounts of type {kind!r} have no Kubernetes equivalent and are left out",
                service=service_name,
                key_path=path,
            )

    def _volumes_from(
        self, service_name: str, service: dict[str, t.Any]
    ) -> list[tuple[MountConfig, KeyPath]]:
        """Return the shareable mounts of the services named in ``volumes_from``."""
        result: list[tuple[MountConfig, KeyPath]] = []
        services = self.context.project.services
        for index, entry in enumerate(service.get("volumes_from") or []):
            source, _, mode = str(entry).partition(":")
            path: KeyPath = ("volumes_from", index)
            if source == "container" or source not in services:
                self.context.diagnostics.warn(
                    "only the volumes of services of this project can be shared; the entry "
                    "is left out",
                    service=service_name,
                    key_path=path,
                )
                continue
            for mount in services[source].get("volumes") or []:
                if mount.get("type") == "bind" or mount.get("source"):
                    shared = t.cast(MountConfig, dict(mount))
                    if mode == "ro":
                        shared["read_only"] = True
                    result.append((shared, path))
                else:
                    self.context.diagnostics.warn(
                        f"the tmpfs or anonymous volume at {mount.get('target')} of service "
                        f"{source!r} cannot be shared between pods and is left out",
                        service=service_name,
                        key_path=path,
                    )
        return result

    def _add_named_volume(
        self, storage: PodStorage, service_name: str, mount: MountConfig, path: KeyPath
    ) -> None:
        source = mount["source"]
        if source not in self.context.project.volumes:
            self.context.diagnostics.warn(
                f"volume {source!r} is not declared under the top-level volumes key",
                service=service_name,
                key_path=path,
            )
        claim = self._named_claim(source, service_name)
        volume_mount: dict[str, t.Any] = {"mountPath": mount["target"]}
        subpath = (mount.get("volume") or {}).get("subpath") or kompose_label(
            self.context.project.volumes.get(source) or {}, "volume.subpath"
        )
        if subpath:
            volume_mount["subPath"] = subpath
        if mount.get("read_only"):
            volume_mount["readOnly"] = True
        storage.add(
            {"name": claim.name, "persistentVolumeClaim": {"claimName": claim.name}}, volume_mount
        )
        modes = claim.spec.get("accessModes", [DEFAULT_ACCESS_MODE])
        if claim.external or any(mode in SINGLE_NODE_MODES for mode in modes):
            storage.uses_single_node_claim = True

    def _named_claim(self, source: str, service_name: str) -> _Claim:
        volume = self.context.project.volumes.get(source) or {}
        if volume.get("external"):
            name = dns_label(str(volume.get("name") or source))
            claim = self._claims.setdefault(
                name, _Claim(name, f"volume {source!r}", {}, external=True)
            )
        else:
            spec = self.claim_spec(source, volume)
            claim = self.claim(dns_label(source), f"volume {source!r}", spec)
        if service_name not in claim.services:
            claim.services.append(service_name)
        return claim

    def claim(self, name: str, owner: str, spec: dict[str, t.Any]) -> _Claim:
        """Return the claim ``name``, created on first use; a second owner is an error."""
        existing = self._claims.get(name)
        if existing is None or existing.owner != owner:
            self.context.names.claim("PersistentVolumeClaim", name, owner)
        if existing is None:
            existing = self._claims[name] = _Claim(name, owner, spec)
        return existing

    def use_claim(self, claim: _Claim, service_name: str) -> None:
        if service_name not in claim.services:
            claim.services.append(service_name)

    def default_claim_spec(self) -> dict[str, t.Any]:
        return {
            "accessModes": [DEFAULT_ACCESS_MODE],
            "resources": {"requests": {"storage": DEFAULT_SIZE}},
        }

    def claim_spec(self, source: str, volume: dict[str, t.Any]) -> dict[str, t.Any]:
        """Return the claim spec of a named volume from its x-kompile keys and labels."""
        path: KeyPath = ("volumes", source)
        choices = extension(self.context.project, volume, path)
        for key in ("driver", "driver_opts"):
            if volume.get(key):
                self.context.diagnostics.warn(
                    f"volume {source!r} sets {key}, which has no claim equivalent; choose a "
                    "storage class with x-kompile storageClass instead",
                    key_path=(*path, key),
                )
        size = choices.get("size", kompose_label(volume, "volume.size") or DEFAULT_SIZE)
        if not isinstance(size, str) or not _QUANTITY.match(size):
            raise self._invalid(path, "size", size, "write a quantity such as 10Gi")
        modes = choices.get("accessModes", [DEFAULT_ACCESS_MODE])
        if not isinstance(modes, list) or not modes or not set(modes) <= set(ACCESS_MODES):
            raise self._invalid(path, "accessModes", modes, f"use {', '.join(ACCESS_MODES)}")
        spec: dict[str, t.Any] = {"accessModes": list(modes)}
        storage_class = choices.get(
            "storageClass", kompose_label(volume, "volume.storage-class-name")
        )
        if storage_class is not None:
            if not isinstance(storage_class, str):
                raise self._invalid(path, "storageClass", storage_class, "write a class name")
            spec["storageClassName"] = storage_class
        spec["resources"] = {"requests": {"storage": size}}
        return spec

    def _invalid(self, path: KeyPath, key: str, value: t.Any, hint: str) -> ConversionError:
        where = (*path, "x-kompile", key)
        return ConversionError(
            f"invalid {key} {value!r}",
            location=self.context.project.locate(where),
            key_path=where,
            hint=hint,
        )

    def add_object(self, manifest: Manifest) -> None:
        """Record a ConfigMap or Secret that several services may mount; emit it once."""
        key = (manifest["kind"], manifest["metadata"]["name"])
        self._objects.setdefault(key, manifest)

    def has_object(self, kind: str, name: str) -> bool:
        return (kind, name) in self._objects

    def objects(self) -> list[Manifest]:
        """Return the claims, ConfigMaps and Secrets that the pods of the project mount."""
        manifests = list(self._objects.values())
        for claim in self._claims.values():
            if claim.external:
                self.context.diagnostics.warn(
                    f"claim {claim.name} is an external volume, so it is not created and "
                    "must exist before the pods start",
                    service=claim.services[0] if claim.services else None,
                )
                continue
            modes = claim.spec.get("accessModes", [DEFAULT_ACCESS_MODE])
            if len(claim.services) > 1 and any(mode in SINGLE_NODE_MODES for mode in modes):
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
                    "spec": claim.spec,
                }
            )
        return manifests

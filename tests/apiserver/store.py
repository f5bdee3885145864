"""In-memory object storage with one cluster-wide resourceVersion counter.

The counter plays the role of the etcd revision: every persisted write takes the next value,
so resourceVersions are unique across all objects and a list reports the current revision.
One re-entrant lock guards all state; the HTTP layer holds it for a whole request, which
makes every request atomic. Objects go in and come out as deep copies.
"""

from __future__ import annotations

import copy
import ipaddress
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.apiserver.resources import ResourceType

JsonObject = dict[str, Any]
ObjectKey = tuple[str, str, str, str]

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORT_RANGE = range(30000, 32768)


# Watch history kept for watches that resume from a resourceVersion; older ones get 410 Gone.
MAX_EVENTS = 10_000


@dataclass(frozen=True)
class WatchEvent:
    """One change: the revision it made, ADDED/MODIFIED/DELETED, the key and the object."""

    revision: int
    type: str
    key: ObjectKey
    object: JsonObject


class Store:
    """Objects keyed by (group, plural, namespace, name), plus IP and port allocations."""

    def __init__(self, seed: int | None = None) -> None:
        self.lock = threading.RLock()
        # Watches wait on `changed`; every put and remove notifies it.
        self.changed = threading.Condition(self.lock)
        self.closed = False
        self.events: list[WatchEvent] = []
        self._objects: dict[ObjectKey, JsonObject] = {}
        self._revision = 1
        self._random = random.Random(seed)

    def clear(self) -> None:
        with self.lock:
            self._objects.clear()

    @property
    def revision(self) -> str:
        return str(self._revision)

    def next_revision(self) -> str:
        with self.lock:
            self._revision += 1
            return str(self._revision)

    @staticmethod
    def key(resource: ResourceType, namespace: str, name: str) -> ObjectKey:
        return (resource.group, resource.plural, namespace if resource.namespaced else "", name)

    def get(self, resource: ResourceType, namespace: str, name: str) -> JsonObject | None:
        with self.lock:
            obj = self._objects.get(self.key(resource, namespace, name))
            return copy.deepcopy(obj) if obj is not None else None

    def list(self, resource: ResourceType, namespace: str | None) -> list[JsonObject]:
        """Return the objects of one type, sorted by namespace and name like etcd keys."""
        with self.lock:
            found = [
                copy.deepcopy(obj)
                for (group, plural, ns, _), obj in sorted(self._objects.items())
                if (group, plural) == (resource.group, resource.plural)
                and (namespace is None or ns == namespace)
            ]
        return found

    def owned_by(self, resource: ResourceType, owner_uid: str) -> list[JsonObject]:
        """Return the objects of one type that have an ownerReference to ``owner_uid``.

        Only the matches are copied, because the garbage collection after every delete
        scans the whole store.
        """
        with self.lock:
            return [
                copy.deepcopy(obj)
                for (group, plural, _, _), obj in sorted(self._objects.items())
                if (group, plural) == (resource.group, resource.plural)
                and any(
                    reference.get("uid") == owner_uid
                    for reference in obj["metadata"].get("ownerReferences") or []
                )
            ]

    def put(self, resource: ResourceType, obj: JsonObject) -> str:
        """Store `obj` under a new resourceVersion and return that version."""
        with self.lock:
            metadata = obj["metadata"]
            metadata["resourceVersion"] = self.next_revision()
            key = self.key(resource, metadata.get("namespace", ""), metadata["name"])
            event_type = "MODIFIED" if key in self._objects else "ADDED"
            self._objects[key] = copy.deepcopy(obj)
            self._record(event_type, key, obj)
            return str(metadata["resourceVersion"])

    def remove(self, resource: ResourceType, namespace: str, name: str) -> None:
        with self.lock:
            key = self.key(resource, namespace, name)
            self._revision += 1
            obj = self._objects.pop(key, None)
            if obj is not None:
                obj["metadata"]["resourceVersion"] = str(self._revision)
                self._record("DELETED", key, obj)

    def remove_namespace_contents(self, namespace: str) -> None:
        with self.lock:
            for key in [k for k in self._objects if k[2] == namespace]:
                self._revision += 1
                obj = self._objects.pop(key)
                obj["metadata"]["resourceVersion"] = str(self._revision)
                self._record("DELETED", key, obj)

    def _record(self, event_type: str, key: ObjectKey, obj: JsonObject) -> None:
        self.events.append(WatchEvent(self._revision, event_type, key, copy.deepcopy(obj)))
        if len(self.events) > MAX_EVENTS:
            del self.events[: len(self.events) - MAX_EVENTS]
        self.changed.notify_all()

    def close(self) -> None:
        """Wake every watch so that it ends, as on server shutdown."""
        with self.lock:
            self.closed = True
            self.changed.notify_all()

    def all_objects(self) -> list[JsonObject]:
        with self.lock:
            return [copy.deepcopy(obj) for obj in self._objects.values()]

    def _services(self) -> Iterator[JsonObject]:
        for (group, plural, _, _), obj in self._objects.items():
            if (group, plural) == ("", "services"):
                yield obj

    def allocate_cluster_ip(self) -> str:
        """Pick a free address in 10.96.0.0/12, leaving out .0, .1 (kubernetes) and .10 (DNS)."""
        with self.lock:
            used = {
                ip for svc in self._services() for ip in svc.get("spec", {}).get("clusterIPs") or []
            }
            while True:
                offset = self._random.randrange(11, SERVICE_CIDR.num_addresses - 1)
                address = str(SERVICE_CIDR.network_address + offset)
                if address not in used:
                    return address

    def allocate_node_port(self) -> int:
        with self.lock:
            used = {
                port.get("nodePort")
                for svc in self._services()
                for port in svc.get("spec", {}).get("ports") or []
            }
            while True:
                port = self._random.choice(NODE_PORT_RANGE)
                if port not in used:
                    return port

"""Compose secrets to Secrets, each mounted as a single file.

A top-level secret becomes a Secret named after it (``db_password`` → ``db-password``)
with one key, the compose name, read from its ``file`` or ``environment`` variable;
``external: true`` secrets are only referenced and must exist. A service mounts the key
with ``subPath`` at ``target``: by default ``/run/secrets/<name>``, and a relative target
is taken under ``/run/secrets``, as in Compose. Each secret is its own file, so two
secrets never collide on ``/run/secrets``. Secret contents never appear in messages.
"""

from __future__ import annotations

import base64
import posixpath
import typing as t

from kompile.convert import files
from kompile.convert.configs import (
    external_name,
    invalid,
    mount_item,
    parse_mode,
    service_entries,
    source_bytes,
)
from kompile.convert.keytable import KeyMapping
from kompile.convert.names import dns_label
from kompile.errors import KeyPath

if t.TYPE_CHECKING:
    from kompile.convert.storage import PodStorage, StoragePlan

SECRETS_DIRECTORY = "/run/secrets"

KEY_MAPPINGS = (
    KeyMapping("secrets.*", "Secret with one key, the secret name"),
    KeyMapping("secrets.*.file", "Secret `data`", "error over 1 MiB"),
    KeyMapping("secrets.*.environment", "Secret `data` from the variable at conversion time"),
    KeyMapping("secrets.*.external", "reference only; the Secret must exist", "warning"),
    KeyMapping("services.*.secrets", "secret volume item mounted with `subPath` as one file"),
    KeyMapping(
        "services.*.secrets.target", "volumeMount `mountPath` (default `/run/secrets/<name>`)"
    ),
    KeyMapping("services.*.secrets.mode", "volume item `mode`"),
    KeyMapping("services.*.secrets.uid", "", "warning: no per-file owner in Kubernetes"),
    KeyMapping("services.*.secrets.gid", "", "warning: no per-file owner in Kubernetes"),
)


def add_secrets(
    plan: StoragePlan, service_name: str, service: dict[str, t.Any], storage: PodStorage
) -> None:
    """Add a file mount for each of the service's secrets, creating their Secrets."""
    context = plan.context
    for index, entry in service_entries(service, "secrets"):
        path: KeyPath = ("secrets", index)
        source = str(entry["source"])
        top = context.project.secrets.get(source)
        if top is None:
            raise invalid(
                context,
                ("services", service_name, *path),
                f"secret {source!r} is not declared under the top-level secrets key",
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
        target = posixpath.join(SECRETS_DIRECTORY, str(entry.get("target") or source))
        key = files.data_key(source)
        mode = parse_mode(entry.get("mode"))
        if top.get("external"):
            name = external_name(top, source)
            context.diagnostics.warn(
                f"secret {source!r} is external, so Secret {name} is not created and must "
                f"exist with the key {key}",
                service=service_name,
                key_path=path,
            )
            mount_item(storage, "secret", name, key, target, mode)
            continue
        name = dns_label(source)
        if not plan.has_object("Secret", name):
            metadata = context.metadata("Secret", name, owner=f"secret {source!r}")
            content = source_bytes(context, "secrets", source, top)
            plan.add_object(
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": metadata,
                    "type": "Opaque",
                    "data": {key: base64.b64encode(content).decode("ascii")},
                }
            )
        mount_item(storage, "secret", name, key, target, mode)

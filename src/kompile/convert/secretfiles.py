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
import typing as t

from kompile.convert.configs import FileSource, add_file_mounts
from kompile.convert.keytable import KeyMapping

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


def secret_fields(key: str, content: bytes) -> dict[str, t.Any]:
    return {"type": "Opaque", "data": {key: base64.b64encode(content).decode("ascii")}}


SECRETS = FileSource("secrets", "Secret", "secret", SECRETS_DIRECTORY, secret_fields)


def add_secrets(
    plan: StoragePlan, service_name: str, service: dict[str, t.Any], storage: PodStorage
) -> None:
    """Add a file mount for each of the service's secrets, creating their Secrets."""
    add_file_mounts(plan, service_name, service, storage, SECRETS)

"""Shared state of one conversion: the project, the options and the object metadata."""

from __future__ import annotations

import os
import typing as t
from collections.abc import Mapping
from dataclasses import dataclass, field

from kompile.compose.model import Project
from kompile.convert.names import NameRegistry, check_service_name, dns_label, standard_labels
from kompile.diagnostics import Diagnostics
from kompile.errors import KeyPath

Manifest = dict[str, t.Any]


@dataclass
class ConvertOptions:
    """Choices that change the generated objects."""

    namespace: str | None = None
    create_namespace: bool = False
    detect_secrets: bool = True
    # Service type of services with published ports: ClusterIP, NodePort or LoadBalancer.
    service_type: str = "ClusterIP"
    # Emit NetworkPolicies so that only services sharing a compose network can connect.
    network_policies: bool = False
    # What a bind-mounted folder becomes: "pvc", "hostpath" or "emptydir".
    bind_mounts: str = "pvc"
    # Variables that compose secrets and configs with an ``environment`` source read.
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    harden: bool = False
    wait_for_dependencies: bool = False
    secrets_mode: str = "secret"  # secret, external or placeholder
    secret_store: str | None = None  # SecretStore name, only with secrets_mode "external"
    secret_store_kind: str | None = None  # SecretStore (when None) or ClusterSecretStore


@dataclass
class Context:
    """What every mapper of one conversion reads."""

    project: Project
    options: ConvertOptions
    diagnostics: Diagnostics
    names: NameRegistry = field(default_factory=NameRegistry)
    # Indexes over the whole project that a mapper builds once per conversion, by key,
    # so that a per-service question does not rescan every service.
    indexes: dict[str, t.Any] = field(default_factory=dict)

    def metadata(
        self,
        kind: str,
        name: str,
        *,
        owner: str,
        app: str | None = None,
        namespaced: bool = True,
        source: KeyPath = (),
    ) -> dict[str, t.Any]:
        """Return ``metadata`` for a new object, checking that its name is not taken.

        ``owner`` names the compose element the object comes from, for collision errors,
        and ``source`` is its key path, which places such an error in the compose file.
        ``app`` is the value of the name label (the service, or the object's own name).
        """
        location = self.project.locate(source) if source else None
        object_name = dns_label(name)
        if kind == "Service":
            check_service_name(object_name, owner, location)
        self.names.claim(kind, object_name, owner, location)
        metadata: dict[str, t.Any] = {"name": object_name}
        if namespaced and self.options.namespace:
            metadata["namespace"] = self.options.namespace
        metadata["labels"] = standard_labels(app or name, self.project.name)
        return metadata

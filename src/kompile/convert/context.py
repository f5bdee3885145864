"""Shared state of one conversion: the project, the options and the object metadata."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from kompile.compose.model import Project
from kompile.convert.names import NameRegistry, dns_label, standard_labels
from kompile.diagnostics import Diagnostics

Manifest = dict[str, t.Any]


@dataclass
class ConvertOptions:
    """Choices that change the generated objects."""

    namespace: str | None = None
    create_namespace: bool = False
    detect_secrets: bool = True
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

    def metadata(
        self,
        kind: str,
        name: str,
        *,
        owner: str,
        app: str | None = None,
        namespaced: bool = True,
    ) -> dict[str, t.Any]:
        """Return ``metadata`` for a new object, checking that its name is not taken.

        ``owner`` names the compose element the object comes from, for collision errors;
        ``app`` is the value of the name label (the service, or the object's own name).
        """
        object_name = self.names.claim(kind, dns_label(name), owner)
        metadata: dict[str, t.Any] = {"name": object_name}
        if namespaced and self.options.namespace:
            metadata["namespace"] = self.options.namespace
        metadata["labels"] = standard_labels(app or name, self.project.name)
        return metadata

"""ExternalSecret objects of the External Secrets Operator (external-secrets.io/v1).

With ``--secrets external`` a service's secret variables are not written anywhere.
Instead, an ExternalSecret named like the Secret it replaces (``<service>-env``) makes
the operator read each variable from the store named by ``--secret-store`` and create
that Secret, owned by the ExternalSecret. Each variable is read from the remote key
``<project>/<service>/<VAR>``, which must hold the value as plain text; kompile lists the
keys to create on stderr.
"""

from __future__ import annotations

import typing as t

from kompile.convert.context import Context, ConvertOptions, Manifest

API_VERSION = "external-secrets.io/v1"
# The operator's own default; the Secret follows a changed remote value within this time.
REFRESH_INTERVAL = "1h"


def store_kind(options: ConvertOptions) -> str:
    """Return the kind of the secret store: SecretStore unless the options name another."""
    return options.secret_store_kind or "SecretStore"


def remote_key(project_name: str, service_name: str, variable: str) -> str:
    """Return the key in the secret store that contains one variable's value."""
    return f"{project_name}/{service_name}/{variable}"


def external_secret(
    context: Context, service_name: str, metadata: dict[str, t.Any], variables: list[str]
) -> Manifest:
    """Return the ExternalSecret that creates the Secret ``metadata["name"]``."""
    options = context.options
    project_name = context.project.name
    return {
        "apiVersion": API_VERSION,
        "kind": "ExternalSecret",
        "metadata": metadata,
        "spec": {
            "refreshInterval": REFRESH_INTERVAL,
            "secretStoreRef": {"name": options.secret_store, "kind": store_kind(options)},
            "target": {"name": metadata["name"], "creationPolicy": "Owner"},
            "data": [
                {
                    "secretKey": variable,
                    "remoteRef": {"key": remote_key(project_name, service_name, variable)},
                }
                for variable in variables
            ],
        },
    }

"""Options shared by several commands: the mapping choices that decide the objects.

``convert``, ``chart``, ``apply`` and ``diff`` take the same mapping options, so a chart
or an apply produces exactly the objects that ``convert`` prints for the same flags.
"""

from __future__ import annotations

import typing as t

import click

if t.TYPE_CHECKING:
    from kompile.convert.context import ConvertOptions

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

MAPPING_OPTIONS = (
    click.option(
        "--no-detect-secrets",
        is_flag=True,
        help="Keep secret-looking variables as plain env values instead of moving them to Secrets.",
    ),
    click.option(
        "--service-type",
        type=click.Choice(["ClusterIP", "NodePort", "LoadBalancer"], case_sensitive=False),
        default="ClusterIP",
        show_default=True,
        help="Service type of services with published ports.",
    ),
    click.option(
        "--network-policies",
        is_flag=True,
        help="Emit NetworkPolicies so that only services sharing a compose network connect.",
    ),
    click.option(
        "--bind-mounts",
        type=click.Choice(["pvc", "hostpath", "emptydir"]),
        default="pvc",
        show_default=True,
        help="What a bind-mounted folder becomes: a claim, a hostPath or an emptyDir volume.",
    ),
    click.option(
        "--harden",
        is_flag=True,
        help="Apply restricted container security settings (non-root, no privilege "
        "escalation, no capabilities, default seccomp profile) and list the changes.",
    ),
    click.option(
        "--wait-for-dependencies",
        is_flag=True,
        help="Add init containers that wait for each depends_on service to accept connections.",
    ),
    click.option(
        "--secrets",
        "secrets_mode",
        type=click.Choice(["secret", "external", "placeholder"]),
        default="secret",
        show_default=True,
        help="Where secret values go: a Secret, an ExternalSecret reading a secret store, "
        "or a Secret with empty values to fill in.",
    ),
    click.option(
        "--secret-store",
        metavar="NAME",
        help="Secret store that ExternalSecrets read from (needed by --secrets external).",
    ),
    click.option(
        "--secret-store-kind",
        type=click.Choice(["SecretStore", "ClusterSecretStore"]),
        help="Kind of the secret store named by --secret-store (default: SecretStore).",
    ),
)


def check_namespace_option(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    """Reject an invalid ``-n`` value before any file is read."""
    from kompile.convert.names import check_namespace

    return None if value is None else check_namespace(value)


def mapping_options(function: F) -> F:
    """Add the options that choose how compose keys map to Kubernetes objects."""
    for option in reversed(MAPPING_OPTIONS):
        function = option(function)
    return function


def convert_options(
    mapping: dict[str, t.Any], namespace: str | None = None, create_namespace: bool = False
) -> ConvertOptions:
    """Return the conversion choices from the values of the mapping options."""
    from kompile.convert.context import ConvertOptions

    return ConvertOptions(
        namespace=namespace,
        create_namespace=create_namespace,
        detect_secrets=not mapping["no_detect_secrets"],
        service_type=mapping["service_type"],
        network_policies=mapping["network_policies"],
        bind_mounts=mapping["bind_mounts"],
        harden=mapping["harden"],
        wait_for_dependencies=mapping["wait_for_dependencies"],
        secrets_mode=mapping["secrets_mode"],
        secret_store=mapping["secret_store"],
        secret_store_kind=mapping["secret_store_kind"],
    )

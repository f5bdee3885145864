"""Secret environment variables: chosen per service and moved out of the pod spec.

`secret_variables` picks a service's secret variables: those that `secretdetect`
classifies as secret, plus the names listed in ``x-kompile.secrets`` or in katenary's
``katenary.v3/secrets`` label, minus those in ``x-kompile.not-secrets``. With
``--no-detect-secrets`` only the listed names move.

Each secret variable becomes a ``secretKeyRef`` to the key of the same name in the Secret
``<service>-env``, in the container's env order. ``--secrets`` chooses where the values go:

- ``secret``: into that Secret, base64-encoded in ``data``. ``stringData`` is not used
  because server-side apply never removes a key that was once set through it.
- ``placeholder``: into that Secret as empty ``stringData`` values, for a person to fill in
  before applying; a warning lists the keys.
- ``external``: nowhere. An ExternalSecret (`externalsecrets`) makes the operator create
  the Secret from the store named by ``--secret-store``.

No value ever reaches a message: notes and warnings name variables only.
"""

from __future__ import annotations

import base64
import typing as t

import yaml

from kompile.compose.model import Project
from kompile.convert import externalsecrets
from kompile.convert.context import Context, ConvertOptions, Manifest
from kompile.convert.extensions import EXTENSION, extension, validate_project
from kompile.convert.keytable import KeyMapping
from kompile.convert.names import is_env_var_name
from kompile.convert.secretdetect import classify
from kompile.diagnostics import Diagnostics
from kompile.errors import ConversionError, KeyPath

MODES = ("secret", "external", "placeholder")
STORE_KINDS = ("SecretStore", "ClusterSecretStore")
KATENARY_LABEL = "katenary.v3/secrets"
MASK = "********"

KEY_MAPPINGS = (
    KeyMapping(
        "services.*.environment",
        "containers[].env",
        "secret variables become secretKeyRef entries to the Secret <service>-env; "
        "--secrets external makes an ExternalSecret create that Secret instead",
    ),
)


def check_options(options: ConvertOptions) -> None:
    """Reject secret options that contradict each other."""
    if options.secrets_mode not in MODES:
        raise ConversionError(
            f"unknown secrets mode {options.secrets_mode!r}", hint=f"use one of {', '.join(MODES)}"
        )
    if options.secret_store_kind not in (None, *STORE_KINDS):
        raise ConversionError(
            f"unknown secret store kind {options.secret_store_kind!r}",
            hint=f"use one of {', '.join(STORE_KINDS)}",
        )
    external = options.secrets_mode == "external"
    if external and not options.secret_store:
        raise ConversionError(
            "--secrets external needs the name of a secret store",
            hint="add --secret-store NAME",
        )
    for flag, value in (
        ("--secret-store", options.secret_store),
        ("--secret-store-kind", options.secret_store_kind),
    ):
        if value and not external:
            raise ConversionError(
                f"{flag} is only used with --secrets external", hint="add --secrets external"
            )


def secret_name(service_name: str) -> str:
    return f"{service_name}-env"


def _name_list(project: Project, value: t.Any, path: KeyPath) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConversionError(
            "must be a list of variable names",
            location=project.locate(path),
            key_path=path,
            hint="write it as [NAME, OTHER_NAME]",
        )
    return value


def _katenary_names(project: Project, service_name: str, service: dict[str, t.Any]) -> list[str]:
    """Return the variable names listed in the ``katenary.v3/secrets`` label."""
    labels = service.get("labels") or {}
    if isinstance(labels, list):
        labels = dict(str(item).partition("=")[::2] for item in labels)
    text = labels.get(KATENARY_LABEL)
    if text is None:
        return []
    path: KeyPath = ("services", service_name, "labels", KATENARY_LABEL)
    try:
        value = yaml.safe_load(str(text))
    except yaml.YAMLError as error:
        raise ConversionError(
            "must be a YAML list of variable names",
            location=project.locate(path),
            key_path=path,
            hint="write it as '[NAME, OTHER_NAME]'",
        ) from error
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return _name_list(project, value, path)


def _listed_names(
    context: Context, service_name: str, service: dict[str, t.Any]
) -> tuple[set[str], set[str]]:
    """Return the names the user marked secret and those marked not secret."""
    project = context.project
    path: KeyPath = ("services", service_name)
    choices = extension(project, service, path)

    listed: dict[str, list[str]] = {
        "secrets": _katenary_names(project, service_name, service),
        "not-secrets": [],
    }
    for key in listed:
        if key in choices:
            listed[key] += _name_list(project, choices[key], (*path, EXTENSION, key))

    secret, plain = set(listed["secrets"]), set(listed["not-secrets"])
    both = secret & plain
    if both:
        where = (*path, EXTENSION, "not-secrets")
        raise ConversionError(
            f"{', '.join(sorted(both))} listed both as secret and as not secret",
            location=project.locate(where),
            key_path=where,
            hint="remove each name from one of the two lists",
        )

    environment = service.get("environment") or {}
    for key, names in listed.items():
        unknown = sorted(set(names) - set(environment))
        if unknown:
            context.diagnostics.warn(
                f"{', '.join(unknown)} not in the service's environment",
                service=service_name,
                key_path=(EXTENSION, key),
            )
    return secret, plain


def secret_variables(context: Context, service_name: str, service: dict[str, t.Any]) -> list[str]:
    """Return the names of the service's variables that go into its Secret, in env order.

    Variables without a value are never secret: they do not reach the container.
    """
    secret, plain = _listed_names(context, service_name, service)
    detect = context.options.detect_secrets
    chosen = []
    for key, value in (service.get("environment") or {}).items():
        if value is None or key in plain:
            continue
        if key in secret or (detect and classify(key, value) is not None):
            chosen.append(key)
    return chosen


def _secret_object(
    context: Context, metadata: dict[str, t.Any], values: dict[str, str]
) -> Manifest:
    secret: Manifest = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata,
        "type": "Opaque",
    }
    if context.options.secrets_mode == "placeholder":
        secret["stringData"] = {key: "" for key in sorted(values)}
    else:
        secret["data"] = {
            key: base64.b64encode(value.encode()).decode("ascii")
            for key, value in sorted(values.items())
        }
    return secret


def _report(context: Context, service_name: str, kind: str, name: str, keys: list[str]) -> None:
    count = f"{len(keys)} variable{'s' if len(keys) != 1 else ''}"
    listed = ", ".join(sorted(keys))
    diagnostics = context.diagnostics
    diagnostics.note(f"{count} moved to {kind} {name}: {listed}", service=service_name)
    options = context.options
    if options.secrets_mode == "placeholder":
        diagnostics.warn(
            f"Secret {name} has empty placeholder values; fill in {listed} before applying",
            service=service_name,
            key_path=("environment",),
        )
    elif options.secrets_mode == "external":
        remote = ", ".join(
            externalsecrets.remote_key(context.project.name, service_name, key)
            for key in sorted(keys)
        )
        kind = externalsecrets.store_kind(options)
        diagnostics.note(
            f"create these keys in {kind} {options.secret_store}: {remote}",
            service=service_name,
        )


def split_environment(
    context: Context, service_name: str, service: dict[str, t.Any]
) -> tuple[list[dict[str, t.Any]], list[Manifest]]:
    """Return the container ``env`` list and the objects that hold its secret values.

    Variables without a value are left out, as Docker Compose leaves them out of the
    container when the shell does not define them.
    """
    environment: dict[str, str | None] = service.get("environment") or {}
    chosen = set(secret_variables(context, service_name, service))
    env: list[dict[str, t.Any]] = []
    values: dict[str, str] = {}
    for key, value in environment.items():
        if value is None:
            continue
        if not is_env_var_name(key):
            context.diagnostics.warn(
                f"variable name {key!r} is not valid in Kubernetes (letters, digits, "
                "'_', '-' and '.', not starting with a digit), so the variable is left out",
                service=service_name,
                key_path=("environment",),
            )
            continue
        if key in chosen:
            values[key] = value
            env.append({"name": key, "valueFrom": {"secretKeyRef": {"name": "", "key": key}}})
        else:
            env.append({"name": key, "value": escape_expansion(value)})
    if not values:
        return env, []
    owner = f"service {service_name!r}"
    external = context.options.secrets_mode == "external"
    kind = "ExternalSecret" if external else "Secret"
    metadata = context.metadata(kind, secret_name(service_name), owner=owner, app=service_name)
    name = metadata["name"]
    for item in env:
        if "valueFrom" in item:
            item["valueFrom"]["secretKeyRef"]["name"] = name
    if external:
        context.names.claim("Secret", name, owner)
        objects = [externalsecrets.external_secret(context, service_name, metadata, sorted(values))]
    else:
        objects = [_secret_object(context, metadata, values)]
    _report(context, service_name, kind, name, list(values))
    return env, objects


def check_config_maps(context: Context, objects: list[Manifest]) -> None:
    """Keep the values of secret variables out of ConfigMaps.

    A ConfigMap entry that equals a secret value can only come from a mapper that copied
    an environment variable, which is a bug, so it raises. A value found inside a longer
    entry, such as a configuration file from ``configs``, is the user's content and gets
    a warning.
    """
    owners: dict[str, tuple[str, str]] = {}
    for service_name, service in context.project.services.items():
        environment = service.get("environment") or {}
        for variable in secret_variables(context, service_name, service):
            if environment[variable]:
                owners[environment[variable]] = (service_name, variable)
    for obj in objects:
        if obj["kind"] != "ConfigMap":
            continue
        for key, text in (obj.get("data") or {}).items():
            for value, (service_name, variable) in owners.items():
                if value not in text:
                    continue
                message = (
                    f"ConfigMap {obj['metadata']['name']} key {key} contains the value of "
                    f"the secret variable {variable}"
                )
                if text == value:
                    raise ConversionError(
                        f"service {service_name!r}: {message}",
                        hint="report this as a bug in kompile",
                    )
                context.diagnostics.warn(
                    f"{message}; mount that file from a Secret instead", service=service_name
                )


def masked_config(project: Project) -> dict[str, t.Any]:
    """Return ``project.to_config()`` with the value of every secret variable masked.

    Unknown ``x-kompile`` keys are rejected as convert rejects them, because a misspelt
    ``secrets`` list would otherwise print the values it was meant to hide.
    """
    validate_project(project)
    # Warnings about the x-kompile lists belong to convert, so they are dropped here.
    context = Context(project, ConvertOptions(), Diagnostics())
    config = project.to_config()
    services = {}
    for name, service in config.get("services", {}).items():
        chosen = secret_variables(context, name, service)
        if chosen:
            environment = dict(service["environment"])
            environment.update(dict.fromkeys(chosen, MASK))
            service = {**service, "environment": environment}
        services[name] = service
    if services:
        config["services"] = services
    return config


def escape_expansion(text: str) -> str:
    """Escape ``$`` so that Kubernetes' ``$(VAR)`` expansion leaves ``text`` as written.

    The kubelet turns ``$$`` into ``$`` and ``$(NAME)`` into a variable's value in env
    values, command and args, so a literal ``$(`` or ``$$`` must be doubled.
    """
    if "$(" in text or "$$" in text:
        return text.replace("$", "$$")
    return text

"""Secret-looking environment variables: found by name, moved into a Secret.

A variable is secret when one of the words of its name is a secret word (``PASSWORD``,
``TOKEN``, ...) or two adjacent words form a secret pair (``API_KEY``, ``PRIVATE_KEY``).
Words are split on ``_``, ``-``, ``.`` and camelCase humps, so ``DB_PASS`` matches and
``PASSENGER`` does not. Values are moved into one Secret per service and referenced with
``secretKeyRef``; they are stored base64-encoded in ``data``, not in ``stringData``,
because server-side apply never removes keys from ``stringData``.
"""

from __future__ import annotations

import base64
import itertools
import re
import typing as t

from kompile.convert.context import Context, Manifest

SECRET_WORDS = frozenset(
    {
        "PASSWORD",
        "PASSWD",
        "PASS",
        "PASSPHRASE",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "CREDENTIAL",
        "CREDENTIALS",
        "APIKEY",
    }
)
SECRET_PAIRS = frozenset(
    {
        ("API", "KEY"),
        ("ACCESS", "KEY"),
        ("PRIVATE", "KEY"),
        ("SECRET", "KEY"),
        ("AUTH", "KEY"),
        ("SIGNING", "KEY"),
        ("ENCRYPTION", "KEY"),
    }
)
_WORD_SPLIT = re.compile(r"[_\-.]+|(?<=[a-z0-9])(?=[A-Z])")


def name_words(name: str) -> list[str]:
    """Split a variable name into upper-case words."""
    return [word.upper() for word in _WORD_SPLIT.split(name) if word]


def is_secret_name(name: str) -> bool:
    """Tell whether a variable name says that its value is a secret."""
    words = name_words(name)
    if any(word in SECRET_WORDS for word in words):
        return True
    return any(pair in SECRET_PAIRS for pair in itertools.pairwise(words))


def secret_name(service_name: str) -> str:
    return f"{service_name}-env"


def split_environment(
    context: Context, service_name: str, environment: dict[str, str | None]
) -> tuple[list[dict[str, t.Any]], Manifest | None]:
    """Return the container ``env`` list and, when needed, the Secret it refers to.

    Variables without a value are left out, as Docker Compose leaves them out of the
    container when the shell does not define them.
    """
    env: list[dict[str, t.Any]] = []
    secret_values: dict[str, str] = {}
    name = secret_name(service_name)
    for key, value in environment.items():
        if value is None:
            continue
        if context.options.detect_secrets and is_secret_name(key):
            secret_values[key] = value
            env.append({"name": key, "valueFrom": {"secretKeyRef": {"name": "", "key": key}}})
        else:
            env.append({"name": key, "value": escape_expansion(value)})
    if not secret_values:
        return env, None
    metadata = context.metadata("Secret", name, owner=f"service {service_name!r}", app=service_name)
    for item in env:
        if "valueFrom" in item:
            item["valueFrom"]["secretKeyRef"]["name"] = metadata["name"]
    secret: Manifest = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata,
        "type": "Opaque",
        "data": {
            key: base64.b64encode(value.encode()).decode("ascii")
            for key, value in sorted(secret_values.items())
        },
    }
    context.diagnostics.note(
        f"{len(secret_values)} variable{'s' if len(secret_values) != 1 else ''} moved to "
        f"Secret {metadata['name']}: {', '.join(sorted(secret_values))}",
        service=service_name,
    )
    return env, secret


def escape_expansion(text: str) -> str:
    """Escape ``$`` so that Kubernetes' ``$(VAR)`` expansion leaves ``text`` as written.

    The kubelet turns ``$$`` into ``$`` and ``$(NAME)`` into a variable's value in env
    values, command and args, so a literal ``$(`` or ``$$`` must be doubled.
    """
    if "$(" in text or "$$" in text:
        return text.replace("$", "$$")
    return text

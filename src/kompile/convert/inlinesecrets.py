"""Warnings about secret values in command lines, where kompile cannot move them.

A password in ``command`` or ``entrypoint`` is copied into the pod spec as it is, because
kompile cannot know which part of a command line a program reads. Each such word gets a
warning that names the key and index, never the value, and suggests passing it through
a secret variable instead: Kubernetes expands ``$(VAR)`` in a container's command and
args.

A word counts as secret when `secretdetect` classifies it by value, when it is the value
of a ``--name=value`` option with a secret name, or when it follows an option with a
secret name (``--password x``, Redis's ``--requirepass x``).
"""

from __future__ import annotations

import typing as t

from kompile.convert.context import Context
from kompile.convert.secretdetect import classify, is_plain_value, is_secret_name, value_format


def _option_name(word: str) -> str | None:
    """Return the name of a command-line option without its dashes, or None."""
    if not word.startswith("-") or word in ("-", "--"):
        return None
    return word.lstrip("-")


def _is_secret_word(previous: str | None, word: str) -> bool:
    option, equals, value = word.partition("=")
    name = _option_name(option)
    if equals and name is not None:
        return classify(name, value) is not None
    if value_format(word) is not None:
        return True
    previous_name = _option_name(previous) if previous is not None else None
    if previous_name is None or "=" in previous_name or is_plain_value(word):
        return False
    return is_secret_name(previous_name)


def warn_inline_secrets(context: Context, service_name: str, service: dict[str, t.Any]) -> None:
    """Warn about each secret-looking word in the service's entrypoint and command."""
    # TODO: check healthcheck.test the same way once probes are generated from it.
    for key in ("entrypoint", "command"):
        words = [str(word) for word in service.get(key) or []]
        for index, word in enumerate(words):
            if not _is_secret_word(words[index - 1] if index else None, word):
                continue
            context.diagnostics.warn(
                "a word looks like a secret and is copied into the pod spec as written; "
                "move it into an environment variable and write $(NAME) in its place",
                service=service_name,
                key_path=(key, index),
            )

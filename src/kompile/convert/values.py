"""Reading service values in both their long and short spellings.

The compose reader hands the mappers Docker Compose's canonical form, but a mapper also
accepts the short forms a user writes (a single string where a list is allowed,
``KEY=value`` lists where a mapping is allowed), so each mapper works whatever stage of
normalization its input went through. `invalid` builds the error for a value that no
spelling explains.
"""

from __future__ import annotations

import typing as t

from kompile.convert.context import Context
from kompile.errors import ConversionError, KeyPath


def service_path(service_name: str, *keys: str | int) -> KeyPath:
    return ("services", service_name, *keys)


def invalid(context: Context, path: KeyPath, reason: str, hint: str) -> ConversionError:
    """Return the error for an unusable value at ``path``, located in its file."""
    return ConversionError(reason, location=context.project.locate(path), key_path=path, hint=hint)


def string_list(value: t.Any) -> list[str]:
    """Return a list of strings from a list or a single scalar; None gives an empty list."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def string_mapping(value: t.Any) -> dict[str, str]:
    """Return a mapping of strings from a mapping or a list of ``key=value`` items."""
    if not value:
        return {}
    if isinstance(value, list):
        pairs = (str(item).partition("=") for item in value)
        return {key: text for key, _, text in pairs}
    return {str(key): "" if item is None else _text(item) for key, item in value.items()}


def _text(value: t.Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_true(value: t.Any) -> bool:
    """Tell whether a compose or label value means true (``true``, ``1``, ``yes``)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)

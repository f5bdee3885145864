"""Variable substitution in compose files and env files, with Docker Compose's rules.

Forms: ``$VAR``, ``${VAR}``, ``${VAR:-default}`` (unset or empty), ``${VAR-default}``
(unset), ``${VAR:?message}`` and ``${VAR?message}`` (required), ``${VAR:+alt}`` and
``${VAR+alt}`` (replacement when set), and ``$$`` for a literal dollar sign. A default,
message or replacement is itself a template, and Docker Compose v2.40.3 expands it even
when the variable is set, so a required variable nested in a default fails either way.
A ``$`` followed by anything that cannot start a variable stays a literal ``$``.
Only values are substituted, never mapping keys, as Docker Compose does.
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Callable, Mapping

from kompile.compose.yamlsource import Tagged
from kompile.errors import ComposeError, KeyPath, Location

Lookup = Callable[[str], "str | None"]
Warn = Callable[[str], None]
PathWarn = Callable[[str, KeyPath], None]

_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


class TemplateError(ValueError):
    """A template is malformed or names a required variable that is not set."""

    def __init__(self, message: str, *, invalid: bool) -> None:
        super().__init__(message)
        self.invalid = invalid


def lookup_in(environ: Mapping[str, str]) -> Lookup:
    """Return a lookup function over a mapping of variables."""
    return environ.get


def substitute(text: str, lookup: Lookup, warn: Warn | None = None) -> str:
    """Expand every variable in ``text``.

    Raises `TemplateError` for a malformed template or a missing required variable.
    """
    result, end = _expand(text, 0, lookup, warn, nested=False)
    assert end == len(text)
    return result


def _expand(
    text: str, start: int, lookup: Lookup, warn: Warn | None, nested: bool
) -> tuple[str, int]:
    """Expand ``text`` from ``start``; when ``nested``, stop at the brace that closes it."""
    parts: list[str] = []
    position = start
    depth = 0
    while position < len(text):
        char = text[position]
        if char == "$":
            expanded, position = _expand_dollar(text, position, lookup, warn)
            parts.append(expanded)
            continue
        if nested and char == "{":
            depth += 1
        elif nested and char == "}":
            if depth == 0:
                return "".join(parts), position
            depth -= 1
        parts.append(char)
        position += 1
    if nested:
        raise TemplateError("a '${' is never closed", invalid=True)
    return "".join(parts), position


def _expand_dollar(text: str, position: int, lookup: Lookup, warn: Warn | None) -> tuple[str, int]:
    """Expand the variable starting at the ``$`` at ``position``."""
    following = text[position + 1 : position + 2]
    if following == "$":
        return "$", position + 2
    if following == "{":
        return _expand_braced(text, position + 2, lookup, warn)
    match = _NAME.match(text, position + 1)
    if match is None:
        return "$", position + 1
    return _value_or_blank(match.group(), lookup, warn), match.end()


def _expand_braced(text: str, position: int, lookup: Lookup, warn: Warn | None) -> tuple[str, int]:
    match = _NAME.match(text, position)
    if match is None:
        raise TemplateError("'${' must be followed by a variable name", invalid=True)
    name = match.group()
    position = match.end()
    if text[position : position + 1] == "}":
        return _value_or_blank(name, lookup, warn), position + 1
    operator = next((op for op in _OPERATORS if text.startswith(op, position)), None)
    if operator is None:
        raise TemplateError(
            f"'${{{name}' must be followed by '}}' or one of {', '.join(_OPERATORS)}", invalid=True
        )
    argument, end = _expand(text, position + len(operator), lookup, warn, nested=True)
    value = lookup(name)
    if operator == ":-":
        return (value if value else argument), end + 1
    if operator == "-":
        return (argument if value is None else value), end + 1
    if operator == ":+":
        return (argument if value else ""), end + 1
    if operator == "+":
        return ("" if value is None else argument), end + 1
    if value is None or (operator == ":?" and not value):
        detail = f": {argument}" if argument else ""
        raise TemplateError(f"required variable {name} is missing a value{detail}", invalid=False)
    return value, end + 1


def _value_or_blank(name: str, lookup: Lookup, warn: Warn | None) -> str:
    value = lookup(name)
    if value is None:
        if warn is not None:
            warn(name)
        return ""
    return value


def interpolate(
    value: t.Any,
    path: KeyPath,
    lookup: Lookup,
    locate: Callable[[KeyPath], Location],
    warn: PathWarn | None = None,
) -> t.Any:
    """Substitute variables in every string value under ``value``; keys stay as written.

    Raises `ComposeError` at the location of the first string that fails to expand.
    """
    if isinstance(value, str):
        try:
            return substitute(value, lookup, None if warn is None else _at(warn, path))
        except TemplateError as error:
            raise _template_error(error, path, locate) from None
    if isinstance(value, dict):
        return {
            key: interpolate(item, (*path, key), lookup, locate, warn)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            interpolate(item, (*path, index), lookup, locate, warn)
            for index, item in enumerate(value)
        ]
    if isinstance(value, Tagged):
        return Tagged(value.tag, interpolate(value.value, path, lookup, locate, warn))
    return value


def _at(warn: PathWarn, path: KeyPath) -> Warn:
    return lambda name: warn(name, path)


def _template_error(
    error: TemplateError, path: KeyPath, locate: Callable[[KeyPath], Location]
) -> ComposeError:
    if error.invalid:
        return ComposeError(
            "invalid interpolation: " + str(error),
            location=locate(path),
            key_path=path,
            hint="write a literal dollar sign as $$",
        )
    return ComposeError(
        str(error),
        location=locate(path),
        key_path=path,
        hint="set the variable in the environment or in the .env file",
    )

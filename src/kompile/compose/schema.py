"""The type of every key of the Compose specification, as kompile checks it.

The table below is written for kompile from the Compose specification's documentation and
the behaviour of Docker Compose v2.40.3, and each entry defines what a key accepts.
Checking an interpolated document converts strings where a number or boolean is expected,
as Docker Compose does after interpolation, so ``replicas: ${N}`` works. The first wrong
value raises `ComposeError` with its file, line, column and key path.

An unknown key directly under a service is a warning with a did-you-mean hint and is
dropped, so a typo never stops a conversion unless ``--strict`` is set. Unknown keys
anywhere else are errors, because Docker Compose rejects them too. Keys starting with
``x-`` are allowed in every mapping that the specification marks extensible.
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Callable
from dataclasses import dataclass

from kompile.compose.normalize import describe
from kompile.compose.yamlsource import RESET_TAG, Tagged
from kompile.diagnostics import Diagnostics
from kompile.errors import ComposeError, KeyPath, Location

Locate = Callable[[KeyPath], Location]

_TRUE = {"true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON"}
_FALSE = {"false", "False", "FALSE", "no", "No", "NO", "n", "N", "off", "Off", "OFF"}
_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def check_item(spec: Spec, value: t.Any, path: KeyPath, context: Context) -> t.Any:
    """Check one value; a value tagged ``!reset`` or ``!override`` keeps its tag."""
    if isinstance(value, Tagged):
        if value.tag == RESET_TAG:
            return value
        return Tagged(value.tag, spec.check(value.value, path, context))
    return spec.check(value, path, context)


class Spec:
    """The accepted type of one key; `check` returns the value, converted where needed."""

    description = "a value"

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        return value


@dataclass
class Context:
    locate: Locate
    diagnostics: Diagnostics

    def fail(self, path: KeyPath, message: str, hint: str | None = None) -> ComposeError:
        return ComposeError(message, location=self.locate(path), key_path=path, hint=hint)


def _wrong(context: Context, path: KeyPath, spec: Spec, value: t.Any) -> ComposeError:
    return context.fail(path, f"must be {spec.description}, not {describe(value)}")


class _Any(Spec):
    pass


class _String(Spec):
    description = "a string"

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        if not isinstance(value, str):
            raise _wrong(context, path, self, value)
        return value


@dataclass
class _Integer(Spec):
    minimum: int | None = None

    description = "an integer"

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        if isinstance(value, str) and _INT.match(value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong(context, path, self, value)
        if self.minimum is not None and value < self.minimum:
            raise context.fail(path, f"must be greater than or equal to {self.minimum}")
        return value


@dataclass
class Choice(_String):
    """A string that must be one of a fixed set of values."""

    values: tuple[str, ...]

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        value = super().check(value, path, context)
        if value not in self.values:
            allowed = ", ".join(repr(choice) for choice in self.values)
            raise context.fail(path, f"invalid value {value!r}", hint=f"use one of {allowed}")
        return value


class _Number(Spec):
    description = "a number"

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        if isinstance(value, str) and _FLOAT.match(value.strip()):
            number = float(value)
            return int(number) if _INT.match(value.strip()) else number
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _wrong(context, path, self, value)
        return value


class _Boolean(Spec):
    description = "a boolean"

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        if isinstance(value, str) and value in _TRUE:
            return True
        if isinstance(value, str) and value in _FALSE:
            return False
        if not isinstance(value, bool):
            raise _wrong(context, path, self, value)
        return value


class _Scalar(Spec):
    """A string or a number (``mem_limit: 512m`` or ``mem_limit: 1000``)."""

    description = "a string or a number"

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _wrong(context, path, self, value)
        return value


class _Null(Spec):
    description = "null"

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        if value is not None:
            raise _wrong(context, path, self, value)
        return value


@dataclass
class OneOf(Spec):
    """The first alternative that accepts the value wins."""

    options: tuple[Spec, ...]

    @property
    def description(self) -> str:  # type: ignore[override]
        names = [option.description for option in self.options]
        return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        for option in self.options:
            if _accepts(option, value):
                return option.check(value, path, context)
        for option in self.options:
            # A string may still convert to a number or boolean after interpolation.
            if isinstance(value, str) and isinstance(option, (_Integer, _Number, _Boolean)):
                try:
                    return option.check(value, path, context)
                except ComposeError:
                    continue
        raise _wrong(context, path, self, value)


def _accepts(spec: Spec, value: t.Any) -> bool:
    if isinstance(spec, _Shaped):
        return spec.accepts_shape(value)
    return _simple(spec, value)


def _simple(spec: Spec, value: t.Any) -> bool:
    """Tell whether a scalar spec accepts ``value`` without converting it."""
    if isinstance(spec, _Any):
        return True
    if isinstance(spec, _Null):
        return value is None
    if isinstance(spec, _String):
        return isinstance(value, str)
    if isinstance(spec, _Boolean):
        return isinstance(value, bool)
    if isinstance(spec, (_Integer, _Number)):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(spec, _Scalar):
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    return False


class _Shaped(Spec):
    """A list or mapping spec; ``shape`` is the Python type it accepts."""

    shape: t.ClassVar[type] = dict
    description = "a mapping"

    def accepts_shape(self, value: t.Any) -> bool:
        return isinstance(value, self.shape)


@dataclass
class ListOf(_Shaped):
    item: Spec

    shape: t.ClassVar[type] = list
    description = "a list"

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        if not isinstance(value, list):
            raise _wrong(context, path, self, value)
        return [check_item(self.item, item, (*path, i), context) for i, item in enumerate(value)]


@dataclass
class MapOf(_Shaped):
    """A mapping with free keys, every value checked against ``value``."""

    value: Spec
    key_pattern: str | None = None

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        if not isinstance(value, dict):
            raise _wrong(context, path, self, value)
        result = {}
        for key, item in value.items():
            if self.key_pattern and not re.fullmatch(self.key_pattern, key):
                raise context.fail(
                    (*path, key), f"invalid name {key!r}", hint=f"use {self.key_pattern}"
                )
            result[key] = check_item(self.value, item, (*path, key), context)
        return result


@dataclass
class Obj(_Shaped):
    """A mapping with a fixed set of keys; ``x-`` keys are allowed when ``extensible``."""

    keys: dict[str, Spec]
    extensible: bool = True
    required: tuple[str, ...] = ()
    lenient: bool = False  # Unknown keys warn and are dropped instead of failing.

    def check(self, value: t.Any, path: KeyPath, context: Context) -> t.Any:
        if not isinstance(value, dict):
            raise _wrong(context, path, self, value)
        result = {}
        for key, item in value.items():
            spec = self.keys.get(key)
            if spec is None and self.extensible and key.startswith("x-"):
                result[key] = item
                continue
            if spec is None:
                self._unknown(key, path, context)
                continue
            result[key] = check_item(spec, item, (*path, key), context)
        for key in self.required:
            if key not in result:
                raise context.fail(path, f"missing required key {key!r}")
        return result

    def _unknown(self, key: str, path: KeyPath, context: Context) -> None:
        import difflib

        close = difflib.get_close_matches(key, list(self.keys), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else None
        if self.lenient:
            message = f"unknown key {key!r} is ignored" + (
                f" (did you mean {close[0]!r}?)" if close else ""
            )
            service = path[-1] if isinstance(path[-1], str) else None
            context.diagnostics.warn(message, service=service, key_path=(*path, key))
            return
        raise context.fail((*path, key), f"unknown key {key!r}", hint=hint or _allowed(self.keys))


def _allowed(keys: dict[str, Spec]) -> str:
    names = sorted(keys)
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f"allowed keys: {shown}"


ANY: Spec = _Any()
STR: Spec = _String()
INT: Spec = _Integer()
COUNT: Spec = _Integer(minimum=0)
NUM: Spec = _Number()
BOOL: Spec = _Boolean()
SCALAR: Spec = _Scalar()
NULL: Spec = _Null()
STRINGS = ListOf(STR)
STR_OR_STRINGS = OneOf((STR, STRINGS))
SCALAR_OR_NULL = OneOf((STR, NUM, BOOL, NULL))
# Compose's list_or_dict: KEY=VALUE strings, or a mapping of scalars.
LIST_OR_DICT = OneOf((MapOf(SCALAR_OR_NULL), ListOf(STR)))
COMMAND = OneOf((NULL, STR, STRINGS))
STR_OR_INT = OneOf((STR, INT))

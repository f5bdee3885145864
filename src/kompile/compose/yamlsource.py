"""YAML parsing with the scalar rules Docker Compose uses, and a line for every key.

Docker Compose reads YAML with go-yaml v3, whose plain-scalar rules differ from PyYAML's
YAML 1.1 defaults: ``yes``/``on`` stay strings, ``0400`` is octal 256, ``08`` is the float
8, ``1_000`` is 1000. The resolver below follows go-yaml v3 so that a compose file means
the same thing to kompile as to Docker Compose.

PyYAML's composer (the libyaml C parser when present) builds a node tree that keeps
marks; the constructor here walks that tree itself so that it can record where every
value came from, reject duplicate keys as Compose does, apply ``<<`` merge keys, keep the
``!reset`` and ``!override`` tags for the merge step, and bound alias expansion.
"""

from __future__ import annotations

import datetime
import re
import typing as t
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kompile.errors import ComposeError, KeyPath, Location

try:  # The libyaml parser is several times faster; PyYAML works without it.
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


# Values constructed from one document, aliases counted each time they are expanded.
# Real compose files stay far below it; an alias bomb reaches it long before memory runs out.
MAX_NODES = 2_000_000
# Compose files nest a few levels deep; the bound keeps Python's recursion limit out of reach.
MAX_DEPTH = 200

RESET_TAG = "!reset"
_PLAIN = "?"  # The tag this module's resolver gives untagged plain scalars.
_STR = "tag:yaml.org,2002:str"
_CORE_TAGS: dict[str, type | tuple[type, ...]] = {
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": (float, int),
    "tag:yaml.org,2002:bool": bool,
    "tag:yaml.org,2002:null": type(None),
}
OVERRIDE_TAG = "!override"
_COLLECTION_TAGS = frozenset(
    {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map", RESET_TAG, OVERRIDE_TAG}
)

_GO_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_GO_INT_PREFIXES = {"0x": 16, "0o": 8, "0b": 2}
_SPECIALS: dict[str, t.Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    ".inf": float("inf"),
    ".Inf": float("inf"),
    ".INF": float("inf"),
    "+.inf": float("inf"),
    "+.Inf": float("inf"),
    "+.INF": float("inf"),
    "-.inf": float("-inf"),
    "-.Inf": float("-inf"),
    "-.INF": float("-inf"),
    ".nan": float("nan"),
    ".NaN": float("nan"),
    ".NAN": float("nan"),
}
_TIMESTAMP = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([Tt ]|$)")


class Tagged(t.NamedTuple):
    """A value that carried Compose's ``!reset`` or ``!override`` tag."""

    tag: str
    value: t.Any


def _parse_go_int(text: str) -> int | None:
    """Parse an integer the way Go's ``strconv.ParseInt(s, 0, 64)`` does."""
    sign = 1
    body = text
    if body[:1] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not body:
        return None
    base = 10
    for prefix, prefix_base in _GO_INT_PREFIXES.items():
        if body.lower().startswith(prefix):
            base = prefix_base
            body = body[2:]
            break
    else:
        if len(body) > 1 and body[0] == "0":
            base = 8  # go-yaml v3 still reads YAML 1.1 octals such as 0755.
            body = body[1:]
    if not body:
        return None
    try:
        return sign * int(body, base)
    except ValueError:
        return None


def resolve_plain_scalar(text: str) -> t.Any:
    """Return the value go-yaml v3 gives an untagged plain scalar."""
    if text in _SPECIALS:
        return _SPECIALS[text]
    if not text or text[0] not in "0123456789+-.":
        return text
    if _TIMESTAMP.match(text):
        try:
            return datetime.date.fromisoformat(text[:10]) if len(text) == 10 else text
        except ValueError:
            return text
    plain = text.replace("_", "")
    number = _parse_go_int(plain)
    if number is not None and -(2**63) <= number < 2**64:
        return number
    if _GO_FLOAT.match(plain):
        return float(plain)
    return text


@dataclass
class SourceMap:
    """The location of every value of one file, keyed by its key path."""

    file: Path | str
    positions: dict[KeyPath, tuple[int, int]]

    def locate(self, path: KeyPath) -> Location:
        """Return the location of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            position = self.positions.get(path[:end])
            if position is not None:
                return Location(self.file, position[0], position[1])
        return Location(self.file)


class _Constructor:
    """Builds Python values from a node tree and records their positions."""

    def __init__(self, file: Path | str) -> None:
        self.file = file
        self.positions: dict[KeyPath, tuple[int, int]] = {}
        self.count = 0
        self.open_nodes: set[int] = set()

    def error(
        self, node: Node, message: str, path: KeyPath, hint: str | None = None
    ) -> ComposeError:
        mark = node.start_mark
        location = Location(self.file, mark.line + 1, mark.column + 1)
        return ComposeError(message, location=location, key_path=path, hint=hint)

    def construct(self, node: Node, path: KeyPath) -> t.Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.error(
                node,
                f"the document expands to more than {MAX_NODES:,} values through aliases",
                path,
                hint="expand fewer aliases",
            )
        if len(path) > MAX_DEPTH:
            raise self.error(node, f"the document nests deeper than {MAX_DEPTH} levels", path[:3])
        if id(node) in self.open_nodes:
            raise self.error(node, "an alias refers to a node that contains it", path[:3])
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, ScalarNode):
            value: t.Any = self.construct_scalar(node, path)
        elif node.tag not in _COLLECTION_TAGS:
            raise self.error(node, f"unsupported YAML tag {node.tag}", path, hint="remove the tag")
        elif isinstance(node, SequenceNode):
            self.open_nodes.add(id(node))
            value = [self.construct(item, (*path, i)) for i, item in enumerate(node.value)]
            self.open_nodes.discard(id(node))
        elif isinstance(node, MappingNode):
            self.open_nodes.add(id(node))
            value = self.construct_mapping(node, path)
            self.open_nodes.discard(id(node))
        else:  # pragma: no cover - the composer only makes these three kinds
            raise self.error(node, "unsupported YAML node", path)
        if node.tag in (RESET_TAG, OVERRIDE_TAG):
            return Tagged(node.tag, value)
        return value

    def construct_scalar(self, node: ScalarNode, path: KeyPath) -> t.Any:
        tag = node.tag
        plain = tag == _PLAIN or (tag in (RESET_TAG, OVERRIDE_TAG) and not node.style)
        if plain:
            return resolve_plain_scalar(node.value)
        if tag in (_STR, "!", RESET_TAG, OVERRIDE_TAG):
            return node.value
        value = resolve_plain_scalar(node.value)
        expected = _CORE_TAGS.get(tag)
        if expected is None:
            raise self.error(node, f"unsupported YAML tag {tag}", path, hint="remove the tag")
        if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            raise self.error(node, f"{node.value!r} does not match its tag {tag}", path)
        return value

    def construct_mapping(self, node: MappingNode, path: KeyPath) -> dict[str, t.Any]:
        result: dict[str, t.Any] = {}
        merged: dict[str, t.Any] = {}
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _PLAIN and key_node.value == "<<":
                self.merge_into(merged, value_node, path)
                continue
            if not isinstance(key_node, ScalarNode):
                raise self.error(key_node, "a mapping key must be a plain value", path)
            key = key_node.value
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise self.error(
                    key_node,
                    f"mapping key {key!r} already defined at line {first}",
                    path,
                    hint="remove one of the two entries",
                )
            seen[key] = key_node
            self.positions[tuple([*path, key])] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = self.construct(value_node, (*path, key))
        if merged:
            # Keys written in the mapping win over keys brought in by "<<".
            return {**{k: v for k, v in merged.items() if k not in result}, **result}
        return result

    def merge_into(self, merged: dict[str, t.Any], node: Node, path: KeyPath) -> None:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, MappingNode):
                raise self.error(
                    source, "a merge key (<<) needs a mapping or a list of mappings", path
                )
            for key, value in self.construct_mapping(source, path).items():
                merged.setdefault(key, value)


class _NodeLoader(_Parser):  # type: ignore[misc,valid-type,unused-ignore]
    """The libyaml composer with a resolver that leaves plain scalars untyped."""

    def descend_resolver(self, parent: Node | None, index: t.Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        if kind is SequenceNode:
            return "tag:yaml.org,2002:seq"
        return "tag:yaml.org,2002:map"


# Hints for the parser messages that users meet most, matched by a part of the message.
_YAML_HINTS = (
    (
        "another document",
        "a compose file is one YAML document, so remove the '---' line or split the file",
    ),
    (
        "expected key",
        "check that this line is indented like the keys above it and that quotes are closed",
    ),
    ("expected ',' or ']'", "close the [ list with ] and separate its items with commas"),
    ("expected ',' or '}'", "close the { mapping with } and separate its items with commas"),
    ("mapping values are not allowed", "quote a value that contains ': ' or fix the indentation"),
    (
        "cannot start any token",
        "indent with spaces, not tabs, and quote a value that starts with @ or `",
    ),
    ("found undefined alias", "define the &anchor before the *alias that uses it"),
)


def yaml_hint(problem: str) -> str:
    """Return what to check for a YAML parser message, by the message's wording."""
    for fragment, hint in _YAML_HINTS:
        if fragment in problem:
            return hint
    return "check the indentation, quotes and brackets on this line and the one above it"


def _check_expanded_size(node: Node, sizes: dict[int, int], depth: int, file: Path | str) -> int:
    """Return how many values ``node`` becomes once its aliases are expanded.

    Each node is measured once, so an alias bomb is found in time proportional to its
    text, before the constructor starts expanding it. Raises `ComposeError` at the first
    node whose expansion passes `MAX_NODES`.
    """
    known = sizes.get(id(node))
    if known is not None:
        return known
    if depth > MAX_DEPTH:
        return 1  # The constructor reports the nesting with its key path.
    sizes[id(node)] = 1  # An alias inside its own anchor; the constructor reports it.
    size = 1
    if isinstance(node, SequenceNode):
        size += sum(_check_expanded_size(item, sizes, depth + 1, file) for item in node.value)
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            size += _check_expanded_size(key, sizes, depth + 1, file)
            size += _check_expanded_size(value, sizes, depth + 1, file)
    if size > MAX_NODES:
        mark = node.start_mark
        raise ComposeError(
            f"the document expands to more than {MAX_NODES:,} values through aliases",
            location=Location(file, mark.line + 1, mark.column + 1),
            hint="expand fewer aliases",
        )
    sizes[id(node)] = size
    return size


def load_document(text: str, file: Path | str) -> tuple[t.Any, SourceMap]:
    """Parse one compose document and return its value with the location of every key.

    Raises `ComposeError` with file, line and column for invalid YAML, duplicate keys and
    runaway alias expansion.
    """
    loader = _NodeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        problem = error.problem or error.context or "invalid YAML"
        if error.problem and error.context and error.context_mark:
            # "while scanning a quoted scalar" and the line where that scalar starts.
            problem += f" ({error.context} at line {error.context_mark.line + 1})"
        hint = yaml_hint(problem)
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            hint = "indent with spaces, because YAML does not allow tabs there"
        raise ComposeError(f"invalid YAML: {problem}", location=location, hint=hint) from error
    except yaml.reader.ReaderError as error:
        # The reader reports a character offset, not a mark; turn it into line and column.
        line = text.count("\n", 0, error.position) + 1
        column = error.position - text.rfind("\n", 0, error.position)
        character = error.character
        code = ord(character) if isinstance(character, str) else character
        raise ComposeError(
            f"invalid YAML: {error.reason} (character U+{code:04X})",
            location=Location(file, line, column),
            hint="remove the control character",
        ) from error
    except yaml.YAMLError as error:
        raise ComposeError(
            f"invalid YAML: {error}", location=Location(file), hint=yaml_hint(str(error))
        ) from error
    finally:
        loader.dispose()
    if node is not None:
        _check_expanded_size(node, {}, 0, file)
    constructor = _Constructor(file)
    value = None if node is None else constructor.construct(node, ())
    return value, SourceMap(file, constructor.positions)

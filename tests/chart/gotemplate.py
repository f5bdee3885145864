"""A renderer for the subset of Helm's Go templates that kompile's charts use.

helm-sdkpy 0.1.32 offers lint, install and upgrade, but no ``helm template`` or client-only
dry run, so the tests cannot ask the Helm engine for the rendered objects without a
cluster. This renderer evaluates the constructs the chart writer emits: ``define``,
``include``, ``if``/``else``, ``with``, ``range``, variables, pipelines and the Sprig
functions listed in ``FUNCTIONS``. It follows Go template semantics for ``{{-``/``-}}``
trimming, emptiness as falsehood, sorted map iteration and errors on a field of a
missing value. Any
other construct raises `TemplateError`, so a new construct in the writer fails the tests
until it is supported here. Helm lint, run through the real engine, checks the syntax and
renders with default values; this renderer adds the comparison of what comes out.
"""

from __future__ import annotations

import base64
import json
import re
import typing as t
from dataclasses import dataclass, field

import yaml


class TemplateError(Exception):
    """A template failed to parse or to render."""


_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:\\.|[^"\\])*")
    | (?P<number>-?\d+)
    | (?P<assign>:=)
    | (?P<punct>[()|,])
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<chain>\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|(?:\.[A-Za-z0-9_]+)+|\.)
    )""",
    re.VERBOSE,
)


@dataclass
class Node:
    kind: str  # text, action, if, with, range, define
    text: str = ""
    pipeline: list[t.Any] = field(default_factory=list)
    assign: list[str] = field(default_factory=list)
    body: list[Node] = field(default_factory=list)
    # For if: (pipeline, body) pairs after the first; for with and range: the else body.
    branches: list[tuple[list[t.Any], list[Node]]] = field(default_factory=list)
    otherwise: list[Node] = field(default_factory=list)


def _lex(source: str) -> list[tuple[str, str]]:
    """Split ``source`` into text and action parts, applying the trim markers."""
    parts: list[tuple[str, str]] = []
    position = 0
    trim_next = False
    for match in _ACTION.finditer(source):
        text = source[position : match.start()]
        if trim_next:
            text = text.lstrip()
        if match.group(1):
            text = text.rstrip()
        if text:
            parts.append(("text", text))
        body = match.group(2).strip()
        if not (body.startswith("/*") and body.endswith("*/")):
            parts.append(("action", body))
        trim_next = bool(match.group(3))
        position = match.end()
    tail = source[position:]
    if trim_next:
        tail = tail.lstrip()
    if tail:
        parts.append(("text", tail))
    return parts


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise TemplateError(f"invalid action text {text[position:]!r}")
        kind = t.cast(str, match.lastgroup)
        tokens.append((kind, match.group(kind)))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


def _closing(tokens: list[tuple[str, str]], start: int) -> int:
    """Return the index just past the parenthesis that closes the one at ``start``."""
    depth = 0
    for index in range(start, len(tokens)):
        kind, value = tokens[index]
        if kind == "punct" and value in "()":
            depth += 1 if value == "(" else -1
            if depth == 0:
                return index + 1
    raise TemplateError("unclosed parenthesis")


def _pipeline(tokens: list[tuple[str, str]]) -> list[list[t.Any]]:
    """Parse tokens into commands: lists of operands, ``("(", pipeline)`` for groups."""
    commands: list[list[t.Any]] = [[]]
    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        if value == "|" and kind == "punct":
            commands.append([])
        elif value == "(" and kind == "punct":
            end = _closing(tokens, index)
            commands[-1].append(("group", _pipeline(tokens[index + 1 : end - 1])))
            index = end
            continue
        else:
            commands[-1].append((kind, value))
        index += 1
    return commands


def parse(source: str) -> tuple[list[Node], dict[str, list[Node]]]:
    """Parse a template into nodes and the templates it defines."""
    defines: dict[str, list[Node]] = {}
    root: list[Node] = []
    stack: list[tuple[Node, list[Node]]] = []
    current = root
    for kind, text in _lex(source):
        if kind == "text":
            current.append(Node("text", text))
            continue
        word, _, rest = text.partition(" ")
        if word in ("if", "with", "range", "define"):
            node = Node(word)
            if word == "define":
                node.text = json.loads(rest.strip())
            elif word == "range" and ":=" in rest:
                names, _, expression = rest.partition(":=")
                node.assign = [name.strip() for name in names.split(",")]
                node.pipeline = _pipeline(_tokens(expression))
            else:
                node.pipeline = _pipeline(_tokens(rest))
            current.append(node)
            stack.append((node, current))
            current = node.body
        elif word == "else":
            node = stack[-1][0]
            if rest.startswith("if "):
                node.branches.append((_pipeline(_tokens(rest[3:])), []))
                current = node.branches[-1][1]
            else:
                current = node.otherwise
        elif word == "end":
            node, current = stack.pop()
            if node.kind == "define":
                current.remove(node)
                defines[node.text] = node.body
        elif re.match(r"\$[A-Za-z0-9_]+\s*:=", text):
            name, _, expression = text.partition(":=")
            current.append(
                Node("action", assign=[name.strip()], pipeline=_pipeline(_tokens(expression)))
            )
        else:
            current.append(Node("action", pipeline=_pipeline(_tokens(text))))
    if stack:
        raise TemplateError(f"missing end of {stack[-1][0].kind}")
    return root, defines


def truthy(value: t.Any) -> bool:
    """Go template truth: false, 0, nil and empty strings, maps and lists are false."""
    return bool(value) or value is True


def _string(value: t.Any) -> str:
    if value is None:
        return "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_yaml(value: t.Any) -> str:
    if value is None:
        return "null"
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True, width=10_000).rstrip(
        "\n"
    )


def _required(message: str, value: t.Any) -> t.Any:
    if value is None or value == "":
        raise TemplateError(message)
    return value


def _default(fallback: t.Any, *piped: t.Any) -> t.Any:
    return piped[0] if piped and truthy(piped[0]) else fallback


def _index(collection: t.Any, *keys: t.Any) -> t.Any:
    for key in keys:
        if collection is None:
            raise TemplateError(f"index of nil with {key!r}")
        collection = collection.get(key) if isinstance(collection, dict) else collection[key]
    return collection


def _printf(pattern: str, *arguments: t.Any) -> str:
    if pattern.count("%s") != len(arguments) or "%" in pattern.replace("%s", ""):
        raise TemplateError(f"unsupported printf pattern {pattern!r}")
    return pattern % tuple(_string(argument) for argument in arguments)


def _and(*values: t.Any) -> t.Any:
    for value in values:
        if not truthy(value):
            return value
    return values[-1]


FUNCTIONS: dict[str, t.Callable[..., t.Any]] = {
    "and": _and,
    "b64enc": lambda text: base64.b64encode(text.encode()).decode(),
    "contains": lambda part, text: part in text,
    "default": _default,
    "index": _index,
    "list": lambda *items: list(items),
    "ne": lambda left, right: left != right,
    "nindent": lambda count, text: "\n" + "\n".join(" " * count + ln for ln in text.split("\n")),
    "not": lambda value: not truthy(value),
    "omit": lambda mapping, *keys: {k: v for k, v in mapping.items() if k not in keys},
    "printf": _printf,
    "quote": lambda value: "" if value is None else json.dumps(_string(value), ensure_ascii=False),
    "replace": lambda old, new, text: text.replace(old, new),
    "required": _required,
    "toString": _string,
    "toYaml": _to_yaml,
    "trimSuffix": lambda suffix, text: text.removesuffix(suffix),
    "trunc": lambda count, text: text[:count],
}


class Renderer:
    """Renders the templates of one chart with one set of values."""

    def __init__(self, helpers: str, root: dict[str, t.Any]) -> None:
        nodes, self.defines = parse(helpers)
        if any(node.kind != "text" or node.text.strip() for node in nodes):
            raise TemplateError("helpers may only define templates")
        self.root = root

    def render(self, source: str) -> str:
        nodes, defines = parse(source)
        self.defines.update(defines)
        return self._nodes(nodes, self.root, {"$": self.root})

    def _nodes(self, nodes: list[Node], dot: t.Any, scope: dict[str, t.Any]) -> str:
        output = []
        for node in nodes:
            output.append(self._node(node, dot, scope))
        return "".join(output)

    def _node(self, node: Node, dot: t.Any, scope: dict[str, t.Any]) -> str:
        if node.kind == "text":
            return node.text
        if node.kind == "action":
            value = self._pipeline(node.pipeline, dot, scope)
            if node.assign:
                scope[node.assign[0]] = value
                return ""
            return _string(value)
        if node.kind == "if":
            for pipeline, body in [(node.pipeline, node.body), *node.branches]:
                if truthy(self._pipeline(pipeline, dot, scope)):
                    return self._nodes(body, dot, dict(scope))
            return self._nodes(node.otherwise, dot, dict(scope))
        if node.kind == "with":
            value = self._pipeline(node.pipeline, dot, scope)
            if truthy(value):
                return self._nodes(node.body, value, dict(scope))
            return self._nodes(node.otherwise, dot, dict(scope))
        if node.kind == "range":
            return self._range(node, dot, scope)
        raise TemplateError(f"unsupported node {node.kind}")

    def _range(self, node: Node, dot: t.Any, scope: dict[str, t.Any]) -> str:
        collection = self._pipeline(node.pipeline, dot, scope)
        if isinstance(collection, dict):
            items = sorted(collection.items())
        else:
            items = list(enumerate(collection or []))
        if not items:
            return self._nodes(node.otherwise, dot, dict(scope))
        output = []
        for key, value in items:
            inner = dict(scope)
            if len(node.assign) == 2:
                inner[node.assign[0]], inner[node.assign[1]] = key, value
            elif node.assign:
                inner[node.assign[0]] = value
            output.append(self._nodes(node.body, value, inner))
        return "".join(output)

    def _pipeline(self, commands: list[list[t.Any]], dot: t.Any, scope: dict[str, t.Any]) -> t.Any:
        result: t.Any = None
        for position, command in enumerate(commands):
            extra = [result] if position else []
            result = self._command(command, extra, dot, scope)
        return result

    def _command(
        self, command: list[t.Any], extra: list[t.Any], dot: t.Any, scope: dict[str, t.Any]
    ) -> t.Any:
        kind, value = command[0]
        if kind == "ident":
            arguments = [self._operand(item, dot, scope) for item in command[1:]] + extra
            if value == "include":
                name, context = arguments
                return self._nodes(self.defines[name], context, {"$": context})
            if value not in FUNCTIONS:
                raise TemplateError(f"unsupported function {value}")
            return FUNCTIONS[value](*arguments)
        if len(command) != 1 or extra:
            raise TemplateError(f"{value} is not a function")
        return self._operand(command[0], dot, scope)

    def _operand(self, operand: tuple[str, t.Any], dot: t.Any, scope: dict[str, t.Any]) -> t.Any:
        kind, value = operand
        if kind == "string":
            return json.loads(value)
        if kind == "number":
            return int(value)
        if kind == "group":
            return self._pipeline(value, dot, scope)
        if kind == "chain":
            return self._chain(value, dot, scope)
        if kind == "ident" and value in ("true", "false"):
            return value == "true"
        raise TemplateError(f"unsupported operand {value!r}")

    def _chain(self, chain: str, dot: t.Any, scope: dict[str, t.Any]) -> t.Any:
        if chain.startswith("$"):
            head, _, rest = chain.partition(".")
            value = scope[head]
            fields = rest.split(".") if rest else []
        else:
            value = dot
            fields = chain.split(".")[1:] if chain != "." else []
        for name in fields:
            if not isinstance(value, dict):
                raise TemplateError(f"nil pointer evaluating {chain}")
            value = value.get(name)
        return value

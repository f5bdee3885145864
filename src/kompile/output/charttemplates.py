"""Helm template text: a YAML emitter that lets template actions stand in for values.

A chart template is an object's YAML in which some parts are Go template actions. The
chart writer builds each template as the object's own dicts and lists with two kinds of
stand-ins: `Action`, a scalar that becomes ``{{ ... }}``, and `Splice`, a run of template
lines (a ``with`` block, an ``include``, a ``range``) put at the indent where it sits.
`emit` writes such a tree as block YAML. Keeping the indent in the emitter's hands is
what makes the ``nindent`` numbers in the spliced lines right.

Everything else is emitted verbatim. Strings that YAML could read as another type, or
that hold characters outside a safe plain set, are written as JSON strings, which are
valid YAML double-quoted scalars. A ``{{`` inside a string is written as the action
``{{ "{{" }}``, so Helm prints it instead of parsing it.
"""

from __future__ import annotations

import json
import re
import typing as t
from dataclasses import dataclass

_PLAIN = re.compile(r"[A-Za-z/][-A-Za-z0-9_./]*")
# Plain words that YAML 1.1 reads as booleans or null.
_RESERVED_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


@dataclass(frozen=True)
class Action:
    """A scalar written as the template action ``{{ text }}``."""

    text: str


@dataclass(frozen=True, eq=False)
class Splice:
    """Template lines put in a mapping or sequence at the indent where they sit.

    ``render(indent, key)`` returns the lines without the indent. ``key`` is the mapping
    key whose value the splice is. It is None when the splice is a sequence item or
    stands in a mapping without a key of its own.
    """

    render: t.Callable[[int, str | None], list[str]]


def go_string(text: str) -> str:
    """Return ``text`` as a Go string literal (JSON's escapes are a subset of Go's)."""
    return json.dumps(text, ensure_ascii=False)


def scalar(value: t.Any) -> str:
    """Return a YAML scalar for a plain value, quoted when YAML could misread it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED_WORDS:
        return text
    return go_string(text).replace("{{", '{{ "{{" }}')


def emit(node: dict[str, t.Any]) -> str:
    """Return the template text of a mapping tree that may contain stand-ins."""
    return "".join(f"{line}\n" for line in _mapping(node, 0))


def _mapping(node: dict[t.Any, t.Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in node.items():
        if isinstance(key, Splice):
            lines.extend(pad + line for line in key.render(indent, None))
            continue
        name = scalar(key)
        if isinstance(value, Splice):
            lines.extend(pad + line for line in value.render(indent, name))
        elif isinstance(value, Action):
            lines.append(f"{pad}{name}: {{{{ {value.text} }}}}")
        elif isinstance(value, dict) and value:
            lines.append(f"{pad}{name}:")
            lines.extend(_mapping(value, indent + 2))
        elif isinstance(value, list) and value:
            lines.append(f"{pad}{name}:")
            lines.extend(_sequence(value, indent))
        else:
            lines.append(f"{pad}{name}: {_empty_or_scalar(value)}")
    return lines


def _sequence(items: list[t.Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, Splice):
            lines.extend(pad + line for line in item.render(indent, None))
        elif isinstance(item, Action):
            lines.append(f"{pad}- {{{{ {item.text} }}}}")
        elif isinstance(item, (dict, list)) and item:
            inner = _mapping(item, indent + 2) if isinstance(item, dict) else _sequence(item, 2)
            lines.extend(_as_item(inner, indent, isinstance(item, dict)))
        else:
            lines.append(f"{pad}- {_empty_or_scalar(item)}")
    return lines


def _as_item(inner: list[str], indent: int, is_mapping: bool) -> list[str]:
    """Put the ``- `` marker on the first line of a nested node, or on a line of its own."""
    pad = " " * indent
    first = inner[0]
    if is_mapping and not first.lstrip().startswith("{{"):
        return [f"{pad}- {first[indent + 2 :]}", *inner[1:]]
    if is_mapping:
        return [f"{pad}-", *inner]
    # A nested sequence was emitted at indent 0; shift it under the marker.
    return [f"{pad}-", *(f"{pad}  {line}" for line in inner)]


def _empty_or_scalar(value: t.Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(value)


def optional_block(expression: str) -> Splice:
    """Return a splice that writes ``key:`` and the YAML of ``expression`` when it is set."""

    def render(indent: int, key: str | None) -> list[str]:
        return [
            f"{{{{- with {expression} }}}}",
            f"{key}:",
            f"  {{{{- toYaml . | nindent {indent + 2} }}}}",
            "{{- end }}",
        ]

    return Splice(render)


def required_block(expression: str) -> Splice:
    """Return a splice that always writes ``key:`` and the YAML of ``expression``."""

    def render(indent: int, key: str | None) -> list[str]:
        return [f"{key}:", f"  {{{{- toYaml {expression} | nindent {indent + 2} }}}}"]

    return Splice(render)


def optional_scalar(expression: str, *, unless: str | None = None) -> Splice:
    """Return a splice that writes ``key: value`` when ``expression`` is set.

    With ``unless``, the key is also left out when the value equals that string, so a
    field the object leaves to the API server's default stays out of the default output.
    """

    def render(indent: int, key: str | None) -> list[str]:
        condition = f"{{{{- with {expression} }}}}"
        if unless is not None:
            condition = f"{{{{- if ne (toString ({expression})) {go_string(unless)} }}}}"
            return [condition, f"{key}: {{{{ {expression} | quote }}}}", "{{- end }}"]
        return [condition, f"{key}: {{{{ . | quote }}}}", "{{- end }}"]

    return Splice(render)


def include_lines(template: str) -> Splice:
    """Return a splice that includes a named template's lines at the current indent."""

    def render(indent: int, key: str | None) -> list[str]:
        return [f"{{{{- include {go_string(template)} $ | nindent {indent} }}}}"]

    return Splice(render)


def helpers(chart: str) -> str:
    """Return ``templates/_helpers.tpl``: names and labels shared by every template."""
    return f"""\
{{{{/*
Chart name, or nameOverride, cut to 63 characters: the limit of a label value.
*/}}}}
{{{{- define "{chart}.name" -}}}}
{{{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}}}
{{{{- end -}}}}

{{{{/*
Release-scoped prefix of object names: fullnameOverride when set, else the release
name, followed by the chart name unless the release name already contains it.
*/}}}}
{{{{- define "{chart}.fullname" -}}}}
{{{{- if .Values.fullnameOverride -}}}}
{{{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}}}
{{{{- else if contains (include "{chart}.name" .) .Release.Name -}}}}
{{{{- .Release.Name | trunc 63 | trimSuffix "-" -}}}}
{{{{- else -}}}}
{{{{- printf "%s-%s" .Release.Name (include "{chart}.name" .) | trunc 63 | trimSuffix "-" -}}}}
{{{{- end -}}}}
{{{{- end -}}}}

{{{{/*
Name of one object, called as (list $ "web"): "<fullname>-web", or "web" as in the
compose project when prefixNames is false.
*/}}}}
{{{{- define "{chart}.objectName" -}}}}
{{{{- $root := index . 0 -}}}}
{{{{- $name := index . 1 -}}}}
{{{{- if $root.Values.prefixNames -}}}}
{{{{- printf "%s-%s" (include "{chart}.fullname" $root) $name | trunc 63 | trimSuffix "-" -}}}}
{{{{- else -}}}}
{{{{- $name -}}}}
{{{{- end -}}}}
{{{{- end -}}}}

{{{{/*
Image reference from an image value: repository, then ":tag" and "@digest" when set.
*/}}}}
{{{{- define "{chart}.image" -}}}}
{{{{- .repository -}}}}
{{{{- with .tag }}}}:{{{{ . }}}}{{{{ end -}}}}
{{{{- with .digest }}}}@{{{{ . }}}}{{{{ end -}}}}
{{{{- end -}}}}

{{{{/*
Labels Helm users expect on every object, added to the compose labels.
*/}}}}
{{{{- define "{chart}.labels" -}}}}
{{{{- $chart := printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}}}
helm.sh/chart: {{{{ $chart | trunc 63 | trimSuffix "-" }}}}
app.kubernetes.io/managed-by: {{{{ .Release.Service }}}}
{{{{ include "{chart}.selectorLabels" . }}}}
{{{{- end -}}}}

{{{{/*
Label that keeps the selectors of two releases of this chart apart.
*/}}}}
{{{{- define "{chart}.selectorLabels" -}}}}
app.kubernetes.io/instance: {{{{ .Release.Name }}}}
{{{{- end -}}}}
"""

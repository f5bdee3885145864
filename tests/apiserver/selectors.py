"""Label and field selectors of LIST requests.

Label selectors accept the operators of the apimachinery `labels` parser: `k=v`, `k==v`,
`k!=v`, `k` (exists), `!k` (does not exist), `k in (a,b)` and `k notin (a,b)`; requirements
are joined by commas and all must hold. Field selectors accept `metadata.name` and
`metadata.namespace` with `=`, `==` and `!=`, the fields every resource type supports.
A selector that does not parse raises a 400 BadRequest, as on a real server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from tests.apiserver.status import ApiError, bad_request

Matcher = Callable[[Mapping[str, Any]], bool]

SET_REQUIREMENT = re.compile(r"\s*([^\s!=,()]+)\s+(in|notin)\s+\(([^)]*)\)\s*")
EQUALITY = re.compile(r"\s*([^\s!=,()]+)\s*(==|=|!=)\s*([^\s!=,()]*)\s*")
EXISTS = re.compile(r"\s*(!?)\s*([^\s!=,()]+)\s*")
FIELD_SELECTOR_FIELDS = frozenset({"metadata.name", "metadata.namespace"})


def _split_requirements(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _requirement(text: str) -> Matcher:
    match = SET_REQUIREMENT.fullmatch(text)
    if match:
        key, operator, values_text = match.groups()
        values = {v.strip() for v in values_text.split(",")}
        if operator == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    match = EQUALITY.fullmatch(text)
    if match:
        key, operator, value = match.groups()
        if operator == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    match = EXISTS.fullmatch(text)
    if match:
        negated, key = match.groups()
        if negated:
            return lambda labels: key not in labels
        return lambda labels: key in labels
    raise bad_request(f"unable to parse requirement: {text.strip()!r}")


def parse_label_selector(text: str) -> Matcher:
    """Return a predicate that checks whether a label map matches `text`."""
    if not text.strip():
        return lambda labels: True
    requirements = [_requirement(part) for part in _split_requirements(text)]
    return lambda labels: all(requirement(labels) for requirement in requirements)


def parse_field_selector(text: str) -> Callable[[Mapping[str, Any]], bool]:
    """Return a predicate that checks whether an object matches the field selector `text`."""
    checks: list[Callable[[Mapping[str, Any]], bool]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = re.fullmatch(r"([^!=]+)(==|=|!=)(.*)", part)
        if match is None:
            raise bad_request(f"invalid selector: {text!r}; can't understand {part!r}")
        field, operator, value = match.groups()
        if field not in FIELD_SELECTOR_FIELDS:
            raise _unsupported_field(field)
        checks.append(_field_check(field.split(".")[1], operator, value))
    return lambda obj: all(check(obj) for check in checks)


def _field_check(key: str, operator: str, value: str) -> Callable[[Mapping[str, Any]], bool]:
    if operator == "!=":
        return lambda obj: obj.get("metadata", {}).get(key, "") != value
    return lambda obj: obj.get("metadata", {}).get(key, "") == value


def _unsupported_field(field: str) -> ApiError:
    return bad_request(f"field label not supported: {field}")

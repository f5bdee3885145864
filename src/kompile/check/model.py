"""Rules, findings and the registry that rule modules add themselves to.

A rule is a function that looks at one service and yields `Hit` objects. The runner
turns each hit into a `Finding` by adding the rule's id and severity, the service name
and the place in a compose file or Dockerfile, so rule functions stay short and never
deal with file names or output formats.
"""

from __future__ import annotations

import enum
import typing as t
from dataclasses import dataclass

from kompile.errors import KeyPath, Location

if t.TYPE_CHECKING:
    from kompile.check.service import ServiceView


class Severity(enum.IntEnum):
    """How much a finding matters. An error makes ``kompile check`` exit 1."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Hit:
    """What a rule found: a message and where, relative to the service.

    ``key_path`` is relative to ``services.<name>``. A hit inside a Dockerfile also
    carries the 1-based Dockerfile line; ``key_path`` then names the compose key that
    points at the Dockerfile.
    """

    message: str
    key_path: KeyPath = ()
    dockerfile_line: int | None = None


RuleCheck = t.Callable[["ServiceView"], t.Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """One best practice: its id, group, default severity, summary and fix."""

    id: str
    severity: Severity
    group: str
    summary: str
    fix: str
    check: RuleCheck


@dataclass(frozen=True)
class Finding:
    """One rule broken by one service at one place."""

    rule: Rule
    service: str
    message: str
    key_path: KeyPath
    location: Location

    @property
    def severity(self) -> Severity:
        return self.rule.severity


RULES: dict[str, Rule] = {}
# Rule groups in the order that listings, reports and the docs use.
GROUPS = ("image", "user", "secrets", "size", "process", "operations", "configuration")


def all_rules() -> list[Rule]:
    """Return the registered rules by group, in registration order within a group."""
    return sorted(RULES.values(), key=lambda item: GROUPS.index(item.group))


def rule(
    rule_id: str, severity: Severity, *, group: str, summary: str, fix: str
) -> t.Callable[[RuleCheck], RuleCheck]:
    """Register the decorated function as the check of rule ``rule_id``."""

    def register(check: RuleCheck) -> RuleCheck:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id!r} is registered twice")
        if group not in GROUPS:
            raise ValueError(f"rule {rule_id!r} has the unknown group {group!r}")
        RULES[rule_id] = Rule(rule_id, severity, group, summary, fix, check)
        return check

    return register

"""The conversion table: what each compose key becomes in Kubernetes.

Every mapper module lists the keys it handles as `KeyMapping` rows in a module-level
``KEY_MAPPINGS`` tuple and is named in `TABLE_MODULES`. docs/conversion.md is generated
from these rows, and a test checks that every key of the Compose specification has a row,
so the documentation cannot drift from the code.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class KeyMapping:
    """One compose key and its Kubernetes counterpart."""

    key: str  # compose key path, such as "services.*.ports" or "volumes.*.driver_opts"
    kubernetes: str  # the field or object it becomes; empty when it has no counterpart
    note: str = ""  # the warning or the rule, when there is one


TABLE_MODULES: tuple[str, ...] = (
    "kompile.convert.autoscaling",
    "kompile.convert.bindmounts",
    "kompile.convert.configs",
    "kompile.convert.containers",
    "kompile.convert.dependencies",
    "kompile.convert.ingress",
    "kompile.convert.kinds",
    "kompile.convert.networkpolicy",
    "kompile.convert.pods",
    "kompile.convert.probes",
    "kompile.convert.resources",
    "kompile.convert.scheduling",
    "kompile.convert.secretfiles",
    "kompile.convert.secrets",
    "kompile.convert.security",
    "kompile.convert.services",
    "kompile.convert.storage",
    "kompile.convert.tmpfs",
    "kompile.convert.unmapped",
    "kompile.convert.workloads",
)


def key_mappings() -> list[KeyMapping]:
    """Return the rows of every mapper module, sorted by compose key."""
    rows: list[KeyMapping] = []
    for module_name in TABLE_MODULES:
        rows.extend(importlib.import_module(module_name).KEY_MAPPINGS)
    return sorted(rows, key=lambda row: row.key)


DOC_HEADER = """\
# Conversion table

What each Docker Compose key becomes in Kubernetes. A key without a Kubernetes field is
left out with a warning on stderr that names the service and the key, unless its note
marks it as a key that only steers Docker Compose itself. This page is generated from
the mapping code with `python -m kompile.convert.keytable > docs/conversion.md`, and a
test fails when it is out of date.

| Compose key | Kubernetes | Note |
| --- | --- | --- |
"""


def render_markdown() -> str:
    """Return docs/conversion.md: the header and one table row per key mapping."""
    lines = [DOC_HEADER]
    for row in key_mappings():
        cells = [f"`{row.key}`", row.kubernetes or "none", row.note]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |\n")
    return "".join(lines)


if __name__ == "__main__":
    print(render_markdown(), end="")

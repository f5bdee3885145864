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


TABLE_MODULES: tuple[str, ...] = ("kompile.convert.secrets",)


def key_mappings() -> list[KeyMapping]:
    """Return the rows of every mapper module, sorted by compose key."""
    rows: list[KeyMapping] = []
    for module_name in TABLE_MODULES:
        rows.extend(importlib.import_module(module_name).KEY_MAPPINGS)
    return sorted(rows, key=lambda row: row.key)

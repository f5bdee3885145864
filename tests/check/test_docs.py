"""docs/check.md documents every rule with its severity, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from kompile.check import RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "check.md"
HEADING = re.compile(r"^#### `([a-z0-9-]+)`\n\n- Severity: (\w+)", re.MULTILINE)


def test_every_rule_is_documented() -> None:
    documented = dict(HEADING.findall(DOCS.read_text()))
    assert sorted(documented) == sorted(RULES)
    for rule_id, rule in RULES.items():
        assert documented[rule_id] == rule.severity.label, rule_id


def test_lamp_report_in_docs_matches_golden() -> None:
    golden = Path(__file__).resolve().parents[2] / "golden" / "lamp-stack" / "check.txt"
    findings = [line for line in golden.read_text().splitlines() if not line.startswith(" ")]
    docs = DOCS.read_text()
    for line in findings[:9] + findings[-1:]:
        assert f"\n{line}\n" in docs, line

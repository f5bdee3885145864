"""Report formats by name, and the rule list that ``--list-rules`` prints."""

from __future__ import annotations

import typing as t

from kompile.check.jsonreport import render_json
from kompile.check.model import all_rules
from kompile.check.runner import Report
from kompile.check.sarif import render_sarif
from kompile.check.text import render_text

RENDERERS: dict[str, t.Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
}


def render(report: Report, output_format: str) -> str:
    """Render ``report`` in ``output_format`` (text, json or sarif)."""
    return RENDERERS[output_format](report)


def render_rule_list() -> str:
    """Return one line per rule: id, severity, group and summary."""
    rules = all_rules()
    width = max(len(rule.id) for rule in rules)
    lines = [
        f"{rule.id:<{width}}  {rule.severity.label:<7}  {rule.group:<13}  {rule.summary}"
        for rule in rules
    ]
    return "\n".join(lines) + "\n"

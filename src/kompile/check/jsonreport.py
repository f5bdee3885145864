"""The JSON report: every finding with its place, for scripts."""

from __future__ import annotations

import json
import typing as t

from kompile.check.model import Severity
from kompile.check.runner import Report
from kompile.errors import format_key_path


def report_document(report: Report) -> dict[str, t.Any]:
    """Return the report as plain data, with keys and order that are stable between runs."""
    findings = [
        {
            "rule": finding.rule.id,
            "severity": finding.severity.label,
            "service": finding.service,
            "key": format_key_path(finding.key_path),
            "file": str(finding.location.file),
            "line": finding.location.line,
            "column": finding.location.column,
            "message": finding.message,
            "fix": finding.rule.fix,
        }
        for finding in report.findings
    ]
    summary = {severity.label: report.count(severity) for severity in reversed(Severity)}
    summary.update(ignored=report.ignored, below_threshold=report.hidden)
    return {"project": report.project.name, "findings": findings, "summary": summary}


def render_json(report: Report) -> str:
    """Render the report as indented JSON."""
    return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"

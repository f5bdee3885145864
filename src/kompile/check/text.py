"""The plain-text report: one line per finding, its fix below it, a summary at the end."""

from __future__ import annotations

from kompile.check.model import Finding, Severity
from kompile.check.runner import Report
from kompile.errors import format_key_path


def finding_line(finding: Finding) -> str:
    """Return ``FILE:LINE:COL: SEVERITY [RULE] services.NAME.KEY: MESSAGE``."""
    key = format_key_path(("services", finding.service, *finding.key_path))
    severity = finding.severity.label
    return f"{finding.location}: {severity} [{finding.rule.id}] {key}: {finding.message}"


def summary_line(report: Report) -> str:
    """Return the counts by severity, plus what was ignored or below the threshold."""
    services = len(report.project.services)
    where = f"in {services} service{'s' if services != 1 else ''}"
    counts = [
        _plural(report.count(Severity.ERROR), "error"),
        _plural(report.count(Severity.WARNING), "warning"),
        f"{report.count(Severity.INFO)} info",
    ]
    text = f"{', '.join(counts)} {where}" if report.findings else f"no findings {where}"
    skipped = []
    if report.ignored:
        skipped.append(f"{report.ignored} ignored by x-kompile.check")
    if report.hidden:
        skipped.append(f"{report.hidden} below --severity")
    return f"{text} ({', '.join(skipped)})" if skipped else text


def render_text(report: Report) -> str:
    """Render the report as text for a terminal or a CI log."""
    lines = []
    for finding in report.findings:
        lines.append(finding_line(finding))
        lines.append(f"    fix: {finding.rule.fix}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"

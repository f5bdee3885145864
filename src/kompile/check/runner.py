"""Run every rule over every service and collect the findings in a stable order."""

from __future__ import annotations

from dataclasses import dataclass, field

from kompile.check import rules  # noqa: F401  (importing it registers the rules)
from kompile.check.ignore import ignored_rules
from kompile.check.model import Finding, Hit, Rule, Severity, all_rules
from kompile.check.service import (
    CheckOptions,
    ServiceView,
    display_path,
    load_service_dockerfile,
)
from kompile.compose.model import Project
from kompile.convert.extensions import validate_project
from kompile.diagnostics import Diagnostics
from kompile.errors import Location


@dataclass
class Report:
    """The findings of one check run, and how many were ignored or below the threshold."""

    project: Project
    findings: list[Finding] = field(default_factory=list)
    ignored: int = 0
    hidden: int = 0

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    @property
    def has_errors(self) -> bool:
        return self.count(Severity.ERROR) > 0


def check_project(
    project: Project,
    options: CheckOptions,
    diagnostics: Diagnostics,
    threshold: Severity = Severity.INFO,
) -> Report:
    """Judge every service of ``project``, counting but not listing findings below ``threshold``."""
    validate_project(project)
    report = Report(project)
    for name in sorted(project.services):
        ignored = ignored_rules(project, name)
        config = project.services[name]
        dockerfile = load_service_dockerfile(project, name, config, diagnostics)
        service = ServiceView(name, config, project, dockerfile, options)
        for rule in all_rules():
            for hit in rule.check(service):
                if rule.id in ignored:
                    report.ignored += 1
                elif rule.severity < threshold:
                    report.hidden += 1
                else:
                    report.findings.append(_finding(service, rule, hit))
    report.findings.sort(key=_order)
    return report


def _finding(service: ServiceView, rule: Rule, hit: Hit) -> Finding:
    project = service.project
    dockerfile = service.dockerfile
    key_path = ("services", service.name, *hit.key_path)
    if hit.dockerfile_line is not None and dockerfile is not None and dockerfile.path:
        location = Location(display_path(project, dockerfile.path), hit.dockerfile_line)
    else:
        found = project.locate(key_path)
        location = Location(display_path(project, found.file), found.line, found.column)
    return Finding(rule, service.name, hit.message, hit.key_path, location)


def _order(finding: Finding) -> tuple[str, int, int, str, str, str]:
    """Sort as a linter does: by file, line and column, then service and rule."""
    location = finding.location
    return (
        str(location.file),
        location.line or 0,
        location.column or 0,
        finding.service,
        finding.rule.id,
        finding.message,
    )

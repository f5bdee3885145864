"""The SARIF 2.1.0 report, the format that GitHub code scanning reads.

File locations are relative to the project folder and carry the ``uriBaseId``
``PROJECTROOT``, which ``originalUriBaseIds`` maps to the folder's ``file:`` URI. A
file outside the project folder gets an absolute ``file:`` URI instead.
"""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

from kompile import __version__
from kompile.check.model import Finding, Rule, Severity, all_rules
from kompile.check.runner import Report
from kompile.errors import format_key_path

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
ROOT_ID = "PROJECTROOT"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule_descriptor(rule: Rule) -> dict[str, t.Any]:
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.summary},
        "help": {"text": f"Fix: {rule.fix}."},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.group]},
    }


def _location(finding: Finding) -> dict[str, t.Any]:
    path = Path(finding.location.file)
    artifact: dict[str, t.Any]
    if path.is_absolute():
        artifact = {"uri": path.as_uri()}
    else:
        artifact = {"uri": path.as_posix(), "uriBaseId": ROOT_ID}
    physical: dict[str, t.Any] = {"artifactLocation": artifact}
    if finding.location.line is not None:
        region = {"startLine": finding.location.line}
        if finding.location.column is not None:
            region["startColumn"] = finding.location.column
        physical["region"] = region
    key = format_key_path(("services", finding.service, *finding.key_path))
    logical = {"name": finding.service, "fullyQualifiedName": key, "kind": "object"}
    return {"physicalLocation": physical, "logicalLocations": [logical]}


def sarif_document(report: Report) -> dict[str, t.Any]:
    """Return the report as a SARIF log with one run."""
    rules = all_rules()
    index = {rule.id: position for position, rule in enumerate(rules)}
    results = [
        {
            "ruleId": finding.rule.id,
            "ruleIndex": index[finding.rule.id],
            "level": LEVELS[finding.severity],
            "message": {"text": f"Service {finding.service}: {finding.message}."},
            "locations": [_location(finding)],
        }
        for finding in report.findings
    ]
    root = report.project.working_dir.resolve().as_uri().rstrip("/") + "/"
    run = {
        "tool": {
            "driver": {
                "name": "kompile",
                "version": __version__,
                "rules": [_rule_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {ROOT_ID: {"uri": root}},
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: Report) -> str:
    """Render the report as indented SARIF JSON."""
    return json.dumps(sarif_document(report), indent=2, ensure_ascii=False) + "\n"

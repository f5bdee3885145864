"""Text and JSON forms of apply results and diffs."""

from __future__ import annotations

import difflib
import json
import typing as t

import yaml

from kompile.cluster.apply import ApplyReport, ObjectResult
from kompile.cluster.diff import NONE, ObjectChange

Manifest = dict[str, t.Any]

_COLORS = {"+": "\x1b[32m", "-": "\x1b[31m", "@": "\x1b[36m"}
_RESET = "\x1b[0m"


def result_line(result: ObjectResult, dry_run: str) -> str:
    """Return kubectl's line for one object: ``deployment.apps/web configured``."""
    if result.error:
        return f"{result.display} {result.action}: {result.error}"
    suffix = {"server": " (server dry run)", "client": " (dry run)"}.get(dry_run, "")
    return f"{result.display} {result.action}{suffix}"


def apply_summary(report: ApplyReport) -> str:
    counts: dict[str, int] = {}
    for result in report.results:
        counts[result.action] = counts.get(result.action, 0) + 1
    if report.not_applied:
        counts["not applied"] = len(report.not_applied)
    if report.kept:
        counts["kept"] = len(report.kept)
    order = ("created", "configured", "unchanged", "replaced", "pruned", "failed")
    parts = [f"{counts[action]} {action}" for action in order if counts.get(action)]
    parts += [f"{count} {action}" for action, count in counts.items() if action not in order]
    return ", ".join(parts) if parts else "nothing to apply"


def apply_json(report: ApplyReport) -> str:
    def entry(result: ObjectResult) -> dict[str, t.Any]:
        item: dict[str, t.Any] = {
            "kind": result.resource.kind,
            "apiVersion": result.resource.api_version,
            "namespace": result.namespace or None,
            "name": result.name,
            "action": result.action,
        }
        if result.error:
            item["error" if result.action == "failed" else "reason"] = result.error
        return item

    document = {
        "objects": [entry(result) for result in report.results],
        "notApplied": [entry(result) for result in report.not_applied],
        "kept": [entry(result) for result in report.kept],
        "summary": apply_summary(report),
        "succeeded": not report.failed,
    }
    return json.dumps(document, indent=2)


def _yaml(obj: Manifest | None) -> list[str]:
    if obj is None:
        return []
    text = yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, width=10_000)
    return text.splitlines(keepends=True)


def unified_diff(change: ObjectChange, color: bool) -> str:
    """Return the live and desired YAML of one object as a unified diff."""
    name = f"{change.namespace}/{change.display}" if change.namespace else change.display
    lines = difflib.unified_diff(
        _yaml(change.live),
        _yaml(change.desired),
        fromfile=f"live/{name}",
        tofile=f"desired/{name}",
    )
    text = []
    for line in lines:
        line = line if line.endswith("\n") else line + "\n"
        if color and line[:1] in _COLORS and not line.startswith(("---", "+++")):
            line = f"{_COLORS[line[0]]}{line.rstrip(chr(10))}{_RESET}\n"
        text.append(line)
    notes = "".join(f"# {change.display}: {note}\n" for note in change.notes)
    return notes + "".join(text)


def summary_table(changes: list[ObjectChange]) -> str:
    rows = [("OBJECT", "CHANGE", "FIELDS")]
    for change in changes:
        if change.action == NONE and not change.notes:
            continue
        fields = ", ".join(item.path for item in change.fields[:4])
        if len(change.fields) > 4:
            fields += f", +{len(change.fields) - 4} more"
        if change.notes:
            fields = "; ".join([fields, *change.notes]) if fields else "; ".join(change.notes)
        rows.append((change.display, change.action, fields))
    if len(rows) == 1:
        return "no changes\n"
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    return "".join(
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}".rstrip() + "\n" for row in rows
    )


def diff_json(changes: list[ObjectChange]) -> str:
    document = {
        "changed": any(change.action != NONE for change in changes),
        "objects": [
            {
                "kind": change.resource.kind,
                "apiVersion": change.resource.api_version,
                "namespace": change.namespace or None,
                "name": change.name,
                "action": change.action,
                "notes": change.notes,
                "fields": [
                    {
                        "path": item.path,
                        "change": item.change,
                        "live": item.live,
                        "desired": item.desired,
                    }
                    for item in change.fields
                ],
            }
            for change in changes
            if change.action != NONE
        ],
    }
    return json.dumps(document, indent=2, default=str)

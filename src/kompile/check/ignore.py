"""``x-kompile.check`` on a service: the rule ids that ``kompile check`` skips there."""

from __future__ import annotations

import difflib
import typing as t

from kompile.check.model import RULES
from kompile.compose.model import Project
from kompile.convert.extensions import EXTENSION, extension
from kompile.errors import CheckError, KeyPath

CHECK_KEY = "check"
_CHECK_SETTINGS = ("ignore",)


def ignored_rules(project: Project, service_name: str) -> frozenset[str]:
    """Return the validated rule ids that ``x-kompile.check.ignore`` lists for a service."""
    path: KeyPath = ("services", service_name)
    settings = extension(project, project.services[service_name], path).get(CHECK_KEY)
    if settings is None:
        return frozenset()
    where = (*path, EXTENSION, CHECK_KEY)
    if not isinstance(settings, dict):
        message = f"{CHECK_KEY} must be a mapping, not {type(settings).__name__}"
        raise _invalid(project, where, message, "write it as check: {ignore: [RULE_ID, ...]}")
    for key in settings:
        if key not in _CHECK_SETTINGS:
            hint = f"the only setting is {_CHECK_SETTINGS[0]!r}"
            raise _invalid(project, (*where, key), f"unknown {CHECK_KEY} setting {key!r}", hint)
    return frozenset(_rule_ids(project, settings.get("ignore"), (*where, "ignore")))


def _rule_ids(project: Project, value: t.Any, where: KeyPath) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        message = f"ignore must be a list of rule ids, not {type(value).__name__}"
        raise _invalid(project, where, message, "write it as ignore: [no-healthcheck, user-root]")
    for index, rule_id in enumerate(value):
        if isinstance(rule_id, str) and rule_id in RULES:
            continue
        close = difflib.get_close_matches(str(rule_id), RULES, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "kompile check --list-rules shows them"
        raise _invalid(project, (*where, index), f"unknown rule id {rule_id!r}", hint)
    return list(value)


def _invalid(project: Project, where: KeyPath, message: str, hint: str) -> CheckError:
    return CheckError(message, location=project.locate(where), key_path=where, hint=hint)

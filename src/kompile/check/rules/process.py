"""Process rule: one long-running process per container."""

from __future__ import annotations

import typing as t

from kompile.check.model import Hit, Severity, rule
from kompile.check.service import ServiceView
from kompile.check.shell import command_script, commands, program, tokens

PROCESS_MANAGERS = frozenset({"supervisord", "s6-svscan", "runsvdir", "circusd", "pm2"})


def _several_processes(script: str) -> str | None:
    """Return why ``script`` starts more than one long-running process, or None."""
    for command in commands(script):
        name = program(command)
        if name in PROCESS_MANAGERS:
            return f"starts the process manager {name}"
        if "start" not in command:
            continue
        if name in ("service", "systemctl"):
            return f"starts a system service with '{name} ... start'"
        if any(word.startswith("/etc/init.d/") for word in command):
            return "starts a system service with an /etc/init.d script"
    if "&" in tokens(script):
        return "runs a command in the background with '&'"
    return None


@rule(
    "multiple-processes",
    Severity.WARNING,
    group="process",
    summary="The container's command starts several long-running processes.",
    fix="run each process in its own service, so each can be restarted, scaled and probed alone",
)
def multiple_processes(service: ServiceView) -> t.Iterator[Hit]:
    overridden = set()
    for key in ("entrypoint", "command"):
        value = service.config.get(key)
        if value is None:
            continue
        overridden.add(key)
        reason = _several_processes(command_script(value))
        if reason:
            yield Hit(f"{key} {reason}", (key,))
    instructions = service.image_instructions("ENTRYPOINT", "CMD")
    for keyword, key in (("ENTRYPOINT", "entrypoint"), ("CMD", "command")):
        if key in overridden:
            continue
        last = next((item for item in reversed(instructions) if item.keyword == keyword), None)
        reason = _several_processes(last.script()) if last else None
        if last and reason:
            yield service.dockerfile_hit(f"{keyword} {reason}", last.line)

"""Lint, install and uninstall charts with the real Helm v4 engine through helm-sdkpy.

Every test that runs Helm finds it here. helm-sdkpy needs Python 3.12 or newer, and
kompile's tests may run on an older Python, so the engine runs in its own virtual
environment under ``.cache/helm-venv`` in the repository (or ``KOMPILE_HELM_VENV``). It is
created on first use with the first Python 3.12+ found: this interpreter, pyenv's
versions, then ``python3.13``/``python3.12`` on PATH, and pip installs helm-sdkpy into
it. Tests skip only when no such Python exists.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import typing as t
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
HELM_SDKPY = "helm-sdkpy==0.1.32"
SEVERITIES = {1: "info", 2: "warning", 3: "error"}
LINT_SCRIPT = """
import asyncio, json, sys
import helm_sdkpy

async def lint(path):
    config = helm_sdkpy.Configuration(namespace="default")
    result = await helm_sdkpy.Lint(config).run(path)
    return [[m.get("Severity", 0), m.get("Path", "")] for m in result.get("Messages") or []]

print(json.dumps({path: asyncio.run(lint(path)) for path in sys.argv[1:]}))
"""
# Reads {"kubeconfig": PATH, "steps": [...]} on stdin, runs each install or uninstall step
# in order and prints one error text per step ("" on success). Values travel on stdin, so
# no secret value appears in a command line.
RELEASE_SCRIPT = """
import asyncio, json, sys
import helm_sdkpy

async def run(kubeconfig, step):
    config = helm_sdkpy.Configuration(namespace=step["namespace"], kubeconfig=kubeconfig)
    if step["action"] == "install":
        await helm_sdkpy.Install(config).run(
            release_name=step["release"],
            chart_path=step["chart"],
            values=step["values"],
            wait=step["wait"],
            timeout=step["timeout"],
        )
    else:
        await helm_sdkpy.Uninstall(config).run(
            release_name=step["release"], wait=step["wait"], timeout=step["timeout"]
        )

async def main():
    request = json.load(sys.stdin)
    errors = []
    for step in request["steps"]:
        try:
            await run(request["kubeconfig"], step)
            errors.append("")
        except helm_sdkpy.HelmError as error:
            errors.append(f"{type(error).__name__}: {error}")
    print(json.dumps(errors))

asyncio.run(main())
"""
# Seconds Helm may spend on one install or uninstall, and the whole batch on all of them.
STEP_TIMEOUT_SECONDS = 60
BATCH_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class LintMessage:
    """One message of helm lint; helm-sdkpy 0.1.32 passes no text, only the file."""

    severity: int
    path: str

    def __str__(self) -> str:
        return f"{SEVERITIES.get(self.severity, self.severity)}: {self.path}"


def venv_folder() -> Path:
    return Path(os.environ.get("KOMPILE_HELM_VENV", REPOSITORY / ".cache" / "helm-venv"))


def _is_modern(python: str) -> bool:
    check = "import sys; sys.exit(sys.version_info < (3, 12))"
    try:
        return subprocess.run([python, "-c", check], capture_output=True).returncode == 0
    except OSError:
        return False


def find_python() -> str | None:
    """Return a Python 3.12+ interpreter, or None when the machine has none."""
    if sys.version_info >= (3, 12):
        return sys.executable
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = sorted(pyenv.glob("3.1[2-9]*/bin/python"), reverse=True)
    found = [shutil.which(name) for name in ("python3.13", "python3.12")]
    for candidate in [*map(str, candidates), *filter(None, found)]:
        if _is_modern(candidate):
            return candidate
    return None


def helm_python() -> Path | None:
    """Return the Python of the helm-sdkpy environment, creating it when missing."""
    folder = venv_folder()
    python = folder / "bin" / "python"
    probe = [str(python), "-c", "import helm_sdkpy"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    base = find_python()
    if base is None:
        return None
    subprocess.run([base, "-m", "venv", str(folder)], check=True, capture_output=True)
    install = [str(python), "-m", "pip", "install", "--quiet", HELM_SDKPY]
    result = subprocess.run(install, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pip could not install {HELM_SDKPY}: {result.stderr.strip()}")
    return python


def lint(python: Path, charts: list[Path]) -> dict[Path, list[LintMessage]]:
    """Run helm lint on each chart folder and return its messages."""
    result = subprocess.run(
        [str(python), "-c", LINT_SCRIPT, *map(str, charts)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"helm-sdkpy lint failed: {result.stderr.strip()}")
    report = json.loads(result.stdout)
    return {
        Path(path): [LintMessage(int(severity), str(where)) for severity, where in messages]
        for path, messages in report.items()
    }


def errors(messages: list[LintMessage]) -> list[str]:
    """Return the error-level messages as text."""
    return [str(message) for message in messages if message.severity >= 3]


@dataclass(frozen=True)
class Release:
    """A Helm release to install: its name, namespace, chart folder and values."""

    name: str
    namespace: str
    chart: Path
    values: dict[str, t.Any] = field(default_factory=dict)


def install(
    python: Path,
    kubeconfig: Path,
    releases: Sequence[Release],
    *,
    wait: bool = False,
    hidden: Collection[str] = (),
) -> list[str]:
    """Install each release in order and return its error text, "" when it succeeded.

    Any string of ``hidden`` (secret values) is replaced by ``***`` in the error texts.
    """
    steps = [
        {
            "action": "install",
            "release": release.name,
            "namespace": release.namespace,
            "chart": str(release.chart),
            "values": release.values,
            "wait": wait,
            "timeout": STEP_TIMEOUT_SECONDS,
        }
        for release in releases
    ]
    return _run_steps(python, kubeconfig, steps, hidden)


def uninstall(
    python: Path, kubeconfig: Path, releases: Sequence[Release], *, wait: bool = True
) -> list[str]:
    """Uninstall each release in order and return its error text, "" when it succeeded."""
    steps = [
        {
            "action": "uninstall",
            "release": release.name,
            "namespace": release.namespace,
            "wait": wait,
            "timeout": STEP_TIMEOUT_SECONDS,
        }
        for release in releases
    ]
    return _run_steps(python, kubeconfig, steps, ())


def _run_steps(
    python: Path, kubeconfig: Path, steps: list[dict[str, t.Any]], hidden: Collection[str]
) -> list[str]:
    request = json.dumps({"kubeconfig": str(kubeconfig), "steps": steps})
    # HOME points next to the kubeconfig, so Helm neither reads ~/.kube nor writes its
    # cache and registry files into the user's home folder.
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(kubeconfig.parent)}
    result = subprocess.run(
        [str(python), "-c", RELEASE_SCRIPT],
        input=request,
        capture_output=True,
        text=True,
        env=environment,
        timeout=BATCH_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"helm-sdkpy failed: {_mask(result.stderr.strip(), hidden)}")
    return [_mask(str(error), hidden) for error in json.loads(result.stdout)]


def _mask(text: str, hidden: Collection[str]) -> str:
    for value in sorted(filter(None, hidden), key=len, reverse=True):
        text = text.replace(value, "***")
    return text

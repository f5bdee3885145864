"""What the rules see of one service: its compose config and its parsed Dockerfile."""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass
from pathlib import Path

from kompile.check.dockerfile import Dockerfile, Instruction, parse_dockerfile, read_dockerfile
from kompile.check.images import image_stages
from kompile.check.model import Hit
from kompile.compose.model import Project, ServiceConfig
from kompile.diagnostics import Diagnostics
from kompile.errors import KeyPath

_REMOTE_CONTEXT = re.compile(r"^[a-z][a-z0-9+.-]*://|^git@|^github\.com/", re.IGNORECASE)


@dataclass(frozen=True)
class CheckOptions:
    """Choices of one ``kompile check`` run."""

    require_digest: bool = False


@dataclass
class ServiceView:
    """One service as the rules read it."""

    name: str
    config: ServiceConfig
    project: Project
    dockerfile: Dockerfile | None
    options: CheckOptions

    @property
    def build(self) -> dict[str, t.Any] | None:
        build = self.config.get("build")
        if isinstance(build, str):
            return {"context": build}
        return build if isinstance(build, dict) else None

    @property
    def image(self) -> str | None:
        image = self.config.get("image")
        return image if isinstance(image, str) and image else None

    @property
    def dockerfile_key(self) -> KeyPath:
        """The compose key that names the Dockerfile, for findings inside it."""
        if "dockerfile_inline" in (self.build or {}):
            return ("build", "dockerfile_inline")
        return ("build",)

    def image_instructions(self, *keywords: str) -> list[Instruction]:
        """Return the final image's instructions of these kinds, in file order.

        The final image holds the final stage and the earlier stages it starts from, so
        an instruction in any other build stage is left out. Without a Dockerfile the
        list is empty.
        """
        if self.dockerfile is None:
            return []
        stages = reversed(image_stages(self.dockerfile))
        return [instruction for stage in stages for instruction in stage.find(*keywords)]

    def dockerfile_hit(self, message: str, line: int) -> Hit:
        """Return a hit at ``line`` of the service's Dockerfile."""
        return Hit(message, self.dockerfile_key, dockerfile_line=line)


def load_service_dockerfile(
    project: Project, name: str, config: ServiceConfig, diagnostics: Diagnostics
) -> Dockerfile | None:
    """Parse the Dockerfile that the service builds from, when it is on this machine.

    A remote build context (a Git or HTTP URL) is not fetched. A Dockerfile that does
    not exist is reported as a warning, and the rules that need it are skipped.
    """
    build = config.get("build")
    if isinstance(build, str):
        build = {"context": build}
    if not isinstance(build, dict):
        return None
    inline = build.get("dockerfile_inline")
    if isinstance(inline, str):
        return parse_dockerfile(inline)
    context = str(build.get("context") or ".")
    if _REMOTE_CONTEXT.match(context):
        diagnostics.warn(
            "the build context is remote, so the Dockerfile rules are skipped",
            service=name,
            key_path=("build", "context"),
        )
        return None
    path = project.working_dir / context / str(build.get("dockerfile") or "Dockerfile")
    if not path.is_file():
        diagnostics.warn(
            f"Dockerfile {display_path(project, path)} not found, so the Dockerfile "
            "rules are skipped",
            service=name,
            key_path=("build", "dockerfile"),
        )
        return None
    return read_dockerfile(path)


def display_path(project: Project, path: Path | str) -> str:
    """Return ``path`` relative to the project folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(project.working_dir.resolve()))
    except ValueError:
        return str(path)
